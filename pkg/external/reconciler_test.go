package external

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/threescale-oss/operator/api"
	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/tenant"
	"github.com/threescale-oss/operator/pkg/threescale"
)

type backend = capabilitiesv1beta1.Backend

const (
	testNS        = "ns"
	testFinalizer = "backend.capabilities.3scale.net/finalizer"
	// loc is where the fake kind's entities live.
	loc      = "https://t-admin.example.com"
	otherLoc = "https://other-admin.example.com"
	poll     = time.Minute
	jitter   = poll / 10 // the default PollJitter
	wait     = 7 * time.Second
	// staleRequeue is how soon a pass whose write was stale comes back.
	staleRequeue = time.Second
)

// testNow is the Reconciler's clock in these tests.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fakeKind is both the Kind and the External of Backend, with function fields so that each case
// wires only the behaviour it needs (crossplane's ExternalClientFns style). Unset fields behave
// as a tenant where nothing has this object's natural key, every entity exists and is up to date,
// creation returns ID 42, and deletion succeeds.
type fakeKind struct {
	// conditions is the kind's ConditionSet; Backend's (Synced) when nil.
	conditions *ConditionSet
	// tenants, when set, connects through ConnectTenant (which names the token's Secret in
	// credential errors); the External is still the fakeKind.
	tenants *Tenants

	check   func(context.Context, *backend) error
	connect func(context.Context, *backend) error
	find    func(context.Context, *backend) (int64, error)
	observe func(context.Context, *backend, int64) (Observation, error)
	create  func(context.Context, *backend) (int64, error)
	delete  func(context.Context, *backend, int64) error
	// noID makes the kind record no ID (Status.ID nil), as a kind that configures an entity
	// another object manages.
	noID bool
	// dependents, when set, is DeleteDependents (recorded as "dependents").
	dependents func(context.Context, *backend) error

	// c is the client the loop writes with: Create reads the object as stored from it, to check
	// that the loop marked it create-pending (and added its finalizer) before.
	c client.Client
	// calls are the calls the loop made, in order: "check", "connect", "find", "observe 42",
	// "create", "run <operation>", "delete 42".
	calls []string
	// markAtCreate is the create-pending mark the stored object had when Create was called.
	markAtCreate string
}

var (
	_ Kind[*backend]     = (*fakeKind)(nil)
	_ External[*backend] = (*fakeKind)(nil)
)

func (k *fakeKind) record(call string) { k.calls = append(k.calls, call) }

// DeleteDependents makes fakeKind a DependentsDeleter; it records a call only when k.dependents
// is set.
func (k *fakeKind) DeleteDependents(ctx context.Context, b *backend) error {
	if k.dependents == nil {
		return nil
	}
	k.record("dependents")
	return k.dependents(ctx, b)
}

func (k *fakeKind) New() *backend              { return &backend{} }
func (k *fakeKind) NewList() client.ObjectList { return &capabilitiesv1beta1.BackendList{} }
func (k *fakeKind) Finalizer() string          { return testFinalizer }
func (k *fakeKind) Location() string           { return loc }
func (k *fakeKind) Client() *threescale.Client { return nil }
func (k *fakeKind) Status(b *backend) Status {
	if k.noID {
		st := backendStatus(b)
		st.ID, st.Location = nil, nil
		return st
	}
	return backendStatus(b)
}
func backendStatus(b *backend) Status {
	return Status{Conditions: &b.Status.Conditions, ObservedGeneration: &b.Status.ObservedGeneration,
		ID: &b.Status.ID, Location: &b.Status.ProviderAccountHost}
}

func (k *fakeKind) Conditions() ConditionSet {
	if k.conditions != nil {
		return *k.conditions
	}
	return ConditionSet{Synced: true}
}

func (k *fakeKind) Check(ctx context.Context, b *backend) error {
	k.record("check")
	if k.check != nil {
		return k.check(ctx, b)
	}
	return nil
}

func (k *fakeKind) Connect(ctx context.Context, b *backend) (External[*backend], error) {
	k.record("connect")
	if k.connect != nil {
		if err := k.connect(ctx, b); err != nil {
			return nil, err
		}
	}
	if k.tenants != nil {
		return ConnectTenant(ctx, *k.tenants, b, b.Spec.ProviderAccountRef,
			func(*threescale.Client) External[*backend] { return k })
	}
	return k, nil
}

func (k *fakeKind) Find(ctx context.Context, b *backend) (int64, error) {
	k.record("find")
	if k.find != nil {
		return k.find(ctx, b)
	}
	return 0, nil
}

// Observe records the operations of the plan it returns when they run.
func (k *fakeKind) Observe(ctx context.Context, b *backend, id int64) (Observation, error) {
	k.record(fmt.Sprintf("observe %d", id))
	if id == 0 {
		return Observation{}, errors.New("Observe called with ID 0")
	}
	if k.observe == nil {
		return Observation{Exists: true}, nil
	}
	o, err := k.observe(ctx, b, id)
	ops := make([]planning.Operation, 0, len(o.Operations))
	for _, op := range o.Operations {
		run := op.Run
		op.Run = func(ctx context.Context, c *threescale.Client) error {
			k.record("run " + op.Description)
			return run(ctx, c)
		}
		ops = append(ops, op)
	}
	o.Operations = ops
	return o, err
}

// Create checks, in the object as stored, that the loop marked it create-pending and gave it its
// finalizer before asking for the entity; a call without them is recorded as such.
func (k *fakeKind) Create(ctx context.Context, b *backend) (int64, error) {
	call := "create"
	if k.c != nil {
		var stored backend
		if err := k.c.Get(ctx, client.ObjectKeyFromObject(b), &stored); err != nil {
			call += " (cannot read the stored object: " + err.Error() + ")"
		} else {
			k.markAtCreate = stored.Annotations[CreatePendingAnnotation]
			if _, err := time.Parse(time.RFC3339, k.markAtCreate); err != nil {
				call += " (stored object not marked create-pending)"
			}
			if !controllerutil.ContainsFinalizer(&stored, testFinalizer) {
				call += " (stored object without the finalizer)"
			}
		}
	}
	k.record(call)
	if k.create != nil {
		return k.create(ctx, b)
	}
	return 42, nil
}

func (k *fakeKind) Delete(ctx context.Context, b *backend, id int64) error {
	k.record(fmt.Sprintf("delete %d", id))
	if k.delete != nil {
		return k.delete(ctx, b, id)
	}
	return nil
}

// Behaviours of the fake's function fields.

func findsID(id int64) func(context.Context, *backend) (int64, error) {
	return func(context.Context, *backend) (int64, error) { return id, nil }
}

func creates(id int64, err error) func(context.Context, *backend) (int64, error) {
	return func(context.Context, *backend) (int64, error) { return id, err }
}

func observeFails(err error) func(context.Context, *backend, int64) (Observation, error) {
	return func(context.Context, *backend, int64) (Observation, error) { return Observation{}, err }
}

// plans observes an existing entity whose plan is ops.
func plans(ops ...planning.Operation) func(context.Context, *backend, int64) (Observation, error) {
	return func(context.Context, *backend, int64) (Observation, error) {
		return Observation{Exists: true, Operations: ops}, nil
	}
}

// op is a plan operation that returns err.
func op(description string, err error) planning.Operation {
	return planning.Operation{Verb: planning.VerbUpdate, Entity: "backend", Key: description, Description: description,
		Run: func(context.Context, *threescale.Client) error { return err }}
}

func checkFails(err error) func(context.Context, *backend) error {
	return func(context.Context, *backend) error { return err }
}

func deleteFails(err error) func(context.Context, *backend, int64) error {
	return func(context.Context, *backend, int64) error { return err }
}

func apiErr(status int, message string, fieldErrors map[string][]string) *threescale.APIError {
	return &threescale.APIError{Operation: "PUT /admin/api/backend_apis/{id}.json", Path: "/admin/api/backend_apis/42.json",
		StatusCode: status, Message: message, FieldErrors: fieldErrors}
}

// staleErr is the API server's answer to a write from a stale copy.
var staleErr = apierrors.NewConflict(schema.GroupResource{Group: "capabilities.3scale.net", Resource: "backends"}, "b",
	errors.New("the object has been modified; please apply your changes to the latest version and try again"))

