package capabilities_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/tenant"
	"github.com/threescale-oss/operator/pkg/threescale"
	"github.com/threescale-oss/operator/pkg/threescale/inmemory"
)

// The operations these tests count.
const (
	opDeleteProduct = "DELETE /admin/api/services/{id}.json"
	opCreateProduct = "POST /admin/api/services.json"
	opGetBackend    = "GET /admin/api/backend_apis/{id}.json"
)

// TestNeverSyncedDeletesNothing deletes a Product that never synced (Invalid): the product of the
// same system name that someone made in 3scale is left alone, and an event says nothing was deleted.
func TestNeverSyncedDeletesNothing(t *testing.T) {
	h := newHarness(t)
	h.startManager()
	ctx := context.Background()
	theirs, err := h.tc.CreateProduct(ctx, threescale.ProductParams{Name: ptr("Made by hand"), SystemName: ptr("product1")})
	if err != nil {
		t.Fatal(err)
	}
	p := newProduct("product1")
	p.Spec.ApplicationPlans = map[string]capabilitiesv1beta1.ApplicationPlanSpec{"basic": {
		Limits: []capabilitiesv1beta1.LimitSpec{{Period: "day", Value: 10, MetricMethodRef: capabilitiesv1beta1.MetricMethodRefSpec{SystemName: "nope"}}},
	}}
	h.create(p)
	h.waitCondition(p, productConditions(p), external.TypeInvalid, metav1.ConditionTrue, external.ReasonInvalidSpec)
	h.delete(p)
	h.waitGone(p)
	h.waitEvent(p.Name, "NothingDeleted", "nothing was deleted in 3scale")
	h.diff("product deletions", 0, h.srv.CallCount(opDeleteProduct))
	if _, err := h.tc.GetProduct(ctx, theirs.ID); err != nil {
		t.Errorf("the hand-made product: %v, want it still there", err)
	}
}

// TestTwoProductsOneEntity applies two Products with one system name in two namespaces of one
// tenant: the first manages the product, the second is Failed/Conflict naming the first and writes
// nothing; once the first is deleted (leaving the product), the second adopts it.
func TestTwoProductsOneEntity(t *testing.T) {
	h := newHarness(t)
	other := h.newNamespace()
	h.createIn(other, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: tenant.DefaultSecretName},
		StringData: map[string]string{"adminURL": h.tenant.AdminURL, "token": h.tenant.Token},
	})
	h.startManager()

	first := newProduct("product1")
	first.Annotations = map[string]string{external.DeletionPolicyAnnotation: external.DeletionPolicyOrphan}
	h.create(first)
	h.waitCondition(first, productConditions(first), external.TypeSynced, metav1.ConditionTrue, "")

	second := newProduct("product1")
	second.Spec.Description = "the second one wants another description"
	h.createIn(other, second)
	c := h.waitCondition(second, productConditions(second), external.TypeFailed, metav1.ConditionTrue, external.ReasonConflict)
	if want := fmt.Sprintf("Product %s/%s", h.ns, first.Name); !strings.Contains(c.Message, want) {
		t.Errorf("Conflict message %q does not name %s", c.Message, want)
	}
	if second.Status.ID != nil {
		t.Errorf("the conflicting Product recorded product %d", *second.Status.ID)
	}

	// Three polls: the first is in sync, the second writes nothing.
	h.srv.ResetCalls()
	time.Sleep(3*h.pollInterval + h.pollInterval/2)
	h.diff("writes over three polls", []string(nil), h.writes())
	h.waitCondition(second, productConditions(second), external.TypeFailed, metav1.ConditionTrue, external.ReasonConflict)

	h.delete(first)
	h.waitGone(first)
	h.waitCondition(second, productConditions(second), external.TypeSynced, metav1.ConditionTrue, "")
	if second.Status.ID == nil || first.Status.ID == nil || *second.Status.ID != *first.Status.ID {
		t.Errorf("the second Product records %v, want the first's product %v", second.Status.ID, first.Status.ID)
	}
	if got := eventsOf(second); !containsAll(got, "Normal Adopted") {
		t.Errorf("events of the second Product: %q, want an Adopted one", got)
	}
	got, err := h.tc.GetProduct(context.Background(), *second.Status.ID)
	if err != nil || got.Description != second.Spec.Description {
		t.Errorf("adopted product: %+v, %v; want the second's description", got, err)
	}
}

