package crdschema_test

// These tests hold every CRD of config/crd/bases, every sample of config/samples and every case of
// test/api/testdata to what the API server does with them, without starting one: test/api applies
// the same files to a real kube-apiserver with kubectl, these tests give the same answers in seconds
// in `go test ./test/crdschema/...`. They also test the checker itself, so that a checker that
// accepts everything cannot pass for a working one.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/test/crdschema"
	"github.com/threescale-oss/operator/test/testcases"
)

// The folders these tests read, relative to this package's folder, where `go test` runs them.
var (
	crdDir     = filepath.Join("..", "..", "config", "crd", "bases")
	samplesDir = filepath.Join("..", "..", "config", "samples")
	validDir   = filepath.Join("..", "api", "testdata", "valid")
	invalidDir = filepath.Join("..", "api", "testdata", "invalid")
)

// maxCRDJSON bounds the size of a CRD as JSON, in bytes: etcd refuses values above 1.5 MiB by
// default, and a CRD is stored as one value. The margin leaves room for the fields to come.
const maxCRDJSON = 1_200_000

// crdFacts are the facts of a CRD that users and the existing operator's users depend on.
type crdFacts struct {
	Name, Group, Kind, Plural string
	Scope                     apiextensionsv1.ResourceScope
	// ShortNames must stay empty: the existing operator has none, and they may clash with other
	// operators' kinds.
	ShortNames []string
	// Versions are the versions, each with whether it is served and stored and has the status
	// subresource (so that spec and status have separate writers).
	Versions []string
	// Columns are the printer columns of `kubectl get`, in order.
	Columns []string
	// PreserveUnknownFields are the schema paths that keep unknown fields: only free-form policy
	// configurations, so that strict validation rejects misspelt fields everywhere else.
	PreserveUnknownFields []string
	// Conditions is how status.conditions merges: a list map keyed by type.
	Conditions string
}

// crdRow is one CRD of config/crd/bases and the facts it must show.
type crdRow struct {
	file                         string
	group, version, kind, plural string
	columns                      []string
	preserveUnknownFields        []string
}

func (k crdRow) facts() crdFacts {
	return crdFacts{
		Name: k.plural + "." + k.group, Group: k.group, Kind: k.kind, Plural: k.plural,
		Scope:                 apiextensionsv1.NamespaceScoped,
		Versions:              []string{k.version + " served=true storage=true status=true"},
		Columns:               k.columns,
		PreserveUnknownFields: k.preserveUnknownFields,
		Conditions:            "map keyed by [type]",
	}
}

const (
	apps         = "apps.3scale.net"
	capabilities = "capabilities.3scale.net"
)

// kinds lists every CRD; TestCRDs fails when a file of config/crd/bases has no row.
var kinds = []crdRow{
	{"apps.3scale.net_apimanagers.yaml", apps, "v1alpha1", "APIManager", "apimanagers", []string{"Available", "Wildcard Domain", "Age"}, nil},
	{"apps.3scale.net_apimanagerbackups.yaml", apps, "v1alpha1", "APIManagerBackup", "apimanagerbackups", []string{"Completed", "Failed", "Step", "PVC", "Age"}, nil},
	{"apps.3scale.net_apimanagerrestores.yaml", apps, "v1alpha1", "APIManagerRestore", "apimanagerrestores", []string{"Completed", "Failed", "Step", "APIManager", "Age"}, nil},
	{"capabilities.3scale.net_tenants.yaml", capabilities, "v1alpha1", "Tenant", "tenants", []string{"Ready", "3scale ID", "Organization", "Age"}, nil},
	{"capabilities.3scale.net_activedocs.yaml", capabilities, "v1beta1", "ActiveDoc", "activedocs", []string{"Ready", "3scale ID", "Provider Account", "Age"}, nil},
	{"capabilities.3scale.net_applications.yaml", capabilities, "v1beta1", "Application", "applications", []string{"Ready", "3scale ID", "State", "Plan", "Age"}, nil},
	{"capabilities.3scale.net_applicationauths.yaml", capabilities, "v1beta1", "ApplicationAuth", "applicationauths", []string{"Application", "Ready", "Age"}, nil},
	{"capabilities.3scale.net_backends.yaml", capabilities, "v1beta1", "Backend", "backends", []string{"Synced", "3scale ID", "Provider Account", "Age"}, nil},
	{"capabilities.3scale.net_custompolicydefinitions.yaml", capabilities, "v1beta1", "CustomPolicyDefinition", "custompolicydefinitions", []string{"Provider Account", "Ready", "3scale ID", "Age"}, []string{"spec.schema.configuration"}},
	{"capabilities.3scale.net_developeraccounts.yaml", capabilities, "v1beta1", "DeveloperAccount", "developeraccounts", []string{"Ready", "3scale ID", "State", "Age"}, nil},
	{"capabilities.3scale.net_developerusers.yaml", capabilities, "v1beta1", "DeveloperUser", "developerusers", []string{"Ready", "3scale ID", "Account", "Role", "State", "Age"}, nil},
	{"capabilities.3scale.net_openapis.yaml", capabilities, "v1beta1", "OpenAPI", "openapis", []string{"Ready", "Product", "Backend", "Invalid", "Provider Account", "Age"}, nil},
	{"capabilities.3scale.net_products.yaml", capabilities, "v1beta1", "Product", "products", []string{"Synced", "3scale ID", "Provider Account", "Staging", "Production", "Age"}, []string{"spec.policies[].configuration"}},
	{"capabilities.3scale.net_proxyconfigpromotes.yaml", capabilities, "v1beta1", "ProxyConfigPromote", "proxyconfigpromotes", []string{"Product", "Ready", "Staging", "Production", "Age"}, nil},
}

