package external

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
)

// syncedAt marks b Ready (and Synced) for generation gen: its last pass found 3scale matching.
func syncedAt(gen int64) backendOpt {
	return func(b *backend) {
		for _, t := range []string{TypeSynced, TypeReady} {
			b.Status.Conditions = append(b.Status.Conditions, metav1.Condition{Type: t, Status: metav1.ConditionTrue,
				Reason: ReasonSynced, ObservedGeneration: gen, LastTransitionTime: metav1.NewTime(testNow)})
		}
		b.Status.ObservedGeneration = gen
	}
}

// TestDrift: a pass that finds 3scale differing from a spec already synced reports drift (a
// Warning event naming what differs, the metric) and reverts it; a spec change is no drift.
func TestDrift(t *testing.T) {
	cases := map[string]struct {
		reason string
		obj    *backend
		drift  bool
	}{
		"ChangedBehindTheOperator": {"the spec was synced, 3scale differs now: drift", newBackend(withFinalizer, recorded(42, loc), syncedAt(3)), true},
		"NewSpec":                  {"the spec changed since the last sync: no drift", newBackend(withFinalizer, recorded(42, loc), syncedAt(2)), false},
		"NeverSynced":              {"an object never synced: no drift", newBackend(withFinalizer, recorded(42, loc)), false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			k := &fakeKind{observe: plans(op("update description of backend 42", nil))}
			c := newClient(t, k, interceptor.Funcs{}, tc.obj)
			recorder := events.NewFakeRecorder(32)
			r := newReconciler(c, k, recorder)
			r.opts.Name = "drift-" + name
			if _, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: keyB}); err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(k.calls, "run update description of backend 42") {
				t.Errorf("%s\nthe difference was not reverted: calls %v", tc.reason, k.calls)
			}
			evs := drainEvents(recorder)
			reported := slices.ContainsFunc(evs, func(e string) bool {
				return strings.HasPrefix(e, "Warning DriftDetected") && strings.Contains(e, "update description of backend 42")
			})
			count := testutil.ToFloat64(driftTotal.WithLabelValues(r.opts.Name, testNS))
			if reported != tc.drift || (count == 1) != tc.drift {
				t.Errorf("%s\ndrift event %v, metric %v; events %q", tc.reason, reported, count, evs)
			}
		})
	}
}

// TestObserveOnly: an object annotated Observe is compared, never written: what enforcing would
// change is in Synced/Ready (reason OutOfSync), nothing is run or created, and deleting it leaves
// 3scale as it is. Without the annotation, the operator's default decides.
func TestObserveOnly(t *testing.T) {
	observe := annotate(ManagementPolicyAnnotation, ManagementPolicyObserve)
	t.Run("Differs", func(t *testing.T) {
		k := &fakeKind{observe: plans(op("update description of backend 42", nil))}
		c := newClient(t, k, interceptor.Funcs{}, newBackend(withFinalizer, recorded(42, loc), observe))
		r := newReconciler(c, k, events.NewFakeRecorder(32))
		if _, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: keyB}); err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(k.calls, func(s string) bool { return strings.HasPrefix(s, "run ") }) {
			t.Errorf("an observed object ran operations: %v", k.calls)
		}
		got := stored(t, c)
		for _, typ := range []string{TypeSynced, TypeReady} {
			cond := findCondition(got, typ)
			if cond == nil || cond.Status != metav1.ConditionFalse || cond.Reason != ReasonOutOfSync || !strings.Contains(cond.Message, "update description of backend 42") {
				t.Errorf("%s = %+v, want False, OutOfSync, naming the change", typ, cond)
			}
		}
	})
	t.Run("Missing", func(t *testing.T) {
		k := &fakeKind{}
		c := newClient(t, k, interceptor.Funcs{}, newBackend(withFinalizer))
		r := newReconciler(c, k, events.NewFakeRecorder(32))
		r.opts.ManagementPolicy = ManagementPolicyObserve // the operator's default
		if _, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: keyB}); err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(k.calls, func(s string) bool { return strings.HasPrefix(s, "create") }) {
			t.Errorf("an observed object was created: %v", k.calls)
		}
		if cond := findCondition(stored(t, c), TypeSynced); cond == nil || cond.Reason != ReasonOutOfSync || !strings.Contains(cond.Message, "would create") {
			t.Errorf("Synced = %+v", cond)
		}
	})
	t.Run("InSync", func(t *testing.T) {
		k := &fakeKind{}
		c := newClient(t, k, interceptor.Funcs{}, newBackend(withFinalizer, recorded(42, loc), observe))
		r := newReconciler(c, k, events.NewFakeRecorder(32))
		if _, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: keyB}); err != nil {
			t.Fatal(err)
		}
		if cond := findCondition(stored(t, c), TypeSynced); cond == nil || cond.Status != metav1.ConditionTrue {
			t.Errorf("an observed object matching 3scale: Synced = %+v", cond)
		}
	})
	t.Run("Deleted", func(t *testing.T) {
		k := &fakeKind{}
		c := newClient(t, k, interceptor.Funcs{}, newBackend(deleted, recorded(42, loc), observe))
		r := newReconciler(c, k, events.NewFakeRecorder(32))
		if _, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: keyB}); err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(k.calls, func(s string) bool { return strings.HasPrefix(s, "delete") }) {
			t.Errorf("deleting an observed object deleted in 3scale: %v", k.calls)
		}
	})
}

func findCondition(b *backend, typ string) *metav1.Condition {
	for i := range b.Status.Conditions {
		if b.Status.Conditions[i].Type == typ {
			return &b.Status.Conditions[i]
		}
	}
	return nil
}

// TestManagementPolicyTypo: an annotation value that is no policy is Invalid, naming both.
func TestManagementPolicyTypo(t *testing.T) {
	k := &fakeKind{observe: plans(op("update description of backend 42", nil))}
	c := newClient(t, k, interceptor.Funcs{}, newBackend(withFinalizer, recorded(42, loc), annotate(ManagementPolicyAnnotation, "ObserveOnly")))
	r := newReconciler(c, k, events.NewFakeRecorder(32))
	if _, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: keyB}); err != nil {
		t.Fatal(err)
	}
	if cond := findCondition(stored(t, c), TypeInvalid); cond == nil || cond.Status != metav1.ConditionTrue || !strings.Contains(cond.Message, "Enforce or Observe") {
		t.Errorf("Invalid = %+v", cond)
	}
	if len(k.calls) != 0 {
		t.Errorf("a typo in the policy reached 3scale: %v", k.calls)
	}
}
