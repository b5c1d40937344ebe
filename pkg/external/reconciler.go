package external

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/threescale-oss/operator/pkg/tenant"
	"github.com/threescale-oss/operator/pkg/threescale"
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
	// MinPollInterval bounds the per-object annotation from below.
	MinPollInterval = 5 * time.Second
)

// An Observation is what External.Observe found in 3scale.
type Observation struct {
	// Exists is true when the 3scale entity exists.
	Exists bool
	// UpToDate is true when 3scale matches the spec: there is nothing to execute.
	UpToDate bool
	// Diff names the planned operations, e.g. "update backend description", "create metric
	// bytes"; it is shown in events and logs. Empty when UpToDate.
	Diff []string
}

// An External mirrors one object into 3scale. Connect makes one per reconcile; it may keep what
// Observe read for Sync to use.
type External[T client.Object] interface {
	// Observe reads 3scale and compares it with the spec. It never writes to 3scale. It may record
	// the 3scale ID it found in the object's status (in memory; the loop writes the status).
	Observe(ctx context.Context, obj T) (Observation, error)
	// Sync executes what the last Observe planned: creates the entity when it is missing (looking
	// it up by system name first, so that a crash between creating it and writing its ID never
	// makes a duplicate), updates what differs, deletes what the spec no longer lists. It records
	// the 3scale ID in the object's status.
	Sync(ctx context.Context, obj T) error
	// Delete removes the entity from 3scale. An entity already gone is not an error. A deletion
	// that must wait for something else returns a *WaitingError naming it.
	Delete(ctx context.Context, obj T) error
}

// Status points at the status fields that the loop owns.
type Status struct {
	// Conditions are the object's conditions.
	Conditions *[]metav1.Condition
	// ObservedGeneration is status.observedGeneration.
	ObservedGeneration *int64
	// ProviderAccountHost is the admin URL of the tenant the object was last synced to.
	ProviderAccountHost *string
}

// A Kind adapts one capability kind to the loop.
type Kind[T client.Object] interface {
	// New returns an empty object of the kind.
	New() T
	// Finalizer is the finalizer that keeps the object until its 3scale entity is deleted. Kinds
	// use the name of the 3scale operator that Red Hat ships, so that objects it created are
	// released by this one.
	Finalizer() string
	// OrphanCondition tells whether the kind has the Orphan condition type.
	OrphanCondition() bool
	// Status returns the status fields of obj that the loop sets.
	Status(obj T) Status
	// ProviderAccountRef returns the spec.providerAccountRef of obj.
	ProviderAccountRef(obj T) *corev1.LocalObjectReference
	// HasExternal tells whether obj's status says a 3scale entity was created or found for it.
	HasExternal(obj T) bool
	// Check validates obj and resolves its references to other Kubernetes objects, without
	// calling 3scale: an *InvalidError for a spec that cannot work, a *WaitingError for a
	// reference that does not exist yet.
	Check(ctx context.Context, obj T) error
	// Connect returns the External that mirrors obj through c, a client of obj's tenant.
	Connect(ctx context.Context, obj T, c *threescale.Client) (External[T], error)
}

// Options tune a Reconciler. Zero values select the defaults.
type Options struct {
	// PollInterval is how often an object in sync is compared with 3scale again; a random
	// jitter of up to PollJitter is added so that objects do not poll in lockstep.
	PollInterval time.Duration
	// PollJitter is the largest jitter added to PollInterval; a tenth of it when zero.
	PollJitter time.Duration
	// WaitInterval is how soon a waiting object tries again.
	WaitInterval time.Duration
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
	return o
}

// A Reconciler runs the loop for one kind. Make it with NewReconciler.
type Reconciler[T client.Object] struct {
	client   client.Client
	kind     Kind[T]
	tenants  tenant.Resolver
	clients  *tenant.Clients
	recorder events.EventRecorder
	opts     Options
}

// NewReconciler returns the loop for kind. c reads and patches the objects; tenants resolves
// their tenant; clients is shared by every kind so that a tenant has one client.
func NewReconciler[T client.Object](c client.Client, kind Kind[T], tenants tenant.Resolver, clients *tenant.Clients, recorder events.EventRecorder, opts Options) *Reconciler[T] {
	return &Reconciler[T]{client: c, kind: kind, tenants: tenants, clients: clients, recorder: recorder, opts: opts.withDefaults()}
}

