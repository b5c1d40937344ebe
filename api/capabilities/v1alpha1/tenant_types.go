package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Condition types of a Tenant. The existing operator sets only Ready (and declares Failed); scripts
// wait on `kubectl wait --for=condition=Ready tenant/<name>`.
const (
	// TenantReadyConditionType is True when the tenant exists in 3scale, its admin user is active,
	// and the tenant credentials secret has been written.
	TenantReadyConditionType = "Ready"

	// TenantInvalidConditionType is True when the spec cannot be applied as written (for example
	// 3scale rejected a field with 422). The operator does not retry until the spec changes.
	TenantInvalidConditionType = "Invalid"

	// TenantFailedConditionType is True when the last attempt to synchronize with the 3scale master
	// account failed. The operator retries with back-off.
	TenantFailedConditionType = "Failed"
)

// Reasons of the Tenant conditions (the `reason` field, CamelCase).
const (
	// TenantSyncedReason means the tenant and its admin user match the spec.
	TenantSyncedReason = "Synced"
	// TenantInvalidSpecReason means the spec was rejected (by validation in the operator or by 3scale).
	TenantInvalidSpecReason = "InvalidSpec"
	// TenantSecretNotFoundReason means the master or admin password secret, or one of their keys,
	// does not exist yet. The operator retries.
	TenantSecretNotFoundReason = "SecretNotFound"
	// TenantUnauthorizedReason means 3scale answered 401 or 403: the master access token is wrong.
	TenantUnauthorizedReason = "Unauthorized"
	// TenantRemoteErrorReason means 3scale could not be reached or answered with a server error.
	TenantRemoteErrorReason = "RemoteError"
	// TenantDeletingReason means the CR is being deleted and the tenant is being removed from 3scale.
	TenantDeletingReason = "Deleting"
)

// Keys of the secrets a Tenant reads and writes.
const (
	// TenantMasterAccessTokenSecretKey is the key of the master credentials secret
	// (spec.masterCredentialsRef) that holds a master access token with Account Management API
	// read and write scope. APIManager's `system-seed` secret has it.
	TenantMasterAccessTokenSecretKey = "MASTER_ACCESS_TOKEN"

	// TenantAdminPasswordSecretKey is the key of the admin password secret
	// (spec.passwordCredentialsRef) that holds the password of the tenant's admin user.
	TenantAdminPasswordSecretKey = "admin_password"

	// TenantSecretTokenKey is the key of the tenant credentials secret (spec.tenantSecretRef)
	// that the operator fills with an access token of the new tenant's admin user.
	TenantSecretTokenKey = "token"

	// TenantSecretAdminURLKey is the key of the tenant credentials secret (spec.tenantSecretRef)
	// that the operator fills with the tenant's admin portal URL. Together with
	// TenantSecretTokenKey it makes the secret usable as a `providerAccountRef` of other kinds.
	TenantSecretAdminURLKey = "adminURL"
)

const (
	// TenantIDAnnotation is the annotation in which the existing operator mirrors status.tenantId.
	// It lets a CR re-adopt an existing tenant when its status is lost (backup and restore).
	TenantIDAnnotation = "tenantID"

	// TenantFinalizer is the finalizer that makes the operator delete the tenant from 3scale
	// before the CR goes away. Its name is the existing operator's, so CRs created by it are
	// handled the same way.
	TenantFinalizer = "tenant.capabilities.3scale.net/finalizer"
)

