package render

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// The golden harness renders every variant in testdata/variants/<variant>.yaml (an Inputs written
// as YAML) with All and compares each object with testdata/<variant>/<kind>-<name>.yaml.
//
//	go test ./pkg/apimanager/render -run TestGolden -update
//
// rewrites the files (and removes those no longer rendered). Without -update the test fails on any
// difference, on a missing file and on a stale extra file. To add a variant, add a YAML file under
// testdata/variants and run with -update; review the new files before committing them.
var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

const variantsDir = "testdata/variants"

func TestGolden(t *testing.T) {
	variants := loadVariants(t)
	if len(variants) == 0 {
		t.Fatalf("no variants in %s", variantsDir)
	}
	for _, name := range sortedKeys(variants) {
		in := variants[name]
		t.Run(name, func(t *testing.T) {
			got := renderFiles(t, in)
			if len(got) == 0 {
				t.Fatal("All rendered no object")
			}
			dir := filepath.Join("testdata", name)
			if *update {
				writeGolden(t, dir, got)
				return
			}
			want := readGolden(t, dir)
			for _, f := range sortedKeys(got) {
				w, ok := want[f]
				if !ok {
					t.Errorf("%s/%s: rendered but has no golden file (run with -update)", dir, f)
					continue
				}
				if diff := cmp.Diff(w, got[f]); diff != "" {
					t.Errorf("%s/%s differs from the golden file (-want +got):\n%s", dir, f, diff)
				}
			}
			for _, f := range sortedKeys(want) {
				if _, ok := got[f]; !ok {
					t.Errorf("%s/%s: stale golden file, no longer rendered (run with -update)", dir, f)
				}
			}
		})
	}
	// A directory of golden files without a variant is stale too.
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && e.Name() != "variants" && variants[e.Name()] == nil {
			t.Errorf("testdata/%s: golden directory without testdata/variants/%s.yaml", e.Name(), e.Name())
		}
	}
}

// TestAllDeterministic renders every variant twice and expects the same objects: renderers must not
// depend on map order, a clock or randomness.
func TestAllDeterministic(t *testing.T) {
	for name, in := range loadVariants(t) {
		if diff := cmp.Diff(renderFiles(t, in), renderFiles(t, in)); diff != "" {
			t.Errorf("%s: two renders differ (-first +second):\n%s", name, diff)
		}
	}
}

func TestAllNilInput(t *testing.T) {
	if got := All(nil); got != nil {
		t.Errorf("All(nil) = %v, want nil", got)
	}
	if got := All(&Inputs{}); got != nil {
		t.Errorf("All(&Inputs{}) = %v, want nil", got)
	}
}

// loadVariants reads testdata/variants/*.yaml. Images left empty are resolved from the defaults and
// the spec, as the controller does with an empty environment.
func loadVariants(t *testing.T) map[string]*Inputs {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(variantsDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*Inputs{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		in := &Inputs{}
		if err := yaml.UnmarshalStrict(b, in); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if in.APIManager == nil {
			t.Fatalf("%s: no apiManager", p)
		}
		if reflect.DeepEqual(in.Images, Images{}) {
			in.Images = ResolveImages(in.APIManager, nil)
		}
		out[strings.TrimSuffix(filepath.Base(p), ".yaml")] = in
	}
	return out
}

// renderFiles renders in and returns the YAML of each object by golden file name, after checking
// what every rendered object must satisfy.
func renderFiles(t *testing.T, in *Inputs) map[string]string {
	t.Helper()
	files := map[string]string{}
	for _, obj := range All(in) {
		name := goldenFileName(obj)
		checkObject(t, in, name, obj)
		if _, dup := files[name]; dup {
			t.Errorf("%s: rendered twice", name)
		}
		files[name] = toYAML(t, obj)
	}
	return files
}

// checkObject enforces the contract of renderers on one object.
func checkObject(t *testing.T, in *Inputs, file string, obj client.Object) {
	t.Helper()
	gvk := obj.GetObjectKind().GroupVersionKind()
	if gvk.Kind == "" || gvk.Version == "" {
		t.Errorf("%s: TypeMeta not set (%v)", file, gvk)
	}
	if obj.GetName() == "" {
		t.Errorf("%s: no name", file)
	}
	if obj.GetNamespace() != in.APIManager.Namespace {
		t.Errorf("%s: namespace %q, want %q", file, obj.GetNamespace(), in.APIManager.Namespace)
	}
	if len(obj.GetOwnerReferences()) != 0 {
		t.Errorf("%s: renderers must not set owner references", file)
	}
	labels := obj.GetLabels()
	for k, v := range OwnedSelector(in) {
		if labels[k] != v {
			t.Errorf("%s: label %s=%q, want %q", file, k, labels[k], v)
		}
	}
	if labels[LabelApp] != in.APIManager.AppLabelOrDefault() {
		t.Errorf("%s: label app=%q, want %q", file, labels[LabelApp], in.APIManager.AppLabelOrDefault())
	}
}

// goldenFileName is <kind>-<name>.yaml with the kind in lower case.
func goldenFileName(obj client.Object) string {
	return strings.ToLower(obj.GetObjectKind().GroupVersionKind().Kind) + "-" + obj.GetName() + ".yaml"
}

// toYAML serializes obj the way it would be applied: without the null creationTimestamp and empty
// status that typed objects carry.
func toYAML(t *testing.T, obj client.Object) string {
	t.Helper()
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		t.Fatalf("%s: %v", obj.GetName(), err)
	}
	pruneEmpty(u)
	if s, ok := u["status"].(map[string]any); ok && len(s) == 0 {
		delete(u, "status")
	}
	b, err := yaml.Marshal(u)
	if err != nil {
		t.Fatalf("%s: %v", obj.GetName(), err)
	}
	return string(b)
}

// pruneEmpty removes every creationTimestamp: null, recursively.
func pruneEmpty(m map[string]any) {
	for k, v := range m {
		switch v := v.(type) {
		case nil:
			if k == "creationTimestamp" {
				delete(m, k)
			}
		case map[string]any:
			pruneEmpty(v)
		case []any:
			for _, e := range v {
				if em, ok := e.(map[string]any); ok {
					pruneEmpty(em)
				}
			}
		}
	}
}

func readGolden(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return out
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

func writeGolden(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
