package external

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/tenant"
)

// Annotations read from capability objects; see the package documentation.
const (
	// DeletionPolicyAnnotation selects what deleting the object does in 3scale.
	DeletionPolicyAnnotation = "capabilities.3scale.net/deletion-policy"
	// DeletionPolicyDelete deletes the 3scale entity with the object (the default).
	DeletionPolicyDelete = "Delete"
	// DeletionPolicyOrphan leaves the 3scale entity when the object is deleted.
	DeletionPolicyOrphan = "Orphan"
	// PollIntervalAnnotation overrides the poll interval of one object.
	PollIntervalAnnotation = "capabilities.3scale.net/poll-interval"
	// InsecureSkipVerifyAnnotation turns TLS verification off ("true"), as the 3scale operator
	// that Red Hat ships does.
	InsecureSkipVerifyAnnotation = "insecure_skip_verify"
	// CreatePendingAnnotation is set, with the time, right before the loop asks 3scale to create
	// the object's entity, and removed once its ID is recorded in the status. Found on an object
	// without a recorded ID, it means the operator stopped in between: the entity is looked up by
	// its natural key and recorded, never created twice.
	CreatePendingAnnotation = "capabilities.3scale.net/create-pending"
)

// Defaults of Options.
const (
	// DefaultPollInterval is how often an object in sync is compared with 3scale again. 3scale is
	// shared with people using the Admin Portal and counts every call, so drift is caught in
	// minutes, not seconds.
	DefaultPollInterval = 5 * time.Minute
	// DefaultWaitInterval is how soon an object that waits for a reference tries again, in case
	// no watch event brings it back first.
	DefaultWaitInterval = 15 * time.Second
	// DefaultReconcileTimeout bounds one reconcile, so that a hung 3scale never holds a worker
	// for longer: the client's own timeouts bound each call, this bounds their sum.
	DefaultReconcileTimeout = 2 * time.Minute
	// MinPollInterval bounds the per-object annotation from below.
	MinPollInterval = 5 * time.Second
	// statusWriteTimeout bounds the status write that ends a reconcile; it runs after the
	// reconcile's own deadline has passed, so that a timed-out pass still reports.
	statusWriteTimeout = 15 * time.Second
)

// Options tune a Reconciler. Zero values select the defaults.
type Options struct {
	// PollInterval is how often an object in sync is compared with 3scale again; a random
	// jitter of up to PollJitter is added so that objects do not poll in lockstep. A transient
	// failure of an object that was synced turns its conditions False only once it has lasted
	// this long.
	PollInterval time.Duration
	// PollJitter is the largest jitter added to PollInterval; a tenth of it when zero.
	PollJitter time.Duration
	// WaitInterval is how soon a waiting object tries again.
	WaitInterval time.Duration
	// ReconcileTimeout bounds one reconcile.
	ReconcileTimeout time.Duration
	// ManagementPolicy is the ManagementPolicyAnnotation of objects without one:
	// ManagementPolicyEnforce when empty.
	ManagementPolicy string
	// Name names the controller in metrics.
	Name string
}

func (o Options) withDefaults() Options {
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.PollJitter <= 0 {
		o.PollJitter = o.PollInterval / 10
	}
	if o.WaitInterval <= 0 {
		o.WaitInterval = DefaultWaitInterval
	}
	if o.ReconcileTimeout <= 0 {
		o.ReconcileTimeout = DefaultReconcileTimeout
	}
	return o
}

// A Reconciler runs the loop for one kind. Make it with NewReconciler.
type Reconciler[T client.Object] struct {
	client   client.Client
	kind     Kind[T]
	recorder events.EventRecorder
	opts     Options
	claims   *claims
	now      func() time.Time

	mu sync.Mutex
	// failingSince is when each object's current run of transient failures began.
	failingSince map[types.UID]time.Time
	// driftReported is the drift last reported of each object, until it syncs.
	driftReported map[types.UID]string
}

// NewReconciler returns the loop for kind. c reads the objects (and lists them by the claim
// index, ClaimIndex) and patches them.
func NewReconciler[T client.Object](c client.Client, kind Kind[T], recorder events.EventRecorder, opts Options) *Reconciler[T] {
	return &Reconciler[T]{client: c, kind: kind, recorder: recorder, opts: opts.withDefaults(),
		claims: newClaims(), now: time.Now, failingSince: map[types.UID]time.Time{}, driftReported: map[types.UID]string{}}
}

