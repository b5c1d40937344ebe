package v1beta1

import "k8s.io/apimachinery/pkg/runtime"

// Values of the 3scale deployment_option parameter of a product (service).
const (
	// DeploymentOptionHosted is APIcast managed by 3scale (spec.deployment.apicastHosted).
	DeploymentOptionHosted = "hosted"
	// DeploymentOptionSelfManaged is APIcast run by the user (spec.deployment.apicastSelfManaged).
	DeploymentOptionSelfManaged = "self_managed"
)

// Values of the 3scale backend_version parameter of a product, which selects its authentication mode.
const (
	// AuthenticationModeUserKey is user key authentication (userkey).
	AuthenticationModeUserKey = "1"
	// AuthenticationModeAppKeyAppID is application ID and key authentication (appKeyAppID).
	AuthenticationModeAppKeyAppID = "2"
	// AuthenticationModeOIDC is OpenID Connect authentication (oidc).
	AuthenticationModeOIDC = "oidc"
)

// APIcastPolicyName is the name of the built-in policy that runs 3scale authorization and reporting
// in APIcast; a policy chain without it does not work.
const APIcastPolicyName = "apicast"

// SystemNameOrDefault returns spec.systemName, or when it is empty the default derived from
// spec.name (its ASCII letters and digits).
func (p *Product) SystemNameOrDefault() string {
	if p.Spec.SystemName != "" {
		return p.Spec.SystemName
	}
	return systemNameFrom(p.Spec.Name)
}

// MetricsWithHits returns the product's metrics with the hits metric added when spec.metrics does not
// list it. The spec is not modified.
func (s *ProductSpec) MetricsWithHits() map[string]MetricSpec {
	return metricsWithHits(s.Metrics)
}

// DeploymentOption returns the 3scale deployment_option that spec.deployment selects, or "" when
// spec.deployment is unset (3scale keeps its own setting).
func (s *ProductSpec) DeploymentOption() string {
	switch {
	case s.Deployment == nil:
		return ""
	case s.Deployment.ApicastHosted != nil:
		return DeploymentOptionHosted
	case s.Deployment.ApicastSelfManaged != nil:
		return DeploymentOptionSelfManaged
	}
	return ""
}

// Authentication returns the authentication settings of the selected deployment mode, or nil when
// there are none.
func (s *ProductSpec) Authentication() *AuthenticationSpec {
	switch {
	case s.Deployment == nil:
		return nil
	case s.Deployment.ApicastHosted != nil:
		return s.Deployment.ApicastHosted.Authentication
	case s.Deployment.ApicastSelfManaged != nil:
		return s.Deployment.ApicastSelfManaged.Authentication
	}
	return nil
}

// Mode returns the 3scale backend_version that the authentication selects, or "" when none is set.
// It is safe to call on a nil *AuthenticationSpec.
func (a *AuthenticationSpec) Mode() string {
	switch {
	case a == nil:
		return ""
	case a.UserKeyAuthentication != nil:
		return AuthenticationModeUserKey
	case a.AppKeyAppIDAuthentication != nil:
		return AuthenticationModeAppKeyAppID
	case a.OIDC != nil:
		return AuthenticationModeOIDC
	}
	return ""
}

// PoliciesWithAPIcast returns the policy chain with the built-in apicast policy (enabled, empty
// configuration) appended when the chain does not contain it. The spec is not modified.
func (s *ProductSpec) PoliciesWithAPIcast() []PolicyConfig {
	out := make([]PolicyConfig, 0, len(s.Policies)+1)
	hasAPIcast := false
	for i := range s.Policies {
		out = append(out, *s.Policies[i].DeepCopy())
		hasAPIcast = hasAPIcast || s.Policies[i].Name == APIcastPolicyName
	}
	if hasAPIcast {
		return out
	}
	return append(out, PolicyConfig{
		Name:          APIcastPolicyName,
		Version:       "builtin",
		Enabled:       true,
		Configuration: &runtime.RawExtension{Raw: []byte("{}")},
	})
}

// IsPublished tells whether the plan is published: spec published when set, else state ==
// "published" (the form the 3scale toolbox exports), else false (hidden).
func (p *ApplicationPlanSpec) IsPublished() bool {
	if p.Published != nil {
		return *p.Published
	}
	return p.State != nil && *p.State == "published"
}

// NameOrDefault returns the plan's name, or its system name (its key in spec.applicationPlans) when
// the name is unset.
func (p *ApplicationPlanSpec) NameOrDefault(systemName string) string {
	if p.Name != nil && *p.Name != "" {
		return *p.Name
	}
	return systemName
}
