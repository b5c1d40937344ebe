package openapi

import (
	"fmt"
	"strings"
	"testing"
	"time"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
)

func TestParseErrors(t *testing.T) {
	cases := map[string]struct {
		doc string
		// want are substrings of the error: the parser's message and where.
		want []string
	}{
		"empty":          {doc: "  \n", want: []string{"empty"}},
		"yaml syntax":    {doc: "openapi: 3.0.3\ninfo:\n  title: [unclosed\n", want: []string{"invalid YAML", "line"}},
		"json syntax":    {doc: "{\n  \"openapi\": \"3.0.3\",\n  \"info\": {,}\n}", want: []string{"invalid JSON at line 3, column"}},
		"json truncated": {doc: `{"openapi": "3.0.3"`, want: []string{"invalid JSON"}},
		"not an object":  {doc: "- a\n- b\n", want: []string{`"openapi" or "swagger"`}},
		"no version":     {doc: "info:\n  title: x\n", want: []string{`no "openapi"`}},
		"openapi 2":      {doc: "openapi: 2.0.0\n", want: []string{"only OpenAPI 3.0 and 3.1"}},
		"swagger 1.2":    {doc: "swagger: '1.2'\n", want: []string{"only Swagger 2.0"}},
		"wrong type":     {doc: "openapi: 3.0.3\ninfo: 12\npaths: {}\n", want: []string{"cannot be read at /info"}},
		"wrong type in a path": {doc: "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a: {get: {responses: {'200': {description: ok}}}}\n  /b/c: {get: []}\n",
			want: []string{"cannot be read at /paths/~1b~1c"}},
		"invalid": {doc: "openapi: 3.0.3\ninfo:\n  version: '1'\npaths:\n  pets:\n    get:\n      responses: {'200': {description: ok}}\n",
			want: []string{"not valid OpenAPI 3.0", "title", "pets"}},
		"external ref": {doc: "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    $ref: 'https://example.com/paths.yaml#/a'\n",
			want: []string{"https://example.com/paths.yaml"}},
		"local file ref": {doc: "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200': {$ref: '/etc/passwd'}\n",
			want: []string{"/etc/passwd"}},
		"too large": {doc: "openapi: 3.0.3\n" + strings.Repeat("#", MaxDocumentSize), want: []string{"more than"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			doc, err := Parse([]byte(tc.doc))
			if err == nil {
				t.Fatalf("Parse accepted the document: %+v", doc.Info)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// TestParseTolerates: what the import does not need is not an error.
func TestParseTolerates(t *testing.T) {
	for name, doc := range map[string]string{
		"duplicate operationIds":     "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a: {get: {operationId: x, responses: {'200': {description: ok}}}}\n  /b: {get: {operationId: x, responses: {'200': {description: ok}}}}\n",
		"undeclared path parameter":  "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a/{id}: {get: {responses: {'200': {description: ok}}}}\n",
		"path parameter not in path": "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a: {get: {parameters: [{name: id, in: path, required: true, schema: {type: string}}], responses: {'200': {description: ok}}}}\n",
		"wrong example":              "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents: {schemas: {A: {type: integer, example: abc}}}\n",
	} {
		if _, err := Parse([]byte(doc)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// largeDocument returns an OpenAPI document of n paths with three operations each.
func largeDocument(n int) []byte {
	var b strings.Builder
	b.WriteString("openapi: 3.0.3\ninfo:\n  title: Large\n  version: '1'\nservers:\n  - url: https://large.example.com/v1\npaths:\n")
	for i := range n {
		fmt.Fprintf(&b, "  /resources%d/{id}:\n", i)
		for _, verb := range []string{"get", "put", "delete"} {
			fmt.Fprintf(&b, "    %s:\n      operationId: %s%d\n      description: %s\n      parameters:\n        - {name: id, in: path, required: true, schema: {type: string}}\n      responses:\n        '200':\n          description: ok\n",
				verb, verb, i, strings.Repeat("lorem ipsum ", 8))
		}
	}
	return []byte(b.String())
}

// TestLargeDocument imports a document of a few megabytes: it must take seconds at most, and
// give every operation its method and mapping rule.
func TestLargeDocument(t *testing.T) {
	data := largeDocument(2000)
	start := time.Now()
	doc, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Import(doc, capabilitiesv1beta1.OpenAPISpec{})
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	t.Logf("%d bytes, %d operations: %v", len(data), len(res.Product.MappingRules), elapsed)
	if len(res.Product.Methods) != 6000 || len(res.Product.MappingRules) != 6000 {
		t.Errorf("got %d methods and %d rules, want 6000 each", len(res.Product.Methods), len(res.Product.MappingRules))
	}
	if elapsed > time.Minute {
		t.Errorf("the import took %v", elapsed)
	}
}

// FuzzParse and FuzzImport: no panic and no input slower than fuzzInputLimit, on any bytes. The
// seeds are the golden documents (and testdata/fuzz). Minimizing an interesting input of a few
// kilobytes takes the default minutes, so run them with a short minimization:
//
//	go test ./pkg/openapi -run '^$' -fuzz '^FuzzImport$' -fuzztime 2m -fuzzminimizetime 2s
func FuzzParse(f *testing.F) {
	for _, tc := range importCases {
		f.Add(readTestdata(f, tc.file))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer watchdog(data)()
		doc, err := Parse(data)
		if err == nil && doc == nil {
			t.Fatal("Parse returned neither a document nor an error")
		}
	})
}

func FuzzImport(f *testing.F) {
	for _, tc := range importCases {
		f.Add(readTestdata(f, tc.file), false, false)
	}
	f.Add(readTestdata(f, "prefix-matching.yaml"), true, true)
	f.Fuzz(func(t *testing.T, data []byte, prefix, selfManaged bool) {
		defer watchdog(data)()
		doc, err := Parse(data)
		if err != nil {
			return
		}
		spec := capabilitiesv1beta1.OpenAPISpec{PrefixMatching: &prefix, PrivateBaseURL: str("https://fallback.example.com")}
		if selfManaged {
			spec.ProductionPublicBaseURL = str("https://api.example.com")
		}
		res, err := Import(doc, spec)
		if err != nil {
			return
		}
		for i, r := range res.Product.MappingRules {
			_, isMethod := res.Product.Methods[r.MetricMethodRef]
			_, isMetric := res.Product.Metrics[r.MetricMethodRef]
			if !isMethod && !isMetric && r.MetricMethodRef != "hits" {
				t.Errorf("mappingRules[%d] counts %q, which is neither a method nor a metric", i, r.MetricMethodRef)
			}
			if err := planning.ValidatePattern(r.Pattern); err != nil {
				t.Errorf("mappingRules[%d]: %v", i, err)
			}
		}
		if !validSystemName.MatchString(res.Product.SystemName) {
			t.Errorf("system name %q", res.Product.SystemName)
		}
		friendly := map[string]bool{}
		for name, m := range res.Product.Methods {
			if !validSystemName.MatchString(name) || len(name) > maxNameLength || len(m.Name) > maxNameLength {
				t.Errorf("method %q (%q) is not one 3scale takes", name, m.Name)
			}
			if friendly[m.Name] {
				t.Errorf("friendly name %q twice", m.Name)
			}
			friendly[m.Name] = true
		}
	})
}

func readTestdata(f *testing.F, file string) []byte {
	data, err := readFile(file)
	if err != nil {
		f.Fatal(err)
	}
	return data
}

// fuzzInputLimit bounds the time of one fuzzed input: far more than a document of the fuzzer's
// sizes needs.
const fuzzInputLimit = 10 * time.Second

// watchdog crashes the fuzzing worker when the input takes longer than fuzzInputLimit, so that
// the fuzzer records it as a failing input (a test cannot fail from another goroutine, a panic
// can). The returned function stops it.
func watchdog(data []byte) (stop func()) {
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
		case <-time.After(fuzzInputLimit):
			panic(fmt.Sprintf("an input of %d bytes took more than %v: %q", len(data), fuzzInputLimit, truncate(string(data), 2000)))
		}
	}()
	return func() { close(done) }
}
