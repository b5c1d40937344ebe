package capabilities

import (
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/application"
	"github.com/threescale-oss/operator/pkg/external"
)

// ApplicationAuthControllerName names the ApplicationAuth controller in logs, metrics and events.
const ApplicationAuthControllerName = "applicationauth"

// applicationAuthApplicationIndex indexes ApplicationAuths by the name of their Application, so
// that an Application event finds them.
const applicationAuthApplicationIndex = "capabilities.3scale.net/applicationauth-application"

// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=applicationauths,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=applicationauths/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=applicationauths/finalizers,verbs=update
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=applications;developeraccounts;products,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=apps.3scale.net,resources=apimanagers,verbs=get;list;watch

// SetupApplicationAuth registers the ApplicationAuth controller. It is reconciled continuously:
// its credentials Secret is watched (by metadata), so rotating it rotates the keys in 3scale;
// an Application that becomes Ready, moves or is being deleted wakes its ApplicationAuths.
func SetupApplicationAuth(mgr ctrl.Manager, opts Options) error {
	return external.Setup(mgr, external.Registration[*capabilitiesv1beta1.ApplicationAuth]{
		Name: ApplicationAuthControllerName,
		Kind: application.AuthKind{Objects: mgr.GetClient(), Secrets: secrets(mgr), Writer: mgr.GetClient(), Tenants: tenants(mgr, opts)},
		// The Secret's data changes rotate keys; its metadata watch sees every change.
		SecretNames: application.AuthSecretNames,
		Indexes:     map[string]func(*capabilitiesv1beta1.ApplicationAuth) []string{applicationAuthApplicationIndex: application.ReferencedApplication},
		Watches: []external.Watch{{
			Object:     &capabilitiesv1beta1.Application{},
			Handler:    handler.EnqueueRequestsFromMapFunc(external.EnqueueByIndex(mgr.GetClient(), &capabilitiesv1beta1.ApplicationAuthList{}, applicationAuthApplicationIndex)),
			Predicates: []predicate.Predicate{external.UpdatedWhen(application.ApplicationChanged)},
		}},
	}, opts.Loop, opts.MaxConcurrentReconciles)
}
