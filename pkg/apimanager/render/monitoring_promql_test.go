package render

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"sigs.k8s.io/yaml"
)

// These tests hold every PromQL expression the platform ships, in alerting rules and in dashboard
// queries, to Prometheus' own parser (and the rule groups to its rule file loader), so that a typo
// is caught here and not by a Prometheus that silently rejects a PrometheusRule or a dashboard that
// shows "parse error".

// promql is the parser Prometheus uses, with its default options.
var promql = parser.NewParser(parser.Options{})

// parsePromQL parses expr as PromQL.
func parsePromQL(expr string) (parser.Expr, error) {
	if strings.TrimSpace(expr) == "" {
		return nil, fmt.Errorf("empty expression")
	}
	return promql.ParseExpr(expr)
}

// vectorSelectors parses expr and returns its vector selectors, failing the test on a parse error.
func vectorSelectors(t *testing.T, expr string) []*parser.VectorSelector {
	t.Helper()
	e, err := parsePromQL(expr)
	if err != nil {
		t.Fatalf("cannot parse %q: %v", expr, err)
	}
	var out []*parser.VectorSelector
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			out = append(out, vs)
		}
		return nil
	})
	return out
}

// hasNamespaceMatcher reports whether sel only selects series of namespace ns.
func hasNamespaceMatcher(sel *parser.VectorSelector, ns string) bool {
	for _, m := range sel.LabelMatchers {
		if m.Name == "namespace" && m.Type == labels.MatchEqual && m.Value == ns {
			return true
		}
	}
	return false
}

// grafanaVariable matches a Grafana variable reference: $name or ${name}.
var grafanaVariable = regexp.MustCompile(`\$\{?(\w+)\}?`)

// labelValues matches Grafana's label_values(<selector>, <label>) variable query.
var labelValues = regexp.MustCompile(`^label_values\((.*),\s*\w+\)$`)

// dashboardQuery is one PromQL query of a dashboard, after Grafana's variable interpolation.
type dashboardQuery struct {
	where, expr string
}

// dashboardQueries walks a Grafana JSON model and returns every PromQL query in it, panel targets
// (rows' nested panels included) and the selectors of label_values() variables, with the
// dashboard's variables replaced the way Grafana does before it sends a query: $__rate_interval
// by a duration, a constant by its value, a custom variable by its first value, a multi-value
// variable by a regular expression. A reference to an undefined variable fails the test.
func dashboardQueries(t reporter, name, model string) []dashboardQuery {
	t.Helper()
	var m struct {
		Templating struct {
			List []struct {
				Name    string          `json:"name"`
				Type    string          `json:"type"`
				Multi   bool            `json:"multi"`
				Query   json.RawMessage `json:"query"`
				Options []struct {
					Value string `json:"value"`
				} `json:"options"`
			} `json:"list"`
		} `json:"templating"`
		Panels []json.RawMessage `json:"panels"`
	}
	if err := json.Unmarshal([]byte(model), &m); err != nil {
		t.Fatalf("%s: invalid JSON model: %v", name, err)
	}
	values := map[string]string{"__rate_interval": "5m", "__interval": "1m", "__range": "6h"}
	var variableQueries []dashboardQuery
	for _, v := range m.Templating.List {
		var query string
		if err := json.Unmarshal(v.Query, &query); err != nil {
			var q struct{ Query string }
			if err := json.Unmarshal(v.Query, &q); err != nil {
				t.Fatalf("%s: variable %s: query %s", name, v.Name, v.Query)
			}
			query = q.Query
		}
		switch {
		case v.Multi:
			values[v.Name] = ".+"
		case v.Type == "constant":
			values[v.Name] = query
		case v.Type == "custom" && len(v.Options) > 0:
			values[v.Name] = v.Options[0].Value
		case v.Type == "datasource":
			values[v.Name] = "prometheus"
		default:
			values[v.Name] = "sample"
		}
		if v.Type == "query" {
			sm := labelValues.FindStringSubmatch(query)
			if sm == nil {
				t.Errorf("%s: variable %s: %q is not label_values(<selector>, <label>)", name, v.Name, query)
				continue
			}
			variableQueries = append(variableQueries, dashboardQuery{where: "variable " + v.Name, expr: sm[1]})
		}
	}
	var out []dashboardQuery
	var walkPanels func(panels []json.RawMessage)
	walkPanels = func(panels []json.RawMessage) {
		for _, raw := range panels {
			var p struct {
				Title   string            `json:"title"`
				Panels  []json.RawMessage `json:"panels"`
				Targets []struct {
					RefID string `json:"refId"`
					Expr  string `json:"expr"`
				} `json:"targets"`
			}
			if err := json.Unmarshal(raw, &p); err != nil {
				t.Fatalf("%s: panel: %v", name, err)
			}
			for _, target := range p.Targets {
				out = append(out, dashboardQuery{where: fmt.Sprintf("panel %q target %s", p.Title, target.RefID), expr: target.Expr})
			}
			walkPanels(p.Panels)
		}
	}
	walkPanels(m.Panels)
	out = append(out, variableQueries...)
	for i := range out {
		out[i].expr = grafanaVariable.ReplaceAllStringFunc(out[i].expr, func(ref string) string {
			v, ok := values[grafanaVariable.FindStringSubmatch(ref)[1]]
			if !ok {
				t.Errorf("%s: %s uses undefined variable %s", name, out[i].where, ref)
			}
			return v
		})
	}
	return out
}

