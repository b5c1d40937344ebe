package inmemory

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// proxy is a product's gateway settings, rendered as porta's ProxyRepresenter.
type proxy struct {
	ServiceID                  int64   `json:"service_id"`
	Endpoint                   string  `json:"endpoint"`
	SandboxEndpoint            string  `json:"sandbox_endpoint"`
	DeployedAt                 *string `json:"deployed_at"`
	APIBackend                 *string `json:"api_backend"`
	CredentialsLocation        string  `json:"credentials_location"`
	AuthAppKey                 string  `json:"auth_app_key"`
	AuthAppID                  string  `json:"auth_app_id"`
	AuthUserKey                string  `json:"auth_user_key"`
	ErrorAuthFailed            string  `json:"error_auth_failed"`
	ErrorAuthMissing           string  `json:"error_auth_missing"`
	ErrorStatusAuthFailed      int64   `json:"error_status_auth_failed"`
	ErrorHeadersAuthFailed     string  `json:"error_headers_auth_failed"`
	ErrorStatusAuthMissing     int64   `json:"error_status_auth_missing"`
	ErrorHeadersAuthMissing    string  `json:"error_headers_auth_missing"`
	ErrorNoMatch               string  `json:"error_no_match"`
	ErrorStatusNoMatch         int64   `json:"error_status_no_match"`
	ErrorHeadersNoMatch        string  `json:"error_headers_no_match"`
	ErrorLimitsExceeded        string  `json:"error_limits_exceeded"`
	ErrorStatusLimitsExceeded  int64   `json:"error_status_limits_exceeded"`
	ErrorHeadersLimitsExceeded string  `json:"error_headers_limits_exceeded"`
	SecretToken                string  `json:"secret_token"`
	HostnameRewrite            string  `json:"hostname_rewrite"`
	OAuthLoginURL              *string `json:"oauth_login_url"`
	APITestPath                string  `json:"api_test_path"`
	APITestSuccess             *bool   `json:"api_test_success"`
	OIDCIssuerEndpoint         *string `json:"oidc_issuer_endpoint,omitempty"`
	OIDCIssuerType             *string `json:"oidc_issuer_type,omitempty"`
	JWTClaimWithClientID       *string `json:"jwt_claim_with_client_id"`
	JWTClaimWithClientIDType   string  `json:"jwt_claim_with_client_id_type"`
	PoliciesConfig             string  `json:"policies_config"`
	LockVersion                int64   `json:"lock_version"`
	CreatedAt                  string  `json:"created_at"`
	UpdatedAt                  string  `json:"updated_at"`
	Links                      []link  `json:"links"`

	// oidcIssuerEndpoint and oidcIssuerType are kept even when the product is not OIDC;
	// porta shows them only for OIDC products.
	oidcIssuerEndpoint string
	oidcIssuerType     string
	oidc               oidcConfiguration
	policies           []any
	// configs are the proxy configurations per environment ("sandbox", "production"),
	// oldest first.
	configs map[string][]*proxyConfig
}

// oidcConfiguration is porta's OIDCConfiguration: which OAuth flows the OIDC client allows.
type oidcConfiguration struct {
	ID                        int64 `json:"id"`
	StandardFlowEnabled       bool  `json:"standard_flow_enabled"`
	ImplicitFlowEnabled       bool  `json:"implicit_flow_enabled"`
	ServiceAccountsEnabled    bool  `json:"service_accounts_enabled"`
	DirectAccessGrantsEnabled bool  `json:"direct_access_grants_enabled"`
}

// proxyConfig is one version of a product's gateway configuration in an environment.
type proxyConfig struct {
	ID          int64          `json:"id"`
	Version     int64          `json:"version"`
	Environment string         `json:"environment"`
	Content     map[string]any `json:"content"`

	serviceID int64
}

// Environments of proxy configurations; "staging" is porta's alias of sandbox.
const (
	envSandbox    = "sandbox"
	envProduction = "production"
)

func environmentOf(name string) (string, bool) {
	switch name {
	case envSandbox, "staging":
		return envSandbox, true
	case envProduction:
		return envProduction, true
	}
	return "", false
}

