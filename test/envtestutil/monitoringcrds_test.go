package envtestutil

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

// readCRDs decodes every CRD file of dirs, by file path.
func readCRDs(t *testing.T, dirs []string) map[string]*apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	out := map[string]*apiextensionsv1.CustomResourceDefinition{}
	for _, dir := range dirs {
		paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			crd := &apiextensionsv1.CustomResourceDefinition{}
			if err := yaml.UnmarshalStrict(b, crd); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			out[p] = crd
		}
	}
	return out
}

func TestMonitoringCRDs(t *testing.T) {
	dirs, err := MonitoringCRDs()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, crd := range readCRDs(t, dirs) {
		var served []string
		for _, v := range crd.Spec.Versions {
			if v.Served {
				served = append(served, v.Name)
			}
		}
		got = append(got, crd.Name+" "+strings.Join(served, ","))
	}
	sort.Strings(got)
	want := []string{
		"grafanadashboards.grafana.integreatly.org v1beta1",
		"podmonitors.monitoring.coreos.com v1",
		"prometheusrules.monitoring.coreos.com v1",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("monitoring CRDs (-want +got):\n%s", diff)
	}
}

// withoutComments drops the leading comment lines we add to the copies.
func withoutComments(b []byte) []byte {
	for bytes.HasPrefix(b, []byte("#")) {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return nil
		}
		b = b[i+1:]
	}
	return b
}

// moduleDir returns the folder of a module of go.mod in the module cache.
func moduleDir(t *testing.T, module string) string {
	t.Helper()
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", module)
	cmd.Dir = RepoRoot()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -m %s: %v", module, err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		t.Fatalf("module %s is not downloaded (go mod download %s)", module, module)
	}
	return dir
}

// TestMonitoringCRDsUpToDate compares the committed CRDs with what the modules of go.mod give, so
// that bumping prometheus-operator or grafana-operator without refreshing them fails.
func TestMonitoringCRDsUpToDate(t *testing.T) {
	root := RepoRoot()
	compare := func(committed, fresh string) {
		t.Helper()
		c, err := os.ReadFile(committed)
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.ReadFile(fresh)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(withoutComments(c), withoutComments(f)) {
			t.Errorf("%s differs from %s: refresh it (see monitoringcrds.go)", committed, fresh)
		}
	}

	grafana := moduleDir(t, "github.com/grafana/grafana-operator/v5")
	compare(filepath.Join(root, "test", "crds", "grafana", "grafana.integreatly.org_grafanadashboards.yaml"),
		filepath.Join(grafana, "config", "crd", "bases", "grafana.integreatly.org_grafanadashboards.yaml"))

	if testing.Short() {
		t.Skip("regenerating the prometheus-operator CRDs with controller-gen takes a while")
	}
	out := t.TempDir()
	cmd := exec.Command("go", "tool", "controller-gen", "crd:crdVersions=v1",
		"paths=github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1",
		"output:crd:dir="+out)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("controller-gen: %v\n%s", err, b)
	}
	for _, kind := range []string{"podmonitors", "prometheusrules"} {
		name := "monitoring.coreos.com_" + kind + ".yaml"
		compare(filepath.Join(root, "test", "crds", "monitoring", name), filepath.Join(out, name))
	}
}
