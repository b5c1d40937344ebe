package capabilities

import (
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/handler"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/custompolicy"
	"github.com/threescale-oss/operator/pkg/external"
)

// CustomPolicyDefinitionControllerName names the CustomPolicyDefinition controller in logs,
// metrics and events.
const CustomPolicyDefinitionControllerName = "custompolicydefinition"

// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=custompolicydefinitions,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=custompolicydefinitions/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=custompolicydefinitions/finalizers,verbs=update
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=products,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch

// SetupCustomPolicyDefinition registers the CustomPolicyDefinition controller. Besides the loop's
// own triggers, a Product change wakes the definitions of its namespace being deleted: the Product
// may have dropped the policy from its chain.
func SetupCustomPolicyDefinition(mgr ctrl.Manager, opts Options) error {
	return external.Setup(mgr, external.Registration[*capabilitiesv1beta1.CustomPolicyDefinition]{
		Name:        CustomPolicyDefinitionControllerName,
		Kind:        custompolicy.Kind{Products: mgr.GetClient(), Tenants: tenants(mgr, opts)},
		SecretNames: custompolicy.SecretNames,
		Watches: []external.Watch{{
			Object:  &capabilitiesv1beta1.Product{},
			Handler: handler.EnqueueRequestsFromMapFunc(external.EnqueueDeleting(mgr.GetClient(), &capabilitiesv1beta1.CustomPolicyDefinitionList{})),
		}},
	}, opts.Loop, opts.MaxConcurrentReconciles)
}