// TenantSpec is the desired state of a 3scale tenant (a provider account created through the
// master account). Tenant names, emails and the admin user are set when the tenant is created;
// fromEmail, supportEmail, financeSupportEmail and siteAccessCode are kept in sync afterwards.
type TenantSpec struct {
	// username is the login name of the tenant's admin user, created together with the tenant.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	// +required
	Username string `json:"username"`

	// email is the email address of the tenant's admin user, for example `admin@ecorp.com`.
	// +kubebuilder:validation:MaxLength=255
	// +kubebuilder:validation:Pattern=`^[^@\s]+@[^@\s]+$`
	// +required
	Email string `json:"email"`

	// organizationName is the name of the tenant's organization (3scale `org_name`). The tenant's
	// admin portal host is derived from it by 3scale.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	// +required
	OrganizationName string `json:"organizationName"`

	// systemMasterUrl is the URL of the 3scale master portal, through which tenants are managed,
	// for example `https://master.apps.example.com`. With APIManager it is
	// `https://master.<wildcardDomain>`.
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:Pattern=`^https?://[^\s]+$`
	// +required
	SystemMasterURL string `json:"systemMasterUrl"`

	// tenantSecretRef names the secret where the operator stores the new tenant's credentials
	// (keys `token` and `adminURL`), ready to be used as `providerAccountRef` by other kinds.
	// Optional: the name defaults to `<metadata.name>-<lowercased organizationName>` and the
	// namespace to the Tenant's namespace. The operator computes the default; it never writes it
	// into the spec.
	// +optional
	TenantSecretRef *corev1.SecretReference `json:"tenantSecretRef,omitempty"`

	// passwordCredentialsRef names the secret with the password of the tenant's admin user, under
	// the key `admin_password`. It must exist before the tenant can be created. The namespace
	// defaults to the Tenant's namespace.
	// +kubebuilder:validation:XValidation:rule="has(self.name) && self.name != ''",message="spec.passwordCredentialsRef.name is required: name the secret that holds admin_password",fieldPath=".name"
	// +required
	PasswordCredentialsRef corev1.SecretReference `json:"passwordCredentialsRef"`

	// masterCredentialsRef names the secret with the master account's access token, under the key
	// `MASTER_ACCESS_TOKEN` (APIManager's `system-seed` secret has it). The namespace defaults to
	// the Tenant's namespace.
	// +kubebuilder:validation:XValidation:rule="has(self.name) && self.name != ''",message="spec.masterCredentialsRef.name is required: name the secret that holds MASTER_ACCESS_TOKEN",fieldPath=".name"
	// +required
	MasterCredentialsRef corev1.SecretReference `json:"masterCredentialsRef"`

	// fromEmail is the address the tenant's outgoing emails are sent from (3scale `from_email`).
	// Unset leaves the 3scale value unchanged; an empty string clears it.
	// +kubebuilder:validation:MaxLength=255
	// +kubebuilder:validation:Pattern=`^([^@\s]+@[^@\s]+)?$`
	// +optional
	FromEmail *string `json:"fromEmail,omitempty"`

	// supportEmail is the tenant's support email address shown to developers
	// (3scale `support_email`). Unset leaves the 3scale value unchanged; an empty string clears it.
	// +kubebuilder:validation:MaxLength=255
	// +kubebuilder:validation:Pattern=`^([^@\s]+@[^@\s]+)?$`
	// +optional
	SupportEmail *string `json:"supportEmail,omitempty"`

	// financeSupportEmail is the tenant's billing support email address
	// (3scale `finance_support_email`). Unset leaves the 3scale value unchanged; an empty string clears it.
	// +kubebuilder:validation:MaxLength=255
	// +kubebuilder:validation:Pattern=`^([^@\s]+@[^@\s]+)?$`
	// +optional
	FinanceSupportEmail *string `json:"financeSupportEmail,omitempty"`

	// siteAccessCode is the access code that protects the tenant's developer portal while it is
	// not public (3scale `site_access_code`). Unset leaves the 3scale value as it is.
	// +kubebuilder:validation:MaxLength=255
	// +optional
	SiteAccessCode *string `json:"siteAccessCode,omitempty"`
}

// TenantStatus is the observed state of a Tenant.
type TenantStatus struct {
	// tenantId is the 3scale ID of the tenant's provider account; 0 until the tenant is created.
	// +optional
	TenantID int64 `json:"tenantId"`

	// adminId is the 3scale ID of the tenant's admin user; 0 until the user is created.
	// +optional
	AdminID int64 `json:"adminId"`

	// observedGeneration is the metadata.generation of the spec the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions are the latest observations of the Tenant: Ready, and Invalid or Failed when
	// something is wrong.
	// +listType=map
	// +listMapKey=type
	// +patchStrategy=merge
	// +patchMergeKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`
}

// Tenant creates and manages a 3scale tenant (provider account) through the 3scale master account,
// and writes the new tenant's admin portal URL and access token into a secret.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=tenants,scope=Namespaced
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="3scale ID",type=integer,JSONPath=`.status.tenantId`
// +kubebuilder:printcolumn:name="Organization",type=string,JSONPath=`.spec.organizationName`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Tenant struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired tenant.
	// +required
	Spec TenantSpec `json:"spec"`

	// status is the observed state of the tenant, written by the operator.
	// +optional
	Status TenantStatus `json:"status,omitempty"`
}

// TenantList is a list of Tenants.
//
// +kubebuilder:object:root=true
type TenantList struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// items are the Tenants.
	Items []Tenant `json:"items"`
}

func init() {
	SchemeBuilder.Register(&Tenant{}, &TenantList{})
}
