package threescale

import (
	"context"
	"encoding/json"
	"fmt"
)

// Proxy holds a product's gateway settings: endpoints, credentials location, error responses,
// OIDC issuer.
type Proxy struct {
	ServiceID                  int64  `json:"service_id"`
	Endpoint                   string `json:"endpoint"`
	SandboxEndpoint            string `json:"sandbox_endpoint"`
	APIBackend                 string `json:"api_backend"`
	CredentialsLocation        string `json:"credentials_location"`
	AuthAppKey                 string `json:"auth_app_key"`
	AuthAppID                  string `json:"auth_app_id"`
	AuthUserKey                string `json:"auth_user_key"`
	ErrorAuthFailed            string `json:"error_auth_failed"`
	ErrorAuthMissing           string `json:"error_auth_missing"`
	ErrorNoMatch               string `json:"error_no_match"`
	ErrorLimitsExceeded        string `json:"error_limits_exceeded"`
	ErrorStatusAuthFailed      int    `json:"error_status_auth_failed"`
	ErrorStatusAuthMissing     int    `json:"error_status_auth_missing"`
	ErrorStatusNoMatch         int    `json:"error_status_no_match"`
	ErrorStatusLimitsExceeded  int    `json:"error_status_limits_exceeded"`
	ErrorHeadersAuthFailed     string `json:"error_headers_auth_failed"`
	ErrorHeadersAuthMissing    string `json:"error_headers_auth_missing"`
	ErrorHeadersNoMatch        string `json:"error_headers_no_match"`
	ErrorHeadersLimitsExceeded string `json:"error_headers_limits_exceeded"`
	SecretToken                string `json:"secret_token"`
	HostnameRewrite            string `json:"hostname_rewrite"`
	OIDCIssuerEndpoint         string `json:"oidc_issuer_endpoint"`
	OIDCIssuerType             string `json:"oidc_issuer_type"`
	JWTClaimWithClientID       string `json:"jwt_claim_with_client_id"`
	JWTClaimWithClientIDType   string `json:"jwt_claim_with_client_id_type"`
	DeployedAt                 string `json:"deployed_at"`
	LockVersion                int64  `json:"lock_version"`
	CreatedAt                  string `json:"created_at"`
	UpdatedAt                  string `json:"updated_at"`
}

// ProxyParams are the gateway settings to change; nil fields are not sent. Updating the proxy
// makes 3scale deploy a new configuration to the staging environment.
type ProxyParams struct {
	Endpoint                   *string `form:"endpoint"`
	SandboxEndpoint            *string `form:"sandbox_endpoint"`
	APIBackend                 *string `form:"api_backend"`
	CredentialsLocation        *string `form:"credentials_location"`
	AuthAppKey                 *string `form:"auth_app_key"`
	AuthAppID                  *string `form:"auth_app_id"`
	AuthUserKey                *string `form:"auth_user_key"`
	ErrorAuthFailed            *string `form:"error_auth_failed"`
	ErrorAuthMissing           *string `form:"error_auth_missing"`
	ErrorNoMatch               *string `form:"error_no_match"`
	ErrorLimitsExceeded        *string `form:"error_limits_exceeded"`
	ErrorStatusAuthFailed      *int    `form:"error_status_auth_failed"`
	ErrorStatusAuthMissing     *int    `form:"error_status_auth_missing"`
	ErrorStatusNoMatch         *int    `form:"error_status_no_match"`
	ErrorStatusLimitsExceeded  *int    `form:"error_status_limits_exceeded"`
	ErrorHeadersAuthFailed     *string `form:"error_headers_auth_failed"`
	ErrorHeadersAuthMissing    *string `form:"error_headers_auth_missing"`
	ErrorHeadersNoMatch        *string `form:"error_headers_no_match"`
	ErrorHeadersLimitsExceeded *string `form:"error_headers_limits_exceeded"`
	SecretToken                *string `form:"secret_token"`
	HostnameRewrite            *string `form:"hostname_rewrite"`
	OIDCIssuerEndpoint         *string `form:"oidc_issuer_endpoint"`
	OIDCIssuerType             *string `form:"oidc_issuer_type"`
	JWTClaimWithClientID       *string `form:"jwt_claim_with_client_id"`
	JWTClaimWithClientIDType   *string `form:"jwt_claim_with_client_id_type"`
}

// GetProxy returns the gateway settings of a product.
func (c *Client) GetProxy(ctx context.Context, productID int64) (*Proxy, error) {
	return one[Proxy](ctx, c, opGetProxy, nil, productID)
}

// UpdateProxy changes the gateway settings set in p.
func (c *Client) UpdateProxy(ctx context.Context, productID int64, p ProxyParams) (*Proxy, error) {
	return one[Proxy](ctx, c, opUpdateProxy, p, productID)
}

// DeployProxy deploys the product's current settings to the staging environment (a new proxy
// config version).
func (c *Client) DeployProxy(ctx context.Context, productID int64) (*Proxy, error) {
	return one[Proxy](ctx, c, opDeployProxy, nil, productID)
}

