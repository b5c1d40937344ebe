package v1beta1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// ProductKind is the kind name of Product.
const ProductKind = "Product"

// Condition types of a Product. Synced, Invalid, Failed and Orphan are those of the 3scale operator
// that Red Hat ships (scripts run `kubectl wait --for=condition=Synced`); Ready is added so that
// generic tools that look for Ready work too.
const (
	// ProductSyncedConditionType is True when 3scale matches the spec of the observed generation.
	ProductSyncedConditionType = "Synced"
	// ProductInvalidConditionType is True when the spec cannot be applied as written (for example a
	// mapping rule names an unknown metric, or 3scale rejected a value). The operator does not retry
	// until the spec changes.
	ProductInvalidConditionType = "Invalid"
	// ProductFailedConditionType is True when the last synchronization failed for a reason that may
	// pass (3scale unreachable, credentials refused). The operator retries.
	ProductFailedConditionType = "Failed"
	// ProductOrphanConditionType is True when the spec references objects that do not exist yet (a
	// Backend of backendUsages or of a limit). The operator retries.
	ProductOrphanConditionType = "Orphan"
	// ProductReadyConditionType mirrors Synced for tools that only understand Ready.
	ProductReadyConditionType = "Ready"
)

// Reasons of Product conditions.
const (
	// ProductSyncedReason says 3scale matches the spec.
	ProductSyncedReason = "Synced"
	// ProductInvalidSpecReason says the spec cannot be applied as written.
	ProductInvalidSpecReason = "InvalidSpec"
	// ProductMissingBackendReason says a referenced Backend does not exist or is not synced yet.
	ProductMissingBackendReason = "BackendNotFound"
	// ProductSyncErrorReason says the synchronization with 3scale failed.
	ProductSyncErrorReason = "SyncError"
)

// ProductPolicyConfigurationSecretKey is the key of the Secret named by PolicyConfig.ConfigurationRef
// that holds the policy configuration, a JSON object.
const ProductPolicyConfigurationSecretKey = "configuration"

// ProductSpec is the desired state of a 3scale product (a service in the 3scale API): how APIcast
// exposes it, how applications authenticate, its metrics, methods, mapping rules, backends,
// application plans and policy chain.
type ProductSpec struct {
	// Name is the product's human readable name.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	// +required
	Name string `json:"name"`

	// SystemName identifies the product in its 3scale account; 3scale uses it in URLs and the operator
	// finds an existing product by it. Defaults to name without the characters that are not letters or
	// digits. It is only sent when the product is created.
	// +kubebuilder:validation:MaxLength=255
	// +optional
	SystemName string `json:"systemName,omitempty"`

	// Description is the product's description.
	// +optional
	Description string `json:"description,omitempty"`

	// Deployment selects where APIcast runs (hosted by 3scale or self-managed) and how applications
	// authenticate. When unset, 3scale keeps its default (APIcast hosted, user key).
	// +optional
	Deployment *ProductDeploymentSpec `json:"deployment,omitempty"`

	// MappingRules map requests to metrics and methods. Order matters: rules are evaluated from the
	// first to the last.
	// +optional
	MappingRules []MappingRuleSpec `json:"mappingRules,omitempty"`

	// Metrics maps metric system names to metrics. The system names of metrics and methods must all be
	// different. The "hits" metric always exists; the operator creates it when it is not listed.
	// +optional
	Metrics map[string]MetricSpec `json:"metrics,omitempty"`

	// Methods maps method system names to methods of the "hits" metric. The system names of metrics
	// and methods must all be different.
	// +optional
	Methods map[string]MethodSpec `json:"methods,omitempty"`

	// BackendUsages maps the system names of Backends to the path at which each is exposed in this
	// product. Each Backend must exist as a Backend object of the same 3scale account.
	// +optional
	BackendUsages map[string]BackendUsageSpec `json:"backendUsages,omitempty"`

	// ApplicationPlans maps application plan system names to plans.
	// +kubebuilder:validation:MaxProperties=250
	// +optional
	ApplicationPlans map[string]ApplicationPlanSpec `json:"applicationPlans,omitempty"`

	// ProviderAccountRef names a Secret in this namespace with the keys "adminURL" and "token" of the
	// 3scale account (tenant) that owns the product. When unset, the Secret
	// "threescale-provider-account" is used, else the default tenant of the APIManager in this
	// namespace.
	// +optional
	ProviderAccountRef *corev1.LocalObjectReference `json:"providerAccountRef,omitempty"`

	// Policies is the APIcast policy chain, in order. The built-in "apicast" policy is added at the
	// end when it is missing, since APIcast does not work without it.
	// +optional
	Policies []PolicyConfig `json:"policies,omitempty"`

	// PromoteTo keeps the product's APIcast configuration promoted, so that gateways serve what
	// the spec says without a ProxyConfigPromote per change: after every sync that changed the
	// product in 3scale, the operator deploys its configuration to staging ("Staging"), and to
	// staging then production ("Production"), and records the versions in status. Metrics and
	// methods that the deployed configuration still uses are deleted after the promotion, so
	// that 3scale accepts their deletion. When unset, the configuration is promoted only by
	// ProxyConfigPromote objects or in the Admin Portal.
	// +kubebuilder:validation:Enum=Staging;Production
	// +optional
	PromoteTo string `json:"promoteTo,omitempty"`
}

