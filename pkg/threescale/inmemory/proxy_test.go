package inmemory

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// productWithBackend creates a product that uses a new backend, so it can be deployed.
func productWithBackend(t *testing.T, c api, name string) (string, int64) {
	t.Helper()
	base, hits := newProduct(t, c, name)
	_, b := newBackend(t, c, name+" Backend", "https://"+systemNameFrom(name)+".example.com")
	c.do(http.MethodPost, base+"/backend_usages.json", p("backend_api_id", idPath(b))).must(t, http.StatusCreated)
	return base, hits
}

func TestProxyDefaultsAndUpdate(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	base, _ := newProduct(t, c, "Pets")
	px := c.do(http.MethodGet, base+"/proxy.json", nil).must(t, http.StatusOK).obj(t, "proxy")
	got := map[string]any{}
	for _, k := range []string{"credentials_location", "auth_user_key", "auth_app_id", "auth_app_key", "error_status_no_match", "error_auth_failed", "api_backend", "jwt_claim_with_client_id_type"} {
		got[k] = px[k]
	}
	want := map[string]any{
		"credentials_location": "query", "auth_user_key": "user_key", "auth_app_id": "app_id", "auth_app_key": "app_key",
		"error_status_no_match": 404.0, "error_auth_failed": "Authentication failed", "api_backend": nil,
		"jwt_claim_with_client_id_type": "plain",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("proxy defaults (-want +got):\n%s", diff)
	}
	if _, has := px["oidc_issuer_endpoint"]; has {
		t.Errorf("oidc_issuer_endpoint shown for a non-OIDC product")
	}

	upd := c.do(http.MethodPatch, base+"/proxy.json", p(
		"credentials_location", "headers", "auth_user_key", "X-Key", "error_status_auth_failed", "401",
		"endpoint", "https://pets.example.com", "sandbox_endpoint", "http://pets-staging.example.com:8080",
		"hostname_rewrite", "internal", "secret_token", "s3cr3t", "oidc_issuer_endpoint", "https://sso.example.com/auth/realms/r",
	)).must(t, http.StatusOK).obj(t, "proxy")
	got = map[string]any{}
	for _, k := range []string{"credentials_location", "auth_user_key", "error_status_auth_failed", "endpoint", "sandbox_endpoint", "hostname_rewrite", "secret_token"} {
		got[k] = upd[k]
	}
	want = map[string]any{
		"credentials_location": "headers", "auth_user_key": "X-Key", "error_status_auth_failed": 401.0,
		"endpoint": "https://pets.example.com:443", "sandbox_endpoint": "http://pets-staging.example.com:8080",
		"hostname_rewrite": "internal", "secret_token": "s3cr3t",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("proxy after update (-want +got):\n%s", diff)
	}

	// OIDC settings show once the product authenticates with OIDC.
	c.do(http.MethodPut, base+".json", p("backend_version", "oidc")).must(t, http.StatusOK)
	px = c.do(http.MethodGet, base+"/proxy.json", nil).obj(t, "proxy")
	if px["oidc_issuer_endpoint"] != "https://sso.example.com/auth/realms/r" || px["oidc_issuer_type"] != "keycloak" {
		t.Errorf("OIDC proxy: %v %v", px["oidc_issuer_endpoint"], px["oidc_issuer_type"])
	}

	r := c.do(http.MethodPut, base+"/proxy.json", p("credentials_location", "cookie", "endpoint", "not a url", "error_status_no_match", "42")).
		must(t, http.StatusUnprocessableEntity)
	wantErrs := map[string][]string{
		"credentials_location":  {"is not included in the list"},
		"endpoint":              {msgInvalid},
		"error_status_no_match": {"must be less than or equal to 599 and greater than or equal to 100"},
	}
	if diff := cmp.Diff(wantErrs, r.errors(t)); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	c.do(http.MethodGet, "/admin/api/services/999999/proxy.json", nil).must(t, http.StatusNotFound)
}

