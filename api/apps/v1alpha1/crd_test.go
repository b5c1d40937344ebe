package v1alpha1

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	crdvalidation "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"
)

// These tests stand in for a kube-apiserver until the shared envtest suite (test/api) runs the same
// files against a real one: they validate the generated CRDs the way the apiserver does when they
// are created, then validate the documentation examples and the invalid cases against them
// (pruning of unknown fields, defaulting, OpenAPI schema, CEL rules).

const (
	crdDir     = "../../../config/crd/bases"
	testdata   = "../../../test/api/testdata"
	samplesDir = "../../../config/samples"
	maxCRDJSON = 1_200_000 // bytes; etcd refuses values above 1.5 MiB by default, keep a margin
)

// crdFiles maps each kind of this package to its generated CRD file.
var crdFiles = map[string]string{
	"APIManager":        "apps.3scale.net_apimanagers.yaml",
	"APIManagerBackup":  "apps.3scale.net_apimanagerbackups.yaml",
	"APIManagerRestore": "apps.3scale.net_apimanagerrestores.yaml",
}

func loadCRD(t *testing.T, file string) *apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(crdDir, file))
	if err != nil {
		t.Fatalf("reading CRD: %v", err)
	}
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := yaml.UnmarshalStrict(data, crd); err != nil {
		t.Fatalf("decoding CRD %s: %v", file, err)
	}
	return crd
}

func TestCRDsAreValidForTheAPIServer(t *testing.T) {
	for kind, file := range crdFiles {
		t.Run(kind, func(t *testing.T) {
			crd := loadCRD(t, file)
			internal := &apiextensions.CustomResourceDefinition{}
			if err := apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(crd, internal, nil); err != nil {
				t.Fatalf("converting CRD: %v", err)
			}
			internal.Status.StoredVersions = []string{GroupVersion.Version} // set by the apiserver on create
			// The same validation the apiserver runs on create: structural schema, CEL compilation
			// and CEL cost estimates against the apiserver limits.
			if errs := crdvalidation.ValidateCustomResourceDefinition(context.Background(), internal); len(errs) > 0 {
				t.Fatalf("the apiserver would reject the CRD:\n%v", errs.ToAggregate())
			}
			raw, err := json.Marshal(crd)
			if err != nil {
				t.Fatal(err)
			}
			if len(raw) > maxCRDJSON {
				t.Errorf("CRD is %d bytes as JSON, above the %d budget", len(raw), maxCRDJSON)
			}
		})
	}
}

func TestCRDNamesAndColumns(t *testing.T) {
	tests := []struct {
		kind    string
		plural  string
		columns []string
	}{
		{"APIManager", "apimanagers", []string{"Available", "Wildcard Domain", "Age"}},
		{"APIManagerBackup", "apimanagerbackups", []string{"Completed", "PVC", "Age"}},
		{"APIManagerRestore", "apimanagerrestores", []string{"Completed", "APIManager", "Age"}},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			crd := loadCRD(t, crdFiles[tt.kind])
			if crd.Spec.Group != GroupVersion.Group || crd.Spec.Names.Kind != tt.kind ||
				crd.Spec.Names.Plural != tt.plural || crd.Spec.Scope != apiextensionsv1.NamespaceScoped {
				t.Errorf("got group %q kind %q plural %q scope %q", crd.Spec.Group, crd.Spec.Names.Kind,
					crd.Spec.Names.Plural, crd.Spec.Scope)
			}
			if len(crd.Spec.Names.ShortNames) != 0 {
				t.Errorf("unexpected short names %v", crd.Spec.Names.ShortNames)
			}
			if len(crd.Spec.Versions) != 1 {
				t.Fatalf("want one version, got %d", len(crd.Spec.Versions))
			}
			v := crd.Spec.Versions[0]
			if v.Name != GroupVersion.Version || !v.Served || !v.Storage {
				t.Errorf("version %q served=%v storage=%v", v.Name, v.Served, v.Storage)
			}
			if v.Subresources == nil || v.Subresources.Status == nil {
				t.Error("status subresource missing")
			}
			var columns []string
			for _, c := range v.AdditionalPrinterColumns {
				columns = append(columns, c.Name)
			}
			if diff := cmp.Diff(tt.columns, columns); diff != "" {
				t.Errorf("printer columns (-want +got):\n%s", diff)
			}
			var preserved []string
			walkSchema(v.Schema.OpenAPIV3Schema, "", func(path string, s *apiextensionsv1.JSONSchemaProps) {
				if s.XPreserveUnknownFields != nil && *s.XPreserveUnknownFields {
					preserved = append(preserved, path)
				}
			})
			if len(preserved) > 0 {
				t.Errorf("x-kubernetes-preserve-unknown-fields at %v", preserved)
			}
			conds := v.Schema.OpenAPIV3Schema.Properties["status"].Properties["conditions"]
			if conds.XListType == nil || *conds.XListType != "map" || len(conds.XListMapKeys) != 1 || conds.XListMapKeys[0] != "type" {
				t.Errorf("status.conditions must be a list map keyed by type, got %v %v", conds.XListType, conds.XListMapKeys)
			}
		})
	}
}

