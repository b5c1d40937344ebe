package inmemory

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDefaultMappingRule(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	base, hits := newProduct(t, c, "Pets")
	rules := c.do(http.MethodGet, base+"/proxy/mapping_rules.json", nil).must(t, http.StatusOK).items(t, "mapping_rules", "mapping_rule")
	if len(rules) != 1 {
		t.Fatalf("new product has %d mapping rules, want 1", len(rules))
	}
	got := map[string]any{"http_method": rules[0]["http_method"], "pattern": rules[0]["pattern"], "delta": rules[0]["delta"], "metric_id": rules[0]["metric_id"]}
	want := map[string]any{"http_method": "GET", "pattern": "/", "delta": 1.0, "metric_id": float64(hits)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("default rule (-want +got):\n%s", diff)
	}
}

func TestMappingRuleCRUDAndPositions(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	base, hits := newProduct(t, c, "Pets")
	h := idPath(hits)
	mr := base + "/proxy/mapping_rules"
	a := c.do(http.MethodPost, mr+".json", p("http_method", "POST", "pattern", "/pets/{id}$", "delta", "2", "metric_id", h, "last", "true")).
		must(t, http.StatusCreated).obj(t, "mapping_rule")
	if a["position"] != 2.0 || a["last"] != true || a["delta"] != 2.0 {
		t.Errorf("created rule: %v", a)
	}
	b := c.do(http.MethodPost, mr+".json", p("http_method", "GET", "pattern", "/pets?q={q}", "delta", "1", "metric_id", h, "position", "1")).
		must(t, http.StatusCreated).obj(t, "mapping_rule")
	order := func() []string {
		var out []string
		for _, r := range c.do(http.MethodGet, mr+".json", nil).items(t, "mapping_rules", "mapping_rule") {
			out = append(out, r["pattern"].(string))
		}
		return out
	}
	if diff := cmp.Diff([]string{"/pets?q={q}", "/", "/pets/{id}$"}, order()); diff != "" {
		t.Errorf("order after insert at 1 (-want +got):\n%s", diff)
	}
	c.do(http.MethodPatch, mr+"/"+idPath(id(t, b))+".json", p("position", "3")).must(t, http.StatusOK)
	if diff := cmp.Diff([]string{"/", "/pets/{id}$", "/pets?q={q}"}, order()); diff != "" {
		t.Errorf("order after move to 3 (-want +got):\n%s", diff)
	}
	upd := c.do(http.MethodPut, mr+"/"+idPath(id(t, a))+".json", p("delta", "5")).must(t, http.StatusOK).obj(t, "mapping_rule")
	if upd["delta"] != 5.0 || upd["pattern"] != "/pets/{id}$" {
		t.Errorf("updated rule: %v", upd)
	}
	c.do(http.MethodGet, mr+"/"+idPath(id(t, a))+".json", nil).must(t, http.StatusOK)
	c.do(http.MethodDelete, mr+"/"+idPath(id(t, a))+".json", nil).must(t, http.StatusOK)
	c.do(http.MethodGet, mr+"/"+idPath(id(t, a))+".json", nil).must(t, http.StatusNotFound)
	if diff := cmp.Diff([]string{"/", "/pets?q={q}"}, order()); diff != "" {
		t.Errorf("order after delete (-want +got):\n%s", diff)
	}
}

