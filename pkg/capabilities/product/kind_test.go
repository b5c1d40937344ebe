package product

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/backend"
	"github.com/threescale-oss/operator/pkg/external"
)

// syncedBackend is a Backend of namespace ns synced to tenant host as 3scale backend id.
func syncedBackend(name, systemName string, id int64, host string) *capabilitiesv1beta1.Backend {
	b := &capabilitiesv1beta1.Backend{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, Generation: 2},
		Spec:       capabilitiesv1beta1.BackendSpec{Name: name, SystemName: systemName},
	}
	b.Status.ID, b.Status.ProviderAccountHost, b.Status.ObservedGeneration = &id, host, 2
	b.Status.Conditions = []metav1.Condition{{Type: external.TypeSynced, Status: metav1.ConditionTrue, Reason: "Synced", ObservedGeneration: 2}}
	b.Status.MetricsDigest = backend.MetricsDigest(&b.Spec)
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
	stale.Generation = 3 // a new spec, not synced yet, with a new metric
	stale.Spec.Metrics = map[string]capabilitiesv1beta1.MetricSpec{"new": {Name: "New", Unit: "1"}}
	failed := syncedBackend("failed", "b5", 11, host)
	failed.Status.Conditions[0].Status = metav1.ConditionFalse
	limitOn := func(name string) *capabilitiesv1beta1.Product {
		p := productUsing(name)
		p.Spec.ApplicationPlans = map[string]capabilitiesv1beta1.ApplicationPlanSpec{"basic": {Limits: []capabilitiesv1beta1.LimitSpec{
			{Period: "day", Value: 1, MetricMethodRef: capabilitiesv1beta1.MetricMethodRefSpec{SystemName: "hits", BackendSystemName: ptr(name)}},
		}}}
		return p
	}
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
			reason:  "A Backend syncing a newer spec keeps its ID: a Product not naming its metrics goes on.",
			product: productUsing("b2"),
			host:    host,
			want:    map[string]int64{"b2": 8},
		},
		"MetricsSyncing": {
			reason:  "A Product whose limits name the metrics of a Backend syncing new metrics waits for them.",
			product: limitOn("b2"),
			host:    host,
			waiting: `waiting for backends: backend "b2" (Backend stale) still syncing the metrics and methods this product's limits or pricing rules name`,
		},
		"SyncFailed": {
			reason:  "A Backend whose last sync failed is waited for.",
			product: productUsing("b5"),
			host:    host,
			waiting: `waiting for backends: backend "b5" (Backend failed) not synced to this product's tenant yet`,
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
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(syncedBackend("one", "b1", 7, host+"/"), stale, otherTenant, otherRef, failed).Build()
	k := Kind{Backends: c}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, _, err := k.backendIDs(context.Background(), tc.product, tc.host)
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
		"AnnotationOnly": {func(b *capabilitiesv1beta1.Backend) { b.Annotations = map[string]string{"x": "y"} }, false},
		// A newer spec, syncing or synced, keeps the backend's ID: no Product needs it (the
		// metrics are BackendMetricsChanged's).
		"NewSpecNotSynced": {func(b *capabilitiesv1beta1.Backend) { b.Generation = 3 }, false},
		"NewGenerationSynced": {func(b *capabilitiesv1beta1.Backend) {
			b.Status.ObservedGeneration = 3
		}, false},
		"NewMetricsSynced": {func(b *capabilitiesv1beta1.Backend) { b.Status.MetricsDigest = "other" }, false},
		"LostSync":         {func(b *capabilitiesv1beta1.Backend) { b.Status.Conditions[0].Status = metav1.ConditionFalse }, true},
		"NewID":            {func(b *capabilitiesv1beta1.Backend) { b.Status.ID = ptr(int64(8)) }, true},
		"Deleting":         {func(b *capabilitiesv1beta1.Backend) { now := metav1.Now(); b.DeletionTimestamp = &now }, true},
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

func TestBackendMetricsChanged(t *testing.T) {
	base := syncedBackend("one", "b1", 7, "https://t")
	base.Status.MetricsDigest = "d1"
	same := base.DeepCopy()
	same.Status.ObservedGeneration, same.Generation = 3, 3
	if BackendMetricsChanged(base, same) {
		t.Error("a new generation with the same metrics wakes the Products naming them")
	}
	other := base.DeepCopy()
	other.Status.MetricsDigest = "d2"
	if !BackendMetricsChanged(base, other) {
		t.Error("new metrics do not wake the Products naming them")
	}
}

// TestMessagesDeterministic: a spec with many faults gets the same message on every pass, so
// that a status message never changes (and re-triggers the object) while nothing else does: the
// existing operator's Product stalled for 17 minutes on messages in random order.
func TestMessagesDeterministic(t *testing.T) {
	p := productUsing("b1", "b2", "b3")
	p.Spec.Metrics = map[string]capabilitiesv1beta1.MetricSpec{}
	p.Spec.ApplicationPlans = map[string]capabilitiesv1beta1.ApplicationPlanSpec{}
	for i := range 8 {
		p.Spec.ApplicationPlans[fmt.Sprintf("plan%d", i)] = capabilitiesv1beta1.ApplicationPlanSpec{Limits: []capabilitiesv1beta1.LimitSpec{
			{Period: "day", Value: 1, MetricMethodRef: capabilitiesv1beta1.MetricMethodRefSpec{SystemName: fmt.Sprintf("nope%d", i)}},
			{Period: "day", Value: 1, MetricMethodRef: capabilitiesv1beta1.MetricMethodRefSpec{SystemName: "m", BackendSystemName: ptr(fmt.Sprintf("b%d", i%3+1))}},
		}}
		p.Spec.MappingRules = append(p.Spec.MappingRules, capabilitiesv1beta1.MappingRuleSpec{HTTPMethod: "GET", Pattern: fmt.Sprintf("/r%d", i), MetricMethodRef: fmt.Sprintf("missing%d", i), Increment: 1})
	}
	backends := map[string]*capabilitiesv1beta1.Backend{}
	for i := 1; i <= 3; i++ {
		b := syncedBackend(fmt.Sprintf("one%d", i), fmt.Sprintf("b%d", i), int64(i), "https://t")
		b.Spec.Metrics = map[string]capabilitiesv1beta1.MetricSpec{"m": {Name: "M", Unit: "1"}, "n": {Name: "N", Unit: "1"}}
		backends[b.Spec.SystemName] = b
	}
	var first string
	for range 50 {
		d, err := NewDesired(context.Background(), p, nil)
		if err == nil {
			err = Validate(d, backends)
		}
		if err == nil {
			t.Fatal("an invalid spec validates")
		}
		if first == "" {
			first = err.Error()
		} else if err.Error() != first {
			t.Fatalf("the message changed between passes:\n%s\n%s", first, err)
		}
	}
}
