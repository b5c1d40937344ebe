package render

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"
)

// The monitoring objects are checked against the CRDs the integration suites install (see
// test/envtestutil/monitoringcrds.go) the way kube-apiserver checks a custom resource: OpenAPI
// schema (types, enums, patterns), CEL rules, and no field the schema would silently drop.

// monitoringCRDDirs are the CRD folders, relative to this package.
var monitoringCRDDirs = []string{"../../../test/crds/monitoring", "../../../test/crds/grafana"}

// crdSchema is what validating one kind needs.
type crdSchema struct {
	internal   *apiextensions.JSONSchemaProps
	structural *structuralschema.Structural
}

// loadCRDSchemas reads the CRDs of dirs and returns the schema of every served version.
func loadCRDSchemas(t *testing.T, dirs ...string) map[schema.GroupVersionKind]crdSchema {
	t.Helper()
	out := map[schema.GroupVersionKind]crdSchema{}
	for _, dir := range dirs {
		paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if err != nil || len(paths) == 0 {
			t.Fatalf("no CRD in %s (%v)", dir, err)
		}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			crd := &apiextensionsv1.CustomResourceDefinition{}
			if err := yaml.Unmarshal(b, crd); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			for _, v := range crd.Spec.Versions {
				internal := &apiextensions.JSONSchemaProps{}
				if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(v.Schema.OpenAPIV3Schema, internal, nil); err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				structural, err := structuralschema.NewStructural(internal)
				if err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				gvk := schema.GroupVersionKind{Group: crd.Spec.Group, Version: v.Name, Kind: crd.Spec.Names.Kind}
				out[gvk] = crdSchema{internal: internal, structural: structural}
			}
		}
	}
	return out
}

// validateAgainstCRD returns what kube-apiserver would reject or drop in obj (an object as sent,
// without status, which is a subresource).
func validateAgainstCRD(t *testing.T, s crdSchema, obj map[string]any) []string {
	t.Helper()
	var problems []string
	pruned := runtime.DeepCopyJSON(obj)
	opts := structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true}
	for _, path := range pruning.PruneWithOptions(pruned, s.structural, true, opts) {
		problems = append(problems, "unknown field "+path)
	}
	validator, _, err := validation.NewSchemaValidator(s.internal)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range validation.ValidateCustomResource(nil, obj, validator) {
		problems = append(problems, e.Error())
	}
	if v := cel.NewValidator(s.structural, true, celconfig.PerCallLimit); v != nil {
		errs, _ := v.Validate(context.Background(), nil, s.structural, obj, nil, celconfig.RuntimeCELCostBudget)
		for _, e := range errs {
			problems = append(problems, e.Error())
		}
	}
	return problems
}

func TestMonitoringObjectsMatchTheirCRDs(t *testing.T) {
	schemas := loadCRDSchemas(t, monitoringCRDDirs...)
	objs := Monitoring(monitoringInputs())
	if len(objs) == 0 {
		t.Fatal("nothing rendered")
	}
	for _, o := range objs {
		gvk := o.GetObjectKind().GroupVersionKind()
		s, ok := schemas[gvk]
		if !ok {
			t.Errorf("%s/%s: no CRD for %s", gvk.Kind, o.GetName(), gvk)
			continue
		}
		u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o)
		if err != nil {
			t.Fatal(err)
		}
		delete(u, "status")
		for _, p := range validateAgainstCRD(t, s, u) {
			t.Errorf("%s/%s: %s", gvk.Kind, o.GetName(), p)
		}
	}
}

// TestValidateAgainstCRDRejects shows that the check above can fail.
func TestValidateAgainstCRDRejects(t *testing.T) {
	schemas := loadCRDSchemas(t, monitoringCRDDirs...)
	tests := map[string]struct {
		kind, yaml string
	}{
		"bad scheme": {"PodMonitor", `
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata: {name: x, namespace: y}
spec:
  selector: {}
  podMetricsEndpoints: [{port: metrics, scheme: ftp}]
`},
		"unknown field": {"PodMonitor", `
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata: {name: x, namespace: y}
spec:
  selector: {}
  podMetricsEndpoints: [{port: metrics, interval: 30s, portName: metrics}]
`},
		"bad duration": {"PrometheusRule", `
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: x, namespace: y}
spec:
  groups: [{name: g, rules: [{alert: A, expr: up == 0, for: 5 minutes}]}]
`},
		"no instance selector": {"GrafanaDashboard", `
apiVersion: grafana.integreatly.org/v1beta1
kind: GrafanaDashboard
metadata: {name: x, namespace: y}
spec:
  json: "{}"
`},
		"folderUID and folderRef (CEL)": {"GrafanaDashboard", `
apiVersion: grafana.integreatly.org/v1beta1
kind: GrafanaDashboard
metadata: {name: x, namespace: y}
spec:
  instanceSelector: {}
  json: "{}"
  folderUID: a
  folderRef: b
`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var obj map[string]any
			if err := yaml.Unmarshal([]byte(tc.yaml), &obj); err != nil {
				t.Fatal(err)
			}
			var s crdSchema
			for gvk, candidate := range schemas {
				if gvk.Kind == tc.kind {
					s = candidate
				}
			}
			if s.internal == nil {
				t.Fatalf("no CRD for %s", tc.kind)
			}
			if problems := validateAgainstCRD(t, s, obj); len(problems) == 0 {
				t.Error("accepted, want a problem")
			} else {
				t.Log(problems)
			}
		})
	}
}