// Values of ProductSpec.PromoteTo.
const (
	// PromoteToStaging keeps staging at the product's latest configuration.
	PromoteToStaging = "Staging"
	// PromoteToProduction keeps staging and production at the product's latest configuration.
	PromoteToProduction = "Production"
)

// ProductDeploymentSpec selects the APIcast deployment mode. Exactly one mode must be set.
// +kubebuilder:validation:XValidation:rule="has(self.apicastHosted) != has(self.apicastSelfManaged)",message="deployment must set exactly one of apicastHosted or apicastSelfManaged"
type ProductDeploymentSpec struct {
	// ApicastHosted runs the product on the APIcast gateways that 3scale manages.
	// +optional
	ApicastHosted *ApicastHostedSpec `json:"apicastHosted,omitempty"`

	// ApicastSelfManaged runs the product on APIcast gateways that you run, reached at the given public
	// base URLs.
	// +optional
	ApicastSelfManaged *ApicastSelfManagedSpec `json:"apicastSelfManaged,omitempty"`
}

// ApicastHostedSpec configures a product served by the APIcast gateways that 3scale manages.
type ApicastHostedSpec struct {
	// Authentication selects how applications authenticate. When unset, 3scale keeps its default
	// (user key).
	// +optional
	Authentication *AuthenticationSpec `json:"authentication,omitempty"`
}

// ApicastSelfManagedSpec configures a product served by APIcast gateways that you run.
type ApicastSelfManagedSpec struct {
	// Authentication selects how applications authenticate. When unset, 3scale keeps its default
	// (user key).
	// +optional
	Authentication *AuthenticationSpec `json:"authentication,omitempty"`

	// StagingPublicBaseURL is the public URL of the staging gateway, for example
	// "https://staging.api.example.com". When unset, 3scale keeps its default.
	// +kubebuilder:validation:Pattern=`^https?:\/\/.*$`
	// +kubebuilder:validation:MaxLength=255
	// +optional
	StagingPublicBaseURL *string `json:"stagingPublicBaseURL,omitempty"`

	// ProductionPublicBaseURL is the public URL of the production gateway, for example
	// "https://api.example.com". When unset, 3scale keeps its default.
	// +kubebuilder:validation:Pattern=`^https?:\/\/.*$`
	// +kubebuilder:validation:MaxLength=255
	// +optional
	ProductionPublicBaseURL *string `json:"productionPublicBaseURL,omitempty"`
}

// AuthenticationSpec selects how applications authenticate. Exactly one mode must be set.
// +kubebuilder:validation:XValidation:rule="[has(self.userkey), has(self.appKeyAppID), has(self.oidc)].filter(x, x).size() == 1",message="authentication must set exactly one of userkey, appKeyAppID or oidc"
type AuthenticationSpec struct {
	// UserKeyAuthentication identifies and authenticates applications by a single key (3scale
	// authentication mode "1").
	// +optional
	UserKeyAuthentication *UserKeyAuthenticationSpec `json:"userkey,omitempty"`

	// AppKeyAppIDAuthentication identifies applications by an ID and authenticates them by a key
	// (3scale authentication mode "2").
	// +optional
	AppKeyAppIDAuthentication *AppKeyAppIDAuthenticationSpec `json:"appKeyAppID,omitempty"`

	// OIDC authenticates applications with OpenID Connect tokens (3scale authentication mode "oidc").
	// +optional
	OIDC *OIDCSpec `json:"oidc,omitempty"`
}

