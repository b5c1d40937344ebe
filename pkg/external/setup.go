package external

import (
	"context"
	"fmt"
	"maps"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// SecretIndex indexes capability objects by the names of the Secrets of their namespace they
// read (Registration.SecretNames), so that a Secret event finds the objects to sync again.
const SecretIndex = "capabilities.3scale.net/secret"

// ForeignSecretIndex indexes capability objects by the Secrets of other namespaces they
// reference ("namespace/name", Registration.ForeignSecrets).
const ForeignSecretIndex = "capabilities.3scale.net/foreign-secret"

// DefaultMaxConcurrentReconciles is how many objects of one kind are reconciled at once. 3scale
// calls are bounded per tenant by the client, so this mostly overlaps tenants and waits.
const DefaultMaxConcurrentReconciles = 4

// A Registration is what the controller of one kind is made of, besides the loop.
type Registration[T client.Object] struct {
	// Name names the controller in logs, metrics and events.
	Name string
	// Kind is the kind's adapter.
	Kind Kind[T]
	// SecretNames returns the names of the Secrets of obj's own namespace that obj reads (its
	// tenant's, its references'); a change of one of them syncs obj again. Secrets are watched
	// by metadata only: the operator never holds Secret data in memory.
	SecretNames func(obj T) []string
	// ForeignSecrets returns the Secrets of other namespaces obj references, as
	// "namespace/name"; a change of one (its opt-in, its data) syncs obj again.
	ForeignSecrets func(obj T) []string
	// Indexes are further field indexes of the kind, for Watches to find objects by.
	Indexes map[string]func(obj T) []string
	// Watches are further watches: objects the kind references.
	Watches []Watch
}

// A Watch wakes objects of the kind when another object changes.
type Watch struct {
	// Object is the watched kind.
	Object client.Object
	// Handler maps an event to the objects to sync.
	Handler handler.EventHandler
	// Predicates filter the events.
	Predicates []predicate.Predicate
}

// Setup registers the controller of reg with mgr: the loop, the secret and claim indexes, the
// watches, its concurrency and its per-reconcile deadline. It keeps no state outside the
// controller it makes.
func Setup[T client.Object](mgr ctrl.Manager, reg Registration[T], opts Options, maxConcurrent int) error {
	ctx := context.Background()
	indexer := mgr.GetFieldIndexer()
	obj := reg.Kind.New()
	indexes := map[string]func(client.Object) []string{ClaimIndex: ClaimKeys(reg.Kind), DeletingIndex: deletingKeys}
	if reg.SecretNames != nil {
		indexes[SecretIndex] = typed(reg.SecretNames)
	}
	if reg.ForeignSecrets != nil {
		indexes[ForeignSecretIndex] = typed(reg.ForeignSecrets)
	}
	for name, f := range reg.Indexes {
		indexes[name] = typed(f)
	}
	for name, f := range indexes {
		if err := indexer.IndexField(ctx, obj, name, f); err != nil {
			return fmt.Errorf("cannot index %s: %w", name, err)
		}
	}
	if maxConcurrent <= 0 {
		maxConcurrent = DefaultMaxConcurrentReconciles
	}
	opts = opts.withDefaults()
	opts.Name = reg.Name
	r := NewReconciler(mgr.GetClient(), reg.Kind, mgr.GetEventRecorder(reg.Name), opts)
	b := ctrl.NewControllerManagedBy(mgr).
		Named(reg.Name).
		For(obj, builder.WithPredicates(predicate.Or(predicate.GenerationChangedPredicate{}, userAnnotationChanged())))
	if reg.SecretNames != nil || reg.ForeignSecrets != nil {
		b = b.WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(
			secretReferrers(mgr.GetClient(), reg.Kind.NewList(), reg.SecretNames != nil, reg.ForeignSecrets != nil)))
	}
	for _, w := range reg.Watches {
		b = b.Watches(w.Object, w.Handler, builder.WithPredicates(w.Predicates...))
	}
	return b.WithOptions(controller.Options{
		MaxConcurrentReconciles: maxConcurrent,
		// The loop bounds itself too; this also covers the time spent before it starts.
		ReconciliationTimeout: opts.ReconcileTimeout + statusWriteTimeout,
	}).Complete(r)
}

func typed[T client.Object](f func(T) []string) client.IndexerFunc {
	return func(o client.Object) []string {
		obj, ok := o.(T)
		if !ok {
			return nil
		}
		return f(obj)
	}
}

// EnqueueByIndex maps an object (a Secret, a referenced object) to the objects of list's kind in
// its namespace whose index holds its name.
func EnqueueByIndex(c client.Reader, list client.ObjectList, index string) handler.MapFunc {
	return EnqueueByKey(c, list, index, client.Object.GetName)
}

