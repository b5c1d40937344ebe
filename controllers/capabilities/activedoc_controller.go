package capabilities

import (
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/activedoc"
	"github.com/threescale-oss/operator/pkg/external"
)

// ActiveDocControllerName names the ActiveDoc controller in logs, metrics and events.
const ActiveDocControllerName = "activedoc"

// activeDocProductIndex indexes ActiveDocs by the system name of the Product they are bound to,
// so that a Product event finds the ActiveDocs waiting for it.
const activeDocProductIndex = "capabilities.3scale.net/activedoc-product"

// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=activedocs,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=activedocs/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=activedocs/finalizers,verbs=update
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=products,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups=apps.3scale.net,resources=apimanagers,verbs=get;list;watch

// SetupActiveDoc registers the ActiveDoc controller. It syncs an ActiveDoc when its spec or
// annotations change, when a Secret it reads changes (its tenant's, its document's), when the
// Product it is bound to is synced or deleted (an Orphan ActiveDoc syncs as soon as its Product
// does), and after its poll interval, which also re-reads a document at a URL.
func SetupActiveDoc(mgr ctrl.Manager, opts Options) error {
	docs, err := documents(mgr, opts)
	if err != nil {
		return err
	}
	return external.Setup(mgr, external.Registration[*capabilitiesv1beta1.ActiveDoc]{
		Name:           ActiveDocControllerName,
		Kind:           activedoc.Kind{Products: mgr.GetClient(), Documents: docs, Tenants: tenants(mgr, opts)},
		SecretNames:    activedoc.SecretNames,
		ForeignSecrets: activedoc.ForeignSecrets,
		Indexes:        map[string]func(*capabilitiesv1beta1.ActiveDoc) []string{activeDocProductIndex: activedoc.ReferencedProduct},
		Watches: []external.Watch{{
			Object: &capabilitiesv1beta1.Product{},
			Handler: handler.EnqueueRequestsFromMapFunc(external.EnqueueByKey(mgr.GetClient(), &capabilitiesv1beta1.ActiveDocList{}, activeDocProductIndex,
				(*capabilitiesv1beta1.Product).SystemNameOrDefault)),
			Predicates: []predicate.Predicate{external.UpdatedWhen(activedoc.ProductChanged)},
		}},
	}, opts.Loop, opts.MaxConcurrentReconciles)
}