// Objects.

type backendOpt func(*backend)

// newBackend returns Backend ns/b, of generation 3, created an hour before testNow.
func newBackend(opts ...backendOpt) *backend {
	b := &backend{
		ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: "b", UID: "uid-b", Generation: 3,
			CreationTimestamp: metav1.NewTime(testNow.Add(-time.Hour))},
		Spec: capabilitiesv1beta1.BackendSpec{Name: "B", PrivateBaseURL: "https://api.example.com"},
	}
	for _, o := range opts {
		o(b)
	}
	return b
}

func withFinalizer(b *backend) { controllerutil.AddFinalizer(b, testFinalizer) }

func deleted(b *backend) {
	withFinalizer(b)
	t := metav1.NewTime(testNow)
	b.DeletionTimestamp = &t
}

// recorded records that b manages entity id at host.
func recorded(id int64, host string) backendOpt {
	return func(b *backend) { b.Status.ID, b.Status.ProviderAccountHost = &id, host }
}

// marked leaves the create-pending mark of a pass that stopped after asking 3scale to create.
func marked(b *backend) {
	annotate(CreatePendingAnnotation, testNow.Add(-time.Minute).Format(time.RFC3339))(b)
}

func annotate(k, v string) backendOpt {
	return func(b *backend) {
		if b.Annotations == nil {
			b.Annotations = map[string]string{}
		}
		b.Annotations[k] = v
	}
}

// synced leaves b as a pass that synced generation gen left it.
func synced(gen int64) backendOpt {
	return func(b *backend) {
		b.Status.ObservedGeneration = gen
		at := metav1.NewTime(testNow.Add(-time.Hour))
		b.Status.Conditions = []metav1.Condition{
			{Type: TypeSynced, Status: metav1.ConditionTrue, Reason: ReasonSynced, Message: syncedMessage, ObservedGeneration: gen, LastTransitionTime: at},
			{Type: TypeReady, Status: metav1.ConditionTrue, Reason: ReasonSynced, Message: syncedMessage, ObservedGeneration: gen, LastTransitionTime: at},
			{Type: TypeInvalid, Status: metav1.ConditionFalse, Reason: ReasonValidSpec, ObservedGeneration: gen, LastTransitionTime: at},
			{Type: TypeFailed, Status: metav1.ConditionFalse, Reason: ReasonNoError, ObservedGeneration: gen, LastTransitionTime: at},
		}
	}
}

// withConditions gives b conditions left by another version.
func withConditions(types ...string) backendOpt {
	return func(b *backend) {
		for _, t := range types {
			b.Status.Conditions = append(b.Status.Conditions, metav1.Condition{Type: t, Status: metav1.ConditionTrue, Reason: "Old",
				LastTransitionTime: metav1.NewTime(testNow.Add(-time.Hour))})
		}
	}
}

// another returns a Backend other than ns/b, created at created.
func another(namespace, name string, created time.Time, opts ...backendOpt) *backend {
	o := newBackend(append([]backendOpt{withFinalizer}, opts...)...)
	o.Namespace, o.Name, o.UID = namespace, name, types.UID("uid-"+namespace+"-"+name)
	o.CreationTimestamp = metav1.NewTime(created)
	return o
}

func testScheme(t testing.TB) *runtime.Scheme {
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
		Data:       map[string][]byte{tenant.AdminURLKey: []byte(loc), tenant.TokenKey: []byte("tok")},
	}
}

// secretTenants connects to the tenant of the provider-account Secret of testNS.
func secretTenants() *Tenants {
	reader := fake.NewClientBuilder().WithObjects(providerSecret()).Build()
	return &Tenants{Resolver: tenant.Resolver{Reader: reader}, Clients: &tenant.Clients{}}
}

// newClient returns a fake client holding objs, with the status subresource and the claim index
// of k, as the manager's client has them, and funcs intercepting its calls.
func newClient(t testing.TB, k *fakeKind, funcs interceptor.Funcs, objs ...client.Object) client.Client {
	t.Helper()
	b := fake.NewClientBuilder().WithScheme(testScheme(t)).
		WithStatusSubresource(k.New()).
		WithIndex(k.New(), ClaimIndex, ClaimKeys[*backend](k)).
		WithInterceptorFuncs(funcs)
	for _, o := range objs {
		b = b.WithObjects(o.DeepCopyObject().(client.Object))
	}
	c := b.Build()
	k.c = c
	return c
}

func newReconciler(c client.Client, k *fakeKind, recorder events.EventRecorder) *Reconciler[*backend] {
	r := NewReconciler[*backend](c, k, recorder, Options{PollInterval: poll, WaitInterval: wait})
	r.now = func() time.Time { return testNow }
	return r
}

var keyB = types.NamespacedName{Namespace: testNS, Name: "b"}

// want is what one reconcile of ns/b should have done.
type want struct {
	// calls are the fake kind's calls, in order.
	calls []string
	// requeue is RequeueAfter; when jittered, its lower bound (a poll, up to jitter later).
	requeue  time.Duration
	jittered bool
	// err is a substring of the error Reconcile returns; empty for none.
	err string
	// gone says the object no longer exists (its finalizer was removed).
	gone bool
	// finalizer says the loop's finalizer is on the stored object; mark, the create-pending mark.
	finalizer, mark bool
	// markAtCreate is the create-pending mark the stored object had when Create ran, if checked.
	markAtCreate string
	// id and host are the recorded status.backendId (0 for none) and providerAccountHost.
	id       int64
	host     string
	observed int64
	// conds are expected conditions by type; types, when not nil, the exact condition types.
	conds map[string]condWant
	types []string
	// events are the "Type Reason" of each event, in order; notes, substrings of some event.
	events []string
	notes  []string
}

type condWant struct {
	status  metav1.ConditionStatus
	reason  string
	message string // a substring
}

var (
	isTrue  = metav1.ConditionTrue
	isFalse = metav1.ConditionFalse
)

// syncedConds are the conditions of an object 3scale matches.
func syncedConds() map[string]condWant {
	return map[string]condWant{
		TypeSynced:  {isTrue, ReasonSynced, syncedMessage},
		TypeReady:   {isTrue, ReasonSynced, syncedMessage},
		TypeInvalid: {isFalse, ReasonValidSpec, ""},
		TypeFailed:  {isFalse, ReasonNoError, ""},
	}
}

// failedConds are the conditions of a failure of reason with a message containing msg.
func failedConds(reason, msg string) map[string]condWant {
	return map[string]condWant{
		TypeSynced:  {isFalse, reason, msg},
		TypeReady:   {isFalse, reason, msg},
		TypeInvalid: {isFalse, ReasonValidSpec, ""},
		TypeFailed:  {isTrue, reason, msg},
	}
}

// invalidConds are the conditions of a spec that cannot be applied, with a message containing msg.
func invalidConds(msg string) map[string]condWant {
	return map[string]condWant{
		TypeSynced:  {isFalse, ReasonInvalidSpec, msg},
		TypeReady:   {isFalse, ReasonInvalidSpec, msg},
		TypeInvalid: {isTrue, ReasonInvalidSpec, msg},
		TypeFailed:  {isFalse, ReasonNoError, ""},
	}
}

// waitingConds are the conditions of a wait of reason, for a kind without a waiting type.
func waitingConds(reason, msg string) map[string]condWant {
	return map[string]condWant{
		TypeSynced:  {isFalse, reason, msg},
		TypeReady:   {isFalse, reason, msg},
		TypeInvalid: {isFalse, ReasonValidSpec, ""},
		TypeFailed:  {isFalse, ReasonNoError, ""},
	}
}

type loopCase struct {
	reason string
	// obj is ns/b; nil for an object that does not exist.
	obj *backend
	// others are further objects in the cluster.
	others []client.Object
	kind   fakeKind
	// intercept intercepts the fake client's calls.
	intercept interceptor.Funcs
	want      want
}

