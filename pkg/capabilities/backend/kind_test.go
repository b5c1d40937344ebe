package backend

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/threescale"
	"github.com/threescale-oss/operator/pkg/threescale/inmemory"
)

// env is an in-memory 3scale tenant and a client of it.
type env struct {
	srv *inmemory.Server
	c   *threescale.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv, tenant := inmemory.NewTestServer(t)
	c, err := threescale.New(tenant.AdminURL, tenant.Token, threescale.WithMetricsRegisterer(prometheus.NewRegistry()))
	if err != nil {
		t.Fatal(err)
	}
	return &env{srv: srv, c: c}
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

// pass runs one Observe and, when needed, Sync, as the loop does.
func pass(t *testing.T, k Kind, c *threescale.Client, b *capabilitiesv1beta1.Backend) external.Observation {
	t.Helper()
	ctx := context.Background()
	x, err := k.Connect(ctx, b, c)
	if err != nil {
		t.Fatal(err)
	}
	obs, err := x.Observe(ctx, b)
	if err != nil {
		t.Fatalf("observe: %v", err)
	}
	if !obs.UpToDate {
		if err := x.Sync(ctx, b); err != nil {
			t.Fatalf("sync %v: %v", obs.Diff, err)
		}
	}
	b.Status.ProviderAccountHost = c.AdminURL()
	return obs
}

// TestSyncCostAndConvergence creates a backend from nothing in one pass, then checks that a
// resync of an unchanged backend reads each collection once and writes nothing, and that one
// changed mapping rule costs one write.
func TestSyncCostAndConvergence(t *testing.T) {
	e := newEnv(t)
	b := sampleBackend()
	k := Kind{}

	obs := pass(t, k, e.c, b)
	if obs.Exists || b.Status.ID == nil {
		t.Fatalf("first pass: exists=%v id=%v; want a creation that records the ID", obs.Exists, b.Status.ID)
	}
	e.srv.ResetCalls()
	if obs := pass(t, k, e.c, b); !obs.UpToDate {
		t.Fatalf("second pass is not up to date: %v", obs.Diff)
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
	e.srv.ResetCalls()
	if obs := pass(t, k, e.c, b); obs.UpToDate {
		t.Fatal("a changed increment was not planned")
	}
	if n := e.writes(); n != 1 {
		t.Errorf("one changed mapping rule took %d writes, want 1", n)
	}
	if obs := pass(t, k, e.c, b); !obs.UpToDate {
		t.Errorf("not converged after the change: %v", obs.Diff)
	}
}

// TestObserveFindsBySystemName checks crash safety: a backend created by a pass whose ID never
// reached the status is found by system name, not created again.
func TestObserveFindsBySystemName(t *testing.T) {
	e := newEnv(t)
	k := Kind{}
	pass(t, k, e.c, sampleBackend())

	fresh := sampleBackend() // as if the status write was lost
	e.srv.ResetCalls()
	obs := pass(t, k, e.c, fresh)
	if !obs.Exists || !obs.UpToDate {
		t.Errorf("observation of a backend whose ID was lost = %+v, want it found and in sync", obs)
	}
	if n := e.srv.CallCount("POST /admin/api/backend_apis.json"); n != 0 {
		t.Errorf("%d backend creations, want 0", n)
	}
	all, _ := e.c.ListBackends(context.Background())
	if len(all) != 1 {
		t.Errorf("3scale holds %d backends, want 1", len(all))
	}
}

// TestDriftReverted changes the backend in 3scale behind the operator's back.
func TestDriftReverted(t *testing.T) {
	e := newEnv(t)
	k := Kind{}
	b := sampleBackend()
	pass(t, k, e.c, b)
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
	obs := pass(t, k, e.c, b)
	if obs.UpToDate {
		t.Fatal("drift was not seen")
	}
	if obs := pass(t, k, e.c, b); !obs.UpToDate {
		t.Errorf("drift not reverted: %v", obs.Diff)
	}
	got, _ := e.c.GetBackend(ctx, id)
	if got.Description != "Pets" {
		t.Errorf("description = %q, want it reverted to %q", got.Description, "Pets")
	}
}

// TestRecreatedWhenDeletedBehindOurBack checks a status ID whose backend is gone.
func TestRecreatedWhenDeletedBehindOurBack(t *testing.T) {
	e := newEnv(t)
	k := Kind{}
	b := sampleBackend()
	pass(t, k, e.c, b)
	old := *b.Status.ID
	if err := e.c.DeleteBackend(context.Background(), old); err != nil {
		t.Fatal(err)
	}
	pass(t, k, e.c, b)
	if b.Status.ID == nil || *b.Status.ID == old {
		t.Errorf("status ID = %v, want a new backend's", b.Status.ID)
	}
	if obs := pass(t, k, e.c, b); !obs.UpToDate {
		t.Errorf("not in sync after re-creation: %v", obs.Diff)
	}
}

func TestDelete(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := capabilitiesv1beta1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	user := &capabilitiesv1beta1.Product{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "product1"},
		Spec:       capabilitiesv1beta1.ProductSpec{Name: "P", BackendUsages: map[string]capabilitiesv1beta1.BackendUsageSpec{"backend1": {Path: "/"}}},
	}
	otherTenant := user.DeepCopy()
	otherTenant.Name = "elsewhere"
	otherTenant.Spec.ProviderAccountRef = ptrRef("other-tenant")

	t.Run("InUseByProductObject", func(t *testing.T) {
		e := newEnv(t)
		k := Kind{Reader: fake.NewClientBuilder().WithScheme(scheme).WithObjects(user, otherTenant).Build()}
		b := sampleBackend()
		b.Namespace = "ns"
		pass(t, k, e.c, b)
		x, _ := k.Connect(context.Background(), b, e.c)
		err := x.Delete(context.Background(), b)
		if external.Classify(err) != external.Waiting || !strings.Contains(err.Error(), `Product "product1"`) || strings.Contains(err.Error(), "elsewhere") {
			t.Errorf("Delete while product1 uses it = %v, want a wait naming product1 only", err)
		}
		if n := e.srv.CallCount("DELETE /admin/api/backend_apis/{id}.json"); n != 0 {
			t.Errorf("%d deletions sent while a Product uses the backend, want 0", n)
		}
	})

	t.Run("InUseIn3scale", func(t *testing.T) {
		e := newEnv(t)
		k := Kind{}
		b := sampleBackend()
		pass(t, k, e.c, b)
		ctx := context.Background()
		p, err := e.c.CreateProduct(ctx, threescale.ProductParams{Name: ptr("Made by hand")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.c.CreateBackendUsage(ctx, p.ID, threescale.BackendUsageParams{BackendID: b.Status.ID, Path: ptr("/")}); err != nil {
			t.Fatal(err)
		}
		x, _ := k.Connect(ctx, b, e.c)
		err = x.Delete(ctx, b)
		var w *external.WaitingError
		if !asWaiting(err, &w) || w.Reason != ReasonInUse {
			t.Errorf("Delete of a backend a hand-made product uses = %v, want a %s wait", err, ReasonInUse)
		}
	})

	t.Run("DeletedAndGone", func(t *testing.T) {
		e := newEnv(t)
		k := Kind{}
		b := sampleBackend()
		pass(t, k, e.c, b)
		x, _ := k.Connect(context.Background(), b, e.c)
		if err := x.Delete(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		if all, _ := e.c.ListBackends(context.Background()); len(all) != 0 {
			t.Errorf("3scale still holds %d backends", len(all))
		}
		if err := x.Delete(context.Background(), b); err != nil {
			t.Errorf("second Delete = %v, want nil: a backend already gone is deleted", err)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func ptrRef(name string) *corev1.LocalObjectReference {
	return &corev1.LocalObjectReference{Name: name}
}

func asWaiting(err error, target **external.WaitingError) bool { return errors.As(err, target) }
