package api_test

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/threescale-oss/operator/test/envtestutil"
	"github.com/threescale-oss/operator/test/testcases"
)

// TestDefaultInstallBuildsAndValidates renders config/default with kubectl's kustomize and has the
// API server validate the result (server-side dry run), so the plain-manifest install is known to
// apply.
func TestDefaultInstallBuildsAndValidates(t *testing.T) {
	dir := filepath.Join(envtestutil.RepoRoot(), "config", "default")
	r := env.Run("", "kustomize", dir)
	if r.Err != nil {
		t.Fatalf("kubectl kustomize config/default: %v\n%s", r.Err, r.Stderr)
	}
	var got []string
	for _, doc := range strings.Split(r.Stdout, "\n---\n") {
		var obj struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name, Namespace string
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatalf("cannot read the rendered install: %v", err)
		}
		if obj.Kind != "CustomResourceDefinition" {
			got = append(got, obj.Kind+" "+obj.Metadata.Namespace+"/"+obj.Metadata.Name)
		} else if !strings.HasSuffix(obj.Metadata.Name, ".3scale.net") {
			t.Errorf("CRD %s was renamed by the kustomization", obj.Metadata.Name)
		}
	}
	sort.Strings(got)
	want := []string{
		"ClusterRole /threescale-operator-manager-role",
		"Deployment threescale-operator-system/threescale-operator-controller-manager",
		"Namespace /threescale-operator-system",
		"RoleBinding threescale-operator-system/threescale-operator-manager-rolebinding",
		"ServiceAccount threescale-operator-system/threescale-operator-controller-manager",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("config/default objects: -want, +got:\n%s", diff)
	}
	// The CRDs are too large for client-side apply's last-applied annotation, so the install is
	// documented as server-side; validate exactly that. A dry run creates nothing, so the
	// namespace the namespaced objects go to must exist first.
	if r := env.Run("", "create", "namespace", "threescale-operator-system"); r.Err != nil {
		t.Fatalf("cannot create the operator namespace: %v\n%s", r.Err, r.Stderr)
	}
	if r := env.Run("", "apply", "--server-side", "--force-conflicts", "--dry-run=server", "-k", dir); r.Err != nil {
		t.Errorf("kubectl apply --server-side --dry-run=server -k config/default: %v\n%s", r.Err, r.Stderr)
	}
}

// TestSamplesKustomizationListsEverySample keeps config/samples/kustomization.yaml in step with the
// sample files.
func TestSamplesKustomizationListsEverySample(t *testing.T) {
	dir := filepath.Join(envtestutil.RepoRoot(), "config", "samples")
	var k struct {
		Resources []string `json:"resources"`
	}
	if err := yaml.Unmarshal([]byte(readFile(t, filepath.Join(dir, "kustomization.yaml"))), &k); err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, f := range testcases.Files(t, dir) {
		files = append(files, filepath.Base(f))
	}
	sort.Strings(k.Resources)
	if diff := cmp.Diff(files, k.Resources); diff != "" {
		t.Errorf("config/samples/kustomization.yaml resources: -files, +listed:\n%s", diff)
	}
}
