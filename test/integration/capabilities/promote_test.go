package capabilities_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/controllers/capabilities"
	"github.com/threescale-oss/operator/pkg/capabilities/promote"
	"github.com/threescale-oss/operator/pkg/threescale"
	"github.com/threescale-oss/operator/pkg/threescale/inmemory"
)

func newPromotion(name, product string, production, deleteCR bool) *capabilitiesv1beta1.ProxyConfigPromote {
	return &capabilitiesv1beta1.ProxyConfigPromote{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       capabilitiesv1beta1.ProxyConfigPromoteSpec{ProductCRName: product, Production: &production, DeleteCR: &deleteCR},
	}
}

func promotionConditions(p *capabilitiesv1beta1.ProxyConfigPromote) func() []metav1.Condition {
	return func() []metav1.Condition { return p.Status.Conditions }
}

// latest returns the versions of product's latest configurations in 3scale.
func (h *harness) latest(product int64) promote.Versions {
	h.t.Helper()
	var v promote.Versions
	var err error
	if v.Staging, err = promote.Latest(context.Background(), h.tc, product, threescale.EnvironmentSandbox); err != nil {
		h.t.Fatal(err)
	}
	if v.Production, err = promote.Latest(context.Background(), h.tc, product, threescale.EnvironmentProduction); err != nil {
		h.t.Fatal(err)
	}
	return v
}

const (
	opDeploy  = "POST /admin/api/services/{service_id}/proxy/deploy.json"
	opPromote = "POST /admin/api/services/{service_id}/proxy/configs/{environment}/{version}/promote.json"
	opLatest  = "GET /admin/api/services/{service_id}/proxy/configs/{environment}/latest.json"
)

func TestProxyConfigPromote(t *testing.T) {
	h := newHarness(t)
	h.setups = append(h.setups, capabilities.SetupProxyConfigPromote)
	h.startManager()

	// Before its Product exists, a promotion waits; the Product's sync wakes it.
	staging := newPromotion("to-staging", "product1", false, false)
	h.create(staging)
	c := h.waitCondition(staging, promotionConditions(staging), "Ready", metav1.ConditionFalse, capabilitiesv1beta1.ProxyConfigPromoteProductNotReadyReason)
	if !strings.Contains(c.Message, `Product "product1"`) {
		t.Errorf("waiting message %q does not name the Product", c.Message)
	}
	b, p := quickstart(t)
	h.create(b)
	h.create(p)
	h.waitProductSynced(p)
	h.waitCondition(staging, promotionConditions(staging), "Ready", metav1.ConditionTrue, capabilitiesv1beta1.ProxyConfigPromotePromotedReason)
	id := *p.Status.ID
	h.diff("status of the staging promotion", capabilitiesv1beta1.ProxyConfigPromoteStatus{ProductID: strconv.FormatInt(id, 10), LatestStagingVersion: 1},
		capabilitiesv1beta1.ProxyConfigPromoteStatus{ProductID: staging.Status.ProductID, LatestStagingVersion: staging.Status.LatestStagingVersion, LatestProductionVersion: staging.Status.LatestProductionVersion})
	h.diff("versions in 3scale", promote.Versions{Staging: 1}, h.latest(id))
	// 3scale deploys a product to staging whenever its proxy settings change, so staging holds
	// the latest configuration already.
	h.waitEvent(staging.Name, "Normal Promoted", "staging already holds the product's latest configuration (version 1)")

	// Staging already holds the latest configuration: success that says so, and production
	// gets it. Staging and production versions are each in their own field.
	h.srv.ResetCalls()
	prod := newPromotion("to-production", "product1", true, false)
	h.create(prod)
	c = h.waitCondition(prod, promotionConditions(prod), "Ready", metav1.ConditionTrue, capabilitiesv1beta1.ProxyConfigPromotePromotedReason)
	h.diff("message", "staging already holds the product's latest configuration (version 1); promoted version 1 to production", c.Message)
	h.diff("versions in status", []int64{1, 1}, []int64{prod.Status.LatestStagingVersion, prod.Status.LatestProductionVersion})
	h.diff("versions in 3scale", promote.Versions{Staging: 1, Production: 1}, h.latest(id))
	h.diff("writes", []string{opDeploy, opPromote}, h.writes())

	// A ProxyConfigPromote acts once: a later change is acknowledged, not applied.
	h.srv.ResetCalls()
	h.update(prod, func() { prod.Spec.Production = ptr(false) })
	h.eventually("the change acknowledged", func() error {
		if err := h.get(prod); err != nil {
			return err
		}
		c := meta.FindStatusCondition(prod.Status.Conditions, "Ready")
		if c == nil || c.Status != metav1.ConditionTrue || c.ObservedGeneration != prod.Generation || !strings.Contains(c.Message, "acts once") {
			return fmt.Errorf("Ready = %+v", c)
		}
		return nil
	})
	h.diff("promotion calls after the change (the Product's own polls go on)", []int{0, 0, 0},
		[]int{h.srv.CallCount(opDeploy), h.srv.CallCount(opPromote), h.srv.CallCount(opLatest)})

	// A product change, promoted to production by an object that then deletes itself.
	h.update(p, func() {
		p.Spec.MappingRules = append(p.Spec.MappingRules, capabilitiesv1beta1.MappingRuleSpec{HTTPMethod: "GET", Pattern: "/promoted$", MetricMethodRef: "hits", Increment: 1})
	})
	h.waitProductSynced(p)
	once := newPromotion("once", "product1", true, true)
	h.create(once)
	h.waitGone(once)
	h.diff("versions in 3scale after the change", promote.Versions{Staging: 2, Production: 2}, h.latest(id))
}