var loadSet = sync.OnceValues(func() (*crdschema.Set, error) {
	crds, err := crdschema.LoadCRDs(crdDir)
	if err != nil {
		return nil, err
	}
	return crdschema.NewSet(crds)
})

// validators returns a validator for every version of every CRD of config/crd/bases.
func validators(t *testing.T) *crdschema.Set {
	t.Helper()
	set, err := loadSet()
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestCRDs(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(crdDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var files, rows []string
	for _, p := range paths {
		files = append(files, filepath.Base(p))
	}
	for _, k := range kinds {
		rows = append(rows, k.file)
	}
	sort.Strings(rows)
	if diff := cmp.Diff(rows, files); diff != "" {
		t.Errorf("config/crd/bases and the kinds table differ (-table, +files):\n%s", diff)
	}

	for _, k := range kinds {
		t.Run(k.kind, func(t *testing.T) {
			crd, err := crdschema.LoadCRD(filepath.Join(crdDir, k.file))
			if err != nil {
				t.Fatal(err)
			}
			if err := crd.Validate(context.Background()); err != nil {
				t.Errorf("the API server would reject the CRD: %v", err)
			}
			raw, err := json.Marshal(crd.Object)
			if err != nil {
				t.Fatal(err)
			}
			if len(raw) > maxCRDJSON {
				t.Errorf("the CRD is %d bytes as JSON, above the budget of %d", len(raw), maxCRDJSON)
			}
			if diff := cmp.Diff(k.facts(), factsOf(crd.Object)); diff != "" {
				t.Errorf("CRD facts (-want, +got):\n%s", diff)
			}
		})
	}
}

func factsOf(crd *apiextensionsv1.CustomResourceDefinition) crdFacts {
	f := crdFacts{
		Name: crd.Name, Group: crd.Spec.Group, Kind: crd.Spec.Names.Kind, Plural: crd.Spec.Names.Plural,
		Scope: crd.Spec.Scope, ShortNames: crd.Spec.Names.ShortNames,
	}
	for _, v := range crd.Spec.Versions {
		status := v.Subresources != nil && v.Subresources.Status != nil
		f.Versions = append(f.Versions, fmt.Sprintf("%s served=%t storage=%t status=%t", v.Name, v.Served, v.Storage, status))
		for _, c := range v.AdditionalPrinterColumns {
			f.Columns = append(f.Columns, c.Name)
		}
		if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
			continue
		}
		root := v.Schema.OpenAPIV3Schema
		walkSchema(root, "", func(path string, s *apiextensionsv1.JSONSchemaProps) {
			if s.XPreserveUnknownFields != nil && *s.XPreserveUnknownFields {
				f.PreserveUnknownFields = append(f.PreserveUnknownFields, path)
			}
		})
		conditions := root.Properties["status"].Properties["conditions"]
		var listType string
		if conditions.XListType != nil {
			listType = *conditions.XListType
		}
		f.Conditions = fmt.Sprintf("%s keyed by %v", listType, conditions.XListMapKeys)
	}
	sort.Strings(f.PreserveUnknownFields)
	return f
}

// walkSchema calls fn on s and every schema below it, with its path from the root: `.name` for a
// property, `[]` for list items, `{}` for map values.
func walkSchema(s *apiextensionsv1.JSONSchemaProps, path string, fn func(string, *apiextensionsv1.JSONSchemaProps)) {
	if s == nil {
		return
	}
	fn(path, s)
	for name, p := range s.Properties {
		child := name
		if path != "" {
			child = path + "." + name
		}
		walkSchema(&p, child, fn)
	}
	if s.Items != nil {
		walkSchema(s.Items.Schema, path+"[]", fn)
	}
	if s.AdditionalProperties != nil {
		walkSchema(s.AdditionalProperties.Schema, path+"{}", fn)
	}
}

// minimalCRD is a small CRD the API server accepts, which TestCRDValidationCanFail breaks.
const minimalCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, listKind: WidgetList, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
            x-kubernetes-validations:
            - rule: self.size >= 0
`

// TestCRDValidationCanFail proves that the CRD checks of TestCRDs can fail, for the reasons the API
// server has to refuse a CRD.
func TestCRDValidationCanFail(t *testing.T) {
	cases := map[string]struct {
		reason  string
		old     string // replaced in minimalCRD by new
		new     string
		wantErr string // part of the error; empty means accepted
	}{
		"Accepted": {
			reason: "The CRD the other cases break is accepted, so they fail for their own reason.",
		},
		"UnknownField": {
			reason:  "A misspelt field of the CRD is an error, not silently dropped.",
			old:     "  scope:",
			new:     "  scoop:",
			wantErr: `unknown field "scoop"`,
		},
		"CELDoesNotCompile": {
			reason:  "A rule that does not compile makes the API server refuse the CRD.",
			old:     "self.size >= 0",
			new:     "self.size >= 'a'",
			wantErr: "compilation failed",
		},
		"NotStructural": {
			reason:  "Every field of a structural schema has a type.",
			old:     "size: {type: integer}",
			new:     "size: {description: no type}",
			wantErr: "properties[spec].properties[size].type: Required value: must not be empty",
		},
		"NoStorageVersion": {
			reason:  "Exactly one version is stored.",
			old:     "storage: true",
			new:     "storage: false",
			wantErr: "must have exactly one version marked as storage version",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			crd, err := crdschema.ParseCRD([]byte(strings.Replace(minimalCRD, tc.old, tc.new, 1)))
			if err == nil {
				err = crd.Validate(context.Background())
			}
			checkErr(t, tc.reason, err, tc.wantErr)
		})
	}
}

// checkErr fails the test unless err is nil when want is empty, or contains want.
func checkErr(t *testing.T, reason string, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("%s\nunexpected error: %v", reason, err)
	case want != "" && err == nil:
		t.Errorf("%s\nno error, want one containing %q", reason, want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Errorf("%s\nerror %q does not contain %q", reason, err, want)
	}
}

// checkValid applies the objects of a file in order, as `kubectl apply -f` does, and returns the
// kinds of the operator it holds, or why the API server would not accept them all. Objects of
// kinds without a CRD must be core objects (Secrets the example needs): they are the API server's
// business, not the schema's.
func checkValid(ctx context.Context, set *crdschema.Set, content []byte) ([]string, error) {
	objs, err := crdschema.SplitYAML(content)
	if err != nil {
		return nil, err
	}
	store := crdschema.NewStore(set)
	var found []string
	var errs []error
	for i, obj := range objs {
		if _, ok := set.For(obj); !ok {
			if obj["apiVersion"] != "v1" {
				errs = append(errs, fmt.Errorf("object %d: apiVersion %v kind %v has no CRD and is not a core object", i+1, obj["apiVersion"], obj["kind"]))
			}
			continue
		}
		found = append(found, obj["kind"].(string))
		if err := store.Apply(ctx, obj); err != nil {
			errs = append(errs, fmt.Errorf("object %d would be rejected: %w", i+1, err))
		}
	}
	if len(found) == 0 {
		errs = append(errs, errors.New("holds no object of the operator's kinds"))
	}
	return found, errors.Join(errs...)
}

// checkInvalid checks an invalid case the way test/api applies it to a real API server: the first
// line is `# want: <text>`; all objects but the last are applied first and must be accepted (an
// object applied again is an update: the way to test rules on updates); the last one must be
// rejected with a message containing the text. It returns the kind of the last object and the
// rejection message, or an error saying how the case fails.
func checkInvalid(ctx context.Context, set *crdschema.Set, content []byte) (kind, rejection string, err error) {
	want, ok := testcases.WantedMessage(string(content))
	if !ok {
		return "", "", errors.New("does not start with a `# want: <text>` line")
	}
	objs, err := crdschema.SplitYAML(content)
	if err != nil {
		return "", "", err
	}
	if len(objs) == 0 {
		return "", "", errors.New("holds no object")
	}
	store := crdschema.NewStore(set)
	for i, obj := range objs[:len(objs)-1] {
		if _, ok := set.For(obj); !ok {
			continue // a Secret the case needs: the API server's business
		}
		if err := store.Apply(ctx, obj); err != nil {
			return "", "", fmt.Errorf("object %d, which must be accepted, was rejected: %w", i+1, err)
		}
	}
	last := objs[len(objs)-1]
	if _, ok := set.For(last); !ok {
		return "", "", fmt.Errorf("the last object, apiVersion %v kind %v, has no CRD", last["apiVersion"], last["kind"])
	}
	applyErr := store.Apply(ctx, last)
	switch {
	case applyErr == nil:
		return "", "", fmt.Errorf("accepted, want it rejected with a message containing %q", want)
	case !strings.Contains(applyErr.Error(), want):
		return "", "", fmt.Errorf("rejected, but the message does not contain %q:\n%w", want, applyErr)
	}
	return last["kind"].(string), applyErr.Error(), nil
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestValidFilesAreAccepted checks every sample and every documentation example, and that each kind
// has at least one of each.
func TestValidFilesAreAccepted(t *testing.T) {
	set := validators(t)
	for _, dir := range []struct{ name, path string }{{"samples", samplesDir}, {"valid", validDir}} {
		t.Run(dir.name, func(t *testing.T) {
			seen := map[string]bool{}
			for _, file := range testcases.Files(t, dir.path) {
				t.Run(filepath.Base(file), func(t *testing.T) {
					content := readFile(t, file)
					if dir.path == validDir && !strings.HasPrefix(string(content), "# source:") {
						t.Errorf("does not start with a `# source:` line saying where the example comes from")
					}
					found, err := checkValid(context.Background(), set, content)
					if err != nil {
						t.Error(err)
					}
					for _, k := range found {
						seen[k] = true
					}
				})
			}
			for _, k := range kinds {
				if !seen[k.kind] {
					t.Errorf("no file of %s holds a %s", dir.path, k.kind)
				}
			}
		})
	}
}

// TestInvalidObjectsAreRejected checks every case of test/api/testdata/invalid, and that each kind
// has at least one.
func TestInvalidObjectsAreRejected(t *testing.T) {
	set := validators(t)
	seen := map[string]bool{}
	for _, file := range testcases.Files(t, invalidDir) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			kind, rejection, err := checkInvalid(context.Background(), set, readFile(t, file))
			if err != nil {
				t.Fatal(err)
			}
			seen[kind] = true
			t.Log(rejection)
		})
	}
	for _, k := range kinds {
		if !seen[k.kind] {
			t.Errorf("no invalid case of %s", k.kind)
		}
	}
}

