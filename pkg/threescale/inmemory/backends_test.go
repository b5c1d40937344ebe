package inmemory

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// newBackend creates a backend and returns its path prefix and ID.
func newBackend(t *testing.T, c api, name, endpoint string) (string, int64) {
	t.Helper()
	b := c.do(http.MethodPost, "/admin/api/backend_apis.json", p("name", name, "private_endpoint", endpoint)).
		must(t, http.StatusCreated).obj(t, "backend_api")
	return "/admin/api/backend_apis/" + idPath(id(t, b)), id(t, b)
}

func TestBackendCRUD(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	b := c.do(http.MethodPost, "/admin/api/backend_apis.json", p(
		"name", "Pets Backend", "private_endpoint", "https://pets.example.com", "description", "d",
		"annotations[managed_by]", "operator",
	)).must(t, http.StatusCreated).obj(t, "backend_api")
	got := map[string]any{"system_name": b["system_name"], "private_endpoint": b["private_endpoint"], "account_id": b["account_id"], "annotations": b["annotations"]}
	want := map[string]any{
		"system_name": "pets_backend", "private_endpoint": "https://pets.example.com:443",
		"account_id": float64(tenant.ID), "annotations": map[string]any{"managed_by": "operator"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("created backend (-want +got):\n%s", diff)
	}
	base := "/admin/api/backend_apis/" + idPath(id(t, b))

	// A new backend has hits, with the backend's ID as suffix of its system name.
	ms := c.do(http.MethodGet, base+"/metrics.json", nil).must(t, http.StatusOK).items(t, "metrics", "metric")
	if len(ms) != 1 || ms[0]["system_name"] != "hits."+idPath(id(t, b)) {
		t.Errorf("backend metrics: %v", ms)
	}
	if _, has := ms[0]["name"]; has {
		t.Errorf("backend metric has a name field: %v", ms[0])
	}

	upd := c.do(http.MethodPut, base+".json", p("private_endpoint", "http://pets.example.com/v2", "system_name", "no")).
		must(t, http.StatusOK).obj(t, "backend_api")
	if upd["private_endpoint"] != "http://pets.example.com:80/v2" || upd["system_name"] != "pets_backend" {
		t.Errorf("updated backend: %v", upd)
	}
	if got := c.do(http.MethodGet, "/admin/api/backend_apis.json", nil).items(t, "backend_apis", "backend_api"); len(got) != 1 {
		t.Errorf("list has %d backends", len(got))
	}
	c.do(http.MethodDelete, base+".json", nil).must(t, http.StatusOK)
	c.do(http.MethodGet, base+".json", nil).must(t, http.StatusNotFound)
	c.do(http.MethodGet, base+"/metrics.json", nil).must(t, http.StatusNotFound)
}

func TestBackendValidation(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	newBackend(t, c, "Taken", "https://a.example.com")
	tests := map[string]struct {
		params []string
		want   map[string][]string
	}{
		"nothing":         {nil, map[string][]string{"name": {msgBlank}, "private_endpoint": {msgBlank}, "system_name": {msgBlank}}},
		"bad scheme":      {[]string{"name", "New", "private_endpoint", "ftp://b.example.com"}, map[string][]string{"private_endpoint": {msgInvalid}}},
		"not a url":       {[]string{"name", "New", "private_endpoint", "b.example.com"}, map[string][]string{"private_endpoint": {msgInvalid}}},
		"localhost":       {[]string{"name", "New", "private_endpoint", "http://localhost:8080"}, map[string][]string{"private_endpoint": {"cannot be a protected domain"}}},
		"system name dup": {[]string{"name", "taken", "private_endpoint", "https://b.example.com"}, map[string][]string{"system_name": {msgTaken}}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := c.do(http.MethodPost, "/admin/api/backend_apis.json", p(tc.params...)).must(t, http.StatusUnprocessableEntity)
			if diff := cmp.Diff(tc.want, r.errors(t)); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBackendUsages(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	svcBase, _ := newProduct(t, c, "Product")
	bBase, bID := newBackend(t, c, "One", "https://one.example.com")
	_, b2 := newBackend(t, c, "Two", "https://two.example.com")

	u := c.do(http.MethodPost, svcBase+"/backend_usages.json", p("backend_api_id", idPath(bID), "path", "v1/")).
		must(t, http.StatusCreated).obj(t, "backend_usage")
	if u["path"] != "/v1" || u["backend_id"] != float64(bID) {
		t.Errorf("usage: %v", u)
	}
	uPath := svcBase + "/backend_usages/" + idPath(id(t, u)) + ".json"
	c.do(http.MethodGet, uPath, nil).must(t, http.StatusOK)

	// One usage per backend and one backend per path.
	r := c.do(http.MethodPost, svcBase+"/backend_usages.json", p("backend_api_id", idPath(bID), "path", "/other")).must(t, http.StatusUnprocessableEntity)
	if _, ok := r.errors(t)["backend_api_id"]; !ok {
		t.Errorf("duplicate backend: %s", r.Raw)
	}
	r = c.do(http.MethodPost, svcBase+"/backend_usages.json", p("backend_api_id", idPath(b2), "path", "/v1")).must(t, http.StatusUnprocessableEntity)
	if _, ok := r.errors(t)["path"]; !ok {
		t.Errorf("duplicate path: %s", r.Raw)
	}
	c.do(http.MethodPost, svcBase+"/backend_usages.json", p("backend_api_id", "999999")).must(t, http.StatusNotFound)

	// A used backend cannot be deleted: porta answers a refused DELETE with 403.
	r = c.do(http.MethodDelete, bBase+".json", nil).must(t, http.StatusForbidden)
	if _, ok := r.errors(t)["base"]; !ok {
		t.Errorf("delete used backend: %s", r.Raw)
	}

	c.do(http.MethodPut, uPath, p("path", "/v2")).must(t, http.StatusOK)
	if got := c.do(http.MethodGet, svcBase+"/backend_usages.json", nil).bareItems(t, "backend_usage"); len(got) != 1 || got[0]["path"] != "/v2" {
		t.Errorf("usages: %v", got)
	}
	c.do(http.MethodDelete, uPath, nil).must(t, http.StatusOK)
	c.do(http.MethodGet, uPath, nil).must(t, http.StatusNotFound)
	c.do(http.MethodDelete, bBase+".json", nil).must(t, http.StatusOK)
}

// TestUsagePathLikePorta holds the usage path check to porta's PathValidator: every URI path
// character is accepted, a query, a fragment or a scheme-like first segment is not.
func TestUsagePathLikePorta(t *testing.T) {
	cases := map[string]bool{
		"/":              true,
		"/v1/pets":       true,
		"/a;b=c/@x:y":    true,
		"/it's/(x)*+,!$": true,
		"/%20space":      true,
		"/a?b":           false,
		"/a#b":           false,
		"/a:b/c":         false,
		"/with space":    false,
	}
	for path, want := range cases {
		if got := usagePathRex.MatchString(path); got != want {
			t.Errorf("usage path %q accepted = %v, want %v", path, got, want)
		}
	}
}
