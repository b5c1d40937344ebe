package api

import (
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestNewScheme(t *testing.T) {
	scheme, err := NewScheme()
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		gvk  schema.GroupVersionKind
		want bool
	}{
		"BuiltIn":        {schema.GroupVersionKind{Version: "v1", Kind: "Secret"}, true},
		"APIManager":     {schema.GroupVersionKind{Group: "apps.3scale.net", Version: "v1alpha1", Kind: "APIManager"}, true},
		"Product":        {schema.GroupVersionKind{Group: "capabilities.3scale.net", Version: "v1beta1", Kind: "Product"}, true},
		"Tenant":         {schema.GroupVersionKind{Group: "capabilities.3scale.net", Version: "v1alpha1", Kind: "Tenant"}, true},
		"PodMonitorLeft": {schema.GroupVersionKind{Group: "monitoring.coreos.com", Version: "v1", Kind: "PodMonitor"}, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := scheme.Recognizes(tc.gvk); got != tc.want {
				t.Errorf("Recognizes(%v) = %v, want %v", tc.gvk, got, tc.want)
			}
		})
	}
}
