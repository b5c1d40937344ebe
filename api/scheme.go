// Package api gathers the operator's API groups so that callers register them all at once.
package api

import (
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
	capabilitiesv1alpha1 "github.com/threescale-oss/operator/api/capabilities/v1alpha1"
	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
)

// AddToScheme registers every group-version of the operator's API with a scheme.
func AddToScheme(scheme *runtime.Scheme) error {
	builder := runtime.NewSchemeBuilder(
		appsv1alpha1.AddToScheme,
		capabilitiesv1beta1.AddToScheme,
		capabilitiesv1alpha1.AddToScheme,
	)
	return builder.AddToScheme(scheme)
}

// NewScheme returns a scheme with the Kubernetes built-in kinds and every group-version of the
// operator's API: the kinds the manager reads and writes typed. The monitoring and Route kinds are
// left out on purpose; the APIManager controller handles them unstructured.
func NewScheme() (*runtime.Scheme, error) {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return nil, err
	}
	if err := AddToScheme(scheme); err != nil {
		return nil, err
	}
	return scheme, nil
}
