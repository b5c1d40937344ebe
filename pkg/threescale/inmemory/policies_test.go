package inmemory

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPolicyChain(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	base, _ := productWithBackend(t, c, "Pets")
	r := c.do(http.MethodGet, base+"/proxy/policies.json", nil).must(t, http.StatusOK)
	want := []any{map[string]any{"name": "apicast", "version": "builtin", "configuration": map[string]any{}, "enabled": true}}
	if diff := cmp.Diff(want, r.Body["policies_config"]); diff != "" {
		t.Errorf("default chain (-want +got):\n%s", diff)
	}

	chain := `[{"name":"cors","version":"builtin","configuration":{"allow_credentials":true}},{"name":"apicast","version":"builtin","configuration":{},"enabled":true}]`
	r = c.do(http.MethodPut, base+"/proxy/policies.json", p("policies_config", chain)).must(t, http.StatusOK)
	got := r.Body["policies_config"].([]any)
	if len(got) != 2 || got[0].(map[string]any)["enabled"] != true {
		t.Errorf("chain after form update: %v", got)
	}
	if v := configVersions(t, c, base, "sandbox"); len(v) != 1 {
		t.Errorf("chain update made %d sandbox versions, want 1", len(v))
	}
	// The same chain again changes nothing and deploys nothing.
	c.do(http.MethodPut, base+"/proxy/policies.json", p("policies_config", chain)).must(t, http.StatusOK)
	if v := configVersions(t, c, base, "sandbox"); len(v) != 1 {
		t.Errorf("unchanged chain made %d sandbox versions, want 1", len(v))
	}
	// A JSON body works too.
	body := map[string]any{"policies_config": []any{map[string]any{"name": "apicast", "version": "builtin", "configuration": map[string]any{}, "enabled": true}}}
	r = c.doJSON(http.MethodPut, base+"/proxy/policies.json", body).must(t, http.StatusOK)
	if diff := cmp.Diff(want, r.Body["policies_config"]); diff != "" {
		t.Errorf("chain after JSON update (-want +got):\n%s", diff)
	}

	for name, bad := range map[string]string{
		"not JSON":   `[{`,
		"not a list": `{"name":"cors"}`,
		"no version": `[{"name":"cors","configuration":{}}]`,
	} {
		t.Run(name, func(t *testing.T) {
			r := c.do(http.MethodPut, base+"/proxy/policies.json", p("policies_config", bad)).must(t, http.StatusUnprocessableEntity)
			if _, ok := r.errors(t)["policies_config"]; !ok {
				t.Errorf("errors: %s", r.Raw)
			}
		})
	}
}

const manifest = `{"$schema":"http://apicast.io/policy-v1/schema#manifest#","name":"my policy","summary":"does things","version":"0.1","configuration":{"type":"object","properties":{}}}`

func TestPolicyRegistry(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	pol := c.do(http.MethodPost, "/admin/api/registry/policies.json", p("name", "my-policy", "version", "0.1", "schema", manifest)).
		must(t, http.StatusCreated).obj(t, "policy")
	if pol["summary"] != "does things" || pol["schema"].(map[string]any)["name"] != "my policy" {
		t.Errorf("created policy: %v", pol)
	}
	pp := "/admin/api/registry/policies/" + idPath(id(t, pol)) + ".json"
	r := c.do(http.MethodPost, "/admin/api/registry/policies.json", p("name", "my-policy", "version", "0.1", "schema", manifest)).must(t, http.StatusUnprocessableEntity)
	if diff := cmp.Diff(map[string][]string{"version": {msgTaken}}, r.errors(t)); diff != "" {
		t.Errorf("duplicate (-want +got):\n%s", diff)
	}
	r = c.do(http.MethodPost, "/admin/api/registry/policies.json", p("name", "x2", "version", "0.2", "schema", `{"name":"x"}`)).must(t, http.StatusUnprocessableEntity)
	if len(r.errors(t)["schema"]) != 3 {
		t.Errorf("schema errors: %s", r.Raw)
	}
	c.do(http.MethodPost, "/admin/api/registry/policies.json", p("name", "x2", "version", "0.2")).must(t, http.StatusUnprocessableEntity)

	c.do(http.MethodPut, pp, p("version", "0.2")).must(t, http.StatusOK)
	if got := c.do(http.MethodGet, pp, nil).must(t, http.StatusOK).obj(t, "policy"); got["version"] != "0.2" {
		t.Errorf("after update: %v", got)
	}
	if got := c.do(http.MethodGet, "/admin/api/registry/policies.json", nil).items(t, "policies", "policy"); len(got) != 1 {
		t.Errorf("registry lists %d", len(got))
	}
	c.do(http.MethodDelete, pp, nil).must(t, http.StatusOK)
	c.do(http.MethodGet, pp, nil).must(t, http.StatusNotFound)
}