// TestRejectedRecovers has 3scale refuse a write (422): the object is Invalid with 3scale's
// message, and becomes Synced without any spec change once 3scale accepts.
func TestRejectedRecovers(t *testing.T) {
	h := newHarness(t)
	h.srv.InjectFault("POST /admin/api/backend_apis.json", inmemory.Fault{Status: http.StatusUnprocessableEntity})
	h.startManager()
	b := newBackend("backend1")
	h.create(b)
	c := h.waitCondition(b, backendConditions(b), external.TypeInvalid, metav1.ConditionTrue, external.ReasonInvalidSpec)
	if !strings.Contains(c.Message, "Unprocessable Entity") {
		t.Errorf("Invalid message %q, want 3scale's", c.Message)
	}
	h.srv.ClearFaults()
	h.waitSynced(b)
	h.diff("generation (no spec change)", int64(1), b.Generation)
}

// TestTransientFailureKeepsSynced fails the reads of a synced Backend: one failure leaves Synced
// and Ready True, with an event; a failure lasting past the poll interval turns them False.
func TestTransientFailureKeepsSynced(t *testing.T) {
	h := newHarness(t)
	h.pollInterval = 3 * time.Second
	h.clientOptions = []threescale.Option{threescale.WithRetryPolicy(threescale.RetryPolicy{MaxAttempts: 1})}
	h.startManager()
	b := newBackend("backend1")
	h.create(b)
	h.waitSynced(b)

	h.srv.InjectFault(opGetBackend, inmemory.Fault{Status: http.StatusTooManyRequests, Count: 1})
	h.update(b, func() { b.Annotations = map[string]string{"poke": "1"} }) // a resync now
	h.waitEvent(b.Name, "Warning TransientError", "429")
	for _, ct := range []string{external.TypeSynced, external.TypeReady} {
		if c, desc := conditionOf(b.Status.Conditions, ct); c == nil || c.Status != metav1.ConditionTrue {
			t.Errorf("after one 429: %s", desc)
		}
	}

	h.srv.InjectFault(opGetBackend, inmemory.Fault{Status: http.StatusInternalServerError})
	h.update(b, func() { b.Annotations = map[string]string{"poke": "2"} })
	h.waitCondition(b, backendConditions(b), external.TypeSynced, metav1.ConditionFalse, external.ReasonSyncError)
	h.waitCondition(b, backendConditions(b), external.TypeReady, metav1.ConditionFalse, external.ReasonSyncError)
	h.srv.ClearFaults()
	h.waitSynced(b)
}

// TestHungTenant points one Backend at a 3scale that never answers: with one worker, its
// reconcile ends at the deadline and the Backend of a healthy tenant still syncs.
func TestHungTenant(t *testing.T) {
	h := newHarness(t)
	h.maxConcurrent = 1
	h.reconcileTimeout = 2 * time.Second
	hung, hungTenant := inmemory.NewTestServer(t)
	hung.InjectFault(inmemory.AnyOperation, inmemory.Fault{Hang: true})
	h.create(&corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "hung-tenant"},
		StringData: map[string]string{"adminURL": hungTenant.AdminURL, "token": hungTenant.Token},
	})
	h.startManager()
	stuck := newBackend("stuck")
	stuck.Spec.ProviderAccountRef = &corev1.LocalObjectReference{Name: "hung-tenant"}
	h.create(stuck)
	h.eventually("a call to the hung tenant", func() error {
		if hung.CallCount(inmemory.AnyOperation) == 0 {
			return fmt.Errorf("no call yet")
		}
		return nil
	})
	start := time.Now()
	healthy := newBackend("healthy")
	h.create(healthy)
	h.waitSynced(healthy)
	if d := time.Since(start); d > 3*h.reconcileTimeout+5*time.Second {
		t.Errorf("the healthy Backend took %v behind a hung one", d)
	}
	h.waitCondition(stuck, backendConditions(stuck), external.TypeFailed, metav1.ConditionTrue, "")
}

