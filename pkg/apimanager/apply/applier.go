package apply

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/util/csaupgrade"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// An Applier writes desired objects with server-side apply, skipping those already up to date,
// and deletes the objects an owner no longer wants.
//
// Live objects are read from the cache in the representation the controller watches them with:
// typed when Scheme knows the kind, unstructured otherwise (Routes, and the monitoring kinds when
// their Go types are not registered). Reading a kind in another representation would start a
// second informer for it.
type Applier struct {
	// Client writes: apply and delete. Its reads are not used.
	Client client.Client
	// Cache reads live objects and lists candidates for pruning: the manager's cache.
	Cache client.Reader
	// Direct reads the kinds of Uncached from the API server (the manager's APIReader).
	Direct client.Reader
	// Uncached are the kinds whose objects are never cached whole (Secrets): live objects are
	// read with Direct, and pruning lists them as metadata, which the controller watches.
	Uncached map[schema.GroupKind]bool
	// Scheme says which kinds are read typed.
	Scheme *runtime.Scheme
	// TakeOverManagers are the field managers of another operator whose fields Apply takes over
	// (see Apply); empty takes over nothing.
	TakeOverManagers sets.Set[string]
}

// ExistingOperatorManagers are the field managers of the 3scale operator Red Hat ships: its
// binary, /manager, writes with Update requests under its name.
var ExistingOperatorManagers = sets.New("manager")

// An Outcome says what Apply did.
type Outcome int

const (
	// Unchanged means the live object was up to date: nothing was written.
	Unchanged Outcome = iota
	// Created means the object did not exist and was applied.
	Created
	// Updated means the object existed with different content and was applied.
	Updated
)

// String returns the outcome as a past-tense verb, for logs and events.
func (o Outcome) String() string {
	switch o {
	case Created:
		return "created"
	case Updated:
		return "updated"
	default:
		return "unchanged"
	}
}

// Apply writes desired (from Prepare) with server-side apply under FieldOwner, forcing ownership of
// its fields, unless the live object is UpToDate. It never reads or writes status.
//
// An object the cache does not hold is read from the API server: it may be one the existing
// operator made (the cache holds only objects this operator labelled). The fields of such an
// object (but a Secret) that one of TakeOverManagers set with Update requests are first handed to
// FieldOwner
// (client-go's csaupgrade), so that the apply removes those it does not set; otherwise they
// would stay beside the applied ones (an env var with both value and valueFrom, a volume with
// both emptyDir and persistentVolumeClaim), which the API server refuses or which no one updates.
func (a *Applier) Apply(ctx context.Context, desired *unstructured.Unstructured) (Outcome, error) {
	key := client.ObjectKeyFromObject(desired)
	live, err := a.Live(ctx, desired.GroupVersionKind(), key)
	if err != nil {
		return Unchanged, err
	}
	if live == nil && a.Direct != nil && !a.Uncached[desired.GroupVersionKind().GroupKind()] {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(desired.GroupVersionKind())
		switch err := a.Direct.Get(ctx, key, u); {
		case err == nil:
			live = u
		case !apierrors.IsNotFound(err):
			return Unchanged, fmt.Errorf("cannot read %s %s: %w", desired.GetKind(), desired.GetName(), err)
		}
	}
	// Secrets (the Uncached kinds) are not taken over: keys this operator does not write are the
	// user's (or the previous operator's BASE_URL, ...), and must stay.
	if live != nil && len(a.TakeOverManagers) > 0 && !a.Uncached[desired.GroupVersionKind().GroupKind()] {
		patch, err := csaupgrade.UpgradeManagedFieldsPatch(live, a.TakeOverManagers, FieldOwner)
		if err != nil {
			return Unchanged, fmt.Errorf("cannot take over the fields of %s %s: %w", desired.GetKind(), desired.GetName(), err)
		}
		if patch != nil {
			target := &unstructured.Unstructured{}
			target.SetGroupVersionKind(desired.GroupVersionKind())
			target.SetNamespace(desired.GetNamespace())
			target.SetName(desired.GetName())
			if err := a.Client.Patch(ctx, target, client.RawPatch(types.JSONPatchType, patch)); err != nil {
				return Unchanged, fmt.Errorf("cannot take over the fields of %s %s: %w", desired.GetKind(), desired.GetName(), err)
			}
			// The fields it no longer owns must go: apply.
			if err := a.apply(ctx, desired); err != nil {
				return Unchanged, err
			}
			return Updated, nil
		}
	}
	if live != nil && UpToDate(desired, live) {
		return Unchanged, nil
	}
	if err := a.apply(ctx, desired); err != nil {
		return Unchanged, err
	}
	if live == nil {
		return Created, nil
	}
	return Updated, nil
}

