package threescale

// The table of every operation the Client calls. Keys follow the seam with the in-memory 3scale
// and the contract test: "<METHOD> <path template>" exactly as 3scale's API description spells
// the path, with .json for .xml.
//
// Paginated is set where the description documents page and per_page (or, noted in Undocumented,
// where 3scale's source paginates anyway). Wrap, List and Item follow 3scale's representers
// (3scale/porta app/representers).

const (
	// Undocumented-parameter reasons, each pointing at 3scale's source.
	whyServiceAnnotations = "porta Admin::Api::ServicesController permits annotations: {} (3scale 2.15+); the Red Hat operator sends annotations[managed_by]=operator"
	whyBackendAnnotations = "porta Admin::Api::BackendApisController DEFAULT_PARAMS permits annotations: {}"
	whySignupAnnotations  = "porta Admin::Api::SignupsController#account_params permits annotations: {}"
	whyAccountAnnotations = "porta Admin::Api::AccountsController#update applies every flattened parameter; accounts carry annotations"
	whyTenantAnnotations  = "porta Master::Api::ProvidersController UPDATE_PARAMS permits annotations: {}"
	whyProxyParams        = "porta Admin::Api::Services::ProxiesController#proxy_params permits it"
	whyPlanSystemName     = "porta Admin::Api::ApplicationPlansController#application_plan_create_params permits system_name"
	whyUsagesPaginated    = "porta Admin::Api::Services::BackendUsagesController paginates index (paginate only: :index)"
)

var pagination = map[string]string{"page": whyUsagesPaginated, "per_page": whyUsagesPaginated}

// Products (services).
var (
	opListProducts  = def("GET /admin/api/services.json", nil, operation{UniqueKeys: true, Collection: "products", Paginated: true, List: "services", Item: "service"})
	opCreateProduct = def("POST /admin/api/services.json", ProductParams{}, operation{Collection: "products", Wrap: "service",
		Undocumented: map[string]string{"annotations[*]": whyServiceAnnotations}})
	opGetProduct    = def("GET /admin/api/services/{id}.json", nil, operation{Wrap: "service"})
	opUpdateProduct = def("PUT /admin/api/services/{id}.json", ProductUpdateParams{}, operation{Collection: "products", Wrap: "service",
		Undocumented: map[string]string{"annotations[*]": whyServiceAnnotations}})
	opDeleteProduct = def("DELETE /admin/api/services/{id}.json", nil, operation{Collection: "products"})
)

// Proxy, OIDC, policy chain, proxy configs.
var (
	opGetProxy    = def("GET /admin/api/services/{service_id}/proxy.json", nil, operation{Wrap: "proxy"})
	opUpdateProxy = def("PATCH /admin/api/services/{service_id}/proxy.json", ProxyParams{}, operation{Wrap: "proxy",
		Undocumented: map[string]string{
			"secret_token":           whyProxyParams,
			"hostname_rewrite":       whyProxyParams,
			"error_headers_no_match": whyProxyParams,
		}})
	opDeployProxy             = def("POST /admin/api/services/{service_id}/proxy/deploy.json", nil, operation{Wrap: "proxy"})
	opGetOIDCConfiguration    = def("GET /admin/api/services/{service_id}/proxy/oidc_configuration.json", nil, operation{Wrap: "oidc_configuration"})
	opUpdateOIDCConfiguration = def("PATCH /admin/api/services/{service_id}/proxy/oidc_configuration.json", OIDCConfigurationParams{}, operation{Wrap: "oidc_configuration"})
	opGetPolicyChain          = def("GET /admin/api/services/{service_id}/proxy/policies.json", nil, operation{List: "policies_config"})
	opUpdatePolicyChain       = def("PUT /admin/api/services/{service_id}/proxy/policies.json", policyChainParams{}, operation{List: "policies_config"})
	opListProxyConfigs        = def("GET /admin/api/services/{service_id}/proxy/configs/{environment}.json", nil, operation{List: "proxy_configs", Item: "proxy_config"})
	opGetLatestProxyConfig    = def("GET /admin/api/services/{service_id}/proxy/configs/{environment}/latest.json", nil, operation{Wrap: "proxy_config"})
	opGetProxyConfig          = def("GET /admin/api/services/{service_id}/proxy/configs/{environment}/{version}.json", nil, operation{Wrap: "proxy_config"})
	opPromoteProxyConfig      = def("POST /admin/api/services/{service_id}/proxy/configs/{environment}/{version}/promote.json", promoteParams{}, operation{Wrap: "proxy_config"})
)

