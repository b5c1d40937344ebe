package v1beta1_test

// These tests check the generated CRDs of Product, Backend, OpenAPI and ActiveDoc without a control
// plane, with the same libraries the API server runs: the CRD must pass the API server's CRD
// validation (structural schema, CEL compilation and cost), the documentation examples of
// test/api/testdata/valid must be accepted, and each object of test/api/testdata/invalid must be
// rejected with the message its `# want:` line names. test/api runs the same files against a real
// kube-apiserver with kubectl; these tests give the same answer in a second, in `go test ./api/...`.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	apiextensionsinternal "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	crdvalidation "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	crvalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"
)

// crdFiles maps the kinds these tests own to their generated CRD files.
var crdFiles = map[string]string{
	"Product":   "capabilities.3scale.net_products.yaml",
	"Backend":   "capabilities.3scale.net_backends.yaml",
	"OpenAPI":   "capabilities.3scale.net_openapis.yaml",
	"ActiveDoc": "capabilities.3scale.net_activedocs.yaml",
}

// testdataPrefixes are the file name prefixes of the examples of these kinds.
var testdataPrefixes = []string{"product-", "backend-", "openapi-", "activedoc-"}

func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot find this source file")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..", ".."))
}

// crdSchema is what the API server derives from a CRD to validate its objects.
type crdSchema struct {
	structural *structuralschema.Structural
	validator  crvalidation.SchemaValidator
	cel        *cel.Validator
}

func loadCRD(t *testing.T, kind string) (*apiextensionsv1.CustomResourceDefinition, *apiextensionsinternal.CustomResourceDefinition) {
	t.Helper()
	path := filepath.Join(repoRoot(t), "config", "crd", "bases", crdFiles[kind])
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var crd apiextensionsv1.CustomResourceDefinition
	if err := yaml.UnmarshalStrict(data, &crd); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var internal apiextensionsinternal.CustomResourceDefinition
	if err := apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(&crd, &internal, nil); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &crd, &internal
}

func schemaFor(t *testing.T, kind string) *crdSchema {
	t.Helper()
	_, crd := loadCRD(t, kind)
	if len(crd.Spec.Versions) != 1 {
		t.Fatalf("%s: want exactly one version, got %d", kind, len(crd.Spec.Versions))
	}
	// The internal version keeps a schema shared by all versions at the top level.
	validation := crd.Spec.Validation
	if crd.Spec.Versions[0].Schema != nil {
		validation = crd.Spec.Versions[0].Schema
	}
	if validation == nil || validation.OpenAPIV3Schema == nil {
		t.Fatalf("%s: the CRD has no schema", kind)
	}
	props := validation.OpenAPIV3Schema
	structural, err := structuralschema.NewStructural(props)
	if err != nil {
		t.Fatalf("%s: %v", kind, err)
	}
	validator, _, err := crvalidation.NewSchemaValidator(props)
	if err != nil {
		t.Fatalf("%s: %v", kind, err)
	}
	return &crdSchema{
		structural: structural,
		validator:  validator,
		cel:        cel.NewValidator(structural, true, celconfig.PerCallLimit),
	}
}

// validate runs the checks the API server runs on a create (oldObj nil) or an update: nulls of
// non-nullable fields are dropped, unknown fields are errors (kubectl's default strict field
// validation), then the OpenAPI schema and the CEL rules are checked.
func (s *crdSchema) validate(obj, oldObj map[string]any) []string {
	structuraldefaulting.PruneNonNullableNullsWithoutDefaults(obj, s.structural)
	var errs []string
	unknown := pruning.PruneWithOptions(obj, s.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})
	for _, path := range unknown {
		errs = append(errs, fmt.Sprintf("unknown field %q", path))
	}
	var fieldErrs field.ErrorList
	if oldObj == nil {
		fieldErrs = crvalidation.ValidateCustomResource(nil, obj, s.validator)
	} else {
		fieldErrs = crvalidation.ValidateCustomResourceUpdate(nil, obj, oldObj, s.validator)
	}
	celErrs, _ := s.cel.Validate(context.Background(), nil, s.structural, obj, oldObj, celconfig.RuntimeCELCostBudget)
	for _, e := range append(fieldErrs, celErrs...) {
		errs = append(errs, e.Error())
	}
	return errs
}

// objects splits a YAML file into objects, expanding `kind: List` documents as kubectl does. Like the
// API server, it decodes JSON numbers without a fraction as int64.
func objects(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var objs []map[string]any
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		js, err := yaml.YAMLToJSON(doc)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var obj map[string]any
		if err := utiljson.Unmarshal(js, &obj); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if obj == nil {
			continue
		}
		if obj["kind"] == "List" {
			items, _ := obj["items"].([]any)
			for _, item := range items {
				objs = append(objs, item.(map[string]any))
			}
			continue
		}
		objs = append(objs, obj)
	}
	return objs
}