// product is the text of a Product named name, with the given spec lines.
func product(name string, spec ...string) string {
	return "apiVersion: capabilities.3scale.net/v1beta1\nkind: Product\nmetadata:\n  name: " + name +
		"\nspec:\n  " + strings.Join(spec, "\n  ") + "\n"
}

// TestCheckersCanFail proves that the two checks above fail when a file is not what it claims.
func TestCheckersCanFail(t *testing.T) {
	const secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n"
	cases := map[string]struct {
		reason  string
		invalid bool // checkInvalid, else checkValid
		content string
		wantErr string // part of the checker's error; empty means the file passes
	}{
		"ValidFile": {
			reason:  "A valid Product and its Secret pass.",
			content: product("p", "name: P") + "---\n" + secret,
		},
		"ValidFileWithRejectedObject": {
			reason:  "A Product without its required name is reported.",
			content: product("p", "description: no name"),
			wantErr: "object 1 would be rejected",
		},
		"ValidFileWithoutOperatorKind": {
			reason:  "A file with nothing to check would pass on nothing.",
			content: secret,
			wantErr: "holds no object of the operator's kinds",
		},
		"ValidFileWithUnknownGroup": {
			reason:  "An object of a group without CRD would be refused by the API server.",
			content: product("p", "name: P") + "---\napiVersion: example.com/v1\nkind: Widget\n",
			wantErr: "object 2: apiVersion example.com/v1 kind Widget has no CRD",
		},
		"InvalidCase": {
			reason:  "A rejected object with the announced message passes.",
			invalid: true,
			content: "# want: spec.name: Required value\n" + product("p", "description: no name"),
		},
		"InvalidCaseAccepted": {
			reason:  "An invalid case the API server would accept is reported.",
			invalid: true,
			content: "# want: spec.name: Required value\n" + product("p", "name: P"),
			wantErr: "accepted, want it rejected",
		},
		"InvalidCaseOtherMessage": {
			reason:  "A rejection for another reason than the announced one is reported.",
			invalid: true,
			content: "# want: spec.systemName\n" + product("p", "description: no name"),
			wantErr: `the message does not contain "spec.systemName"`,
		},
		"InvalidCaseWithoutWantLine": {
			reason:  "Without a want line, any rejection would do.",
			invalid: true,
			content: product("p", "description: no name"),
			wantErr: "does not start with a `# want: <text>` line",
		},
		"InvalidCaseEmptyWantLine": {
			reason:  "An empty wanted text would match any message.",
			invalid: true,
			content: "# want:  \n" + product("p", "description: no name"),
			wantErr: "does not start with a `# want: <text>` line",
		},
		"InvalidCaseEarlierObjectRejected": {
			reason:  "The objects before the last one must be accepted, or the update is not tested.",
			invalid: true,
			content: "# want: spec.name\n" + product("p", "description: no name") + "---\n" + product("p", "description: still none"),
			wantErr: "object 1, which must be accepted, was rejected",
		},
		"InvalidCaseLastObjectWithoutCRD": {
			reason:  "The API server's answer to a Secret is not the schema's.",
			invalid: true,
			content: "# want: data\n" + secret,
			wantErr: "the last object, apiVersion v1 kind Secret, has no CRD",
		},
	}
	set := validators(t)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var err error
			if tc.invalid {
				_, _, err = checkInvalid(context.Background(), set, []byte(tc.content))
			} else {
				_, err = checkValid(context.Background(), set, []byte(tc.content))
			}
			checkErr(t, tc.reason, err, tc.wantErr)
		})
	}
}

