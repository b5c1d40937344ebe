package v1beta1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Condition types of a DeveloperAccount, as the existing operator sets them.
const (
	// DeveloperAccountReadyConditionType is True when the developer account exists in 3scale and
	// matches the spec.
	DeveloperAccountReadyConditionType = "Ready"

	// DeveloperAccountInvalidConditionType is True when the spec cannot be applied as written
	// (3scale rejected it with 422). The operator does not retry until the spec changes.
	DeveloperAccountInvalidConditionType = "Invalid"

	// DeveloperAccountWaitingConditionType is True while the account cannot be created yet: 3scale
	// creates an account together with its first admin user, so a DeveloperUser with role `admin`
	// that references this DeveloperAccount must exist first. The operator retries.
	DeveloperAccountWaitingConditionType = "Waiting"

	// DeveloperAccountFailedConditionType is True when the last synchronization with 3scale failed.
	// The operator retries with back-off.
	DeveloperAccountFailedConditionType = "Failed"
)

// Reasons of the DeveloperAccount conditions (the `reason` field, CamelCase).
const (
	// DeveloperAccountSyncedReason means the account in 3scale matches the spec.
	DeveloperAccountSyncedReason = "Synced"
	// DeveloperAccountInvalidSpecReason means the spec was rejected by the operator or by 3scale.
	DeveloperAccountInvalidSpecReason = "InvalidSpec"
	// DeveloperAccountWaitingForAdminUserReason means no admin DeveloperUser references the account yet.
	DeveloperAccountWaitingForAdminUserReason = "WaitingForAdminUser"
	// DeveloperAccountProviderAccountNotFoundReason means no 3scale tenant credentials were found
	// (providerAccountRef secret, `threescale-provider-account` secret, or a local APIManager).
	DeveloperAccountProviderAccountNotFoundReason = "ProviderAccountNotFound"
	// DeveloperAccountUnauthorizedReason means 3scale answered 401 or 403 to the tenant token.
	DeveloperAccountUnauthorizedReason = "Unauthorized"
	// DeveloperAccountRemoteErrorReason means 3scale could not be reached or answered with a server error.
	DeveloperAccountRemoteErrorReason = "RemoteError"
	// DeveloperAccountDeletingReason means the CR is being deleted and the account is being removed from 3scale.
	DeveloperAccountDeletingReason = "Deleting"
)

const (
	// DeveloperAccountIDAnnotation is the annotation in which the existing operator mirrors
	// status.accountID. Setting it on a new CR makes the operator adopt that 3scale account
	// instead of creating one (used after backup and restore, when the status is lost).
	DeveloperAccountIDAnnotation = "accountID"

	// DeveloperAccountFinalizer makes the operator delete the account from 3scale before the CR
	// goes away. The name is the existing operator's, so CRs created by it are handled alike.
	DeveloperAccountFinalizer = "developeraccount.capabilities.3scale.net/finalizer"
)

// DeveloperAccountSpec is the desired state of a 3scale developer account (a buyer account: an
// organization whose users consume the tenant's APIs through applications).
type DeveloperAccountSpec struct {
	// orgName is the organization name of the developer account (3scale `org_name`).
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	// +required
	OrgName string `json:"orgName"`

	// monthlyBillingEnabled turns monthly billing of the account on or off (3scale
	// `monthly_billing_enabled`). Defaults to true.
	// +kubebuilder:default=true
	// +optional
	MonthlyBillingEnabled *bool `json:"monthlyBillingEnabled,omitempty"`

	// monthlyChargingEnabled turns monthly charging of the account's invoices on or off (3scale
	// `monthly_charging_enabled`). Defaults to true.
	// +kubebuilder:default=true
	// +optional
	MonthlyChargingEnabled *bool `json:"monthlyChargingEnabled,omitempty"`

	// providerAccountRef names a secret in this namespace with the credentials of the 3scale
	// tenant that owns the account: keys `adminURL` (the tenant's admin portal URL) and `token`
	// (an access token with Account Management API read and write scope). When unset, the secret
	// `threescale-provider-account` in this namespace is used, else the default tenant of the
	// APIManager in this namespace.
	// +optional
	ProviderAccountRef *corev1.LocalObjectReference `json:"providerAccountRef,omitempty"`
}

// DeveloperAccountStatus is the observed state of a DeveloperAccount.
type DeveloperAccountStatus struct {
	// accountID is the 3scale ID of the developer account.
	// +optional
	ID *int64 `json:"accountID,omitempty"`

	// accountState is the state of the account in 3scale, for example `approved`, `pending`,
	// `rejected` or `suspended`.
	// +optional
	AccountState *string `json:"accountState,omitempty"`

	// creditCardStored tells whether 3scale holds credit card details for the account.
	// +optional
	CreditCardStored *bool `json:"creditCardStored,omitempty"`

	// providerAccountHost is the admin portal URL of the 3scale tenant the account belongs to.
	// +optional
	ProviderAccountHost string `json:"providerAccountHost,omitempty"`

	// observedGeneration is the metadata.generation of the spec the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions are the latest observations of the account: Ready, and Invalid, Waiting or
	// Failed when something is wrong.
	// +listType=map
	// +listMapKey=type
	// +patchStrategy=merge
	// +patchMergeKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`
}

// DeveloperAccount manages a 3scale developer account. 3scale creates an account together with its
// first admin user, so create a DeveloperUser with role `admin` that references it as well.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=developeraccounts,scope=Namespaced
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="3scale ID",type=integer,JSONPath=`.status.accountID`
// +kubebuilder:printcolumn:name="State",type=string,JSONPath=`.status.accountState`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type DeveloperAccount struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired developer account.
	// +required
	Spec DeveloperAccountSpec `json:"spec"`

	// status is the observed state of the developer account, written by the operator.
	// +optional
	Status DeveloperAccountStatus `json:"status,omitempty"`
}

// DeveloperAccountList is a list of DeveloperAccounts.
//
// +kubebuilder:object:root=true
type DeveloperAccountList struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// items are the DeveloperAccounts.
	Items []DeveloperAccount `json:"items"`
}

func init() {
	SchemeBuilder.Register(&DeveloperAccount{}, &DeveloperAccountList{})
}