func TestMappingRuleValidation(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	base, hits := newProduct(t, c, "Pets")
	_, otherHits := newProduct(t, c, "Other")
	h := idPath(hits)
	tests := map[string]struct {
		params []string
		want   map[string][]string
	}{
		"nothing":           {nil, map[string][]string{"http_method": {msgBlank}, "pattern": {msgBlank}, "delta": {"is not a number"}, "metric_id": {msgBlank}}},
		"bad method":        {[]string{"http_method", "FETCH", "pattern", "/", "delta", "1", "metric_id", h}, map[string][]string{"http_method": {"is not included in the list"}}},
		"relative pattern":  {[]string{"http_method", "GET", "pattern", "pets", "delta", "1", "metric_id", h}, map[string][]string{"pattern": {msgInvalid}}},
		"repeated variable": {[]string{"http_method", "GET", "pattern", "/{a}/{a}", "delta", "1", "metric_id", h}, map[string][]string{"pattern": {"Can't have repeated variable names"}}},
		"zero delta":        {[]string{"http_method", "GET", "pattern", "/", "delta", "0", "metric_id", h}, map[string][]string{"delta": {"must be greater than 0"}}},
		"text delta":        {[]string{"http_method", "GET", "pattern", "/", "delta", "x", "metric_id", h}, map[string][]string{"delta": {"is not a number"}}},
		"other's metric":    {[]string{"http_method", "GET", "pattern", "/", "delta", "1", "metric_id", idPath(otherHits)}, map[string][]string{"metric_id": {msgInvalid}}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := c.do(http.MethodPost, base+"/proxy/mapping_rules.json", p(tc.params...)).must(t, http.StatusUnprocessableEntity)
			if diff := cmp.Diff(tc.want, r.errors(t)); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBackendMappingRules(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	bBase, bID := newBackend(t, c, "Pets Backend", "https://pets.example.com")
	ms := c.do(http.MethodGet, bBase+"/metrics.json", nil).items(t, "metrics", "metric")
	hits := idPath(id(t, ms[0]))
	if got := c.do(http.MethodGet, bBase+"/mapping_rules.json", nil).must(t, http.StatusOK).items(t, "mapping_rules", "mapping_rule"); len(got) != 0 {
		t.Errorf("new backend has %d mapping rules, want none", len(got))
	}
	r := c.do(http.MethodPost, bBase+"/mapping_rules.json", p("http_method", "GET", "pattern", "/pets", "delta", "1", "metric_id", hits)).
		must(t, http.StatusCreated).obj(t, "mapping_rule")
	rp := bBase + "/mapping_rules/" + idPath(id(t, r)) + ".json"
	c.do(http.MethodPut, rp, p("pattern", "/pets/")).must(t, http.StatusOK)
	if got := c.do(http.MethodGet, rp, nil).must(t, http.StatusOK).obj(t, "mapping_rule"); got["pattern"] != "/pets/" {
		t.Errorf("rule after update: %v", got)
	}

	// A product's rule may count a metric of a backend it uses, not of others.
	svcBase, _ := newProduct(t, c, "Pets")
	params := p("http_method", "GET", "pattern", "/x", "delta", "1", "metric_id", hits)
	c.do(http.MethodPost, svcBase+"/proxy/mapping_rules.json", params).must(t, http.StatusUnprocessableEntity)
	c.do(http.MethodPost, svcBase+"/backend_usages.json", p("backend_api_id", idPath(bID))).must(t, http.StatusCreated)
	c.do(http.MethodPost, svcBase+"/proxy/mapping_rules.json", params).must(t, http.StatusCreated)

	c.do(http.MethodDelete, rp, nil).must(t, http.StatusOK)
	c.do(http.MethodGet, rp, nil).must(t, http.StatusNotFound)
}

func TestDeletingMetricDeletesItsMappingRules(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	base, _ := newProduct(t, c, "Pets")
	m := c.do(http.MethodPost, base+"/metrics.json", p("friendly_name", "Calls", "unit", "call")).must(t, http.StatusCreated).obj(t, "metric")
	c.do(http.MethodPost, base+"/proxy/mapping_rules.json", p("http_method", "GET", "pattern", "/calls", "delta", "1", "metric_id", idPath(id(t, m)))).must(t, http.StatusCreated)
	c.do(http.MethodDelete, base+"/metrics/"+idPath(id(t, m))+".json", nil).must(t, http.StatusOK)
	if got := c.do(http.MethodGet, base+"/proxy/mapping_rules.json", nil).items(t, "mapping_rules", "mapping_rule"); len(got) != 1 {
		t.Errorf("%d mapping rules left, want only the default", len(got))
	}
}
