package capabilities_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

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
	h.waitEvent(staging.Name, "Normal Promoted", "deployed the product's configuration to staging as version 1")

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
	h.diff("calls after the change", 0, h.srv.CallCount(inmemory.AnyOperation))

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
	if v := h.latest(*p.Status.ID); v != (promote.Versions{}) {
		t.Errorf("versions after a refused deploy = %+v, want none", v)
	}
}
