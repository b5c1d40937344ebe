package capabilities

import (
	"context"

	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

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
			Handler: handler.EnqueueRequestsFromMapFunc(deletingBackends(mgr.GetClient())),
		}},
	}, opts.Loop, opts.MaxConcurrentReconciles)
}

// deletingBackends maps a Product to the Backends of its namespace that are being deleted: the
// Product may have stopped using one of them.
func deletingBackends(c client.Reader) handler.MapFunc {
	return func(ctx context.Context, o client.Object) []reconcile.Request {
		var list capabilitiesv1beta1.BackendList
		if err := c.List(ctx, &list, client.InNamespace(o.GetNamespace())); err != nil {
			log.FromContext(ctx).Error(err, "cannot list Backends")
			return nil
		}
		var reqs []reconcile.Request
		for i := range list.Items {
			if b := &list.Items[i]; !b.DeletionTimestamp.IsZero() {
				reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: b.Namespace, Name: b.Name}})
			}
		}
		return reqs
	}
}