// defaultPolicyChain is the chain of a new product: APIcast alone.
func defaultPolicyChain() []any {
	return []any{map[string]any{"name": "apicast", "version": "builtin", "configuration": map[string]any{}, "enabled": true}}
}

// newProxy gives a new product porta's proxy defaults.
func (st *store) newProxy(a *account, svc *service) *proxy {
	now := st.timestamp()
	host := svc.SystemName + "-" + systemNameFrom(a.OrgName)
	host = strings.ReplaceAll(host, "_", "-")
	p := &proxy{
		ServiceID:                  svc.ID,
		Endpoint:                   "https://" + host + "-apicast-production.example.com:443",
		SandboxEndpoint:            "https://" + host + "-apicast-staging.example.com:443",
		CredentialsLocation:        "query",
		AuthAppKey:                 "app_key",
		AuthAppID:                  "app_id",
		AuthUserKey:                "user_key",
		ErrorAuthFailed:            "Authentication failed",
		ErrorAuthMissing:           "Authentication parameters missing",
		ErrorStatusAuthFailed:      403,
		ErrorHeadersAuthFailed:     "text/plain; charset=us-ascii",
		ErrorStatusAuthMissing:     403,
		ErrorHeadersAuthMissing:    "text/plain; charset=us-ascii",
		ErrorNoMatch:               "No Mapping Rule matched",
		ErrorStatusNoMatch:         404,
		ErrorHeadersNoMatch:        "text/plain; charset=us-ascii",
		ErrorLimitsExceeded:        "Usage limit exceeded",
		ErrorStatusLimitsExceeded:  429,
		ErrorHeadersLimitsExceeded: "text/plain; charset=us-ascii",
		SecretToken:                "Shared_secret_sent_from_proxy_to_API_backend_" + randomHex(8),
		APITestPath:                "/",
		JWTClaimWithClientIDType:   "plain",
		oidcIssuerType:             "keycloak",
		oidc:                       oidcConfiguration{ID: st.id(), StandardFlowEnabled: true},
		policies:                   defaultPolicyChain(),
		configs:                    map[string][]*proxyConfig{},
		CreatedAt:                  now,
		UpdatedAt:                  now,
	}
	base := "/admin/api/services/" + itoa(svc.ID)
	p.Links = []link{{Rel: "mapping_rules", Href: base + "/proxy/mapping_rules"}, {Rel: "self", Href: base + "/proxy"}, {Rel: "service", Href: base}}
	return p
}

// view renders the proxy of svc as porta does at this moment.
func (a *account) proxyView(svc *service) proxy {
	p := *svc.proxy
	p.OIDCIssuerEndpoint, p.OIDCIssuerType = nil, nil
	if svc.BackendVersion == "oidc" {
		ep, typ := p.oidcIssuerEndpoint, p.oidcIssuerType
		p.OIDCIssuerEndpoint, p.OIDCIssuerType = &ep, &typ
	}
	if b := a.firstBackend(svc.ID); b != nil {
		ep := b.PrivateEndpoint
		p.APIBackend = &ep
	}
	chain, _ := json.Marshal(p.policies)
	p.PoliciesConfig = string(chain)
	return p
}

// firstBackend is the backend of the product's first usage, which porta still reports as the
// proxy's api_backend.
func (a *account) firstBackend(service int64) *backend {
	for _, u := range a.usagesOf(service) {
		if b, ok := a.backends[u.BackendID]; ok {
			return b
		}
	}
	return nil
}

