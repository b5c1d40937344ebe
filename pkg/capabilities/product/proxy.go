package product

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/url"
	"reflect"
	"strings"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// proxyDiff collects the proxy fields that differ. Field names in descriptions are 3scale's
// parameter names; values never appear, since the secret token and the issuer endpoint are
// credentials.
type proxyDiff struct {
	params  threescale.ProxyParams
	changed []string
}

func (pd *proxyDiff) str(name string, want *string, have string, dst **string) {
	if want != nil && *want != have {
		v := *want
		*dst, pd.changed = &v, append(pd.changed, name)
	}
}

func (pd *proxyDiff) endpoint(name string, want *string, have string, dst **string) {
	if want != nil && !sameEndpoint(*want, have) {
		v := *want
		*dst, pd.changed = &v, append(pd.changed, name)
	}
}

func (pd *proxyDiff) status(name string, want *int32, have int, dst **int) {
	if want != nil && int(*want) != have {
		v := int(*want)
		*dst, pd.changed = &v, append(pd.changed, name)
	}
}

// planProxy updates the proxy fields the spec sets: public base URLs (self-managed), credential
// names and location, gateway responses, host header, secret token and the OIDC issuer.
func planProxy(d *Desired, px *threescale.Proxy, productID int64) (planning.Operation, bool) {
	if px == nil {
		px = &threescale.Proxy{}
	}
	var pd proxyDiff
	p := &pd.params
	if sm := d.Spec.Deployment; sm != nil && sm.ApicastSelfManaged != nil {
		pd.endpoint("sandbox_endpoint", sm.ApicastSelfManaged.StagingPublicBaseURL, px.SandboxEndpoint, &p.SandboxEndpoint)
		pd.endpoint("endpoint", sm.ApicastSelfManaged.ProductionPublicBaseURL, px.Endpoint, &p.Endpoint)
	}
	auth := d.Spec.Authentication()
	var creds *string
	var security *capabilitiesv1beta1.SecuritySpec
	var responses *capabilitiesv1beta1.GatewayResponseSpec
	switch {
	case auth == nil:
	case auth.UserKeyAuthentication != nil:
		a := auth.UserKeyAuthentication
		pd.str("auth_user_key", a.Key, px.AuthUserKey, &p.AuthUserKey)
		creds, security, responses = a.CredentialsLoc, a.Security, a.GatewayResponse
	case auth.AppKeyAppIDAuthentication != nil:
		a := auth.AppKeyAppIDAuthentication
		pd.str("auth_app_id", a.AppID, px.AuthAppID, &p.AuthAppID)
		pd.str("auth_app_key", a.AppKey, px.AuthAppKey, &p.AuthAppKey)
		creds, security, responses = a.CredentialsLoc, a.Security, a.GatewayResponse
	case auth.OIDC != nil:
		a := auth.OIDC
		if d.IssuerEndpoint != "" {
			pd.str("oidc_issuer_endpoint", &d.IssuerEndpoint, px.OIDCIssuerEndpoint, &p.OIDCIssuerEndpoint)
		}
		pd.str("oidc_issuer_type", &a.IssuerType, px.OIDCIssuerType, &p.OIDCIssuerType)
		pd.str("jwt_claim_with_client_id", a.JwtClaimWithClientID, px.JWTClaimWithClientID, &p.JWTClaimWithClientID)
		pd.str("jwt_claim_with_client_id_type", a.JwtClaimWithClientIDType, px.JWTClaimWithClientIDType, &p.JWTClaimWithClientIDType)
		creds, security, responses = a.CredentialsLoc, a.Security, a.GatewayResponse
	}
	pd.str("credentials_location", creds, px.CredentialsLocation, &p.CredentialsLocation)
	if security != nil {
		pd.str("hostname_rewrite", security.HostHeader, px.HostnameRewrite, &p.HostnameRewrite)
		pd.str("secret_token", security.SecretToken, px.SecretToken, &p.SecretToken)
	}
	if r := responses; r != nil {
		pd.status("error_status_auth_failed", r.ErrorStatusAuthFailed, px.ErrorStatusAuthFailed, &p.ErrorStatusAuthFailed)
		pd.str("error_headers_auth_failed", r.ErrorHeadersAuthFailed, px.ErrorHeadersAuthFailed, &p.ErrorHeadersAuthFailed)
		pd.str("error_auth_failed", r.ErrorAuthFailed, px.ErrorAuthFailed, &p.ErrorAuthFailed)
		pd.status("error_status_auth_missing", r.ErrorStatusAuthMissing, px.ErrorStatusAuthMissing, &p.ErrorStatusAuthMissing)
		pd.str("error_headers_auth_missing", r.ErrorHeadersAuthMissing, px.ErrorHeadersAuthMissing, &p.ErrorHeadersAuthMissing)
		pd.str("error_auth_missing", r.ErrorAuthMissing, px.ErrorAuthMissing, &p.ErrorAuthMissing)
		pd.status("error_status_no_match", r.ErrorStatusNoMatch, px.ErrorStatusNoMatch, &p.ErrorStatusNoMatch)
		pd.str("error_headers_no_match", r.ErrorHeadersNoMatch, px.ErrorHeadersNoMatch, &p.ErrorHeadersNoMatch)
		pd.str("error_no_match", r.ErrorNoMatch, px.ErrorNoMatch, &p.ErrorNoMatch)
		pd.status("error_status_limits_exceeded", r.ErrorStatusLimitsExceeded, px.ErrorStatusLimitsExceeded, &p.ErrorStatusLimitsExceeded)
		pd.str("error_headers_limits_exceeded", r.ErrorHeadersLimitsExceeded, px.ErrorHeadersLimitsExceeded, &p.ErrorHeadersLimitsExceeded)
		pd.str("error_limits_exceeded", r.ErrorLimitsExceeded, px.ErrorLimitsExceeded, &p.ErrorLimitsExceeded)
	}
	if len(pd.changed) == 0 {
		return planning.Operation{}, false
	}
	params := pd.params
	return planning.Operation{
		Verb: planning.VerbUpdate, Entity: EntityProxy,
		Description: withChanges(describe("update", EntityProxy, "", productID), pd.changed),
		Run: func(ctx context.Context, c *threescale.Client) error {
			_, err := c.UpdateProxy(ctx, productID, params)
			return err
		},
	}, true
}