// A pass is one reconcile of one object: the object as it is being changed, and the copy of it
// as the API server last returned it, which patches are computed against.
type pass[T client.Object] struct {
	obj, before T
	// location is where the object's entity lives, once connected.
	location string
}

// Reconcile makes 3scale match one object, or removes its entity when the object is deleted.
func (r *Reconciler[T]) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, r.opts.ReconcileTimeout)
	defer cancel()
	obj := r.kind.New()
	if err := r.client.Get(ctx, req.NamespacedName, obj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	p := &pass[T]{obj: obj, before: obj.DeepCopyObject().(T)}

	if !obj.GetDeletionTimestamp().IsZero() {
		return r.reconcileDelete(ctx, p)
	}
	if !controllerutil.ContainsFinalizer(obj, r.kind.Finalizer()) {
		// The finalizer goes on before anything is created in 3scale, so that no entity can
		// outlive its object unnoticed.
		if err := r.patchMeta(ctx, p, func(o T) { controllerutil.AddFinalizer(o, r.kind.Finalizer()) }); err != nil {
			return r.finish(ctx, p, r.failure(ctx, p, "add finalizer", fmt.Errorf("cannot add finalizer: %w", err)))
		}
	}
	return r.finish(ctx, p, r.reconcileNormal(ctx, p))
}

// result is what one pass concluded: the conditions' facts and when to come back.
type result struct {
	outcome outcome
	// requeueAfter is when to come back; err goes back to the work queue instead.
	requeueAfter time.Duration
	err          error
	// skipStatus leaves the status alone (a stale copy, which says nothing about the object).
	skipStatus bool
	// keepConditions writes the status but leaves the conditions as they are (a transient
	// failure of a synced object, which may pass before anyone should worry).
	keepConditions bool
}

func (r *Reconciler[T]) reconcileNormal(ctx context.Context, p *pass[T]) result {
	obj := p.obj
	if err := checkManagementPolicy(obj); err != nil {
		return r.failure(ctx, p, "check", err)
	}
	if err := r.kind.Check(ctx, obj); err != nil {
		return r.failure(ctx, p, "check", err)
	}
	ext, err := r.kind.Connect(ctx, obj)
	if err != nil {
		return r.failure(ctx, p, "connect", err)
	}
	p.location = ext.Location()
	st := r.kind.Status(obj)

	id, obs, err := r.observe(ctx, p, ext)
	if err != nil {
		return r.failure(ctx, p, "observe", err)
	}
	observeOnly := r.observeOnly(obj)
	if !obs.Exists && observeOnly {
		return result{outcome: outcome{outOfSync: true, message: "observed, not enforced: no 3scale entity matches this object; enforcing would create it"},
			requeueAfter: r.pollInterval(obj)}
	}
	if !obs.Exists {
		if id, err = r.create(ctx, p, ext); err != nil {
			return r.failure(ctx, p, "create", err)
		}
		if obs, err = ext.Observe(ctx, obj, id); err != nil {
			return r.failure(ctx, p, "observe", err)
		}
	}
	if _, pending := obj.GetAnnotations()[CreatePendingAnnotation]; pending {
		// Recorded: the mark has done its work.
		if err := r.writeStatus(ctx, p); err != nil {
			return r.failure(ctx, p, "record the 3scale ID", err)
		}
		if err := r.patchMeta(ctx, p, func(o T) { removeAnnotation(o, CreatePendingAnnotation) }); err != nil {
			return r.failure(ctx, p, "clear the create-pending mark", err)
		}
	}
	if !obs.UpToDate() && observeOnly {
		*st.ObservedGeneration = obj.GetGeneration()
		if st.Location != nil {
			*st.Location = p.location
		}
		if r.wasSynced(obj) {
			r.drifted(obj, "observed, not enforced, enforcing would ", planning.Descriptions(obs.Operations))
		}
		return result{outcome: outcome{outOfSync: true, message: fmt.Sprintf("observed, not enforced: enforcing would make %d change(s): %s",
			len(obs.Operations), summarize(planning.Descriptions(obs.Operations)))}, requeueAfter: r.pollInterval(obj)}
	}
	if !obs.UpToDate() {
		if r.wasSynced(obj) {
			r.drifted(obj, "reverting: ", planning.Descriptions(obs.Operations))
		}
		log.FromContext(ctx).Info("syncing 3scale", "id", id, "diff", planning.Descriptions(obs.Operations))
		for _, w := range obs.Warnings {
			r.event(obj, corev1.EventTypeWarning, "SpecNormalized", "Sync", w)
		}
		if _, err := planning.Execute(ctx, ext.Client(), obs.Operations); err != nil {
			if x, ok := ext.(explainer); ok {
				err = x.Explain(err)
			}
			return r.failure(ctx, p, "sync", err)
		}
		r.event(obj, corev1.EventTypeNormal, "Updated", "Sync", "updated in 3scale: "+summarize(planning.Descriptions(obs.Operations)))
	}
	*st.ObservedGeneration = obj.GetGeneration()
	if st.Location != nil {
		*st.Location = p.location
	}
	r.recovered(obj)
	return result{outcome: outcome{synced: true}, requeueAfter: r.pollInterval(obj)}
}