// walkSchema calls fn on every schema node below s.
func walkSchema(s *apiextensionsv1.JSONSchemaProps, path string, fn func(string, *apiextensionsv1.JSONSchemaProps)) {
	if s == nil {
		return
	}
	fn(path, s)
	for name, p := range s.Properties {
		walkSchema(&p, path+"."+name, fn)
	}
	if s.Items != nil {
		walkSchema(s.Items.Schema, path+"[]", fn)
	}
	if s.AdditionalProperties != nil {
		walkSchema(s.AdditionalProperties.Schema, path+"{}", fn)
	}
}

// crValidator checks custom resources the way the apiserver does on create.
type crValidator struct {
	structural *structuralschema.Structural
	schema     apiservervalidation.SchemaValidator
	cel        *cel.Validator
}

func newCRValidator(t *testing.T, kind string) *crValidator {
	t.Helper()
	crd := loadCRD(t, crdFiles[kind])
	internal := &apiextensions.CustomResourceDefinition{}
	if err := apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(crd, internal, nil); err != nil {
		t.Fatal(err)
	}
	// The conversion hoists a schema shared by every version to spec.validation.
	openAPI := internal.Spec.Validation.OpenAPIV3Schema
	structural, err := structuralschema.NewStructural(openAPI)
	if err != nil {
		t.Fatal(err)
	}
	validator, _, err := apiservervalidation.NewSchemaValidator(openAPI)
	if err != nil {
		t.Fatal(err)
	}
	return &crValidator{
		structural: structural,
		schema:     validator,
		cel:        cel.NewValidator(structural, true, celconfig.PerCallLimit),
	}
}

// validate returns the errors the apiserver would report for obj under strict field validation.
func (v *crValidator) validate(obj map[string]any) error {
	opts := structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true}
	unknown := structuralpruning.PruneWithOptions(obj, v.structural, true, opts)
	if len(unknown) > 0 {
		sort.Strings(unknown)
		quoted := make([]string, len(unknown))
		for i, u := range unknown {
			quoted[i] = fmt.Sprintf("unknown field %q", u)
		}
		return errors.New("strict decoding error: " + strings.Join(quoted, ", "))
	}
	structuraldefaulting.Default(obj, v.structural)
	errs := apiservervalidation.ValidateCustomResource(nil, obj, v.schema)
	celErrs, _ := v.cel.Validate(context.Background(), nil, v.structural, obj, nil, celconfig.RuntimeCELCostBudget)
	errs = append(errs, celErrs...)
	if len(errs) > 0 {
		return errs.ToAggregate()
	}
	return nil
}

// testObject is one document of a testdata file.
type testObject struct {
	file string
	obj  map[string]any
}

// readObjects returns the documents of the testdata files whose name starts with one of prefixes.
func readObjects(t *testing.T, dir string, prefixes ...string) []testObject {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("reading %s: %v", dir, err)
	}
	var objs []testObject
	for _, e := range entries {
		if !hasAnyPrefix(e.Name(), prefixes) || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		decoder := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
		for {
			var raw json.RawMessage
			if err := decoder.Decode(&raw); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", e.Name(), err)
			}
			// Decode numbers as the apiserver does: integers as int64, not float64.
			var obj map[string]any
			if err := utiljson.Unmarshal(raw, &obj); err != nil {
				t.Fatalf("%s: %v", e.Name(), err)
			}
			if obj != nil {
				objs = append(objs, testObject{file: e.Name(), obj: obj})
			}
		}
	}
	return objs
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// ourKind returns the kind of obj when it belongs to this package, else "".
func ourKind(obj map[string]any) string {
	kind, _ := obj["kind"].(string)
	if obj["apiVersion"] != GroupVersion.String() {
		return ""
	}
	if _, ok := crdFiles[kind]; !ok {
		return ""
	}
	return kind
}