// apply writes desired with server-side apply under FieldOwner, forcing ownership.
func (a *Applier) apply(ctx context.Context, desired *unstructured.Unstructured) error {
	// Apply decodes the answer into its argument; keep the caller's object as it was.
	ac := client.ApplyConfigurationFromUnstructured(desired.DeepCopy())
	if err := a.Client.Apply(ctx, ac, client.FieldOwner(FieldOwner), client.ForceOwnership); err != nil {
		return fmt.Errorf("cannot apply %s %s: %w", desired.GetKind(), desired.GetName(), err)
	}
	return nil
}

// Live returns the live object as unstructured content (with apiVersion and kind), nil when it does
// not exist.
func (a *Applier) Live(ctx context.Context, gvk schema.GroupVersionKind, key client.ObjectKey) (*unstructured.Unstructured, error) {
	obj := NewObject(a.Scheme, gvk)
	reader := a.Cache
	if a.Uncached[gvk.GroupKind()] {
		reader = a.Direct
	}
	if err := reader.Get(ctx, key, obj); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("cannot read %s %s: %w", gvk.Kind, key.Name, err)
	}
	if u, ok := obj.(*unstructured.Unstructured); ok {
		return u, nil
	}
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, fmt.Errorf("cannot convert %s %s: %w", gvk.Kind, key.Name, err)
	}
	u := &unstructured.Unstructured{Object: content}
	// Typed objects read from a client have no TypeMeta; the comparison needs it.
	u.SetGroupVersionKind(gvk)
	return u, nil
}

// NewObject returns an empty object of gvk: typed when scheme (which may be nil) knows the kind,
// unstructured otherwise. It is the representation the Applier reads live objects in, so a
// controller that watches the kinds it applies through NewObject starts one informer per kind,
// not a typed and an unstructured one. (Uncached kinds are read from the API server, where the
// representation does not matter.)
func NewObject(scheme *runtime.Scheme, gvk schema.GroupVersionKind) client.Object {
	if obj, ok := fromScheme[client.Object](scheme, gvk); ok {
		return obj
	}
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	return u
}

// fromScheme returns a new typed T of gvk when scheme (which may be nil) knows the kind.
func fromScheme[T runtime.Object](scheme *runtime.Scheme, gvk schema.GroupVersionKind) (T, bool) {
	var zero T
	if scheme == nil || !scheme.Recognizes(gvk) {
		return zero, false
	}
	o, err := scheme.New(gvk)
	if err != nil {
		return zero, false
	}
	t, ok := o.(T)
	return t, ok
}

// newList returns an empty list of gvk in the representation the cache holds it in: metadata only
// for Uncached kinds.
func (a *Applier) newList(gvk schema.GroupVersionKind) client.ObjectList {
	listGVK := gvk.GroupVersion().WithKind(gvk.Kind + "List")
	if a.Uncached[gvk.GroupKind()] {
		l := &metav1.PartialObjectMetadataList{}
		l.SetGroupVersionKind(listGVK)
		return l
	}
	if l, ok := fromScheme[client.ObjectList](a.Scheme, listGVK); ok {
		return l
	}
	l := &unstructured.UnstructuredList{}
	l.SetGroupVersionKind(listGVK)
	return l
}

// A Key identifies an object of a namespace.
type Key struct {
	GroupKind schema.GroupKind
	Name      string
}

// String returns "Kind/name".
func (k Key) String() string { return k.GroupKind.Kind + "/" + k.Name }

// KeyOf returns the key of a desired object (which carries its apiVersion and kind).
func KeyOf(obj client.Object) Key {
	return Key{GroupKind: obj.GetObjectKind().GroupVersionKind().GroupKind(), Name: obj.GetName()}
}

