package v1beta1

// These tests hold the generated CRDs of DeveloperAccount, DeveloperUser, ProxyConfigPromote,
// CustomPolicyDefinition, Application, ApplicationAuth and Tenant (v1alpha1; its CRD is plain YAML,
// so it is checked here too) to what the API server does with them, without starting one:
//   - the CRD passes the API server's own CRD validation (structural schema, CEL compilation and
//     cost estimate), so it installs;
//   - every documentation example under test/api/testdata/valid is accepted and every file under
//     test/api/testdata/invalid is rejected with the error it announces, using the API server's
//     pruning (strict unknown-field detection), defaulting, OpenAPI and CEL validation code.
// The envtest suite in test/api applies the same files to a real kube-apiserver.

import (
	"bufio"
	"bytes"
	"context"
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
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"
)

const (
	crdBasesDir   = "../../../config/crd/bases"
	apiTestdata   = "../../../test/api/testdata"
	samplesDir    = "../../../config/samples"
	capabilitiesG = "capabilities.3scale.net"
)

// accountKindCRD describes one CRD these tests own and what its schema must offer users.
type accountKindCRD struct {
	kind, plural, version string
	// columns are the printer columns `kubectl get` must show, in order.
	columns []string
	// sample is the config/samples file with at least one object of the kind.
	sample string
}

var accountKindCRDs = []accountKindCRD{
	{kind: "DeveloperAccount", plural: "developeraccounts", version: "v1beta1", columns: []string{"Ready", "3scale ID", "State", "Age"}, sample: "capabilities_v1beta1_developeraccount.yaml"},
	{kind: "DeveloperUser", plural: "developerusers", version: "v1beta1", columns: []string{"Ready", "3scale ID", "Account", "Role", "Age"}, sample: "capabilities_v1beta1_developeruser.yaml"},
	{kind: "ProxyConfigPromote", plural: "proxyconfigpromotes", version: "v1beta1", columns: []string{"Product", "Ready", "Staging", "Production", "Age"}, sample: "capabilities_v1beta1_proxyconfigpromote.yaml"},
	{kind: "CustomPolicyDefinition", plural: "custompolicydefinitions", version: "v1beta1", columns: []string{"Provider Account", "Ready", "3scale ID", "Age"}, sample: "capabilities_v1beta1_custompolicydefinition.yaml"},
	{kind: "Application", plural: "applications", version: "v1beta1", columns: []string{"Ready", "3scale ID", "State", "Plan", "Age"}, sample: "capabilities_v1beta1_application.yaml"},
	{kind: "ApplicationAuth", plural: "applicationauths", version: "v1beta1", columns: []string{"Application", "Ready", "Age"}, sample: "capabilities_v1beta1_applicationauth.yaml"},
	{kind: "Tenant", plural: "tenants", version: "v1alpha1", columns: []string{"Ready", "3scale ID", "Organization", "Age"}, sample: "capabilities_v1alpha1_tenant.yaml"},
}

func readCRD(t *testing.T, plural string) *apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(crdBasesDir, capabilitiesG+"_"+plural+".yaml"))
	if err != nil {
		t.Fatalf("cannot read CRD: %v", err)
	}
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := yaml.UnmarshalStrict(data, crd); err != nil {
		t.Fatalf("cannot parse CRD %s: %v", plural, err)
	}
	return crd
}

func TestAccountKindCRDsInstall(t *testing.T) {
	for _, k := range accountKindCRDs {
		t.Run(k.kind, func(t *testing.T) {
			crd := readCRD(t, k.plural)

			got := []string{crd.Name, crd.Spec.Group, crd.Spec.Names.Kind, crd.Spec.Names.Plural, string(crd.Spec.Scope)}
			want := []string{k.plural + "." + capabilitiesG, capabilitiesG, k.kind, k.plural, "Namespaced"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("CRD names (-want, +got):\n%s", diff)
			}
			if n := len(crd.Spec.Names.ShortNames); n != 0 {
				t.Errorf("short names %v: the existing operator has none and they may clash with other operators", crd.Spec.Names.ShortNames)
			}
			if len(crd.Spec.Versions) != 1 {
				t.Fatalf("want exactly one version, got %d", len(crd.Spec.Versions))
			}
			v := crd.Spec.Versions[0]
			if v.Name != k.version || !v.Served || !v.Storage {
				t.Errorf("version %s served=%t storage=%t, want %s served and stored", v.Name, v.Served, v.Storage, k.version)
			}
			if v.Subresources == nil || v.Subresources.Status == nil {
				t.Error("the status subresource is missing: the operator must not be able to write spec")
			}
			var columns []string
			for _, c := range v.AdditionalPrinterColumns {
				columns = append(columns, c.Name)
			}
			if diff := cmp.Diff(k.columns, columns); diff != "" {
				t.Errorf("printer columns (-want, +got):\n%s", diff)
			}
			if v.Schema.OpenAPIV3Schema.Properties["spec"].XPreserveUnknownFields != nil ||
				v.Schema.OpenAPIV3Schema.Properties["status"].XPreserveUnknownFields != nil {
				t.Error("spec and status must not preserve unknown fields: strict validation has to reject misspelt fields")
			}

			// The API server's own validation of a CRD being created: structural schema, CEL rules
			// that compile and whose estimated cost is within the limits, and so on.
			internal := &apiextensions.CustomResourceDefinition{}
			if err := apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(crd, internal, nil); err != nil {
				t.Fatalf("cannot convert CRD: %v", err)
			}
			internal.Status.StoredVersions = []string{k.version}
			if errs := crdvalidation.ValidateCustomResourceDefinition(context.Background(), internal); len(errs) > 0 {
				t.Errorf("the API server would refuse this CRD: %v", errs.ToAggregate())
			}
		})
	}
}