// Metrics and methods of products.
var (
	opListProductMetrics  = def("GET /admin/api/services/{service_id}/metrics.json", nil, operation{List: "metrics", Item: "metric"})
	opCreateProductMetric = def("POST /admin/api/services/{service_id}/metrics.json", MetricParams{}, operation{Wrap: "metric"})
	opGetProductMetric    = def("GET /admin/api/services/{service_id}/metrics/{id}.json", nil, operation{Wrap: "metric"})
	opUpdateProductMetric = def("PUT /admin/api/services/{service_id}/metrics/{id}.json", MetricUpdateParams{}, operation{Wrap: "metric"})
	opDeleteProductMetric = def("DELETE /admin/api/services/{service_id}/metrics/{id}.json", nil, operation{})
	opListProductMethods  = def("GET /admin/api/services/{service_id}/metrics/{metric_id}/methods.json", nil, operation{List: "methods", Item: "method"})
	opCreateProductMethod = def("POST /admin/api/services/{service_id}/metrics/{metric_id}/methods.json", MethodParams{}, operation{Wrap: "method"})
	opGetProductMethod    = def("GET /admin/api/services/{service_id}/metrics/{metric_id}/methods/{id}.json", nil, operation{Wrap: "method"})
	opUpdateProductMethod = def("PUT /admin/api/services/{service_id}/metrics/{metric_id}/methods/{id}.json", MethodUpdateParams{}, operation{Wrap: "method"})
	opDeleteProductMethod = def("DELETE /admin/api/services/{service_id}/metrics/{metric_id}/methods/{id}.json", nil, operation{})
)

// Mapping rules of products.
var (
	opListProductMappingRules  = def("GET /admin/api/services/{service_id}/proxy/mapping_rules.json", nil, operation{List: "mapping_rules", Item: "mapping_rule"})
	opCreateProductMappingRule = def("POST /admin/api/services/{service_id}/proxy/mapping_rules.json", MappingRuleParams{}, operation{Wrap: "mapping_rule"})
	opGetProductMappingRule    = def("GET /admin/api/services/{service_id}/proxy/mapping_rules/{id}.json", nil, operation{Wrap: "mapping_rule"})
	opUpdateProductMappingRule = def("PATCH /admin/api/services/{service_id}/proxy/mapping_rules/{id}.json", MappingRuleParams{}, operation{Wrap: "mapping_rule"})
	opDeleteProductMappingRule = def("DELETE /admin/api/services/{service_id}/proxy/mapping_rules/{id}.json", nil, operation{})
)

// Backends and their metrics, methods and mapping rules.
var (
	opListBackends  = def("GET /admin/api/backend_apis.json", nil, operation{UniqueKeys: true, Collection: "backends", Paginated: true, List: "backend_apis", Item: "backend_api"})
	opCreateBackend = def("POST /admin/api/backend_apis.json", BackendParams{}, operation{Collection: "backends", Wrap: "backend_api",
		Undocumented: map[string]string{"annotations[*]": whyBackendAnnotations}})
	opGetBackend    = def("GET /admin/api/backend_apis/{id}.json", nil, operation{Wrap: "backend_api"})
	opUpdateBackend = def("PUT /admin/api/backend_apis/{id}.json", BackendUpdateParams{}, operation{Collection: "backends", Wrap: "backend_api",
		Undocumented: map[string]string{"annotations[*]": whyBackendAnnotations}})
	opDeleteBackend = def("DELETE /admin/api/backend_apis/{id}.json", nil, operation{Collection: "backends"})

	opListBackendMetrics  = def("GET /admin/api/backend_apis/{backend_api_id}/metrics.json", nil, operation{Paginated: true, List: "metrics", Item: "metric"})
	opCreateBackendMetric = def("POST /admin/api/backend_apis/{backend_api_id}/metrics.json", MetricParams{}, operation{Wrap: "metric"})
	opGetBackendMetric    = def("GET /admin/api/backend_apis/{backend_api_id}/metrics/{id}.json", nil, operation{Wrap: "metric"})
	opUpdateBackendMetric = def("PUT /admin/api/backend_apis/{backend_api_id}/metrics/{id}.json", MetricUpdateParams{}, operation{Wrap: "metric"})
	opDeleteBackendMetric = def("DELETE /admin/api/backend_apis/{backend_api_id}/metrics/{id}.json", nil, operation{})
	opListBackendMethods  = def("GET /admin/api/backend_apis/{backend_api_id}/metrics/{metric_id}/methods.json", nil, operation{Paginated: true, List: "methods", Item: "method"})
	opCreateBackendMethod = def("POST /admin/api/backend_apis/{backend_api_id}/metrics/{metric_id}/methods.json", MethodParams{}, operation{Wrap: "method"})
	opGetBackendMethod    = def("GET /admin/api/backend_apis/{backend_api_id}/metrics/{metric_id}/methods/{id}.json", nil, operation{Wrap: "method"})
	opUpdateBackendMethod = def("PUT /admin/api/backend_apis/{backend_api_id}/metrics/{metric_id}/methods/{id}.json", MethodUpdateParams{}, operation{Wrap: "method"})
	opDeleteBackendMethod = def("DELETE /admin/api/backend_apis/{backend_api_id}/metrics/{metric_id}/methods/{id}.json", nil, operation{})

	opListBackendMappingRules  = def("GET /admin/api/backend_apis/{backend_api_id}/mapping_rules.json", nil, operation{Paginated: true, List: "mapping_rules", Item: "mapping_rule"})
	opCreateBackendMappingRule = def("POST /admin/api/backend_apis/{backend_api_id}/mapping_rules.json", MappingRuleParams{}, operation{Wrap: "mapping_rule"})
	opGetBackendMappingRule    = def("GET /admin/api/backend_apis/{backend_api_id}/mapping_rules/{id}.json", nil, operation{Wrap: "mapping_rule"})
	opUpdateBackendMappingRule = def("PUT /admin/api/backend_apis/{backend_api_id}/mapping_rules/{id}.json", MappingRuleParams{}, operation{Wrap: "mapping_rule"})
	opDeleteBackendMappingRule = def("DELETE /admin/api/backend_apis/{backend_api_id}/mapping_rules/{id}.json", nil, operation{})
)

