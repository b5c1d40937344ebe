package threescale

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestTenantsThroughTheMasterAPI(t *testing.T) {
	env := newTestEnv(t)
	ctx := t.Context()
	tenant := got(env.master.CreateTenant(ctx, TenantParams{
		OrgName: ptr("Beta Corp"), Username: ptr("admin"), Email: ptr("admin@beta.example.com"), Password: ptr("pa55word!"),
		Annotations: map[string]string{"managed_by": "operator"},
	})).need(t, "create tenant")
	if tenant.Account.OrgName != "Beta Corp" || tenant.AccessToken == nil || tenant.AccessToken.Value == "" {
		t.Fatalf("tenant = %+v, want the account and an access token", tenant)
	}
	if tenant.Account.AdminBaseURL == "" {
		t.Fatalf("tenant has no admin base URL: %+v", tenant.Account)
	}

	// The new tenant's token works against the new tenant's admin URL, and only there.
	tc := got(New(tenant.Account.AdminBaseURL, tenant.AccessToken.Value, WithMetricsRegisterer(prometheus.NewRegistry()))).need(t, "tenant client")
	if _, err := tc.ListProducts(ctx); err != nil {
		t.Errorf("new tenant lists its products: %v", err)
	}
	elsewhere := got(New(env.tenant.AdminURL, tenant.AccessToken.Value, WithMetricsRegisterer(prometheus.NewRegistry()))).need(t, "client")
	if _, err := elsewhere.ListProducts(ctx); !IsUnauthorized(err) {
		t.Errorf("new tenant's token on another tenant: %v, want unauthorized", err)
	}

	updated := got(env.master.UpdateTenant(ctx, tenant.Account.ID, TenantUpdateParams{SupportEmail: ptr("help@beta.example.com")})).need(t, "update")
	if updated.Account.SupportEmail != "help@beta.example.com" {
		t.Errorf("updated tenant = %+v", updated.Account)
	}
	shown := got(env.master.GetTenant(ctx, tenant.Account.ID)).need(t, "get")
	if shown.Account.SupportEmail != "help@beta.example.com" || (shown.AccessToken != nil && shown.AccessToken.Value != "") {
		t.Errorf("shown tenant = %+v; a shown tenant carries no token value", shown)
	}
	check(t, "delete", env.master.DeleteTenant(ctx, tenant.Account.ID))
	if _, err := tc.ListProducts(ctx); err == nil {
		t.Error("a tenant scheduled for deletion still serves its admin API")
	}
}
