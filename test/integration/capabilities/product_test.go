package capabilities_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/yaml"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/product"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/threescale"
	"github.com/threescale-oss/operator/test/envtestutil"
)

// sample reads a sample of config/samples into obj: the quickstart's objects, as users apply them.
func sample(t *testing.T, file string, obj any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(envtestutil.RepoRoot(), "config", "samples", file))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(data, obj); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

func quickstart(t *testing.T) (*capabilitiesv1beta1.Backend, *capabilitiesv1beta1.Product) {
	t.Helper()
	var b capabilitiesv1beta1.Backend
	var p capabilitiesv1beta1.Product
	sample(t, "capabilities_v1beta1_backend.yaml", &b)
	sample(t, "capabilities_v1beta1_product.yaml", &p)
	return &b, &p
}

func productConditions(p *capabilitiesv1beta1.Product) func() []metav1.Condition {
	return func() []metav1.Condition { return p.Status.Conditions }
}

func (h *harness) waitProductSynced(p *capabilitiesv1beta1.Product) {
	h.t.Helper()
	h.waitCondition(p, productConditions(p), external.TypeSynced, metav1.ConditionTrue, "")
	if c, desc := conditionOf(p.Status.Conditions, external.TypeOrphan); c == nil || c.Status != metav1.ConditionFalse {
		h.t.Errorf("Synced product: %s", desc)
	}
}

// inSync checks, with the product package's own planner, that 3scale holds exactly what p says:
// a fresh observation plans nothing.
func (h *harness) inSync(c *threescale.Client, p *capabilitiesv1beta1.Product) error {
	ctx := context.Background()
	if err := h.get(p); err != nil {
		return err
	}
	d, err := product.NewDesired(ctx, p, func(_ context.Context, ref corev1.SecretReference, _, key string) (string, error) {
		ns := ref.Namespace
		if ns == "" {
			ns = p.Namespace
		}
		var s corev1.Secret
		if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: ref.Name}, &s); err != nil {
			return "", err
		}
		return string(s.Data[key]), nil
	})
	if err != nil {
		return err
	}
	backends := map[string]int64{}
	all, err := c.ListBackends(ctx)
	if err != nil {
		return err
	}
	for _, b := range all {
		backends[b.SystemName] = b.ID
	}
	var id int64
	products, err := c.ListProducts(ctx)
	if err != nil {
		return err
	}
	for _, pr := range products {
		if pr.SystemName == d.SystemName {
			id = pr.ID
		}
	}
	if id == 0 {
		return fmt.Errorf("product %q not in 3scale", d.SystemName)
	}
	if p.Status.ID == nil || *p.Status.ID != id {
		return fmt.Errorf("status.productId = %v, 3scale's is %d", p.Status.ID, id)
	}
	o, err := product.Observe(ctx, c, d, id, backends)
	if err != nil {
		return err
	}
	ops, err := product.Plan(d, o, backends)
	if err != nil {
		return err
	}
	if len(ops) > 0 {
		var diff []string
		for _, op := range ops {
			diff = append(diff, op.Description)
		}
		return fmt.Errorf("3scale differs: %s", strings.Join(diff, "; "))
	}
	return nil
}