func TestOIDCConfiguration(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	base, _ := newProduct(t, c, "Pets")
	oc := c.do(http.MethodGet, base+"/proxy/oidc_configuration.json", nil).must(t, http.StatusOK).obj(t, "oidc_configuration")
	if oc["standard_flow_enabled"] != true || oc["service_accounts_enabled"] != false {
		t.Errorf("defaults: %v", oc)
	}
	oc = c.do(http.MethodPatch, base+"/proxy/oidc_configuration.json", p("service_accounts_enabled", "true", "standard_flow_enabled", "false")).
		must(t, http.StatusOK).obj(t, "oidc_configuration")
	if oc["standard_flow_enabled"] != false || oc["service_accounts_enabled"] != true || oc["implicit_flow_enabled"] != false {
		t.Errorf("after update: %v", oc)
	}
}

func configVersions(t *testing.T, c api, base, env string) []float64 {
	t.Helper()
	var out []float64
	for _, pc := range c.do(http.MethodGet, base+"/proxy/configs/"+env+".json", nil).must(t, http.StatusOK).items(t, "proxy_configs", "proxy_config") {
		out = append(out, pc["version"].(float64))
	}
	return out
}

func TestProxyConfigsDeployAndPromote(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)

	// Without a backend there is nothing to deploy, as in porta.
	bare, _ := newProduct(t, c, "Bare")
	c.do(http.MethodPost, bare+"/proxy/deploy.json", nil).must(t, http.StatusCreated)
	c.do(http.MethodGet, bare+"/proxy/configs/sandbox/latest.json", nil).must(t, http.StatusNotFound)

	base, hits := productWithBackend(t, c, "Pets")
	dep := c.do(http.MethodPost, base+"/proxy/deploy.json", nil).must(t, http.StatusCreated).obj(t, "proxy")
	if dep["api_backend"] != "https://pets.example.com:443" {
		t.Errorf("api_backend = %v", dep["api_backend"])
	}
	// Deploying again without a change makes no new version.
	c.do(http.MethodPost, base+"/proxy/deploy.json", nil).must(t, http.StatusCreated)
	if diff := cmp.Diff([]float64{1}, configVersions(t, c, base, "sandbox")); diff != "" {
		t.Errorf("sandbox versions (-want +got):\n%s", diff)
	}
	// A new mapping rule, then deploy: version 2, whose content has the rule.
	c.do(http.MethodPost, base+"/proxy/mapping_rules.json", p("http_method", "GET", "pattern", "/pets", "delta", "1", "metric_id", idPath(hits))).must(t, http.StatusCreated)
	c.do(http.MethodPost, base+"/proxy/deploy.json", nil).must(t, http.StatusCreated)
	latest := c.do(http.MethodGet, base+"/proxy/configs/staging/latest.json", nil).must(t, http.StatusOK).obj(t, "proxy_config")
	if latest["version"] != 2.0 || latest["environment"] != "sandbox" {
		t.Errorf("latest: version %v env %v", latest["version"], latest["environment"])
	}
	rules := latest["content"].(map[string]any)["proxy"].(map[string]any)["proxy_rules"].([]any)
	if len(rules) != 2 {
		t.Errorf("latest config has %d proxy rules, want 2", len(rules))
	}
	// A proxy update deploys to staging by itself.
	c.do(http.MethodPatch, base+"/proxy.json", p("error_no_match", "nope")).must(t, http.StatusOK)
	if diff := cmp.Diff([]float64{1, 2, 3}, configVersions(t, c, base, "sandbox")); diff != "" {
		t.Errorf("sandbox versions after proxy update (-want +got):\n%s", diff)
	}
	c.do(http.MethodGet, base+"/proxy/configs/sandbox/2.json", nil).must(t, http.StatusOK)
	c.do(http.MethodGet, base+"/proxy/configs/sandbox/9.json", nil).must(t, http.StatusNotFound)

	// Promote keeps the version; promoting it twice fails like porta.
	pr := c.do(http.MethodPost, base+"/proxy/configs/sandbox/2/promote.json", p("to", "production")).must(t, http.StatusCreated).obj(t, "proxy_config")
	if pr["version"] != 2.0 || pr["environment"] != "production" {
		t.Errorf("promoted: %v", pr)
	}
	r := c.do(http.MethodPost, base+"/proxy/configs/sandbox/2/promote.json", p("to", "production")).must(t, http.StatusUnprocessableEntity)
	if diff := cmp.Diff(map[string][]string{"version": {msgTaken}}, r.errors(t)); diff != "" {
		t.Errorf("second promote (-want +got):\n%s", diff)
	}
	c.do(http.MethodPost, base+"/proxy/configs/sandbox/3/promote.json", p("to", "production")).must(t, http.StatusCreated)
	prod := c.do(http.MethodGet, base+"/proxy/configs/production/latest.json", nil).must(t, http.StatusOK).obj(t, "proxy_config")
	if prod["version"] != 3.0 {
		t.Errorf("production latest version = %v, want 3", prod["version"])
	}
	c.do(http.MethodPost, base+"/proxy/configs/sandbox/3/promote.json", nil).must(t, http.StatusBadRequest)
	r = c.do(http.MethodGet, base+"/proxy/configs/preprod.json", nil).must(t, http.StatusBadRequest)
	if r.Body["error"] != "invalid environment" {
		t.Errorf("invalid environment body: %s", r.Raw)
	}

	// The account-wide list, latest only.
	all := c.do(http.MethodGet, "/admin/api/account/proxy_configs/sandbox.json", p("version", "latest")).must(t, http.StatusOK).items(t, "proxy_configs", "proxy_config")
	if len(all) != 1 || all[0]["version"] != 3.0 {
		t.Errorf("account proxy configs: %v", all)
	}
}