// observe decides which entity obj manages and observes it: the one its status records, else the
// one with its natural key (recorded after a crash when obj is marked create-pending, adopted
// visibly otherwise, refused when another object manages it). obs.Exists is false when there is
// none: the entity is to be created.
func (r *Reconciler[T]) observe(ctx context.Context, p *pass[T], ext External[T]) (int64, Observation, error) {
	obj, st := p.obj, r.kind.Status(p.obj)
	if id := st.recordedID(p.location); id != 0 {
		if err := r.checkClaim(ctx, p, id, true); err != nil {
			return 0, Observation{}, err
		}
		obs, err := ext.Observe(ctx, obj, id)
		if err != nil || obs.Exists {
			return id, obs, err
		}
		// Deleted behind the operator's back: the object makes it again (or takes the one with
		// its natural key that someone made meanwhile).
		st.setID(0, p.location)
	}
	id, err := ext.Find(ctx, obj)
	if err != nil || id == 0 {
		return 0, Observation{}, err
	}
	if err := r.checkClaim(ctx, p, id, false); err != nil {
		return 0, Observation{}, err
	}
	st.setID(id, p.location)
	_, pending := obj.GetAnnotations()[CreatePendingAnnotation]
	switch {
	case st.ID == nil:
		// A kind that records no ID configures an entity another object manages (the keys of
		// an Application's application): Find names it on every pass, which is no adoption,
		// and since nothing is recorded the entity is never deleted with the object.
	case pending:
		r.event(obj, corev1.EventTypeNormal, "Recovered", "Sync",
			fmt.Sprintf("recorded the 3scale entity (ID %d) that this object created before the operator stopped", id))
	default:
		r.event(obj, corev1.EventTypeNormal, "Adopted", "Sync",
			fmt.Sprintf("adopted the existing 3scale entity with ID %d, which has this object's natural key: this object now manages it, and deletes it when deleted unless annotated %s=%s",
				id, DeletionPolicyAnnotation, DeletionPolicyOrphan))
	}
	obs, err := ext.Observe(ctx, obj, id)
	return id, obs, err
}

// create makes the entity, crash-safe: the object is marked create-pending before the call and
// the ID recorded in its status right after, so that a restart in between finds the entity by its
// natural key instead of making a second one.
func (r *Reconciler[T]) create(ctx context.Context, p *pass[T], ext External[T]) (int64, error) {
	obj := p.obj
	if err := r.patchMeta(ctx, p, func(o T) {
		setAnnotation(o, CreatePendingAnnotation, r.now().UTC().Format(time.RFC3339))
	}); err != nil {
		return 0, fmt.Errorf("cannot mark the object create-pending: %w", err)
	}
	id, err := ext.Create(ctx, obj)
	if err != nil {
		if c := Classify(err); c == Rejected || c == Invalid || c == Unauthorized {
			// 3scale refused the creation: nothing was made, so there is nothing to recover.
			_ = r.patchMeta(ctx, p, func(o T) { removeAnnotation(o, CreatePendingAnnotation) })
		}
		return 0, err
	}
	r.kind.Status(obj).setID(id, p.location)
	r.claims.hold(claimKey(p.location, id), obj)
	r.event(obj, corev1.EventTypeNormal, "Created", "Sync", fmt.Sprintf("created in 3scale with ID %d", id))
	if err := r.writeStatus(ctx, p); err != nil {
		// The mark stays: the next pass finds the entity by its natural key.
		return 0, fmt.Errorf("cannot record the 3scale ID %d in the status: %w", id, err)
	}
	if err := r.patchMeta(ctx, p, func(o T) { removeAnnotation(o, CreatePendingAnnotation) }); err != nil {
		return 0, fmt.Errorf("cannot clear the create-pending mark: %w", err)
	}
	return id, nil
}