func (s *Server) proxyRoutes(t routeTable) {
	t.handle("GET /admin/api/services/{service_id}/proxy.json", adminScope, showProxy)
	t.handle("PATCH /admin/api/services/{service_id}/proxy.json", adminScope, updateProxy)
	// The description documents PATCH; porta's routes take PUT for the same action too.
	t.handle("PUT /admin/api/services/{service_id}/proxy.json", adminScope, updateProxy)
	t.handle("POST /admin/api/services/{service_id}/proxy/deploy.json", adminScope, deployProxy)

	t.handle("GET /admin/api/services/{service_id}/proxy/oidc_configuration.json", adminScope, showOIDC)
	t.handle("PATCH /admin/api/services/{service_id}/proxy/oidc_configuration.json", adminScope, updateOIDC)
	t.handle("PUT /admin/api/services/{service_id}/proxy/oidc_configuration.json", adminScope, updateOIDC)

	t.handle("GET /admin/api/services/{service_id}/proxy/configs/{environment}.json", adminScope, listProxyConfigs)
	t.handle("GET /admin/api/services/{service_id}/proxy/configs/{environment}/latest.json", adminScope, latestProxyConfig)
	t.handle("GET /admin/api/services/{service_id}/proxy/configs/{environment}/{version}.json", adminScope, showProxyConfig)
	t.handle("POST /admin/api/services/{service_id}/proxy/configs/{environment}/{version}/promote.json", adminScope, promoteProxyConfig)
	t.handle("GET /admin/api/account/proxy_configs/{environment}.json", adminScope, listAccountProxyConfigs)
}

func showProxy(q *request) reply {
	svc, ok := q.serviceByPath("service_id")
	if !ok {
		return notFound()
	}
	return okBody(wrap("proxy", q.acct.proxyView(svc)))
}

// Values porta accepts in proxy settings.
var (
	credentialsLocations = []string{"headers", "query", "authorization"}
	oidcIssuerTypes      = []string{"keycloak", "rest"}
	jwtClaimTypes        = []string{"plain", "liquid"}
)

func updateProxy(q *request) reply {
	svc, ok := q.serviceByPath("service_id")
	if !ok {
		return notFound()
	}
	next := *svc.proxy
	var errs fieldErrors
	for name, dst := range map[string]*string{
		"credentials_location": &next.CredentialsLocation, "auth_app_key": &next.AuthAppKey,
		"auth_app_id": &next.AuthAppID, "auth_user_key": &next.AuthUserKey,
		"error_auth_failed": &next.ErrorAuthFailed, "error_auth_missing": &next.ErrorAuthMissing,
		"error_headers_auth_failed": &next.ErrorHeadersAuthFailed, "error_headers_auth_missing": &next.ErrorHeadersAuthMissing,
		"error_no_match": &next.ErrorNoMatch, "error_headers_no_match": &next.ErrorHeadersNoMatch,
		"error_limits_exceeded": &next.ErrorLimitsExceeded, "error_headers_limits_exceeded": &next.ErrorHeadersLimitsExceeded,
		"secret_token": &next.SecretToken, "hostname_rewrite": &next.HostnameRewrite,
		"api_test_path": &next.APITestPath, "oidc_issuer_endpoint": &next.oidcIssuerEndpoint,
		"oidc_issuer_type": &next.oidcIssuerType, "jwt_claim_with_client_id_type": &next.JWTClaimWithClientIDType,
	} {
		setString(q, name, dst)
	}
	for name, dst := range map[string]*int64{
		"error_status_auth_failed": &next.ErrorStatusAuthFailed, "error_status_auth_missing": &next.ErrorStatusAuthMissing,
		"error_status_no_match": &next.ErrorStatusNoMatch, "error_status_limits_exceeded": &next.ErrorStatusLimitsExceeded,
	} {
		before := *dst
		errs = setInt(q, name, dst, errs)
		if *dst != before && (*dst < 100 || *dst > 599) {
			errs = errs.add(name, "must be less than or equal to 599 and greater than or equal to 100")
		}
	}
	for name, dst := range map[string]**string{"jwt_claim_with_client_id": &next.JWTClaimWithClientID, "oauth_login_url": &next.OAuthLoginURL} {
		if q.has(name) {
			v := q.get(name)
			*dst = &v
		}
	}
	for name, dst := range map[string]*string{"endpoint": &next.Endpoint, "sandbox_endpoint": &next.SandboxEndpoint} {
		if !q.has(name) {
			continue
		}
		v := strings.TrimSpace(q.get(name))
		ep, msg := normalizeEndpoint(v, []string{"http", "https"})
		if msg == "" {
			*dst = ep
		} else if v != "" {
			errs = errs.add(name, msg)
		} else {
			errs = errs.add(name, msgBlank)
		}
	}
	if q.has("api_backend") {
		// The deprecated single backend of a product; porta keeps it for products without
		// backend usages. Accept and validate it, as porta does.
		if _, msg := normalizeEndpoint(q.get("api_backend"), []string{"http", "https", "ws", "wss"}); msg != "" {
			errs = errs.add("api_backend", msg)
		}
	}
	errs = errs.inclusion("credentials_location", next.CredentialsLocation, credentialsLocations)
	errs = errs.inclusion("oidc_issuer_type", next.oidcIssuerType, oidcIssuerTypes)
	errs = errs.inclusion("jwt_claim_with_client_id_type", next.JWTClaimWithClientIDType, jwtClaimTypes)
	if next.oidcIssuerEndpoint != "" {
		if u, err := url.Parse(next.oidcIssuerEndpoint); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			errs = errs.add("oidc_issuer_endpoint", msgInvalid)
		}
	}
	if errs != nil {
		return invalid(errs)
	}
	next.LockVersion++
	next.UpdatedAt = q.st.timestamp()
	*svc.proxy = next
	// porta deploys the proxy to staging after every successful update.
	q.st.deploy(q.acct, svc)
	return okBody(wrap("proxy", q.acct.proxyView(svc)))
}