// sameEndpoint compares public base URLs as 3scale stores them: it adds the scheme's default
// port ("https://api.example.com" is kept as "https://api.example.com:443").
func sameEndpoint(a, b string) bool {
	if a == b {
		return true
	}
	na, okA := normalizeEndpoint(a)
	nb, okB := normalizeEndpoint(b)
	return okA && okB && na == nb
}

func normalizeEndpoint(s string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Host == "" {
		return "", false
	}
	u.Scheme = strings.ToLower(u.Scheme)
	host, port := u.Hostname(), u.Port()
	if port == "" {
		switch u.Scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	u.Host = net.JoinHostPort(strings.ToLower(host), port)
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u.String(), true
}

// planOIDC updates the OAuth flows of an OIDC product when the spec lists them.
func planOIDC(d *Desired, have *threescale.OIDCConfiguration, productID int64) (planning.Operation, bool) {
	auth := d.Spec.Authentication()
	if auth == nil || auth.OIDC == nil || auth.OIDC.AuthenticationFlow == nil {
		return planning.Operation{}, false
	}
	if have == nil {
		have = &threescale.OIDCConfiguration{}
	}
	f := auth.OIDC.AuthenticationFlow
	want := threescale.OIDCConfiguration{
		ID:                        have.ID,
		StandardFlowEnabled:       f.StandardFlowEnabled,
		ImplicitFlowEnabled:       f.ImplicitFlowEnabled,
		ServiceAccountsEnabled:    f.ServiceAccountsEnabled,
		DirectAccessGrantsEnabled: f.DirectAccessGrantsEnabled,
	}
	if want == *have {
		return planning.Operation{}, false
	}
	params := threescale.OIDCConfigurationParams{
		StandardFlowEnabled:       &want.StandardFlowEnabled,
		ImplicitFlowEnabled:       &want.ImplicitFlowEnabled,
		ServiceAccountsEnabled:    &want.ServiceAccountsEnabled,
		DirectAccessGrantsEnabled: &want.DirectAccessGrantsEnabled,
	}
	return planning.Operation{
		Verb: planning.VerbUpdate, Entity: EntityOIDC,
		Description: describe("update", EntityOIDC, "", productID),
		Run: func(ctx context.Context, c *threescale.Client) error {
			_, err := c.UpdateOIDCConfiguration(ctx, productID, params)
			return err
		},
	}, true
}

// planPolicies replaces the policy chain when it differs from the resource's (3scale has no
// update of a single policy).
func planPolicies(d *Desired, have []threescale.PolicyConfig, productID int64) (planning.Operation, bool) {
	if samePolicies(d.Policies, have) {
		return planning.Operation{}, false
	}
	chain := d.Policies
	return planning.Operation{
		Verb: planning.VerbUpdate, Entity: EntityPolicyChain,
		Description: describe("update", EntityPolicyChain, "", productID),
		Run: func(ctx context.Context, c *threescale.Client) error {
			_, err := c.UpdatePolicyChain(ctx, productID, chain)
			return err
		},
	}, true
}

func samePolicies(a, b []threescale.PolicyConfig) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || a[i].Version != b[i].Version || a[i].Enabled != b[i].Enabled ||
			!sameJSON(a[i].Configuration, b[i].Configuration) {
			return false
		}
	}
	return true
}

// sameJSON compares two JSON documents by value; empty and null count as {}.
func sameJSON(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var va, vb any
	if err := json.Unmarshal(orEmptyObject(a), &va); err != nil {
		return false
	}
	if err := json.Unmarshal(orEmptyObject(b), &vb); err != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

func orEmptyObject(raw json.RawMessage) json.RawMessage {
	if t := bytes.TrimSpace(raw); len(t) == 0 || bytes.Equal(t, []byte("null")) {
		return json.RawMessage("{}")
	}
	return raw
}