// UserKeyAuthenticationSpec configures user key authentication.
type UserKeyAuthenticationSpec struct {
	// Key is the name of the parameter or header that carries the user key. 3scale defaults it to
	// "user_key"; it accepts letters, digits, "_" and "-".
	// +kubebuilder:validation:Pattern=`^[a-zA-Z0-9_-]+$`
	// +kubebuilder:validation:MaxLength=255
	// +optional
	Key *string `json:"authUserKey,omitempty"`

	// CredentialsLoc is where APIcast looks for the credentials: "headers" (HTTP headers), "query"
	// (query parameters for GET, body parameters for POST/PUT/DELETE) or "authorization" (HTTP Basic
	// authentication). 3scale defaults it to "query".
	// +kubebuilder:validation:Enum=headers;query;authorization
	// +optional
	CredentialsLoc *string `json:"credentials,omitempty"`

	// Security sets the Host header and the secret token that APIcast sends to the API backend.
	// +optional
	Security *SecuritySpec `json:"security,omitempty"`

	// GatewayResponse customizes the responses APIcast returns on errors.
	// +optional
	GatewayResponse *GatewayResponseSpec `json:"gatewayResponse,omitempty"`
}

// AppKeyAppIDAuthenticationSpec configures application ID and application key authentication.
type AppKeyAppIDAuthenticationSpec struct {
	// AppID is the name of the parameter or header that carries the application ID. 3scale defaults it
	// to "app_id"; it accepts letters, digits, "_" and "-".
	// +kubebuilder:validation:Pattern=`^[a-zA-Z0-9_-]+$`
	// +kubebuilder:validation:MaxLength=255
	// +optional
	AppID *string `json:"appID,omitempty"`

	// AppKey is the name of the parameter or header that carries the application key. 3scale defaults
	// it to "app_key"; it accepts letters, digits, "_" and "-".
	// +kubebuilder:validation:Pattern=`^[a-zA-Z0-9_-]+$`
	// +kubebuilder:validation:MaxLength=255
	// +optional
	AppKey *string `json:"appKey,omitempty"`

	// CredentialsLoc is where APIcast looks for the credentials: "headers" (HTTP headers), "query"
	// (query parameters for GET, body parameters for POST/PUT/DELETE) or "authorization" (HTTP Basic
	// authentication). 3scale defaults it to "query".
	// +kubebuilder:validation:Enum=headers;query;authorization
	// +optional
	CredentialsLoc *string `json:"credentials,omitempty"`

	// Security sets the Host header and the secret token that APIcast sends to the API backend.
	// +optional
	Security *SecuritySpec `json:"security,omitempty"`

	// GatewayResponse customizes the responses APIcast returns on errors.
	// +optional
	GatewayResponse *GatewayResponseSpec `json:"gatewayResponse,omitempty"`
}

// BackendUsageSpec exposes a Backend in a product.
type BackendUsageSpec struct {
	// Path is the path under which the Backend's methods are reachable in the product, for example "/"
	// or "/pets": segments separated by "/" of letters, digits, %XX escapes and the characters
	// -._~!$&'()*+,;=:@, with no ":" in the first segment, no query ("?") and no fragment ("#").
	// 3scale adds the leading "/" when it is missing and drops trailing ones: "pets", "/pets" and
	// "/pets/" all mean "/pets", and "" means "/". 3scale also limits the normalized path to 255
	// characters.
	//
	// These are 3scale's rules (github.com/3scale/porta: app/models/backend_api_config.rb normalizes
	// the path with app/models/config_path.rb and validates it with app/validators/path_validator.rb).
	// +kubebuilder:validation:Pattern=`^/*((%[0-9A-Fa-f]{2}|[!$&-.0-9;=@-Z_a-z~])+(/(%[0-9A-Fa-f]{2}|[!$&-.0-9:;=@-Z_a-z~])*)*)?$`
	// +required
	Path string `json:"path"`
}

