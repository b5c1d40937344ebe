package threescale

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestProducts(t *testing.T) {
	env := newTestEnv(t)
	ctx, c := t.Context(), env.c

	p := got(c.CreateProduct(ctx, ProductParams{
		Name: ptr("Echo API"), Description: ptr("echoes"), DeploymentOption: ptr(DeploymentSelfManaged),
		BackendVersion: ptr(BackendVersionUserKey), Annotations: map[string]string{"managed_by": "operator"},
	})).need(t, "create product")
	want := Product{ID: p.ID, Name: "Echo API", SystemName: "echo_api", Description: "echoes",
		DeploymentOption: DeploymentSelfManaged, BackendVersion: BackendVersionUserKey}
	ignore := cmpopts.IgnoreFields(Product{}, "State", "SupportEmail", "Annotations", "CreatedAt", "UpdatedAt")
	if diff := cmp.Diff(want, *p, ignore); diff != "" {
		t.Errorf("created product (-want +got):\n%s; system_name derives from the name", diff)
	}

	// A new product comes with the hits metric and a default mapping rule on it.
	hits := findMetric(t, got(c.ListProductMetrics(ctx, p.ID)).need(t, "list metrics"), "hits")
	rules := got(c.ListProductMappingRules(ctx, p.ID)).need(t, "list mapping rules")
	if len(rules) != 1 || rules[0].MetricID != hits.ID || rules[0].Pattern != "/" || rules[0].HTTPMethod != "GET" {
		t.Errorf("default mapping rules = %+v, want one GET / on hits", rules)
	}

	updated := got(c.UpdateProduct(ctx, p.ID, ProductUpdateParams{Name: ptr("Echo"), Description: ptr("")})).need(t, "update")
	if updated.Name != "Echo" || updated.Description != "" || updated.SystemName != "echo_api" {
		t.Errorf("updated product = %+v, want the new name, an empty description and the same system name", updated)
	}
	fetched := got(c.GetProduct(ctx, p.ID)).need(t, "get")
	if diff := cmp.Diff(updated, fetched, cmpopts.IgnoreFields(Product{}, "UpdatedAt")); diff != "" {
		t.Errorf("GetProduct after update (-want +got):\n%s", diff)
	}
	list := got(c.ListProducts(ctx)).need(t, "list")
	if len(list) != 1 || list[0].ID != p.ID {
		t.Errorf("ListProducts = %+v, want the one product", list)
	}

	env.srv.ResetCalls()
	if err := c.DeleteProduct(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetProduct(ctx, p.ID); !IsNotFound(err) {
		t.Errorf("GetProduct after delete: %v, want not found", err)
	}
	if n := env.srv.CallCount(opDeleteProduct.Key); n != 1 {
		t.Errorf("%d delete calls, want 1", n)
	}
}