// deployProxy is "Promote to staging": a new sandbox configuration when anything changed.
// porta's responder answers the POST with 201 and the proxy.
func deployProxy(q *request) reply {
	svc, ok := q.serviceByPath("service_id")
	if !ok {
		return notFound()
	}
	q.st.deploy(q.acct, svc)
	return created(wrap("proxy", q.acct.proxyView(svc)))
}

// deploy stores the product's current configuration as the next sandbox version, unless it
// equals the latest one (porta's ApicastV2DeploymentService compares contents the same way) or
// the product has no backend (porta refuses a configuration without one). A service mesh
// product goes to production at once, as porta's ProxyDeploymentService does. It reports
// whether a sandbox version was created.
func (st *store) deploy(a *account, svc *service) bool {
	if a.firstBackend(svc.ID) == nil {
		return false
	}
	content := a.configContent(svc)
	configs := svc.proxy.configs[envSandbox]
	created := false
	if n := len(configs); n == 0 || !reflect.DeepEqual(configs[n-1].Content, content) {
		version := int64(1)
		if n > 0 {
			version = configs[n-1].Version + 1
		}
		configs = append(configs, &proxyConfig{
			ID: st.id(), Version: version, Environment: envSandbox, Content: content, serviceID: svc.ID,
		})
		svc.proxy.configs[envSandbox] = configs
		now := st.timestamp()
		svc.proxy.DeployedAt = &now
		created = true
	}
	if svc.DeploymentOption == "service_mesh_istio" {
		newest := configs[len(configs)-1]
		prod := svc.proxy.configs[envProduction]
		if n := len(prod); n == 0 || prod[n-1].Version != newest.Version {
			svc.proxy.configs[envProduction] = append(prod, &proxyConfig{
				ID: st.id(), Version: newest.Version, Environment: envProduction, Content: newest.Content, serviceID: svc.ID,
			})
		}
	}
	return created
}