func TestMetricInLatestConfigCannotBeDeleted(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	base, _ := productWithBackend(t, c, "Pets")
	m := c.do(http.MethodPost, base+"/metrics.json", p("friendly_name", "Calls", "unit", "call")).must(t, http.StatusCreated).obj(t, "metric")
	mid := idPath(id(t, m))
	rule := c.do(http.MethodPost, base+"/proxy/mapping_rules.json", p("http_method", "GET", "pattern", "/calls", "delta", "1", "metric_id", mid)).
		must(t, http.StatusCreated).obj(t, "mapping_rule")
	c.do(http.MethodPost, base+"/proxy/deploy.json", nil).must(t, http.StatusCreated)

	r := c.do(http.MethodDelete, base+"/metrics/"+mid+".json", nil).must(t, http.StatusForbidden)
	if diff := cmp.Diff(map[string][]string{"base": {"Metric is used by the latest gateway configuration and cannot be deleted"}}, r.errors(t)); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	// Remove the rule and deploy: now it can go.
	c.do(http.MethodDelete, base+"/proxy/mapping_rules/"+idPath(id(t, rule))+".json", nil).must(t, http.StatusOK)
	c.do(http.MethodPost, base+"/proxy/deploy.json", nil).must(t, http.StatusCreated)
	c.do(http.MethodDelete, base+"/metrics/"+mid+".json", nil).must(t, http.StatusOK)
}

func TestServiceMeshDeploysToProduction(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	base, _ := productWithBackend(t, c, "Mesh")
	c.do(http.MethodPut, base+".json", p("deployment_option", "service_mesh_istio")).must(t, http.StatusOK)
	c.do(http.MethodPost, base+"/proxy/deploy.json", nil).must(t, http.StatusCreated)
	c.do(http.MethodPost, base+"/proxy/deploy.json", nil).must(t, http.StatusCreated)
	if diff := cmp.Diff([]float64{1}, configVersions(t, c, base, "production")); diff != "" {
		t.Errorf("production versions (-want +got):\n%s", diff)
	}
}