// runCases reconciles ns/b once per case and checks what the pass did.
func runCases(t *testing.T, cases map[string]loopCase) {
	t.Helper()
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			k := tc.kind
			objs := tc.others
			if tc.obj != nil {
				objs = append(slices.Clone(objs), tc.obj)
			}
			c := newClient(t, &k, tc.intercept, objs...)
			recorder := events.NewFakeRecorder(32)
			r := newReconciler(c, &k, recorder)

			res, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: keyB})
			checkErr(t, tc.reason, err, tc.want.err)
			checkRequeue(t, tc.reason, res, tc.want)
			if diff := cmp.Diff(tc.want.calls, k.calls); diff != "" {
				t.Errorf("%s\ncalls: -want, +got:\n%s", tc.reason, diff)
			}
			if tc.want.markAtCreate != "" && k.markAtCreate != tc.want.markAtCreate {
				t.Errorf("%s\ncreate-pending mark when Create ran = %q, want %q", tc.reason, k.markAtCreate, tc.want.markAtCreate)
			}
			checkEvents(t, tc.reason, recorder, tc.want.events, tc.want.notes)
			checkStored(t, tc.reason, c, tc.want)
		})
	}
}

func checkErr(t *testing.T, reason string, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("%s\nReconcile error = %v, want none", reason, err)
	case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
		t.Errorf("%s\nReconcile error = %v, want one containing %q", reason, err, want)
	}
}

func checkRequeue(t *testing.T, reason string, res ctrl.Result, w want) {
	t.Helper()
	if w.jittered {
		if res.RequeueAfter < w.requeue || res.RequeueAfter >= w.requeue+jitter {
			t.Errorf("%s\nRequeueAfter = %v, want within [%v, %v)", reason, res.RequeueAfter, w.requeue, w.requeue+jitter)
		}
		return
	}
	if res.RequeueAfter != w.requeue {
		t.Errorf("%s\nRequeueAfter = %v, want %v", reason, res.RequeueAfter, w.requeue)
	}
}

// drainEvents returns the events recorded so far, as "Type Reason note".
func drainEvents(recorder *events.FakeRecorder) []string {
	var got []string
	for {
		select {
		case e := <-recorder.Events:
			got = append(got, e)
		default:
			return got
		}
	}
}

func checkEvents(t *testing.T, reason string, recorder *events.FakeRecorder, want, notes []string) {
	t.Helper()
	got := drainEvents(recorder)
	var kinds []string
	for _, e := range got {
		f := strings.Fields(e)
		kinds = append(kinds, strings.Join(f[:min(2, len(f))], " "))
	}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("%s\nevents %q: -want, +got:\n%s", reason, got, diff)
	}
	for _, n := range notes {
		if !slices.ContainsFunc(got, func(e string) bool { return strings.Contains(e, n) }) {
			t.Errorf("%s\nno event says %q; events: %q", reason, n, got)
		}
	}
}

