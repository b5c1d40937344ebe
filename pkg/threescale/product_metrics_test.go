package threescale

import (
	"testing"
)

func TestProductMetricsAndMethods(t *testing.T) {
	env := newTestEnv(t)
	ctx, c := t.Context(), env.c
	p := got(c.CreateProduct(ctx, ProductParams{Name: ptr("Metered")})).need(t, "create product")
	hits := findMetric(t, got(c.ListProductMetrics(ctx, p.ID)).need(t, "list"), "hits")

	m := got(c.CreateProductMetric(ctx, p.ID, MetricParams{FriendlyName: ptr("Bytes out"), Unit: ptr("byte")})).need(t, "create metric")
	if m.SystemName != "bytes_out" || m.Unit != "byte" {
		t.Errorf("metric = %+v, want system_name derived from the friendly name", m)
	}
	m = got(c.UpdateProductMetric(ctx, p.ID, m.ID, MetricUpdateParams{Unit: ptr("kB"), Description: ptr("egress")})).need(t, "update metric")
	if m.Unit != "kB" || m.Description != "egress" || m.SystemName != "bytes_out" {
		t.Errorf("updated metric = %+v", m)
	}
	meth := got(c.CreateProductMethod(ctx, p.ID, hits.ID, MethodParams{FriendlyName: ptr("List items"), SystemName: ptr("list_items")})).need(t, "create method")
	if meth.ParentID != hits.ID {
		t.Errorf("method parent = %d, want hits %d", meth.ParentID, hits.ID)
	}
	methods := got(c.ListProductMethods(ctx, p.ID, hits.ID)).need(t, "list methods")
	if len(methods) != 1 || methods[0].ID != meth.ID {
		t.Errorf("methods = %+v", methods)
	}
	meth = got(c.UpdateProductMethod(ctx, p.ID, hits.ID, meth.ID, MethodUpdateParams{FriendlyName: ptr("List")})).need(t, "update method")
	if meth.FriendlyName != "List" {
		t.Errorf("updated method = %+v", meth)
	}
	if _, err := c.CreateProductMethod(ctx, p.ID, m.ID, MethodParams{FriendlyName: ptr("Nested")}); !IsUnprocessable(err) {
		t.Errorf("method under a metric other than hits: %v, want unprocessable", err)
	}

	// Deleting a metric takes its limits with it; so does 3scale.
	plan := got(c.CreateApplicationPlan(ctx, p.ID, ApplicationPlanParams{Name: ptr("Basic")})).need(t, "create plan")
	got(c.CreateLimit(ctx, plan.ID, m.ID, LimitParams{Period: PeriodDay, Value: 10})).need(t, "create limit")
	// The hits metric itself cannot go; 3scale says why.
	if err := c.DeleteProductMetric(ctx, p.ID, hits.ID); !IsUnprocessable(err) || len(FieldErrors(err)) == 0 {
		t.Errorf("deleting hits: %v, want a refusal with 3scale's reasons", err)
	}
	check(t, "delete metric", c.DeleteProductMetric(ctx, p.ID, m.ID))
	if limits := got(c.ListPlanLimits(ctx, plan.ID)).need(t, "list limits"); len(limits) != 0 {
		t.Errorf("limits of a deleted metric remain: %+v", limits)
	}
	check(t, "delete method", c.DeleteProductMethod(ctx, p.ID, hits.ID, meth.ID))
	if _, err := c.GetProductMethod(ctx, p.ID, hits.ID, meth.ID); !IsNotFound(err) {
		t.Errorf("deleted method: %v, want not found", err)
	}
}

func TestMetricOfTheDeployedConfigurationCannotBeDeleted(t *testing.T) {
	env := newTestEnv(t)
	ctx, c := t.Context(), env.c
	p, _ := newProductWithBackend(t, c, "Deployed metric")
	m := got(c.CreateProductMetric(ctx, p.ID, MetricParams{FriendlyName: ptr("Calls"), Unit: ptr("call")})).need(t, "create metric")
	got(c.CreateProductMappingRule(ctx, p.ID, MappingRuleParams{HTTPMethod: ptr("GET"), Pattern: ptr("/calls"), Delta: ptr(int64(1)), MetricID: ptr(m.ID)})).need(t, "create rule")
	got(c.DeployProxy(ctx, p.ID)).need(t, "deploy")
	err := c.DeleteProductMetric(ctx, p.ID, m.ID)
	if !IsUnprocessable(err) || IsUnauthorized(err) || len(FieldErrors(err)["base"]) == 0 {
		t.Errorf("deleting a metric of the deployed configuration: %v, want a refusal (not a credentials error)", err)
	}
}

func TestBackendMetricsCarryTheBackendSuffix(t *testing.T) {
	env := newTestEnv(t)
	ctx, c := t.Context(), env.c
	b := got(c.CreateBackend(ctx, BackendParams{Name: ptr("Orders"), PrivateEndpoint: ptr("https://orders.example.com:443")})).need(t, "create backend")
	metrics := got(c.ListBackendMetrics(ctx, b.ID)).need(t, "list")
	hits := findMetric(t, metrics, BackendMetricSystemName("hits", b.ID))
	if TrimBackendMetricSuffix(hits.SystemName, b.ID) != "hits" {
		t.Errorf("TrimBackendMetricSuffix(%q) = %q", hits.SystemName, TrimBackendMetricSuffix(hits.SystemName, b.ID))
	}
	m := got(c.CreateBackendMetric(ctx, b.ID, MetricParams{FriendlyName: ptr("Orders placed"), SystemName: ptr("orders"), Unit: ptr("order")})).need(t, "create")
	if m.SystemName != BackendMetricSystemName("orders", b.ID) {
		t.Errorf("backend metric system name = %q, want %q", m.SystemName, BackendMetricSystemName("orders", b.ID))
	}
	meth := got(c.CreateBackendMethod(ctx, b.ID, hits.ID, MethodParams{FriendlyName: ptr("Place"), SystemName: ptr("place")})).need(t, "create method")
	if _, err := c.GetBackendMethod(ctx, b.ID, hits.ID, meth.ID); err != nil {
		t.Error(err)
	}
	got(c.UpdateBackendMetric(ctx, b.ID, m.ID, MetricUpdateParams{FriendlyName: ptr("Orders")})).need(t, "update")
	check(t, "delete method", c.DeleteBackendMethod(ctx, b.ID, hits.ID, meth.ID))
	check(t, "delete metric", c.DeleteBackendMetric(ctx, b.ID, m.ID))
	if _, err := c.GetBackendMetric(ctx, b.ID, m.ID); !IsNotFound(err) {
		t.Errorf("deleted metric: %v, want not found", err)
	}
}
