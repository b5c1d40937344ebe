// Package dashboards builds the Grafana dashboards of a 3scale platform: APIcast, APIcast per
// product, backend, system, zync, and the Kubernetes resources of the namespace and of a pod.
//
// A dashboard is described in Go (rows of panels, each with its PromQL queries) and turned into the
// Grafana JSON model by JSON. Building them in Go rather than keeping hand-edited JSON files keeps
// every query next to its title, gives every panel the same layout and data source, and lets the
// tests walk the queries. The functions are pure: the only input is the namespace, which the
// dashboards carry as a hidden constant variable.
//
// Queries select the 3scale pods by the `namespace` and `pod` labels, which every PodMonitor target
// carries, rather than by `job`, whose value depends on how Prometheus scrapes them (PodMonitors
// name it <namespace>/<podmonitor>, the additional scrape configs of the 3scale documentation do
// not).
package dashboards

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// Grafana JSON model constants.
const (
	// schemaVersion is the Grafana dashboard schema the model follows (Grafana 10 and later).
	schemaVersion = 39
	// gridWidth is the width of Grafana's dashboard grid.
	gridWidth = 24
	// DatasourceVariable is the name of the data source variable every panel queries through.
	DatasourceVariable = "datasource"
	// NamespaceVariable is the name of the hidden constant variable holding the platform's namespace.
	NamespaceVariable = "namespace"
)

// PanelKind is the visualization of a panel.
type PanelKind string

// Panel kinds.
const (
	// TimeSeries draws each query as lines over time (the default).
	TimeSeries PanelKind = "timeseries"
	// Stat shows the last value of a query as a big number.
	Stat PanelKind = "stat"
)

// Dashboard describes one Grafana dashboard.
type Dashboard struct {
	// Name is the name of the GrafanaDashboard object; it is also part of the dashboard's UID.
	Name string
	// Title is the title shown in Grafana; it is unique in the namespace's folder.
	Title string
	// Description is shown in the dashboard settings.
	Description string
	// Variables are the template variables besides the data source and the namespace, which every
	// dashboard has.
	Variables []Variable
	// Rows are the dashboard's rows, top to bottom.
	Rows []Row
}

// Row is a titled group of panels.
type Row struct {
	Title  string
	Panels []Panel
}

// Panel is one visualization.
type Panel struct {
	Title       string
	Description string
	// Kind defaults to TimeSeries.
	Kind PanelKind
	// Unit is a Grafana unit id (reqps, s, percentunit, bytes, short, ...); empty means short.
	Unit string
	// Stack stacks the series of a time series panel.
	Stack bool
	// Width is the width in grid columns; 0 means 12 for a time series and 6 for a stat.
	Width int
	// Targets are the PromQL queries of the panel.
	Targets []Target
}

// Target is one PromQL query of a panel.
type Target struct {
	// Expr is the PromQL expression. It may use the dashboard's variables ($namespace, ...) and
	// Grafana's $__rate_interval.
	Expr string
	// Legend is the series name template ({{label}} is replaced by the label's value).
	Legend string
}

// VariableKind is the type of a template variable.
type VariableKind string

// Variable kinds.
const (
	// Custom variables offer a fixed list of values.
	Custom VariableKind = "custom"
	// Query variables take their values from a label_values(selector, label) query.
	Query VariableKind = "query"
)

// Variable is a template variable a user picks in the dashboard.
type Variable struct {
	Name  string
	Label string
	Kind  VariableKind
	// Values are the choices of a Custom variable; the first is the default.
	Values []string
	// Query is the label_values(...) query of a Query variable.
	Query string
	// Multi lets the user pick several values, or All (which matches any value with `=~`).
	Multi bool
}

// UID returns the dashboard's Grafana UID in namespace: stable across re-creations of the
// GrafanaDashboard object, so links to it keep working, and distinct between namespaces that one
// Grafana serves. Grafana UIDs are at most 40 characters, fewer than a namespace name may have,
// hence the hash.
func UID(namespace, name string) string {
	sum := sha256.Sum256([]byte(namespace + "/" + name))
	return "3scale-" + hex.EncodeToString(sum[:])[:24]
}

// JSON returns the Grafana JSON model of d for the platform in namespace, indented so that it reads
// well in the GrafanaDashboard object. It cannot fail: the model holds only strings, numbers,
// booleans, maps and slices, and the tests encode every dashboard.
func (d Dashboard) JSON(namespace string) string {
	b, err := json.MarshalIndent(d.Model(namespace), "", "  ")
	if err != nil {
		// Unreachable (see above): reaching it is a programming error in Model, not bad input.
		panic(fmt.Sprintf("dashboards: cannot encode %s: %v", d.Name, err))
	}
	return string(b)
}

// Model returns the Grafana JSON model of d as maps and slices, ready for encoding/json.
func (d Dashboard) Model(namespace string) map[string]any {
	return map[string]any{
		"uid":           UID(namespace, d.Name),
		"title":         d.Title,
		"description":   d.Description,
		"tags":          []string{"3scale"},
		"editable":      true,
		"graphTooltip":  1, // shared crosshair
		"refresh":       "1m",
		"time":          map[string]any{"from": "now-6h", "to": "now"},
		"timezone":      "browser",
		"schemaVersion": schemaVersion,
		"annotations":   map[string]any{"list": []any{}},
		"links":         []any{},
		"templating":    map[string]any{"list": d.variables(namespace)},
		"panels":        d.panels(),
	}
}

// datasourceRef is how panels, targets and query variables name the data source: through the
// data source variable, so that the dashboards work whatever the Prometheus data source is called.
func datasourceRef() map[string]any {
	return map[string]any{"type": "prometheus", "uid": "${" + DatasourceVariable + "}"}
}