// Backend usages. The list is a bare array of wrapped items, as 3scale renders it.
var (
	opListBackendUsages  = def("GET /admin/api/services/{service_id}/backend_usages.json", nil, operation{Paginated: true, Item: "backend_usage", Undocumented: pagination})
	opCreateBackendUsage = def("POST /admin/api/services/{service_id}/backend_usages.json", BackendUsageParams{}, operation{Wrap: "backend_usage"})
	opGetBackendUsage    = def("GET /admin/api/services/{service_id}/backend_usages/{id}.json", nil, operation{Wrap: "backend_usage"})
	opUpdateBackendUsage = def("PUT /admin/api/services/{service_id}/backend_usages/{id}.json", BackendUsageUpdateParams{}, operation{Wrap: "backend_usage"})
	opDeleteBackendUsage = def("DELETE /admin/api/services/{service_id}/backend_usages/{id}.json", nil, operation{})
)

// Application plans, limits and pricing rules.
var (
	opListApplicationPlans  = def("GET /admin/api/services/{service_id}/application_plans.json", nil, operation{List: "plans", Item: "application_plan"})
	opCreateApplicationPlan = def("POST /admin/api/services/{service_id}/application_plans.json", ApplicationPlanParams{}, operation{Wrap: "application_plan",
		Undocumented: map[string]string{"system_name": whyPlanSystemName}})
	opGetApplicationPlan        = def("GET /admin/api/services/{service_id}/application_plans/{id}.json", nil, operation{Wrap: "application_plan"})
	opUpdateApplicationPlan     = def("PUT /admin/api/services/{service_id}/application_plans/{id}.json", ApplicationPlanUpdateParams{}, operation{Wrap: "application_plan"})
	opDeleteApplicationPlan     = def("DELETE /admin/api/services/{service_id}/application_plans/{id}.json", nil, operation{})
	opSetDefaultApplicationPlan = def("PUT /admin/api/services/{service_id}/application_plans/{id}/default.json", nil, operation{Wrap: "application_plan"})

	opListPlanLimits       = def("GET /admin/api/application_plans/{application_plan_id}/limits.json", nil, operation{Paginated: true, List: "limits", Item: "limit"})
	opListPlanMetricLimits = def("GET /admin/api/application_plans/{application_plan_id}/metrics/{metric_id}/limits.json", nil, operation{List: "limits", Item: "limit"})
	opCreateLimit          = def("POST /admin/api/application_plans/{application_plan_id}/metrics/{metric_id}/limits.json", LimitParams{}, operation{Wrap: "limit"})
	opGetLimit             = def("GET /admin/api/application_plans/{application_plan_id}/metrics/{metric_id}/limits/{id}.json", nil, operation{Wrap: "limit"})
	opUpdateLimit          = def("PUT /admin/api/application_plans/{application_plan_id}/metrics/{metric_id}/limits/{id}.json", LimitParams{}, operation{Wrap: "limit"})
	opDeleteLimit          = def("DELETE /admin/api/application_plans/{application_plan_id}/metrics/{metric_id}/limits/{id}.json", nil, operation{})

	opListPlanPricingRules       = def("GET /admin/api/application_plans/{application_plan_id}/pricing_rules.json", nil, operation{List: "pricing_rules", Item: "pricing_rule"})
	opListPlanMetricPricingRules = def("GET /admin/api/application_plans/{application_plan_id}/metrics/{metric_id}/pricing_rules.json", nil, operation{List: "pricing_rules", Item: "pricing_rule"})
	opCreatePricingRule          = def("POST /admin/api/application_plans/{application_plan_id}/metrics/{metric_id}/pricing_rules.json", PricingRuleParams{}, operation{Wrap: "pricing_rule"})
	opDeletePricingRule          = def("DELETE /admin/api/application_plans/{application_plan_id}/metrics/{metric_id}/pricing_rules/{id}.json", nil, operation{})
)