// sample returns a copy of the first object of kind in config/samples.
func sample(t *testing.T, kind string) map[string]any {
	t.Helper()
	for _, file := range testcases.Files(t, samplesDir) {
		objs, err := crdschema.SplitYAML(readFile(t, file))
		if err != nil {
			t.Fatal(err)
		}
		for _, obj := range objs {
			if obj["kind"] == kind {
				return obj
			}
		}
	}
	t.Fatalf("config/samples holds no %s", kind)
	return nil
}

// TestValidatorRejectsUnknownFields makes sure the validators are strict, as kubectl's default field
// validation is, so that accepted examples prove every field they use exists.
func TestValidatorRejectsUnknownFields(t *testing.T) {
	type unknownField struct {
		reason string
		kind   string
		set    func(spec map[string]any)
		want   string
	}
	cases := map[string]unknownField{
		"APIManagerMisspeltField": {
			reason: "A misspelt field next to the right one is reported with its path.",
			kind:   "APIManager",
			set:    func(spec map[string]any) { spec["wildcardDomian"] = "typo.example.com" },
			want:   `unknown field "spec.wildcardDomian"`,
		},
	}
	for _, k := range kinds {
		cases[k.kind+"UnknownSpecField"] = unknownField{
			reason: "Every kind's spec rejects a field its schema does not declare.",
			kind:   k.kind,
			set:    func(spec map[string]any) { spec["thisFieldDoesNotExist"] = true },
			want:   `unknown field "spec.thisFieldDoesNotExist"`,
		}
	}
	set := validators(t)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			obj := sample(t, tc.kind)
			if err := mustValidator(t, set, obj).Create(context.Background(), runtime.DeepCopyJSON(obj)); err != nil {
				t.Fatalf("the sample is rejected before the change: %v", err)
			}
			tc.set(obj["spec"].(map[string]any))
			err := mustValidator(t, set, obj).Create(context.Background(), obj)
			checkErr(t, tc.reason, err, tc.want)
			if err != nil && !apierrors.IsBadRequest(err) {
				t.Errorf("got %v, want a BadRequest error as the API server answers", err)
			}
		})
	}
}

