package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/operator-framework/api/pkg/manifests"
	"github.com/operator-framework/api/pkg/validation"
	"sigs.k8s.io/yaml"
)

// repoRoot is the repository root as seen from this package's directory, where go test runs.
const repoRoot = "../.."

// bundleFiles reads the bundle under root (bundle/ and bundle.Dockerfile) by relative path.
func bundleFiles(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(filepath.Join(root, "bundle"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		files[rel] = string(data)
		return err
	})
	if err != nil {
		t.Fatalf("cannot read the bundle under %s: %v", root, err)
	}
	if data, err := os.ReadFile(filepath.Join(root, dockerfile)); err == nil {
		files[dockerfile] = string(data)
	}
	return files
}

// generate runs the command as `make bundle` does, reading the repository and writing into a
// temporary directory.
func generate(t *testing.T) string {
	t.Helper()
	out := t.TempDir()
	var stderr bytes.Buffer
	if err := run([]string{"-root", repoRoot, "-out", out}, &stderr); err != nil {
		t.Fatalf("gen-bundle: %v\n%s", err, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Logf("gen-bundle said:\n%s", stderr.String())
	}
	return out
}

// TestCommittedBundleIsUpToDate fails when bundle/ or bundle.Dockerfile differ from what the
// generator makes of config/ now, so a stale bundle cannot land unnoticed.
func TestCommittedBundleIsUpToDate(t *testing.T) {
	want := bundleFiles(t, generate(t))
	got := bundleFiles(t, repoRoot)
	for path, content := range want {
		committed, ok := got[path]
		if !ok {
			t.Errorf("%s is missing; run: make bundle", path)
			continue
		}
		if diff := cmp.Diff(content, committed); diff != "" {
			t.Errorf("%s is stale; run: make bundle\n-generated +committed:\n%s", path, diff)
		}
	}
	for path := range got {
		if _, ok := want[path]; !ok {
			t.Errorf("%s is not generated any more; run: make bundle", path)
		}
	}
}

// validateBundleDir loads a bundle the way OLM tooling does and returns the validators' errors
// and warnings as text.
func validateBundleDir(t *testing.T, dir string) (errs, warnings []string) {
	t.Helper()
	bundle, err := manifests.GetBundleFromDir(dir)
	if err != nil {
		t.Fatalf("cannot load the bundle in %s: %v", dir, err)
	}
	if bundle.CSV == nil {
		t.Fatalf("the bundle in %s has no CSV", dir)
	}
	for _, result := range validation.DefaultBundleValidators.Validate(bundle.ObjectsToValidate()...) {
		for _, e := range result.Errors {
			errs = append(errs, e.Error())
		}
		for _, w := range result.Warnings {
			warnings = append(warnings, w.Error())
		}
	}
	return errs, warnings
}

// TestBundleIsValid runs operator-framework's default bundle validators (CSV, CRDs, bundle
// consistency) on the committed bundle and on a freshly generated one; any error fails.
func TestBundleIsValid(t *testing.T) {
	dirs := map[string]string{
		"Committed": filepath.Join(repoRoot, "bundle"),
		"Generated": filepath.Join(generate(t), "bundle"),
	}
	for name, dir := range dirs {
		t.Run(name, func(t *testing.T) {
			errs, warnings := validateBundleDir(t, dir)
			for _, w := range warnings {
				t.Log("warning:", w)
			}
			for _, e := range errs {
				t.Error(e)
			}
		})
	}
}

// TestValidationCatchesBrokenBundle guards the test above: a bundle whose CSV is broken must
// produce errors, so that "no errors" means a valid bundle and not a validator that saw nothing.
func TestValidationCatchesBrokenBundle(t *testing.T) {
	dir := filepath.Join(generate(t), "bundle")
	csvPath := filepath.Join(dir, "manifests", packageName+".clusterserviceversion.yaml")
	data, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	var csv map[string]any
	if err := yaml.Unmarshal(data, &csv); err != nil {
		t.Fatal(err)
	}
	spec := csv["spec"].(map[string]any)
	delete(spec, "installModes")
	spec["minKubeVersion"] = "not-a-version"
	broken, err := yaml.Marshal(csv)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(csvPath, broken, 0o644); err != nil {
		t.Fatal(err)
	}
	errs, _ := validateBundleDir(t, dir)
	joined := strings.Join(errs, "\n")
	for _, want := range []string{"install modes not found", "MinKubeVersion has an invalid value"} {
		if !strings.Contains(joined, want) {
			t.Errorf("validating a CSV without installModes and with a bad minKubeVersion: want an error containing %q, got:\n%s", want, joined)
		}
	}
}
