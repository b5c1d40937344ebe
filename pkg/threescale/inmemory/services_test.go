package inmemory

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestServiceCRUD(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)

	svc := c.do(http.MethodPost, "/admin/api/services.json", p(
		"name", "My API", "description", "d", "deployment_option", "self_managed", "backend_version", "2",
		"annotations[managed_by]", "operator",
	)).must(t, http.StatusCreated).obj(t, "service")
	sid := idPath(id(t, svc))
	got := map[string]any{
		"name": svc["name"], "system_name": svc["system_name"], "description": svc["description"],
		"deployment_option": svc["deployment_option"], "backend_version": svc["backend_version"],
		"annotations": svc["annotations"], "state": svc["state"],
	}
	want := map[string]any{
		"name": "My API", "system_name": "my_api", "description": "d",
		"deployment_option": "self_managed", "backend_version": "2",
		"annotations": map[string]any{"managed_by": "operator"}, "state": "incomplete",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("created service (-want +got):\n%s", diff)
	}

	read := c.do(http.MethodGet, "/admin/api/services/"+sid+".json", nil).must(t, http.StatusOK).obj(t, "service")
	if diff := cmp.Diff(svc, read); diff != "" {
		t.Errorf("read differs from created (-created +read):\n%s", diff)
	}

	upd := c.do(http.MethodPut, "/admin/api/services/"+sid+".json", p("name", "Renamed", "system_name", "ignored")).
		must(t, http.StatusOK).obj(t, "service")
	if upd["name"] != "Renamed" || upd["system_name"] != "my_api" || upd["description"] != "d" {
		t.Errorf("update: name %v system_name %v description %v; want Renamed, my_api (read-only), d (untouched)", upd["name"], upd["system_name"], upd["description"])
	}

	r := c.do(http.MethodDelete, "/admin/api/services/"+sid+".json", nil).must(t, http.StatusOK)
	if r.Raw != "" {
		t.Errorf("delete body = %q, want empty like porta", r.Raw)
	}
	c.do(http.MethodGet, "/admin/api/services/"+sid+".json", nil).must(t, http.StatusNotFound)
	c.do(http.MethodDelete, "/admin/api/services/"+sid+".json", nil).must(t, http.StatusNotFound)
	c.do(http.MethodPut, "/admin/api/services/"+sid+".json", p("name", "xx")).must(t, http.StatusNotFound)
	c.do(http.MethodGet, "/admin/api/services/abc.json", nil).must(t, http.StatusNotFound)
}

func TestServiceValidation(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	c.do(http.MethodPost, "/admin/api/services.json", p("name", "Taken")).must(t, http.StatusCreated)
	other := c.do(http.MethodPost, "/admin/api/services.json", p("name", "Other")).must(t, http.StatusCreated).obj(t, "service")

	tests := map[string]struct {
		params map[string]string
		want   map[string][]string
	}{
		"no name":             {map[string]string{}, map[string][]string{"name": {msgBlank}, "system_name": {msgBlank}}},
		"derived name taken":  {map[string]string{"name": "taken"}, map[string][]string{"system_name": {msgTaken}}},
		"explicit name taken": {map[string]string{"name": "New", "system_name": "taken"}, map[string][]string{"system_name": {msgTaken}}},
		"bad system name":     {map[string]string{"name": "New", "system_name": "a b"}, map[string][]string{"system_name": {msgInvalid}}},
		"bad deployment":      {map[string]string{"name": "New", "deployment_option": "cloud"}, map[string][]string{"deployment_option": {"is not included in the list"}}},
		"bad backend version": {map[string]string{"name": "New", "backend_version": "3"}, map[string][]string{"backend_version": {"is not included in the list"}}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			v := p()
			for k, val := range tc.params {
				v.Set(k, val)
			}
			r := c.do(http.MethodPost, "/admin/api/services.json", v).must(t, http.StatusUnprocessableEntity)
			if diff := cmp.Diff(tc.want, r.errors(t)); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
	// A failed update changes nothing.
	oid := idPath(id(t, other))
	c.do(http.MethodPut, "/admin/api/services/"+oid+".json", p("name", "", "description", "x")).must(t, http.StatusUnprocessableEntity)
	after := c.do(http.MethodGet, "/admin/api/services/"+oid+".json", nil).obj(t, "service")
	if after["name"] != "Other" || after["description"] != "" {
		t.Errorf("failed update changed the product: %v", after)
	}
}

func TestServicePagination(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	for i := range 7 {
		c.do(http.MethodPost, "/admin/api/services.json", p("name", fmt.Sprintf("S%d", i))).must(t, http.StatusCreated)
	}
	names := func(params ...string) ([]string, map[string]any) {
		r := c.do(http.MethodGet, "/admin/api/services.json", p(params...)).must(t, http.StatusOK)
		var out []string
		for _, s := range r.items(t, "services", "service") {
			out = append(out, s["system_name"].(string))
		}
		meta, _ := r.Body["metadata"].(map[string]any)
		return out, meta
	}
	tests := map[string]struct {
		params []string
		want   []string
	}{
		"default is one page of 500": {nil, []string{"s0", "s1", "s2", "s3", "s4", "s5", "s6"}},
		"first page":                 {[]string{"per_page", "3"}, []string{"s0", "s1", "s2"}},
		"middle page":                {[]string{"per_page", "3", "page", "2"}, []string{"s3", "s4", "s5"}},
		"last page":                  {[]string{"per_page", "3", "page", "3"}, []string{"s6"}},
		"past the end":               {[]string{"per_page", "3", "page", "4"}, nil},
		"per_page over 500 is 500":   {[]string{"per_page", "501"}, []string{"s0", "s1", "s2", "s3", "s4", "s5", "s6"}},
		"bad page is page 1":         {[]string{"per_page", "2", "page", "x"}, []string{"s0", "s1"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, _ := names(tc.params...)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	_, meta := names("per_page", "3", "page", "2")
	want := map[string]any{"per_page": 3.0, "total_entries": 7.0, "total_pages": 3.0, "current_page": 2.0}
	if diff := cmp.Diff(want, meta); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}
}
