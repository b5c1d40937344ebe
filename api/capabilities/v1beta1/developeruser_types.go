package v1beta1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Condition types of a DeveloperUser, as the existing operator sets them.
const (
	// DeveloperUserReadyConditionType is True when the user exists in 3scale under its developer
	// account and matches the spec.
	DeveloperUserReadyConditionType = "Ready"

	// DeveloperUserInvalidConditionType is True when the spec cannot be applied as written
	// (3scale rejected it with 422). The operator does not retry until the spec changes.
	DeveloperUserInvalidConditionType = "Invalid"

	// DeveloperUserOrphanConditionType is True while the DeveloperAccount named by
	// spec.developerAccountRef does not exist, belongs to another tenant, or is not Ready yet.
	// The operator retries.
	DeveloperUserOrphanConditionType = "Orphan"

	// DeveloperUserFailedConditionType is True when the last synchronization with 3scale failed.
	// The operator retries with back-off.
	DeveloperUserFailedConditionType = "Failed"
)

// Reasons of the DeveloperUser conditions (the `reason` field, CamelCase).
const (
	// DeveloperUserSyncedReason means the user in 3scale matches the spec.
	DeveloperUserSyncedReason = "Synced"
	// DeveloperUserInvalidSpecReason means the spec was rejected by the operator or by 3scale.
	DeveloperUserInvalidSpecReason = "InvalidSpec"
	// DeveloperUserAccountNotReadyReason means the referenced DeveloperAccount is missing, not
	// Ready, or in another tenant.
	DeveloperUserAccountNotReadyReason = "DeveloperAccountNotReady"
	// DeveloperUserSecretNotFoundReason means the password secret or its `password` key is missing.
	DeveloperUserSecretNotFoundReason = "SecretNotFound"
	// DeveloperUserProviderAccountNotFoundReason means no 3scale tenant credentials were found.
	DeveloperUserProviderAccountNotFoundReason = "ProviderAccountNotFound"
	// DeveloperUserUnauthorizedReason means 3scale answered 401 or 403 to the tenant token.
	DeveloperUserUnauthorizedReason = "Unauthorized"
	// DeveloperUserRemoteErrorReason means 3scale could not be reached or answered with a server error.
	DeveloperUserRemoteErrorReason = "RemoteError"
	// DeveloperUserDeletingReason means the CR is being deleted and the user is being removed from 3scale.
	DeveloperUserDeletingReason = "Deleting"
)

// Roles a developer user can have in its developer account (spec.role).
const (
	// DeveloperUserRoleAdmin lets the user manage the developer account and its other users.
	DeveloperUserRoleAdmin = "admin"
	// DeveloperUserRoleMember is a regular user of the developer account. It is the default.
	DeveloperUserRoleMember = "member"
)

const (
	// DeveloperUserPasswordSecretKey is the key of the secret named by spec.passwordCredentialsRef
	// that holds the user's password.
	DeveloperUserPasswordSecretKey = "password"

	// DeveloperUserIDAnnotation is the annotation in which the existing operator mirrors
	// status.developerUserID, so a CR whose status was lost re-adopts the same 3scale user.
	DeveloperUserIDAnnotation = "userID"

	// DeveloperUserFinalizer makes the operator delete the user from 3scale before the CR goes
	// away. The name is the existing operator's, so CRs created by it are handled alike.
	DeveloperUserFinalizer = "developeruser.capabilities.3scale.net/finalizer"
)

