package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/threescale-oss/operator/test/envtestutil"
)

// sampleAPIManager returns the document of config/samples/apps_v1alpha1_apimanager.yaml that
// declares the named APIManager.
func sampleAPIManager(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(envtestutil.RepoRoot(), "config", "samples", "apps_v1alpha1_apimanager.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range strings.Split(string(b), "\n---\n") {
		if strings.Contains(doc, "\n  name: "+name+"\n") {
			return doc
		}
	}
	t.Fatalf("no APIManager %s in the sample", name)
	return ""
}

// waitFor runs f every 200ms until it returns nil, failing with its last error after timeout.
func waitFor(t *testing.T, timeout time.Duration, logs fmt.Stringer, f func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %v\noperator logs:\n%.6000s", timeout, err, logs)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestSampleAPIManagerWithMonitoring drives the operator binary the way a user does: the monitoring
// CRDs are installed, the documentation's sample APIManager is applied with monitoring enabled, and
// the platform, its monitoring objects and its status are observed with kubectl. There is no
// kubelet, so the test completes the hook Jobs and reports the Deployments available itself.
func TestSampleAPIManagerWithMonitoring(t *testing.T) {
	ctx := context.Background()
	const ns = "apimanager-e2e"
	dirs, err := envtestutil.MonitoringCRDs()
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		kubectl(t, "", "apply", "--server-side", "-f", dir)
	}
	for _, crd := range []string{"podmonitors.monitoring.coreos.com", "prometheusrules.monitoring.coreos.com", "grafanadashboards.grafana.integreatly.org"} {
		kubectl(t, "", "wait", "--for=condition=Established", "--timeout=60s", "crd/"+crd)
	}
	kubectl(t, "", "create", "namespace", ns)

	cmd, logs := startManager(t, ns, "--metrics-bind-address=0", "--health-probe-bind-address="+freeAddr(t))
	defer stop(t, cmd, logs)

	sample := sampleAPIManager(t, "apimanager-sample")
	if !strings.Contains(sample, "wildcardDomain:") {
		t.Fatalf("the sample has no wildcardDomain:\n%s", sample)
	}
	kubectl(t, sample, "apply", "-n", ns, "-f", "-")
	kubectl(t, "", "patch", "-n", ns, "apimanager/apimanager-sample", "--type=merge", "-p", `{"spec":{"monitoring":{"enabled":true}}}`)

	// The platform and its monitoring appear.
	waitFor(t, 90*time.Second, logs, func() error {
		out := env.Run("", "get", "-n", ns, "deployments,services,configmaps,podmonitors,prometheusrules,grafanadashboards,ingresses,jobs", "-o", "name")
		if out.Err != nil {
			return fmt.Errorf("%v: %s", out.Err, out.Stderr)
		}
		for _, want := range []string{
			"deployment.apps/apicast-production", "deployment.apps/backend-listener", "deployment.apps/zync-que",
			"service/system-master", "configmap/system-environment",
			"podmonitor.monitoring.coreos.com/apicast-production", "podmonitor.monitoring.coreos.com/system-app",
			"prometheusrule.monitoring.coreos.com/", "grafanadashboard.grafana.integreatly.org/",
			"ingress.networking.k8s.io/backend", "job.batch/system-app-pre",
		} {
			if !strings.Contains(out.Stdout, want) {
				return fmt.Errorf("%s not created yet; have:\n%s", want, out.Stdout)
			}
		}
		return nil
	})
	labels := kubectl(t, "", "get", "-n", ns, "podmonitors,prometheusrules,grafanadashboards", "-l", "app=3scale-api-management,monitoring-key=middleware", "-o", "name")
	if n := len(strings.Fields(labels)); n < 8+5 {
		t.Errorf("only %d monitoring objects carry the labels the 3scale documentation selects on:\n%s", n, labels)
	}
	kubectl(t, "", "wait", "-n", ns, "--for=condition=SecretsAvailable", "--timeout=60s", "apimanager/apimanager-sample")

	// Play the cluster's part: the hook Jobs succeed, the pods become ready.
	clientset := kubernetes.NewForConfigOrDie(env.Config)
	// The hook Jobs have the existing operator's names (runbooks run `oc logs job/system-app-pre`).
	completeHook := func(name string) {
		waitFor(t, 60*time.Second, logs, func() error {
			jobs, err := clientset.BatchV1().Jobs(ns).List(ctx, metav1.ListOptions{})
			if err != nil {
				return err
			}
			for i := range jobs.Items {
				j := &jobs.Items[i]
				if j.Name != name {
					continue
				}
				now := metav1.Now()
				j.Status = batchv1.JobStatus{StartTime: &now, CompletionTime: &now, Succeeded: 1, Conditions: []batchv1.JobCondition{
					{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue, LastTransitionTime: now},
					{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, LastTransitionTime: now},
				}}
				_, err := clientset.BatchV1().Jobs(ns).UpdateStatus(ctx, j, metav1.UpdateOptions{})
				return err
			}
			return fmt.Errorf("no Job %s", name)
		})
	}
	completeHook("system-app-pre")
	waitFor(t, 60*time.Second, logs, func() error {
		_, err := clientset.AppsV1().Deployments(ns).Get(ctx, "system-app", metav1.GetOptions{})
		return err
	})
	markReady := func() error {
		list, err := clientset.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		for i := range list.Items {
			d := &list.Items[i]
			r := int32(1)
			if d.Spec.Replicas != nil {
				r = *d.Spec.Replicas
			}
			if d.Status.ObservedGeneration == d.Generation && d.Status.AvailableReplicas == r {
				continue
			}
			now := metav1.Now()
			d.Status = appsv1.DeploymentStatus{ObservedGeneration: d.Generation, Replicas: r, UpdatedReplicas: r,
				ReadyReplicas: r, AvailableReplicas: r, Conditions: []appsv1.DeploymentCondition{{
					Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, LastUpdateTime: now, LastTransitionTime: now}}}
			if _, err := clientset.AppsV1().Deployments(ns).UpdateStatus(ctx, d, metav1.UpdateOptions{}); err != nil {
				return err
			}
		}
		return nil
	}
	waitFor(t, 30*time.Second, logs, markReady)
	completeHook("system-app-post")
	waitFor(t, 90*time.Second, logs, func() error {
		if err := markReady(); err != nil {
			return err
		}
		r := env.Run("", "wait", "-n", ns, "--for=condition=Available", "--timeout=2s", "apimanager/apimanager-sample")
		if r.Err != nil {
			return fmt.Errorf("not Available: %s%s", r.Stdout, r.Stderr)
		}
		return nil
	})
	status := kubectl(t, "", "get", "-n", ns, "apimanager/apimanager-sample", "-o", "jsonpath={.status.deployments.ready}")
	for _, d := range []string{"apicast-production", "system-app", "zync-que"} {
		if !strings.Contains(status, d) {
			t.Errorf("status.deployments.ready = %s, lacks %s", status, d)
		}
	}
	if !strings.Contains(logs.String(), "apimanager") {
		t.Errorf("the operator logged nothing about the APIManager:\n%.3000s", logs)
	}
}
