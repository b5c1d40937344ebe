package threescale

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// newProductWithBackend creates a product that uses a backend, the minimum 3scale deploys.
func newProductWithBackend(t *testing.T, c *Client, name string) (*Product, *Backend) {
	t.Helper()
	ctx := t.Context()
	p := got(c.CreateProduct(ctx, ProductParams{Name: ptr(name)})).need(t, "create product")
	b := got(c.CreateBackend(ctx, BackendParams{Name: ptr(name + " backend"), PrivateEndpoint: ptr("https://echo.example.com:443")})).need(t, "create backend")
	got(c.CreateBackendUsage(ctx, p.ID, BackendUsageParams{BackendID: ptr(b.ID), Path: ptr("/")})).need(t, "use backend")
	return p, b
}

func TestProxySettings(t *testing.T) {
	env := newTestEnv(t)
	ctx, c := t.Context(), env.c
	p, _ := newProductWithBackend(t, c, "Proxied")

	px := got(c.UpdateProxy(ctx, p.ID, ProxyParams{
		Endpoint: ptr("https://api.example.com:443"), SandboxEndpoint: ptr("https://api-staging.example.com:443"),
		CredentialsLocation: ptr("headers"), AuthUserKey: ptr("X-Key"), ErrorStatusAuthFailed: ptr(418),
		ErrorAuthFailed: ptr("nope"), SecretToken: ptr("s3cret"), HostnameRewrite: ptr("echo.internal"),
	})).need(t, "update proxy")
	want := struct {
		Endpoint, Sandbox, Location, Key, Msg, Secret, Host string
		Status                                              int
	}{"https://api.example.com:443", "https://api-staging.example.com:443", "headers", "X-Key", "nope", "s3cret", "echo.internal", 418}
	fetched := got(c.GetProxy(ctx, p.ID)).need(t, "get proxy")
	for _, x := range []*Proxy{px, fetched} {
		gotFields := struct {
			Endpoint, Sandbox, Location, Key, Msg, Secret, Host string
			Status                                              int
		}{x.Endpoint, x.SandboxEndpoint, x.CredentialsLocation, x.AuthUserKey, x.ErrorAuthFailed, x.SecretToken, x.HostnameRewrite, x.ErrorStatusAuthFailed}
		if diff := cmp.Diff(want, gotFields); diff != "" {
			t.Errorf("proxy (-want +got):\n%s", diff)
		}
	}

	oidc := got(c.UpdateOIDCConfiguration(ctx, p.ID, OIDCConfigurationParams{StandardFlowEnabled: ptr(true), ServiceAccountsEnabled: ptr(true)})).need(t, "update OIDC")
	if !oidc.StandardFlowEnabled || !oidc.ServiceAccountsEnabled || oidc.ImplicitFlowEnabled {
		t.Errorf("OIDC configuration = %+v", oidc)
	}
	if again := got(c.GetOIDCConfiguration(ctx, p.ID)).need(t, "get OIDC"); *again != *oidc {
		t.Errorf("GetOIDCConfiguration = %+v, want %+v", again, oidc)
	}
}

func TestPolicyChain(t *testing.T) {
	env := newTestEnv(t)
	ctx, c := t.Context(), env.c
	p, _ := newProductWithBackend(t, c, "Policies")
	chain := []PolicyConfig{
		{Name: "headers", Version: "builtin", Enabled: true, Configuration: json.RawMessage(`{"request":[{"op":"set","header":"X-A","value":"1"}]}`)},
		{Name: "apicast", Version: "builtin", Enabled: true, Configuration: json.RawMessage(`{}`)},
	}
	stored := got(c.UpdatePolicyChain(ctx, p.ID, chain)).need(t, "update chain")
	fetched := got(c.GetPolicyChain(ctx, p.ID)).need(t, "get chain")
	jsonEqual := cmp.Comparer(func(a, b json.RawMessage) bool {
		var x, y any
		return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && cmp.Equal(x, y)
	})
	for name, gotChain := range map[string][]PolicyConfig{"update": stored, "get": fetched} {
		if diff := cmp.Diff(chain, gotChain, jsonEqual); diff != "" {
			t.Errorf("%s: chain (-want +got):\n%s", name, diff)
		}
	}
}

func TestProxyConfigsDeployAndPromote(t *testing.T) {
	env := newTestEnv(t)
	ctx, c := t.Context(), env.c
	p, _ := newProductWithBackend(t, c, "Deployed")

	got(c.DeployProxy(ctx, p.ID)).need(t, "deploy")
	staging := got(c.GetLatestProxyConfig(ctx, p.ID, EnvironmentSandbox)).need(t, "latest sandbox")
	if staging.Environment != EnvironmentSandbox || staging.Version < 1 || len(staging.Content) == 0 {
		t.Errorf("latest sandbox config = %+v", staging)
	}
	if _, err := c.GetLatestProxyConfig(ctx, p.ID, EnvironmentProduction); !IsNotFound(err) {
		t.Errorf("production before promotion: %v, want not found", err)
	}
	promoted := got(c.PromoteProxyConfig(ctx, p.ID, EnvironmentSandbox, staging.Version, EnvironmentProduction)).need(t, "promote")
	if promoted.Environment != EnvironmentProduction || promoted.Version != staging.Version {
		t.Errorf("promoted = %+v, want version %d in production", promoted, staging.Version)
	}
	prod := got(c.ListProxyConfigs(ctx, p.ID, EnvironmentProduction)).need(t, "list production")
	if len(prod) != 1 || prod[0].Version != staging.Version {
		t.Errorf("production configs = %+v", prod)
	}
	one := got(c.GetProxyConfig(ctx, p.ID, EnvironmentSandbox, staging.Version)).need(t, "get version")
	if one.Version != staging.Version {
		t.Errorf("GetProxyConfig = %+v", one)
	}
}
