package apimanager

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	capabilitiesv1alpha1 "github.com/threescale-oss/operator/api/capabilities/v1alpha1"
	"github.com/threescale-oss/operator/pkg/apimanager/render"
)

// TestIngressesOfEveryTenant: on plain Kubernetes, a Tenant made through this platform's master gets
// an Ingress for its admin and developer portals once its tenant Secret holds its admin URL.
func TestIngressesOfEveryTenant(t *testing.T) {
	ctx := context.Background()
	ns := namespace(t)
	apim := newAPIManager(ns)
	create(t, apim)
	tenant := &capabilitiesv1alpha1.Tenant{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "shop"},
		Spec: capabilitiesv1alpha1.TenantSpec{
			Username: "admin", Email: "admin@shop.example", OrganizationName: "Shop",
			SystemMasterURL:        "https://" + apim.MasterHost(),
			TenantSecretRef:        &corev1.SecretReference{Name: "shop-tenant"},
			PasswordCredentialsRef: corev1.SecretReference{Name: "shop-password"},
			MasterCredentialsRef:   corev1.SecretReference{Name: "system-seed"},
		},
	}
	create(t, tenant)
	// The Tenant controller (not running here) writes the tenant Secret, then the Tenant's status.
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "shop-tenant"},
		StringData: map[string]string{capabilitiesv1alpha1.TenantSecretAdminURLKey: "https://shop-admin." + apim.Spec.WildcardDomain,
			capabilitiesv1alpha1.TenantSecretTokenKey: "t"}})
	tenant.Status.TenantID = 2
	if err := k8s.Status().Update(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"shop-admin." + apim.Spec.WildcardDomain: render.SystemProviderName,
		"shop." + apim.Spec.WildcardDomain:       render.SystemDeveloperName,
	}
	eventually(t, 60*time.Second, func() error {
		var ing networkingv1.Ingress
		if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: render.TenantIngressPrefix + "shop"}, &ing); err != nil {
			return err
		}
		got := map[string]string{}
		for _, r := range ing.Spec.Rules {
			got[r.Host] = r.HTTP.Paths[0].Backend.Service.Name
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("rules %v, want %v", got, want)
		}
		return nil
	})
}