// Reconcile makes 3scale match one object, or removes its entity when the object is deleted.
func (r *Reconciler[T]) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	obj := r.kind.New()
	if err := r.client.Get(ctx, req.NamespacedName, obj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	before := obj.DeepCopyObject().(T)

	if !obj.GetDeletionTimestamp().IsZero() {
		return r.reconcileDelete(ctx, obj, before)
	}
	if !controllerutil.ContainsFinalizer(obj, r.kind.Finalizer()) {
		// The finalizer goes on before anything is created in 3scale, so that no entity can
		// outlive its object unnoticed.
		controllerutil.AddFinalizer(obj, r.kind.Finalizer())
		if err := r.client.Patch(ctx, obj, client.MergeFrom(before)); err != nil {
			return r.finish(ctx, obj, before, r.failure(ctx, obj, "add finalizer", fmt.Errorf("cannot add finalizer: %w", err)))
		}
		before = obj.DeepCopyObject().(T)
	}
	return r.finish(ctx, obj, before, r.reconcileNormal(ctx, obj))
}

// result is what one pass concluded: the conditions' facts and when to come back.
type result struct {
	outcome outcome
	// requeueAfter is when to come back; err goes back to the work queue instead.
	requeueAfter time.Duration
	err          error
	// skipStatus leaves the status alone (a conflict, which says nothing about the object).
	skipStatus bool
}

func (r *Reconciler[T]) reconcileNormal(ctx context.Context, obj T) result {
	if err := r.kind.Check(ctx, obj); err != nil {
		return r.failure(ctx, obj, "check", err)
	}
	ext, adminURL, err := r.connect(ctx, obj)
	if err != nil {
		return r.failure(ctx, obj, "connect", err)
	}
	obs, err := ext.Observe(ctx, obj)
	if err != nil {
		return r.failure(ctx, obj, "observe", err)
	}
	if !obs.UpToDate {
		log.FromContext(ctx).Info("syncing 3scale", "exists", obs.Exists, "diff", obs.Diff)
		if err := ext.Sync(ctx, obj); err != nil {
			return r.failure(ctx, obj, "sync", err)
		}
		reason, verb := "Updated", "updated in 3scale"
		if !obs.Exists {
			reason, verb = "Created", "created in 3scale"
		}
		r.event(obj, corev1.EventTypeNormal, reason, "Sync", verb+": "+summarize(obs.Diff))
	}
	st := r.kind.Status(obj)
	*st.ObservedGeneration = obj.GetGeneration()
	*st.ProviderAccountHost = adminURL
	return result{outcome: outcome{synced: true}, requeueAfter: r.pollInterval(obj)}
}

func (r *Reconciler[T]) reconcileDelete(ctx context.Context, obj, before T) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(obj, r.kind.Finalizer()) {
		return ctrl.Result{}, nil
	}
	switch {
	case obj.GetAnnotations()[DeletionPolicyAnnotation] == DeletionPolicyOrphan:
		r.event(obj, corev1.EventTypeNormal, "Orphaned", "Delete", "left in 3scale as the deletion policy asks")
	default:
		ext, _, err := r.connect(ctx, obj)
		if err != nil && tenant.IsMissing(err) && !r.kind.HasExternal(obj) {
			// The object never reached 3scale: there is nothing to delete, and waiting for a
			// tenant that may never come would keep it forever.
			r.event(obj, corev1.EventTypeNormal, "Released", "Delete", "no 3scale entity was recorded and no tenant is reachable: "+err.Error())
			break
		}
		if err != nil {
			return r.finish(ctx, obj, before, r.deleteBlocked(ctx, obj, err))
		}
		if err := ext.Delete(ctx, obj); err != nil {
			return r.finish(ctx, obj, before, r.deleteBlocked(ctx, obj, err))
		}
		r.event(obj, corev1.EventTypeNormal, "Deleted", "Delete", "deleted from 3scale")
	}
	controllerutil.RemoveFinalizer(obj, r.kind.Finalizer())
	if err := r.client.Patch(ctx, obj, client.MergeFrom(before)); err != nil {
		return r.finish(ctx, obj, before, r.failure(ctx, obj, "remove finalizer", fmt.Errorf("cannot remove finalizer: %w", err)))
	}
	return ctrl.Result{}, nil
}

// deleteBlocked reports a deletion that cannot proceed, telling how to release the object when
// the tenant is gone for good.
func (r *Reconciler[T]) deleteBlocked(ctx context.Context, obj T, err error) result {
	if tenant.IsMissing(err) || tenant.IsBadSecret(err) {
		err = fmt.Errorf("%w; to delete the object and leave 3scale as it is, annotate it with %s=%s",
			err, DeletionPolicyAnnotation, DeletionPolicyOrphan)
	}
	return r.failure(ctx, obj, "delete", err)
}

