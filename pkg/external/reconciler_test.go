package external

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/threescale-oss/operator/api"
	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/tenant"
	"github.com/threescale-oss/operator/pkg/threescale"
)

const (
	testNS        = "ns"
	testFinalizer = "backend.capabilities.3scale.net/finalizer"
	poll          = time.Minute
	wait          = 7 * time.Second
)

// fakeKind adapts Backend to the loop with function fields, so that each case wires only the
// behaviour it needs (crossplane's ExternalClientFns style).
type fakeKind struct {
	orphan  bool
	check   func(*capabilitiesv1beta1.Backend) error
	observe func(*capabilitiesv1beta1.Backend) (Observation, error)
	sync    func(*capabilitiesv1beta1.Backend) error
	delete  func(*capabilitiesv1beta1.Backend) error

	calls []string
}

func (k *fakeKind) New() *capabilitiesv1beta1.Backend { return &capabilitiesv1beta1.Backend{} }
func (k *fakeKind) Finalizer() string                 { return testFinalizer }
func (k *fakeKind) OrphanCondition() bool             { return k.orphan }
func (k *fakeKind) Status(b *capabilitiesv1beta1.Backend) Status {
	return Status{Conditions: &b.Status.Conditions, ObservedGeneration: &b.Status.ObservedGeneration, ProviderAccountHost: &b.Status.ProviderAccountHost}
}
func (k *fakeKind) ProviderAccountRef(b *capabilitiesv1beta1.Backend) *corev1.LocalObjectReference {
	return b.Spec.ProviderAccountRef
}
func (k *fakeKind) HasExternal(b *capabilitiesv1beta1.Backend) bool { return b.Status.ID != nil }
func (k *fakeKind) Check(_ context.Context, b *capabilitiesv1beta1.Backend) error {
	k.calls = append(k.calls, "check")
	if k.check != nil {
		return k.check(b)
	}
	return nil
}
func (k *fakeKind) Connect(context.Context, *capabilitiesv1beta1.Backend, *threescale.Client) (External[*capabilitiesv1beta1.Backend], error) {
	k.calls = append(k.calls, "connect")
	return k, nil
}
func (k *fakeKind) Observe(_ context.Context, b *capabilitiesv1beta1.Backend) (Observation, error) {
	k.calls = append(k.calls, "observe")
	if k.observe != nil {
		return k.observe(b)
	}
	return Observation{Exists: true, UpToDate: true}, nil
}
func (k *fakeKind) Sync(_ context.Context, b *capabilitiesv1beta1.Backend) error {
	k.calls = append(k.calls, "sync")
	if k.sync != nil {
		return k.sync(b)
	}
	return nil
}
func (k *fakeKind) Delete(_ context.Context, b *capabilitiesv1beta1.Backend) error {
	k.calls = append(k.calls, "delete")
	if k.delete != nil {
		return k.delete(b)
	}
	return nil
}

func testScheme(t *testing.T) *runtime.Scheme {
	t.Helper()
	s, err := api.NewScheme()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func providerSecret() *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: tenant.DefaultSecretName},
		Data:       map[string][]byte{"adminURL": []byte("https://t-admin.example.com"), "token": []byte("tok")},
	}
}

type backendOpt func(*capabilitiesv1beta1.Backend)

func withFinalizer(b *capabilitiesv1beta1.Backend) { b.Finalizers = []string{testFinalizer} }
func deleted(b *capabilitiesv1beta1.Backend) {
	withFinalizer(b)
	now := metav1.Now()
	b.DeletionTimestamp = &now
}
func withID(b *capabilitiesv1beta1.Backend) { id := int64(42); b.Status.ID = &id }
func annotated(k, v string) backendOpt {
	return func(b *capabilitiesv1beta1.Backend) { b.Annotations = map[string]string{k: v} }
}

func backend(opts ...backendOpt) *capabilitiesv1beta1.Backend {
	b := &capabilitiesv1beta1.Backend{
		ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: "b", Generation: 3},
		Spec:       capabilitiesv1beta1.BackendSpec{Name: "B", PrivateBaseURL: "https://api.example.com"},
	}
	for _, o := range opts {
		o(b)
	}
	return b
}

// want is what one reconcile should have done.
type want struct {
	calls     []string
	requeue   time.Duration // exact, or the lower bound when jittered
	jittered  bool
	err       bool
	gone      bool                       // the object no longer exists (finalizer released)
	finalizer bool                       // the finalizer is present afterwards
	conds     map[string]condExpectation // by type
	events    []string                   // "Type Reason" prefixes
	observed  int64                      // status.observedGeneration
	host      string                     // status.providerAccountHost
}

type condExpectation struct {
	Status  metav1.ConditionStatus
	Reason  string
	Message string // a substring
}

