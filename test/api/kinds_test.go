package api_test

import (
	"context"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// kinds is the whole API surface, as the existing 3scale operator serves it: the same groups,
// versions, kinds and plural names, so existing manifests and scripts keep working.
var kinds = []struct {
	group, version, kind, plural string
	// inSync is the condition type `kubectl wait --for=condition=<type>` waits on.
	inSync string
}{
	{"apps.3scale.net", "v1alpha1", "APIManager", "apimanagers", "Available"},
	{"apps.3scale.net", "v1alpha1", "APIManagerBackup", "apimanagerbackups", "Completed"},
	{"apps.3scale.net", "v1alpha1", "APIManagerRestore", "apimanagerrestores", "Completed"},
	{"capabilities.3scale.net", "v1beta1", "Product", "products", "Synced"},
	{"capabilities.3scale.net", "v1beta1", "Backend", "backends", "Synced"},
	{"capabilities.3scale.net", "v1beta1", "OpenAPI", "openapis", "Ready"},
	{"capabilities.3scale.net", "v1beta1", "ActiveDoc", "activedocs", "Ready"},
	{"capabilities.3scale.net", "v1beta1", "DeveloperAccount", "developeraccounts", "Ready"},
	{"capabilities.3scale.net", "v1beta1", "DeveloperUser", "developerusers", "Ready"},
	{"capabilities.3scale.net", "v1beta1", "ProxyConfigPromote", "proxyconfigpromotes", "Ready"},
	{"capabilities.3scale.net", "v1beta1", "CustomPolicyDefinition", "custompolicydefinitions", "Ready"},
	{"capabilities.3scale.net", "v1beta1", "Application", "applications", "Ready"},
	{"capabilities.3scale.net", "v1beta1", "ApplicationAuth", "applicationauths", "Ready"},
	{"capabilities.3scale.net", "v1alpha1", "Tenant", "tenants", "Ready"},
}

// TestEveryKindIsServed checks each CRD as the API server sees it: established, namespaced, with a
// status subresource whose schema has observedGeneration and list-map conditions, a printer column
// that shows whether the object is in sync, and field documentation for `kubectl explain`.
func TestEveryKindIsServed(t *testing.T) {
	client, err := apiextensionsclient.NewForConfig(env.Config)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range kinds {
		t.Run(k.kind, func(t *testing.T) {
			t.Parallel()
			crd, err := client.ApiextensionsV1().CustomResourceDefinitions().Get(context.Background(), k.plural+"."+k.group, metav1.GetOptions{})
			if err != nil {
				t.Fatalf("CRD %s.%s: %v", k.plural, k.group, err)
			}
			if crd.Spec.Names.Kind != k.kind || crd.Spec.Scope != apiextensionsv1.NamespaceScoped {
				t.Errorf("CRD names kind %q scope %q, want %q Namespaced", crd.Spec.Names.Kind, crd.Spec.Scope, k.kind)
			}
			if !established(crd) {
				t.Errorf("CRD %s is not Established", crd.Name)
			}
			version := servedVersion(crd, k.version)
			if version == nil {
				t.Fatalf("CRD %s does not serve %s", crd.Name, k.version)
			}
			if version.Subresources == nil || version.Subresources.Status == nil {
				t.Errorf("%s has no status subresource", k.kind)
			}
			status := version.Schema.OpenAPIV3Schema.Properties["status"]
			if _, ok := status.Properties["observedGeneration"]; !ok {
				t.Errorf("%s status has no observedGeneration", k.kind)
			}
			conditions, ok := status.Properties["conditions"]
			if !ok {
				t.Errorf("%s status has no conditions", k.kind)
			} else if conditions.XListType == nil || *conditions.XListType != "map" {
				t.Errorf("%s status.conditions is not a list-map keyed by type", k.kind)
			}
			if !hasConditionColumn(version, k.inSync) {
				t.Errorf("%s has no printer column for its %s condition; columns: %+v", k.kind, k.inSync, version.AdditionalPrinterColumns)
			}

			r := env.Run("", "explain", k.plural+".spec", "--api-version="+k.group+"/"+k.version)
			if r.Err != nil {
				t.Fatalf("kubectl explain %s.spec: %v\n%s", k.plural, r.Err, r.Stderr)
			}
			if strings.Contains(r.Stdout, "<empty>") {
				t.Errorf("kubectl explain %s.spec shows undocumented fields:\n%s", k.plural, r.Stdout)
			}
		})
	}
}

func established(crd *apiextensionsv1.CustomResourceDefinition) bool {
	for _, c := range crd.Status.Conditions {
		if c.Type == apiextensionsv1.Established {
			return c.Status == apiextensionsv1.ConditionTrue
		}
	}
	return false
}

func servedVersion(crd *apiextensionsv1.CustomResourceDefinition, name string) *apiextensionsv1.CustomResourceDefinitionVersion {
	for i := range crd.Spec.Versions {
		if v := &crd.Spec.Versions[i]; v.Name == name && v.Served && v.Storage {
			return v
		}
	}
	return nil
}

func hasConditionColumn(v *apiextensionsv1.CustomResourceDefinitionVersion, conditionType string) bool {
	for _, c := range v.AdditionalPrinterColumns {
		if strings.Contains(c.JSONPath, "conditions[?(@.type==\""+conditionType+"\")]") ||
			strings.Contains(c.JSONPath, "conditions[?(@.type=='"+conditionType+"')]") {
			return true
		}
	}
	return false
}
