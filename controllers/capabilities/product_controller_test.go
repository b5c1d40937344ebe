package capabilities

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/product"
	"github.com/threescale-oss/operator/pkg/external"
)

func TestProductSecretNames(t *testing.T) {
	p := &capabilitiesv1beta1.Product{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p"},
		Spec: capabilitiesv1beta1.ProductSpec{Name: "P", Deployment: &capabilitiesv1beta1.ProductDeploymentSpec{ApicastHosted: &capabilitiesv1beta1.ApicastHostedSpec{
			Authentication: &capabilitiesv1beta1.AuthenticationSpec{OIDC: &capabilitiesv1beta1.OIDCSpec{
				IssuerType: "keycloak", IssuerEndpointRef: &corev1.SecretReference{Name: "issuer"},
			}},
		}}},
	}
	p.Spec.Policies = []capabilitiesv1beta1.PolicyConfig{
		{Name: "a", ConfigurationRef: &corev1.SecretReference{Name: "conf-a", Namespace: "ns"}},
		{Name: "b", ConfigurationRef: &corev1.SecretReference{Name: "elsewhere", Namespace: "other"}},
	}
	want := []string{"threescale-provider-account", "system-seed", "issuer", "conf-a"}
	if diff := cmp.Diff(want, productSecretNames(p)); diff != "" {
		t.Errorf("-want, +got:\n%s", diff)
	}
}

func TestProductForeignSecrets(t *testing.T) {
	p := &capabilitiesv1beta1.Product{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p"},
		Spec: capabilitiesv1beta1.ProductSpec{Name: "P", Deployment: &capabilitiesv1beta1.ProductDeploymentSpec{ApicastHosted: &capabilitiesv1beta1.ApicastHostedSpec{
			Authentication: &capabilitiesv1beta1.AuthenticationSpec{OIDC: &capabilitiesv1beta1.OIDCSpec{
				IssuerType: "keycloak", IssuerEndpointRef: &corev1.SecretReference{Name: "issuer", Namespace: "sso"},
			}},
		}}},
	}
	p.Spec.Policies = []capabilitiesv1beta1.PolicyConfig{
		{Name: "a", ConfigurationRef: &corev1.SecretReference{Name: "conf-a", Namespace: "ns"}},
		{Name: "b", ConfigurationRef: &corev1.SecretReference{Name: "elsewhere", Namespace: "other"}},
		{Name: "c", ConfigurationRef: &corev1.SecretReference{Name: "local"}},
	}
	want := []string{"sso/issuer", "other/elsewhere"}
	if diff := cmp.Diff(want, productForeignSecrets(p)); diff != "" {
		t.Errorf("-want, +got:\n%s", diff)
	}
}

// TestBackendSyncChanged checks the predicate's wiring (external.UpdatedWhen); product.BackendChanged has the table of
// which Backend changes matter.
func TestBackendSyncChanged(t *testing.T) {
	before := &capabilitiesv1beta1.Backend{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "b", Generation: 1}}
	annotated := before.DeepCopy()
	annotated.Annotations = map[string]string{"x": "y"}
	deleting := before.DeepCopy()
	now := metav1.Now()
	deleting.DeletionTimestamp = &now
	cases := map[string]struct {
		old, new client.Object
		want     bool
	}{
		"BackendAnnotationOnly": {before, annotated, false},
		"BackendDeleting":       {before, deleting, true},
		"NotABackend":           {&capabilitiesv1beta1.Product{}, &capabilitiesv1beta1.Product{}, true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := external.UpdatedWhen(product.BackendChanged).Update(event.UpdateEvent{ObjectOld: tc.old, ObjectNew: tc.new}); got != tc.want {
				t.Errorf("Update passes = %v, want %v", got, tc.want)
			}
		})
	}
}