func (r *Reconciler[T]) reconcileDelete(ctx context.Context, p *pass[T]) (ctrl.Result, error) {
	obj := p.obj
	if !controllerutil.ContainsFinalizer(obj, r.kind.Finalizer()) {
		return ctrl.Result{}, nil
	}
	if obj.GetAnnotations()[DeletionPolicyAnnotation] == DeletionPolicyOrphan {
		r.event(obj, corev1.EventTypeNormal, "Orphaned", "Delete", "left in 3scale as the deletion policy asks")
	} else if r.observeOnly(obj) {
		r.event(obj, corev1.EventTypeNormal, "Orphaned", "Delete", "left in 3scale: the object is observed, not enforced ("+ManagementPolicyAnnotation+")")
	} else if res, done := r.deleteEntity(ctx, p); !done {
		return r.finish(ctx, p, res)
	} else if d, ok := r.kind.(DependentsDeleter[T]); ok {
		if err := d.DeleteDependents(ctx, obj); err != nil {
			return r.finish(ctx, p, r.failure(ctx, p, "delete", fmt.Errorf("cannot delete the objects that depend on this one: %w", err)))
		}
	}
	if err := r.patchMeta(ctx, p, func(o T) { controllerutil.RemoveFinalizer(o, r.kind.Finalizer()) }); err != nil {
		return r.finish(ctx, p, r.failure(ctx, p, "remove finalizer", fmt.Errorf("cannot remove finalizer: %w", err)))
	}
	r.claims.release(obj)
	r.recovered(obj) // gone: its failures are forgotten with it
	return ctrl.Result{}, nil
}

// deleteEntity deletes the entity obj recorded (or created before a crash, when marked
// create-pending), and nothing else. done is false when the deletion must be tried again.
func (r *Reconciler[T]) deleteEntity(ctx context.Context, p *pass[T]) (result, bool) {
	obj, st := p.obj, r.kind.Status(p.obj)
	_, pending := obj.GetAnnotations()[CreatePendingAnnotation]
	recorded := st.current() != nil
	ext, err := r.kind.Connect(ctx, obj)
	if err != nil {
		if tenant.IsMissing(err) && !recorded && !pending {
			// The object never reached 3scale: there is nothing to delete, and waiting for a
			// tenant that may never come would keep it forever.
			r.event(obj, corev1.EventTypeNormal, "Released", "Delete", "no 3scale entity was recorded and no tenant is reachable: "+err.Error())
			return result{}, true
		}
		return r.deleteBlocked(ctx, p, err), false
	}
	p.location = ext.Location()
	id := st.recordedID(p.location)
	if id == 0 && pending {
		if id, err = ext.Find(ctx, obj); err != nil {
			return r.deleteBlocked(ctx, p, err), false
		}
	}
	if id != 0 {
		if err := r.checkClaim(ctx, p, id, id == st.recordedID(p.location)); err != nil {
			r.event(obj, corev1.EventTypeNormal, "NothingDeleted", "Delete", "nothing was deleted in 3scale: "+err.Error())
			return result{}, true
		}
	}
	if id == 0 {
		r.event(obj, corev1.EventTypeNormal, "NothingDeleted", "Delete",
			"no 3scale entity was recorded for this object, so nothing was deleted in 3scale")
		return result{}, true
	}
	if err := ext.Delete(ctx, obj, id); err != nil {
		return r.deleteBlocked(ctx, p, err), false
	}
	r.event(obj, corev1.EventTypeNormal, "Deleted", "Delete", fmt.Sprintf("deleted the 3scale entity with ID %d", id))
	return result{}, true
}

