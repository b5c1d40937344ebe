package custompolicy

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/threescale"
)

func spec() *capabilitiesv1beta1.CustomPolicyDefinitionSpec {
	return &capabilitiesv1beta1.CustomPolicyDefinitionSpec{
		Name: "my-policy", Version: "0.0.1",
		Schema: capabilitiesv1beta1.CustomPolicySchemaSpec{
			Name: "My policy", Version: "0.0.1", Summary: "Adds a header",
			Description:   []string{"Adds a header.", "To every request."},
			Schema:        "http://json-schema.org/draft-07/schema#",
			Configuration: runtime.RawExtension{Raw: []byte(`{"type":"object","properties":{"header":{"type":"string"}}}`)},
		},
	}
}

func TestManifestHoldsTheDescription(t *testing.T) {
	got, err := Manifest(spec())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(got, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"name": "My policy", "version": "0.0.1", "summary": "Adds a header",
		"description":   []any{"Adds a header.", "To every request."},
		"$schema":       "http://json-schema.org/draft-07/schema#",
		"configuration": map[string]any{"type": "object", "properties": map[string]any{"header": map[string]any{"type": "string"}}},
	}
	if d := cmp.Diff(want, m); d != "" {
		t.Errorf("manifest: -want +got\n%s", d)
	}
}

func TestPlan(t *testing.T) {
	manifest, _ := Manifest(spec())
	// The same manifest, formatted otherwise and with its keys in another order.
	var v map[string]any
	_ = json.Unmarshal(manifest, &v)
	reformatted, _ := json.MarshalIndent(v, "", "    ")
	otherSummary := strings.Replace(string(manifest), "Adds a header", "Drops a header", 1)

	for _, tc := range []struct {
		name string
		have threescale.CustomPolicy
		want []string
	}{
		{"in sync", threescale.CustomPolicy{ID: 7, Name: "my-policy", Version: "0.0.1", Schema: manifest}, []string{}},
		{"formatting only", threescale.CustomPolicy{ID: 7, Name: "my-policy", Version: "0.0.1", Schema: reformatted}, []string{}},
		{"schema changed", threescale.CustomPolicy{ID: 7, Name: "my-policy", Version: "0.0.1", Schema: json.RawMessage(otherSummary)},
			[]string{`update custom policy "my-policy" 0.0.1 (ID 7): schema`}},
		{"renamed and new version", threescale.CustomPolicy{ID: 7, Name: "old", Version: "0.0.0", Schema: manifest},
			[]string{`update custom policy "my-policy" 0.0.1 (ID 7): name, version`}},
		{"no schema in 3scale", threescale.CustomPolicy{ID: 7, Name: "my-policy", Version: "0.0.1"},
			[]string{`update custom policy "my-policy" 0.0.1 (ID 7): schema`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ops, err := Plan(spec(), &tc.have)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, planning.Descriptions(ops)); d != "" {
				t.Errorf("plan: -want +got\n%s", d)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*capabilitiesv1beta1.CustomPolicyDefinitionSpec)
		want   string
	}{
		{"valid", func(*capabilitiesv1beta1.CustomPolicyDefinitionSpec) {}, ""},
		{"long summary", func(s *capabilitiesv1beta1.CustomPolicyDefinitionSpec) { s.Schema.Summary = strings.Repeat("x", 76) },
			"spec.schema.summary is 76 characters long; 3scale accepts at most 75"},
		{"configuration not an object", func(s *capabilitiesv1beta1.CustomPolicyDefinitionSpec) {
			s.Schema.Configuration.Raw = []byte(`[1]`)
		}, "spec.schema.configuration must be a JSON object (a JSON Schema), not an array"},
		{"empty configuration is an empty schema", func(s *capabilitiesv1beta1.CustomPolicyDefinitionSpec) { s.Schema.Configuration.Raw = nil }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &capabilitiesv1beta1.CustomPolicyDefinition{Spec: *spec()}
			tc.change(&p.Spec)
			err := Kind{}.Check(context.Background(), p)
			got := ""
			if err != nil {
				got = err.Error()
				if external.Classify(err) != external.Invalid {
					t.Errorf("class of %v = %v, want Invalid", err, external.Classify(err))
				}
			}
			if got != tc.want {
				t.Errorf("Check = %q, want %q", got, tc.want)
			}
		})
	}
}
