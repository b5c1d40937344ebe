package v1beta1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// BackendKind is the kind name of Backend.
const BackendKind = "Backend"

// Condition types of a Backend. Synced, Invalid and Failed are those of the 3scale operator that Red
// Hat ships; Ready is added so that generic tools that look for Ready work too.
const (
	// BackendSyncedConditionType is True when 3scale matches the spec of the observed generation.
	BackendSyncedConditionType = "Synced"
	// BackendInvalidConditionType is True when the spec cannot be applied as written. The operator does
	// not retry until the spec changes.
	BackendInvalidConditionType = "Invalid"
	// BackendFailedConditionType is True when the last synchronization failed for a reason that may
	// pass. The operator retries.
	BackendFailedConditionType = "Failed"
	// BackendReadyConditionType mirrors Synced for tools that only understand Ready.
	BackendReadyConditionType = "Ready"
)

// Reasons of Backend conditions.
const (
	// BackendSyncedReason says 3scale matches the spec.
	BackendSyncedReason = "Synced"
	// BackendInvalidSpecReason says the spec cannot be applied as written.
	BackendInvalidSpecReason = "InvalidSpec"
	// BackendSyncErrorReason says the synchronization with 3scale failed.
	BackendSyncErrorReason = "SyncError"
)

// BackendSpec is the desired state of a 3scale backend (backend API): the private API that products
// route traffic to, with its metrics, methods and mapping rules.
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.systemName) || has(self.systemName)",message="systemName cannot be removed once set",fieldPath=".systemName"
type BackendSpec struct {
	// Name is the backend's human readable name.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	// +required
	Name string `json:"name"`

	// SystemName identifies the backend in its 3scale account; products refer to it in backendUsages
	// and limits. Defaults to name without the characters that are not letters or digits. Immutable
	// once set.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="systemName is immutable"
	// +kubebuilder:validation:MaxLength=255
	// +optional
	SystemName string `json:"systemName,omitempty"`

	// Description is the backend's description.
	// +optional
	Description string `json:"description,omitempty"`

	// PrivateBaseURL is the URL of the private API that APIcast forwards requests to; the scheme must
	// be http, https, ws or wss. For example "https://api.example.com:443".
	// +kubebuilder:validation:Pattern=`^(https?|wss?):\/\/.*$`
	// +kubebuilder:validation:MaxLength=2048
	// +required
	PrivateBaseURL string `json:"privateBaseURL"`

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

	// ProviderAccountRef names a Secret in this namespace with the keys "adminURL" and "token" of the
	// 3scale account (tenant) that owns the backend. When unset, the Secret
	// "threescale-provider-account" is used, else the default tenant of the APIManager in this
	// namespace.
	// +optional
	ProviderAccountRef *corev1.LocalObjectReference `json:"providerAccountRef,omitempty"`
}

// BackendStatus is the observed state of a Backend.
type BackendStatus struct {
	// ID is the 3scale ID of the backend.
	// +optional
	ID *int64 `json:"backendId,omitempty"`

	// ProviderAccountHost is the admin URL of the 3scale account that owns the backend.
	// +optional
	ProviderAccountHost string `json:"providerAccountHost,omitempty"`

	// ObservedGeneration is the generation of the spec that the conditions describe.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// MetricsDigest identifies the set of metrics and methods (their system names) of the spec the
	// status describes. A Product whose limits or pricing rules name this backend's metrics syncs
	// again when it changes, and not for the Backend's other changes (mapping rules, names, URL).
	// +optional
	MetricsDigest string `json:"metricsDigest,omitempty"`

	// Conditions are Synced, Invalid, Failed and Ready.
	// +listType=map
	// +listMapKey=type
	// +patchStrategy=merge
	// +patchMergeKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`
}

// Backend mirrors a 3scale backend (backend API) into a 3scale account: its private URL, metrics,
// methods and mapping rules. Products expose backends through their backendUsages.
//
// Annotations the operator reads: `capabilities.3scale.net/deletion-policy: Orphan` keeps the 3scale
// entity when the object is deleted (and releases a deletion that waits on a missing tenant secret);
// `capabilities.3scale.net/poll-interval` (a duration such as `2m`) sets how often 3scale is checked
// for changes made behind the operator's back; `insecure_skip_verify: "true"` turns TLS
// verification of the 3scale admin API off.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=backends,scope=Namespaced
// +kubebuilder:printcolumn:name="Synced",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="3scale ID",type=integer,JSONPath=`.status.backendId`
// +kubebuilder:printcolumn:name="Provider Account",type=string,JSONPath=`.status.providerAccountHost`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Backend struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired state of the backend.
	// +required
	Spec BackendSpec `json:"spec"`

	// Status is the observed state of the backend.
	// +optional
	Status BackendStatus `json:"status,omitempty"`
}

// BackendList is a list of Backends.
// +kubebuilder:object:root=true
type BackendList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the Backend objects of the list.
	Items []Backend `json:"items"`
}

func init() {
	SchemeBuilder.Register(&Backend{}, &BackendList{})
}