// TestQuickstart applies the documentation's backend1 and product1 and waits for both, checking
// that 3scale holds them exactly; then changes the product in several ways; then deletes the
// backend first (it waits for the product) and the product.
func TestQuickstart(t *testing.T) {
	h := newHarness(t)
	h.startManager()
	b, p := quickstart(t)
	h.create(b)
	h.create(p)
	h.waitSynced(b)
	h.waitProductSynced(p)
	h.eventually("product1 in 3scale", func() error { return h.inSync(h.tc, p) })
	h.waitEvent(p.Name, "Normal Created", "created in 3scale with ID")

	// Every kind of product sub-entity changes.
	h.update(p, func() {
		p.Spec.Description = "Changed"
		p.Spec.Deployment.ApicastSelfManaged.ProductionPublicBaseURL = ptr("https://prod.example.com")
		p.Spec.Deployment.ApicastSelfManaged.Authentication.UserKeyAuthentication.GatewayResponse.ErrorLimitsExceeded = ptr("Slow down")
		p.Spec.Metrics["orders"] = capabilitiesv1beta1.MetricSpec{Name: "Orders", Unit: "order"}
		p.Spec.Methods["health"] = capabilitiesv1beta1.MethodSpec{Name: "Health"}
		p.Spec.MappingRules = append([]capabilitiesv1beta1.MappingRuleSpec{{HTTPMethod: "GET", Pattern: "/health$", MetricMethodRef: "health", Increment: 1}}, p.Spec.MappingRules...)
		p.Spec.BackendUsages["backend1"] = capabilitiesv1beta1.BackendUsageSpec{Path: "/v2"}
		basic := p.Spec.ApplicationPlans["basic"]
		basic.Limits[0].Value = 500
		basic.Limits = append(basic.Limits, capabilitiesv1beta1.LimitSpec{Period: "hour", Value: 5, MetricMethodRef: capabilitiesv1beta1.MetricMethodRefSpec{SystemName: "orders"}})
		p.Spec.ApplicationPlans["basic"] = basic
		delete(p.Spec.ApplicationPlans, "premium")
		p.Spec.Policies = p.Spec.Policies[1:] // the cors policy goes
	})
	h.waitProductSynced(p)
	h.eventually("product1 changed in 3scale", func() error { return h.inSync(h.tc, p) })
	plans, err := h.tc.ListApplicationPlans(context.Background(), *p.Status.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(plans) != 1 || plans[0].SystemName != "basic" {
		t.Errorf("plans in 3scale = %+v, want only basic", plans)
	}

	// The backend is deleted first: it waits for the product, which names it.
	h.delete(b)
	c := h.waitCondition(b, backendConditions(b), external.TypeSynced, metav1.ConditionFalse, "BackendInUse")
	if !strings.Contains(c.Message, `Product "product1"`) {
		t.Errorf("backend deletion waits saying %q, want product1 named", c.Message)
	}
	h.delete(p)
	h.waitGone(p)
	h.waitGone(b)
	ctx := context.Background()
	if ps, _ := h.tc.ListProducts(ctx); slices.ContainsFunc(ps, func(x threescale.Product) bool { return x.SystemName == "operatedproduct1" }) {
		t.Error("product1 is still in 3scale")
	}
	if bs, _ := h.tc.ListBackends(ctx); len(bs) != 0 {
		t.Errorf("3scale still holds %d backends", len(bs))
	}
}

// TestProductOrphanThenSynced creates the Product before its Backend: it waits (Orphan) naming
// the backend, and syncs on its own once the Backend is synced, through the Backend watch (the
// wait interval is too long for polling to do it).
func TestProductOrphanThenSynced(t *testing.T) {
	h := newHarness(t)
	h.waitInterval = time.Hour
	h.startManager()
	b, p := quickstart(t)
	h.create(p)
	c := h.waitCondition(p, productConditions(p), external.TypeOrphan, metav1.ConditionTrue, capabilitiesv1beta1.ProductMissingBackendReason)
	if !strings.Contains(c.Message, `"backend1"`) {
		t.Errorf("Orphan message = %q, want backend1 named", c.Message)
	}
	if _, desc := conditionOf(p.Status.Conditions, external.TypeSynced); !strings.Contains(desc, "Synced=False") {
		t.Errorf("an orphan product says %s", desc)
	}
	h.diff("3scale calls of an orphan product", 0, h.srv.CallCount("POST /admin/api/services.json"))

	h.create(b)
	h.waitSynced(b)
	h.waitProductSynced(p)
	h.eventually("product1 in 3scale", func() error { return h.inSync(h.tc, p) })
}

// TestProductFollowsBackendMetrics: with no poll, only watches, a Product whose limit names a
// method its Backend is about to create (both changed at once, the Product first) waits for the
// Backend to sync it, is woken by the change of the Backend's metrics, and syncs the limit; a
// change of the Backend's mapping rules alone wakes no Product.
func TestProductFollowsBackendMetrics(t *testing.T) {
	h := newHarness(t)
	h.pollInterval = time.Hour
	h.startManager()
	b, p := quickstart(t)
	h.create(b)
	h.waitSynced(b)
	h.create(p)
	h.waitProductSynced(p)
	digest := b.Status.MetricsDigest
	if digest == "" {
		t.Fatal("a Synced Backend records no metricsDigest")
	}

	h.update(p, func() {
		plan := p.Spec.ApplicationPlans["basic"]
		plan.Limits = append(plan.Limits, capabilitiesv1beta1.LimitSpec{Period: "hour", Value: 5,
			MetricMethodRef: capabilitiesv1beta1.MetricMethodRefSpec{SystemName: "delete_pet", BackendSystemName: ptr("backend1")}})
		p.Spec.ApplicationPlans["basic"] = plan
	})
	h.update(b, func() { b.Spec.Methods["delete_pet"] = capabilitiesv1beta1.MethodSpec{Name: "Delete a pet"} })
	h.waitSynced(b)
	if b.Status.MetricsDigest == digest {
		t.Error("a new method leaves metricsDigest as it was")
	}
	h.waitProductSynced(p)
	h.eventually("the new limit in 3scale", func() error { return h.inSync(h.tc, p) })

	before := reconciles(t)["product"]
	h.update(b, func() { b.Spec.MappingRules[0].Increment = 3 })
	h.waitSynced(b)
	time.Sleep(time.Second)
	h.diff("Product reconciles after a Backend mapping rule changed", 0.0, reconciles(t)["product"]-before)
}

// TestProductInvalid names an unknown metric in a limit: Invalid, naming it; fixed, Synced.
func TestProductInvalid(t *testing.T) {
	h := newHarness(t)
	h.startManager()
	b, p := quickstart(t)
	basic := p.Spec.ApplicationPlans["basic"]
	basic.Limits[0].MetricMethodRef.SystemName = "no_such_metric"
	p.Spec.ApplicationPlans["basic"] = basic
	h.create(b)
	h.create(p)
	c := h.waitCondition(p, productConditions(p), external.TypeInvalid, metav1.ConditionTrue, external.ReasonInvalidSpec)
	if !strings.Contains(c.Message, "no_such_metric") {
		t.Errorf("Invalid message = %q, want the metric named", c.Message)
	}
	h.waitEvent(p.Name, "Warning InvalidSpec", "no_such_metric")

	h.update(p, func() {
		basic := p.Spec.ApplicationPlans["basic"]
		basic.Limits[0].MetricMethodRef.SystemName = "hits"
		p.Spec.ApplicationPlans["basic"] = basic
	})
	h.waitProductSynced(p)
	h.eventually("product1 in 3scale", func() error { return h.inSync(h.tc, p) })
}

// TestProductDriftReverted changes the product in 3scale behind the operator's back.
func TestProductDriftReverted(t *testing.T) {
	h := newHarness(t)
	h.startManager()
	b, p := quickstart(t)
	h.create(b)
	h.create(p)
	h.waitProductSynced(p)
	h.eventually("product1 in 3scale", func() error { return h.inSync(h.tc, p) })
	ctx := context.Background()
	id := *p.Status.ID
	if _, err := h.tc.UpdateProduct(ctx, id, threescale.ProductUpdateParams{Description: ptr("edited by hand")}); err != nil {
		t.Fatal(err)
	}
	plans, err := h.tc.ListApplicationPlans(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.tc.DeleteApplicationPlan(ctx, id, plans[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := h.inSync(h.tc, p); err == nil {
		t.Fatal("the drift made by hand did not show")
	}
	h.eventually("drift reverted", func() error { return h.inSync(h.tc, p) })
	h.eventually("drift reported", func() error {
		for _, e := range h.events(p.Name) {
			if strings.Contains(e, "DriftDetected") && strings.Contains(e, "description") && strings.Contains(e, "application plan") {
				return nil
			}
		}
		return fmt.Errorf("no DriftDetected event naming the description and the plan: %q", h.events(p.Name))
	})
}

// TestProductDeletionOrphan leaves the product in 3scale.
func TestProductDeletionOrphan(t *testing.T) {
	h := newHarness(t)
	h.startManager()
	b, p := quickstart(t)
	p.Annotations = map[string]string{external.DeletionPolicyAnnotation: external.DeletionPolicyOrphan}
	h.create(b)
	h.create(p)
	h.waitProductSynced(p)
	h.delete(p)
	h.waitGone(p)
	if _, err := h.tc.GetProduct(context.Background(), *p.Status.ID); err != nil {
		t.Errorf("the orphaned product is gone from 3scale: %v", err)
	}
}

// newProduct returns a Product with system name name and nothing else.
func newProduct(name string) *capabilitiesv1beta1.Product {
	return &capabilitiesv1beta1.Product{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       capabilitiesv1beta1.ProductSpec{Name: name, SystemName: name},
	}
}

// TestProductObserveOnly: a Product annotated management-policy Observe reports what enforcing
// would change (Synced False, reason OutOfSync) and writes nothing to 3scale; without the
// annotation the operator enforces again.
func TestProductObserveOnly(t *testing.T) {
	h := newHarness(t)
	h.startManager()
	b, p := quickstart(t)
	h.create(b)
	h.create(p)
	h.waitProductSynced(p)
	ctx := context.Background()
	id := *p.Status.ID
	h.update(p, func() {
		p.Annotations = map[string]string{external.ManagementPolicyAnnotation: external.ManagementPolicyObserve}
	})
	if _, err := h.tc.UpdateProduct(ctx, id, threescale.ProductUpdateParams{Description: ptr("edited by hand")}); err != nil {
		t.Fatal(err)
	}
	h.srv.ResetCalls()
	c := h.waitCondition(p, productConditions(p), external.TypeSynced, metav1.ConditionFalse, external.ReasonOutOfSync)
	if !strings.Contains(c.Message, "description") {
		t.Errorf("OutOfSync message %q does not name the description", c.Message)
	}
	h.diff("writes of an observed product", []string(nil), h.writes())
	got, err := h.tc.GetProduct(ctx, id)
	if err != nil || got.Description != "edited by hand" {
		t.Errorf("the observed product was changed in 3scale: %+v, %v", got, err)
	}
	h.update(p, func() { delete(p.Annotations, external.ManagementPolicyAnnotation) })
	h.waitProductSynced(p)
	h.eventually("enforced again", func() error { return h.inSync(h.tc, p) })
}
