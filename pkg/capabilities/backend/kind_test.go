package backend

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/external/externaltest"
	"github.com/threescale-oss/operator/pkg/tenant"
	"github.com/threescale-oss/operator/pkg/threescale"
	"github.com/threescale-oss/operator/pkg/threescale/inmemory"
)

// env is an in-memory 3scale tenant, a client of it, and the loop running Backends against it
// over a fake Kubernetes client that holds the tenant's provider-account Secret.
type env struct {
	srv  *inmemory.Server
	c    *threescale.Client
	kind Kind
	loop *externaltest.Loop[*capabilitiesv1beta1.Backend]
}

func newEnv(t *testing.T, objs ...client.Object) *env {
	t.Helper()
	srv, tn := inmemory.NewTestServer(t)
	c, err := threescale.New(tn.AdminURL, tn.Token, threescale.WithMetricsRegisterer(prometheus.NewRegistry()))
	if err != nil {
		t.Fatal(err)
	}
	objs = append(objs, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: tenant.DefaultSecretName},
		Data:       map[string][]byte{tenant.AdminURLKey: []byte(tn.AdminURL), tenant.TokenKey: []byte(tn.Token)},
	})
	kc := externaltest.NewClient(t, Kind{}, objs...)
	k := Kind{Reader: kc, Tenants: external.Tenants{
		Resolver: tenant.Resolver{Reader: kc},
		Clients:  &tenant.Clients{Options: []threescale.Option{threescale.WithMetricsRegisterer(prometheus.NewRegistry())}},
	}}
	return &env{srv: srv, c: c, kind: k, loop: externaltest.NewLoop(kc, external.Kind[*capabilitiesv1beta1.Backend](k), external.Options{})}
}

// writes counts the calls since the last reset that are not reads.
func (e *env) writes() int {
	n := 0
	for _, c := range e.srv.Calls() {
		if c.Method != "GET" {
			n++
		}
	}
	return n
}

// pass runs one reconcile of b with the loop and returns the 3scale writes it made.
func (e *env) pass(t *testing.T, b *capabilitiesv1beta1.Backend) int {
	t.Helper()
	e.srv.ResetCalls()
	if _, err := e.loop.Reconcile(t, b); err != nil {
		t.Fatalf("reconcile: %v", err)
	}
	if c := meta.FindStatusCondition(b.Status.Conditions, external.TypeSynced); c == nil || c.Status != metav1.ConditionTrue {
		t.Fatalf("after a reconcile, Synced = %+v", c)
	}
	return e.writes()
}

