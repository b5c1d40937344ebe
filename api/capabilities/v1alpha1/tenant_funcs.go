package v1alpha1

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation"
)

// maxSecretNameLength is the longest valid Secret name (a DNS-1123 subdomain).
const maxSecretNameLength = 253

// MasterSecretKey returns where the master credentials secret lives: spec.masterCredentialsRef,
// with the namespace defaulting to the Tenant's own.
func (t *Tenant) MasterSecretKey() types.NamespacedName {
	return t.secretKey(t.Spec.MasterCredentialsRef)
}

// AdminPasswordSecretKey returns where the admin password secret lives:
// spec.passwordCredentialsRef, with the namespace defaulting to the Tenant's own.
func (t *Tenant) AdminPasswordSecretKey() types.NamespacedName {
	return t.secretKey(t.Spec.PasswordCredentialsRef)
}

// TenantSecretKey returns where the operator writes the tenant credentials secret.
//
// When spec.tenantSecretRef (or its name) is unset, the name is the existing operator's default,
// `<metadata.name>-<lowercased spec.organizationName>`, so that users who relied on it find their
// secret where it always was. Characters a Secret name cannot hold (spaces, underscores, ...) are
// replaced with '-' and the result is cut to 253 characters; for every organization name that
// already gave a valid name this is exactly the existing operator's default. The namespace
// defaults to the Tenant's own.
func (t *Tenant) TenantSecretKey() types.NamespacedName {
	var ref corev1.SecretReference
	if t.Spec.TenantSecretRef != nil {
		ref = *t.Spec.TenantSecretRef
	}
	if ref.Name == "" {
		ref.Name = defaultTenantSecretName(t.Name, t.Spec.OrganizationName)
	}
	return t.secretKey(ref)
}

func (t *Tenant) secretKey(ref corev1.SecretReference) types.NamespacedName {
	ns := ref.Namespace
	if ns == "" {
		ns = t.Namespace
	}
	return types.NamespacedName{Namespace: ns, Name: ref.Name}
}

// defaultTenantSecretName builds `<crName>-<orgName>` in lower case, made into a valid Secret name.
func defaultTenantSecretName(crName, orgName string) string {
	raw := strings.ToLower(crName + "-" + orgName)
	name := toSecretName(raw, true)
	if len(validation.IsDNS1123Subdomain(name)) > 0 {
		// Dots next to dashes or to each other make empty or dash-led labels; drop the dots.
		name = toSecretName(raw, false)
	}
	return name
}

// toSecretName replaces every character a Secret name cannot hold with '-', keeping dots when
// keepDots is set, cuts the result to the longest valid length, and trims the characters a name
// cannot start or end with.
func toSecretName(s string, keepDots bool) string {
	name := strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '-' || (keepDots && r == '.') {
			return r
		}
		return '-'
	}, s)
	if len(name) > maxSecretNameLength {
		name = name[:maxSecretNameLength]
	}
	return strings.Trim(name, "-.")
}