// TestProxyConfigPromoteRefused makes 3scale refuse the deploy: Failed with 3scale's message,
// and nothing recorded as promoted.
func TestProxyConfigPromoteRefused(t *testing.T) {
	h := newHarness(t)
	h.setups = append(h.setups, capabilities.SetupProxyConfigPromote)
	h.startManager()
	b, p := quickstart(t)
	h.create(b)
	h.create(p)
	h.waitProductSynced(p)
	h.srv.InjectFault(opDeploy, inmemory.Fault{Status: 422})
	pcp := newPromotion("refused", "product1", true, false)
	h.create(pcp)
	c := h.waitCondition(pcp, promotionConditions(pcp), "Failed", metav1.ConditionTrue, "")
	if !strings.Contains(c.Message, "cannot deploy product") || !strings.Contains(c.Message, "422") {
		t.Errorf("Failed message %q does not say what 3scale refused", c.Message)
	}
	if r := meta.FindStatusCondition(pcp.Status.Conditions, "Ready"); r == nil || r.Status != metav1.ConditionFalse {
		t.Errorf("Ready = %+v, want False", r)
	}
	h.waitEvent(pcp.Name, "Warning PromotionFailed")
	if v := h.latest(*p.Status.ID); v.Production != 0 {
		t.Errorf("versions after a refused deploy = %+v, want nothing in production", v)
	}
	if pcp.Status.LatestProductionVersion != 0 || pcp.Status.LatestStagingVersion != 0 {
		t.Errorf("status after a refused deploy = %+v, want no versions", pcp.Status)
	}
}

// TestDeclarativePromotion keeps staging and production at the product's latest configuration
// across three spec changes, the last one deleting a method the deployed configuration uses;
// resyncs of an unchanged product promote nothing and write nothing.
func TestDeclarativePromotion(t *testing.T) {
	h := newHarness(t)
	h.startManager()
	b, p := quickstart(t)
	p.Spec.PromoteTo = capabilitiesv1beta1.PromoteToProduction
	h.create(b)
	h.create(p)
	h.waitProductSynced(p)
	id := *p.Status.ID
	h.diff("versions in 3scale after creation", promote.Versions{Staging: 1, Production: 1}, h.latest(id))
	h.diff("versions in status after creation", []int64{1, 1}, []int64{p.Status.StagingVersion, p.Status.ProductionVersion})

	h.srv.ResetCalls()
	time.Sleep(3 * pollInterval)
	h.diff("writes of resyncs", []string(nil), h.writes())
	h.diff("promotion reads of resyncs", 0, h.srv.CallCount(opLatest))

	changes := []func(){
		func() { p.Spec.Description = "changed once" },
		func() {
			p.Spec.Methods["list"] = capabilitiesv1beta1.MethodSpec{Name: "List"}
			p.Spec.MappingRules = append(p.Spec.MappingRules, capabilitiesv1beta1.MappingRuleSpec{HTTPMethod: "GET", Pattern: "/list$", MetricMethodRef: "list", Increment: 1})
		},
		// The method the deployed configuration counts goes with its rule: the promotion runs
		// first, so 3scale accepts the deletion.
		func() {
			delete(p.Spec.Methods, "list")
			p.Spec.MappingRules = p.Spec.MappingRules[:len(p.Spec.MappingRules)-1]
		},
	}
	previous := p.Status.StagingVersion
	for i, change := range changes {
		h.srv.ResetCalls()
		h.update(p, change)
		h.waitProductSynced(p)
		latest := h.latest(id)
		h.diff(fmt.Sprintf("versions in 3scale after change %d", i+1), promote.Versions{Staging: p.Status.StagingVersion, Production: p.Status.StagingVersion}, latest)
		h.diff(fmt.Sprintf("versions in status after change %d", i+1), latest, promote.Versions{Staging: p.Status.StagingVersion, Production: p.Status.ProductionVersion})
		// A description is not part of the gateway configuration; a mapping rule is.
		if i > 0 && latest.Staging <= previous {
			t.Errorf("change %d: staging version %d, want a new one after %d", i+1, latest.Staging, previous)
		}
		previous = latest.Staging
		t.Logf("change %d: %d calls, %d writes %v", i+1, h.srv.CallCount(inmemory.AnyOperation), len(h.writes()), h.writes())
	}
	if err := h.inSync(h.tc, p); err != nil {
		t.Error(err)
	}
}