// checkStored checks the object as stored after the pass.
func checkStored(t *testing.T, reason string, c client.Client, w want) {
	t.Helper()
	var got backend
	err := c.Get(context.Background(), keyB, &got)
	if w.gone {
		if err == nil {
			t.Errorf("%s\nobject still exists with finalizers %v; want it released", reason, got.Finalizers)
		} else if !apierrors.IsNotFound(err) {
			t.Fatal(err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if has := controllerutil.ContainsFinalizer(&got, testFinalizer); has != w.finalizer {
		t.Errorf("%s\nfinalizers = %v, want the loop's present: %v", reason, got.Finalizers, w.finalizer)
	}
	if _, has := got.Annotations[CreatePendingAnnotation]; has != w.mark {
		t.Errorf("%s\nannotations = %v, want the create-pending mark present: %v", reason, got.Annotations, w.mark)
	}
	var id int64
	if got.Status.ID != nil {
		id = *got.Status.ID
	}
	if id != w.id || got.Status.ProviderAccountHost != w.host || got.Status.ObservedGeneration != w.observed {
		t.Errorf("%s\nstatus backendId/providerAccountHost/observedGeneration = %d/%q/%d, want %d/%q/%d", reason,
			id, got.Status.ProviderAccountHost, got.Status.ObservedGeneration, w.id, w.host, w.observed)
	}
	if w.types != nil {
		var types []string
		for _, c := range got.Status.Conditions {
			types = append(types, c.Type)
		}
		slices.Sort(types)
		if diff := cmp.Diff(w.types, types, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s\ncondition types: -want, +got:\n%s", reason, diff)
		}
	}
	for typ, cw := range w.conds {
		c := meta.FindStatusCondition(got.Status.Conditions, typ)
		if c == nil {
			t.Errorf("%s\ncondition %s missing; have %+v", reason, typ, got.Status.Conditions)
			continue
		}
		if c.Status != cw.status || c.Reason != cw.reason || !strings.Contains(c.Message, cw.message) || c.ObservedGeneration != got.Generation {
			t.Errorf("%s\ncondition %s = %s/%s %q (generation %d), want %s/%s containing %q (generation %d)", reason,
				typ, c.Status, c.Reason, c.Message, c.ObservedGeneration, cw.status, cw.reason, cw.message, got.Generation)
		}
	}
}

func TestReconcile(t *testing.T) {
	runCases(t, map[string]loopCase{
		"NotFound": {
			reason: "An object that is gone needs nothing.",
			want:   want{gone: true},
		},
		"FinalizerFirst": {
			reason: "A new object gets the finalizer before anything is created in 3scale (the fake's Create checks it in the stored object), then is Synced and polled with jitter.",
			obj:    newBackend(),
			want: want{
				calls:   []string{"check", "connect", "find", "create", "observe 42"},
				requeue: poll, jittered: true, finalizer: true,
				id: 42, host: loc, observed: 3, conds: syncedConds(),
				events: []string{"Normal Created"},
			},
		},
		"InSync": {
			reason: "An object 3scale already matches is observed, nothing runs, and no event is recorded.",
			obj:    newBackend(withFinalizer, recorded(42, loc)),
			want: want{
				calls:   []string{"check", "connect", "observe 42"},
				requeue: poll, jittered: true, finalizer: true,
				id: 42, host: loc, observed: 3, conds: syncedConds(),
			},
		},
		"PlanRuns": {
			reason: "The plan's operations run in order, its warnings go into a Warning event, and an Updated event names the operations.",
			obj:    newBackend(withFinalizer, recorded(42, loc)),
			kind: fakeKind{observe: func(context.Context, *backend, int64) (Observation, error) {
				return Observation{Exists: true, Operations: []planning.Operation{op("update backend 42", nil), op("create metric \"m\"", nil)},
					Warnings: []string{"3scale stores the description trimmed"}}, nil
			}},
			want: want{
				calls:   []string{"check", "connect", "observe 42", "run update backend 42", `run create metric "m"`},
				requeue: poll, jittered: true, finalizer: true,
				id: 42, host: loc, observed: 3, conds: syncedConds(),
				events: []string{"Warning SpecNormalized", "Normal Updated"},
				notes:  []string{"3scale stores the description trimmed", `updated in 3scale: update backend 42, create metric "m"`},
			},
		},
		"PollIntervalAnnotation": {
			reason: "The per-object poll interval wins over the default, still jittered.",
			obj:    newBackend(withFinalizer, recorded(42, loc), annotate(PollIntervalAnnotation, "2h")),
			want: want{
				calls:   []string{"check", "connect", "observe 42"},
				requeue: 2 * time.Hour, jittered: true, finalizer: true,
				id: 42, host: loc, observed: 3, conds: syncedConds(),
			},
		},
		"DeletedBehindTheOperatorsBack": {
			reason: "A recorded entity that no longer exists is looked up by natural key, then made again, and the new ID recorded.",
			obj:    newBackend(withFinalizer, recorded(42, loc)),
			kind: fakeKind{
				observe: func(_ context.Context, _ *backend, id int64) (Observation, error) {
					return Observation{Exists: id != 42}, nil
				},
				create: creates(43, nil),
			},
			want: want{
				calls:   []string{"check", "connect", "observe 42", "find", "create", "observe 43"},
				requeue: poll, jittered: true, finalizer: true,
				id: 43, host: loc, observed: 3, conds: syncedConds(),
				events: []string{"Normal Created"}, notes: []string{"created in 3scale with ID 43"},
			},
		},
		"TenantChanged": {
			reason: "An ID recorded for another tenant means nothing here: the entity is looked up and made in the object's tenant.",
			obj:    newBackend(withFinalizer, recorded(42, otherLoc)),
			kind:   fakeKind{create: creates(7, nil)},
			want: want{
				calls:   []string{"check", "connect", "find", "create", "observe 7"},
				requeue: poll, jittered: true, finalizer: true,
				id: 7, host: loc, observed: 3, conds: syncedConds(),
				events: []string{"Normal Created"},
			},
		},
		"LeftoverMarkCleared": {
			reason: "A create-pending mark left on an object that recorded its ID (the operator stopped before clearing it) is cleared, and nothing is created.",
			obj:    newBackend(withFinalizer, recorded(42, loc), marked),
			want: want{
				calls:   []string{"check", "connect", "observe 42"},
				requeue: poll, jittered: true, finalizer: true,
				id: 42, host: loc, observed: 3, conds: syncedConds(),
			},
		},
		"ConditionSetWaiting": {
			reason: "A kind whose set is {Waiting: Waiting} and no Synced gets Ready, Invalid, Failed and Waiting, and loses Synced and Orphan.",
			obj:    newBackend(withFinalizer, recorded(42, loc), withConditions(TypeSynced, TypeOrphan)),
			kind: fakeKind{
				conditions: &ConditionSet{Waiting: TypeWaiting},
				check:      checkFails(Waitingf("AccountNotFound", "developer account %q not found", "acme")),
			},
			want: want{
				calls: []string{"check"}, requeue: wait, finalizer: true, id: 42, host: loc,
				types: []string{TypeFailed, TypeInvalid, TypeReady, TypeWaiting},
				conds: map[string]condWant{
					TypeWaiting: {isTrue, "AccountNotFound", `developer account "acme" not found`},
					TypeReady:   {isFalse, "AccountNotFound", `developer account "acme" not found`},
					TypeFailed:  {isFalse, ReasonNoError, ""},
					TypeInvalid: {isFalse, ReasonValidSpec, ""},
				},
				events: []string{"Normal AccountNotFound"},
			},
		},
		"ConditionSetWaitingSynced": {
			reason: "Synced, such a kind has Ready True and Waiting False, and still no Synced.",
			obj:    newBackend(withFinalizer, recorded(42, loc), withConditions(TypeSynced, TypeOrphan)),
			kind:   fakeKind{conditions: &ConditionSet{Waiting: TypeWaiting}},
			want: want{
				calls: []string{"check", "connect", "observe 42"}, requeue: poll, jittered: true, finalizer: true,
				id: 42, host: loc, observed: 3,
				types: []string{TypeFailed, TypeInvalid, TypeReady, TypeWaiting},
				conds: map[string]condWant{
					TypeReady:   {isTrue, ReasonSynced, syncedMessage},
					TypeWaiting: {isFalse, ReasonReferencesResolved, ""},
				},
			},
		},
	})
}

// TestReconcileOwnership covers which entity an object manages: the one it creates, the one it
// created before a crash, the one it adopts, and the one another object manages.
func TestReconcileOwnership(t *testing.T) {
	// holder is an object of another namespace that manages entity 42 of loc.
	older := another("ns2", "other", testNow.Add(-2*time.Hour), recorded(42, loc))
	newer := another("ns2", "other", testNow.Add(-time.Minute), recorded(42, loc))
	// conflicting runs a plan and creates, so that the calls show that a conflict writes nothing.
	conflicting := fakeKind{find: findsID(42), observe: plans(op("update backend 42", nil))}
	runCases(t, map[string]loopCase{
		"Create": {
			reason: "Nothing has the object's natural key: it is marked create-pending (with the time) before Create, the ID is recorded, the mark removed, and a Created event recorded.",
			obj:    newBackend(withFinalizer),
			want: want{
				calls:        []string{"check", "connect", "find", "create", "observe 42"},
				markAtCreate: testNow.Format(time.RFC3339),
				requeue:      poll, jittered: true, finalizer: true,
				id: 42, host: loc, observed: 3, conds: syncedConds(),
				events: []string{"Normal Created"}, notes: []string{"created in 3scale with ID 42"},
			},
		},
		"CreateThenPlan": {
			reason: "What Create leaves out (metrics, rules) is planned on the new entity and run in the same pass.",
			obj:    newBackend(withFinalizer),
			kind:   fakeKind{observe: plans(op(`create metric "m"`, nil))},
			want: want{
				calls:   []string{"check", "connect", "find", "create", "observe 42", `run create metric "m"`},
				requeue: poll, jittered: true, finalizer: true,
				id: 42, host: loc, observed: 3, conds: syncedConds(),
				events: []string{"Normal Created", "Normal Updated"},
			},
		},
		"Recover": {
			reason: "An object marked create-pending without an ID (the operator stopped after asking 3scale) records the entity with its natural key: no Create, a Recovered event, the mark removed.",
			obj:    newBackend(withFinalizer, marked),
			kind:   fakeKind{find: findsID(42)},
			want: want{
				calls:   []string{"check", "connect", "find", "observe 42"},
				requeue: poll, jittered: true, finalizer: true,
				id: 42, host: loc, observed: 3, conds: syncedConds(),
				events: []string{"Normal Recovered"}, notes: []string{"recorded the 3scale entity (ID 42)"},
			},
		},
		"RecoverNothing": {
			reason: "Marked, but 3scale never made the entity: it is created now.",
			obj:    newBackend(withFinalizer, marked),
			want: want{
				calls:   []string{"check", "connect", "find", "create", "observe 42"},
				requeue: poll, jittered: true, finalizer: true,
				id: 42, host: loc, observed: 3, conds: syncedConds(),
				events: []string{"Normal Created"},
			},
		},
		"Adopt": {
			reason: "An unmarked object without an ID whose natural key 3scale has adopts that entity visibly: an Adopted event, the ID recorded, no Create.",
			obj:    newBackend(withFinalizer),
			kind:   fakeKind{find: findsID(42)},
			want: want{
				calls:   []string{"check", "connect", "find", "observe 42"},
				requeue: poll, jittered: true, finalizer: true,
				id: 42, host: loc, observed: 3, conds: syncedConds(),
				events: []string{"Normal Adopted"},
				notes:  []string{"adopted the existing 3scale entity with ID 42", DeletionPolicyAnnotation + "=" + DeletionPolicyOrphan},
			},
		},
		"AdoptSameIDOtherTenant": {
			reason: "An object recording the same ID in another tenant manages another entity: no conflict.",
			obj:    newBackend(withFinalizer),
			others: []client.Object{another("ns2", "other", testNow.Add(-2*time.Hour), recorded(42, otherLoc))},
			kind:   fakeKind{find: findsID(42)},
			want: want{
				calls:   []string{"check", "connect", "find", "observe 42"},
				requeue: poll, jittered: true, finalizer: true,
				id: 42, host: loc, observed: 3, conds: syncedConds(),
				events: []string{"Normal Adopted"},
			},
		},
		"Conflict": {
			reason: "The entity with the natural key is managed by an object of another namespace: Failed with reason Conflict naming it, nothing observed, created or run, and a retry at the poll interval.",
			obj:    newBackend(withFinalizer),
			others: []client.Object{newer},
			kind:   conflicting,
			want: want{
				calls:   []string{"check", "connect", "find"},
				requeue: poll, jittered: true, finalizer: true,
				conds:  failedConds(ReasonConflict, "the 3scale entity with ID 42 at "+loc+" is already managed by Backend ns2/other"),
				events: []string{"Warning Conflict"}, notes: []string{"Backend ns2/other"},
			},
		},
		"ConflictWhenMarked": {
			reason: "A create-pending object never records an entity another object manages; its mark stays.",
			obj:    newBackend(withFinalizer, marked),
			others: []client.Object{newer},
			kind:   conflicting,
			want: want{
				calls:   []string{"check", "connect", "find"},
				requeue: poll, jittered: true, finalizer: true, mark: true,
				conds:  failedConds(ReasonConflict, "Backend ns2/other"),
				events: []string{"Warning Conflict"},
			},
		},
		"ConflictTrailingSlash": {
			reason: "A location recorded with a trailing slash (as the Red Hat operator may) is the same tenant.",
			obj:    newBackend(withFinalizer),
			others: []client.Object{another("ns2", "other", testNow, recorded(42, loc+"/"))},
			kind:   conflicting,
			want: want{
				calls:   []string{"check", "connect", "find"},
				requeue: poll, jittered: true, finalizer: true,
				conds:  failedConds(ReasonConflict, "Backend ns2/other"),
				events: []string{"Warning Conflict"},
			},
		},
		"ConflictRecordedByOlder": {
			reason: "When two objects record one entity, the older keeps it: the newer one is not observed and writes nothing.",
			obj:    newBackend(withFinalizer, recorded(42, loc)),
			others: []client.Object{older},
			kind:   conflicting,
			want: want{
				calls:   []string{"check", "connect"},
				requeue: poll, jittered: true, finalizer: true, id: 42, host: loc,
				conds:  failedConds(ReasonConflict, "Backend ns2/other"),
				events: []string{"Warning Conflict"},
			},
		},
		"RecordedByNewer": {
			reason: "When two objects record one entity, the older one goes on syncing it.",
			obj:    newBackend(withFinalizer, recorded(42, loc)),
			others: []client.Object{newer},
			want: want{
				calls:   []string{"check", "connect", "observe 42"},
				requeue: poll, jittered: true, finalizer: true,
				id: 42, host: loc, observed: 3, conds: syncedConds(),
			},
		},
	})
}

func TestReconcileDelete(t *testing.T) {
	older := another("ns2", "other", testNow.Add(-2*time.Hour), recorded(42, loc))
	noTenant := func(context.Context, *backend) error { return &tenant.NoProviderAccountError{Namespace: testNS} }
	runCases(t, map[string]loopCase{
		"NothingRecorded": {
			reason: "An object that never recorded an ID and has no mark deletes nothing: Delete is not called, and the finalizer goes.",
			obj:    newBackend(deleted),
			want: want{
				calls: []string{"connect"}, gone: true,
				events: []string{"Normal NothingDeleted"}, notes: []string{"no 3scale entity was recorded"},
			},
		},
		"Recorded": {
			reason: "Deleting the object deletes the entity it recorded, then releases the finalizer.",
			obj:    newBackend(deleted, recorded(42, loc)),
			want: want{
				calls: []string{"connect", "delete 42"}, gone: true,
				events: []string{"Normal Deleted"}, notes: []string{"deleted the 3scale entity with ID 42"},
			},
		},
		"Pending": {
			reason: "An object marked create-pending without an ID deletes the entity with its natural key, which it created before the operator stopped.",
			obj:    newBackend(deleted, marked),
			kind:   fakeKind{find: findsID(42)},
			want:   want{calls: []string{"connect", "find", "delete 42"}, gone: true, events: []string{"Normal Deleted"}},
		},
		"PendingNeverCreated": {
			reason: "Marked, but 3scale has no entity with the natural key: nothing is deleted.",
			obj:    newBackend(deleted, marked),
			want:   want{calls: []string{"connect", "find"}, gone: true, events: []string{"Normal NothingDeleted"}},
		},
		"RecordedInAnotherTenant": {
			reason: "An ID recorded for another tenant is not deleted in this one.",
			obj:    newBackend(deleted, recorded(42, otherLoc)),
			want:   want{calls: []string{"connect"}, gone: true, events: []string{"Normal NothingDeleted"}},
		},
		"ManagedByOlder": {
			reason: "An entity an older object manages is not deleted with the newer one that recorded it too.",
			obj:    newBackend(deleted, recorded(42, loc)),
			others: []client.Object{older},
			want: want{
				calls: []string{"connect"}, gone: true,
				events: []string{"Normal NothingDeleted"}, notes: []string{"is already managed by Backend ns2/other"},
			},
		},
		"Orphan": {
			reason: "The Orphan policy releases the object without connecting to 3scale.",
			obj:    newBackend(deleted, recorded(42, loc), annotate(DeletionPolicyAnnotation, DeletionPolicyOrphan)),
			want:   want{gone: true, events: []string{"Normal Orphaned"}},
		},
		"TenantMissingNothingRecorded": {
			reason: "An object that never reached 3scale and has no tenant is released rather than kept forever.",
			obj:    newBackend(deleted),
			kind:   fakeKind{connect: noTenant},
			want:   want{calls: []string{"connect"}, gone: true, events: []string{"Normal Released"}},
		},
		"TenantMissingRecorded": {
			reason: "An object with a recorded entity but no tenant waits, and says how to release it.",
			obj:    newBackend(deleted, recorded(42, loc)),
			kind:   fakeKind{connect: noTenant},
			want: want{
				calls: []string{"connect"}, requeue: wait, finalizer: true, id: 42, host: loc,
				conds:  waitingConds(ReasonProviderAccountNotFound, DeletionPolicyAnnotation+"="+DeletionPolicyOrphan),
				events: []string{"Normal ProviderAccountNotFound"},
			},
		},
		"TenantMissingPending": {
			reason: "A create-pending object may have an entity: without a tenant it waits too.",
			obj:    newBackend(deleted, marked),
			kind:   fakeKind{connect: noTenant},
			want: want{
				calls: []string{"connect"}, requeue: wait, finalizer: true, mark: true,
				conds:  waitingConds(ReasonProviderAccountNotFound, DeletionPolicyAnnotation+"="+DeletionPolicyOrphan),
				events: []string{"Normal ProviderAccountNotFound"},
			},
		},
		"BadSecret": {
			reason: "An unusable tenant Secret is Unauthorized, retried at the poll interval, and says how to release the object.",
			obj:    newBackend(deleted, recorded(42, loc)),
			kind: fakeKind{connect: func(context.Context, *backend) error {
				return &tenant.SecretKeyError{Namespace: testNS, Name: "s", Key: "token", Problem: "is empty"}
			}},
			want: want{
				calls: []string{"connect"}, requeue: poll, jittered: true, finalizer: true, id: 42, host: loc,
				conds:  failedConds(ReasonUnauthorized, DeletionPolicyAnnotation+"="+DeletionPolicyOrphan),
				events: []string{"Warning Unauthorized"},
			},
		},
		"InUse": {
			reason: "A deletion the kind must wait for keeps the finalizer and names the blocker.",
			obj:    newBackend(deleted, recorded(42, loc)),
			kind:   fakeKind{delete: deleteFails(Waitingf("BackendInUse", "used by product %q", "p1"))},
			want: want{
				calls: []string{"connect", "delete 42"}, requeue: wait, finalizer: true, id: 42, host: loc,
				conds:  waitingConds("BackendInUse", `used by product "p1"`),
				events: []string{"Normal BackendInUse"},
			},
		},
		"RefusedByThreescale": {
			reason: "A deletion 3scale refuses while something uses the entity (403 with field errors) waits.",
			obj:    newBackend(deleted, recorded(42, loc)),
			kind: fakeKind{delete: deleteFails(apiErr(403, "", map[string][]string{
				"base": {"cannot be deleted because it is used by at least one Product"}}))},
			want: want{
				calls: []string{"connect", "delete 42"}, requeue: wait, finalizer: true, id: 42, host: loc,
				conds:  waitingConds(ReasonWaiting, "used by at least one Product"),
				events: []string{"Normal Waiting"},
			},
		},
		"Transient": {
			reason: "A 503 on delete goes back to the work queue; the finalizer stays.",
			obj:    newBackend(deleted, recorded(42, loc)),
			kind:   fakeKind{delete: deleteFails(apiErr(503, "", nil))},
			want: want{
				calls: []string{"connect", "delete 42"}, err: "503", finalizer: true, id: 42, host: loc,
				conds:  failedConds(ReasonSyncError, "503"),
				events: []string{"Warning SyncError"},
			},
		},
		"Dependents": {
			reason: "A kind with dependents deletes them after the entity, then releases the finalizer.",
			obj:    newBackend(deleted, recorded(42, loc)),
			kind:   fakeKind{dependents: func(context.Context, *backend) error { return nil }},
			want:   want{calls: []string{"connect", "delete 42", "dependents"}, gone: true, events: []string{"Normal Deleted"}},
		},
		"DependentsNothingRecorded": {
			reason: "Dependents are deleted even when the object never recorded an entity.",
			obj:    newBackend(deleted),
			kind:   fakeKind{dependents: func(context.Context, *backend) error { return nil }},
			want:   want{calls: []string{"connect", "dependents"}, gone: true, events: []string{"Normal NothingDeleted"}},
		},
		"DependentsOrphan": {
			reason: "The Orphan policy leaves the dependents too.",
			obj:    newBackend(deleted, recorded(42, loc), annotate(DeletionPolicyAnnotation, DeletionPolicyOrphan)),
			kind:   fakeKind{dependents: func(context.Context, *backend) error { return errors.New("must not be called") }},
			want:   want{gone: true, events: []string{"Normal Orphaned"}},
		},
		"DependentsFail": {
			reason: "Dependents that cannot be deleted keep the finalizer; the deletion is tried again.",
			obj:    newBackend(deleted, recorded(42, loc)),
			kind:   fakeKind{dependents: func(context.Context, *backend) error { return errors.New("apiserver down") }},
			want: want{
				calls: []string{"connect", "delete 42", "dependents"}, err: "apiserver down", finalizer: true, id: 42, host: loc,
				conds:  failedConds(ReasonSyncError, "cannot delete the objects that depend on this one"),
				events: []string{"Normal Deleted", "Warning SyncError"},
			},
		},
		"NotOurFinalizer": {
			reason: "An object held only by someone else's finalizer is left alone.",
			obj: func() *backend {
				b := newBackend(deleted, recorded(42, loc))
				b.Finalizers = []string{"example.com/other"}
				return b
			}(),
			want: want{id: 42, host: loc},
		},
	})
}

// TestReconcileFailures covers how each class of error is reported and retried.
func TestReconcileFailures(t *testing.T) {
	const unprocessable = "Private Base URL is not a valid URL"
	runCases(t, map[string]loopCase{
		"Invalid": {
			reason: "An invalid spec stops before 3scale is connected, with no requeue, Invalid True and a Warning.",
			obj:    newBackend(withFinalizer),
			kind:   fakeKind{check: checkFails(Invalidf("mapping rule 1 names unknown metric %q", "x"))},
			want: want{
				calls: []string{"check"}, finalizer: true, observed: 3,
				conds:  invalidConds(`unknown metric "x"`),
				events: []string{"Warning InvalidSpec"},
			},
		},
		"NoTenant": {
			reason: "Without a provider account the object waits, naming what to create.",
			obj:    newBackend(withFinalizer),
			kind: fakeKind{connect: func(context.Context, *backend) error {
				return &tenant.NoProviderAccountError{Namespace: testNS}
			}},
			want: want{
				calls: []string{"check", "connect"}, requeue: wait, finalizer: true,
				conds:  waitingConds(ReasonProviderAccountNotFound, tenant.DefaultSecretName),
				events: []string{"Normal ProviderAccountNotFound"},
			},
		},
		"WaitingOrphan": {
			reason: "A kind's wait requeues after the wait interval, in Orphan when the kind has it.",
			obj:    newBackend(withFinalizer),
			kind: fakeKind{
				conditions: &ConditionSet{Synced: true, Waiting: TypeOrphan},
				check:      checkFails(Waitingf("BackendNotFound", "backend %q not found", "b1")),
			},
			want: want{
				calls: []string{"check"}, requeue: wait, finalizer: true,
				types: []string{TypeFailed, TypeInvalid, TypeOrphan, TypeReady, TypeSynced},
				conds: map[string]condWant{
					TypeOrphan: {isTrue, "BackendNotFound", `backend "b1" not found`},
					TypeSynced: {isFalse, "BackendNotFound", `backend "b1" not found`},
					TypeFailed: {isFalse, ReasonNoError, ""},
				},
				events: []string{"Normal BackendNotFound"},
			},
		},
		"WaitingAfter": {
			reason: "A wait that says when to try again is retried then.",
			obj:    newBackend(withFinalizer),
			kind:   fakeKind{check: checkFails(&WaitingError{Reason: "Deleting", Message: "the old entity is being deleted", After: 30 * time.Second})},
			want: want{
				calls: []string{"check"}, requeue: 30 * time.Second, finalizer: true,
				conds: waitingConds("Deleting", "being deleted"), events: []string{"Normal Deleting"},
			},
		},
		"Unauthorized": {
			reason: "A refused token fails and is retried at the poll interval.",
			obj:    newBackend(withFinalizer, recorded(42, loc)),
			kind:   fakeKind{observe: observeFails(apiErr(403, "Access denied", nil))},
			want: want{
				calls: []string{"check", "connect", "observe 42"}, requeue: poll, jittered: true, finalizer: true, id: 42, host: loc,
				conds:  failedConds(ReasonUnauthorized, "Access denied"),
				events: []string{"Warning Unauthorized"},
			},
		},
		"UnauthorizedPlanNamesSecret": {
			reason: "A plan operation's 401, through ConnectTenant, names the Secret of the token to fix.",
			obj:    newBackend(withFinalizer, recorded(42, loc)),
			kind:   fakeKind{tenants: secretTenants(), observe: plans(op("update backend 42", apiErr(401, "unauthorized", nil)))},
			want: want{
				calls: []string{"check", "connect", "observe 42", "run update backend 42"}, requeue: poll, jittered: true, finalizer: true,
				id: 42, host: loc,
				conds:  failedConds(ReasonUnauthorized, `3scale refused the access token of secret ns/threescale-provider-account key "token"`),
				events: []string{"Warning Unauthorized"},
			},
		},
		"RejectedPlan": {
			reason: "A 422 from a plan operation is Invalid with 3scale's message, stops the plan, returns no error, and is retried at the poll interval (3scale may accept it later).",
			obj:    newBackend(withFinalizer, recorded(42, loc)),
			kind: fakeKind{observe: plans(
				op("update backend 42", apiErr(422, unprocessable, nil)),
				op(`create metric "m"`, nil))},
			want: want{
				calls:   []string{"check", "connect", "observe 42", "run update backend 42"},
				requeue: poll, jittered: true, finalizer: true, id: 42, host: loc, observed: 3,
				conds:  invalidConds(unprocessable),
				events: []string{"Warning InvalidSpec"}, notes: []string{"cannot update backend 42", unprocessable},
			},
		},
		"RejectedCreate": {
			reason: "A creation 3scale refuses made nothing: the mark goes, and the object is Invalid until the poll interval.",
			obj:    newBackend(withFinalizer),
			kind:   fakeKind{create: creates(0, apiErr(422, "System name has already been taken", nil))},
			want: want{
				calls:   []string{"check", "connect", "find", "create"},
				requeue: poll, jittered: true, finalizer: true, observed: 3,
				conds:  invalidConds("System name has already been taken"),
				events: []string{"Warning InvalidSpec"},
			},
		},
		"TransientCreateKeepsMark": {
			reason: "A creation that failed without an answer may have happened: the mark stays, so that the next pass looks the entity up.",
			obj:    newBackend(withFinalizer),
			kind:   fakeKind{create: creates(0, apiErr(504, "", nil))},
			want: want{
				calls: []string{"check", "connect", "find", "create"}, err: "504", finalizer: true, mark: true,
				conds:  failedConds(ReasonSyncError, "504"),
				events: []string{"Warning SyncError"},
			},
		},
		"TransientNotSynced": {
			reason: "A transient error of an object that was not synced is Failed at once, and goes back to the work queue.",
			obj:    newBackend(withFinalizer, recorded(42, loc)),
			kind:   fakeKind{observe: observeFails(errors.New("connection reset by peer"))},
			want: want{
				calls: []string{"check", "connect", "observe 42"}, err: "connection reset by peer", finalizer: true, id: 42, host: loc,
				conds:  failedConds(ReasonSyncError, "connection reset by peer"),
				events: []string{"Warning SyncError"},
			},
		},
		"TransientSynced": {
			reason: "A transient error of an object synced for its generation leaves its conditions True, records a TransientError warning, and returns the error.",
			obj:    newBackend(withFinalizer, recorded(42, loc), synced(3)),
			kind:   fakeKind{observe: observeFails(errors.New("connection reset by peer"))},
			want: want{
				calls: []string{"check", "connect", "observe 42"}, err: "connection reset by peer", finalizer: true, id: 42, host: loc, observed: 3,
				conds:  syncedConds(),
				events: []string{"Warning TransientError"}, notes: []string{"failing since " + testNow.Format(time.RFC3339)},
			},
		},
		"TransientSynced500": {
			reason: "A 500 from a plan operation of a synced object is tolerated too.",
			obj:    newBackend(withFinalizer, recorded(42, loc), synced(3)),
			kind:   fakeKind{observe: plans(op("update backend 42", apiErr(500, "", nil)))},
			want: want{
				calls: []string{"check", "connect", "observe 42", "run update backend 42"}, err: "500", finalizer: true, id: 42, host: loc, observed: 3,
				conds: syncedConds(),
				// 3scale differs from a spec synced before: drift, whose revert failed.
				events: []string{"Warning DriftDetected", "Warning TransientError"},
			},
		},
		"TransientSynced429": {
			reason: "So is a 429 on the lookup.",
			obj:    newBackend(withFinalizer, recorded(42, loc), synced(3)),
			kind:   fakeKind{observe: observeFails(apiErr(429, "", nil))},
			want: want{
				calls: []string{"check", "connect", "observe 42"}, err: "429", finalizer: true, id: 42, host: loc, observed: 3,
				conds:  syncedConds(),
				events: []string{"Warning TransientError"},
			},
		},
		"TransientSyncedOlderGeneration": {
			reason: "An object synced for an older generation is not tolerated: its new spec was never applied.",
			obj:    newBackend(withFinalizer, recorded(42, loc), synced(2)),
			kind:   fakeKind{observe: observeFails(apiErr(500, "", nil))},
			want: want{
				calls: []string{"check", "connect", "observe 42"}, err: "500", finalizer: true, id: 42, host: loc, observed: 2,
				conds:  failedConds(ReasonSyncError, "500"),
				events: []string{"Warning SyncError"},
			},
		},
	})
}

// TestReconcileStaleWrites checks that a Kubernetes 409 on any of the loop's writes requeues the
// object at once, with no condition or event: it says nothing about the object.
func TestReconcileStaleWrites(t *testing.T) {
	stalePatch := interceptor.Funcs{Patch: func(context.Context, client.WithWatch, client.Object, client.Patch, ...client.PatchOption) error {
		return staleErr
	}}
	staleStatus := interceptor.Funcs{SubResourcePatch: func(context.Context, client.Client, string, client.Object, client.Patch, ...client.SubResourcePatchOption) error {
		return staleErr
	}}
	runCases(t, map[string]loopCase{
		"FinalizerPatch": {
			reason:    "A stale finalizer patch stops the pass before the object is checked.",
			obj:       newBackend(),
			intercept: stalePatch,
			want:      want{requeue: staleRequeue, types: []string{}},
		},
		"MarkPatch": {
			reason:    "A stale create-pending mark stops the pass before Create.",
			obj:       newBackend(withFinalizer),
			intercept: stalePatch,
			want:      want{calls: []string{"check", "connect", "find"}, requeue: staleRequeue, finalizer: true, types: []string{}},
		},
		"StatusPatch": {
			reason:    "A stale status patch is tried again at once.",
			obj:       newBackend(withFinalizer, recorded(42, loc)),
			intercept: staleStatus,
			want: want{
				calls: []string{"check", "connect", "observe 42"}, requeue: staleRequeue, finalizer: true,
				id: 42, host: loc, types: []string{},
			},
		},
		"FinalizerRemoval": {
			reason:    "A stale finalizer removal after the deletion is tried again (deleting an entity already gone is not an error).",
			obj:       newBackend(deleted, recorded(42, loc)),
			intercept: stalePatch,
			want: want{
				calls: []string{"connect", "delete 42"}, requeue: staleRequeue, finalizer: true,
				id: 42, host: loc, types: []string{}, events: []string{"Normal Deleted"},
			},
		},
	})
}

// stored returns ns/b as stored.
func stored(t *testing.T, c client.Client) *backend {
	t.Helper()
	var b backend
	if err := c.Get(context.Background(), keyB, &b); err != nil {
		t.Fatal(err)
	}
	return &b
}

func conditionStatus(b *backend, typ string) metav1.ConditionStatus {
	if c := meta.FindStatusCondition(b.Status.Conditions, typ); c != nil {
		return c.Status
	}
	return "absent"
}

// TestTransientFailureLasts walks a synced object through a run of transient failures: its
// conditions stay True while the failures last less than the poll interval, turn False once they
// last longer, and a success starts the count again.
func TestTransientFailureLasts(t *testing.T) {
	failing := true
	k := &fakeKind{observe: func(context.Context, *backend, int64) (Observation, error) {
		if failing {
			return Observation{}, apiErr(503, "", nil)
		}
		return Observation{Exists: true}, nil
	}}
	c := newClient(t, k, interceptor.Funcs{}, newBackend(withFinalizer, recorded(42, loc), synced(3)))
	recorder := events.NewFakeRecorder(32)
	r := newReconciler(c, k, recorder)
	steps := []struct {
		reason  string
		at      time.Duration // after testNow
		failing bool
		// ready is Ready and Synced afterwards, failed Failed.
		ready, failed metav1.ConditionStatus
		events        []string
		note          string
	}{
		{"The first failure leaves the conditions.", 0, true, isTrue, isFalse, []string{"Warning TransientError"}, "failing since " + testNow.Format(time.RFC3339)},
		{"Within the poll interval they stay.", poll - time.Second, true, isTrue, isFalse, []string{"Warning TransientError"}, "failing since " + testNow.Format(time.RFC3339)},
		{"Past the poll interval they say so.", poll + time.Second, true, isFalse, isTrue, []string{"Warning SyncError"}, "503"},
		{"A success makes them True.", poll + 2*time.Second, false, isTrue, isFalse, nil, ""},
		{"A new failure is tolerated afresh.", poll + 3*time.Second, true, isTrue, isFalse, []string{"Warning TransientError"},
			"failing since " + testNow.Add(poll+3*time.Second).Format(time.RFC3339)},
	}
	for i, s := range steps {
		failing = s.failing
		r.now = func() time.Time { return testNow.Add(s.at) }
		_, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: keyB})
		if (err != nil) != s.failing {
			t.Errorf("step %d: %s\nReconcile error = %v, want one: %v", i, s.reason, err, s.failing)
		}
		b := stored(t, c)
		got := []metav1.ConditionStatus{conditionStatus(b, TypeReady), conditionStatus(b, TypeSynced), conditionStatus(b, TypeFailed)}
		if diff := cmp.Diff([]metav1.ConditionStatus{s.ready, s.ready, s.failed}, got); diff != "" {
			t.Errorf("step %d: %s\nReady, Synced, Failed: -want, +got:\n%s", i, s.reason, diff)
		}
		var notes []string
		if s.note != "" {
			notes = []string{s.note}
		}
		checkEvents(t, fmt.Sprintf("step %d: %s", i, s.reason), recorder, s.events, notes)
	}
}

// TestCreateRecordedAfterCrash stops a pass between Create and the status write that records the
// ID (a stale status patch): the mark stays, and the next pass records the entity it created
// instead of creating a second one.
func TestCreateRecordedAfterCrash(t *testing.T) {
	var created int64
	k := &fakeKind{
		find:   func(context.Context, *backend) (int64, error) { return created, nil },
		create: func(context.Context, *backend) (int64, error) { created = 42; return created, nil },
	}
	statusPatches := 0
	c := newClient(t, k, interceptor.Funcs{SubResourcePatch: func(ctx context.Context, c client.Client, sub string, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
		if statusPatches++; statusPatches == 1 {
			return staleErr
		}
		return c.SubResource(sub).Patch(ctx, obj, patch, opts...)
	}}, newBackend(withFinalizer))
	recorder := events.NewFakeRecorder(32)
	r := newReconciler(c, k, recorder)

	res, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: keyB})
	if err != nil || res.RequeueAfter != staleRequeue {
		t.Fatalf("first pass = %+v, %v; want a requeue after %v", res, err, staleRequeue)
	}
	if b := stored(t, c); b.Annotations[CreatePendingAnnotation] == "" || b.Status.ID != nil {
		t.Fatalf("after the failed status write: annotations %v, backendId %v; want the mark and no ID", b.Annotations, b.Status.ID)
	}
	checkEvents(t, "first pass", recorder, []string{"Normal Created"}, nil)

	if _, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: keyB}); err != nil {
		t.Fatal(err)
	}
	want := []string{"check", "connect", "find", "create", "check", "connect", "find", "observe 42"}
	if diff := cmp.Diff(want, k.calls); diff != "" {
		t.Errorf("calls: -want, +got:\n%s", diff)
	}
	b := stored(t, c)
	if _, marked := b.Annotations[CreatePendingAnnotation]; marked || b.Status.ID == nil || *b.Status.ID != 42 || conditionStatus(b, TypeReady) != isTrue {
		t.Errorf("after recovery: annotations %v, backendId %v, Ready %s; want no mark, 42, True", b.Annotations, b.Status.ID, conditionStatus(b, TypeReady))
	}
	checkEvents(t, "second pass", recorder, []string{"Normal Recovered"}, nil)
}