// TestSomeCallsHang hangs 5% of the calls: every Backend still syncs, since a hung read gives up
// after the read timeout and is retried.
func TestSomeCallsHang(t *testing.T) {
	h := newHarness(t, inmemory.WithRandSeed(7))
	h.clientOptions = []threescale.Option{threescale.WithReadTimeout(500 * time.Millisecond)}
	h.reconcileTimeout = 10 * time.Second
	h.srv.InjectFault(inmemory.AnyOperation, inmemory.Fault{HangRate: 0.05})
	h.startManager()
	var bs []*capabilitiesv1beta1.Backend
	for i := range 10 {
		b := newBackend(fmt.Sprintf("backend%d", i))
		h.create(b)
		bs = append(bs, b)
	}
	for _, b := range bs {
		h.waitSynced(b)
	}
	hung := 0
	for _, c := range h.srv.Calls() {
		if c.Status == 0 {
			hung++
		}
	}
	if hung == 0 {
		t.Error("no call hung: the test proves nothing")
	}
	// A creation that hung was never made; one retried after a restart is found by system name:
	// either way, one backend per object.
	h.srv.ClearFaults()
	all, err := h.tc.ListBackends(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	h.diff("backends in 3scale", len(bs), len(all))
}

// TestInvalidWritesNothing checks what is known without 3scale: a limit naming an unknown metric
// writes nothing; a negative limit (3scale stores 0) is written once and never again.
func TestInvalidWritesNothing(t *testing.T) {
	h := newHarness(t)
	h.startManager()
	p := newProduct("product1")
	p.Spec.ApplicationPlans = map[string]capabilitiesv1beta1.ApplicationPlanSpec{"basic": {
		Limits: []capabilitiesv1beta1.LimitSpec{{Period: "day", Value: 10, MetricMethodRef: capabilitiesv1beta1.MetricMethodRefSpec{SystemName: "nope"}}},
	}}
	h.create(p)
	c := h.waitCondition(p, productConditions(p), external.TypeInvalid, metav1.ConditionTrue, external.ReasonInvalidSpec)
	if !strings.Contains(c.Message, `unknown metric or method "nope"`) {
		t.Errorf("Invalid message %q does not name the metric", c.Message)
	}
	h.diff("writes for an invalid spec", []string(nil), h.writes())
	h.diff("product creations", 0, h.srv.CallCount(opCreateProduct))

	h.update(p, func() {
		p.Spec.ApplicationPlans["basic"].Limits[0].MetricMethodRef.SystemName = "hits"
		p.Spec.ApplicationPlans["basic"].Limits[0].Value = -5
	})
	h.waitCondition(p, productConditions(p), external.TypeSynced, metav1.ConditionTrue, "")
	h.waitEvent(p.Name, "Warning SpecNormalized", "negative limit")
	h.srv.ResetCalls()
	time.Sleep(3*h.pollInterval + h.pollInterval/2)
	h.diff("writes over three polls after the first sync", []string(nil), h.writes())
}

// TestSecretOfAnotherNamespace references a policy configuration Secret of another namespace:
// without the Secret's opt-in the Product is Invalid and the Secret is never read; with it, it
// syncs.
func TestSecretOfAnotherNamespace(t *testing.T) {
	h := newHarness(t)
	other := h.newNamespace()
	var reads atomic.Int64
	secretPath := fmt.Sprintf("/api/v1/namespaces/%s/secrets/cors", other)
	h.wrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		return roundTripper(func(r *http.Request) (*http.Response, error) {
			if r.Method == http.MethodGet && r.URL.Path == secretPath {
				reads.Add(1)
			}
			return rt.RoundTrip(r)
		})
	}
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "cors"},
		StringData: map[string]string{capabilitiesv1beta1.ProductPolicyConfigurationSecretKey: `{"allow_origin": "*"}`},
	}
	h.createIn(other, secret)
	h.startManager()

	p := newProduct("product1")
	p.Spec.Policies = []capabilitiesv1beta1.PolicyConfig{{
		Name: "cors", Version: "builtin", Enabled: true,
		ConfigurationRef: &corev1.SecretReference{Name: "cors", Namespace: other},
	}}
	h.create(p)
	c := h.waitCondition(p, productConditions(p), external.TypeInvalid, metav1.ConditionTrue, external.ReasonInvalidSpec)
	if !strings.Contains(c.Message, tenant.AllowReferencesFromAnnotation+"="+h.ns) {
		t.Errorf("Invalid message %q does not say how to allow the reference", c.Message)
	}
	h.diff("GETs of the other namespace's Secret", int64(0), reads.Load())
	h.diff("3scale writes", []string(nil), h.writes())

	h.update(secret, func() { secret.Annotations = map[string]string{tenant.AllowReferencesFromAnnotation: h.ns} })
	h.waitCondition(p, productConditions(p), external.TypeSynced, metav1.ConditionTrue, "")
	if reads.Load() == 0 {
		t.Error("the allowed Secret was never read")
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func containsAll(events []string, parts ...string) bool {
	for _, e := range events {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(e, p)
		}
		if ok {
			return true
		}
	}
	return false
}
