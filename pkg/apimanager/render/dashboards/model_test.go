package dashboards

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// decoded is the part of the Grafana JSON model the tests read back.
type decoded struct {
	UID        string `json:"uid"`
	Title      string `json:"title"`
	Templating struct {
		List []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Query any    `json:"query"`
		} `json:"list"`
	} `json:"templating"`
	Panels []struct {
		ID      int    `json:"id"`
		Type    string `json:"type"`
		Title   string `json:"title"`
		GridPos struct {
			H, W, X, Y int
		} `json:"gridPos"`
		Targets []struct {
			RefID string `json:"refId"`
			Expr  string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
}

func decode(t *testing.T, d Dashboard, namespace string) decoded {
	t.Helper()
	var out decoded
	if err := json.Unmarshal([]byte(d.JSON(namespace)), &out); err != nil {
		t.Fatalf("%s: invalid JSON: %v", d.Name, err)
	}
	return out
}

func TestAllNames(t *testing.T) {
	names := func(ds []Dashboard) []string {
		var out []string
		for _, d := range ds {
			out = append(out, d.Name)
		}
		return out
	}
	// The names of the existing operator's GrafanaDashboards, so that upgrades adopt them.
	want := []string{"apicast-mainapp", "apicast-services", "backend", "system", "zync",
		"kubernetes-resources-by-namespace", "kubernetes-resources-by-pod"}
	if diff := cmp.Diff(want, names(All(true))); diff != "" {
		t.Errorf("All(true) names (-want +got):\n%s", diff)
	}
	withoutZync := append(append([]string(nil), want[:4]...), want[5:]...)
	if diff := cmp.Diff(withoutZync, names(All(false))); diff != "" {
		t.Errorf("All(false) names (-want +got):\n%s", diff)
	}
}

// variableRef matches a Grafana variable reference: $name or ${name}.
var variableRef = regexp.MustCompile(`\$\{?(\w+)\}?`)

// grafanaBuiltins are the variables Grafana defines itself.
var grafanaBuiltins = map[string]bool{"__rate_interval": true, "__interval": true, "__range": true}

// TestDashboardStructure checks what Grafana needs to load each dashboard and what users need to
// read it: unique titles and panel IDs, panels on the grid without overlap, at least one query per
// panel, every variable a query uses defined, and a valid UID.
func TestDashboardStructure(t *testing.T) {
	uidPattern := regexp.MustCompile(`^[a-zA-Z0-9_-]{1,40}$`)
	titles := map[string]bool{}
	queries := 0
	for _, d := range All(true) {
		m := decode(t, d, "threescale")
		if !uidPattern.MatchString(m.UID) {
			t.Errorf("%s: UID %q is not a Grafana UID", d.Name, m.UID)
		}
		if titles[m.Title] {
			t.Errorf("%s: title %q used twice", d.Name, m.Title)
		}
		titles[m.Title] = true

		defined := map[string]bool{}
		for _, v := range m.Templating.List {
			if defined[v.Name] {
				t.Errorf("%s: variable %s defined twice", d.Name, v.Name)
			}
			defined[v.Name] = true
		}
		for _, name := range []string{DatasourceVariable, NamespaceVariable} {
			if !defined[name] {
				t.Errorf("%s: no %s variable", d.Name, name)
			}
		}

		ids := map[int]bool{}
		type cell struct{ x, y int }
		used := map[cell]int{}
		panels := 0
		for _, p := range m.Panels {
			if ids[p.ID] {
				t.Errorf("%s: panel ID %d used twice", d.Name, p.ID)
			}
			ids[p.ID] = true
			g := p.GridPos
			if g.W <= 0 || g.H <= 0 || g.X < 0 || g.X+g.W > gridWidth {
				t.Errorf("%s: panel %q is off the grid: %+v", d.Name, p.Title, g)
			}
			for x := g.X; x < g.X+g.W; x++ {
				for y := g.Y; y < g.Y+g.H; y++ {
					if other, ok := used[cell{x, y}]; ok {
						t.Errorf("%s: panel %d overlaps panel %d at (%d,%d)", d.Name, p.ID, other, x, y)
					}
					used[cell{x, y}] = p.ID
				}
			}
			if p.Type == "row" {
				continue
			}
			panels++
			if p.Title == "" {
				t.Errorf("%s: panel %d has no title", d.Name, p.ID)
			}
			if len(p.Targets) == 0 {
				t.Errorf("%s: panel %q has no query", d.Name, p.Title)
			}
			for _, target := range p.Targets {
				queries++
				if strings.TrimSpace(target.Expr) == "" {
					t.Errorf("%s: panel %q: target %s has no expression", d.Name, p.Title, target.RefID)
				}
				for _, ref := range variableRef.FindAllStringSubmatch(target.Expr, -1) {
					if !defined[ref[1]] && !grafanaBuiltins[ref[1]] {
						t.Errorf("%s: panel %q uses undefined variable $%s", d.Name, p.Title, ref[1])
					}
				}
			}
		}
		if panels == 0 {
			t.Errorf("%s: no panel", d.Name)
		}
	}
	if queries < 50 {
		t.Errorf("only %d queries in all dashboards: the walk above is broken", queries)
	}
}

func TestNamespaceIsAHiddenConstant(t *testing.T) {
	m := decode(t, Backend(), "my-3scale")
	for _, v := range m.Templating.List {
		if v.Name == NamespaceVariable {
			if v.Type != "constant" || v.Query != "my-3scale" {
				t.Errorf("namespace variable = %+v, want a constant my-3scale", v)
			}
			return
		}
	}
	t.Error("no namespace variable")
}

func TestUID(t *testing.T) {
	if UID("a", "backend") == UID("b", "backend") {
		t.Error("two namespaces share a dashboard UID")
	}
	if UID("a", "backend") != UID("a", "backend") {
		t.Error("UID is not deterministic")
	}
	if UID("a", "backend") == UID("a", "system") {
		t.Error("two dashboards share a UID")
	}
	long := strings.Repeat("n", 63)
	if got := UID(long, KubernetesResourcesByNamespaceName); len(got) > 40 {
		t.Errorf("UID of a long namespace has %d characters, Grafana allows 40", len(got))
	}
}

func TestLayoutWraps(t *testing.T) {
	d := Dashboard{Name: "x", Rows: []Row{
		{Title: "one", Panels: []Panel{
			{Title: "a", Targets: []Target{{Expr: "up"}}},
			{Title: "b", Targets: []Target{{Expr: "up"}}},
			{Title: "c", Kind: Stat, Targets: []Target{{Expr: "up"}}},
		}},
		{Title: "two", Panels: []Panel{{Title: "d", Width: 30, Targets: []Target{{Expr: "up"}}}}},
	}}
	type pos struct {
		Title      string
		X, Y, W, H int
	}
	var got []pos
	for _, p := range decode(t, d, "ns").Panels {
		got = append(got, pos{p.Title, p.GridPos.X, p.GridPos.Y, p.GridPos.W, p.GridPos.H})
	}
	want := []pos{
		{"one", 0, 0, 24, 1},
		{"a", 0, 1, 12, 8},
		{"b", 12, 1, 12, 8},
		{"c", 0, 9, 6, 4},
		{"two", 0, 13, 24, 1},
		{"d", 0, 14, 24, 8},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("layout (-want +got):\n%s", diff)
	}
}