// OIDCConfiguration holds the OAuth 2.0 flows a product using OpenID Connect enables.
type OIDCConfiguration struct {
	ID                        int64 `json:"id"`
	StandardFlowEnabled       bool  `json:"standard_flow_enabled"`
	ImplicitFlowEnabled       bool  `json:"implicit_flow_enabled"`
	ServiceAccountsEnabled    bool  `json:"service_accounts_enabled"`
	DirectAccessGrantsEnabled bool  `json:"direct_access_grants_enabled"`
}

// OIDCConfigurationParams are the flows to change; nil fields are not sent.
type OIDCConfigurationParams struct {
	StandardFlowEnabled       *bool `form:"standard_flow_enabled"`
	ImplicitFlowEnabled       *bool `form:"implicit_flow_enabled"`
	ServiceAccountsEnabled    *bool `form:"service_accounts_enabled"`
	DirectAccessGrantsEnabled *bool `form:"direct_access_grants_enabled"`
}

// GetOIDCConfiguration returns the OIDC flows of a product.
func (c *Client) GetOIDCConfiguration(ctx context.Context, productID int64) (*OIDCConfiguration, error) {
	return one[OIDCConfiguration](ctx, c, opGetOIDCConfiguration, nil, productID)
}

// UpdateOIDCConfiguration changes the OIDC flows set in p.
func (c *Client) UpdateOIDCConfiguration(ctx context.Context, productID int64, p OIDCConfigurationParams) (*OIDCConfiguration, error) {
	return one[OIDCConfiguration](ctx, c, opUpdateOIDCConfiguration, p, productID)
}

// PolicyConfig is one policy of a product's policy chain.
type PolicyConfig struct {
	Name          string          `json:"name"`
	Version       string          `json:"version"`
	Configuration json.RawMessage `json:"configuration"`
	Enabled       bool            `json:"enabled"`
}

// policyChainParams carries the chain as the JSON text the description asks for.
type policyChainParams struct {
	PoliciesConfig string `form:"policies_config"`
}

// GetPolicyChain returns a product's policy chain, in order.
func (c *Client) GetPolicyChain(ctx context.Context, productID int64) ([]PolicyConfig, error) {
	return list[PolicyConfig](ctx, c, opGetPolicyChain, nil, productID)
}

// UpdatePolicyChain replaces a product's policy chain (3scale then deploys to staging).
func (c *Client) UpdatePolicyChain(ctx context.Context, productID int64, chain []PolicyConfig) ([]PolicyConfig, error) {
	// 3scale refuses a policy without a configuration object; copy so the caller's slice stays as is.
	out := make([]PolicyConfig, len(chain))
	for i, p := range chain {
		if len(p.Configuration) == 0 {
			p.Configuration = json.RawMessage("{}")
		}
		out[i] = p
	}
	text, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("threescale: encoding policy chain: %w", err)
	}
	body, err := c.call(ctx, opUpdatePolicyChain, []any{productID}, policyChainParams{PoliciesConfig: string(text)}, 0)
	if err != nil {
		return nil, err
	}
	items, _, err := decodeList[PolicyConfig](body, opUpdatePolicyChain)
	return items, err
}

// Gateway environments of proxy configs.
const (
	// EnvironmentSandbox is what the Admin Portal calls staging.
	EnvironmentSandbox    = "sandbox"
	EnvironmentProduction = "production"
)

// ProxyConfig is one version of a product's gateway configuration in an environment.
type ProxyConfig struct {
	ID          int64  `json:"id"`
	Version     int64  `json:"version"`
	Environment string `json:"environment"`
	// Content is the configuration APIcast loads, as 3scale renders it.
	Content json.RawMessage `json:"content"`
}

// ListProxyConfigs returns the configuration versions of a product in an environment.
func (c *Client) ListProxyConfigs(ctx context.Context, productID int64, environment string) ([]ProxyConfig, error) {
	return list[ProxyConfig](ctx, c, opListProxyConfigs, nil, productID, environment)
}

// GetLatestProxyConfig returns the newest configuration of a product in an environment; it is
// not found when nothing was deployed there yet.
func (c *Client) GetLatestProxyConfig(ctx context.Context, productID int64, environment string) (*ProxyConfig, error) {
	return one[ProxyConfig](ctx, c, opGetLatestProxyConfig, nil, productID, environment)
}

// GetProxyConfig returns one configuration version of a product in an environment.
func (c *Client) GetProxyConfig(ctx context.Context, productID int64, environment string, version int64) (*ProxyConfig, error) {
	return one[ProxyConfig](ctx, c, opGetProxyConfig, nil, productID, environment, version)
}

// promoteParams names the destination environment.
type promoteParams struct {
	To string `form:"to"`
}

// PromoteProxyConfig copies a configuration version from environment to another environment
// (staging to production) and returns the promoted configuration.
func (c *Client) PromoteProxyConfig(ctx context.Context, productID int64, environment string, version int64, to string) (*ProxyConfig, error) {
	return one[ProxyConfig](ctx, c, opPromoteProxyConfig, promoteParams{To: to}, productID, environment, version)
}
