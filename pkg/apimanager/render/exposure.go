package render

import (
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// RouteAPIVersion is the API of OpenShift Routes. Routes are rendered as unstructured objects so
// that the operator does not depend on OpenShift's Go API for the one kind it writes.
const RouteAPIVersion = "route.openshift.io/v1"

// endpoint is a public host of the platform and the Service port it leads to.
type endpoint struct {
	// name is the name of the Route or Ingress.
	name, component, element string
	host                     string
	service                  string
	// port is the Service port name.
	port string
	// redirectHTTP sends plain HTTP to HTTPS (the portals, which porta serves over HTTPS only); the
	// gateways and backend also answer plain HTTP, as in the existing operator.
	redirectHTTP bool
	// always marks the endpoint the operator creates even on OpenShift with zync enabled.
	always bool
}

// endpoints lists the public hosts of the default tenant: master portal, admin and developer
// portals, backend listener, APIcast staging and production.
func endpoints(in *Inputs) []endpoint {
	apim := in.APIManager
	return []endpoint{
		{name: SystemMasterName, component: ComponentSystem, element: "master-ui", host: apim.MasterHost(),
			service: SystemMasterName, port: "http", redirectHTTP: true},
		{name: SystemProviderName, component: ComponentSystem, element: "provider-ui", host: apim.AdminPortalHost(),
			service: SystemProviderName, port: "http", redirectHTTP: true},
		{name: SystemDeveloperName, component: ComponentSystem, element: "developer-ui", host: apim.DeveloperPortalHost(),
			service: SystemDeveloperName, port: "http", redirectHTTP: true},
		{name: "backend", component: ComponentBackend, element: "listener", host: apim.BackendHost(),
			service: BackendListenerName, port: "http", always: true},
		{name: ApicastStagingName, component: ComponentApicast, element: "staging", host: apim.ApicastStagingHost(),
			service: ApicastStagingName, port: "gateway"},
		{name: ApicastProductionName, component: ComponentApicast, element: "production", host: apim.ApicastProductionHost(),
			service: ApicastProductionName, port: "gateway"},
	}
}

// Exposure returns what makes the platform reachable from outside the cluster.
//
// On OpenShift (in.RoutesAvailable) it follows the existing operator: the `backend` Route, while
// zync-que creates the Routes of the master portal, of every tenant's portals and of every
// product's gateways, and keeps them in step with 3scale. Creating those too would give two Routes
// per host, and OpenShift admits only the older. When zync is disabled nothing else would create
// them, so the operator renders the default tenant's Routes itself.
//
// Elsewhere it renders one Ingress per host of the default tenant (the same hosts), with the class,
// annotations and TLS Secret of spec.ingress, and one Ingress per tenant of in.Tenants for its
// admin and developer portals. Products' gateway hosts are not covered: on Kubernetes a wildcard
// Ingress or DNS entry of the user's choice serves them.
func Exposure(in *Inputs) []client.Object {
	if !in.ok() {
		return nil
	}
	var objs []client.Object
	for _, e := range endpoints(in) {
		switch {
		case !in.RoutesAvailable:
			objs = append(objs, newIngress(in, e))
		case e.always || !in.APIManager.IsZyncEnabled():
			objs = append(objs, newRoute(in, e))
		}
	}
	if !in.RoutesAvailable {
		objs = append(objs, tenantIngresses(in)...)
	}
	return objs
}

// newRoute returns an edge-terminated Route for e. The router's default certificate serves it, as
// with the Routes zync creates.
func newRoute(in *Inputs, e endpoint) client.Object {
	insecure := "Allow"
	if e.redirectHTTP {
		insecure = "Redirect"
	}
	meta := objectMeta(in, e.name, e.component, e.element)
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": RouteAPIVersion,
		"kind":       "Route",
		"spec": map[string]any{
			"host": e.host,
			"to":   map[string]any{"kind": "Service", "name": e.service, "weight": int64(100)},
			"port": map[string]any{"targetPort": e.port},
			"tls": map[string]any{
				"termination":                   "edge",
				"insecureEdgeTerminationPolicy": insecure,
			},
			"wildcardPolicy": "None",
		},
	}}
	u.SetName(meta.Name)
	u.SetNamespace(meta.Namespace)
	u.SetLabels(meta.Labels)
	return u
}

// ingressRule routes a host to a Service port.
type ingressRule struct{ host, service, port string }

// newIngress returns the Ingress of e, with spec.ingress's class, annotations and TLS Secret. TLS
// should terminate at the Ingress or before it: porta redirects plain HTTP to HTTPS.
func newIngress(in *Inputs, e endpoint) client.Object {
	return newIngressOf(in, objectMeta(in, e.name, e.component, e.element), ingressRule{e.host, e.service, e.port})
}

// newIngressOf returns an Ingress with one rule per host, and spec.ingress's class, annotations and
// TLS Secret.
func newIngressOf(in *Inputs, meta metav1.ObjectMeta, rules ...ingressRule) *networkingv1.Ingress {
	pathType := networkingv1.PathTypePrefix
	ing := &networkingv1.Ingress{
		TypeMeta:   typeMeta("networking.k8s.io/v1", "Ingress"),
		ObjectMeta: meta,
	}
	var hosts []string
	for _, r := range rules {
		hosts = append(hosts, r.host)
		ing.Spec.Rules = append(ing.Spec.Rules, networkingv1.IngressRule{
			Host: r.host,
			IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
				Paths: []networkingv1.HTTPIngressPath{{
					Path:     "/",
					PathType: &pathType,
					Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
						Name: r.service,
						Port: networkingv1.ServiceBackendPort{Name: r.port},
					}},
				}},
			}},
		})
	}
	spec := in.spec().Ingress
	if spec == nil {
		return ing
	}
	if spec.IngressClassName != nil && *spec.IngressClassName != "" {
		class := *spec.IngressClassName
		ing.Spec.IngressClassName = &class
	}
	if len(spec.Annotations) > 0 {
		ing.Annotations = mergeLabels(spec.Annotations)
	}
	if spec.TLSSecretRef != nil && spec.TLSSecretRef.Name != "" {
		ing.Spec.TLS = []networkingv1.IngressTLS{{Hosts: hosts, SecretName: spec.TLSSecretRef.Name}}
	}
	return ing
}

// TenantIngressPrefix starts the names of the Ingresses of the tenants' portals:
// tenant-<Tenant object name>.
const TenantIngressPrefix = "tenant-"

// tenantIngresses returns, off OpenShift, one Ingress per tenant of in.Tenants with the rules of its
// admin and developer portals (system-provider and system-developer route by host to the tenant).
// Hosts of the default tenant are left out: its Ingresses already serve them.
func tenantIngresses(in *Inputs) []client.Object {
	taken := map[string]bool{}
	for _, e := range endpoints(in) {
		taken[e.host] = true
	}
	var objs []client.Object
	for _, t := range in.Tenants {
		var rules []ingressRule
		for _, r := range []ingressRule{
			{t.AdminHost, SystemProviderName, "http"},
			{t.DeveloperHost, SystemDeveloperName, "http"},
		} {
			if r.host != "" && !taken[r.host] {
				taken[r.host] = true
				rules = append(rules, r)
			}
		}
		name := TenantIngressPrefix + t.Name
		if len(rules) == 0 || len(name) > 253 {
			continue
		}
		objs = append(objs, newIngressOf(in, objectMeta(in, name, ComponentSystem, "tenant-ui"), rules...))
	}
	return objs
}
