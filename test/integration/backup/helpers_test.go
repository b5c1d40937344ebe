package backup

import (
	"context"
	"fmt"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
	"github.com/threescale-oss/operator/pkg/backup"
)

var ctx = context.Background()

// namespace creates a fresh namespace (envtest cannot delete namespaces).
func namespace(t *testing.T) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "backup-"}}
	if err := k8s.Create(ctx, ns); err != nil {
		t.Fatal(err)
	}
	return ns.Name
}

func create(t *testing.T, obj client.Object) {
	t.Helper()
	if err := k8s.Create(ctx, obj); err != nil {
		t.Fatal(err)
	}
}

func newAPIManager(ns, name string, mutate ...func(*appsv1alpha1.APIManager)) *appsv1alpha1.APIManager {
	a := &appsv1alpha1.APIManager{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1alpha1.APIManagerSpec{WildcardDomain: "example.com"}}
	for _, f := range mutate {
		f(a)
	}
	return a
}

func newBackup(ns, name string) *appsv1alpha1.APIManagerBackup {
	return &appsv1alpha1.APIManagerBackup{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1alpha1.APIManagerBackupSpec{BackupDestination: appsv1alpha1.APIManagerBackupDestination{
			PersistentVolumeClaim: &appsv1alpha1.PersistentVolumeClaimBackupDestination{
				Resources: &appsv1alpha1.PersistentVolumeClaimResources{Requests: resource.MustParse("1Gi")},
			}}}}
}

// eventually retries f every 50ms until it returns nil, failing the test after timeout.
func eventually(t *testing.T, timeout time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %v", timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func getBackup(t *testing.T, ns, name string) *appsv1alpha1.APIManagerBackup {
	t.Helper()
	b := &appsv1alpha1.APIManagerBackup{}
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, b); err != nil {
		t.Fatal(err)
	}
	return b
}

// jobsOf lists the Jobs of the backup or restore named name, by step.
func jobsOf(t *testing.T, ns, name string) map[string]*batchv1.Job {
	t.Helper()
	list := &batchv1.JobList{}
	if err := k8s.List(ctx, list, client.InNamespace(ns), client.MatchingLabels{backup.LabelOwnerName: name}); err != nil {
		t.Fatal(err)
	}
	out := map[string]*batchv1.Job{}
	for i := range list.Items {
		out[list.Items[i].Labels[backup.LabelStep]] = &list.Items[i]
	}
	return out
}

// waitJob waits for the Job of step and returns it.
func waitJob(t *testing.T, ns, name, step string) *batchv1.Job {
	t.Helper()
	var job *batchv1.Job
	eventually(t, 10*time.Second, func() error {
		job = jobsOf(t, ns, name)[step]
		if job == nil {
			return fmt.Errorf("no Job for step %s yet; Jobs: %v", step, keys(jobsOf(t, ns, name)))
		}
		return nil
	})
	return job
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// succeed writes the status the Job controller writes when the Job's pod succeeded.
func succeed(t *testing.T, job *batchv1.Job) {
	t.Helper()
	now := metav1.Now()
	job.Status = batchv1.JobStatus{
		StartTime: &now, CompletionTime: &now, Succeeded: 1,
		Conditions: []batchv1.JobCondition{
			{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue, LastTransitionTime: now, LastProbeTime: now},
			{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, LastTransitionTime: now, LastProbeTime: now},
		},
	}
	if err := k8s.Status().Update(ctx, job); err != nil {
		t.Fatal(err)
	}
}

// fail writes what the kubelet and the Job controller write when the Job's pod failed: a pod
// whose container terminated with message, and the Job's Failed condition.
func fail(t *testing.T, job *batchv1.Job, message string) {
	t.Helper()
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: job.Name + "-abcde", Namespace: job.Namespace,
			Labels: map[string]string{batchv1.JobNameLabel: job.Name}},
		Spec: *job.Spec.Template.Spec.DeepCopy(),
	}
	create(t, pod)
	pod.Status = corev1.PodStatus{Phase: corev1.PodFailed, ContainerStatuses: []corev1.ContainerStatus{{
		Name: pod.Spec.Containers[0].Name, Image: pod.Spec.Containers[0].Image,
		State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 2, Reason: "Error", Message: message}},
	}}}
	if err := k8s.Status().Update(ctx, pod); err != nil {
		t.Fatal(err)
	}
	now := metav1.Now()
	job.Status = batchv1.JobStatus{
		StartTime: &now, Failed: 1,
		Conditions: []batchv1.JobCondition{
			{Type: batchv1.JobFailureTarget, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded", Message: "Job has reached the specified backoff limit", LastTransitionTime: now, LastProbeTime: now},
			{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded", Message: "Job has reached the specified backoff limit", LastTransitionTime: now, LastProbeTime: now},
		},
	}
	if err := k8s.Status().Update(ctx, job); err != nil {
		t.Fatal(err)
	}
}

// stepStates returns "name=State" for each step of a status.
func stepStates(steps []appsv1alpha1.StepStatus) []string {
	var out []string
	for _, s := range steps {
		out = append(out, s.Name+"="+string(s.State))
	}
	return out
}

func condition(conditions []metav1.Condition, typ string) metav1.Condition {
	if c := meta.FindStatusCondition(conditions, typ); c != nil {
		return *c
	}
	return metav1.Condition{}
}