// variables returns the templating list: the data source, the hidden namespace, then d's own.
func (d Dashboard) variables(namespace string) []any {
	list := []any{
		map[string]any{
			"name":    DatasourceVariable,
			"label":   "Data source",
			"type":    "datasource",
			"query":   "prometheus",
			"hide":    0,
			"current": map[string]any{},
		},
		map[string]any{
			"name":    NamespaceVariable,
			"label":   "Namespace",
			"type":    "constant",
			"query":   namespace,
			"hide":    2, // hidden: the dashboard belongs to this namespace's platform
			"current": map[string]any{"text": namespace, "value": namespace},
		},
	}
	for _, v := range d.Variables {
		list = append(list, v.model())
	}
	return list
}

// model returns the JSON model of a template variable.
func (v Variable) model() map[string]any {
	m := map[string]any{
		"name":  v.Name,
		"label": v.Label,
		"type":  string(v.Kind),
		"hide":  0,
		"multi": v.Multi,
	}
	if v.Multi {
		m["includeAll"] = true
		m["allValue"] = ".*"
		m["current"] = map[string]any{"text": []string{"All"}, "value": []string{"$__all"}}
	}
	switch v.Kind {
	case Custom:
		query := ""
		options := []any{}
		for i, val := range v.Values {
			if i > 0 {
				query += ","
			}
			query += val
			options = append(options, map[string]any{"text": val, "value": val, "selected": i == 0})
		}
		m["query"] = query
		m["options"] = options
		if !v.Multi && len(v.Values) > 0 {
			m["current"] = map[string]any{"text": v.Values[0], "value": v.Values[0]}
		}
	case Query:
		m["datasource"] = datasourceRef()
		m["query"] = map[string]any{"query": v.Query, "refId": "PrometheusVariableQueryEditor-VariableQuery"}
		m["definition"] = v.Query
		m["refresh"] = 2 // on time range change: pods come and go
		m["sort"] = 1
		if !v.Multi {
			m["current"] = map[string]any{}
		}
	}
	return m
}

// panels lays the rows out on Grafana's grid: each row starts a new line with its row header, and
// its panels flow left to right, wrapping at the grid's width. IDs are assigned in order.
func (d Dashboard) panels() []any {
	var (
		out    []any
		id     = 0
		y      = 0
		nextID = func() int { id++; return id }
	)
	for _, row := range d.Rows {
		out = append(out, map[string]any{
			"id":        nextID(),
			"type":      "row",
			"title":     row.Title,
			"collapsed": false,
			"panels":    []any{},
			"gridPos":   map[string]any{"h": 1, "w": gridWidth, "x": 0, "y": y},
		})
		y++
		x, lineHeight := 0, 0
		for _, p := range row.Panels {
			w, h := p.size()
			if x+w > gridWidth {
				x, y, lineHeight = 0, y+lineHeight, 0
			}
			out = append(out, p.model(nextID(), x, y, w, h))
			x += w
			lineHeight = max(lineHeight, h)
		}
		y += lineHeight
	}
	return out
}

// size returns the width and height of p on the grid.
func (p Panel) size() (w, h int) {
	w, h = 12, 8
	if p.kind() == Stat {
		w, h = 6, 4
	}
	if p.Width > 0 {
		w = min(p.Width, gridWidth)
	}
	return w, h
}

// kind returns p's kind, TimeSeries when unset.
func (p Panel) kind() PanelKind {
	if p.Kind == "" {
		return TimeSeries
	}
	return p.Kind
}

// model returns the JSON model of p at the given place on the grid.
func (p Panel) model(id, x, y, w, h int) map[string]any {
	unit := p.Unit
	if unit == "" {
		unit = "short"
	}
	targets := make([]any, 0, len(p.Targets))
	for i, t := range p.Targets {
		targets = append(targets, map[string]any{
			"refId":        string(rune('A' + i)),
			"datasource":   datasourceRef(),
			"expr":         t.Expr,
			"legendFormat": t.Legend,
			"range":        true,
		})
	}
	defaults := map[string]any{"unit": unit}
	options := map[string]any{}
	switch p.kind() {
	case Stat:
		defaults["color"] = map[string]any{"mode": "thresholds"}
		defaults["thresholds"] = map[string]any{
			"mode":  "absolute",
			"steps": []any{map[string]any{"color": "green", "value": nil}},
		}
		options["reduceOptions"] = map[string]any{"calcs": []string{"lastNotNull"}, "fields": "", "values": false}
		options["colorMode"] = "value"
		options["graphMode"] = "area"
		options["textMode"] = "auto"
	default:
		stacking := "none"
		if p.Stack {
			stacking = "normal"
		}
		defaults["custom"] = map[string]any{
			"drawStyle":   "line",
			"fillOpacity": 10,
			"lineWidth":   1,
			"showPoints":  "never",
			"spanNulls":   false,
			"stacking":    map[string]any{"mode": stacking, "group": "A"},
		}
		options["legend"] = map[string]any{"displayMode": "list", "placement": "bottom", "showLegend": true}
		options["tooltip"] = map[string]any{"mode": "multi", "sort": "desc"}
	}
	return map[string]any{
		"id":          id,
		"type":        string(p.kind()),
		"title":       p.Title,
		"description": p.Description,
		"datasource":  datasourceRef(),
		"gridPos":     map[string]any{"h": h, "w": w, "x": x, "y": y},
		"fieldConfig": map[string]any{"defaults": defaults, "overrides": []any{}},
		"options":     options,
		"targets":     targets,
	}
}