// deleteBlocked reports a deletion that cannot proceed, telling how to release the object when
// the tenant is gone for good.
func (r *Reconciler[T]) deleteBlocked(ctx context.Context, p *pass[T], err error) result {
	if tenant.IsMissing(err) || tenant.IsBadSecret(err) {
		err = fmt.Errorf("%w; to delete the object and leave 3scale as it is, annotate it with %s=%s",
			err, DeletionPolicyAnnotation, DeletionPolicyOrphan)
	}
	return r.failure(ctx, p, "delete", err)
}

// failure turns err into the conditions, event and retry its Class calls for.
func (r *Reconciler[T]) failure(ctx context.Context, p *pass[T], phase string, err error) result {
	obj := p.obj
	class := Classify(err)
	o := outcome{class: class, message: err.Error()}
	res := result{outcome: o}
	switch class {
	case Stale:
		log.FromContext(ctx).V(1).Info("stale object, trying again", "phase", phase, "error", err.Error())
		return result{skipStatus: true, requeueAfter: time.Second}
	case Invalid:
		res.outcome.reason = ReasonInvalidSpec
		// The spec of this generation is as done as it will get: no retry until it changes.
		*r.kind.Status(obj).ObservedGeneration = obj.GetGeneration()
	case Rejected:
		// 3scale refused this generation; it may accept it later, so it is tried again at the
		// poll interval without a spec change.
		res.outcome.reason, res.requeueAfter = ReasonInvalidSpec, r.pollInterval(obj)
		*r.kind.Status(obj).ObservedGeneration = obj.GetGeneration()
	case Conflict:
		res.outcome.reason, res.requeueAfter = ReasonConflict, r.pollInterval(obj)
	case Waiting:
		res.outcome.reason, res.requeueAfter = waitingReason(err), r.opts.WaitInterval
		if w := asWaiting(err); w != nil && w.After > 0 {
			res.requeueAfter = w.After
		}
	case Unauthorized:
		res.outcome.reason, res.requeueAfter = ReasonUnauthorized, r.pollInterval(obj)
	default:
		res.outcome.reason, res.err = ReasonSyncError, err
		if since, tolerated := r.tolerate(obj); tolerated {
			// One 429 or 500 says nothing about whether 3scale still matches the spec: the
			// conditions stay as the last sync left them until the failure lasts.
			r.event(obj, corev1.EventTypeWarning, "TransientError", phaseAction(phase),
				fmt.Sprintf("%s (failing since %s; retried with backoff, the conditions change if it lasts past the poll interval)", o.message, since.UTC().Format(time.RFC3339)))
			return result{keepConditions: true, err: err}
		}
	}
	eventType := corev1.EventTypeWarning
	if class == Waiting {
		eventType = corev1.EventTypeNormal // waiting for a reference is expected, not a fault
	}
	r.event(obj, eventType, res.outcome.reason, phaseAction(phase), o.message)
	log.FromContext(ctx).V(1).Info("reconcile did not complete", "phase", phase, "class", class.String(), "error", err.Error())
	return res
}

// tolerate records a transient failure of obj and tells whether its conditions may stay as they
// are: obj is Ready for its current generation, and its failures began less than a poll interval
// ago.
func (r *Reconciler[T]) tolerate(obj T) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	since, ok := r.failingSince[obj.GetUID()]
	if !ok {
		since = now
		r.failingSince[obj.GetUID()] = since
	}
	ready := meta.FindStatusCondition(*r.kind.Status(obj).Conditions, TypeReady)
	synced := ready != nil && ready.Status == metav1.ConditionTrue && ready.ObservedGeneration == obj.GetGeneration()
	return since, synced && now.Sub(since) < r.opts.PollInterval
}

// recovered forgets the failures of obj, and the drift it reported.
func (r *Reconciler[T]) recovered(obj T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.failingSince, obj.GetUID())
	delete(r.driftReported, obj.GetUID())
}