// ActiveDocs.
var (
	opListActiveDocs  = def("GET /admin/api/active_docs.json", nil, operation{UniqueKeys: true, Collection: "activedocs", List: "api_docs", Item: "api_doc"})
	opCreateActiveDoc = def("POST /admin/api/active_docs.json", ActiveDocParams{}, operation{Collection: "activedocs", Wrap: "api_doc"})
	opGetActiveDoc    = def("GET /admin/api/active_docs/{id}.json", nil, operation{Wrap: "api_doc"})
	opUpdateActiveDoc = def("PUT /admin/api/active_docs/{id}.json", ActiveDocUpdateParams{}, operation{Collection: "activedocs", Wrap: "api_doc"})
	opDeleteActiveDoc = def("DELETE /admin/api/active_docs/{id}.json", nil, operation{Collection: "activedocs"})
)

// Developer accounts and their users.
var (
	opSignup = def("POST /admin/api/signup.json", SignupParams{}, operation{Collection: "accounts", Wrap: "account",
		Undocumented: map[string]string{"annotations[*]": whySignupAnnotations}})
	opListAccounts  = def("GET /admin/api/accounts.json", AccountFilter{}, operation{Collection: "accounts", Paginated: true, List: "accounts", Item: "account"})
	opFindAccount   = def("GET /admin/api/accounts/find.json", FindAccountParams{}, operation{Wrap: "account"})
	opGetAccount    = def("GET /admin/api/accounts/{id}.json", nil, operation{Wrap: "account"})
	opUpdateAccount = def("PUT /admin/api/accounts/{id}.json", AccountParams{}, operation{Collection: "accounts", Wrap: "account",
		Undocumented: map[string]string{"annotations[*]": whyAccountAnnotations}})
	opDeleteAccount      = def("DELETE /admin/api/accounts/{id}.json", nil, operation{Collection: "accounts"})
	opApproveAccount     = def("PUT /admin/api/accounts/{id}/approve.json", nil, operation{Collection: "accounts", Wrap: "account"})
	opMakeAccountPending = def("PUT /admin/api/accounts/{id}/make_pending.json", nil, operation{Collection: "accounts", Wrap: "account"})

	opListUsers      = def("GET /admin/api/accounts/{account_id}/users.json", UserFilter{}, operation{List: "users", Item: "user"})
	opCreateUser     = def("POST /admin/api/accounts/{account_id}/users.json", UserParams{}, operation{Wrap: "user"})
	opGetUser        = def("GET /admin/api/accounts/{account_id}/users/{id}.json", nil, operation{Wrap: "user"})
	opUpdateUser     = def("PUT /admin/api/accounts/{account_id}/users/{id}.json", UserParams{}, operation{Wrap: "user"})
	opDeleteUser     = def("DELETE /admin/api/accounts/{account_id}/users/{id}.json", nil, operation{})
	opActivateUser   = def("PUT /admin/api/accounts/{account_id}/users/{id}/activate.json", nil, operation{Wrap: "user"})
	opMakeUserAdmin  = def("PUT /admin/api/accounts/{account_id}/users/{id}/admin.json", nil, operation{Wrap: "user"})
	opMakeUserMember = def("PUT /admin/api/accounts/{account_id}/users/{id}/member.json", nil, operation{Wrap: "user"})
	opSuspendUser    = def("PUT /admin/api/accounts/{account_id}/users/{id}/suspend.json", nil, operation{Wrap: "user"})
	opUnsuspendUser  = def("PUT /admin/api/accounts/{account_id}/users/{id}/unsuspend.json", nil, operation{Wrap: "user"})
)