// TestClaimsHeldInMemory checks that two objects never adopt one entity, even when the cache does
// not show yet that the first recorded it, and that deleting the first releases the entity.
func TestClaimsHeldInMemory(t *testing.T) {
	k := &fakeKind{find: findsID(42)}
	// The cache lags: listing by the claim index finds nothing.
	lagging := interceptor.Funcs{List: func(context.Context, client.WithWatch, client.ObjectList, ...client.ListOption) error { return nil }}
	a := another(testNS, "a", testNow.Add(-2*time.Hour))
	b := another("ns2", "b", testNow.Add(-time.Hour))
	c := newClient(t, k, lagging, a, b)
	recorder := events.NewFakeRecorder(32)
	r := newReconciler(c, k, recorder)
	ctx := context.Background()
	reconcile := func(o client.Object) {
		t.Helper()
		_, _ = r.Reconcile(ctx, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(o)})
	}

	reconcile(a)
	checkEvents(t, "a adopts 42", recorder, []string{"Normal Adopted"}, nil)
	k.calls = nil
	reconcile(b)
	checkEvents(t, "b finds 42 held by a", recorder, []string{"Warning Conflict"}, []string{"Backend ns/a"})
	if diff := cmp.Diff([]string{"check", "connect", "find"}, k.calls); diff != "" {
		t.Errorf("b's calls: -want, +got:\n%s", diff)
	}

	if err := c.Delete(ctx, a); err != nil {
		t.Fatal(err)
	}
	reconcile(a)
	checkEvents(t, "a deletes 42", recorder, []string{"Normal Deleted"}, nil)
	reconcile(b)
	checkEvents(t, "b may take 42 once a is gone", recorder, []string{"Normal Adopted"}, nil)
}