// TestPromQLParses parses every expression of every PrometheusRule and GrafanaDashboard Monitoring
// renders, and checks that each only selects series of the platform's namespace.
func TestPromQLParses(t *testing.T) {
	const ns = "shop-3scale"
	in := monitoringInputs(func(in *Inputs) { in.APIManager.Namespace = ns })
	ruleExprs, dashboardExprs, dashboardCount := 0, 0, 0
	check := func(where, expr string) {
		t.Helper()
		if _, err := parsePromQL(expr); err != nil {
			t.Errorf("%s: %q does not parse: %v", where, expr, err)
			return
		}
		for _, sel := range vectorSelectors(t, expr) {
			if !hasNamespaceMatcher(sel, ns) {
				t.Errorf("%s: %s is not restricted to namespace %s", where, sel, ns)
			}
		}
	}
	for _, pr := range PrometheusRules(in) {
		for _, g := range pr.Spec.Groups {
			for _, r := range g.Rules {
				ruleExprs++
				check("PrometheusRule "+pr.Name+" alert "+r.Alert, r.Expr.String())
			}
		}
	}
	for _, gd := range GrafanaDashboards(in) {
		dashboardCount++
		queries := dashboardQueries(t, gd.Name, gd.Spec.JSON)
		if len(queries) == 0 {
			t.Errorf("GrafanaDashboard %s: no query found", gd.Name)
		}
		for _, q := range queries {
			dashboardExprs++
			check("GrafanaDashboard "+gd.Name+" "+q.where, q.expr)
		}
	}
	// The counts make sure the walks above found what they were meant to: 24 alerts, and the
	// queries of 7 dashboards (at least one per panel, see the dashboards package's tests).
	if ruleExprs != 24 {
		t.Errorf("checked %d alert expressions, want 24", ruleExprs)
	}
	if dashboardCount != 7 || dashboardExprs < 100 {
		t.Errorf("checked %d queries in %d dashboards, want at least 100 in 7", dashboardExprs, dashboardCount)
	}
	t.Logf("parsed %d alert expressions and %d dashboard queries", ruleExprs, dashboardExprs)
}