// connect resolves obj's tenant and returns its External and the tenant's admin URL.
func (r *Reconciler[T]) connect(ctx context.Context, obj T) (External[T], string, error) {
	creds, err := r.tenants.Resolve(ctx, obj.GetNamespace(), r.kind.ProviderAccountRef(obj))
	if err != nil {
		return nil, "", err
	}
	creds.InsecureSkipVerify = obj.GetAnnotations()[InsecureSkipVerifyAnnotation] == "true"
	c, err := r.clients.For(creds)
	if err != nil {
		return nil, "", err
	}
	ext, err := r.kind.Connect(ctx, obj, c)
	if err != nil {
		return nil, "", err
	}
	return credentialsExternal[T]{ext: ext, token: creds.Token}, c.AdminURL(), nil
}

// credentialsExternal names the Secret that holds the token when 3scale refuses it, so that the
// Failed condition says what to fix.
type credentialsExternal[T client.Object] struct {
	ext   External[T]
	token tenant.SecretKey
}

func (e credentialsExternal[T]) explain(err error) error {
	if err != nil && Classify(err) == Unauthorized {
		return fmt.Errorf("3scale refused the access token of secret %s: %w", e.token, err)
	}
	return err
}

func (e credentialsExternal[T]) Observe(ctx context.Context, obj T) (Observation, error) {
	o, err := e.ext.Observe(ctx, obj)
	return o, e.explain(err)
}

func (e credentialsExternal[T]) Sync(ctx context.Context, obj T) error {
	return e.explain(e.ext.Sync(ctx, obj))
}

func (e credentialsExternal[T]) Delete(ctx context.Context, obj T) error {
	return e.explain(e.ext.Delete(ctx, obj))
}

// failure turns err into the conditions, event and retry its Class calls for.
func (r *Reconciler[T]) failure(ctx context.Context, obj T, phase string, err error) result {
	class := Classify(err)
	o := outcome{class: class, message: err.Error()}
	res := result{outcome: o}
	switch class {
	case Conflict:
		log.FromContext(ctx).V(1).Info("conflict, trying again", "phase", phase, "error", err.Error())
		return result{skipStatus: true, requeueAfter: time.Second}
	case Invalid:
		res.outcome.reason = ReasonInvalidSpec
		// The spec of this generation is as done as it will get: no retry until it changes.
		*r.kind.Status(obj).ObservedGeneration = obj.GetGeneration()
	case Waiting:
		res.outcome.reason, res.requeueAfter = ReasonWaiting, r.opts.WaitInterval
		var w *WaitingError
		switch {
		case errors.As(err, &w):
			if w.Reason != "" {
				res.outcome.reason = w.Reason
			}
			if w.After > 0 {
				res.requeueAfter = w.After
			}
		case tenant.IsMissing(err):
			res.outcome.reason = ReasonProviderAccountNotFound
		}
	case Unauthorized:
		res.outcome.reason, res.requeueAfter = ReasonUnauthorized, r.pollInterval(obj)
	default:
		res.outcome.reason, res.err = ReasonSyncError, err
	}
	eventType := corev1.EventTypeWarning
	if class == Waiting {
		eventType = corev1.EventTypeNormal // waiting for a reference is expected, not a fault
	}
	r.event(obj, eventType, res.outcome.reason, phaseAction(phase), o.message)
	log.FromContext(ctx).V(1).Info("reconcile did not complete", "phase", phase, "class", class.String(), "error", err.Error())
	return res
}

// finish writes the conditions of res and the status with one patch, and returns what the work
// queue should do.
func (r *Reconciler[T]) finish(ctx context.Context, obj, before T, res result) (ctrl.Result, error) {
	if res.skipStatus {
		return ctrl.Result{RequeueAfter: res.requeueAfter}, nil
	}
	setConditions(r.kind.Status(obj).Conditions, obj.GetGeneration(), res.outcome, r.kind.OrphanCondition())
	patch := client.MergeFrom(before)
	data, err := patch.Data(obj)
	if err != nil {
		return ctrl.Result{}, fmt.Errorf("cannot compute the status patch: %w", err)
	}
	// An unchanged status is not written: a resync of an object in sync costs the API server
	// nothing, and wakes no watcher.
	if string(data) != "{}" {
		if err := r.client.Status().Patch(ctx, obj, patch); err != nil {
			if Classify(err) == Conflict || client.IgnoreNotFound(err) == nil {
				return ctrl.Result{RequeueAfter: time.Second}, nil
			}
			return ctrl.Result{}, fmt.Errorf("cannot write status: %w", err)
		}
	}
	if res.err != nil {
		return ctrl.Result{}, res.err
	}
	return ctrl.Result{RequeueAfter: res.requeueAfter}, nil
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