// crSchema validates custom resources the way the API server does for one CRD version.
type crSchema struct {
	structural *structuralschema.Structural
	validator  apiservervalidation.SchemaValidator
	cel        *cel.Validator
}

func newCRSchema(t *testing.T, crd *apiextensionsv1.CustomResourceDefinition) *crSchema {
	t.Helper()
	internal := &apiextensions.JSONSchemaProps{}
	if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(crd.Spec.Versions[0].Schema.OpenAPIV3Schema, internal, nil); err != nil {
		t.Fatalf("cannot convert schema: %v", err)
	}
	s, err := structuralschema.NewStructural(internal)
	if err != nil {
		t.Fatalf("schema is not structural: %v", err)
	}
	v, _, err := apiservervalidation.NewSchemaValidator(internal)
	if err != nil {
		t.Fatalf("cannot build schema validator: %v", err)
	}
	return &crSchema{structural: s, validator: v, cel: cel.NewValidator(s, true, celconfig.PerCallLimit)}
}

// errorsOf returns the messages the API server would answer to a create (old == nil) or an update
// of obj with strict field validation, as `kubectl apply` sends it. It prunes, defaults and
// validates obj in place.
func (c *crSchema) errorsOf(obj, old map[string]any) []string {
	// A create or update through the main resource ignores status (status subresource).
	delete(obj, "status")
	opts := structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true}
	var msgs []string
	for _, p := range pruning.PruneWithOptions(obj, c.structural, true, opts) {
		msgs = append(msgs, fmt.Sprintf("strict decoding error: unknown field %q", p))
	}
	structuraldefaulting.Default(obj, c.structural)
	for _, e := range apiservervalidation.ValidateCustomResource(nil, obj, c.validator) {
		msgs = append(msgs, e.Error())
	}
	var oldObj any
	if old != nil {
		delete(old, "status")
		pruning.Prune(old, c.structural, true)
		structuraldefaulting.Default(old, c.structural)
		oldObj = old
	}
	celErrs, _ := c.cel.Validate(context.Background(), nil, c.structural, obj, oldObj, celconfig.RuntimeCELCostBudget)
	for _, e := range celErrs {
		msgs = append(msgs, e.Error())
	}
	return msgs
}

// manifest is one object of a testdata file.
type manifest struct {
	file string
	obj  map[string]any
}

// readManifests returns the objects of every YAML file in dir and the `# want:` line of each file.
func readManifests(t *testing.T, dir string) ([]manifest, map[string]string) {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)
	var out []manifest
	wants := map[string]string{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(string(data), "\n")
		if w, ok := strings.CutPrefix(first, "# want:"); ok {
			wants[p] = strings.TrimSpace(w)
		}
		r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
		for {
			doc, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			js, err := yaml.YAMLToJSON(doc)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			var obj map[string]any
			if err := utiljson.Unmarshal(js, &obj); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			if obj != nil {
				out = append(out, manifest{file: p, obj: obj})
			}
		}
	}
	return out, wants
}

// accountKindSchemas returns a validator per "apiVersion/kind" of the CRDs these tests own.
func accountKindSchemas(t *testing.T) map[string]*crSchema {
	t.Helper()
	schemas := map[string]*crSchema{}
	for _, k := range accountKindCRDs {
		schemas[capabilitiesG+"/"+k.version+"/"+k.kind] = newCRSchema(t, readCRD(t, k.plural))
	}
	return schemas
}

func gvkOf(obj map[string]any) string {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	return apiVersion + "/" + kind
}

func TestAccountKindExamplesAreAccepted(t *testing.T) {
	schemas := accountKindSchemas(t)
	seen := map[string]bool{}
	for _, dir := range []string{filepath.Join(apiTestdata, "valid"), samplesDir} {
		objs, _ := readManifests(t, dir)
		for _, m := range objs {
			s, ok := schemas[gvkOf(m.obj)]
			if !ok {
				continue // another kind: not ours to check here
			}
			seen[gvkOf(m.obj)] = true
			if errs := s.errorsOf(m.obj, nil); len(errs) > 0 {
				t.Errorf("%s: %s rejected:\n  %s", m.file, gvkOf(m.obj), strings.Join(errs, "\n  "))
			}
		}
	}
	for gvk := range schemas {
		if !seen[gvk] {
			t.Errorf("no valid example or sample of %s", gvk)
		}
	}
}

