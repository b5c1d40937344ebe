package capabilities

import (
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/handler"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/backend"
	"github.com/threescale-oss/operator/pkg/external"
)

// BackendControllerName names the Backend controller in logs, metrics and events.
const BackendControllerName = "backend"

// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=backends,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=backends/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=backends/finalizers,verbs=update
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=products,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups=apps.3scale.net,resources=apimanagers,verbs=get;list;watch

// SetupBackend registers the Backend controller. It syncs a Backend when its spec or annotations
// change, when a Secret its tenant is read from changes, after its poll interval, and (while it
// is being deleted) when a Product of its namespace changes, since a Product that stops using it
// unblocks its deletion.
func SetupBackend(mgr ctrl.Manager, opts Options) error {
	return external.Setup(mgr, external.Registration[*capabilitiesv1beta1.Backend]{
		Name:        BackendControllerName,
		Kind:        backend.Kind{Reader: mgr.GetClient(), Tenants: tenants(mgr, opts)},
		SecretNames: backend.SecretNames,
		Watches: []external.Watch{{
			Object:  &capabilitiesv1beta1.Product{},
			Handler: handler.EnqueueRequestsFromMapFunc(external.EnqueueDeleting(mgr.GetClient(), &capabilitiesv1beta1.BackendList{})),
		}},
	}, opts.Loop, opts.MaxConcurrentReconciles)
}