// TestPromQLCheckRejects shows that the checks above can fail: the parser rejects broken PromQL,
// and the dashboard walk finds queries, interpolates variables and reports undefined ones.
func TestPromQLCheckRejects(t *testing.T) {
	for _, expr := range []string{
		``,
		`sum(rate(up{namespace="a"}[5m])`, // unbalanced parenthesis
		`rate(up{namespace="a"}[$__rate_interval])`,         // not interpolated
		`histogram_quantile(0.99, sum by le (rate(x[5m])))`, // by without parentheses
		`up{namespace="a"} ==`,                              // missing operand
		`label_values(up{namespace="a"}, pod)`,              // Grafana syntax, not PromQL
	} {
		if _, err := parsePromQL(expr); err == nil {
			t.Errorf("%q parsed, want an error", expr)
		}
	}
	if _, err := parsePromQL(`sum by (pod) (rate(up{namespace="a"}[5m]))`); err != nil {
		t.Errorf("valid PromQL rejected: %v", err)
	}

	model := `{
	  "templating": {"list": [
	    {"name": "namespace", "type": "constant", "query": "ns1"},
	    {"name": "env", "type": "custom", "query": "production,staging", "options": [{"value": "production"}]},
	    {"name": "pod", "type": "query", "query": {"query": "label_values(kube_pod_info{namespace=\"$namespace\"}, pod)"}}
	  ]},
	  "panels": [
	    {"type": "row", "title": "r", "panels": [{"title": "nested", "targets": [{"refId": "A", "expr": "up{pod=\"$pod\"}"}]}]},
	    {"title": "p", "targets": [{"refId": "A", "expr": "rate(x{namespace=\"$namespace\", pod=~\"apicast-$env-.*\"}[$__rate_interval])"}]}
	  ]
	}`
	got := dashboardQueries(t, "test", model)
	want := []dashboardQuery{
		{where: `panel "nested" target A`, expr: `up{pod="sample"}`},
		{where: `panel "p" target A`, expr: `rate(x{namespace="ns1", pod=~"apicast-production-.*"}[5m])`},
		{where: "variable pod", expr: `kube_pod_info{namespace="ns1"}`},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("dashboardQueries =\n%v\nwant\n%v", got, want)
	}

	// An undefined variable is reported.
	undefined := `{"templating": {"list": []}, "panels": [{"title": "p", "targets": [{"refId": "A", "expr": "up{pod=\"$nope\"}"}]}]}`
	r := &recorder{}
	dashboardQueries(r, "test", undefined)
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], "undefined variable $nope") {
		t.Errorf("undefined variable: errors %q, want one about $nope", r.errors)
	}
}

// reporter is the part of *testing.T that dashboardQueries uses, so that a test can check what it
// reports.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// recorder is a reporter that records errors; Fatalf is not expected and panics.
type recorder struct{ errors []string }

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

// TestRuleGroupsLoad loads every PrometheusRule's groups the way Prometheus loads a rule file
// (prometheus-operator writes the spec's groups as one): it checks the expressions, durations,
// label names and the Go templates of the annotations.
func TestRuleGroupsLoad(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	rules := 0
	for _, pr := range PrometheusRules(monitoringInputs()) {
		data, err := yaml.Marshal(pr.Spec)
		if err != nil {
			t.Fatal(err)
		}
		groups, errs := rulefmt.Parse(data, false, model.UTF8Validation, promql, logger)
		for _, err := range errs {
			t.Errorf("PrometheusRule %s: %v\n%s", pr.Name, err, data)
		}
		if groups == nil {
			continue
		}
		for _, g := range groups.Groups {
			rules += len(g.Rules)
		}
	}
	if rules != 24 {
		t.Errorf("loaded %d rules, want 24", rules)
	}
}

func TestRuleGroupsLoadRejects(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	for name, data := range map[string]string{
		"bad expression": "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: sum(up\n",
		"bad template":   "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    annotations:\n      summary: '{{ $labels.job '\n",
		"bad duration":   "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    for: 5 minutes\n",
	} {
		if _, errs := rulefmt.Parse([]byte(data), false, model.UTF8Validation, promql, logger); len(errs) == 0 {
			t.Errorf("%s: loaded, want an error", name)
		}
	}
}
