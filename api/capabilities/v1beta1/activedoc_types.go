package v1beta1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ActiveDocKind is the kind name of ActiveDoc.
const ActiveDocKind = "ActiveDoc"

// Condition types of an ActiveDoc, those of the 3scale operator that Red Hat ships.
const (
	// ActiveDocReadyConditionType is True when 3scale matches the spec of the observed generation.
	ActiveDocReadyConditionType = "Ready"
	// ActiveDocInvalidConditionType is True when the spec or the OpenAPI document cannot be used as
	// written. The operator does not retry until the spec changes.
	ActiveDocInvalidConditionType = "Invalid"
	// ActiveDocOrphanConditionType is True when productSystemName names a Product that does not exist
	// or is not synced yet. The operator retries.
	ActiveDocOrphanConditionType = "Orphan"
	// ActiveDocFailedConditionType is True when the last synchronization failed for a reason that may
	// pass. The operator retries.
	ActiveDocFailedConditionType = "Failed"
)

// Reasons of ActiveDoc conditions.
const (
	// ActiveDocSyncedReason says 3scale matches the spec.
	ActiveDocSyncedReason = "Synced"
	// ActiveDocInvalidSpecReason says the spec or the document cannot be used as written.
	ActiveDocInvalidSpecReason = "InvalidSpec"
	// ActiveDocMissingProductReason says the referenced Product does not exist or is not synced yet.
	ActiveDocMissingProductReason = "ProductNotFound"
	// ActiveDocSyncErrorReason says the synchronization with 3scale failed.
	ActiveDocSyncErrorReason = "SyncError"
)

// ActiveDocSpec is the desired state of a 3scale ActiveDocs specification: an OpenAPI document shown,
// and callable, in the Developer Portal.
type ActiveDocSpec struct {
	// Name is the ActiveDoc's human readable name.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	// +required
	Name string `json:"name"`

	// SystemName identifies the ActiveDoc in its 3scale account. 3scale accepts letters, digits, "_",
	// "-" and "/", at least two characters, starting with a letter, digit or "_". Defaults to name
	// without the characters that are not letters or digits, in lower case.
	// +kubebuilder:validation:Pattern=`^[a-zA-Z0-9_][a-zA-Z0-9_/-]+$`
	// +kubebuilder:validation:MaxLength=255
	// +optional
	SystemName *string `json:"systemName,omitempty"`

	// Description is the ActiveDoc's description.
	// +kubebuilder:validation:MaxLength=65535
	// +optional
	Description *string `json:"description,omitempty"`

	// ActiveDocOpenAPIRef references the OpenAPI document (JSON or YAML) to publish.
	// +required
	ActiveDocOpenAPIRef OpenAPIRefSpec `json:"activeDocOpenAPIRef"`

	// ProductSystemName is the system name of a Product of the same 3scale account to link the
	// ActiveDoc to. When unset, the ActiveDoc is not linked to any product.
	// +optional
	ProductSystemName *string `json:"productSystemName,omitempty"`

	// Published shows the ActiveDoc in the Developer Portal. Defaults to false (hidden).
	// +optional
	Published *bool `json:"published,omitempty"`

	// SkipSwaggerValidations makes 3scale accept the document without validating it. Defaults to false.
	// +optional
	SkipSwaggerValidations *bool `json:"skipSwaggerValidations,omitempty"`

	// ProviderAccountRef names a Secret in this namespace with the keys "adminURL" and "token" of the
	// 3scale account (tenant) that owns the ActiveDoc. When unset, the Secret
	// "threescale-provider-account" is used, else the default tenant of the APIManager in this
	// namespace.
	// +optional
	ProviderAccountRef *corev1.LocalObjectReference `json:"providerAccountRef,omitempty"`
}

// ActiveDocStatus is the observed state of an ActiveDoc.
type ActiveDocStatus struct {
	// ID is the 3scale ID of the ActiveDoc.
	// +optional
	ID *int64 `json:"activeDocId,omitempty"`

	// ProviderAccountHost is the admin URL of the 3scale account that owns the ActiveDoc.
	// +optional
	ProviderAccountHost string `json:"providerAccountHost,omitempty"`

	// ProductResourceName names the Product the ActiveDoc is linked to.
	// +optional
	ProductResourceName *corev1.LocalObjectReference `json:"productResourceName,omitempty"`

	// ObservedGeneration is the generation of the spec that the conditions describe.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions are Ready, Invalid, Orphan and Failed.
	// +listType=map
	// +listMapKey=type
	// +patchStrategy=merge
	// +patchMergeKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`
}

// ActiveDoc mirrors a 3scale ActiveDocs specification (an OpenAPI document published in the Developer
// Portal) into a 3scale account.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=activedocs,scope=Namespaced
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="3scale ID",type=integer,JSONPath=`.status.activeDocId`
// +kubebuilder:printcolumn:name="Provider Account",type=string,JSONPath=`.status.providerAccountHost`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ActiveDoc struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired state of the ActiveDoc.
	// +required
	Spec ActiveDocSpec `json:"spec"`

	// Status is the observed state of the ActiveDoc.
	// +optional
	Status ActiveDocStatus `json:"status,omitempty"`
}

// ActiveDocList is a list of ActiveDocs.
// +kubebuilder:object:root=true
type ActiveDocList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the ActiveDoc objects of the list.
	Items []ActiveDoc `json:"items"`
}

func init() {
	SchemeBuilder.Register(&ActiveDoc{}, &ActiveDocList{})
}
