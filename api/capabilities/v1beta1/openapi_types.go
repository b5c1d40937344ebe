package v1beta1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// OpenAPIKind is the kind name of OpenAPI.
const OpenAPIKind = "OpenAPI"

// Condition types of an OpenAPI object, those of the 3scale operator that Red Hat ships.
const (
	// OpenAPIReadyConditionType is True when the Product and Backend generated from the OpenAPI
	// document exist and the Product is synced with 3scale.
	OpenAPIReadyConditionType = "Ready"
	// OpenAPIInvalidConditionType is True when the OpenAPI document or the spec cannot be used as
	// written. The operator does not retry until the spec or the document changes.
	OpenAPIInvalidConditionType = "Invalid"
	// OpenAPIFailedConditionType is True when the last reconciliation failed for a reason that may
	// pass (document unreachable, 3scale unreachable). The operator retries.
	OpenAPIFailedConditionType = "Failed"
)

// Reasons of OpenAPI conditions.
const (
	// OpenAPIReadyReason says the generated Product is synced.
	OpenAPIReadyReason = "ProductSynced"
	// OpenAPIWaitingReason says the generated Product is not synced yet.
	OpenAPIWaitingReason = "WaitingForProduct"
	// OpenAPIInvalidDocumentReason says the OpenAPI document cannot be imported.
	OpenAPIInvalidDocumentReason = "InvalidDocument"
	// OpenAPIFetchErrorReason says the OpenAPI document could not be read.
	OpenAPIFetchErrorReason = "FetchError"
)

// OpenAPISpec is the desired state of an OpenAPI import: the document, and the settings that override
// or complete what the document says when it becomes a 3scale product and backend.
type OpenAPISpec struct {
	// OpenAPIRef references the document (JSON or YAML) to import: OpenAPI 3.0 or 3.1, or Swagger
	// 2.0.
	// +required
	OpenAPIRef OpenAPIRefSpec `json:"openapiRef"`

	// ProviderAccountRef names a Secret in this namespace with the keys "adminURL" and "token" of the
	// 3scale account (tenant) to import into. When unset, the Secret "threescale-provider-account" is
	// used, else the default tenant of the APIManager in this namespace.
	// +optional
	ProviderAccountRef *corev1.LocalObjectReference `json:"providerAccountRef,omitempty"`

	// ProductionPublicBaseURL is the public URL of the production gateway. Setting it, or
	// stagingPublicBaseURL, selects the APIcast self-managed deployment mode; otherwise the product is
	// APIcast hosted.
	// +kubebuilder:validation:Pattern=`^https?:\/\/.*$`
	// +kubebuilder:validation:MaxLength=255
	// +optional
	ProductionPublicBaseURL *string `json:"productionPublicBaseURL,omitempty"`

	// StagingPublicBaseURL is the public URL of the staging gateway (see productionPublicBaseURL).
	// +kubebuilder:validation:Pattern=`^https?:\/\/.*$`
	// +kubebuilder:validation:MaxLength=255
	// +optional
	StagingPublicBaseURL *string `json:"stagingPublicBaseURL,omitempty"`

	// ProductSystemName is the system name of the generated product. Defaults to the document's
	// info.title with the characters that are not letters, digits or "_" replaced by "_".
	// +kubebuilder:validation:MaxLength=255
	// +optional
	ProductSystemName *string `json:"productSystemName,omitempty"`

	// PrivateBaseURL is the private URL of the API, used by the generated backend. Defaults to the URL
	// of the document's first server; the scheme must be http, https, ws or wss.
	// +kubebuilder:validation:Pattern=`^(https?|wss?):\/\/.*$`
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	PrivateBaseURL *string `json:"privateBaseURL,omitempty"`

	// PrefixMatching makes the mapping rules generated from the document's operations match path
	// prefixes. Defaults to false: patterns end with "$" and match exactly.
	// +optional
	PrefixMatching *bool `json:"prefixMatching,omitempty"`

	// PrivateAPIHostHeader is the Host header APIcast sends to the private API.
	// +kubebuilder:validation:MaxLength=255
	// +optional
	PrivateAPIHostHeader *string `json:"privateAPIHostHeader,omitempty"`

	// PrivateAPISecretToken is sent by APIcast to the private API in the X-3scale-proxy-secret-token
	// header. 3scale accepts letters, digits, "_" and "-".
	// +kubebuilder:validation:Pattern=`^[a-zA-Z0-9_-]+$`
	// +kubebuilder:validation:MaxLength=255
	// +optional
	PrivateAPISecretToken *string `json:"privateAPISecretToken,omitempty"`

	// OIDC sets the OpenID Connect settings of the generated product, used when the document's security
	// scheme is of type oauth2 or openIdConnect.
	// +optional
	OIDC *OIDCSpec `json:"oidc,omitempty"`

	// BackendOnly generates only the Backend, with the methods and mapping rules of the document's
	// operations, and no Product: several documents can then be composed into one Product that
	// lists their backends in its backendUsages. Defaults to false (a Product and a Backend).
	// +optional
	BackendOnly bool `json:"backendOnly,omitempty"`
}

// OpenAPIStatus is the observed state of an OpenAPI import.
type OpenAPIStatus struct {
	// ProviderAccountHost is the admin URL of the 3scale account the document is imported into.
	// +optional
	ProviderAccountHost string `json:"providerAccountHost,omitempty"`

	// ProductResourceName names the Product generated from the document.
	// +optional
	ProductResourceName *corev1.LocalObjectReference `json:"productResourceName,omitempty"`

	// BackendResourceNames name the Backends generated from the document.
	// +optional
	BackendResourceNames []corev1.LocalObjectReference `json:"backendResourceNames,omitempty"`

	// ObservedGeneration is the generation of the spec that the conditions describe.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions are Ready, Invalid and Failed.
	// +listType=map
	// +listMapKey=type
	// +patchStrategy=merge
	// +patchMergeKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`
}

// OpenAPI imports an OpenAPI document (3.0, 3.1 or Swagger 2.0) into 3scale: the operator generates
// a Product and a Backend from it (only the Backend with backendOnly), named after this object and
// owned by it, and keeps them in step with the document; the Product and Backend controllers do
// the 3scale work. Deleting the object deletes them; its deletion-policy, poll-interval and
// insecure_skip_verify annotations are copied onto them.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=openapis,scope=Namespaced
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Product",type=string,JSONPath=`.status.productResourceName.name`
// +kubebuilder:printcolumn:name="Backend",type=string,JSONPath=`.status.backendResourceNames[0].name`
// +kubebuilder:printcolumn:name="Invalid",type=string,JSONPath=`.status.conditions[?(@.type=="Invalid")].status`,priority=1
// +kubebuilder:printcolumn:name="Provider Account",type=string,JSONPath=`.status.providerAccountHost`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type OpenAPI struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired state of the import.
	// +required
	Spec OpenAPISpec `json:"spec"`

	// Status is the observed state of the import.
	// +optional
	Status OpenAPIStatus `json:"status,omitempty"`
}

// OpenAPIList is a list of OpenAPI objects.
// +kubebuilder:object:root=true
type OpenAPIList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the OpenAPI objects of the list.
	Items []OpenAPI `json:"items"`
}

func init() {
	SchemeBuilder.Register(&OpenAPI{}, &OpenAPIList{})
}