func mustValidator(t *testing.T, set *crdschema.Set, obj map[string]any) *crdschema.Validator {
	t.Helper()
	v, ok := set.For(obj)
	if !ok {
		t.Fatalf("no validator for apiVersion %v kind %v", obj["apiVersion"], obj["kind"])
	}
	return v
}

// object returns an object of the operator's kinds.
func object(apiVersion, kind, name string, spec map[string]any) map[string]any {
	return map[string]any{
		"apiVersion": apiVersion,
		"kind":       kind,
		"metadata":   map[string]any{"name": name},
		"spec":       spec,
	}
}

// TestCreateStoresWhatTheAPIServerStores checks the changes the API server makes to an object it
// accepts: schema defaults, nulls it does not allow, status through the main resource.
func TestCreateStoresWhatTheAPIServerStores(t *testing.T) {
	const (
		appsV1alpha1         = "apps.3scale.net/v1alpha1"
		capabilitiesV1beta1  = "capabilities.3scale.net/v1beta1"
		developerAccountName = "developeraccount01"
	)
	user := map[string]any{
		"username":               "user01",
		"email":                  "user01@example.com",
		"passwordCredentialsRef": map[string]any{"name": "user01-password"},
		"developerAccountRef":    map[string]any{"name": developerAccountName},
	}
	userWithRole := runtime.DeepCopyJSON(user)
	userWithRole["role"] = capabilitiesv1beta1.DeveloperUserRoleMember
	cases := map[string]struct {
		reason string
		obj    map[string]any
		want   map[string]any
	}{
		"APIManagerDefaults": {
			reason: "The defaults the operator's Go code also assumes are in the schema.",
			obj:    object(appsV1alpha1, "APIManager", "x", map[string]any{"wildcardDomain": "example.com"}),
			want: object(appsV1alpha1, "APIManager", "x", map[string]any{
				"wildcardDomain":              "example.com",
				"appLabel":                    appsv1alpha1.DefaultAppLabel,
				"tenantName":                  appsv1alpha1.DefaultTenantName,
				"resourceRequirementsEnabled": true,
			}),
		},
		"DeveloperAccountDefaults": {
			reason: "Monthly billing and charging are on unless turned off, as in 3scale.",
			obj:    object(capabilitiesV1beta1, "DeveloperAccount", developerAccountName, map[string]any{"orgName": "Ecorp"}),
			want: object(capabilitiesV1beta1, "DeveloperAccount", developerAccountName, map[string]any{
				"orgName": "Ecorp", "monthlyBillingEnabled": true, "monthlyChargingEnabled": true,
			}),
		},
		"DeveloperUserDefaults": {
			reason: "A developer user is a member unless made an admin.",
			obj:    object(capabilitiesV1beta1, "DeveloperUser", "user01", user),
			want:   object(capabilitiesV1beta1, "DeveloperUser", "user01", userWithRole),
		},
		"NullDropped": {
			reason: "A null the schema does not allow is dropped, not reported as a string that is null.",
			obj:    object(capabilitiesV1beta1, "Product", "p", map[string]any{"name": "P", "systemName": nil}),
			want:   object(capabilitiesV1beta1, "Product", "p", map[string]any{"name": "P"}),
		},
		"StatusDropped": {
			reason: "With the status subresource, a create cannot set status.",
			obj: func() map[string]any {
				obj := object(capabilitiesV1beta1, "Product", "p", map[string]any{"name": "P"})
				obj["status"] = map[string]any{"productId": int64(3)}
				return obj
			}(),
			want: object(capabilitiesV1beta1, "Product", "p", map[string]any{"name": "P"}),
		},
	}
	set := validators(t)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if err := mustValidator(t, set, tc.obj).Create(context.Background(), tc.obj); err != nil {
				t.Fatalf("%s\nrejected: %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.want, tc.obj); diff != "" {
				t.Errorf("%s\nstored object (-want, +got):\n%s", tc.reason, diff)
			}
		})
	}
}

