package openapi

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
)

// Label of the generated objects.
const (
	// OpenAPILabel names, on a generated Product or Backend, the OpenAPI object it comes from.
	OpenAPILabel = "capabilities.3scale.net/openapi"
	// managedByLabel is the standard label of objects a controller writes.
	managedByLabel = "app.kubernetes.io/managed-by"
	// managedBy is its value: the operator's field manager.
	managedBy = "threescale-operator"
)

// CopiedAnnotations are the annotations of an OpenAPI object that its generated objects carry:
// they tell the Product and Backend controllers what to do in 3scale (keep the entities when the
// objects are deleted, how often to look for drift, whether to verify TLS), so an OpenAPI object
// decides it for the entities generated from its document.
var CopiedAnnotations = []string{
	"capabilities.3scale.net/deletion-policy",
	"capabilities.3scale.net/poll-interval",
	"insecure_skip_verify",
}

// Render returns the Backend and the Product o generates from res (Product nil in backendOnly
// mode), named o.GeneratedName() in o's namespace, with CopiedAnnotations and the labels that
// say where they come from. The owner reference is the applier's to set.
func Render(o *capabilitiesv1beta1.OpenAPI, res Result) (*capabilitiesv1beta1.Backend, *capabilitiesv1beta1.Product) {
	meta := func() metav1.ObjectMeta {
		m := metav1.ObjectMeta{
			Name:      o.GeneratedName(),
			Namespace: o.Namespace,
			Labels:    map[string]string{OpenAPILabel: o.Name, managedByLabel: managedBy},
		}
		for _, k := range CopiedAnnotations {
			if v, ok := o.Annotations[k]; ok {
				if m.Annotations == nil {
					m.Annotations = map[string]string{}
				}
				m.Annotations[k] = v
			}
		}
		return m
	}
	b := &capabilitiesv1beta1.Backend{
		TypeMeta:   metav1.TypeMeta{APIVersion: capabilitiesv1beta1.GroupVersion.String(), Kind: capabilitiesv1beta1.BackendKind},
		ObjectMeta: meta(),
		Spec:       *res.Backend.DeepCopy(),
	}
	if o.Spec.BackendOnly {
		return b, nil
	}
	p := &capabilitiesv1beta1.Product{
		TypeMeta:   metav1.TypeMeta{APIVersion: capabilitiesv1beta1.GroupVersion.String(), Kind: capabilitiesv1beta1.ProductKind},
		ObjectMeta: meta(),
		Spec:       *res.Product.DeepCopy(),
	}
	return b, p
}
