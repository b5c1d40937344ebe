package product

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// syncedBackend is a Backend of namespace ns synced to tenant host as 3scale backend id.
func syncedBackend(name, systemName string, id int64, host string) *capabilitiesv1beta1.Backend {
	b := &capabilitiesv1beta1.Backend{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, Generation: 2},
		Spec:       capabilitiesv1beta1.BackendSpec{Name: name, SystemName: systemName},
	}
	b.Status.ID, b.Status.ProviderAccountHost, b.Status.ObservedGeneration = &id, host, 2
	b.Status.Conditions = []metav1.Condition{{Type: external.TypeSynced, Status: metav1.ConditionTrue, Reason: "Synced", ObservedGeneration: 2}}
	return b
}

func productUsing(backends ...string) *capabilitiesv1beta1.Product {
	p := &capabilitiesv1beta1.Product{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p"},
		Spec:       capabilitiesv1beta1.ProductSpec{Name: "P", BackendUsages: map[string]capabilitiesv1beta1.BackendUsageSpec{}},
	}
	for _, b := range backends {
		p.Spec.BackendUsages[b] = capabilitiesv1beta1.BackendUsageSpec{Path: "/"}
	}
	return p
}

func TestBackendIDs(t *testing.T) {
	const host = "https://t-admin.example.com"
	stale := syncedBackend("stale", "b2", 8, host)
	stale.Generation = 3 // a new spec, not synced yet
	otherTenant := syncedBackend("other", "b3", 9, "https://other-admin.example.com")
	otherRef := syncedBackend("ref", "b4", 10, host)
	otherRef.Spec.ProviderAccountRef = &corev1.LocalObjectReference{Name: "another-secret"}
	cases := map[string]struct {
		reason  string
		product *capabilitiesv1beta1.Product
		host    string
		want    map[string]int64
		waiting string
	}{
		"Synced": {
			reason:  "A synced Backend of the same tenant gives its ID.",
			product: productUsing("b1"),
			host:    host,
			want:    map[string]int64{"b1": 7},
		},
		"LimitReference": {
			reason: "Backends named by limits only are resolved too.",
			product: func() *capabilitiesv1beta1.Product {
				p := productUsing()
				p.Spec.ApplicationPlans = map[string]capabilitiesv1beta1.ApplicationPlanSpec{"basic": {Limits: []capabilitiesv1beta1.LimitSpec{
					{Period: "day", Value: 1, MetricMethodRef: capabilitiesv1beta1.MetricMethodRefSpec{SystemName: "hits", BackendSystemName: ptr("b1")}},
				}}}
				return p
			}(),
			host: host,
			want: map[string]int64{"b1": 7},
		},
		"Missing": {
			reason:  "A Backend that does not exist is waited for, by name.",
			product: productUsing("b1", "nope"),
			host:    host,
			waiting: `waiting for backends: no Backend with system name "nope" in this namespace and provider account`,
		},
		"NotSyncedForItsGeneration": {
			reason:  "A Backend with a spec not synced yet is waited for.",
			product: productUsing("b2"),
			host:    host,
			waiting: `waiting for backends: backend "b2" (Backend stale) not synced to this product's tenant yet`,
		},
		"OtherTenant": {
			reason:  "A Backend synced to another tenant is waited for.",
			product: productUsing("b3"),
			host:    host,
			waiting: `waiting for backends: backend "b3" (Backend other) not synced to this product's tenant yet`,
		},
		"AnyTenantBeforeConnecting": {
			reason:  "Before the tenant is known (Check), a synced Backend is enough.",
			product: productUsing("b3"),
			want:    map[string]int64{"b3": 9},
		},
		"OtherProviderAccountRef": {
			reason:  "A Backend of another provider account does not count.",
			product: productUsing("b4"),
			host:    host,
			waiting: `waiting for backends: no Backend with system name "b4" in this namespace and provider account`,
		},
	}
	scheme := runtime.NewScheme()
	if err := capabilitiesv1beta1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(syncedBackend("one", "b1", 7, host+"/"), stale, otherTenant, otherRef).Build()
	k := Kind{Backends: c}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := k.backendIDs(context.Background(), tc.product, tc.host)
			gotWaiting := ""
			if err != nil {
				if external.Classify(err) != external.Waiting {
					t.Fatalf("%s\nerror %v is not a wait", tc.reason, err)
				}
				gotWaiting = err.Error()
			}
			if diff := cmp.Diff(tc.waiting, gotWaiting); diff != "" {
				t.Errorf("%s\nwait: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want, got); err == nil && diff != "" {
				t.Errorf("%s\nIDs: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestReferencedBackends(t *testing.T) {
	p := productUsing("b2", "b1")
	p.Spec.ApplicationPlans = map[string]capabilitiesv1beta1.ApplicationPlanSpec{"basic": {
		Limits: []capabilitiesv1beta1.LimitSpec{
			{Period: "day", Value: 1, MetricMethodRef: capabilitiesv1beta1.MetricMethodRefSpec{SystemName: "hits", BackendSystemName: ptr("b3")}},
			{Period: "day", Value: 1, MetricMethodRef: capabilitiesv1beta1.MetricMethodRefSpec{SystemName: "hits"}},
		},
		PricingRules: []capabilitiesv1beta1.PricingRuleSpec{
			{From: 1, To: 10, MetricMethodRef: capabilitiesv1beta1.MetricMethodRefSpec{SystemName: "hits", BackendSystemName: ptr("b1")}},
		},
	}}
	want := []string{"b1", "b2", "b3"}
	if diff := cmp.Diff(want, ReferencedBackends(p)); diff != "" {
		t.Errorf("backend usages, limits and pricing rules, sorted, each once: -want, +got:\n%s", diff)
	}
}

func TestBackendChanged(t *testing.T) {
	base := syncedBackend("one", "b1", 7, "https://t")
	cases := map[string]struct {
		change func(b *capabilitiesv1beta1.Backend)
		want   bool
	}{
		"AnnotationOnly":   {func(b *capabilitiesv1beta1.Backend) { b.Annotations = map[string]string{"x": "y"} }, false},
		"NewSpecNotSynced": {func(b *capabilitiesv1beta1.Backend) { b.Generation = 3 }, true},
		"NewGenerationSynced": {func(b *capabilitiesv1beta1.Backend) {
			b.Status.ObservedGeneration = 3
		}, true},
		"LostSync": {func(b *capabilitiesv1beta1.Backend) { b.Status.Conditions[0].Status = metav1.ConditionFalse }, true},
		"NewID":    {func(b *capabilitiesv1beta1.Backend) { b.Status.ID = ptr(int64(8)) }, true},
		"Deleting": {func(b *capabilitiesv1beta1.Backend) { now := metav1.Now(); b.DeletionTimestamp = &now }, true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			after := base.DeepCopy()
			tc.change(after)
			if got := BackendChanged(base, after); got != tc.want {
				t.Errorf("BackendChanged = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestFindForDelete holds Delete's lookup: by the ID in the status, else by system name, and a
// product found by ID that has another system name is not the one to delete.
func TestFindForDelete(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	create := func(systemName string) int64 {
		p, err := e.c.CreateProduct(ctx, threescale.ProductParams{Name: ptr(systemName), SystemName: ptr(systemName)})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	mine, other := create("mine"), create("other")
	const gone = int64(999999)
	cases := map[string]struct {
		reason string
		id     *int64
		host   string
		want   int64 // 0: nothing to delete
		lists  int   // how many times the products are listed
	}{
		"ByID":              {reason: "The ID in the status finds the product without a list.", id: ptr(mine), want: mine},
		"NoID":              {reason: "Without an ID the product is found by system name.", want: mine, lists: 1},
		"GoneByID":          {reason: "An ID 3scale no longer knows falls back to the system name.", id: ptr(gone), want: mine, lists: 1},
		"SystemNameChanged": {reason: "After a system-name change (3scale cannot rename), the product kept in sync by its ID is the one deleted, as Observe manages it.", id: ptr(other), want: other},
		"IDOfAnotherTenant": {reason: "An ID recorded for another tenant is not used.", id: ptr(other), host: "https://elsewhere", want: mine, lists: 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := &capabilitiesv1beta1.Product{Spec: capabilitiesv1beta1.ProductSpec{Name: "mine", SystemName: "mine"}}
			p.Status.ID, p.Status.ProviderAccountHost = tc.id, tc.host
			e.srv.ResetCalls()
			found, err := (&ext{c: e.c}).find(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			var got int64
			if found != nil {
				got = found.ID
			}
			if got != tc.want {
				t.Errorf("%s\nfound product %d, want %d", tc.reason, got, tc.want)
			}
			if lists := e.srv.CallCount("GET /admin/api/services.json"); lists != tc.lists {
				t.Errorf("%s\nlisted products %d times, want %d", tc.reason, lists, tc.lists)
			}
		})
	}
	t.Run("Gone", func(t *testing.T) {
		p := &capabilitiesv1beta1.Product{Spec: capabilitiesv1beta1.ProductSpec{Name: "none", SystemName: "none"}}
		if found, err := (&ext{c: e.c}).find(ctx, p); err != nil || found != nil {
			t.Errorf("a product 3scale does not hold: found %v, %v; want nil, nil", found, err)
		}
	})
}

// TestCreateListsProductsOnce holds the cost of creating a product through the loop's Observe and
// Sync: one list of the tenant's products (Observe's), then the product is created and configured.
func TestCreateListsProductsOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := &capabilitiesv1beta1.Product{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p"},
		Spec:       capabilitiesv1beta1.ProductSpec{Name: "Pets", MappingRules: []capabilitiesv1beta1.MappingRuleSpec{{HTTPMethod: "GET", Pattern: "/pets", MetricMethodRef: "hits", Increment: 1}}},
	}
	x := &ext{kind: Kind{}, c: e.c}
	obs, err := x.Observe(ctx, p)
	if err != nil || obs.Exists {
		t.Fatalf("first Observe = %+v, %v; want a product that does not exist", obs, err)
	}
	if err := x.Sync(ctx, p); err != nil {
		t.Fatal(err)
	}
	if lists := e.srv.CallCount("GET /admin/api/services.json"); lists != 1 {
		t.Errorf("listed the tenant's products %d times, want 1 (Observe's)", lists)
	}
	if p.Status.ID == nil {
		t.Fatal("Sync did not record the new product's ID")
	}
	obs, err = x.Observe(ctx, p)
	if err != nil || !obs.Exists || !obs.UpToDate {
		t.Errorf("Observe after Sync = %+v, %v; want the product up to date (created and configured in one Sync)", obs, err)
	}
}