// configContent is the gateway configuration APIcast would get for svc now: a JSON object,
// normalized through encoding/json so that configurations compare by value.
func (a *account) configContent(svc *service) map[string]any {
	pv := a.proxyView(svc)
	var rules []map[string]any
	add := func(r *mappingRule, ownerType string) {
		m := a.metrics[r.MetricID]
		name := ""
		if m != nil {
			name = m.renderedSystemName()
		}
		rules = append(rules, map[string]any{
			"id": r.ID, "http_method": r.HTTPMethod, "pattern": r.Pattern, "metric_id": r.MetricID,
			"metric_system_name": name, "delta": r.Delta, "position": r.Position, "last": r.Last,
			"owner_id": r.ownerID, "owner_type": ownerType,
		})
	}
	for _, r := range a.rulesOf(ownerService, svc.ID) {
		add(r, "Proxy")
	}
	var backends []map[string]any
	for _, u := range a.usagesOf(svc.ID) {
		b := a.backends[u.BackendID]
		if b == nil {
			continue
		}
		backends = append(backends, map[string]any{"backend_api_id": b.ID, "path": u.Path, "private_endpoint": b.PrivateEndpoint, "system_name": b.SystemName})
		for _, r := range a.rulesOf(ownerBackend, b.ID) {
			add(r, "BackendApi")
		}
	}
	hosts := []string{}
	for _, ep := range []string{pv.Endpoint, pv.SandboxEndpoint} {
		if u, err := url.Parse(ep); err == nil && u.Hostname() != "" && !slices.Contains(hosts, u.Hostname()) {
			hosts = append(hosts, u.Hostname())
		}
	}
	proxyContent := map[string]any{}
	raw, _ := json.Marshal(pv)
	_ = json.Unmarshal(raw, &proxyContent)
	delete(proxyContent, "links")
	delete(proxyContent, "policies_config")
	delete(proxyContent, "lock_version")
	delete(proxyContent, "deployed_at")
	delete(proxyContent, "created_at")
	delete(proxyContent, "updated_at")
	proxyContent["policy_chain"] = svc.proxy.policies
	proxyContent["proxy_rules"] = rules
	proxyContent["hosts"] = hosts
	content := map[string]any{
		"id": svc.ID, "account_id": a.ID, "name": svc.Name, "system_name": svc.SystemName,
		"backend_version": svc.BackendVersion, "deployment_option": svc.DeploymentOption,
		"backend_api_configs": backends, "proxy": proxyContent,
	}
	out := map[string]any{}
	raw, _ = json.Marshal(content)
	_ = json.Unmarshal(raw, &out)
	return out
}

// metricInLatestConfigs reports whether a mapping rule of the latest configuration of any
// environment, of any product that can see m, counts m; porta refuses to delete such a metric.
func (st *store) metricInLatestConfigs(a *account, m *metric) bool {
	var services []*service
	if m.ownerType == ownerService {
		if svc, ok := a.services[m.ownerID]; ok {
			services = append(services, svc)
		}
	} else {
		for _, u := range a.usages {
			if u.BackendID == m.ownerID {
				if svc, ok := a.services[u.ServiceID]; ok {
					services = append(services, svc)
				}
			}
		}
	}
	for _, svc := range services {
		for _, configs := range svc.proxy.configs {
			if len(configs) == 0 {
				continue
			}
			latest := configs[len(configs)-1]
			px, _ := latest.Content["proxy"].(map[string]any)
			rules, _ := px["proxy_rules"].([]any)
			for _, r := range rules {
				rule, _ := r.(map[string]any)
				if id, ok := rule["metric_id"].(float64); ok && int64(id) == m.id {
					return true
				}
			}
		}
	}
	return false
}

func showOIDC(q *request) reply {
	svc, ok := q.serviceByPath("service_id")
	if !ok {
		return notFound()
	}
	return okBody(wrap("oidc_configuration", svc.proxy.oidc))
}

func updateOIDC(q *request) reply {
	svc, ok := q.serviceByPath("service_id")
	if !ok {
		return notFound()
	}
	c := &svc.proxy.oidc
	setBool(q, "standard_flow_enabled", &c.StandardFlowEnabled)
	setBool(q, "implicit_flow_enabled", &c.ImplicitFlowEnabled)
	setBool(q, "service_accounts_enabled", &c.ServiceAccountsEnabled)
	setBool(q, "direct_access_grants_enabled", &c.DirectAccessGrantsEnabled)
	return okBody(wrap("oidc_configuration", c))
}

