package api_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	corev1 "k8s.io/api/core/v1"
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
		"ClusterRole /threescale-operator-metrics-auth-role",
		"ClusterRole /threescale-operator-metrics-reader",
		"ClusterRoleBinding /threescale-operator-metrics-auth-rolebinding",
		"Deployment threescale-operator-system/threescale-operator-controller-manager",
		"Namespace /threescale-operator-system",
		"RoleBinding threescale-operator-system/threescale-operator-manager-rolebinding",
		"Service threescale-operator-system/threescale-operator-controller-manager-metrics-service",
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

// kustomizeObjects renders the kustomization in dir with kubectl's kustomize and returns its
// documents.
func kustomizeObjects(t *testing.T, dir string) []string {
	t.Helper()
	r := env.Run("", "kustomize", dir)
	if r.Err != nil {
		t.Fatalf("kubectl kustomize %s: %v\n%s", dir, r.Err, r.Stderr)
	}
	return strings.Split(r.Stdout, "\n---\n")
}

// findObject returns the one document of kind in docs, unmarshalled strictly into out (a field the
// Go type does not know is an error, as the API server's strict validation would make it).
func findObject(t *testing.T, docs []string, kind string, out any) {
	t.Helper()
	found := 0
	for _, doc := range docs {
		var meta struct {
			Kind string `json:"kind"`
		}
		if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
			t.Fatal(err)
		}
		if meta.Kind != kind {
			continue
		}
		found++
		if err := yaml.UnmarshalStrict([]byte(doc), out); err != nil {
			t.Fatalf("the %s does not read as one: %v\n%s", kind, err, doc)
		}
	}
	if found != 1 {
		t.Fatalf("found %d objects of kind %s, want 1", found, kind)
	}
}

// TestPrometheusServiceMonitorScrapesTheMetricsService renders config/prometheus on its own and as
// config/default includes it when its [PROMETHEUS] line is uncommented, and checks that the
// ServiceMonitor is a valid one that scrapes config/default's metrics Service over HTTPS with a
// bearer token.
func TestPrometheusServiceMonitorScrapesTheMetricsService(t *testing.T) {
	root := envtestutil.RepoRoot()
	var service corev1.Service
	findObject(t, kustomizeObjects(t, filepath.Join(root, "config", "default")), "Service", &service)

	// config/default with the prometheus line uncommented, in a scratch folder: the resources
	// that are folders are referenced where they are, the one file is copied (kustomize loads
	// files only from below the kustomization).
	kustomization := readFile(t, filepath.Join(root, "config", "default", "kustomization.yaml"))
	const commented = "  #- ../prometheus\n"
	if !strings.Contains(kustomization, commented) {
		t.Fatalf("config/default/kustomization.yaml lacks the line %q that turns the ServiceMonitor on", commented)
	}
	kustomization = strings.Replace(kustomization, commented, "  - ../prometheus\n", 1)
	dir := t.TempDir()
	config, err := filepath.Rel(dir, filepath.Join(root, "config")) // kustomize refuses absolute folders
	if err != nil {
		t.Fatal(err)
	}
	kustomization = strings.ReplaceAll(kustomization, "  - ../", "  - "+filepath.ToSlash(config)+"/")
	for name, content := range map[string]string{
		"kustomization.yaml":   kustomization,
		"metrics_service.yaml": readFile(t, filepath.Join(root, "config", "default", "metrics_service.yaml")),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	for name, dir := range map[string]string{"Alone": filepath.Join(root, "config", "prometheus"), "InDefault": dir} {
		t.Run(name, func(t *testing.T) {
			var monitor monitoringv1.ServiceMonitor
			findObject(t, kustomizeObjects(t, dir), "ServiceMonitor", &monitor)
			if name == "InDefault" && (monitor.Namespace != service.Namespace || monitor.Name != "threescale-operator-controller-manager-metrics-monitor") {
				t.Errorf("the ServiceMonitor is %s/%s, want threescale-operator-controller-manager-metrics-monitor in %s", monitor.Namespace, monitor.Name, service.Namespace)
			}
			for k, v := range monitor.Spec.Selector.MatchLabels {
				if service.Labels[k] != v {
					t.Errorf("the ServiceMonitor selects %s=%s, which the metrics Service (labels %v) does not carry", k, v, service.Labels)
				}
			}
			if len(monitor.Spec.Selector.MatchLabels) == 0 || len(monitor.Spec.Selector.MatchExpressions) > 0 {
				t.Errorf("the ServiceMonitor selector %v is not the metrics Service's labels", monitor.Spec.Selector)
			}
			if len(monitor.Spec.Endpoints) != 1 {
				t.Fatalf("the ServiceMonitor has %d endpoints, want 1", len(monitor.Spec.Endpoints))
			}
			e := monitor.Spec.Endpoints[0]
			var servicePort *corev1.ServicePort
			for i := range service.Spec.Ports {
				if service.Spec.Ports[i].Name == e.Port {
					servicePort = &service.Spec.Ports[i]
				}
			}
			if servicePort == nil || servicePort.Port != 8443 {
				t.Errorf("the ServiceMonitor scrapes port %q, not the metrics Service's https port 8443 (%v)", e.Port, service.Spec.Ports)
			}
			if e.Scheme == nil || e.Scheme.String() != "https" || e.Path != "/metrics" {
				t.Errorf("the ServiceMonitor scrapes %v://...%s, want https://.../metrics", e.Scheme, e.Path)
			}
			if e.BearerTokenFile != "/var/run/secrets/kubernetes.io/serviceaccount/token" { //nolint:staticcheck // what kubebuilder scaffolds
				t.Errorf("the ServiceMonitor sends no ServiceAccount token (bearerTokenFile %q): the metrics endpoint refuses it", e.BearerTokenFile) //nolint:staticcheck // as above
			}
			if e.TLSConfig == nil || (e.TLSConfig.InsecureSkipVerify == nil || !*e.TLSConfig.InsecureSkipVerify) && e.TLSConfig.CA == (monitoringv1.SecretOrConfigMap{}) {
				t.Errorf("the ServiceMonitor neither trusts a CA nor skips verifying the operator's self-signed certificate: %+v", e.TLSConfig)
			}
		})
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
