package api

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

// TestEveryFieldIsDocumented walks the generated CRDs and fails on any field without a description:
// the Go doc of a field is what users read with `kubectl explain`.
func TestEveryFieldIsDocumented(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "config", "crd", "bases", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 14 {
		t.Errorf("config/crd/bases holds %d CRDs, want 14 (one per kind)", len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var crd apiextensionsv1.CustomResourceDefinition
			if err := yaml.UnmarshalStrict(data, &crd); err != nil {
				t.Fatal(err)
			}
			for _, v := range crd.Spec.Versions {
				var missing []string
				for _, root := range []string{"spec", "status"} {
					if s, ok := v.Schema.OpenAPIV3Schema.Properties[root]; ok {
						missing = append(missing, undocumented(root, s)...)
					}
				}
				sort.Strings(missing)
				if len(missing) > 0 {
					t.Errorf("%s %s has %d undocumented fields:\n  %s", crd.Spec.Names.Kind, v.Name, len(missing), strings.Join(missing, "\n  "))
				}
			}
		})
	}
}

// undocumented returns the paths under s (itself included) that have no description. Items of
// lists and values of maps inherit the description of the field that holds them.
func undocumented(path string, s apiextensionsv1.JSONSchemaProps) []string {
	var missing []string
	if strings.TrimSpace(s.Description) == "" {
		missing = append(missing, path)
	}
	for name, p := range s.Properties {
		missing = append(missing, undocumented(path+"."+name, p)...)
	}
	if s.Items != nil && s.Items.Schema != nil {
		for name, p := range s.Items.Schema.Properties {
			missing = append(missing, undocumented(path+"[]."+name, p)...)
		}
	}
	if s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil {
		for name, p := range s.AdditionalProperties.Schema.Properties {
			missing = append(missing, undocumented(path+"{}."+name, p)...)
		}
	}
	return missing
}

func TestUndocumented(t *testing.T) {
	schema := apiextensionsv1.JSONSchemaProps{
		Description: "spec",
		Properties: map[string]apiextensionsv1.JSONSchemaProps{
			"documented": {Description: "a field"},
			"bare":       {},
			"list": {Description: "a list", Items: &apiextensionsv1.JSONSchemaPropsOrArray{Schema: &apiextensionsv1.JSONSchemaProps{
				Properties: map[string]apiextensionsv1.JSONSchemaProps{"inner": {}},
			}}},
		},
	}
	got := undocumented("spec", schema)
	sort.Strings(got)
	want := []string{"spec.bare", "spec.list[].inner"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("undocumented() = %v, want %v", got, want)
	}
}
