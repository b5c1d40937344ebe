package v1alpha1

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation"
)

func TestTenantSecretKeys(t *testing.T) {
	cases := map[string]struct {
		reason string
		tenant Tenant
		want   map[string]types.NamespacedName
	}{
		"DefaultsFromExistingOperator": {
			reason: "Without tenantSecretRef the secret is <name>-<lower(org)> in the CR's namespace, as the existing operator names it.",
			tenant: Tenant{
				ObjectMeta: metav1.ObjectMeta{Name: "tenant-sample", Namespace: "ns1"},
				Spec: TenantSpec{
					OrganizationName:       "Example.com",
					MasterCredentialsRef:   corev1.SecretReference{Name: "system-seed"},
					PasswordCredentialsRef: corev1.SecretReference{Name: "ecorp-admin-secret", Namespace: "other"},
				},
			},
			want: map[string]types.NamespacedName{
				"master":   {Namespace: "ns1", Name: "system-seed"},
				"password": {Namespace: "other", Name: "ecorp-admin-secret"},
				"tenant":   {Namespace: "ns1", Name: "tenant-sample-example.com"},
			},
		},
		"ExplicitTenantSecretRef": {
			reason: "A tenantSecretRef with name and namespace is used as written.",
			tenant: Tenant{
				ObjectMeta: metav1.ObjectMeta{Name: "ecorp-tenant", Namespace: "ns1"},
				Spec: TenantSpec{
					OrganizationName: "ECorp",
					TenantSecretRef:  &corev1.SecretReference{Name: "tenant-secret", Namespace: "operator-test"},
				},
			},
			want: map[string]types.NamespacedName{
				"master":   {Namespace: "ns1"},
				"password": {Namespace: "ns1"},
				"tenant":   {Namespace: "operator-test", Name: "tenant-secret"},
			},
		},
		"TenantSecretRefWithoutName": {
			reason: "A tenantSecretRef that only sets the namespace still gets the default name.",
			tenant: Tenant{
				ObjectMeta: metav1.ObjectMeta{Name: "ecorp-tenant", Namespace: "ns1"},
				Spec: TenantSpec{
					OrganizationName: "ECorp",
					TenantSecretRef:  &corev1.SecretReference{Namespace: "secrets"},
				},
			},
			want: map[string]types.NamespacedName{
				"master":   {Namespace: "ns1"},
				"password": {Namespace: "ns1"},
				"tenant":   {Namespace: "secrets", Name: "ecorp-tenant-ecorp"},
			},
		},
		"OrganizationNameWithSpaces": {
			reason: "Characters a Secret name cannot hold become '-' so the default is a valid name.",
			tenant: Tenant{
				ObjectMeta: metav1.ObjectMeta{Name: "t1", Namespace: "ns1"},
				Spec:       TenantSpec{OrganizationName: "ACME Corp_Europe!"},
			},
			want: map[string]types.NamespacedName{
				"master":   {Namespace: "ns1"},
				"password": {Namespace: "ns1"},
				"tenant":   {Namespace: "ns1", Name: "t1-acme-corp-europe"},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := map[string]types.NamespacedName{
				"master":   tc.tenant.MasterSecretKey(),
				"password": tc.tenant.AdminPasswordSecretKey(),
				"tenant":   tc.tenant.TenantSecretKey(),
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestDefaultTenantSecretNameIsValid(t *testing.T) {
	cases := map[string]struct {
		crName, orgName string
	}{
		"Plain":         {crName: "tenant", orgName: "ECorp"},
		"TrailingPunct": {crName: "tenant", orgName: "ECorp Inc."},
		"DotDash":       {crName: "tenant", orgName: "Inc. -X..Y"},
		"Unicode":       {crName: "tenant", orgName: "Société Générale"},
		"VeryLong":      {crName: strings.Repeat("a", 200), orgName: strings.Repeat("B c", 100)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := defaultTenantSecretName(tc.crName, tc.orgName)
			if errs := validation.IsDNS1123Subdomain(got); len(errs) > 0 {
				t.Errorf("defaultTenantSecretName(%q, %q) = %q, not a valid Secret name: %v", tc.crName, tc.orgName, got, errs)
			}
		})
	}
}
