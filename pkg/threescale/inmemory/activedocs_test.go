package inmemory

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const petstore = `{"openapi":"3.0.2","info":{"title":"Pets","version":"1"},"paths":{}}`

func TestActiveDocs(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	svc := c.do(http.MethodPost, "/admin/api/services.json", p("name", "Pets")).must(t, http.StatusCreated).obj(t, "service")
	sid := idPath(id(t, svc))
	d := c.do(http.MethodPost, "/admin/api/active_docs.json", p("name", "Pets Spec", "body", petstore, "service_id", sid, "published", "true")).
		must(t, http.StatusCreated).obj(t, "api_doc")
	got := map[string]any{"system_name": d["system_name"], "published": d["published"], "service_id": d["service_id"], "body": d["body"]}
	want := map[string]any{"system_name": "pets_spec", "published": true, "service_id": float64(id(t, svc)), "body": petstore}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("created (-want +got):\n%s", diff)
	}
	dp := "/admin/api/active_docs/" + idPath(id(t, d)) + ".json"
	if got := c.do(http.MethodPut, dp, p("description", "the pets", "service_id", "")).must(t, http.StatusOK).obj(t, "api_doc"); got["description"] != "the pets" || got["service_id"] != nil {
		t.Errorf("updated: %v", got)
	}
	if got := c.do(http.MethodGet, "/admin/api/active_docs.json", nil).must(t, http.StatusOK).items(t, "api_docs", "api_doc"); len(got) != 1 {
		t.Errorf("list: %d", len(got))
	}

	tests := map[string]struct {
		params []string
		want   map[string][]string
	}{
		"nothing":    {nil, map[string][]string{"name": {msgBlank}, "body": {msgBlank}, "system_name": {msgBlank}}},
		"bad json":   {[]string{"name", "X Spec", "body", "{"}, map[string][]string{"body": {"Invalid JSON"}}},
		"not a spec": {[]string{"name", "X Spec", "body", `{"a":1}`}, map[string][]string{"body": {"JSON Spec is invalid"}}},
		"taken":      {[]string{"name", "Pets Spec", "body", petstore}, map[string][]string{"system_name": {msgTaken}}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := c.do(http.MethodPost, "/admin/api/active_docs.json", p(tc.params...)).must(t, http.StatusUnprocessableEntity)
			if diff := cmp.Diff(tc.want, r.errors(t)); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
	c.do(http.MethodPost, "/admin/api/active_docs.json", p("name", "Skip", "body", `{"a":1}`, "skip_swagger_validations", "true")).must(t, http.StatusCreated)
	r := c.do(http.MethodPost, "/admin/api/active_docs.json", p("name", "Orphan", "body", petstore, "service_id", "999999")).must(t, http.StatusUnprocessableEntity)
	if r.Body["error"] != "Service not found" {
		t.Errorf("unknown service: %s", r.Raw)
	}
	c.do(http.MethodDelete, dp, nil).must(t, http.StatusOK)
	c.do(http.MethodGet, dp, nil).must(t, http.StatusNotFound)
}
