package capabilities

import (
	"context"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/promote"
	"github.com/threescale-oss/operator/pkg/external"
)

// ProxyConfigPromoteControllerName names the ProxyConfigPromote controller in logs, metrics and
// events.
const ProxyConfigPromoteControllerName = "proxyconfigpromote"

// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=proxyconfigpromotes,verbs=get;list;watch;update;patch;delete
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=proxyconfigpromotes/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=products,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups=apps.3scale.net,resources=apimanagers,verbs=get;list;watch

// SetupProxyConfigPromote registers the ProxyConfigPromote controller. A promotion is not a
// 3scale entity the object owns (there is nothing to find, adopt or delete), so it is not a kind
// of the capability loop; it shares the loop's tenant connection and error classes. It runs
// when its spec changes and when the Product it names changes: a promotion waiting for its
// Product is woken by the Product's sync, never by blind requeues.
func SetupProxyConfigPromote(mgr ctrl.Manager, opts Options) error {
	if err := mgr.GetFieldIndexer().IndexField(context.Background(), &capabilitiesv1beta1.ProxyConfigPromote{}, promote.ProductIndex,
		func(o client.Object) []string {
			return promote.ProductName(o.(*capabilitiesv1beta1.ProxyConfigPromote))
		}); err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named(ProxyConfigPromoteControllerName).
		For(&capabilitiesv1beta1.ProxyConfigPromote{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&capabilitiesv1beta1.Product{}, handler.EnqueueRequestsFromMapFunc(
			external.EnqueueByIndex(mgr.GetClient(), &capabilitiesv1beta1.ProxyConfigPromoteList{}, promote.ProductIndex))).
		Complete(&promote.Reconciler{Client: mgr.GetClient(), Tenants: tenants(mgr, opts), Recorder: mgr.GetEventRecorder(ProxyConfigPromoteControllerName)})
}
