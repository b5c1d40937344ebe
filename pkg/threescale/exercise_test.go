package threescale

import (
	"encoding/json"
	"testing"
)

// exerciseEveryOperation calls every operation of the table at least once, successfully, in an
// order that gives each call what it needs. The contract test records and validates the traffic.
// Every parameter a params type has is set somewhere, so every parameter is sent at least once.
func exerciseEveryOperation(t *testing.T, env *testEnv) {
	ctx, c := t.Context(), env.c
	managed := map[string]string{"managed_by": "operator"}

	// Products and their gateway settings.
	p := got(c.CreateProduct(ctx, ProductParams{
		Name: ptr("Contract product"), SystemName: ptr("contract_product"), Description: ptr("d"),
		DeploymentOption: ptr(DeploymentSelfManaged), BackendVersion: ptr(BackendVersionAppID), Annotations: managed,
	})).need(t, "create product")
	_, err := c.ListProducts(ctx)
	check(t, "list products", err)
	_, err = c.GetProduct(ctx, p.ID)
	check(t, "get product", err)
	_, err = c.UpdateProduct(ctx, p.ID, ProductUpdateParams{
		Name: ptr("Contract product 2"), Description: ptr("d2"), DeploymentOption: ptr(DeploymentSelfManaged),
		BackendVersion: ptr(BackendVersionAppID), Annotations: managed,
	})
	check(t, "update product", err)

	_, err = c.GetProxy(ctx, p.ID)
	check(t, "get proxy", err)
	_, err = c.UpdateProxy(ctx, p.ID, ProxyParams{
		Endpoint: ptr("https://api.example.com:443"), SandboxEndpoint: ptr("https://staging.example.com:443"),
		APIBackend: ptr("https://backend.example.com:443"), CredentialsLocation: ptr("headers"),
		AuthAppKey: ptr("app_key"), AuthAppID: ptr("app_id"), AuthUserKey: ptr("user_key"),
		ErrorAuthFailed: ptr("failed"), ErrorAuthMissing: ptr("missing"), ErrorNoMatch: ptr("no match"),
		ErrorLimitsExceeded: ptr("limits"), ErrorStatusAuthFailed: ptr(403), ErrorStatusAuthMissing: ptr(401),
		ErrorStatusNoMatch: ptr(404), ErrorStatusLimitsExceeded: ptr(429),
		ErrorHeadersAuthFailed: ptr("text/plain"), ErrorHeadersAuthMissing: ptr("text/plain"),
		ErrorHeadersNoMatch: ptr("text/plain"), ErrorHeadersLimitsExceeded: ptr("text/plain"),
		SecretToken: ptr("shared-secret"), HostnameRewrite: ptr("backend.internal"),
	})
	check(t, "update proxy", err)
	_, err = c.UpdateProxy(ctx, p.ID, ProxyParams{
		OIDCIssuerEndpoint: ptr("https://client:secret@sso.example.com/auth/realms/r"), OIDCIssuerType: ptr("keycloak"),
		JWTClaimWithClientID: ptr("azp"), JWTClaimWithClientIDType: ptr("plain"),
	})
	check(t, "update proxy OIDC fields", err)
	_, err = c.GetOIDCConfiguration(ctx, p.ID)
	check(t, "get OIDC configuration", err)
	_, err = c.UpdateOIDCConfiguration(ctx, p.ID, OIDCConfigurationParams{
		StandardFlowEnabled: ptr(true), ImplicitFlowEnabled: ptr(false), ServiceAccountsEnabled: ptr(true), DirectAccessGrantsEnabled: ptr(false),
	})
	check(t, "update OIDC configuration", err)
	_, err = c.GetPolicyChain(ctx, p.ID)
	check(t, "get policy chain", err)
	_, err = c.UpdatePolicyChain(ctx, p.ID, []PolicyConfig{
		{Name: "headers", Version: "builtin", Enabled: true, Configuration: json.RawMessage(`{"request":[]}`)},
		{Name: "apicast", Version: "builtin", Enabled: true},
	})
	check(t, "update policy chain", err)
	// Metrics, methods and mapping rules of the product.
	metrics := got(c.ListProductMetrics(ctx, p.ID)).need(t, "list product metrics")
	hits := findMetric(t, metrics, "hits")
	m := got(c.CreateProductMetric(ctx, p.ID, MetricParams{
		FriendlyName: ptr("Bytes"), SystemName: ptr("bytes"), Unit: ptr("byte"), Description: ptr("d"),
	})).need(t, "create product metric")
	_, err = c.GetProductMetric(ctx, p.ID, m.ID)
	check(t, "get product metric", err)
	_, err = c.UpdateProductMetric(ctx, p.ID, m.ID, MetricUpdateParams{FriendlyName: ptr("Bytes 2"), Unit: ptr("kB"), Description: ptr("d2")})
	check(t, "update product metric", err)
	meth := got(c.CreateProductMethod(ctx, p.ID, hits.ID, MethodParams{
		FriendlyName: ptr("Get"), SystemName: ptr("get"), Description: ptr("d"),
	})).need(t, "create product method")
	_, err = c.ListProductMethods(ctx, p.ID, hits.ID)
	check(t, "list product methods", err)
	_, err = c.GetProductMethod(ctx, p.ID, hits.ID, meth.ID)
	check(t, "get product method", err)
	_, err = c.UpdateProductMethod(ctx, p.ID, hits.ID, meth.ID, MethodUpdateParams{FriendlyName: ptr("Get 2"), Description: ptr("d2")})
	check(t, "update product method", err)
	rule := got(c.CreateProductMappingRule(ctx, p.ID, MappingRuleParams{
		HTTPMethod: ptr("GET"), Pattern: ptr("/v1/items/{id}$"), Delta: ptr(int64(1)), MetricID: ptr(meth.ID), Position: ptr(int64(1)), Last: ptr(true),
	})).need(t, "create product mapping rule")
	_, err = c.ListProductMappingRules(ctx, p.ID)
	check(t, "list product mapping rules", err)
	_, err = c.GetProductMappingRule(ctx, p.ID, rule.ID)
	check(t, "get product mapping rule", err)
	_, err = c.UpdateProductMappingRule(ctx, p.ID, rule.ID, MappingRuleParams{Pattern: ptr("/v2/items"), Delta: ptr(int64(2)), MetricID: ptr(hits.ID)})
	check(t, "update product mapping rule", err)

	// Backends, their metrics, methods, mapping rules, and their use by the product.
	b := got(c.CreateBackend(ctx, BackendParams{
		Name: ptr("Contract backend"), SystemName: ptr("contract_backend"), Description: ptr("d"),
		PrivateEndpoint: ptr("https://backend.example.com:443"), Annotations: managed,
	})).need(t, "create backend")
	_, err = c.ListBackends(ctx)
	check(t, "list backends", err)
	_, err = c.GetBackend(ctx, b.ID)
	check(t, "get backend", err)
	_, err = c.UpdateBackend(ctx, b.ID, BackendUpdateParams{
		Name: ptr("Contract backend 2"), Description: ptr("d2"), PrivateEndpoint: ptr("https://backend2.example.com:443"), Annotations: managed,
	})
	check(t, "update backend", err)
	bMetrics := got(c.ListBackendMetrics(ctx, b.ID)).need(t, "list backend metrics")
	bHits := findMetric(t, bMetrics, BackendMetricSystemName("hits", b.ID))
	bm := got(c.CreateBackendMetric(ctx, b.ID, MetricParams{
		FriendlyName: ptr("Bytes"), SystemName: ptr("bytes"), Unit: ptr("byte"), Description: ptr("d"),
	})).need(t, "create backend metric")
	_, err = c.GetBackendMetric(ctx, b.ID, bm.ID)
	check(t, "get backend metric", err)
	_, err = c.UpdateBackendMetric(ctx, b.ID, bm.ID, MetricUpdateParams{FriendlyName: ptr("Bytes 2"), Unit: ptr("kB"), Description: ptr("d2")})
	check(t, "update backend metric", err)
	bMeth := got(c.CreateBackendMethod(ctx, b.ID, bHits.ID, MethodParams{
		FriendlyName: ptr("Get"), SystemName: ptr("get"), Description: ptr("d"),
	})).need(t, "create backend method")
	_, err = c.ListBackendMethods(ctx, b.ID, bHits.ID)
	check(t, "list backend methods", err)
	_, err = c.GetBackendMethod(ctx, b.ID, bHits.ID, bMeth.ID)
	check(t, "get backend method", err)
	_, err = c.UpdateBackendMethod(ctx, b.ID, bHits.ID, bMeth.ID, MethodUpdateParams{FriendlyName: ptr("Get 2"), Description: ptr("d2")})
	check(t, "update backend method", err)
	bRule := got(c.CreateBackendMappingRule(ctx, b.ID, MappingRuleParams{
		HTTPMethod: ptr("POST"), Pattern: ptr("/orders"), Delta: ptr(int64(1)), MetricID: ptr(bHits.ID), Position: ptr(int64(1)), Last: ptr(false),
	})).need(t, "create backend mapping rule")
	_, err = c.ListBackendMappingRules(ctx, b.ID)
	check(t, "list backend mapping rules", err)
	_, err = c.GetBackendMappingRule(ctx, b.ID, bRule.ID)
	check(t, "get backend mapping rule", err)
	_, err = c.UpdateBackendMappingRule(ctx, b.ID, bRule.ID, MappingRuleParams{HTTPMethod: ptr("PUT"), Delta: ptr(int64(3))})
	check(t, "update backend mapping rule", err)
	usage := got(c.CreateBackendUsage(ctx, p.ID, BackendUsageParams{BackendID: ptr(b.ID), Path: ptr("/v1")})).need(t, "create backend usage")
	_, err = c.ListBackendUsages(ctx, p.ID)
	check(t, "list backend usages", err)
	_, err = c.GetBackendUsage(ctx, p.ID, usage.ID)
	check(t, "get backend usage", err)
	_, err = c.UpdateBackendUsage(ctx, p.ID, usage.ID, BackendUsageUpdateParams{Path: ptr("/v2")})
	check(t, "update backend usage", err)

	// Proxy configs: a product deploys once it uses a backend.
	_, err = c.DeployProxy(ctx, p.ID)
	check(t, "deploy proxy", err)
	_, err = c.ListProxyConfigs(ctx, p.ID, EnvironmentSandbox)
	check(t, "list proxy configs", err)
	latest := got(c.GetLatestProxyConfig(ctx, p.ID, EnvironmentSandbox)).need(t, "latest sandbox config")
	_, err = c.GetProxyConfig(ctx, p.ID, EnvironmentSandbox, latest.Version)
	check(t, "get proxy config", err)
	_, err = c.PromoteProxyConfig(ctx, p.ID, EnvironmentSandbox, latest.Version, EnvironmentProduction)
	check(t, "promote proxy config", err)

	// Application plans, limits and pricing rules.
	plan := got(c.CreateApplicationPlan(ctx, p.ID, ApplicationPlanParams{
		Name: ptr("Basic"), SystemName: ptr("basic"), ApprovalRequired: ptr(false), CostPerMonth: ptr("10.00"),
		SetupFee: ptr("1.50"), TrialPeriodDays: ptr(int64(7)), StateEvent: ptr(PlanEventPublish),
	})).need(t, "create plan")
	approval := got(c.CreateApplicationPlan(ctx, p.ID, ApplicationPlanParams{
		Name: ptr("Gold"), SystemName: ptr("gold"), ApprovalRequired: ptr(true),
	})).need(t, "create plan requiring approval")
	_, err = c.ListApplicationPlans(ctx, p.ID)
	check(t, "list plans", err)
	_, err = c.GetApplicationPlan(ctx, p.ID, plan.ID)
	check(t, "get plan", err)
	_, err = c.UpdateApplicationPlan(ctx, p.ID, approval.ID, ApplicationPlanUpdateParams{
		Name: ptr("Gold 2"), ApprovalRequired: ptr(true), CostPerMonth: ptr("20.00"), SetupFee: ptr("0"),
		TrialPeriodDays: ptr(int64(0)), StateEvent: ptr(PlanEventPublish),
	})
	check(t, "update plan", err)
	_, err = c.SetDefaultApplicationPlan(ctx, p.ID, plan.ID)
	check(t, "set default plan", err)
	limit := got(c.CreateLimit(ctx, plan.ID, hits.ID, LimitParams{Period: PeriodMonth, Value: 1000})).need(t, "create limit")
	_, err = c.ListPlanLimits(ctx, plan.ID)
	check(t, "list plan limits", err)
	_, err = c.ListPlanMetricLimits(ctx, plan.ID, hits.ID)
	check(t, "list plan metric limits", err)
	_, err = c.GetLimit(ctx, plan.ID, hits.ID, limit.ID)
	check(t, "get limit", err)
	_, err = c.UpdateLimit(ctx, plan.ID, hits.ID, limit.ID, LimitParams{Period: PeriodDay, Value: 50})
	check(t, "update limit", err)
	pr := got(c.CreatePricingRule(ctx, plan.ID, hits.ID, PricingRuleParams{
		Min: ptr(int64(1)), Max: ptr(int64(100)), CostPerUnit: ptr("0.50"),
	})).need(t, "create pricing rule")
	_, err = c.ListPlanPricingRules(ctx, plan.ID)
	check(t, "list plan pricing rules", err)
	_, err = c.ListPlanMetricPricingRules(ctx, plan.ID, hits.ID)
	check(t, "list plan metric pricing rules", err)

	// ActiveDocs.
	doc := got(c.CreateActiveDoc(ctx, ActiveDocParams{
		Name: ptr("Contract doc"), SystemName: ptr("contract_doc"), ServiceID: ptr(p.ID), Body: ptr(testOpenAPI),
		Description: ptr("d"), Published: ptr(false), SkipSwaggerValidations: ptr(true),
	})).need(t, "create ActiveDoc")
	_, err = c.ListActiveDocs(ctx)
	check(t, "list ActiveDocs", err)
	_, err = c.GetActiveDoc(ctx, doc.ID)
	check(t, "get ActiveDoc", err)
	_, err = c.UpdateActiveDoc(ctx, doc.ID, ActiveDocUpdateParams{
		Name: ptr("Contract doc 2"), ServiceID: BindTo(p.ID), Body: ptr(testOpenAPI), Description: ptr("d2"),
		Published: ptr(true), SkipSwaggerValidations: ptr(false),
	})
	check(t, "update ActiveDoc", err)
	_, err = c.UpdateActiveDoc(ctx, doc.ID, ActiveDocUpdateParams{ServiceID: Unbound()})
	check(t, "unbind ActiveDoc", err)

	// Developer accounts, users, applications and keys.
	acct := got(c.Signup(ctx, SignupParams{
		OrgName: ptr("Contract org"), Username: ptr("contract"), Email: ptr("contract@example.com"), Password: ptr("pa55word!"),
		Annotations: managed,
	})).need(t, "signup")
	_, err = c.ListAccounts(ctx, AccountFilter{State: ptr(AccountStateApproved)})
	check(t, "list accounts", err)
	_, err = c.GetAccount(ctx, acct.ID)
	check(t, "get account", err)
	_, err = c.FindAccount(ctx, FindAccountParams{Username: ptr("contract")})
	check(t, "find account by username", err)
	_, err = c.FindAccount(ctx, FindAccountParams{Email: ptr("contract@example.com")})
	check(t, "find account by email", err)
	_, err = c.UpdateAccount(ctx, acct.ID, AccountParams{
		OrgName: ptr("Contract org 2"), MonthlyBillingEnabled: ptr(false), MonthlyChargingEnabled: ptr(false), Annotations: managed,
	})
	check(t, "update account", err)
	pending := got(c.Signup(ctx, SignupParams{
		OrgName: ptr("Pending org"), Username: ptr("pending"), Email: ptr("pending@example.com"), Password: ptr("pa55word!"),
		AccountPlanID: nil, ServicePlanID: nil, ApplicationPlanID: ptr(plan.ID),
	})).need(t, "signup of an account to approve")
	_, err = c.MakeAccountPending(ctx, pending.ID)
	check(t, "make account pending", err)
	_, err = c.ApproveAccount(ctx, pending.ID)
	check(t, "approve account", err)

	_, err = c.ListUsers(ctx, acct.ID, UserFilter{State: ptr(UserStateActive), Role: ptr(UserRoleAdmin)})
	check(t, "list users", err)
	u := got(c.CreateUser(ctx, acct.ID, UserParams{Username: ptr("member"), Email: ptr("member@example.com"), Password: ptr("pa55word!")})).need(t, "create user")
	_, err = c.GetUser(ctx, acct.ID, u.ID)
	check(t, "get user", err)
	_, err = c.UpdateUser(ctx, acct.ID, u.ID, UserParams{Email: ptr("member2@example.com")})
	check(t, "update user", err)
	_, err = c.ActivateUser(ctx, acct.ID, u.ID)
	check(t, "activate user", err)
	_, err = c.MakeUserAdmin(ctx, acct.ID, u.ID)
	check(t, "make user admin", err)
	_, err = c.MakeUserMember(ctx, acct.ID, u.ID)
	check(t, "make user member", err)
	_, err = c.SuspendUser(ctx, acct.ID, u.ID)
	check(t, "suspend user", err)
	_, err = c.UnsuspendUser(ctx, acct.ID, u.ID)
	check(t, "unsuspend user", err)

	app := got(c.CreateApplication(ctx, acct.ID, ApplicationParams{
		PlanID: ptr(plan.ID), Name: ptr("Contract app"), Description: ptr("d"), ApplicationID: ptr("contract-app-id"),
		ApplicationKey: ptr("contract-app-key"), RedirectURL: ptr("https://app.example.com/cb"),
	})).need(t, "create application")
	keyApp := got(c.CreateApplication(ctx, acct.ID, ApplicationParams{
		PlanID: ptr(approval.ID), Name: ptr("Pending app"), Description: ptr("d"), UserKey: ptr("contract-user-key"),
	})).need(t, "create application with a user key")
	_, err = c.AcceptApplication(ctx, acct.ID, keyApp.ID)
	check(t, "accept application", err)
	_, err = c.ListApplications(ctx, ApplicationFilter{ServiceID: ptr(p.ID), PlanID: ptr(plan.ID)})
	check(t, "list applications", err)
	_, err = c.ListAccountApplications(ctx, acct.ID)
	check(t, "list account applications", err)
	_, err = c.GetApplication(ctx, acct.ID, app.ID)
	check(t, "get application", err)
	_, err = c.UpdateApplication(ctx, acct.ID, app.ID, ApplicationUpdateParams{
		Name: ptr("Contract app 2"), Description: ptr("d2"), RedirectURL: ptr("https://app.example.com/cb2"), UserKey: ptr("contract-user-key-2"),
	})
	check(t, "update application", err)
	_, err = c.ChangeApplicationPlan(ctx, acct.ID, app.ID, approval.ID)
	check(t, "change application plan", err)
	_, err = c.SuspendApplication(ctx, acct.ID, app.ID)
	check(t, "suspend application", err)
	_, err = c.ResumeApplication(ctx, acct.ID, app.ID)
	check(t, "resume application", err)
	_, err = c.CreateApplicationKey(ctx, acct.ID, app.ID, "second-key-1")
	check(t, "create application key", err)
	_, err = c.ListApplicationKeys(ctx, acct.ID, app.ID)
	check(t, "list application keys", err)
	check(t, "delete application key", c.DeleteApplicationKey(ctx, acct.ID, app.ID, "second-key-1"))

	// Custom policies.
	pol := got(c.CreateCustomPolicy(ctx, CustomPolicyParams{
		Name: ptr("contract-policy"), Version: ptr("0.1.0"), Schema: json.RawMessage(testPolicySchema),
	})).need(t, "create custom policy")
	_, err = c.ListCustomPolicies(ctx)
	check(t, "list custom policies", err)
	_, err = c.GetCustomPolicy(ctx, pol.ID)
	check(t, "get custom policy", err)
	_, err = c.UpdateCustomPolicy(ctx, pol.ID, CustomPolicyParams{Version: ptr("0.1.0"), Schema: json.RawMessage(testPolicySchema)})
	check(t, "update custom policy", err)

	// Tenants, through the Master API.
	tenant := got(env.master.CreateTenant(ctx, TenantParams{
		OrgName: ptr("Contract tenant"), Username: ptr("admin"), Email: ptr("admin@contract.example.com"), Password: ptr("pa55word!"),
		Annotations: managed,
	})).need(t, "create tenant")
	_, err = env.master.GetTenant(ctx, tenant.Account.ID)
	check(t, "get tenant", err)
	_, err = env.master.UpdateTenant(ctx, tenant.Account.ID, TenantUpdateParams{
		FromEmail: ptr("no-reply@contract.example.com"), SupportEmail: ptr("support@contract.example.com"),
		FinanceSupportEmail: ptr("finance@contract.example.com"), SiteAccessCode: ptr("code"), Annotations: managed,
	})
	check(t, "update tenant", err)
	// A new access token for the tenant's admin, made with the tenant's provider key (the user key
	// of its application in the master account).
	providerApps := got(env.master.ListAccountApplications(ctx, tenant.Account.ID)).need(t, "list the tenant's applications in the master account")
	if len(providerApps) != 1 || providerApps[0].UserKey == "" {
		t.Fatalf("the tenant's applications in the master account: %+v, want one with a user key", providerApps)
	}
	admins := got(env.master.ListUsers(ctx, tenant.Account.ID, UserFilter{})).need(t, "list the tenant's users")
	byKey := got(New(tenant.Account.AdminBaseURL, providerApps[0].UserKey, env.opts...)).need(t, "client with the provider key")
	_, err = byKey.GetProviderUser(ctx, admins[0].ID)
	check(t, "get provider user", err)
	tok := got(byKey.CreateAccessToken(ctx, admins[0].ID, AccessTokenParams{
		Name: ptr("operator"), Permission: ptr("rw"), Scopes: []string{"account_management", "policy_registry"},
	})).need(t, "create access token")
	byToken := got(New(tenant.Account.AdminBaseURL, tok.Value, env.opts...)).need(t, "client with the new token")
	_, err = byToken.GetProviderUser(ctx, admins[0].ID)
	check(t, "get provider user with the new token", err)
	_, err = env.master.UpdateTenant(ctx, tenant.Account.ID, TenantUpdateParams{StateEvent: ptr("suspend")})
	check(t, "update tenant state", err)

	// Deletions, children first.
	check(t, "delete custom policy", c.DeleteCustomPolicy(ctx, pol.ID))
	check(t, "delete application", c.DeleteApplication(ctx, acct.ID, app.ID))
	check(t, "delete application with a user key", c.DeleteApplication(ctx, acct.ID, keyApp.ID))
	check(t, "delete user", c.DeleteUser(ctx, acct.ID, u.ID))
	check(t, "delete account", c.DeleteAccount(ctx, pending.ID))
	check(t, "delete ActiveDoc", c.DeleteActiveDoc(ctx, doc.ID))
	check(t, "delete pricing rule", c.DeletePricingRule(ctx, plan.ID, hits.ID, pr.ID))
	check(t, "delete limit", c.DeleteLimit(ctx, plan.ID, hits.ID, limit.ID))
	check(t, "delete plan", c.DeleteApplicationPlan(ctx, p.ID, approval.ID))
	check(t, "delete backend usage", c.DeleteBackendUsage(ctx, p.ID, usage.ID))
	check(t, "delete backend mapping rule", c.DeleteBackendMappingRule(ctx, b.ID, bRule.ID))
	check(t, "delete backend method", c.DeleteBackendMethod(ctx, b.ID, bHits.ID, bMeth.ID))
	check(t, "delete backend metric", c.DeleteBackendMetric(ctx, b.ID, bm.ID))
	check(t, "delete backend", c.DeleteBackend(ctx, b.ID))
	check(t, "delete product mapping rule", c.DeleteProductMappingRule(ctx, p.ID, rule.ID))
	check(t, "delete product method", c.DeleteProductMethod(ctx, p.ID, hits.ID, meth.ID))
	check(t, "delete product metric", c.DeleteProductMetric(ctx, p.ID, m.ID))
	check(t, "delete product", c.DeleteProduct(ctx, p.ID))
	check(t, "delete tenant", env.master.DeleteTenant(ctx, tenant.Account.ID))
}

// testOpenAPI is a minimal OpenAPI document for ActiveDocs.
const testOpenAPI = `{"openapi":"3.0.2","info":{"title":"Echo","version":"1.0.0"},"paths":{"/echo":{"get":{"responses":{"200":{"description":"ok"}}}}}}`

// testPolicySchema is a minimal APIcast policy manifest.
const testPolicySchema = `{"$schema":"http://apicast.io/policy-v1/schema#manifest#","name":"contract-policy","version":"0.1.0","summary":"A policy of the contract test","configuration":{"type":"object","properties":{}}}`
