package openapi

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/backend"
	"github.com/threescale-oss/operator/pkg/capabilities/product"
)

var update = flag.Bool("update", false, "rewrite the golden files of the import tests")

// golden is what a golden file holds: the two specs and the unmapped notes, or the error.
type golden struct {
	Error    string                           `json:"error,omitempty"`
	Unmapped []string                         `json:"unmapped,omitempty"`
	Backend  *capabilitiesv1beta1.BackendSpec `json:"backend,omitempty"`
	Product  *capabilitiesv1beta1.ProductSpec `json:"product,omitempty"`
}

func str(s string) *string { return &s }

// importCases are the documents of testdata and the OpenAPI settings each is imported with.
var importCases = map[string]struct {
	// file is the document, under testdata.
	file string
	// spec is the OpenAPI object's spec (openapiRef aside).
	spec capabilitiesv1beta1.OpenAPISpec
}{
	"guide-secret":      {file: "guide-secret.yaml"},
	"guide-public-urls": {file: "guide-public-urls.yaml", spec: capabilitiesv1beta1.OpenAPISpec{PrivateBaseURL: str("https://pets.internal:8443"), ProductionPublicBaseURL: str("https://api.example.com"), StagingPublicBaseURL: str("https://staging.api.example.com")}},
	"petstore-3.0":      {file: "petstore-3.0.yaml"},
	"petstore-3.1":      {file: "petstore-3.1.yaml"},
	"swagger-2.0":       {file: "swagger-2.0.json"},
	"apikey-header":     {file: "apikey-header.yaml"},
	"apikey-query":      {file: "apikey-query.json", spec: capabilitiesv1beta1.OpenAPISpec{ProviderAccountRef: &corev1.LocalObjectReference{Name: "tenant"}}},
	"oauth2-flows": {file: "oauth2-flows.yaml", spec: capabilitiesv1beta1.OpenAPISpec{OIDC: &capabilitiesv1beta1.OIDCSpec{
		IssuerType:         "keycloak",
		IssuerEndpointRef:  &corev1.SecretReference{Name: "sso"},
		AuthenticationFlow: &capabilitiesv1beta1.OIDCAuthenticationFlowSpec{StandardFlowEnabled: true},
		CredentialsLoc:     str("authorization"),
	}}},
	"oauth2-no-issuer": {file: "oauth2-flows.yaml"},
	"openidconnect":    {file: "openidconnect.yaml", spec: capabilitiesv1beta1.OpenAPISpec{PrivateAPISecretToken: str("s3cr3t")}},
	"openidconnect-spec-flows": {file: "openidconnect.yaml", spec: capabilitiesv1beta1.OpenAPISpec{OIDC: &capabilitiesv1beta1.OIDCSpec{
		IssuerEndpoint:     "https://zync:secret@sso.example.com/realms/pets",
		AuthenticationFlow: &capabilitiesv1beta1.OIDCAuthenticationFlowSpec{ServiceAccountsEnabled: true},
		Security:           &capabilitiesv1beta1.SecuritySpec{HostHeader: str("from-oidc.example.com")},
	}, PrivateAPIHostHeader: str("pets.internal")}},
	"no-security":             {file: "no-security.yaml", spec: capabilitiesv1beta1.OpenAPISpec{PrivateAPIHostHeader: str("data.example.com"), PrivateAPISecretToken: str("token-1"), OIDC: &capabilitiesv1beta1.OIDCSpec{IssuerEndpoint: "https://sso.example.com"}}},
	"no-operationid":          {file: "no-operationid.yaml"},
	"duplicate-operationids":  {file: "duplicate-operationids.yaml"},
	"path-parameters":         {file: "path-parameters.yaml"},
	"server-variables":        {file: "server-variables.yaml"},
	"prefix-matching":         {file: "prefix-matching.yaml", spec: capabilitiesv1beta1.OpenAPISpec{PrefixMatching: ptr(true), ProductSystemName: str("prefix-api")}},
	"unmapped":                {file: "unmapped.yaml"},
	"no-servers":              {file: "guide-public-urls.yaml"},
	"backend-only":            {file: "petstore-3.1.yaml", spec: capabilitiesv1beta1.OpenAPISpec{BackendOnly: true}},
	"extensions":              {file: "extensions.yaml"},
	"extensions-backend-only": {file: "extensions.yaml", spec: capabilitiesv1beta1.OpenAPISpec{BackendOnly: true}},
	"bad-system-name":         {file: "guide-secret.yaml", spec: capabilitiesv1beta1.OpenAPISpec{ProductSystemName: str("x")}},
}

