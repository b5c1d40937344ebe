package capabilities

import (
	ctrl "sigs.k8s.io/controller-runtime"

	capabilitiesv1alpha1 "github.com/threescale-oss/operator/api/capabilities/v1alpha1"
	"github.com/threescale-oss/operator/pkg/capabilities/tenant"
	"github.com/threescale-oss/operator/pkg/external"
)

// TenantControllerName names the Tenant controller in logs, metrics and events.
const TenantControllerName = "tenant"

// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=tenants,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=tenants/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=tenants/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch;create;update

// SetupTenant registers the Tenant controller. A Tenant talks to the master API with the token of
// its master credentials Secret, and writes the tenant Secret it owns; a change of its master or
// admin password Secret syncs it again.
func SetupTenant(mgr ctrl.Manager, opts Options) error {
	return external.Setup(mgr, external.Registration[*capabilitiesv1alpha1.Tenant]{
		Name: TenantControllerName,
		Kind: tenant.Kind{
			Secrets: secrets(mgr), Reader: mgr.GetAPIReader(), Writer: mgr.GetClient(),
			Scheme: mgr.GetScheme(), Clients: opts.Clients,
		},
		SecretNames:    tenant.SecretNames,
		ForeignSecrets: tenant.ForeignSecrets,
	}, opts.Loop, opts.MaxConcurrentReconciles)
}