// connect returns b's External.
func (e *env) connect(t *testing.T, b *capabilitiesv1beta1.Backend) external.External[*capabilitiesv1beta1.Backend] {
	t.Helper()
	x, err := e.kind.Connect(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// TestSyncCostAndConvergence creates a backend from nothing in one pass, then checks that a
// resync of an unchanged backend reads each collection once and writes nothing, and that one
// changed mapping rule costs one write.
func TestSyncCostAndConvergence(t *testing.T) {
	e := newEnv(t)
	b := sampleBackend()

	e.pass(t, b)
	if n := e.srv.CallCount("POST /admin/api/backend_apis.json"); n != 1 || b.Status.ID == nil {
		t.Fatalf("first pass: %d creations, id %v; want one creation that records the ID", n, b.Status.ID)
	}
	if w := e.pass(t, b); w != 0 {
		t.Fatalf("second pass wrote %d times, want 0", w)
	}
	reads := map[string]int{}
	for _, c := range e.srv.Calls() {
		reads[c.Op]++
	}
	want := map[string]int{
		"GET /admin/api/backend_apis/{id}.json":                           1,
		"GET /admin/api/backend_apis/{backend_api_id}/metrics.json":       1,
		"GET /admin/api/backend_apis/{backend_api_id}/mapping_rules.json": 1,
	}
	if diff := cmp.Diff(want, reads); diff != "" {
		t.Errorf("resync calls: -want, +got:\n%s", diff)
	}

	b.Spec.MappingRules[0].Increment = 3
	if err := e.loop.Client.Update(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	if n := e.pass(t, b); n != 1 {
		t.Errorf("one changed mapping rule took %d writes, want 1", n)
	}
	if n := e.pass(t, b); n != 0 {
		t.Errorf("not converged after the change: %d writes", n)
	}
}

// TestCrashBetweenCreateAndStatus checks crash safety: a backend created by a pass whose ID
// never reached the status (the object still marked create-pending) is found by system name and
// recorded, not created again.
func TestCrashBetweenCreateAndStatus(t *testing.T) {
	e := newEnv(t)
	b := sampleBackend()
	e.pass(t, b)
	ctx := context.Background()
	// As if the operator stopped right after the create call.
	b.Status.ID = nil
	if err := e.loop.Client.Status().Update(ctx, b); err != nil {
		t.Fatal(err)
	}
	b.Annotations = map[string]string{external.CreatePendingAnnotation: "2026-12-04T00:00:00Z"}
	if err := e.loop.Client.Update(ctx, b); err != nil {
		t.Fatal(err)
	}
	if n := e.pass(t, b); n != 0 {
		t.Errorf("%d writes, want 0: the backend was found and recorded", n)
	}
	if b.Status.ID == nil || b.Annotations[external.CreatePendingAnnotation] != "" {
		t.Errorf("status ID %v, annotations %v; want the ID recorded and the mark gone", b.Status.ID, b.Annotations)
	}
	if all, _ := e.c.ListBackends(ctx); len(all) != 1 {
		t.Errorf("3scale holds %d backends, want 1", len(all))
	}
}

// TestDriftReverted changes the backend in 3scale behind the operator's back.
func TestDriftReverted(t *testing.T) {
	e := newEnv(t)
	b := sampleBackend()
	e.pass(t, b)
	ctx := context.Background()
	id := *b.Status.ID
	if _, err := e.c.UpdateBackend(ctx, id, threescale.BackendUpdateParams{Description: ptr("changed by hand")}); err != nil {
		t.Fatal(err)
	}
	metrics, _ := e.c.ListBackendMetrics(ctx, id)
	for _, m := range metrics {
		if threescale.TrimBackendMetricSuffix(m.SystemName, id) == "list" {
			if err := e.c.DeleteBackendMethod(ctx, id, m.ParentID, m.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := e.pass(t, b); n == 0 {
		t.Fatal("drift was not seen")
	}
	if n := e.pass(t, b); n != 0 {
		t.Errorf("drift not reverted: %d more writes", n)
	}
	got, _ := e.c.GetBackend(ctx, id)
	if got.Description != "Pets" {
		t.Errorf("description = %q, want it reverted to %q", got.Description, "Pets")
	}
}

// TestRecreatedWhenDeletedBehindOurBack checks a status ID whose backend is gone.
func TestRecreatedWhenDeletedBehindOurBack(t *testing.T) {
	e := newEnv(t)
	b := sampleBackend()
	e.pass(t, b)
	old := *b.Status.ID
	if err := e.c.DeleteBackend(context.Background(), old); err != nil {
		t.Fatal(err)
	}
	e.pass(t, b)
	if b.Status.ID == nil || *b.Status.ID == old {
		t.Errorf("status ID = %v, want a new backend's", b.Status.ID)
	}
	if n := e.pass(t, b); n != 0 {
		t.Errorf("not in sync after re-creation: %d writes", n)
	}
}

func TestDelete(t *testing.T) {
	user := &capabilitiesv1beta1.Product{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "product1"},
		Spec:       capabilitiesv1beta1.ProductSpec{Name: "P", BackendUsages: map[string]capabilitiesv1beta1.BackendUsageSpec{"backend1": {Path: "/"}}},
	}
	otherTenant := user.DeepCopy()
	otherTenant.Name = "elsewhere"
	otherTenant.Spec.ProviderAccountRef = ptrRef("other-tenant")

	t.Run("InUseByProductObject", func(t *testing.T) {
		e := newEnv(t, user, otherTenant)
		b := sampleBackend()
		e.pass(t, b)
		err := e.connect(t, b).Delete(context.Background(), b, *b.Status.ID)
		if external.Classify(err) != external.Waiting || !strings.Contains(err.Error(), `Product "product1"`) || strings.Contains(err.Error(), "elsewhere") {
			t.Errorf("Delete while product1 uses it = %v, want a wait naming product1 only", err)
		}
		if n := e.srv.CallCount("DELETE /admin/api/backend_apis/{id}.json"); n != 0 {
			t.Errorf("%d deletions sent while a Product uses the backend, want 0", n)
		}
	})

	t.Run("InUseIn3scale", func(t *testing.T) {
		e := newEnv(t)
		b := sampleBackend()
		e.pass(t, b)
		ctx := context.Background()
		p, err := e.c.CreateProduct(ctx, threescale.ProductParams{Name: ptr("Made by hand")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.c.CreateBackendUsage(ctx, p.ID, threescale.BackendUsageParams{BackendID: b.Status.ID, Path: ptr("/")}); err != nil {
			t.Fatal(err)
		}
		err = e.connect(t, b).Delete(ctx, b, *b.Status.ID)
		var w *external.WaitingError
		if !asWaiting(err, &w) || w.Reason != ReasonInUse {
			t.Errorf("Delete of a backend a hand-made product uses = %v, want a %s wait", err, ReasonInUse)
		}
	})

	t.Run("DeletedAndGone", func(t *testing.T) {
		e := newEnv(t)
		b := sampleBackend()
		e.pass(t, b)
		x, id := e.connect(t, b), *b.Status.ID
		if err := x.Delete(context.Background(), b, id); err != nil {
			t.Fatal(err)
		}
		if all, _ := e.c.ListBackends(context.Background()); len(all) != 0 {
			t.Errorf("3scale still holds %d backends", len(all))
		}
		if err := x.Delete(context.Background(), b, id); err != nil {
			t.Errorf("second Delete = %v, want nil: a backend already gone is deleted", err)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func ptrRef(name string) *corev1.LocalObjectReference {
	return &corev1.LocalObjectReference{Name: name}
}

func asWaiting(err error, target **external.WaitingError) bool { return errors.As(err, target) }