// TestImportGolden imports every document of importCases and compares the specs with
// testdata/<case>.golden.yaml (go test -run TestImportGolden -update rewrites them).
func TestImportGolden(t *testing.T) {
	for name, tc := range importCases {
		t.Run(name, func(t *testing.T) {
			got := importFile(t, tc.file, tc.spec)
			out, err := yaml.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", name+".golden.yaml")
			if *update {
				if err := os.WriteFile(path, out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(out)); diff != "" {
				t.Errorf("import of %s differs from %s (-want +got):\n%s", tc.file, path, diff)
			}
			// Stable: a second import of the same bytes gives the same bytes.
			again, _ := yaml.Marshal(importFile(t, tc.file, tc.spec))
			if string(again) != string(out) {
				t.Errorf("a second import of %s differs from the first", tc.file)
			}
		})
	}
}

func importFile(t *testing.T, file string, spec capabilitiesv1beta1.OpenAPISpec) golden {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Parse(data)
	if err != nil {
		return golden{Error: err.Error()}
	}
	res, err := Import(doc, spec)
	if err != nil {
		return golden{Error: err.Error()}
	}
	g := golden{Unmapped: res.Unmapped, Backend: &res.Backend}
	if !spec.BackendOnly {
		g.Product = &res.Product
	}
	return g
}

// TestImportGoldenPassValidation holds every generated pair of specs to the checks the Backend
// and Product controllers make before they write to 3scale: a generated spec the operator
// itself refuses would be a bug of the import.
func TestImportGoldenPassValidation(t *testing.T) {
	for name, tc := range importCases {
		t.Run(name, func(t *testing.T) {
			g := importFile(t, tc.file, tc.spec)
			if g.Error != "" {
				return
			}
			b := &capabilitiesv1beta1.Backend{ObjectMeta: metav1.ObjectMeta{Name: "b"}, Spec: *g.Backend}
			if err := (backend.Kind{}).Check(context.Background(), b); err != nil {
				t.Errorf("the Backend controller refuses the backend: %v", err)
			}
			if g.Product == nil {
				return
			}
			p := &capabilitiesv1beta1.Product{ObjectMeta: metav1.ObjectMeta{Name: "p"}, Spec: *g.Product}
			d := &product.Desired{Spec: &p.Spec, SystemName: p.SystemNameOrDefault()}
			if err := product.Validate(d, map[string]*capabilitiesv1beta1.Backend{b.SystemNameOrDefault(): b}); err != nil {
				t.Errorf("the Product controller refuses the product: %v", err)
			}
			for _, r := range append(g.Product.MappingRules, g.Backend.MappingRules...) {
				if len(r.Pattern) > 255 || !strings.HasPrefix(r.Pattern, "/") {
					t.Errorf("pattern %q does not pass the CRD's validation", r.Pattern)
				}
			}
		})
	}
}

func readFile(file string) ([]byte, error) { return os.ReadFile(filepath.Join("testdata", file)) }

// TestSampleImports imports the document of the OpenAPI sample users start from
// (config/samples) with the sample's own settings.
func TestSampleImports(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "config", "samples", "capabilities_v1beta1_openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc []byte
	var spec *capabilitiesv1beta1.OpenAPISpec
	for _, part := range strings.Split(string(data), "\n---\n") {
		var obj struct {
			Kind       string                           `json:"kind"`
			StringData map[string]string                `json:"stringData"`
			Spec       *capabilitiesv1beta1.OpenAPISpec `json:"spec"`
		}
		if err := yaml.Unmarshal([]byte(part), &obj); err != nil {
			t.Fatal(err)
		}
		switch {
		case obj.Kind == "Secret":
			for _, v := range obj.StringData {
				doc = []byte(v)
			}
		case obj.Kind == "OpenAPI" && obj.Spec.OpenAPIRef.SecretRef != nil:
			spec = obj.Spec
		}
	}
	if doc == nil || spec == nil {
		t.Fatal("the sample has no Secret document and OpenAPI reading it")
	}
	parsed, err := Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Import(parsed, *spec)
	if err != nil {
		t.Fatal(err)
	}
	if res.Product.SystemName != "someapi" || len(res.Product.MappingRules) != 1 || res.Product.MappingRules[0].Pattern != "/pet" ||
		res.Product.Deployment.ApicastSelfManaged == nil || len(res.Unmapped) != 0 {
		t.Errorf("sample import: %+v", res)
	}
}

func TestImportExtensionErrors(t *testing.T) {
	base := "openapi: 3.0.3\ninfo: {title: Ext, version: '1'}\nservers: [{url: 'https://api.example.com'}]\n"
	op := "paths:\n  /a:\n    get:\n      operationId: a\n      responses: {'200': {description: ok}}\n"
	cases := map[string]struct{ doc, want string }{
		"metric without unit":    {doc: base + "x-3scale-product: {metrics: {m1: {friendlyName: M}}}\n" + op, want: "x-3scale-product.metrics.m1: friendlyName and unit are required"},
		"policy without version": {doc: base + "x-3scale-product: {policies: [{name: p, enabled: true}]}\n" + op, want: "x-3scale-product.policies[0]: name and version are required"},
		"wrong shape":            {doc: base + "x-3scale-product: {metrics: [1, 2]}\n" + op, want: "x-3scale-product: json: cannot unmarshal"},
		"unknown metric": {doc: base + op + "      x-3scale-operation: {mappingRule: {metricMethodRef: nope}}\n",
			want: `x-3scale-operation.mappingRule.metricMethodRef "nope" is neither a method nor a metric`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			doc, err := Parse([]byte(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Import(doc, capabilitiesv1beta1.OpenAPISpec{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}