// TestResyncWritesNothing checks that a pass over an object in sync writes nothing: a resync costs
// the API server nothing, and wakes no watcher.
func TestResyncWritesNothing(t *testing.T) {
	writes := 0
	counting := interceptor.Funcs{
		Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
			writes++
			return c.Patch(ctx, obj, patch, opts...)
		},
		Update: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.UpdateOption) error {
			writes++
			return c.Update(ctx, obj, opts...)
		},
		SubResourcePatch: func(ctx context.Context, c client.Client, sub string, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
			writes++
			return c.SubResource(sub).Patch(ctx, obj, patch, opts...)
		},
	}
	k := &fakeKind{}
	c := newClient(t, k, counting, newBackend())
	r := newReconciler(c, k, nil)
	req := ctrl.Request{NamespacedName: keyB}
	if _, err := r.Reconcile(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	first := stored(t, c)
	if writes == 0 {
		t.Fatal("the first pass wrote nothing")
	}
	writes = 0
	res, err := r.Reconcile(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	second := stored(t, c)
	if writes != 0 || first.ResourceVersion != second.ResourceVersion {
		t.Errorf("a resync with nothing to change made %d writes, resourceVersion %s -> %s", writes, first.ResourceVersion, second.ResourceVersion)
	}
	if res.RequeueAfter < poll {
		t.Errorf("RequeueAfter = %v, want a poll", res.RequeueAfter)
	}
}

// TestPollInterval checks the jitter bounds and the annotation's floor.
func TestPollInterval(t *testing.T) {
	r := &Reconciler[*backend]{opts: Options{PollInterval: time.Minute}.withDefaults()}
	cases := map[string]struct {
		reason   string
		obj      *backend
		min, max time.Duration // [min, max)
	}{
		"Default":     {reason: "The poll interval, plus up to a tenth of it.", obj: newBackend(), min: time.Minute, max: time.Minute + 6*time.Second},
		"Annotation":  {reason: "The annotation wins, with the same jitter.", obj: newBackend(annotate(PollIntervalAnnotation, "10m")), min: 10 * time.Minute, max: 10*time.Minute + 6*time.Second},
		"Floor":       {reason: "The annotation cannot go below the floor; jitter at most half of it.", obj: newBackend(annotate(PollIntervalAnnotation, "1ms")), min: MinPollInterval, max: MinPollInterval + MinPollInterval/2},
		"Unparsable":  {reason: "An unparsable annotation is ignored.", obj: newBackend(annotate(PollIntervalAnnotation, "soon")), min: time.Minute, max: time.Minute + 6*time.Second},
		"NegativeAnn": {reason: "A negative annotation is the floor.", obj: newBackend(annotate(PollIntervalAnnotation, "-1h")), min: MinPollInterval, max: MinPollInterval + MinPollInterval/2},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			seen := map[time.Duration]bool{}
			for range 100 {
				d := r.pollInterval(tc.obj)
				if d < tc.min || d >= tc.max {
					t.Fatalf("%s\npollInterval = %v, want within [%v, %v)", tc.reason, d, tc.min, tc.max)
				}
				seen[d] = true
			}
			if len(seen) < 2 {
				t.Errorf("%s\npollInterval is always %v: no jitter, so objects poll in lockstep", tc.reason, tc.min)
			}
		})
	}
}