// TestAccountKindInvalidExamplesAreRejected follows test/api: when a file holds several objects,
// all but the last are applied first (creates, or updates of an object of the same kind and name)
// and must be accepted; the last one must be rejected with the `# want:` text.
func TestAccountKindInvalidExamplesAreRejected(t *testing.T) {
	schemas := accountKindSchemas(t)
	objs, wants := readManifests(t, filepath.Join(apiTestdata, "invalid"))
	byFile := map[string][]map[string]any{}
	var files []string
	for _, m := range objs {
		if _, ok := byFile[m.file]; !ok {
			files = append(files, m.file)
		}
		byFile[m.file] = append(byFile[m.file], m.obj)
	}
	perKind := map[string]int{}
	for _, file := range files {
		docs := byFile[file]
		last := docs[len(docs)-1]
		if _, ok := schemas[gvkOf(last)]; !ok {
			continue // another kind: not ours to check here
		}
		perKind[gvkOf(last)]++
		want, ok := wants[file]
		if !ok || want == "" {
			t.Errorf("%s: the first line must be `# want: <part of the error>`", file)
			continue
		}
		applied := map[string]map[string]any{} // by kind and name, as the API server stores them
		var errs []string
		for i, obj := range docs {
			key := gvkOf(obj) + "/" + nameOf(obj)
			objSchema, ok := schemas[gvkOf(obj)]
			if !ok {
				t.Fatalf("%s: object %d is of kind %s, which these tests cannot apply", file, i+1, gvkOf(obj))
			}
			errs = objSchema.errorsOf(obj, applied[key])
			if i < len(docs)-1 && len(errs) > 0 {
				t.Fatalf("%s: object %d, which must be accepted, was rejected: %s", file, i+1, strings.Join(errs, "; "))
			}
			applied[key] = obj
		}
		if len(errs) == 0 {
			t.Errorf("%s: accepted, want an error containing %q", file, want)
			continue
		}
		t.Logf("%s: %s", filepath.Base(file), strings.Join(errs, "; "))
		if all := strings.Join(errs, "\n"); !strings.Contains(all, want) {
			t.Errorf("%s: errors do not contain %q:\n  %s", file, want, strings.ReplaceAll(all, "\n", "\n  "))
		}
	}
	for gvk := range schemas {
		if perKind[gvk] == 0 {
			t.Errorf("no invalid example of %s", gvk)
		}
	}
}

func nameOf(obj map[string]any) string {
	meta, _ := obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	return name
}

func TestAccountKindUpdates(t *testing.T) {
	application := func(account, product string) map[string]any {
		return map[string]any{
			"apiVersion": capabilitiesG + "/v1beta1",
			"kind":       "Application",
			"metadata":   map[string]any{"name": "example"},
			"spec": map[string]any{
				"accountCR":           map[string]any{"name": account},
				"productCR":           map[string]any{"name": product},
				"applicationPlanName": "plan01",
				"name":                "application-name",
				"description":         "description of application",
			},
		}
	}
	developerUser := func(account string) map[string]any {
		return map[string]any{
			"apiVersion": capabilitiesG + "/v1beta1",
			"kind":       "DeveloperUser",
			"metadata":   map[string]any{"name": "developeruser01"},
			"spec": map[string]any{
				"username":               "myusername01",
				"email":                  "myusername01@example.com",
				"passwordCredentialsRef": map[string]any{"name": "myusername01"},
				"developerAccountRef":    map[string]any{"name": account},
			},
		}
	}
	cases := map[string]struct {
		reason   string
		old, new map[string]any
		want     string // part of the error; empty means the update is accepted
	}{
		"ApplicationAccountCRChange": {
			reason: "An application cannot move to another developer account (the existing operator's CEL rule).",
			old:    application("developeraccount01", "product1-cr"),
			new:    application("developeraccount02", "product1-cr"),
			want:   "spec.accountCR is immutable",
		},
		"ApplicationProductCRChange": {
			reason: "Changing the product is allowed: the operator recreates the application under the new product.",
			old:    application("developeraccount01", "product1-cr"),
			new:    application("developeraccount01", "product2-cr"),
		},
		"ApplicationUnchangedAccountCR": {
			reason: "Re-applying the same account reference is not a change.",
			old:    application("developeraccount01", "product1-cr"),
			new:    application("developeraccount01", "product1-cr"),
		},
		"DeveloperUserMovesAccount": {
			reason: "A developer user may move to another account (the existing operator deletes and recreates it).",
			old:    developerUser("developeraccount01"),
			new:    developerUser("developeraccount02"),
		},
	}
	schemas := accountKindSchemas(t)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			errs := schemas[gvkOf(tc.new)].errorsOf(tc.new, tc.old)
			all := strings.Join(errs, "\n")
			switch {
			case tc.want == "" && len(errs) > 0:
				t.Errorf("%s\nupdate rejected: %s", tc.reason, all)
			case tc.want != "" && !strings.Contains(all, tc.want):
				t.Errorf("%s\nerrors %q do not contain %q", tc.reason, all, tc.want)
			}
		})
	}
}
