package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/blang/semver/v4"
	"github.com/google/go-cmp/cmp"
	"github.com/operator-framework/api/pkg/manifests"
	"github.com/operator-framework/api/pkg/operators/v1alpha1"
	"github.com/operator-framework/api/pkg/validation"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	opversion "github.com/threescale-oss/operator/pkg/version"
)

// repoRoot is the repository root as seen from this package's directory, where go test runs.
const repoRoot = "../.."

// bundleFiles reads what the generator writes under root (bundle/, bundle.Dockerfile and
// config/manager's kustomization) by relative path.
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
	for _, name := range []string{dockerfile, managerKustomization} {
		if data, err := os.ReadFile(filepath.Join(root, name)); err == nil {
			files[name] = string(data)
		}
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

// committedCSV reads the CSV of the committed bundle.
func committedCSV(t *testing.T) *v1alpha1.ClusterServiceVersion {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, manifestsDir, packageName+".clusterserviceversion.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var csv v1alpha1.ClusterServiceVersion
	if err := yaml.UnmarshalStrict(data, &csv); err != nil {
		t.Fatalf("the committed CSV does not read as one: %v", err)
	}
	return &csv
}

// TestBundleImageReferencesAgree holds the committed install paths to one operator image and one
// set of platform images: the CSV's containerImage, its Deployment's manager image, its
// relatedImages entry and the image config/manager's kustomization substitutes are the same; every
// RELATED_IMAGE_* of the CSV's Deployment and of config/manager is in relatedImages, with the
// same image, and relatedImages names nothing else.
func TestBundleImageReferencesAgree(t *testing.T) {
	csv := committedCSV(t)
	in, err := readInputs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	if in.Image == "" {
		t.Fatalf("%s names no tagged image for %q; run: make bundle", managerKustomization, managerImagePlaceholder)
	}
	related := map[string]string{}
	for _, r := range csv.Spec.RelatedImages {
		if _, dup := related[r.Name]; dup {
			t.Errorf("relatedImages names %q twice", r.Name)
		}
		related[r.Name] = r.Image
	}
	specs := csv.Spec.InstallStrategy.StrategySpec.DeploymentSpecs
	if len(specs) != 1 {
		t.Fatalf("the CSV has %d Deployments, want 1", len(specs))
	}
	var deployed string
	wantRelated := map[string]string{packageName: in.Image}
	for _, c := range specs[0].Spec.Template.Spec.Containers {
		if c.Name == "manager" {
			deployed = c.Image
		}
		for _, env := range c.Env {
			if suffix, ok := strings.CutPrefix(env.Name, relatedImagePrefix); ok {
				wantRelated[strings.ReplaceAll(strings.ToLower(suffix), "_", "-")] = env.Value
			}
		}
	}
	images := map[string]string{
		"the CSV's containerImage annotation":      csv.Annotations["containerImage"],
		"the CSV's Deployment (container manager)": deployed,
		"the CSV's relatedImages " + packageName:   related[packageName],
		managerKustomization:                       in.Image,
	}
	for where, image := range images {
		if image != in.Image {
			t.Errorf("%s names %q, %s names %q: run make bundle", where, image, managerKustomization, in.Image)
		}
	}
	// config/manager's own variables, not only the CSV's copy of them.
	for _, c := range in.Manager.Spec.Template.Spec.Containers {
		for _, env := range c.Env {
			if suffix, ok := strings.CutPrefix(env.Name, relatedImagePrefix); ok {
				name := strings.ReplaceAll(strings.ToLower(suffix), "_", "-")
				if related[name] != env.Value {
					t.Errorf("%s sets %s=%s, the CSV's relatedImages %q is %q: run make bundle", managerFile, env.Name, env.Value, name, related[name])
				}
			}
		}
	}
	if len(wantRelated) < 2 {
		t.Errorf("the CSV's Deployment has no %s* variable; the platform images would not be mirrored", relatedImagePrefix)
	}
	if diff := cmp.Diff(wantRelated, related); diff != "" {
		t.Errorf("relatedImages: -the operator image and RELATED_IMAGE_* variables, +listed:\n%s", diff)
	}
}

// TestBundleUpgradePolicy checks the committed CSV against the policy the README's "Upgrades
// through OLM" describes: the version is the operator's (pkg/version, the Makefile's VERSION), the
// skip range covers every older version and not this one, and spec.replaces, when set, names an
// older version of the package.
func TestBundleUpgradePolicy(t *testing.T) {
	csv := committedCSV(t)
	v := csv.Spec.Version.Version
	if v.String() != opversion.Default {
		t.Errorf("the CSV is version %s, the operator %s: run make bundle", v, opversion.Default)
	}
	if csv.Name != csvName(v.String()) {
		t.Errorf("the CSV is named %q, want %q", csv.Name, csvName(v.String()))
	}
	skip := csv.Annotations[skipRangeAnnotation]
	r, err := semver.ParseRange(skip)
	if err != nil {
		t.Fatalf("%s %q: %v", skipRangeAnnotation, skip, err)
	}
	for _, older := range []string{"0.0.0", "0.0.1", "0.0.9-rc.1"} {
		if o := semver.MustParse(older); o.LT(v) && !r(o) {
			t.Errorf("%s %q does not cover %s, older than %s", skipRangeAnnotation, skip, older, v)
		}
	}
	if r(v) {
		t.Errorf("%s %q covers the version %s itself", skipRangeAnnotation, skip, v)
	}
	if next := (semver.Version{Major: v.Major, Minor: v.Minor, Patch: v.Patch + 1}); r(next) {
		t.Errorf("%s %q covers the newer %s", skipRangeAnnotation, skip, next)
	}
	if csv.Spec.Replaces != "" {
		prev, ok := strings.CutPrefix(csv.Spec.Replaces, packageName+".v")
		if !ok {
			t.Fatalf("spec.replaces %q is not a CSV of package %s", csv.Spec.Replaces, packageName)
		}
		if p, err := semver.Parse(prev); err != nil || !p.LT(v) {
			t.Errorf("spec.replaces %q is not an older version (%v)", csv.Spec.Replaces, err)
		}
	}
}

// TestAlmExamplesOnePerKind checks that the committed CSV offers exactly one example per kind it
// owns, the console's "create" template for that kind.
func TestAlmExamplesOnePerKind(t *testing.T) {
	csv := committedCSV(t)
	var examples []struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := json.Unmarshal([]byte(csv.Annotations["alm-examples"]), &examples); err != nil {
		t.Fatalf("alm-examples is not a JSON array of objects: %v", err)
	}
	var got, owned []string
	for _, e := range examples {
		got = append(got, e.APIVersion+" "+e.Kind)
	}
	for _, o := range csv.Spec.CustomResourceDefinitions.Owned {
		_, group, _ := strings.Cut(o.Name, ".")
		owned = append(owned, group+"/"+o.Version+" "+o.Kind)
	}
	sort.Strings(got)
	sort.Strings(owned)
	if diff := cmp.Diff(owned, got); diff != "" {
		t.Errorf("alm-examples: -one per owned kind, +listed:\n%s", diff)
	}
	// Every kind of the project: the install side and the capabilities side.
	if len(owned) != 14 {
		t.Errorf("the CSV owns %d kinds, want the 14 of apps.3scale.net and capabilities.3scale.net:\n%s", len(owned), strings.Join(owned, "\n"))
	}
}

// TestBundleMetricsService checks that the metrics Service the bundle ships reaches the operator
// the CSV deploys: it selects the pod's labels and targets the container port serving HTTPS
// metrics, the one the manager's --metrics-bind-address names.
func TestBundleMetricsService(t *testing.T) {
	csv := committedCSV(t)
	data, err := os.ReadFile(filepath.Join(repoRoot, manifestsDir, "threescale-operator-controller-manager-metrics-service_v1_service.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var svc corev1.Service
	if err := yaml.UnmarshalStrict(data, &svc); err != nil {
		t.Fatal(err)
	}
	pod := csv.Spec.InstallStrategy.StrategySpec.DeploymentSpecs[0].Spec.Template
	for k, v := range svc.Spec.Selector {
		if pod.Labels[k] != v {
			t.Errorf("the metrics Service selects %s=%s; the operator pod's labels are %v", k, v, pod.Labels)
		}
	}
	if len(svc.Spec.Ports) != 1 {
		t.Fatalf("the metrics Service has %d ports, want 1", len(svc.Spec.Ports))
	}
	target := svc.Spec.Ports[0].TargetPort.String()
	var port int32
	var args []string
	for _, c := range pod.Spec.Containers {
		if c.Name != "manager" {
			continue
		}
		args = c.Args
		for _, p := range c.Ports {
			if p.Name == target || fmt.Sprint(p.ContainerPort) == target {
				port = p.ContainerPort
			}
		}
	}
	if port == 0 {
		t.Fatalf("the metrics Service targets port %q, which the manager container does not declare", target)
	}
	if want := fmt.Sprintf("--metrics-bind-address=:%d", port); !slices.Contains(args, want) {
		t.Errorf("the manager's arguments %q lack %s, the port the metrics Service targets", args, want)
	}
}