// finish writes the conditions of res and the status with one patch, and returns what the work
// queue should do.
func (r *Reconciler[T]) finish(ctx context.Context, p *pass[T], res result) (ctrl.Result, error) {
	if res.skipStatus {
		return ctrl.Result{RequeueAfter: res.requeueAfter}, nil
	}
	if !res.keepConditions {
		setConditions(r.kind.Status(p.obj).Conditions, p.obj.GetGeneration(), res.outcome, r.kind.Conditions())
	}
	// The pass may have used up its deadline; its conclusion is still worth writing.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), statusWriteTimeout)
	defer cancel()
	if err := r.writeStatus(wctx, p); err != nil {
		if c := Classify(err); c == Stale || client.IgnoreNotFound(err) == nil {
			return ctrl.Result{RequeueAfter: time.Second}, nil
		}
		return ctrl.Result{}, fmt.Errorf("cannot write status: %w", err)
	}
	if res.err != nil {
		return ctrl.Result{}, res.err
	}
	return ctrl.Result{RequeueAfter: res.requeueAfter}, nil
}

// writeStatus patches the status of p.obj when it differs from p.before, with optimistic locking
// so that a status computed from a stale spec never lands. An unchanged status is not written: a
// resync of an object in sync costs the API server nothing, and wakes no watcher.
func (r *Reconciler[T]) writeStatus(ctx context.Context, p *pass[T]) error {
	data, err := client.MergeFrom(p.before).Data(p.obj)
	if err != nil {
		return fmt.Errorf("cannot compute the status patch: %w", err)
	}
	if string(data) == "{}" {
		return nil
	}
	if err := r.client.Status().Patch(ctx, p.obj, client.MergeFromWithOptions(p.before, client.MergeFromWithOptimisticLock{})); err != nil {
		return err
	}
	p.before = p.obj.DeepCopyObject().(T)
	return nil
}

// patchMeta changes the metadata of p.obj with mutate and writes it with optimistic locking: a
// merge patch replaces whole lists (finalizers), so it must not land on a copy someone else
// changed. The object's status in memory is left as it is.
func (r *Reconciler[T]) patchMeta(ctx context.Context, p *pass[T], mutate func(T)) error {
	orig := p.obj.DeepCopyObject().(T)
	mod := p.obj.DeepCopyObject().(T)
	mutate(mod)
	if err := r.client.Patch(ctx, mod, client.MergeFromWithOptions(orig, client.MergeFromWithOptimisticLock{})); err != nil {
		return err
	}
	for _, o := range []T{p.obj, p.before} {
		o.SetResourceVersion(mod.GetResourceVersion())
		o.SetAnnotations(mod.GetAnnotations())
		o.SetFinalizers(mod.GetFinalizers())
	}
	return nil
}

func setAnnotation(o client.Object, k, v string) {
	a := o.GetAnnotations()
	if a == nil {
		a = map[string]string{}
	}
	a[k] = v
	o.SetAnnotations(a)
}

func removeAnnotation(o client.Object, k string) {
	a := o.GetAnnotations()
	delete(a, k)
	o.SetAnnotations(a)
}

// pollInterval returns the jittered interval after which obj is compared with 3scale again.
func (r *Reconciler[T]) pollInterval(obj T) time.Duration {
	interval := r.opts.PollInterval
	if v, ok := obj.GetAnnotations()[PollIntervalAnnotation]; ok {
		if d, err := time.ParseDuration(v); err == nil {
			interval = max(d, MinPollInterval)
		}
	}
	jitter := min(r.opts.PollJitter, interval/2)
	if jitter <= 0 {
		return interval
	}
	return interval + rand.N(jitter) //nolint:gosec // jitter, not a secret
}

// event records an event on obj; notes are bounded by the events API's 1 kB.
func (r *Reconciler[T]) event(obj T, eventType, reason, action, note string) {
	if r.recorder == nil {
		return
	}
	if len(note) > 1000 {
		note = note[:997] + "..."
	}
	r.recorder.Eventf(obj, nil, eventType, reason, action, "%s", note)
}

func phaseAction(phase string) string {
	switch phase {
	case "delete":
		return "Delete"
	case "check":
		return "Check"
	}
	return "Sync"
}

// summarize joins diff for an event, keeping it short.
func summarize(diff []string) string {
	const maxItems = 10
	if len(diff) == 0 {
		return "no change"
	}
	if len(diff) <= maxItems {
		return strings.Join(diff, ", ")
	}
	return fmt.Sprintf("%s, and %d more", strings.Join(diff[:maxItems], ", "), len(diff)-maxItems)
}
