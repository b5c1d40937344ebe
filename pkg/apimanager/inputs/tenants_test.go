package inputs

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	capabilitiesv1alpha1 "github.com/threescale-oss/operator/api/capabilities/v1alpha1"
	"github.com/threescale-oss/operator/pkg/apimanager/render"
)

// TestGatherTenantPortals: off OpenShift, the Tenants of the namespace made through this platform's
// master, whose tenant Secret holds their admin URL, give the hosts of their portals.
func TestGatherTenantPortals(t *testing.T) {
	apim := apiManager()
	ns := apim.Namespace
	tenant := func(name, master, secret string) *capabilitiesv1alpha1.Tenant {
		return &capabilitiesv1alpha1.Tenant{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			Spec: capabilitiesv1alpha1.TenantSpec{OrganizationName: name, SystemMasterURL: master,
				TenantSecretRef: &corev1.SecretReference{Name: secret}}}
	}
	adminURL := func(name, url string) *corev1.Secret {
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			Data: map[string][]byte{capabilitiesv1alpha1.TenantSecretAdminURLKey: []byte(url)}}
	}
	domain := apim.Spec.WildcardDomain
	objs := []client.Object{
		tenant("shop", "https://"+apim.MasterHost(), "shop-secret"), adminURL("shop-secret", "https://shop-admin."+domain),
		tenant("internal", "http://system-master:3000", "internal-secret"), adminURL("internal-secret", "https://int-admin."+domain+"/"),
		tenant("custom", "https://"+apim.MasterHost(), "custom-secret"), adminURL("custom-secret", "https://admin.other.example"),
		tenant("pending", "https://"+apim.MasterHost(), "pending-secret"), // not created in 3scale yet
		tenant("elsewhere", "https://master.other.example", "elsewhere-secret"), adminURL("elsewhere-secret", "https://x-admin."+domain),
	}
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, capabilitiesv1alpha1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	reader := fake.NewClientBuilder().WithScheme(scheme).WithObjects(objs...).Build()
	g := &Gatherer{Reader: reader, Generate: counter()}
	got, err := g.Gather(context.Background(), apim)
	if err != nil {
		t.Fatal(err)
	}
	want := []render.TenantPortals{
		{Name: "custom", AdminHost: "admin.other.example"},
		{Name: "internal", AdminHost: "int-admin." + domain, DeveloperHost: "int." + domain},
		{Name: "shop", AdminHost: "shop-admin." + domain, DeveloperHost: "shop." + domain},
	}
	if diff := cmp.Diff(want, got.Inputs.Tenants); diff != "" {
		t.Errorf("tenants (-want +got):\n%s", diff)
	}

	// On OpenShift zync-que makes their Routes: nothing is gathered.
	g.APIs = fixedAPIs{apis: APIs{Routes: true}}
	if got, err := g.Gather(context.Background(), apim); err != nil || got.Inputs.Tenants != nil {
		t.Errorf("on OpenShift: %v, %v", got.Inputs.Tenants, err)
	}
}