// EnqueueByKey maps an object of type O to the objects of list's kind in its namespace whose
// index holds key(o): for references by something other than the object's name (a system name,
// a policy name).
func EnqueueByKey[O client.Object](c client.Reader, list client.ObjectList, index string, key func(O) string) handler.MapFunc {
	return func(ctx context.Context, o client.Object) []reconcile.Request {
		obj, ok := o.(O)
		if !ok {
			return nil
		}
		l, ok := list.DeepCopyObject().(client.ObjectList)
		if !ok {
			return nil
		}
		k := key(obj)
		if err := c.List(ctx, l, client.InNamespace(o.GetNamespace()), client.MatchingFields{index: k}); err != nil {
			log.FromContext(ctx).Error(err, "cannot list objects to sync again", "index", index, "key", k)
			return nil
		}
		var reqs []reconcile.Request
		_ = meta.EachListItem(l, func(item runtime.Object) error {
			if m, ok := item.(client.Object); ok {
				reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: m.GetNamespace(), Name: m.GetName()}})
			}
			return nil
		})
		return reqs
	}
}

// UpdatedWhen lets through creations, deletions, and the updates of O for which changed is true:
// a referenced object's updates that matter to the objects that reference it.
func UpdatedWhen[O client.Object](changed func(before, after O) bool) predicate.Predicate {
	return predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
		before, ok1 := e.ObjectOld.(O)
		after, ok2 := e.ObjectNew.(O)
		if !ok1 || !ok2 {
			return true
		}
		return changed(before, after)
	}}
}

// DeletingIndex is the field index, on every capability kind, of the objects being deleted: the
// few that EnqueueDeleting wakes, found without going through every object of the namespace.
const DeletingIndex = "capabilities.3scale.net/deleting"

// deletingValue is the one key of DeletingIndex.
const deletingValue = "true"

func deletingKeys(o client.Object) []string {
	if o.GetDeletionTimestamp().IsZero() {
		return nil
	}
	return []string{deletingValue}
}

// EnqueueDeleting maps any object to the objects of list's kind in its namespace that are being
// deleted: for a kind whose deletion waits until others (Products) stop using its entity, a
// change of one of those may unblock it. The kind must be registered with Setup (which indexes
// DeletingIndex): every event then costs a lookup of the deleting few, not a walk through the
// namespace.
func EnqueueDeleting(c client.Reader, list client.ObjectList) handler.MapFunc {
	return func(ctx context.Context, o client.Object) []reconcile.Request {
		l, ok := list.DeepCopyObject().(client.ObjectList)
		if !ok {
			return nil
		}
		if err := c.List(ctx, l, client.InNamespace(o.GetNamespace()), client.MatchingFields{DeletingIndex: deletingValue}); err != nil {
			log.FromContext(ctx).Error(err, "cannot list objects being deleted")
			return nil
		}
		var reqs []reconcile.Request
		_ = meta.EachListItem(l, func(item runtime.Object) error {
			if m, ok := item.(client.Object); ok {
				reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: m.GetNamespace(), Name: m.GetName()}})
			}
			return nil
		})
		return reqs
	}
}

// userAnnotationChanged lets through updates that change an annotation other than the loop's own
// create-pending mark: a user's annotation (deletion policy, poll interval) changes what a
// reconcile does; the mark, set and cleared by the loop itself, would only cost a second pass
// (and its 3scale reads) after every creation.
func userAnnotationChanged() predicate.Predicate {
	return predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
		if e.ObjectOld == nil || e.ObjectNew == nil {
			return false
		}
		return !maps.Equal(withoutMark(e.ObjectOld.GetAnnotations()), withoutMark(e.ObjectNew.GetAnnotations()))
	}}
}

func withoutMark(a map[string]string) map[string]string {
	if _, ok := a[CreatePendingAnnotation]; !ok {
		return a
	}
	a = maps.Clone(a)
	delete(a, CreatePendingAnnotation)
	return a
}

// secretReferrers maps a Secret to the objects of list's kind that read it: those of its namespace
// whose SecretIndex holds its name, and those of any namespace whose ForeignSecretIndex holds it.
func secretReferrers(c client.Reader, list client.ObjectList, local, foreign bool) handler.MapFunc {
	byName := EnqueueByIndex(c, list, SecretIndex)
	return func(ctx context.Context, o client.Object) []reconcile.Request {
		var reqs []reconcile.Request
		if local {
			reqs = byName(ctx, o)
		}
		if !foreign {
			return reqs
		}
		l, ok := list.DeepCopyObject().(client.ObjectList)
		if !ok {
			return reqs
		}
		key := o.GetNamespace() + "/" + o.GetName()
		if err := c.List(ctx, l, client.MatchingFields{ForeignSecretIndex: key}); err != nil {
			log.FromContext(ctx).Error(err, "cannot list objects to sync again", "index", ForeignSecretIndex, "secret", key)
			return reqs
		}
		_ = meta.EachListItem(l, func(item runtime.Object) error {
			if m, ok := item.(client.Object); ok {
				reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: m.GetNamespace(), Name: m.GetName()}})
			}
			return nil
		})
		return reqs
	}
}