// DeveloperUserSpec is the desired state of a 3scale developer user: a person who signs in to the
// developer portal on behalf of a developer account.
type DeveloperUserSpec struct {
	// username is the user's login name. It is unique among the developer users of the tenant.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	// +required
	Username string `json:"username"`

	// email is the user's email address. It is unique among the developer users of the tenant.
	// +kubebuilder:validation:MaxLength=255
	// +kubebuilder:validation:Pattern=`^[^@\s]+@[^@\s]+$`
	// +required
	Email string `json:"email"`

	// passwordCredentialsRef names the secret that holds the user's password under the key
	// `password`. The password is read only when the user is created in 3scale; changing it
	// later does not change the password in 3scale. The namespace defaults to the CR's.
	// +kubebuilder:validation:XValidation:rule="has(self.name) && self.name != ''",message="spec.passwordCredentialsRef.name is required: name the secret that holds the password",fieldPath=".name"
	// +required
	PasswordCredentialsRef corev1.SecretReference `json:"passwordCredentialsRef"`

	// developerAccountRef names the DeveloperAccount CR, in this namespace, that the user belongs
	// to. Pointing it at another DeveloperAccount moves the user: it is deleted from the old
	// account and created in the new one.
	// +kubebuilder:validation:XValidation:rule="has(self.name) && self.name != ''",message="spec.developerAccountRef.name is required: name the DeveloperAccount the user belongs to",fieldPath=".name"
	// +required
	DeveloperAccountRef corev1.LocalObjectReference `json:"developerAccountRef"`

	// suspended suspends the user in 3scale when true and reactivates it when false. Defaults to
	// false (active).
	// +optional
	Suspended bool `json:"suspended,omitempty"`

	// role is the user's role in its developer account: `admin` or `member`. Defaults to
	// `member`. A developer account is created together with its first admin user, so each
	// DeveloperAccount needs one DeveloperUser with role `admin`.
	// +kubebuilder:validation:Enum=admin;member
	// +kubebuilder:default=member
	// +optional
	Role *string `json:"role,omitempty"`

	// providerAccountRef names a secret in this namespace with the credentials of the 3scale
	// tenant (keys `adminURL` and `token`). When unset, the secret `threescale-provider-account`
	// in this namespace is used, else the default tenant of the APIManager in this namespace. It
	// must resolve to the same tenant as the user's DeveloperAccount.
	// +optional
	ProviderAccountRef *corev1.LocalObjectReference `json:"providerAccountRef,omitempty"`
}

// DeveloperUserStatus is the observed state of a DeveloperUser.
type DeveloperUserStatus struct {
	// developerUserID is the 3scale ID of the user.
	// +optional
	ID *int64 `json:"developerUserID,omitempty"`

	// accoundID is the 3scale ID of the developer account the user belongs to. The JSON name is
	// misspelt on purpose: it is the name the existing operator publishes and scripts read.
	// +optional
	AccountID *int64 `json:"accoundID,omitempty"`

	// developerUserState is the state of the user in 3scale, for example `pending`, `active` or
	// `suspended`.
	// +optional
	DeveloperUserState *string `json:"developerUserState,omitempty"`

	// providerAccountHost is the admin portal URL of the 3scale tenant the user belongs to.
	// +optional
	ProviderAccountHost string `json:"providerAccountHost,omitempty"`

	// observedGeneration is the metadata.generation of the spec the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions are the latest observations of the user: Ready, and Invalid, Orphan or Failed
	// when something is wrong.
	// +listType=map
	// +listMapKey=type
	// +patchStrategy=merge
	// +patchMergeKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`
}

// DeveloperUser manages a 3scale developer user inside the developer account named by
// spec.developerAccountRef.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=developerusers,scope=Namespaced
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="3scale ID",type=integer,JSONPath=`.status.developerUserID`
// +kubebuilder:printcolumn:name="Account",type=string,JSONPath=`.spec.developerAccountRef.name`,priority=1
// +kubebuilder:printcolumn:name="Role",type=string,JSONPath=`.spec.role`,priority=1
// +kubebuilder:printcolumn:name="State",type=string,JSONPath=`.status.developerUserState`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type DeveloperUser struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired developer user.
	// +required
	Spec DeveloperUserSpec `json:"spec"`

	// status is the observed state of the developer user, written by the operator.
	// +optional
	Status DeveloperUserStatus `json:"status,omitempty"`
}

// DeveloperUserList is a list of DeveloperUsers.
//
// +kubebuilder:object:root=true
type DeveloperUserList struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// items are the DeveloperUsers.
	Items []DeveloperUser `json:"items"`
}

func init() {
	SchemeBuilder.Register(&DeveloperUser{}, &DeveloperUserList{})
}