// ApplicationPlanSpec is a 3scale application plan: the terms (limits, prices, approval) under which
// applications use the product. Its system name is its key in the applicationPlans map.
// +kubebuilder:validation:XValidation:rule="!has(self.published) || !has(self.state) || self.published == (self.state == 'published')",message="published and state disagree; set only published",fieldPath=".state"
type ApplicationPlanSpec struct {
	// Name is the plan's human readable name. Defaults to the plan's system name.
	// +kubebuilder:validation:MaxLength=255
	// +optional
	Name *string `json:"name,omitempty"`

	// AppsRequireApproval makes new applications on this plan wait for approval in the Admin Portal
	// before they can be used. Defaults to false.
	// +optional
	AppsRequireApproval *bool `json:"appsRequireApproval,omitempty"`

	// TrialPeriod is the number of days of free trial for new applications. Defaults to 0.
	// +kubebuilder:validation:Minimum=0
	// +optional
	TrialPeriod *int `json:"trialPeriod,omitempty"`

	// SetupFee is the one-time fee charged when an application subscribes, a decimal with at most 4
	// fraction digits written as a string ("14.56") or an integer. Defaults to 0.
	// +kubebuilder:validation:XIntOrString
	// +kubebuilder:validation:Pattern=`^[0-9]+(\.[0-9]{1,4})?$`
	// +kubebuilder:validation:MaxLength=21
	// +kubebuilder:validation:XValidation:rule="type(self) != int || self >= 0",message="setupFee must not be negative"
	// +optional
	SetupFee *intstr.IntOrString `json:"setupFee,omitempty"`

	// CostMonth is the monthly fee, a decimal with at most 4 fraction digits written as a string
	// ("14.56") or an integer. Defaults to 0.
	// +kubebuilder:validation:XIntOrString
	// +kubebuilder:validation:Pattern=`^[0-9]+(\.[0-9]{1,4})?$`
	// +kubebuilder:validation:MaxLength=21
	// +kubebuilder:validation:XValidation:rule="type(self) != int || self >= 0",message="costMonth must not be negative"
	// +optional
	CostMonth *intstr.IntOrString `json:"costMonth,omitempty"`

	// PricingRules set the price per unit of metrics and methods, by ranges of usage.
	// +kubebuilder:validation:MaxItems=500
	// +optional
	PricingRules []PricingRuleSpec `json:"pricingRules,omitempty"`

	// Limits cap the usage of metrics and methods per period.
	// +optional
	Limits []LimitSpec `json:"limits,omitempty"`

	// Published makes the plan visible in the Developer Portal, where developers can pick it. When
	// unset, the plan is hidden unless state is "published".
	// +optional
	Published *bool `json:"published,omitempty"`

	// State is the plan state as the 3scale toolbox's `3scale product export` writes it: "published" or
	// "hidden". It is read only when published is unset.
	// Deprecated: use published.
	// +kubebuilder:validation:Enum=published;hidden
	// +optional
	State *string `json:"state,omitempty"`

	// Custom is written by the 3scale toolbox's `3scale product export` (true for a plan customized for
	// a single application). The operator ignores it.
	// Deprecated: has no effect.
	// +optional
	Custom *bool `json:"custom,omitempty"`
}

// MetricMethodRefSpec references a metric or method of the product, or of one of the Backends it uses.
type MetricMethodRefSpec struct {
	// SystemName is the system name of the metric or method.
	// +kubebuilder:validation:MinLength=1
	// +required
	SystemName string `json:"systemName"`

	// BackendSystemName is the system name of the Backend that owns the metric or method; the Backend
	// must be in backendUsages. When unset, the metric or method belongs to the product.
	// +optional
	BackendSystemName *string `json:"backend,omitempty"`
}

// PricingRuleSpec sets the price per unit of a metric or method for a range of usage within a month.
// +kubebuilder:validation:XValidation:rule="self.from <= self.to",message="pricing rule from must be less than or equal to to",fieldPath=".from"
type PricingRuleSpec struct {
	// From is the first unit of the range, inclusive.
	// +required
	From int64 `json:"from"`

	// To is the last unit of the range, inclusive; it must not be less than from.
	// +required
	To int64 `json:"to"`

	// MetricMethodRef is the metric or method the rule prices.
	// +required
	MetricMethodRef MetricMethodRefSpec `json:"metricMethodRef"`

	// PricePerUnit is the price of each unit in the range, a decimal with at most 4 fraction digits
	// written as a string ("0.05") or an integer.
	// +kubebuilder:validation:XIntOrString
	// +kubebuilder:validation:Pattern=`^[0-9]+(\.[0-9]{1,4})?$`
	// +kubebuilder:validation:MaxLength=21
	// +kubebuilder:validation:XValidation:rule="type(self) != int || self >= 0",message="pricePerUnit must not be negative"
	// +required
	PricePerUnit intstr.IntOrString `json:"pricePerUnit"`
}