// Prune deletes the objects of the given kinds in namespace that carry every label of selector,
// whose controller is ownerUID, and that keep does not list; it returns what it deleted. The
// owner check makes sure an object the operator did not create (a user's, or another APIManager's
// with the same labels) is never deleted, and objects without an owner reference (data kept by
// the retention policy) are left alone. Deletion runs in the background so that a Job's pods go
// with it. Errors are collected: one object that cannot be deleted does not stop the others.
func (a *Applier) Prune(ctx context.Context, namespace string, selector map[string]string, ownerUID types.UID,
	kinds []schema.GroupVersionKind, keep map[Key]bool) ([]Key, error) {
	var deleted []Key
	var errs []error
	for _, gvk := range kinds {
		list := a.newList(gvk)
		if err := a.Cache.List(ctx, list, client.InNamespace(namespace), client.MatchingLabels(selector)); err != nil {
			errs = append(errs, fmt.Errorf("cannot list %s: %w", gvk.Kind, err))
			continue
		}
		err := meta.EachListItem(list, func(o runtime.Object) error {
			obj, ok := o.(client.Object)
			if !ok {
				return nil
			}
			owner := metav1.GetControllerOf(obj)
			key := Key{GroupKind: gvk.GroupKind(), Name: obj.GetName()}
			if owner == nil || owner.UID != ownerUID || keep[key] || obj.GetDeletionTimestamp() != nil {
				return nil
			}
			// Items of typed and metadata lists have no TypeMeta; the client needs it for
			// metadata and unstructured objects.
			obj.GetObjectKind().SetGroupVersionKind(gvk)
			uid := obj.GetUID()
			err := a.Client.Delete(ctx, obj, client.Preconditions{UID: &uid},
				client.PropagationPolicy(metav1.DeletePropagationBackground))
			switch {
			case err == nil:
				deleted = append(deleted, key)
			case apierrors.IsNotFound(err) || apierrors.IsConflict(err):
				// Gone already, or replaced by a new object with the same name.
			default:
				errs = append(errs, fmt.Errorf("cannot delete %s %s: %w", gvk.Kind, obj.GetName(), err))
			}
			return nil
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	return deleted, errors.Join(errs...)
}

// ReleaseOwner removes from the live object of desired every owner reference to ownerUID, and
// reports whether it did. The controller calls it for data the retention policy keeps (claims and
// generated Secrets, applied without an owner): an installation taken over from the existing
// operator has its claims owned by the APIManager, and server-side apply never removes an owner
// reference another field manager set. The write is a merge patch of the owner references alone
// (without a resourceVersion: the live object may be read from a snapshot taken before this
// reconcile's apply, and only its owner references matter).
func (a *Applier) ReleaseOwner(ctx context.Context, desired *unstructured.Unstructured, ownerUID types.UID) (bool, error) {
	live, err := a.Live(ctx, desired.GroupVersionKind(), client.ObjectKeyFromObject(desired))
	if err != nil {
		return false, err
	}
	if live == nil && a.Direct != nil {
		// The cache holds only objects this operator labelled; an object it is taking over may
		// not be there yet.
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(desired.GroupVersionKind())
		switch err := a.Direct.Get(ctx, client.ObjectKeyFromObject(desired), u); {
		case err == nil:
			live = u
		case !apierrors.IsNotFound(err):
			return false, fmt.Errorf("cannot read %s %s: %w", desired.GetKind(), desired.GetName(), err)
		}
	}
	if live == nil {
		return false, nil
	}
	var keep []metav1.OwnerReference
	for _, ref := range live.GetOwnerReferences() {
		if ref.UID != ownerUID {
			keep = append(keep, ref)
		}
	}
	if len(keep) == len(live.GetOwnerReferences()) {
		return false, nil
	}
	var refs any // null removes the field
	if len(keep) > 0 {
		refs = keep
	}
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"ownerReferences": refs}})
	if err != nil {
		return false, err
	}
	target := &unstructured.Unstructured{}
	target.SetGroupVersionKind(desired.GroupVersionKind())
	target.SetNamespace(desired.GetNamespace())
	target.SetName(desired.GetName())
	if err := a.Client.Patch(ctx, target, client.RawPatch(types.MergePatchType, patch), client.FieldOwner(FieldOwner)); err != nil {
		return false, fmt.Errorf("cannot release %s %s from its owner: %w", desired.GetKind(), desired.GetName(), err)
	}
	return true, nil
}