// Applications and their keys.
var (
	opListApplications        = def("GET /admin/api/applications.json", ApplicationFilter{}, operation{Paginated: true, List: "applications", Item: "application"})
	opListAccountApplications = def("GET /admin/api/accounts/{account_id}/applications.json", nil, operation{List: "applications", Item: "application"})
	opCreateApplication       = def("POST /admin/api/accounts/{account_id}/applications.json", ApplicationParams{}, operation{Wrap: "application"})
	opGetApplication          = def("GET /admin/api/accounts/{account_id}/applications/{id}.json", nil, operation{Wrap: "application"})
	opUpdateApplication       = def("PUT /admin/api/accounts/{account_id}/applications/{id}.json", ApplicationUpdateParams{}, operation{Wrap: "application"})
	opDeleteApplication       = def("DELETE /admin/api/accounts/{account_id}/applications/{id}.json", nil, operation{})
	opAcceptApplication       = def("PUT /admin/api/accounts/{account_id}/applications/{id}/accept.json", nil, operation{Wrap: "application"})
	opChangeApplicationPlan   = def("PUT /admin/api/accounts/{account_id}/applications/{id}/change_plan.json", changePlanParams{}, operation{Wrap: "application_plan"})
	opSuspendApplication      = def("PUT /admin/api/accounts/{account_id}/applications/{id}/suspend.json", nil, operation{Wrap: "application"})
	opResumeApplication       = def("PUT /admin/api/accounts/{account_id}/applications/{id}/resume.json", nil, operation{Wrap: "application"})

	opListApplicationKeys  = def("GET /admin/api/accounts/{account_id}/applications/{application_id}/keys.json", nil, operation{List: "keys", Item: "key"})
	opCreateApplicationKey = def("POST /admin/api/accounts/{account_id}/applications/{application_id}/keys.json", applicationKeyParams{}, operation{Wrap: "application"})
	opDeleteApplicationKey = def("DELETE /admin/api/accounts/{account_id}/applications/{application_id}/keys/{key}.json", nil, operation{Sensitive: []string{"key"}})
)

// Tenants (Master API). Every answer is a signup result: {"signup": {"account", "access_token"}}.
var (
	opCreateTenant = def("POST /master/api/providers.json", TenantParams{}, operation{Collection: "accounts", Wrap: "signup",
		Undocumented: map[string]string{"annotations[*]": whyTenantAnnotations}})
	opGetTenant    = def("GET /master/api/providers/{id}.json", nil, operation{Wrap: "signup"})
	opUpdateTenant = def("PUT /master/api/providers/{id}.json", TenantUpdateParams{}, operation{Collection: "accounts", Wrap: "signup",
		Undocumented: map[string]string{"annotations[*]": whyTenantAnnotations}})
	opDeleteTenant = def("DELETE /master/api/providers/{id}.json", nil, operation{Collection: "accounts"})
)

// A provider account's own users and their access tokens (on the tenant's admin domain).
var (
	opGetProviderUser   = def("GET /admin/api/users/{id}.json", nil, operation{Wrap: "user"})
	opCreateAccessToken = def("POST /admin/api/users/{user_id}/access_tokens.json", AccessTokenParams{}, operation{Wrap: "access_token"})
)

// Custom policies (Policy Registry API).
var (
	opListCustomPolicies = def("GET /admin/api/registry/policies.json", nil, operation{UniqueKeys: true, Collection: "policies", List: "policies", Item: "policy"})
	opCreateCustomPolicy = def("POST /admin/api/registry/policies.json", CustomPolicyParams{}, operation{Collection: "policies", Wrap: "policy"})
	opGetCustomPolicy    = def("GET /admin/api/registry/policies/{id}.json", nil, operation{Wrap: "policy"})
	opUpdateCustomPolicy = def("PUT /admin/api/registry/policies/{id}.json", CustomPolicyParams{}, operation{Collection: "policies", Wrap: "policy"})
	opDeleteCustomPolicy = def("DELETE /admin/api/registry/policies/{id}.json", nil, operation{Collection: "policies"})
)
