package apps

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

// reasonDuplicateAPIManager: another, older APIManager installs 3scale in the same namespace.
// The platform's object names are fixed (system-app, apicast-staging, ...), so two APIManagers
// in one namespace would overwrite each other's objects; only the oldest is reconciled.
const reasonDuplicateAPIManager = "DuplicateAPIManager"

// namespaceOwner returns the name of the APIManager of all that owns the namespace when it is
// not self, or "" when self does: the oldest by creationTimestamp, the smallest name among those
// created in the same second (timestamps have a one-second resolution). all holds the
// APIManagers of self's namespace and may or may not include self. APIManagers being deleted
// still count: their platform exists until the garbage collector has removed it.
func namespaceOwner(self metav1.Object, all []appsv1alpha1.APIManager) string {
	owner := self
	for i := range all {
		other := &all[i]
		if other.Name == self.GetName() {
			continue
		}
		if precedes(other, owner) {
			owner = other
		}
	}
	if owner == self {
		return ""
	}
	return owner.GetName()
}

// precedes reports whether a was created before b, by name when in the same second.
func precedes(a, b metav1.Object) bool {
	ta, tb := a.GetCreationTimestamp(), b.GetCreationTimestamp()
	if !ta.Equal(&tb) {
		return ta.Before(&tb)
	}
	return a.GetName() < b.GetName()
}

// duplicateStatus returns the status of an APIManager that the older APIManager owner keeps
// from being reconciled: Available and Ready False with reasonDuplicateAPIManager. The other conditions and
// observedGeneration are kept: nothing was done for the current generation.
func duplicateStatus(current appsv1alpha1.APIManagerStatus, owner string, generation int64, now metav1.Time) appsv1alpha1.APIManagerStatus {
	st := *current.DeepCopy()
	msg := fmt.Sprintf("APIManager %s was created first and already installs 3scale in this namespace; "+
		"two APIManagers would overwrite each other's objects, so this one is not installed: delete one of them", owner)
	for _, typ := range []string{appsv1alpha1.APIManagerAvailableConditionType, appsv1alpha1.APIManagerReadyConditionType} {
		meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: typ, Status: metav1.ConditionFalse,
			Reason: reasonDuplicateAPIManager, Message: msg, ObservedGeneration: generation, LastTransitionTime: now})
	}
	return st
}

// apiManagersBeside maps an APIManager to the other APIManagers of its namespace, so that a
// duplicate is reconciled again when the APIManager that owns the namespace is deleted.
func (r *APIManagerReconciler) apiManagersBeside(ctx context.Context, obj client.Object) []reconcile.Request {
	var list appsv1alpha1.APIManagerList
	if err := r.Client.List(ctx, &list, client.InNamespace(obj.GetNamespace())); err != nil {
		log.FromContext(ctx).Error(err, "cannot list the APIManagers of a namespace", "namespace", obj.GetNamespace())
		return nil
	}
	var reqs []reconcile.Request
	for i := range list.Items {
		if list.Items[i].Name != obj.GetName() {
			reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&list.Items[i])})
		}
	}
	return reqs
}

// createdOrDeleted passes creations and deletions only: who owns a namespace depends on names and
// creation timestamps, which never change, so updates (status writes included) are irrelevant.
var createdOrDeleted = predicate.Funcs{
	UpdateFunc:  func(event.UpdateEvent) bool { return false },
	GenericFunc: func(event.GenericEvent) bool { return false },
}

// duplicateOf returns the APIManager that owns apim's namespace instead of it, "" when apim does.
func (r *APIManagerReconciler) duplicateOf(ctx context.Context, apim *appsv1alpha1.APIManager) (string, error) {
	var list appsv1alpha1.APIManagerList
	if err := r.Client.List(ctx, &list, client.InNamespace(apim.Namespace)); err != nil {
		return "", fmt.Errorf("cannot list the APIManagers of the namespace: %w", err)
	}
	return namespaceOwner(apim, list.Items), nil
}