// TestDeleteForgetsFailures checks that an object deleted during a run of transient failures
// leaves nothing behind in the Reconciler.
func TestDeleteForgetsFailures(t *testing.T) {
	failing := true
	k := &fakeKind{delete: func(context.Context, *backend, int64) error {
		if failing {
			return apiErr(503, "", nil)
		}
		return nil
	}}
	c := newClient(t, k, interceptor.Funcs{}, newBackend(deleted, recorded(42, loc), synced(3)))
	r := newReconciler(c, k, nil)
	req := ctrl.Request{NamespacedName: keyB}
	if _, err := r.Reconcile(context.Background(), req); err == nil {
		t.Fatal("the failed deletion returned no error")
	}
	if len(r.failingSince) != 1 {
		t.Fatalf("failures recorded = %v, want the object's", r.failingSince)
	}
	failing = false
	if _, err := r.Reconcile(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if len(r.failingSince) != 0 {
		t.Errorf("failures recorded after the object was released = %v, want none", r.failingSince)
	}
}

// TestKindWithoutID checks a kind that records no ID (it configures an entity another object
// manages): Find names the entity on every pass without an Adopted event, nothing is created, and
// deletion deletes nothing.
func TestKindWithoutID(t *testing.T) {
	k := &fakeKind{noID: true, find: findsID(42)}
	a := another(testNS, "a", testNow.Add(-time.Hour))
	c := newClient(t, k, interceptor.Funcs{}, a)
	recorder := events.NewFakeRecorder(32)
	r := newReconciler(c, k, recorder)
	ctx := context.Background()
	for range 2 {
		if _, err := r.Reconcile(ctx, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(a)}); err != nil {
			t.Fatal(err)
		}
	}
	checkEvents(t, "two passes", recorder, nil, nil)
	if diff := cmp.Diff([]string{"check", "connect", "find", "observe 42", "check", "connect", "find", "observe 42"}, k.calls); diff != "" {
		t.Errorf("calls: -want, +got:\n%s", diff)
	}
	k.calls = nil
	if err := c.Delete(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Reconcile(ctx, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(a)}); err != nil {
		t.Fatal(err)
	}
	checkEvents(t, "deletion", recorder, []string{"Normal NothingDeleted"}, nil)
	if diff := cmp.Diff([]string{"connect"}, k.calls); diff != "" {
		t.Errorf("deletion calls: -want, +got:\n%s", diff)
	}
}
