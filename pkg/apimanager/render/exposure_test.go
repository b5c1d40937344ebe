package render

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

func TestExposureObjects(t *testing.T) {
	all := []string{"system-master", "system-provider", "system-developer", "backend", "apicast-staging", "apicast-production"}
	kinds := func(kind string, ns ...string) []string {
		var out []string
		for _, n := range ns {
			out = append(out, kind+"/"+n)
		}
		return out
	}
	cases := map[string]struct {
		reason string
		routes bool
		spec   appsv1alpha1.APIManagerSpec
		want   []string
	}{
		"OpenShift": {reason: "zync-que creates the other Routes, as with the existing operator",
			routes: true, want: []string{"Route/backend"}},
		"OpenShiftWithoutZync": {reason: "without zync nobody else creates the default tenant's Routes",
			routes: true, spec: appsv1alpha1.APIManagerSpec{Zync: &appsv1alpha1.ZyncSpec{Enabled: ptr.To(false)}},
			want: kinds("Route", all...)},
		"Kubernetes": {reason: "one Ingress per host without Routes", want: kinds("Ingress", all...)},
		"KubernetesWithoutZync": {reason: "zync does not matter off OpenShift",
			spec: appsv1alpha1.APIManagerSpec{Zync: &appsv1alpha1.ZyncSpec{Enabled: ptr.To(false)}},
			want: kinds("Ingress", all...)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := newTestInputs(tc.spec)
			in.RoutesAvailable = tc.routes
			if diff := cmp.Diff(tc.want, names(Exposure(in))); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
	if Exposure(nil) != nil || Exposure(&Inputs{}) != nil {
		t.Error("Exposure of a nil input must be nil")
	}
}

func TestExposureHosts(t *testing.T) {
	spec := appsv1alpha1.APIManagerSpec{TenantName: ptr.To("Acme"), Zync: &appsv1alpha1.ZyncSpec{Enabled: ptr.To(false)}}
	want := map[string]string{
		"system-master":      "master.apps.example.com -> system-master:http",
		"system-provider":    "acme-admin.apps.example.com -> system-provider:http",
		"system-developer":   "acme.apps.example.com -> system-developer:http",
		"backend":            "backend-acme.apps.example.com -> backend-listener:http",
		"apicast-staging":    "api-acme-apicast-staging.apps.example.com -> apicast-staging:gateway",
		"apicast-production": "api-acme-apicast-production.apps.example.com -> apicast-production:gateway",
	}
	for _, routes := range []bool{true, false} {
		in := newTestInputs(spec)
		in.RoutesAvailable = routes
		got := map[string]string{}
		for _, o := range Exposure(in) {
			switch o := o.(type) {
			case *unstructured.Unstructured:
				host, _, _ := unstructured.NestedString(o.Object, "spec", "host")
				svc, _, _ := unstructured.NestedString(o.Object, "spec", "to", "name")
				port, _, _ := unstructured.NestedString(o.Object, "spec", "port", "targetPort")
				got[o.GetName()] = host + " -> " + svc + ":" + port
			case *networkingv1.Ingress:
				r := o.Spec.Rules[0]
				b := r.HTTP.Paths[0].Backend.Service
				got[o.Name] = r.Host + " -> " + b.Name + ":" + b.Port.Name
			default:
				t.Fatalf("unexpected %T", o)
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("routes=%v: hosts (-want +got):\n%s", routes, diff)
		}
	}
}

func TestRouteTLS(t *testing.T) {
	in := newTestInputs(appsv1alpha1.APIManagerSpec{Zync: &appsv1alpha1.ZyncSpec{Enabled: ptr.To(false)}})
	in.RoutesAvailable = true
	want := map[string]string{
		"system-master": "Redirect", "system-provider": "Redirect", "system-developer": "Redirect",
		"backend": "Allow", "apicast-staging": "Allow", "apicast-production": "Allow",
	}
	got := map[string]string{}
	for _, o := range Exposure(in) {
		u := o.(*unstructured.Unstructured)
		if u.GetAPIVersion() != RouteAPIVersion || u.GetKind() != "Route" {
			t.Errorf("%s: %s %s", u.GetName(), u.GetAPIVersion(), u.GetKind())
		}
		term, _, _ := unstructured.NestedString(u.Object, "spec", "tls", "termination")
		insecure, _, _ := unstructured.NestedString(u.Object, "spec", "tls", "insecureEdgeTerminationPolicy")
		if term != "edge" {
			t.Errorf("%s: termination %q, want edge", u.GetName(), term)
		}
		got[u.GetName()] = insecure
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("portals redirect plain HTTP, gateways and backend accept it (-want +got):\n%s", diff)
	}
}

func TestIngressSettings(t *testing.T) {
	cases := map[string]struct {
		reason          string
		ingress         *appsv1alpha1.IngressSpec
		wantClass       *string
		wantAnnotations map[string]string
		wantTLS         []networkingv1.IngressTLS
	}{
		"Unset": {reason: "no spec.ingress: the cluster's default class, no TLS"},
		"Empty": {reason: "an empty class name means the default class", ingress: &appsv1alpha1.IngressSpec{IngressClassName: ptr.To("")}},
		"All": {reason: "class, annotations and TLS Secret from the spec",
			ingress: &appsv1alpha1.IngressSpec{
				IngressClassName: ptr.To("nginx"),
				Annotations:      map[string]string{"cert-manager.io/cluster-issuer": "letsencrypt"},
				TLSSecretRef:     &corev1.LocalObjectReference{Name: "wildcard"},
			},
			wantClass:       ptr.To("nginx"),
			wantAnnotations: map[string]string{"cert-manager.io/cluster-issuer": "letsencrypt"},
			wantTLS:         []networkingv1.IngressTLS{{Hosts: []string{"master.apps.example.com"}, SecretName: "wildcard"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := newTestInputs(appsv1alpha1.APIManagerSpec{Ingress: tc.ingress})
			ing := Exposure(in)[0].(*networkingv1.Ingress)
			if ing.Name != SystemMasterName {
				t.Fatalf("first Ingress %s, want system-master", ing.Name)
			}
			if diff := cmp.Diff(tc.wantClass, ing.Spec.IngressClassName); diff != "" {
				t.Errorf("%s: class (-want +got):\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.wantAnnotations, ing.Annotations); diff != "" {
				t.Errorf("%s: annotations (-want +got):\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.wantTLS, ing.Spec.TLS); diff != "" {
				t.Errorf("%s: TLS (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
	// The rendered annotations are a copy: changing them must not change the spec.
	in := newTestInputs(appsv1alpha1.APIManagerSpec{Ingress: &appsv1alpha1.IngressSpec{Annotations: map[string]string{"a": "b"}}})
	Exposure(in)[0].(*networkingv1.Ingress).Annotations["a"] = "changed"
	if in.APIManager.Spec.Ingress.Annotations["a"] != "b" {
		t.Error("rendering shares the spec's annotation map")
	}
}

// TestTenantIngresses: off OpenShift, every tenant of in.Tenants gets an Ingress for its admin and
// developer portals, routed to system-provider and system-developer; hosts already served are
// not repeated; on OpenShift zync-que makes their Routes.
func TestTenantIngresses(t *testing.T) {
	in := newTestInputs(appsv1alpha1.APIManagerSpec{Ingress: &appsv1alpha1.IngressSpec{
		TLSSecretRef: &corev1.LocalObjectReference{Name: "wildcard-tls"}}})
	in.Tenants = []TenantPortals{
		{Name: "shop", AdminHost: "shop-admin.apps.example.com", DeveloperHost: "shop.apps.example.com"},
		{Name: "custom", AdminHost: "admin.other.example"},
		{Name: "default-again", AdminHost: in.APIManager.AdminPortalHost(), DeveloperHost: in.APIManager.DeveloperPortalHost()},
	}
	got := map[string][]string{}
	for _, o := range Exposure(in) {
		ing, ok := o.(*networkingv1.Ingress)
		if !ok || !strings.HasPrefix(ing.Name, TenantIngressPrefix) {
			continue
		}
		for _, r := range ing.Spec.Rules {
			got[ing.Name] = append(got[ing.Name], r.Host+" "+r.HTTP.Paths[0].Backend.Service.Name)
		}
		if len(ing.Spec.TLS) != 1 || len(ing.Spec.TLS[0].Hosts) != len(ing.Spec.Rules) {
			t.Errorf("%s TLS %+v", ing.Name, ing.Spec.TLS)
		}
	}
	want := map[string][]string{
		"tenant-shop":   {"shop-admin.apps.example.com system-provider", "shop.apps.example.com system-developer"},
		"tenant-custom": {"admin.other.example system-provider"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tenant Ingresses (-want +got):\n%s", diff)
	}
	in.RoutesAvailable = true
	for _, o := range Exposure(in) {
		if strings.HasPrefix(o.GetName(), TenantIngressPrefix) {
			t.Errorf("%s rendered on OpenShift", o.GetName())
		}
	}
}
