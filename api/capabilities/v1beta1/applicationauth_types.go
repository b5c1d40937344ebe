package v1beta1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Condition types of an ApplicationAuth. The existing operator sets Ready and Failed; Invalid and
// Orphan say which kind of problem it is, as for the other capability kinds.
const (
	// ApplicationAuthReadyConditionType is True while 3scale holds the credentials of the secret.
	// An ApplicationAuth is reconciled continuously: changing the secret changes them in 3scale.
	ApplicationAuthReadyConditionType = "Ready"

	// ApplicationAuthInvalidConditionType is True when the spec cannot be applied as written (for
	// example the secret has no usable key for the product's authentication mode, or the product
	// uses OpenID Connect). The operator does not retry until the spec changes.
	ApplicationAuthInvalidConditionType = "Invalid"

	// ApplicationAuthOrphanConditionType is True while the Application CR, or its DeveloperAccount
	// or Product, does not exist or is not ready. The operator retries.
	ApplicationAuthOrphanConditionType = "Orphan"

	// ApplicationAuthFailedConditionType is True when the last attempt failed. The operator retries.
	ApplicationAuthFailedConditionType = "Failed"
)

// Reasons of the ApplicationAuth conditions (the `reason` field, CamelCase).
const (
	// ApplicationAuthPushedReason means the credentials were pushed to 3scale.
	ApplicationAuthPushedReason = "CredentialsPushed"
	// ApplicationAuthInvalidSpecReason means the spec or the secret cannot be used as written.
	ApplicationAuthInvalidSpecReason = "InvalidSpec"
	// ApplicationAuthApplicationNotReadyReason means the Application CR is missing or not Ready.
	ApplicationAuthApplicationNotReadyReason = "ApplicationNotReady"
	// ApplicationAuthSecretNotFoundReason means the secret named by spec.authSecretRef is missing.
	ApplicationAuthSecretNotFoundReason = "SecretNotFound"
	// ApplicationAuthUnauthorizedReason means 3scale answered 401 or 403 to the tenant token.
	ApplicationAuthUnauthorizedReason = "Unauthorized"
	// ApplicationAuthRemoteErrorReason means 3scale could not be reached or answered with a server error.
	ApplicationAuthRemoteErrorReason = "RemoteError"
)

// Keys of the secret named by an ApplicationAuth's spec.authSecretRef. The operator reads them and,
// when it generates values, writes them back.
const (
	// ApplicationAuthUserKeySecretKey holds the user key, for products that use user key
	// authentication. Empty with spec.generateSecret true makes the operator generate one.
	ApplicationAuthUserKeySecretKey = "UserKey"
	// ApplicationAuthApplicationKeySecretKey holds an application key to add to the application, for
	// products that use app ID and app key. Empty with spec.generateSecret true makes 3scale
	// generate one.
	ApplicationAuthApplicationKeySecretKey = "ApplicationKey"
	// ApplicationAuthApplicationIDSecretKey is where the operator writes the application ID
	// (3scale `application_id`) of app ID and app key products.
	ApplicationAuthApplicationIDSecretKey = "ApplicationID"
)

// ApplicationAuthSpec says which application's credentials to set, and where to find them.
type ApplicationAuthSpec struct {
	// applicationCRName is the metadata.name of the Application CR, in this namespace, whose
	// credentials are set. Its product must use user key or app ID and app key authentication.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	ApplicationCRName string `json:"applicationCRName"`

	// generateSecret, when true, generates the credentials that are empty in the secret (a user
	// key, or an application key) and writes them back into the secret. Defaults to false.
	// +optional
	GenerateSecret *bool `json:"generateSecret,omitempty"`

	// pruneApplicationKeys, when true, deletes from the application the application keys that the
	// secret does not hold, once the secret's key is in 3scale: rotating the secret's
	// `ApplicationKey` then replaces the old key instead of adding one (3scale allows at most five
	// keys an application). Defaults to false: keys made elsewhere (the developer portal, the admin
	// portal) are left alone. Only for app ID and app key products.
	// +optional
	PruneApplicationKeys *bool `json:"pruneApplicationKeys,omitempty"`

	// authSecretRef names the secret, in this namespace, with the keys `UserKey` and
	// `ApplicationKey`; either may be empty when generateSecret is true. The operator writes a
	// generated `UserKey` or `ApplicationKey` (with `ApplicationID`) back into it, and writes
	// nothing else into it.
	// +kubebuilder:validation:XValidation:rule="has(self.name) && self.name != ''",message="spec.authSecretRef.name is required: name the secret that holds UserKey and ApplicationKey",fieldPath=".name"
	// +required
	AuthSecretRef *corev1.LocalObjectReference `json:"authSecretRef"`

	// providerAccountRef names a secret in this namespace with the credentials of the 3scale
	// tenant (keys `adminURL` and `token`). When unset, the secret `threescale-provider-account`
	// in this namespace is used, else the default tenant of the APIManager in this namespace. It
	// must resolve to the tenant of the Application.
	// +optional
	ProviderAccountRef *corev1.LocalObjectReference `json:"providerAccountRef,omitempty"`
}

// ApplicationAuthStatus is the observed state of an ApplicationAuth.
type ApplicationAuthStatus struct {
	// observedGeneration is the metadata.generation of the spec the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions are the latest observations: Ready once the credentials are in 3scale, and
	// Invalid, Orphan or Failed when something is wrong.
	// +listType=map
	// +listMapKey=type
	// +patchStrategy=merge
	// +patchMergeKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`
}

// ApplicationAuth sets the credentials (user key, or application keys) of the 3scale application
// managed by an Application CR, from a secret, optionally generating them, and keeps them set:
// rotating the secret rotates the credentials in 3scale. Application keys the secret does not
// list are left alone unless spec.pruneApplicationKeys is true; deleting it changes nothing in
// 3scale.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=applicationauths,scope=Namespaced
// +kubebuilder:printcolumn:name="Application",type=string,JSONPath=`.spec.applicationCRName`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ApplicationAuth struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired credentials.
	// +required
	Spec ApplicationAuthSpec `json:"spec"`

	// status is the observed state, written by the operator.
	// +optional
	Status ApplicationAuthStatus `json:"status,omitempty"`
}

// ApplicationAuthList is a list of ApplicationAuths.
//
// +kubebuilder:object:root=true
type ApplicationAuthList struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// items are the ApplicationAuths.
	Items []ApplicationAuth `json:"items"`
}

func init() {
	SchemeBuilder.Register(&ApplicationAuth{}, &ApplicationAuthList{})
}
