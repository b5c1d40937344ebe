package capabilities

import (
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/developer"
	"github.com/threescale-oss/operator/pkg/external"
)

// DeveloperUserControllerName names the DeveloperUser controller in logs, metrics and events.
const DeveloperUserControllerName = "developeruser"

// developerUserAccountIndex indexes DeveloperUsers by the name of their DeveloperAccount, so that
// an account event finds its users.
const developerUserAccountIndex = "capabilities.3scale.net/developeruser-account"

// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=developerusers,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=developerusers/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=developerusers/finalizers,verbs=update
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=developeraccounts,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups=apps.3scale.net,resources=apimanagers,verbs=get;list;watch

// SetupDeveloperUser registers the DeveloperUser controller. Besides the loop's own triggers
// (which include its password Secret), a DeveloperAccount that becomes Ready, moves or is being
// deleted wakes its users: an Orphan user syncs as soon as its account does.
func SetupDeveloperUser(mgr ctrl.Manager, opts Options) error {
	return external.Setup(mgr, external.Registration[*capabilitiesv1beta1.DeveloperUser]{
		Name:           DeveloperUserControllerName,
		Kind:           developer.UserKind{Accounts: mgr.GetClient(), Secrets: secrets(mgr), Tenants: tenants(mgr, opts)},
		SecretNames:    developer.UserSecretNames,
		ForeignSecrets: developer.UserForeignSecrets,
		Indexes:        map[string]func(*capabilitiesv1beta1.DeveloperUser) []string{developerUserAccountIndex: developer.ReferencedAccount},
		Watches: []external.Watch{{
			Object:     &capabilitiesv1beta1.DeveloperAccount{},
			Handler:    handler.EnqueueRequestsFromMapFunc(external.EnqueueByIndex(mgr.GetClient(), &capabilitiesv1beta1.DeveloperUserList{}, developerUserAccountIndex)),
			Predicates: []predicate.Predicate{accountSyncChanged()},
		}},
	}, opts.Loop, opts.MaxConcurrentReconciles)
}

// accountSyncChanged lets through the DeveloperAccount events its users depend on: creation,
// deletion, and the updates developer.AccountChanged reports.
func accountSyncChanged() predicate.Predicate {
	return predicate.Funcs{
		UpdateFunc: func(e event.UpdateEvent) bool {
			before, ok1 := e.ObjectOld.(*capabilitiesv1beta1.DeveloperAccount)
			after, ok2 := e.ObjectNew.(*capabilitiesv1beta1.DeveloperAccount)
			if !ok1 || !ok2 {
				return true
			}
			return developer.AccountChanged(before, after)
		},
	}
}