func TestReconcile(t *testing.T) {
	refused := &threescale.APIError{Operation: "GET /admin/api/backend_apis/{id}.json", Path: "/admin/api/backend_apis/42.json", StatusCode: 403, Message: "Access denied"}
	cases := map[string]struct {
		reason  string
		obj     *capabilitiesv1beta1.Backend
		secret  bool
		kind    fakeKind
		want    want
		noObj   bool
		mutated func(t *testing.T, b *capabilitiesv1beta1.Backend)
	}{
		"NotFound": {
			reason: "An object that is gone needs nothing.",
			noObj:  true,
			want:   want{gone: true},
		},
		"InSync": {
			reason: "An object 3scale already matches gets a finalizer, Synced, and a jittered poll; nothing is written to 3scale.",
			obj:    backend(),
			secret: true,
			want: want{
				calls: []string{"check", "connect", "observe"}, requeue: poll, jittered: true, finalizer: true,
				conds:    map[string]condExpectation{TypeSynced: {metav1.ConditionTrue, ReasonSynced, ""}, TypeReady: {metav1.ConditionTrue, ReasonSynced, ""}, TypeFailed: {Status: metav1.ConditionFalse}},
				observed: 3, host: "https://t-admin.example.com",
			},
		},
		"Create": {
			reason: "A missing entity is synced and a Created event names the operations.",
			obj:    backend(withFinalizer),
			secret: true,
			kind: fakeKind{
				observe: func(*capabilitiesv1beta1.Backend) (Observation, error) {
					return Observation{Diff: []string{"create backend b"}}, nil
				},
				sync: func(b *capabilitiesv1beta1.Backend) error { withID(b); return nil },
			},
			want: want{
				calls: []string{"check", "connect", "observe", "sync"}, requeue: poll, jittered: true, finalizer: true,
				conds:  map[string]condExpectation{TypeSynced: {metav1.ConditionTrue, ReasonSynced, ""}},
				events: []string{"Normal Created"}, observed: 3, host: "https://t-admin.example.com",
			},
			mutated: func(t *testing.T, b *capabilitiesv1beta1.Backend) {
				if b.Status.ID == nil || *b.Status.ID != 42 {
					t.Errorf("status.backendId = %v, want 42 written by the one status patch", b.Status.ID)
				}
			},
		},
		"Invalid": {
			reason: "An invalid spec stops before 3scale is called, with no requeue, and a Warning.",
			obj:    backend(withFinalizer),
			secret: true,
			kind: fakeKind{check: func(*capabilitiesv1beta1.Backend) error {
				return Invalidf("mapping rule 1 names unknown metric %q", "x")
			}},
			want: want{
				calls: []string{"check"}, finalizer: true,
				conds: map[string]condExpectation{
					TypeSynced:  {metav1.ConditionFalse, ReasonInvalidSpec, `unknown metric "x"`},
					TypeInvalid: {metav1.ConditionTrue, ReasonInvalidSpec, `unknown metric "x"`},
				},
				events: []string{"Warning InvalidSpec"}, observed: 3,
			},
		},
		"NoTenant": {
			reason: "Without a provider account the object waits, naming what to create.",
			obj:    backend(withFinalizer),
			want: want{
				calls: []string{"check"}, requeue: wait, finalizer: true,
				conds:  map[string]condExpectation{TypeSynced: {metav1.ConditionFalse, ReasonProviderAccountNotFound, "threescale-provider-account"}},
				events: []string{"Normal ProviderAccountNotFound"},
			},
		},
		"Unauthorized": {
			reason: "A refused token fails naming the secret and key, and is retried at the poll interval.",
			obj:    backend(withFinalizer),
			secret: true,
			kind:   fakeKind{observe: func(*capabilitiesv1beta1.Backend) (Observation, error) { return Observation{}, refused }},
			want: want{
				calls: []string{"check", "connect", "observe"}, requeue: poll, jittered: true, finalizer: true,
				conds: map[string]condExpectation{
					TypeFailed: {metav1.ConditionTrue, ReasonUnauthorized, `secret ns/threescale-provider-account key "token"`},
					TypeSynced: {metav1.ConditionFalse, ReasonUnauthorized, "Access denied"},
				},
				events: []string{"Warning Unauthorized"},
			},
		},
		"Transient": {
			reason: "A 503 goes back to the work queue, which backs off.",
			obj:    backend(withFinalizer),
			secret: true,
			kind: fakeKind{
				observe: func(*capabilitiesv1beta1.Backend) (Observation, error) { return Observation{Diff: []string{"x"}}, nil },
				sync: func(*capabilitiesv1beta1.Backend) error {
					return &threescale.APIError{StatusCode: 503, Operation: "POST x"}
				},
			},
			want: want{
				calls: []string{"check", "connect", "observe", "sync"}, err: true, finalizer: true,
				conds:  map[string]condExpectation{TypeFailed: {metav1.ConditionTrue, ReasonSyncError, "503"}},
				events: []string{"Warning SyncError"},
			},
		},
		"Waiting": {
			reason: "A kind's wait requeues after the wait interval, in Orphan when the kind has it.",
			obj:    backend(withFinalizer),
			secret: true,
			kind: fakeKind{orphan: true, check: func(*capabilitiesv1beta1.Backend) error {
				return Waitingf("BackendNotFound", "backend %q not found", "b1")
			}},
			want: want{
				calls: []string{"check"}, requeue: wait, finalizer: true,
				conds:  map[string]condExpectation{TypeOrphan: {metav1.ConditionTrue, "BackendNotFound", `backend "b1" not found`}},
				events: []string{"Normal BackendNotFound"},
			},
		},
		"PollAnnotation": {
			reason: "The per-object poll interval wins over the default.",
			obj:    backend(withFinalizer, annotated(PollIntervalAnnotation, "2h")),
			secret: true,
			want: want{
				calls: []string{"check", "connect", "observe"}, requeue: 2 * time.Hour, jittered: true, finalizer: true,
				conds: map[string]condExpectation{TypeSynced: {Status: metav1.ConditionTrue, Reason: ReasonSynced}}, observed: 3, host: "https://t-admin.example.com",
			},
		},
		"Delete": {
			reason: "Deleting the object deletes the entity, then releases the finalizer.",
			obj:    backend(deleted, withID),
			secret: true,
			want:   want{calls: []string{"connect", "delete"}, gone: true, events: []string{"Normal Deleted"}},
		},
		"DeleteOrphan": {
			reason: "The Orphan policy releases the object without touching 3scale.",
			obj:    backend(deleted, withID, annotated(DeletionPolicyAnnotation, DeletionPolicyOrphan)),
			want:   want{gone: true, events: []string{"Normal Orphaned"}},
		},
		"DeleteNeverSynced": {
			reason: "An object that never reached 3scale and has no tenant is released rather than kept forever.",
			obj:    backend(deleted),
			want:   want{gone: true, events: []string{"Normal Released"}},
		},
		"DeleteWithoutTenant": {
			reason: "An object with an entity but no tenant waits, and says how to force it.",
			obj:    backend(deleted, withID),
			want: want{
				requeue: wait, finalizer: true,
				conds:  map[string]condExpectation{TypeSynced: {metav1.ConditionFalse, ReasonProviderAccountNotFound, DeletionPolicyAnnotation + "=Orphan"}},
				events: []string{"Normal ProviderAccountNotFound"},
			},
		},
		"DeleteInUse": {
			reason: "A deletion the kind must wait for keeps the finalizer and names the blocker.",
			obj:    backend(deleted, withID),
			secret: true,
			kind: fakeKind{delete: func(*capabilitiesv1beta1.Backend) error {
				return Waitingf("BackendInUse", "used by product %q", "p1")
			}},
			want: want{
				calls: []string{"connect", "delete"}, requeue: wait, finalizer: true,
				conds:  map[string]condExpectation{TypeSynced: {metav1.ConditionFalse, "BackendInUse", `used by product "p1"`}},
				events: []string{"Normal BackendInUse"},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b := fake.NewClientBuilder().WithScheme(testScheme(t)).WithStatusSubresource(&capabilitiesv1beta1.Backend{})
			if tc.obj != nil {
				b = b.WithObjects(tc.obj)
			}
			if tc.secret {
				b = b.WithObjects(providerSecret())
			}
			c := b.Build()
			recorder := events.NewFakeRecorder(10)
			kind := tc.kind
			r := NewReconciler[*capabilitiesv1beta1.Backend](c, &kind, tenant.Resolver{Reader: c}, &tenant.Clients{}, recorder,
				Options{PollInterval: poll, WaitInterval: wait})

			res, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: types.NamespacedName{Namespace: testNS, Name: "b"}})
			if (err != nil) != tc.want.err {
				t.Errorf("%s\nReconcile error = %v, want error %v", tc.reason, err, tc.want.err)
			}
			checkRequeue(t, tc.reason, res, tc.want)
			if diff := cmp.Diff(tc.want.calls, kind.calls); diff != "" {
				t.Errorf("%s\ncalls: -want, +got:\n%s", tc.reason, diff)
			}
			checkEvents(t, tc.reason, recorder, tc.want.events)

			var got capabilitiesv1beta1.Backend
			err = c.Get(context.Background(), types.NamespacedName{Namespace: testNS, Name: "b"}, &got)
			if tc.want.gone {
				if err == nil {
					t.Errorf("%s\nobject still exists with finalizers %v; want it released", tc.reason, got.Finalizers)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if has := len(got.Finalizers) > 0; has != tc.want.finalizer {
				t.Errorf("%s\nfinalizers = %v, want present=%v", tc.reason, got.Finalizers, tc.want.finalizer)
			}
			for typ, w := range tc.want.conds {
				c := meta.FindStatusCondition(got.Status.Conditions, typ)
				if c == nil {
					t.Errorf("%s\ncondition %s missing; have %+v", tc.reason, typ, got.Status.Conditions)
					continue
				}
				if c.Status != w.Status || (w.Reason != "" && c.Reason != w.Reason) || !strings.Contains(c.Message, w.Message) || c.ObservedGeneration != 3 {
					t.Errorf("%s\ncondition %s = %s/%s %q gen %d, want %s/%s containing %q gen 3", tc.reason, typ, c.Status, c.Reason, c.Message, c.ObservedGeneration, w.Status, w.Reason, w.Message)
				}
			}
			if got.Status.ObservedGeneration != tc.want.observed || got.Status.ProviderAccountHost != tc.want.host {
				t.Errorf("%s\nstatus observedGeneration/host = %d/%q, want %d/%q", tc.reason, got.Status.ObservedGeneration, got.Status.ProviderAccountHost, tc.want.observed, tc.want.host)
			}
			if tc.mutated != nil {
				tc.mutated(t, &got)
			}
		})
	}
}