// TestValidExamplesAreAccepted validates the documentation examples and the samples.
func TestValidExamplesAreAccepted(t *testing.T) {
	validators := map[string]*crValidator{}
	count := map[string]int{}
	objs := readObjects(t, filepath.Join(testdata, "valid"), "apimanager")
	objs = append(objs, readObjects(t, samplesDir, "apps_v1alpha1_")...)
	for _, o := range objs {
		kind := ourKind(o.obj)
		if kind == "" {
			// Secrets and other objects shipped with an example are the apiserver's business.
			if o.obj["apiVersion"] != "v1" {
				t.Errorf("%s: unexpected object %v %v", o.file, o.obj["apiVersion"], o.obj["kind"])
			}
			continue
		}
		if validators[kind] == nil {
			validators[kind] = newCRValidator(t, kind)
		}
		count[kind]++
		if err := validators[kind].validate(o.obj); err != nil {
			t.Errorf("%s: %v", o.file, err)
		}
	}
	// The examples this package owns must exist, or this test would pass on nothing.
	for kind := range crdFiles {
		if count[kind] == 0 {
			t.Errorf("no valid example of %s", kind)
		}
	}
}

func TestInvalidExamplesAreRejected(t *testing.T) {
	dir := filepath.Join(testdata, "invalid")
	objs := readObjects(t, dir, "apimanager")
	if len(objs) < 10 {
		t.Fatalf("want at least 10 invalid examples, got %d", len(objs))
	}
	validators := map[string]*crValidator{}
	seen := map[string]bool{}
	for _, o := range objs {
		if seen[o.file] {
			t.Errorf("%s: one object per file", o.file)
		}
		seen[o.file] = true
		want := wantLine(t, filepath.Join(dir, o.file))
		kind := ourKind(o.obj)
		if kind == "" {
			t.Errorf("%s: not a kind of %s", o.file, GroupVersion)
			continue
		}
		if validators[kind] == nil {
			validators[kind] = newCRValidator(t, kind)
		}
		err := validators[kind].validate(o.obj)
		switch {
		case err == nil:
			t.Errorf("%s: accepted, want an error containing %q", o.file, want)
		case !strings.Contains(err.Error(), want):
			t.Errorf("%s: error %q does not contain %q", o.file, err, want)
		default:
			t.Logf("%s: %v", o.file, err)
		}
	}
}

// wantLine returns the substring declared by the `# want: ` first line of an invalid example.
func wantLine(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(data), "\n")
	want, ok := strings.CutPrefix(first, "# want: ")
	if !ok || strings.TrimSpace(want) == "" {
		t.Fatalf("%s: first line must be `# want: <substring>`", path)
	}
	return strings.TrimSpace(want)
}

// TestValidatorRejectsUnknownFields makes sure the stand-in validator is strict, so that the
// valid examples above prove every field they use exists.
func TestValidatorRejectsUnknownFields(t *testing.T) {
	v := newCRValidator(t, "APIManager")
	obj := map[string]any{
		"apiVersion": GroupVersion.String(),
		"kind":       "APIManager",
		"metadata":   map[string]any{"name": "x"},
		"spec":       map[string]any{"wildcardDomain": "example.com", "wildcardDomian": "typo"},
	}
	err := v.validate(obj)
	if err == nil || !strings.Contains(err.Error(), `unknown field "spec.wildcardDomian"`) {
		t.Fatalf("got %v, want an unknown field error", err)
	}
}

// TestSchemaDefaults checks the defaults the schema writes on create.
func TestSchemaDefaults(t *testing.T) {
	v := newCRValidator(t, "APIManager")
	obj := map[string]any{
		"apiVersion": GroupVersion.String(),
		"kind":       "APIManager",
		"metadata":   map[string]any{"name": "x"},
		"spec":       map[string]any{"wildcardDomain": "example.com"},
	}
	if err := v.validate(obj); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"wildcardDomain":              "example.com",
		"appLabel":                    DefaultAppLabel,
		"tenantName":                  DefaultTenantName,
		"resourceRequirementsEnabled": true,
	}
	if diff := cmp.Diff(want, obj["spec"]); diff != "" {
		t.Errorf("defaulted spec (-want +got):\n%s", diff)
	}
}
