package capabilities

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/backend"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/tenant"
)

// BackendControllerName names the Backend controller in logs, metrics and events.
const BackendControllerName = "backend"

// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=backends,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=backends/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=backends/finalizers,verbs=update
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=products,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups=apps.3scale.net,resources=apimanagers,verbs=get;list;watch

// SetupBackend registers the Backend controller with DefaultOptions.
func SetupBackend(mgr ctrl.Manager) error {
	opts, err := DefaultOptions()
	if err != nil {
		return err
	}
	return SetupBackendWithOptions(mgr, opts)
}

// SetupBackendWithOptions registers the Backend controller. It syncs a Backend when its spec or
// annotations change, when a Secret its tenant is read from changes, after its poll interval, and
// (while it is being deleted) when a Product of its namespace changes, since a Product that stops
// using it unblocks its deletion.
func SetupBackendWithOptions(mgr ctrl.Manager, opts Options) error {
	ctx := context.Background()
	if err := mgr.GetFieldIndexer().IndexField(ctx, &capabilitiesv1beta1.Backend{}, secretIndex, func(o client.Object) []string {
		return tenant.SecretNames(o.(*capabilitiesv1beta1.Backend).Spec.ProviderAccountRef)
	}); err != nil {
		return err
	}
	r := external.NewReconciler[*capabilitiesv1beta1.Backend](
		mgr.GetClient(),
		backend.Kind{Reader: mgr.GetClient()},
		// Secrets are read on demand, never cached: the operator must not hold every Secret of
		// the namespaces it watches in memory.
		tenant.Resolver{Reader: mgr.GetAPIReader()},
		opts.Clients,
		mgr.GetEventRecorder(BackendControllerName),
		opts.Loop,
	)
	return ctrl.NewControllerManagedBy(mgr).
		Named(BackendControllerName).
		For(&capabilitiesv1beta1.Backend{}, specOrAnnotationChanged()).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(
			enqueueByIndex(mgr.GetClient(), &capabilitiesv1beta1.BackendList{}, secretIndex))).
		Watches(&capabilitiesv1beta1.Product{}, handler.EnqueueRequestsFromMapFunc(deletingBackends(mgr.GetClient()))).
		WithOptions(controller.Options{MaxConcurrentReconciles: opts.maxConcurrent()}).
		Complete(r)
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