func checkRequeue(t *testing.T, reason string, res ctrl.Result, w want) {
	t.Helper()
	switch {
	case w.jittered:
		if res.RequeueAfter < w.requeue || res.RequeueAfter > w.requeue+w.requeue/10 {
			t.Errorf("%s\nRequeueAfter = %v, want within [%v, %v]", reason, res.RequeueAfter, w.requeue, w.requeue+w.requeue/10)
		}
	case res.RequeueAfter != w.requeue:
		t.Errorf("%s\nRequeueAfter = %v, want %v", reason, res.RequeueAfter, w.requeue)
	}
}

func checkEvents(t *testing.T, reason string, recorder *events.FakeRecorder, want []string) {
	t.Helper()
	var got []string
	for {
		select {
		case e := <-recorder.Events:
			got = append(got, e)
			continue
		default:
		}
		break
	}
	if len(got) != len(want) {
		t.Errorf("%s\nevents = %q, want prefixes %q", reason, got, want)
		return
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("%s\nevent %d = %q, want prefix %q", reason, i, got[i], want[i])
		}
	}
}

// TestReconcileTwiceWritesStatusOnce checks that a second pass over an object in sync does not
// write its status: a resync costs the API server nothing.
func TestReconcileTwiceWritesStatusOnce(t *testing.T) {
	c := fake.NewClientBuilder().WithScheme(testScheme(t)).WithStatusSubresource(&capabilitiesv1beta1.Backend{}).
		WithObjects(backend(withFinalizer), providerSecret()).Build()
	kind := &fakeKind{}
	r := NewReconciler[*capabilitiesv1beta1.Backend](c, kind, tenant.Resolver{Reader: c}, &tenant.Clients{}, nil, Options{})
	req := ctrl.Request{NamespacedName: types.NamespacedName{Namespace: testNS, Name: "b"}}
	if _, err := r.Reconcile(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	var first, second capabilitiesv1beta1.Backend
	_ = c.Get(context.Background(), req.NamespacedName, &first)
	if _, err := r.Reconcile(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	_ = c.Get(context.Background(), req.NamespacedName, &second)
	if first.ResourceVersion != second.ResourceVersion {
		t.Errorf("resourceVersion moved from %s to %s on a resync with nothing to change", first.ResourceVersion, second.ResourceVersion)
	}
}

// TestPollInterval checks the jitter bounds and the annotation's floor.
func TestPollInterval(t *testing.T) {
	r := &Reconciler[*capabilitiesv1beta1.Backend]{opts: Options{PollInterval: time.Minute}.withDefaults()}
	for range 100 {
		if d := r.pollInterval(backend()); d < time.Minute || d >= time.Minute+6*time.Second {
			t.Fatalf("pollInterval = %v, want in [1m, 1m6s)", d)
		}
	}
	if d := r.pollInterval(backend(annotated(PollIntervalAnnotation, "1ms"))); d < MinPollInterval {
		t.Errorf("pollInterval with a 1ms annotation = %v, want at least %v", d, MinPollInterval)
	}
	if d := r.pollInterval(backend(annotated(PollIntervalAnnotation, "soon"))); d < time.Minute {
		t.Errorf("pollInterval with an unparsable annotation = %v, want the default", d)
	}
}
