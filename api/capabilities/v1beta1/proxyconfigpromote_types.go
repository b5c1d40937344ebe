package v1beta1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Condition types of a ProxyConfigPromote, as the existing operator sets them.
const (
	// ProxyConfigPromoteReadyConditionType is True once the product's configuration has been
	// promoted. A ProxyConfigPromote acts once: after it is Ready, later changes to it are not
	// applied; create a new one to promote again.
	ProxyConfigPromoteReadyConditionType = "Ready"

	// ProxyConfigPromoteInvalidConditionType is True when there is nothing to promote (the staging
	// configuration did not change since the last promotion) or the spec cannot be applied.
	ProxyConfigPromoteInvalidConditionType = "Invalid"

	// ProxyConfigPromoteFailedConditionType is True when the last promotion attempt failed
	// (for example the Product is not Synced yet). The operator retries.
	ProxyConfigPromoteFailedConditionType = "Failed"
)

// Reasons of the ProxyConfigPromote conditions (the `reason` field, CamelCase).
const (
	// ProxyConfigPromotePromotedReason means the configuration was promoted.
	ProxyConfigPromotePromotedReason = "Promoted"
	// ProxyConfigPromoteNoChangesReason means the staging configuration is already the latest one,
	// so there is nothing to promote.
	ProxyConfigPromoteNoChangesReason = "NoChanges"
	// ProxyConfigPromoteProductNotReadyReason means the Product CR is missing or not Synced yet.
	ProxyConfigPromoteProductNotReadyReason = "ProductNotReady"
	// ProxyConfigPromoteUnauthorizedReason means 3scale answered 401 or 403 to the tenant token.
	ProxyConfigPromoteUnauthorizedReason = "Unauthorized"
	// ProxyConfigPromoteRemoteErrorReason means 3scale could not be reached or answered with a server error.
	ProxyConfigPromoteRemoteErrorReason = "RemoteError"
)

// ProxyConfigPromoteSpec says which product's APIcast configuration to promote, and how far.
type ProxyConfigPromoteSpec struct {
	// productCRName is the metadata.name of the Product CR, in this namespace, whose APIcast
	// configuration is promoted. The Product must be Synced. The 3scale tenant is the Product's.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	ProductCRName string `json:"productCRName"`

	// production, when true, deploys the current configuration to staging and then promotes it to
	// production. When false or unset, the configuration is deployed to staging only.
	// +optional
	Production *bool `json:"production,omitempty"`

	// deleteCR, when true, makes the operator delete this ProxyConfigPromote once the promotion has
	// succeeded. Defaults to false.
	// +optional
	DeleteCR *bool `json:"deleteCR,omitempty"`

	// providerAccountRef is accepted for compatibility with manifests written from the existing
	// operator's reference documentation, which lists it.
	//
	// Deprecated: ignored. The promotion always uses the 3scale tenant of the Product named by
	// productCRName.
	// +optional
	ProviderAccountRef *corev1.LocalObjectReference `json:"providerAccountRef,omitempty"`
}

// ProxyConfigPromoteStatus is the observed state of a ProxyConfigPromote.
type ProxyConfigPromoteStatus struct {
	// productId is the 3scale ID of the promoted product, as a string.
	// +optional
	ProductID string `json:"productId,omitempty"`

	// latestProductionVersion is the version of the product's latest production configuration.
	// +optional
	LatestProductionVersion int64 `json:"latestProductionVersion,omitempty"`

	// latestStagingVersion is the version of the product's latest staging configuration.
	// +optional
	LatestStagingVersion int64 `json:"latestStagingVersion,omitempty"`

	// observedGeneration is the metadata.generation of the spec the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions are the latest observations of the promotion: Ready, and Invalid or Failed when
	// something is wrong.
	// +listType=map
	// +listMapKey=type
	// +patchStrategy=merge
	// +patchMergeKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`
}

// ProxyConfigPromote deploys a Product's current APIcast configuration to the staging environment
// and, when spec.production is true, promotes it to production. It acts once; create a new one for
// each promotion.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=proxyconfigpromotes,scope=Namespaced
// +kubebuilder:printcolumn:name="Product",type=string,JSONPath=`.spec.productCRName`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Staging",type=integer,JSONPath=`.status.latestStagingVersion`
// +kubebuilder:printcolumn:name="Production",type=integer,JSONPath=`.status.latestProductionVersion`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ProxyConfigPromote struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired promotion.
	// +required
	Spec ProxyConfigPromoteSpec `json:"spec"`

	// status is the observed state of the promotion, written by the operator.
	// +optional
	Status ProxyConfigPromoteStatus `json:"status,omitempty"`
}

// ProxyConfigPromoteList is a list of ProxyConfigPromotes.
//
// +kubebuilder:object:root=true
type ProxyConfigPromoteList struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// items are the ProxyConfigPromotes.
	Items []ProxyConfigPromote `json:"items"`
}

func init() {
	SchemeBuilder.Register(&ProxyConfigPromote{}, &ProxyConfigPromoteList{})
}
