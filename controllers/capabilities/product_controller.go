package capabilities

import (
	"context"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/product"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/tenant"
)

// ProductControllerName names the Product controller in logs, metrics and events.
const ProductControllerName = "product"

// backendIndex indexes Products by the system names of the Backends they reference, so that a
// Backend event finds the Products waiting for it.
const backendIndex = "capabilities.3scale.net/backend"

// backendMetricsIndex indexes Products by the system names of the Backends whose metrics or
// methods their limits and pricing rules name, so that a change of those finds only them.
const backendMetricsIndex = "capabilities.3scale.net/backend-metrics"

// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=products,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=products/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=products/finalizers,verbs=update
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=backends,verbs=get;list;watch
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=proxyconfigpromotes,verbs=get;list;watch
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=custompolicydefinitions,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups=apps.3scale.net,resources=apimanagers,verbs=get;list;watch

// SetupProduct registers the Product controller. It syncs a Product when its spec or
// annotations change, when a Secret it reads changes (its tenant's, its OIDC issuer's, its policy
// configurations'), when a Backend it references changes in a way that concerns it (its ID, tenant,
// sync or deletion; its metrics, for a Product whose limits name them: an Orphan Product syncs as
// soon as its Backend does, and a Backend's mapping rule changes no Product), and after its poll
// interval.
func SetupProduct(mgr ctrl.Manager, opts Options) error {
	return external.Setup(mgr, external.Registration[*capabilitiesv1beta1.Product]{
		Name:           ProductControllerName,
		Kind:           product.Kind{Backends: mgr.GetClient(), Secrets: secrets(mgr), Tenants: tenants(mgr, opts)},
		SecretNames:    productSecretNames,
		ForeignSecrets: productForeignSecrets,
		Indexes: map[string]func(*capabilitiesv1beta1.Product) []string{
			backendIndex:        product.ReferencedBackends,
			backendMetricsIndex: product.MetricBackends,
			customPolicyIndex:   product.CustomPolicies,
		},
		Watches: []external.Watch{{
			// Every Product using a Backend, when its ID, tenant, sync or deletion changes.
			Object: &capabilitiesv1beta1.Backend{},
			Handler: handler.EnqueueRequestsFromMapFunc(external.EnqueueByKey(mgr.GetClient(), &capabilitiesv1beta1.ProductList{}, backendIndex,
				(*capabilitiesv1beta1.Backend).SystemNameOrDefault)),
			Predicates: []predicate.Predicate{external.UpdatedWhen(product.BackendChanged)},
		}, {
			// Only the Products naming its metrics, when its metrics and methods change: a change
			// of its mapping rules wakes no Product.
			Object: &capabilitiesv1beta1.Backend{},
			Handler: handler.EnqueueRequestsFromMapFunc(external.EnqueueByKey(mgr.GetClient(), &capabilitiesv1beta1.ProductList{}, backendMetricsIndex,
				(*capabilitiesv1beta1.Backend).SystemNameOrDefault)),
			Predicates: []predicate.Predicate{external.UpdatedWhen(product.BackendMetricsChanged)},
		}, {
			// A product whose sync waits for a promotion (3scale refuses to delete a method the
			// deployed configuration uses) goes on once a ProxyConfigPromote promoted it.
			Object:  &capabilitiesv1beta1.ProxyConfigPromote{},
			Handler: handler.EnqueueRequestsFromMapFunc(promotedProduct),
		}, {
			// A product waits for the custom policies of its chain to be registered.
			Object: &capabilitiesv1beta1.CustomPolicyDefinition{},
			Handler: handler.EnqueueRequestsFromMapFunc(external.EnqueueByKey(mgr.GetClient(), &capabilitiesv1beta1.ProductList{}, customPolicyIndex,
				func(p *capabilitiesv1beta1.CustomPolicyDefinition) string { return p.Spec.Name })),
		}},
	}, opts.Loop, opts.MaxConcurrentReconciles)
}

// productSecretNames returns the names of the Secrets of its own namespace that a Product reads.
func productSecretNames(p *capabilitiesv1beta1.Product) []string {
	names := tenant.SecretNames(p.Spec.ProviderAccountRef)
	local := func(ns string) bool { return ns == "" || ns == p.Namespace }
	if auth := p.Spec.Authentication(); auth != nil && auth.OIDC != nil {
		if ref := auth.OIDC.IssuerEndpointRef; ref != nil && local(ref.Namespace) {
			names = append(names, ref.Name)
		}
	}
	for _, pc := range p.Spec.Policies {
		if ref := pc.ConfigurationRef; ref != nil && local(ref.Namespace) {
			names = append(names, ref.Name)
		}
	}
	return names
}

// productForeignSecrets returns the Secrets of other namespaces a Product references, as
// "namespace/name": they are read only when they allow it, and the Product syncs again when one
// changes (its opt-in annotation, say).
func productForeignSecrets(p *capabilitiesv1beta1.Product) []string {
	var out []string
	foreign := func(ref *corev1.SecretReference) {
		if ref != nil && ref.Namespace != "" && ref.Namespace != p.Namespace {
			out = append(out, ref.Namespace+"/"+ref.Name)
		}
	}
	if auth := p.Spec.Authentication(); auth != nil && auth.OIDC != nil {
		foreign(auth.OIDC.IssuerEndpointRef)
	}
	for _, pc := range p.Spec.Policies {
		foreign(pc.ConfigurationRef)
	}
	return out
}

// customPolicyIndex indexes Products by the names of the custom policies of their chain.
const customPolicyIndex = "capabilities.3scale.net/custom-policy"

// promotedProduct maps a ProxyConfigPromote to the Product it promotes.
func promotedProduct(_ context.Context, o client.Object) []ctrl.Request {
	pcp, ok := o.(*capabilitiesv1beta1.ProxyConfigPromote)
	if !ok {
		return nil
	}
	return []ctrl.Request{{NamespacedName: types.NamespacedName{Namespace: pcp.Namespace, Name: pcp.Spec.ProductCRName}}}
}
