package capabilities

import (
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/application"
	"github.com/threescale-oss/operator/pkg/capabilities/developer"
	"github.com/threescale-oss/operator/pkg/external"
)

// ApplicationControllerName names the Application controller in logs, metrics and events.
const ApplicationControllerName = "application"

// Indexes of Applications by the names of the objects they reference, so that an event of one
// finds the applications to sync again.
const (
	applicationAccountIndex = "capabilities.3scale.net/application-account"
	applicationProductIndex = "capabilities.3scale.net/application-product"
)

// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=applications,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=applications/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=applications/finalizers,verbs=update
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=developeraccounts,verbs=get;list;watch
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=products,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups=apps.3scale.net,resources=apimanagers,verbs=get;list;watch

// SetupApplication registers the Application controller. Besides the loop's own triggers, a
// DeveloperAccount or Product that becomes ready, moves or is being deleted wakes the
// applications that reference it: an Orphan application syncs as soon as both are.
func SetupApplication(mgr ctrl.Manager, opts Options) error {
	return external.Setup(mgr, external.Registration[*capabilitiesv1beta1.Application]{
		Name:        ApplicationControllerName,
		Kind:        application.Kind{Objects: mgr.GetClient(), Secrets: secrets(mgr), Tenants: tenants(mgr, opts)},
		SecretNames: application.SecretNames,
		Indexes: map[string]func(*capabilitiesv1beta1.Application) []string{
			applicationAccountIndex: application.ReferencedAccount,
			applicationProductIndex: application.ReferencedProduct,
		},
		Watches: []external.Watch{{
			Object:     &capabilitiesv1beta1.DeveloperAccount{},
			Handler:    handler.EnqueueRequestsFromMapFunc(external.EnqueueByIndex(mgr.GetClient(), &capabilitiesv1beta1.ApplicationList{}, applicationAccountIndex)),
			Predicates: []predicate.Predicate{external.UpdatedWhen(developer.AccountChanged)},
		}, {
			Object:     &capabilitiesv1beta1.Product{},
			Handler:    handler.EnqueueRequestsFromMapFunc(external.EnqueueByIndex(mgr.GetClient(), &capabilitiesv1beta1.ApplicationList{}, applicationProductIndex)),
			Predicates: []predicate.Predicate{external.UpdatedWhen(application.ProductChanged)},
		}},
	}, opts.Loop, opts.MaxConcurrentReconciles)
}