// TestUpdates checks rules that only apply to updates, with the old object CEL and ratcheting see.
func TestUpdates(t *testing.T) {
	application := func(account, product string) map[string]any {
		return object("capabilities.3scale.net/v1beta1", "Application", "example", map[string]any{
			"accountCR":           map[string]any{"name": account},
			"productCR":           map[string]any{"name": product},
			"applicationPlanName": "plan01",
			"name":                "application-name",
			"description":         "description of application",
		})
	}
	developerUser := func(account string) map[string]any {
		return object("capabilities.3scale.net/v1beta1", "DeveloperUser", "developeruser01", map[string]any{
			"username":               "myusername01",
			"email":                  "myusername01@example.com",
			"passwordCredentialsRef": map[string]any{"name": "myusername01"},
			"developerAccountRef":    map[string]any{"name": account},
		})
	}
	activeDoc := func(name, systemName string) map[string]any {
		return object("capabilities.3scale.net/v1beta1", "ActiveDoc", "activedoc1", map[string]any{
			"name":                name,
			"systemName":          systemName,
			"activeDocOpenAPIRef": map[string]any{"url": "https://example.com/openapi.json"},
		})
	}
	cases := map[string]struct {
		reason string
		old    map[string]any
		// oldInvalid says old is rejected by the current schema: stored under an older one.
		oldInvalid bool
		new        map[string]any
		want       string // part of the error; empty means the update is accepted
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
		"RatchetingKeepsUnchangedInvalidField": {
			reason:     "A field a newer schema rejects can be kept while other fields change.",
			old:        activeDoc("Doc", "my doc"),
			oldInvalid: true,
			new:        activeDoc("Renamed doc", "my doc"),
		},
		"RatchetingChecksChangedField": {
			reason:     "A changed field must meet the schema, even if its old value did not.",
			old:        activeDoc("Doc", "my doc"),
			oldInvalid: true,
			new:        activeDoc("Doc", "my doc 2"),
			want:       `spec.systemName: Invalid value: "my doc 2"`,
		},
	}
	set := validators(t)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			v := mustValidator(t, set, tc.new)
			// Create turns old into its stored form; its answer says whether the case means what it says.
			if err := v.Create(context.Background(), tc.old); (err != nil) != tc.oldInvalid {
				t.Fatalf("%s\ncreating the old object: got %v, want an error: %t", tc.reason, err, tc.oldInvalid)
			}
			checkErr(t, tc.reason, v.Update(context.Background(), tc.new, tc.old), tc.want)
		})
	}
}

