package threescale

import (
	"testing"
)

func TestBackendsAndUsages(t *testing.T) {
	env := newTestEnv(t)
	ctx, c := t.Context(), env.c
	b := got(c.CreateBackend(ctx, BackendParams{
		Name: ptr("Inventory"), SystemName: ptr("inventory"), PrivateEndpoint: ptr("https://inventory.example.com:443"),
		Annotations: map[string]string{"managed_by": "operator"},
	})).need(t, "create backend")
	if b.SystemName != "inventory" || b.PrivateEndpoint != "https://inventory.example.com:443" {
		t.Errorf("backend = %+v", b)
	}
	if _, err := c.CreateBackend(ctx, BackendParams{Name: ptr("No endpoint")}); !IsUnprocessable(err) {
		t.Errorf("backend without a private endpoint: %v, want unprocessable", err)
	}
	b = got(c.UpdateBackend(ctx, b.ID, BackendUpdateParams{PrivateEndpoint: ptr("https://inventory2.example.com:443")})).need(t, "update")
	if b.PrivateEndpoint != "https://inventory2.example.com:443" {
		t.Errorf("updated backend = %+v", b)
	}
	if g := got(c.GetBackend(ctx, b.ID)).need(t, "get"); g.PrivateEndpoint != b.PrivateEndpoint {
		t.Errorf("get = %+v", g)
	}

	p := got(c.CreateProduct(ctx, ProductParams{Name: ptr("Shop")})).need(t, "create product")
	u := got(c.CreateBackendUsage(ctx, p.ID, BackendUsageParams{BackendID: ptr(b.ID), Path: ptr("/inventory")})).need(t, "use backend")
	if u.ProductID != p.ID || u.BackendID != b.ID || u.Path != "/inventory" {
		t.Errorf("usage = %+v", u)
	}
	u = got(c.UpdateBackendUsage(ctx, p.ID, u.ID, BackendUsageUpdateParams{Path: ptr("/stock")})).need(t, "update usage")
	if u.Path != "/stock" {
		t.Errorf("updated usage = %+v", u)
	}
	if g := got(c.GetBackendUsage(ctx, p.ID, u.ID)).need(t, "get usage"); g.Path != "/stock" {
		t.Errorf("get usage = %+v", g)
	}
	if err := c.DeleteBackend(ctx, b.ID); !IsUnprocessable(err) {
		t.Errorf("deleting a backend a product uses: %v, want a refusal", err)
	}
	usages, err := c.ListBackendUsages(ctx, p.ID)
	if check(t, "list usages", err) && (len(usages) != 1 || usages[0].ID != u.ID) {
		t.Errorf("usages = %+v", usages)
	}
	check(t, "delete usage", c.DeleteBackendUsage(ctx, p.ID, u.ID))
	check(t, "delete backend", c.DeleteBackend(ctx, b.ID))
	if _, err := c.GetBackend(ctx, b.ID); !IsNotFound(err) {
		t.Errorf("deleted backend: %v, want not found", err)
	}
}