func testdataFiles(t *testing.T, folder string) []string {
	t.Helper()
	var files []string
	for _, prefix := range testdataPrefixes {
		matches, err := filepath.Glob(filepath.Join(repoRoot(t), "test", "api", "testdata", folder, prefix+"*.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, matches...)
	}
	sort.Strings(files)
	return files
}

func TestCRDsPassAPIServerValidation(t *testing.T) {
	for kind := range crdFiles {
		t.Run(kind, func(t *testing.T) {
			v1, internal := loadCRD(t, kind)
			// The API server fills storedVersions when it stores the CRD.
			internal.Status.StoredVersions = []string{v1.Spec.Versions[0].Name}
			if errs := crdvalidation.ValidateCustomResourceDefinition(context.Background(), internal); len(errs) > 0 {
				t.Fatalf("the API server would reject the %s CRD:\n%v", kind, errs.ToAggregate())
			}
			if v1.Spec.Group != "capabilities.3scale.net" || v1.Spec.Names.Kind != kind || v1.Spec.Scope != apiextensionsv1.NamespaceScoped {
				t.Errorf("group/kind/scope = %s/%s/%s", v1.Spec.Group, v1.Spec.Names.Kind, v1.Spec.Scope)
			}
			if len(v1.Spec.Names.ShortNames) != 0 {
				t.Errorf("short names %v: the existing operator has none", v1.Spec.Names.ShortNames)
			}
			version := v1.Spec.Versions[0]
			if version.Name != "v1beta1" || !version.Served || !version.Storage || version.Subresources == nil || version.Subresources.Status == nil {
				t.Errorf("version %s served=%v storage=%v, want v1beta1 served and stored with the status subresource", version.Name, version.Served, version.Storage)
			}
			var columns []string
			for _, c := range version.AdditionalPrinterColumns {
				columns = append(columns, c.Name)
			}
			if len(columns) < 2 || columns[len(columns)-1] != "Age" {
				t.Errorf("printer columns %v, want a sync column first and Age last", columns)
			}
		})
	}
}

func TestDocumentationExamplesAreValid(t *testing.T) {
	files := testdataFiles(t, "valid")
	if len(files) < 12 {
		t.Errorf("found %d examples, want at least 12", len(files))
	}
	for _, file := range files {
		content, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(content), "# source:") {
			t.Errorf("%s does not start with a `# source:` line", filepath.Base(file))
		}
	}
	checkAccepted(t, files)
}

func TestSamplesAreValid(t *testing.T) {
	var files []string
	for _, kind := range []string{"product", "backend", "openapi", "activedoc"} {
		files = append(files, filepath.Join(repoRoot(t), "config", "samples", "capabilities_v1beta1_"+kind+".yaml"))
	}
	checkAccepted(t, files)
}

// checkAccepted checks that the API server would accept every Product, Backend, OpenAPI and
// ActiveDoc of the files, and that each file holds at least one of them.
func checkAccepted(t *testing.T, files []string) {
	t.Helper()
	schemas := map[string]*crdSchema{}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			mine := 0
			for _, obj := range objects(t, file) {
				kind, _ := obj["kind"].(string)
				if _, ok := crdFiles[kind]; !ok {
					continue // a Secret or another kind that goes with the example
				}
				mine++
				if schemas[kind] == nil {
					schemas[kind] = schemaFor(t, kind)
				}
				if errs := schemas[kind].validate(obj, nil); len(errs) > 0 {
					t.Errorf("%s %v would be rejected:\n%s", kind, obj["metadata"], strings.Join(errs, "\n"))
				}
			}
			if mine == 0 {
				t.Errorf("holds no Product, Backend, OpenAPI or ActiveDoc")
			}
		})
	}
}

func TestInvalidObjectsAreRejected(t *testing.T) {
	files := testdataFiles(t, "invalid")
	if len(files) < 12 {
		t.Errorf("found %d invalid objects, want at least 12", len(files))
	}
	schemas := map[string]*crdSchema{}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			content, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			firstLine, _, _ := strings.Cut(string(content), "\n")
			want, ok := strings.CutPrefix(firstLine, "# want: ")
			if !ok || strings.TrimSpace(want) == "" {
				t.Fatalf("does not start with a `# want: <text>` line")
			}
			objs := objects(t, file)
			if len(objs) == 0 {
				t.Fatal("holds no object")
			}
			// All objects but the last are earlier versions of the last one: they must be accepted, and
			// the last one is checked as an update of the one before it.
			var old map[string]any
			for i, obj := range objs {
				kind, _ := obj["kind"].(string)
				if _, ok := crdFiles[kind]; !ok {
					t.Fatalf("object %d has kind %q, not one of %v", i+1, kind, crdFiles)
				}
				if schemas[kind] == nil {
					schemas[kind] = schemaFor(t, kind)
				}
				errs := schemas[kind].validate(obj, old)
				if i < len(objs)-1 {
					if len(errs) > 0 {
						t.Fatalf("object %d must be accepted, got:\n%s", i+1, strings.Join(errs, "\n"))
					}
					old = obj
					continue
				}
				if len(errs) == 0 {
					t.Fatalf("accepted, want an error containing %q", want)
				}
				if joined := strings.Join(errs, "\n"); !strings.Contains(joined, want) {
					t.Errorf("rejected, but no error contains %q:\n%s", want, joined)
				}
			}
		})
	}
}
