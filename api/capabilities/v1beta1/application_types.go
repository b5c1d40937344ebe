package v1beta1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Condition types of an Application. The existing operator sets only Ready (False with a message
// when something is wrong); Invalid, Orphan and Failed say which kind of problem it is, as for the
// other capability kinds.
const (
	// ApplicationReadyConditionType is True when the application exists in 3scale under the
	// developer account, on the requested plan, and matches the spec.
	ApplicationReadyConditionType = "Ready"

	// ApplicationInvalidConditionType is True when the spec cannot be applied as written (for
	// example the application plan does not exist in the product, or 3scale answered 422). The
	// operator does not retry until the spec changes.
	ApplicationInvalidConditionType = "Invalid"

	// ApplicationOrphanConditionType is True while the DeveloperAccount or Product CR does not
	// exist, is not ready, or belongs to another tenant. The operator retries.
	ApplicationOrphanConditionType = "Orphan"

	// ApplicationFailedConditionType is True when the last synchronization with 3scale failed.
	// The operator retries with back-off.
	ApplicationFailedConditionType = "Failed"
)

// Reasons of the Application conditions (the `reason` field, CamelCase).
const (
	// ApplicationSyncedReason means the application in 3scale matches the spec.
	ApplicationSyncedReason = "Synced"
	// ApplicationInvalidSpecReason means the spec was rejected by the operator or by 3scale.
	ApplicationInvalidSpecReason = "InvalidSpec"
	// ApplicationPlanNotFoundReason means spec.applicationPlanName is not a plan of the product.
	ApplicationPlanNotFoundReason = "ApplicationPlanNotFound"
	// ApplicationAccountNotReadyReason means the DeveloperAccount CR is missing or not Ready.
	ApplicationAccountNotReadyReason = "DeveloperAccountNotReady"
	// ApplicationProductNotReadyReason means the Product CR is missing or not Synced.
	ApplicationProductNotReadyReason = "ProductNotReady"
	// ApplicationTenantMismatchReason means the DeveloperAccount and the Product belong to
	// different 3scale tenants.
	ApplicationTenantMismatchReason = "TenantMismatch"
	// ApplicationUnauthorizedReason means 3scale answered 401 or 403 to the tenant token.
	ApplicationUnauthorizedReason = "Unauthorized"
	// ApplicationRemoteErrorReason means 3scale could not be reached or answered with a server error.
	ApplicationRemoteErrorReason = "RemoteError"
	// ApplicationDeletingReason means the CR is being deleted and the application is being removed from 3scale.
	ApplicationDeletingReason = "Deleting"
)

// States of an application in 3scale (status.state).
const (
	// ApplicationStateLive is the state of an active application.
	ApplicationStateLive = "live"
	// ApplicationStateSuspended is the state of an application suspended with spec.suspend.
	ApplicationStateSuspended = "suspended"
)

// Keys of the secret named by an Application's spec.authSecretRef. Which keys are read depends on
// the authentication mode of the product.
const (
	// ApplicationUserKeySecretKey holds the user key, for products that use user key authentication.
	ApplicationUserKeySecretKey = "UserKey"
	// ApplicationIDSecretKey holds the application ID, for products that use app ID and app key.
	ApplicationIDSecretKey = "ApplicationID"
	// ApplicationKeySecretKey holds the application key, for products that use app ID and app key.
	ApplicationKeySecretKey = "ApplicationKey"
	// ApplicationClientIDSecretKey holds the client ID, for products that use OpenID Connect.
	ApplicationClientIDSecretKey = "ClientID"
	// ApplicationClientSecretSecretKey holds the client secret, for products that use OpenID Connect.
	ApplicationClientSecretSecretKey = "ClientSecret"
)

const (
	// ApplicationIDAnnotation is the annotation in which the existing operator mirrors
	// status.applicationID, so a CR whose status was lost re-adopts the same 3scale application.
	ApplicationIDAnnotation = "applicationID"

	// ApplicationFinalizer makes the operator delete the application from 3scale before the CR
	// goes away. The name is the existing operator's, so CRs created by it are handled alike.
	ApplicationFinalizer = "application.capabilities.3scale.net/finalizer"
)

// ApplicationSpec is the desired state of a 3scale application: a developer account's
// subscription to a product through one of the product's application plans, with its own
// credentials.
type ApplicationSpec struct {
	// accountCR names the DeveloperAccount CR, in this namespace, that owns the application. The
	// application uses that account's 3scale tenant. Immutable: an application cannot move to
	// another account; create a new Application instead.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="spec.accountCR is immutable: an application cannot move to another developer account; create a new Application instead"
	// +kubebuilder:validation:XValidation:rule="has(self.name) && self.name != ''",message="spec.accountCR.name is required: name the DeveloperAccount that owns the application",fieldPath=".name"
	// +required
	AccountCR *corev1.LocalObjectReference `json:"accountCR"`

	// productCR names the Product CR, in this namespace, the application subscribes to. It must
	// belong to the same 3scale tenant as the developer account. An application cannot move to
	// another product: changing it on an existing application is reported in the Invalid
	// condition, and the application (with its keys) is left as it is.
	// +kubebuilder:validation:XValidation:rule="has(self.name) && self.name != ''",message="spec.productCR.name is required: name the Product the application subscribes to",fieldPath=".name"
	// +required
	ProductCR *corev1.LocalObjectReference `json:"productCR"`

	// applicationPlanName is the system name of the product's application plan the application
	// uses: a key of the Product's spec.applicationPlans. Changing it changes the plan in 3scale.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	// +required
	ApplicationPlanName string `json:"applicationPlanName"`

	// name is the application's name, unique within the developer account.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	// +required
	Name string `json:"name"`

	// description is a human-readable description of the application.
	// +required
	Description string `json:"description"`

	// suspend suspends the application in 3scale when true (its credentials stop working) and
	// resumes it when false. Defaults to false.
	// +optional
	Suspend bool `json:"suspend,omitempty"`

	// authSecretRef names a secret, in this namespace, with the credentials the application is
	// created with: `UserKey` for user key products, `ApplicationID` and `ApplicationKey` for app
	// ID and app key products, `ClientID` and `ClientSecret` for OpenID Connect products. It is
	// read only when the application is created; when unset, 3scale generates the credentials.
	// +optional
	AuthSecretRef *corev1.LocalObjectReference `json:"authSecretRef,omitempty"`
}

// ApplicationStatus is the observed state of an Application.
type ApplicationStatus struct {
	// applicationID is the 3scale ID of the application.
	// +optional
	ID *int64 `json:"applicationID,omitempty"`

	// providerAccountHost is the admin portal URL of the 3scale tenant the application belongs to.
	// +optional
	ProviderAccountHost string `json:"providerAccountHost,omitempty"`

	// state is the state of the application in 3scale: `live` or `suspended` (or `pending` while
	// it awaits approval).
	// +optional
	State string `json:"state,omitempty"`

	// observedGeneration is the metadata.generation of the spec the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions are the latest observations of the application: Ready, and Invalid, Orphan or
	// Failed when something is wrong.
	// +listType=map
	// +listMapKey=type
	// +patchStrategy=merge
	// +patchMergeKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`
}

// Application manages a 3scale application: the subscription of a developer account
// (spec.accountCR) to a product (spec.productCR) through one of its application plans.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=applications,scope=Namespaced
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="3scale ID",type=integer,JSONPath=`.status.applicationID`
// +kubebuilder:printcolumn:name="State",type=string,JSONPath=`.status.state`,priority=1
// +kubebuilder:printcolumn:name="Plan",type=string,JSONPath=`.spec.applicationPlanName`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Application struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired application.
	// +required
	Spec ApplicationSpec `json:"spec"`

	// status is the observed state of the application, written by the operator.
	// +optional
	Status ApplicationStatus `json:"status,omitempty"`
}

// ApplicationList is a list of Applications.
//
// +kubebuilder:object:root=true
type ApplicationList struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// items are the Applications.
	Items []Application `json:"items"`
}

func init() {
	SchemeBuilder.Register(&Application{}, &ApplicationList{})
}