func TestUpdateKeepsStatus(t *testing.T) {
	set := validators(t)
	old := object("capabilities.3scale.net/v1beta1", "Product", "p", map[string]any{"name": "P"})
	v := mustValidator(t, set, old)
	if err := v.Create(context.Background(), old); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		reason    string
		oldStatus any // nil: the old object has none
		newStatus any // nil: the new object has none
		want      any // nil: the stored object has none
	}{
		"StatusKept":       {reason: "The controller's status survives a user's update.", oldStatus: map[string]any{"productId": int64(3)}, want: map[string]any{"productId": int64(3)}},
		"StatusNotWritten": {reason: "A user cannot write status through the main resource.", oldStatus: map[string]any{"productId": int64(3)}, newStatus: map[string]any{"productId": int64(4)}, want: map[string]any{"productId": int64(3)}},
		"NoStatusYet":      {reason: "Before the controller writes status there is none to keep.", newStatus: map[string]any{"productId": int64(4)}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			stored := runtime.DeepCopyJSON(old)
			if tc.oldStatus != nil {
				stored["status"] = tc.oldStatus
			}
			obj := object("capabilities.3scale.net/v1beta1", "Product", "p", map[string]any{"name": "P2"})
			if tc.newStatus != nil {
				obj["status"] = tc.newStatus
			}
			if err := v.Update(context.Background(), obj, stored); err != nil {
				t.Fatalf("%s\nrejected: %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.want, obj["status"]); diff != "" {
				t.Errorf("%s\nstored status (-want, +got):\n%s", tc.reason, diff)
			}
		})
	}
}

func TestStore(t *testing.T) {
	app := func(namespace, name, account string) map[string]any {
		obj := object("capabilities.3scale.net/v1beta1", "Application", name, map[string]any{
			"accountCR":           map[string]any{"name": account},
			"productCR":           map[string]any{"name": "product1"},
			"applicationPlanName": "plan01",
			"name":                "application-name",
			"description":         "description",
		})
		if namespace != "" {
			obj["metadata"].(map[string]any)["namespace"] = namespace
		}
		return obj
	}
	cases := map[string]struct {
		reason string
		objs   []map[string]any
		want   []string // part of the error of each Apply; empty means accepted
	}{
		"SameNameIsAnUpdate": {
			reason: "An object applied again is an update, so update rules apply.",
			objs:   []map[string]any{app("", "a", "account1"), app("", "a", "account2")},
			want:   []string{"", "spec.accountCR is immutable"},
		},
		"OtherNameIsACreate": {
			reason: "Another name is another object.",
			objs:   []map[string]any{app("", "a", "account1"), app("", "b", "account2")},
			want:   []string{"", ""},
		},
		"OtherNamespaceIsACreate": {
			reason: "The same name in another namespace is another object.",
			objs:   []map[string]any{app("ns1", "a", "account1"), app("ns2", "a", "account2")},
			want:   []string{"", ""},
		},
		"RejectedObjectIsNotStored": {
			reason: "After a rejected create, the next apply is a create again.",
			objs:   []map[string]any{app("", "a", ""), app("", "a", "account2")},
			want:   []string{"spec.accountCR.name", ""},
		},
		"KindWithoutCRD": {
			reason: "Only the kinds of the CRDs can be checked.",
			objs:   []map[string]any{{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "s"}}},
			want:   []string{"no CRD serves apiVersion v1 kind Secret"},
		},
	}
	set := validators(t)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			store := crdschema.NewStore(set)
			for i, obj := range tc.objs {
				checkErr(t, fmt.Sprintf("%s (object %d)", tc.reason, i+1), store.Apply(context.Background(), obj), tc.want[i])
			}
		})
	}
}

