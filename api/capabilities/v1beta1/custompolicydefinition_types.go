package v1beta1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Condition types of a CustomPolicyDefinition, as the existing operator sets them.
const (
	// CustomPolicyDefinitionReadyConditionType is True when the policy is registered in the
	// tenant's policy registry and matches the spec.
	CustomPolicyDefinitionReadyConditionType = "Ready"

	// CustomPolicyDefinitionInvalidConditionType is True when the spec cannot be applied as written
	// (3scale rejected the policy with 422). The operator does not retry until the spec changes.
	CustomPolicyDefinitionInvalidConditionType = "Invalid"

	// CustomPolicyDefinitionFailedConditionType is True when the last synchronization with 3scale
	// failed. The operator retries with back-off.
	CustomPolicyDefinitionFailedConditionType = "Failed"
)

// Reasons of the CustomPolicyDefinition conditions (the `reason` field, CamelCase).
const (
	// CustomPolicyDefinitionSyncedReason means the registered policy matches the spec.
	CustomPolicyDefinitionSyncedReason = "Synced"
	// CustomPolicyDefinitionInvalidSpecReason means the spec was rejected by the operator or by 3scale.
	CustomPolicyDefinitionInvalidSpecReason = "InvalidSpec"
	// CustomPolicyDefinitionProviderAccountNotFoundReason means no 3scale tenant credentials were found.
	CustomPolicyDefinitionProviderAccountNotFoundReason = "ProviderAccountNotFound"
	// CustomPolicyDefinitionUnauthorizedReason means 3scale answered 401 or 403 to the tenant token.
	CustomPolicyDefinitionUnauthorizedReason = "Unauthorized"
	// CustomPolicyDefinitionRemoteErrorReason means 3scale could not be reached or answered with a server error.
	CustomPolicyDefinitionRemoteErrorReason = "RemoteError"
	// CustomPolicyDefinitionDeletingReason means the CR is being deleted and the policy is being
	// removed from the registry.
	CustomPolicyDefinitionDeletingReason = "Deleting"
)

// CustomPolicySchemaSpec is the JSON schema of a custom APIcast policy, as the policy's
// `apicast-policy.json` manifest declares it. The Admin Portal uses it to render the policy's
// configuration form.
type CustomPolicySchemaSpec struct {
	// name is the human-readable name of the policy shown in the Admin Portal policy chain editor.
	// +required
	Name string `json:"name"`

	// version is the version of the policy the schema describes, for example `0.0.1`.
	// +required
	Version string `json:"version"`

	// summary is a one-line description of the policy.
	// +required
	Summary string `json:"summary"`

	// description is a longer description of the policy, one paragraph per item.
	// +listType=atomic
	// +optional
	Description []string `json:"description,omitempty"`

	// $schema declares the JSON Schema dialect of the schema, for example
	// `http://json-schema.org/draft-07/schema#`.
	// +required
	Schema string `json:"$schema"`

	// configuration is the JSON Schema of the policy's configuration object, for example
	// `{type: object, properties: {someAttr: {type: integer}}}`. Use `{}` for a policy without
	// configuration.
	// +kubebuilder:validation:Type=object
	// +kubebuilder:pruning:PreserveUnknownFields
	// +required
	Configuration runtime.RawExtension `json:"configuration"`
}

// CustomPolicyDefinitionSpec is the desired state of a custom APIcast policy registered in the
// tenant's policy registry. The policy's code must be deployed to APIcast separately (for example
// with APIManager's customPolicies).
type CustomPolicyDefinitionSpec struct {
	// providerAccountRef names a secret in this namespace with the credentials of the 3scale
	// tenant (keys `adminURL` and `token`). When unset, the secret `threescale-provider-account`
	// in this namespace is used, else the default tenant of the APIManager in this namespace.
	// +optional
	ProviderAccountRef *corev1.LocalObjectReference `json:"providerAccountRef,omitempty"`

	// name is the name of the policy in the registry; together with version it identifies the
	// policy, and it is the name a Product's policy chain refers to.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	// +required
	Name string `json:"name"`

	// version is the version of the policy in the registry, for example `0.0.1`.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	// +required
	Version string `json:"version"`

	// schema is the policy's JSON schema.
	// +required
	Schema CustomPolicySchemaSpec `json:"schema"`
}

// CustomPolicyDefinitionStatus is the observed state of a CustomPolicyDefinition.
type CustomPolicyDefinitionStatus struct {
	// policyID is the 3scale ID of the policy in the registry.
	// +optional
	ID *int64 `json:"policyID,omitempty"`

	// providerAccountHost is the admin portal URL of the 3scale tenant the policy is registered in.
	// +optional
	ProviderAccountHost string `json:"providerAccountHost,omitempty"`

	// observedGeneration is the metadata.generation of the spec the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions are the latest observations of the policy: Ready, and Invalid or Failed when
	// something is wrong.
	// +listType=map
	// +listMapKey=type
	// +patchStrategy=merge
	// +patchMergeKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`
}

// CustomPolicyDefinition registers a custom APIcast policy (its name, version and JSON schema) in
// the 3scale tenant's policy registry, so that Products can add it to their policy chain.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=custompolicydefinitions,scope=Namespaced
// +kubebuilder:printcolumn:name="Provider Account",type=string,JSONPath=`.status.providerAccountHost`,priority=1
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="3scale ID",type=integer,JSONPath=`.status.policyID`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type CustomPolicyDefinition struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired policy definition.
	// +required
	Spec CustomPolicyDefinitionSpec `json:"spec"`

	// status is the observed state of the policy definition, written by the operator.
	// +optional
	Status CustomPolicyDefinitionStatus `json:"status,omitempty"`
}

// CustomPolicyDefinitionList is a list of CustomPolicyDefinitions.
//
// +kubebuilder:object:root=true
type CustomPolicyDefinitionList struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// items are the CustomPolicyDefinitions.
	Items []CustomPolicyDefinition `json:"items"`
}

func init() {
	SchemeBuilder.Register(&CustomPolicyDefinition{}, &CustomPolicyDefinitionList{})
}
