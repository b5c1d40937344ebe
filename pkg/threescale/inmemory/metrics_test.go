package inmemory

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// newProduct creates a product and returns its path prefix and its hits metric's ID.
func newProduct(t *testing.T, c api, name string) (string, int64) {
	t.Helper()
	svc := c.do(http.MethodPost, "/admin/api/services.json", p("name", name)).must(t, http.StatusCreated).obj(t, "service")
	base := "/admin/api/services/" + idPath(id(t, svc))
	ms := c.do(http.MethodGet, base+"/metrics.json", nil).must(t, http.StatusOK).items(t, "metrics", "metric")
	for _, m := range ms {
		if m["system_name"] == "hits" {
			return base, id(t, m)
		}
	}
	t.Fatalf("new product has no hits metric: %v", ms)
	return "", 0
}

func TestNewProductHasHits(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	base, _ := newProduct(t, c, "Pets")
	ms := c.do(http.MethodGet, base+"/metrics.json", nil).items(t, "metrics", "metric")
	if len(ms) != 1 {
		t.Fatalf("new product has %d metrics, want 1", len(ms))
	}
	got := map[string]any{"system_name": ms[0]["system_name"], "name": ms[0]["name"], "friendly_name": ms[0]["friendly_name"], "unit": ms[0]["unit"]}
	want := map[string]any{"system_name": "hits", "name": "hits", "friendly_name": "Hits", "unit": "hit"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("hits (-want +got):\n%s", diff)
	}
}

func TestMetricCRUDAndMethods(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	base, hits := newProduct(t, c, "Pets")

	m := c.do(http.MethodPost, base+"/metrics.json", p("friendly_name", "Bytes Out", "unit", "byte")).
		must(t, http.StatusCreated).obj(t, "metric")
	if m["system_name"] != "bytes_out" {
		t.Errorf("derived system_name = %v, want bytes_out", m["system_name"])
	}
	mid := idPath(id(t, m))
	c.do(http.MethodPut, base+"/metrics/"+mid+".json", p("friendly_name", "Bytes", "system_name", "nope")).must(t, http.StatusOK)
	got := c.do(http.MethodGet, base+"/metrics/"+mid+".json", nil).must(t, http.StatusOK).obj(t, "metric")
	if got["friendly_name"] != "Bytes" || got["system_name"] != "bytes_out" {
		t.Errorf("after update: %v", got)
	}

	hp := base + "/metrics/" + idPath(hits) + "/methods"
	meth := c.do(http.MethodPost, hp+".json", p("friendly_name", "Get Pets", "system_name", "get_pets")).
		must(t, http.StatusCreated).obj(t, "method")
	if meth["parent_id"] != float64(hits) {
		t.Errorf("method parent_id = %v, want %d", meth["parent_id"], hits)
	}
	methID := idPath(id(t, meth))
	if got := c.do(http.MethodGet, hp+".json", nil).items(t, "methods", "method"); len(got) != 1 {
		t.Errorf("methods of hits = %d, want 1", len(got))
	}
	// Methods are metrics of the product too, as porta lists them.
	if got := c.do(http.MethodGet, base+"/metrics.json", nil).items(t, "metrics", "metric"); len(got) != 3 {
		t.Errorf("metrics of product = %d, want 3 (hits, bytes_out, get_pets)", len(got))
	}
	c.do(http.MethodPut, hp+"/"+methID+".json", p("friendly_name", "List Pets")).must(t, http.StatusOK)
	if got := c.do(http.MethodGet, hp+"/"+methID+".json", nil).must(t, http.StatusOK).obj(t, "method"); got["friendly_name"] != "List Pets" {
		t.Errorf("method after update: %v", got)
	}
	// A method is not found under a metric that is not its parent.
	c.do(http.MethodGet, base+"/metrics/"+mid+"/methods/"+methID+".json", nil).must(t, http.StatusNotFound)
	// Methods only under hits.
	r := c.do(http.MethodPost, base+"/metrics/"+mid+"/methods.json", p("friendly_name", "Xy")).must(t, http.StatusUnprocessableEntity)
	if diff := cmp.Diff(map[string][]string{"parent_id": {"You can only create methods under 'hits'"}}, r.errors(t)); diff != "" {
		t.Errorf("method under non-hits (-want +got):\n%s", diff)
	}

	c.do(http.MethodDelete, hp+"/"+methID+".json", nil).must(t, http.StatusOK)
	c.do(http.MethodGet, hp+"/"+methID+".json", nil).must(t, http.StatusNotFound)
	c.do(http.MethodDelete, base+"/metrics/"+mid+".json", nil).must(t, http.StatusOK)
	c.do(http.MethodGet, base+"/metrics/"+mid+".json", nil).must(t, http.StatusNotFound)
}

func TestMetricValidation(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	base, hits := newProduct(t, c, "Pets")
	c.do(http.MethodPost, base+"/metrics.json", p("friendly_name", "Calls", "unit", "call")).must(t, http.StatusCreated)
	tests := map[string]struct {
		path   string
		params []string
		want   map[string][]string
	}{
		"no friendly name or unit":           {"/metrics.json", nil, map[string][]string{"friendly_name": {msgBlank}, "unit": {msgBlank}, "system_name": {msgBlank}}},
		"friendly name taken":                {"/metrics.json", []string{"friendly_name", "Calls", "system_name", "other", "unit", "x"}, map[string][]string{"friendly_name": {msgTaken}}},
		"system name taken":                  {"/metrics.json", []string{"friendly_name", "Other", "system_name", "calls", "unit", "x"}, map[string][]string{"system_name": {msgTaken}}},
		"method system name taken by metric": {"/metrics/" + idPath(hits) + "/methods.json", []string{"friendly_name", "M", "system_name", "calls"}, map[string][]string{"system_name": {msgTaken}}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := c.do(http.MethodPost, base+tc.path, p(tc.params...)).must(t, http.StatusUnprocessableEntity)
			if diff := cmp.Diff(tc.want, r.errors(t)); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDeleteHitsRefused(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	base, hits := newProduct(t, c, "Pets")
	// porta's responder answers a refused DELETE with 403 and the errors.
	r := c.do(http.MethodDelete, base+"/metrics/"+idPath(hits)+".json", nil).must(t, http.StatusForbidden)
	if _, ok := r.errors(t)["base"]; !ok {
		t.Errorf("no base error in %s", r.Raw)
	}
	c.do(http.MethodGet, base+"/metrics/"+idPath(hits)+".json", nil).must(t, http.StatusOK)
}

func TestMetricsOfAnotherProduct(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	_, hitsA := newProduct(t, c, "Alpha")
	baseB, _ := newProduct(t, c, "Beta")
	c.do(http.MethodGet, baseB+"/metrics/"+idPath(hitsA)+".json", nil).must(t, http.StatusNotFound)
	c.do(http.MethodGet, "/admin/api/services/999999/metrics.json", nil).must(t, http.StatusNotFound)
}
