package capabilities

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/developer"
	"github.com/threescale-oss/operator/pkg/external"
)

// DeveloperAccountControllerName names the DeveloperAccount controller in logs, metrics and events.
const DeveloperAccountControllerName = "developeraccount"

// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=developeraccounts,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=developeraccounts/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=developeraccounts/finalizers,verbs=update
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=developerusers,verbs=get;list;watch;delete
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups=apps.3scale.net,resources=apimanagers,verbs=get;list;watch

// SetupDeveloperAccount registers the DeveloperAccount controller. Besides the loop's own
// triggers, an admin DeveloperUser's creation, deletion or spec change wakes the account it
// references, and so does a change of its password Secret: an account waiting for its admin user
// (or its password) is signed up as soon as they exist.
func SetupDeveloperAccount(mgr ctrl.Manager, opts Options) error {
	return external.Setup(mgr, external.Registration[*capabilitiesv1beta1.DeveloperAccount]{
		Name:        DeveloperAccountControllerName,
		Kind:        developer.AccountKind{Users: mgr.GetClient(), Secrets: secrets(mgr), Tenants: tenants(mgr, opts)},
		SecretNames: developer.AccountSecretNames,
		Watches: []external.Watch{{
			Object:     &capabilitiesv1beta1.DeveloperUser{},
			Handler:    handler.EnqueueRequestsFromMapFunc(accountOfUser),
			Predicates: []predicate.Predicate{predicate.GenerationChangedPredicate{}},
		}, {
			// By metadata only: the operator never holds Secret data in memory.
			Object:  secretMetadata(),
			Handler: handler.EnqueueRequestsFromMapFunc(accountsOfPasswordSecret(mgr.GetClient())),
		}},
	}, opts.Loop, opts.MaxConcurrentReconciles)
}

func secretMetadata() *metav1.PartialObjectMetadata {
	m := &metav1.PartialObjectMetadata{}
	m.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	return m
}

// accountsOfPasswordSecret maps a Secret to the accounts whose admin DeveloperUsers of its
// namespace read their password from it: an account waiting for its admin's password is signed
// up as soon as the Secret exists.
func accountsOfPasswordSecret(c client.Reader) handler.MapFunc {
	return func(ctx context.Context, o client.Object) []ctrl.Request {
		var users capabilitiesv1beta1.DeveloperUserList
		if err := c.List(ctx, &users, client.InNamespace(o.GetNamespace()), client.UnsafeDisableDeepCopy); err != nil { // read only
			log.FromContext(ctx).Error(err, "cannot list DeveloperUsers to sync their accounts again")
			return nil
		}
		var reqs []ctrl.Request
		for i := range users.Items {
			u := &users.Items[i]
			ref := u.Spec.PasswordCredentialsRef
			if ref.Name == o.GetName() && (ref.Namespace == "" || ref.Namespace == u.Namespace) {
				reqs = append(reqs, accountOfUser(ctx, u)...)
			}
		}
		return reqs
	}
}

// accountOfUser maps an admin DeveloperUser to the DeveloperAccount it references: only an admin
// can sign an account up, so a member's change would cost the account a 3scale read for nothing.
func accountOfUser(_ context.Context, o client.Object) []ctrl.Request {
	u, ok := o.(*capabilitiesv1beta1.DeveloperUser)
	if !ok || u.Spec.DeveloperAccountRef.Name == "" || u.Spec.Role == nil || *u.Spec.Role != capabilitiesv1beta1.DeveloperUserRoleAdmin {
		return nil
	}
	return []ctrl.Request{{NamespacedName: types.NamespacedName{Namespace: u.Namespace, Name: u.Spec.DeveloperAccountRef.Name}}}
}