// TestDeletionAwaitsPromotion deletes a method the deployed configuration uses from a product
// without spec.promoteTo: the Product says how to go on and deploys nothing; a
// ProxyConfigPromote unblocks it.
func TestDeletionAwaitsPromotion(t *testing.T) {
	h := newHarness(t)
	h.setups = append(h.setups, capabilities.SetupProxyConfigPromote)
	h.startManager()
	b, p := quickstart(t)
	h.create(b)
	h.create(p)
	h.waitProductSynced(p)
	id := *p.Status.ID
	first := newPromotion("first", p.Name, true, false)
	h.create(first)
	h.waitCondition(first, promotionConditions(first), "Ready", metav1.ConditionTrue, "")
	before := h.latest(id)

	h.update(p, func() {
		delete(p.Spec.Methods, "status")
		p.Spec.MappingRules = nil
	})
	c := h.waitCondition(p, productConditions(p), "Orphan", metav1.ConditionTrue, promote.ReasonAwaitingPromotion)
	if !strings.Contains(c.Message, "ProxyConfigPromote") || !strings.Contains(c.Message, `method "status"`) {
		t.Errorf("message %q does not say what waits and how to go on", c.Message)
	}
	h.diff("versions while waiting (nothing deployed behind the user's back)", before, h.latest(id))

	second := newPromotion("second", p.Name, true, false)
	h.create(second)
	h.waitCondition(second, promotionConditions(second), "Ready", metav1.ConditionTrue, "")
	h.waitProductSynced(p)
	if err := h.inSync(h.tc, p); err != nil {
		t.Error(err)
	}
}

// TestProductWaitsForCustomPolicy creates a Product whose chain names a custom policy before its
// CustomPolicyDefinition: the Product waits (Orphan) without creating anything, and syncs once
// the policy is registered.
func TestProductWaitsForCustomPolicy(t *testing.T) {
	h := newHarness(t)
	h.setups = append(h.setups, capabilities.SetupCustomPolicyDefinition)
	h.startManager()
	pr := newProduct("product1")
	pr.Spec.Policies = []capabilitiesv1beta1.PolicyConfig{
		{Name: "header-adder", Version: "0.0.1", Enabled: true, Configuration: &runtime.RawExtension{Raw: []byte(`{"header":"X-Test"}`)}},
	}
	h.create(pr)
	c := h.waitCondition(pr, productConditions(pr), "Orphan", metav1.ConditionTrue, "CustomPolicyNotFound")
	if !strings.Contains(c.Message, `"header-adder" 0.0.1`) {
		t.Errorf("message %q does not name the policy", c.Message)
	}
	if products, err := h.tc.ListProducts(context.Background()); err != nil || len(products) != 0 {
		t.Errorf("products in 3scale while waiting: %d (err %v), want none", len(products), err)
	}
	h.create(newCustomPolicy("header-adder", "header-adder", "0.0.1"))
	h.waitProductSynced(pr)
	chain, err := h.tc.GetPolicyChain(context.Background(), *pr.Status.ID)
	if err != nil || len(chain) == 0 || chain[0].Name != "header-adder" {
		t.Errorf("policy chain %+v (err %v), want header-adder first", chain, err)
	}
}