// LimitSpec caps the usage of a metric or method per period; requests beyond the limit are rejected
// until the period ends.
type LimitSpec struct {
	// Period is the period over which usage is counted.
	// +kubebuilder:validation:Enum=eternity;year;month;week;day;hour;minute
	// +required
	Period string `json:"period"`

	// Value is the maximum usage in a period.
	// +required
	Value int64 `json:"value"`

	// MetricMethodRef is the metric or method the limit applies to.
	// +required
	MetricMethodRef MetricMethodRefSpec `json:"metricMethodRef"`
}

// PolicyConfig is one policy of the APIcast policy chain.
type PolicyConfig struct {
	// Name is the policy name, for example "apicast", "cors" or the name of a custom policy.
	// +kubebuilder:validation:MinLength=1
	// +required
	Name string `json:"name"`

	// Version is the policy version, "builtin" for the policies shipped with APIcast.
	// +kubebuilder:validation:MinLength=1
	// +required
	Version string `json:"version"`

	// Enabled turns the policy on or off without removing it from the chain.
	// +required
	Enabled bool `json:"enabled"`

	// Configuration is the policy configuration, a JSON object whose shape the policy's schema defines.
	// Defaults to {}. When configurationRef is also set, the two configurations are merged.
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Type=object
	// +optional
	Configuration *runtime.RawExtension `json:"configuration,omitempty"`

	// ConfigurationRef names a Secret whose key "configuration" holds the policy configuration as a
	// JSON object, for configurations that contain credentials. The namespace defaults to the
	// namespace of this object.
	// +optional
	ConfigurationRef *corev1.SecretReference `json:"configurationRef,omitempty"`
}

// ProductStatus is the observed state of a Product.
type ProductStatus struct {
	// ID is the 3scale ID of the product (service).
	// +optional
	ID *int64 `json:"productId,omitempty"`

	// State is the product state in 3scale, for example "incomplete" or "published".
	// +optional
	State *string `json:"state,omitempty"`

	// ProviderAccountHost is the admin URL of the 3scale account that owns the product.
	// +optional
	ProviderAccountHost string `json:"providerAccountHost,omitempty"`

	// ObservedGeneration is the generation of the spec that the conditions describe.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// StagingVersion is the version of the configuration the operator last deployed to staging
	// (spec.promoteTo).
	// +optional
	StagingVersion int64 `json:"stagingVersion,omitempty"`

	// ProductionVersion is the version of the configuration the operator last promoted to
	// production (spec.promoteTo: Production).
	// +optional
	ProductionVersion int64 `json:"productionVersion,omitempty"`

	// BackendMetricsDigests holds, by backend system name, the metricsDigest of each Backend whose
	// metrics or methods the application plans' limits and pricing rules name, as of the product's
	// last sync. When only these change, the next sync reads and plans the application plans
	// alone.
	// +optional
	BackendMetricsDigests map[string]string `json:"backendMetricsDigests,omitempty"`

	// Conditions are Synced, Invalid, Failed, Orphan and Ready.
	// +listType=map
	// +listMapKey=type
	// +patchStrategy=merge
	// +patchMergeKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`
}

// Product mirrors a 3scale product (API) into a 3scale account: its gateway settings, authentication,
// metrics, methods, mapping rules, backends, application plans and policy chain.
//
// Annotations the operator reads: `capabilities.3scale.net/deletion-policy: Orphan` keeps the 3scale
// entity when the object is deleted (and releases a deletion that waits on a missing tenant secret);
// `capabilities.3scale.net/poll-interval` (a duration such as `2m`) sets how often 3scale is checked
// for changes made behind the operator's back; `insecure_skip_verify: "true"` turns TLS
// verification of the 3scale admin API off.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=products,scope=Namespaced
// +kubebuilder:printcolumn:name="Synced",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="3scale ID",type=integer,JSONPath=`.status.productId`
// +kubebuilder:printcolumn:name="Provider Account",type=string,JSONPath=`.status.providerAccountHost`,priority=1
// +kubebuilder:printcolumn:name="Staging",type=integer,JSONPath=`.status.stagingVersion`,priority=1
// +kubebuilder:printcolumn:name="Production",type=integer,JSONPath=`.status.productionVersion`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Product struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired state of the product.
	// +required
	Spec ProductSpec `json:"spec"`

	// Status is the observed state of the product.
	// +optional
	Status ProductStatus `json:"status,omitempty"`
}

// ProductList is a list of Products.
// +kubebuilder:object:root=true
type ProductList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the Product objects of the list.
	Items []Product `json:"items"`
}

func init() {
	SchemeBuilder.Register(&Product{}, &ProductList{})
}