// configEnv reads the environment of the path; porta answers an unknown one with 400.
func configEnv(q *request) (string, *reply) {
	env, ok := environmentOf(q.pathValue("environment"))
	if !ok {
		return "", &reply{status: http.StatusBadRequest, body: errorBody{Error: "invalid environment"}}
	}
	return env, nil
}

// configsByPath finds the product of the path and its configurations in the path's environment,
// oldest first; when it cannot, it returns the answer.
func configsByPath(q *request) (*service, []*proxyConfig, *reply) {
	svc, ok := q.serviceByPath("service_id")
	if !ok {
		r := notFound()
		return nil, nil, &r
	}
	env, bad := configEnv(q)
	if bad != nil {
		return nil, nil, bad
	}
	return svc, svc.proxy.configs[env], nil
}

func listProxyConfigs(q *request) reply {
	_, configs, bad := configsByPath(q)
	if bad != nil {
		return *bad
	}
	return list(q, "proxy_configs", "proxy_config", configs)
}

func latestProxyConfig(q *request) reply {
	_, configs, bad := configsByPath(q)
	if bad != nil {
		return *bad
	}
	if len(configs) == 0 {
		return notFound()
	}
	return okBody(wrap("proxy_config", configs[len(configs)-1]))
}

// configByVersion finds the configuration of the path's environment and version.
func configByVersion(q *request) (*service, *proxyConfig, *reply) {
	svc, configs, bad := configsByPath(q)
	if bad != nil {
		return nil, nil, bad
	}
	version, err := strconv.ParseInt(q.pathValue("version"), 10, 64)
	if err == nil {
		for _, c := range configs {
			if c.Version == version {
				return svc, c, nil
			}
		}
	}
	r := notFound()
	return nil, nil, &r
}

func showProxyConfig(q *request) reply {
	_, c, bad := configByVersion(q)
	if bad != nil {
		return *bad
	}
	return okBody(wrap("proxy_config", c))
}

// promoteProxyConfig copies a configuration to another environment with its version, as
// porta's clone_to does; a version already there fails validation like in porta.
func promoteProxyConfig(q *request) reply {
	svc, c, bad := configByVersion(q)
	if bad != nil {
		return *bad
	}
	to := q.get("to")
	if to == "" {
		return reply{status: http.StatusBadRequest, body: errorBody{Error: "Required parameter missing: to"}}
	}
	if to != envSandbox && to != envProduction {
		return invalid(fieldErrors{}.add("environment", msgNotIncluded))
	}
	for _, o := range svc.proxy.configs[to] {
		if o.Version == c.Version {
			return invalid(fieldErrors{}.add("version", msgTaken))
		}
	}
	clone := &proxyConfig{ID: q.st.id(), Version: c.Version, Environment: to, Content: c.Content, serviceID: svc.ID}
	configs := append(svc.proxy.configs[to], clone)
	slices.SortFunc(configs, func(x, y *proxyConfig) int { return int(x.Version - y.Version) })
	svc.proxy.configs[to] = configs
	return created(wrap("proxy_config", clone))
}

// listAccountProxyConfigs lists the configurations of every product in an environment,
// filtered by host and version ("latest" for the newest of each product) when asked.
func listAccountProxyConfigs(q *request) reply {
	env, bad := configEnv(q)
	if bad != nil {
		return *bad
	}
	host, version := q.get("host"), q.get("version")
	var out []*proxyConfig
	for _, svc := range sortedByID(q.acct.services) {
		configs := svc.proxy.configs[env]
		if version == "latest" && len(configs) > 0 {
			configs = configs[len(configs)-1:]
		}
		for _, c := range configs {
			if version != "" && version != "latest" && strconv.FormatInt(c.Version, 10) != version {
				continue
			}
			if host != "" && !configHasHost(c, host) {
				continue
			}
			out = append(out, c)
		}
	}
	return list(q, "proxy_configs", "proxy_config", out)
}

func configHasHost(c *proxyConfig, host string) bool {
	px, _ := c.Content["proxy"].(map[string]any)
	hosts, _ := px["hosts"].([]any)
	for _, h := range hosts {
		if h == host {
			return true
		}
	}
	return false
}