func TestValidatorOfVersion(t *testing.T) {
	crd, err := crdschema.LoadCRD(filepath.Join(crdDir, "capabilities.3scale.net_products.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		reason  string
		version string
		want    string // the validator's kind, or part of the error
		wantErr bool
	}{
		"Served":  {reason: "A version of the CRD has a validator.", version: "v1beta1", want: "capabilities.3scale.net/v1beta1, Kind=Product"},
		"Unknown": {reason: "A version the CRD lacks is an error.", version: "v2", want: `has no version "v2"`, wantErr: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			v, err := crd.Validator(tc.version)
			if tc.wantErr {
				checkErr(t, tc.reason, err, tc.want)
				return
			}
			if err != nil {
				t.Fatalf("%s\n%v", tc.reason, err)
			}
			if got := v.GroupVersionKind().String(); got != tc.want {
				t.Errorf("%s\nGroupVersionKind() = %q, want %q", tc.reason, got, tc.want)
			}
		})
	}
}

func TestNewSetRejectsTwoCRDsOfOneKind(t *testing.T) {
	crd, err := crdschema.ParseCRD([]byte(minimalCRD))
	if err != nil {
		t.Fatal(err)
	}
	_, err = crdschema.NewSet([]*crdschema.CRD{crd, crd})
	checkErr(t, "A kind and version has one schema.", err, "two CRDs serve example.com/v1, Kind=Widget")
}

func TestValidatorRejectsOtherKinds(t *testing.T) {
	set := validators(t)
	v := mustValidator(t, set, object("capabilities.3scale.net/v1beta1", "Product", "p", nil))
	obj := object("capabilities.3scale.net/v1beta1", "Backend", "b", map[string]any{"name": "P"})
	checkErr(t, "A validator checks its own kind only.", v.Create(context.Background(), obj), "kind: Invalid value: \"Backend\": must be Product")
}

func TestSplitYAML(t *testing.T) {
	cases := map[string]struct {
		reason  string
		data    string
		want    []map[string]any
		wantErr string
	}{
		"Documents": {
			reason: "Documents are split on ---, and documents of comments only are skipped.",
			data:   "# want: x\na: 1\n---\n# only a comment\n---\nb: x\n",
			want:   []map[string]any{{"a": int64(1)}, {"b": "x"}},
		},
		"Numbers": {
			reason: "Integers are int64, exact beyond float64's precision, as the API server decodes them.",
			data:   "i: 3\nf: 1.5\nbig: 9007199254740993\n",
			want:   []map[string]any{{"i": int64(3), "f": 1.5, "big": int64(9007199254740993)}},
		},
		"List": {
			reason: "The items of a List are objects of their own, as kubectl sends them.",
			data:   "apiVersion: v1\nkind: List\nitems:\n- kind: A\n- kind: B\n",
			want:   []map[string]any{{"kind": "A"}, {"kind": "B"}},
		},
		"JSON": {
			reason: "JSON is YAML.",
			data:   `{"kind": "A"}`,
			want:   []map[string]any{{"kind": "A"}},
		},
		"Empty": {
			reason: "Nothing holds no object.",
		},
		"Scalar": {
			reason:  "A document that is not an object is an error, not skipped.",
			data:    "a: 1\n---\njust text\n",
			wantErr: "document 2 is not an object",
		},
		"ListItemNotObject": {
			reason:  "A List item that is not an object is an error.",
			data:    "kind: List\nitems:\n- 3\n",
			wantErr: "item 0 of the List is not an object",
		},
		"BadYAML": {
			reason:  "A syntax error is reported with its document.",
			data:    "a: 1\n---\nb: [\n",
			wantErr: "document 2",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := crdschema.SplitYAML([]byte(tc.data))
			checkErr(t, tc.reason, err, tc.wantErr)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nSplitYAML() (-want, +got):\n%s", tc.reason, diff)
			}
		})
	}
}
