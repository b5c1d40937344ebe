package backup

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
	"github.com/threescale-oss/operator/pkg/backup"
)

// TestBackupOfTheSampleAPIManager backs up the documentation's sample (internal databases, volume
// file storage): one Job per step, in order, each started when the previous one succeeded, then
// Completed, with the claim kept and labelled with what it holds.
func TestBackupOfTheSampleAPIManager(t *testing.T) {
	ns := namespace(t)
	create(t, newAPIManager(ns, "example-apimanager"))
	create(t, newBackup(ns, "example-apimanagerbackup-pvc"))
	name := "example-apimanagerbackup-pvc"

	order := []string{"secrets-configmaps", "apimanager", "system-storage", "system-mysql", "zync-database", "system-redis", "backend-redis"}
	for i, step := range order {
		job := waitJob(t, ns, name, step)
		if got := len(jobsOf(t, ns, name)); got != i+1 {
			t.Fatalf("at step %s: %d Jobs exist, want %d (one step at a time)", step, got, i+1)
		}
		eventually(t, 5*time.Second, func() error {
			b := getBackup(t, ns, name)
			if b.Status.CurrentStep != step {
				return fmt.Errorf("currentStep = %q, want %q", b.Status.CurrentStep, step)
			}
			if c := condition(b.Status.Conditions, appsv1alpha1.ReadyConditionType); c.Status != metav1.ConditionFalse || c.Reason != appsv1alpha1.InProgressReason {
				return fmt.Errorf("Ready = %+v, want False InProgress", c)
			}
			return nil
		})
		checkJob(t, job, step)
		succeed(t, job)
	}
	var b *appsv1alpha1.APIManagerBackup
	eventually(t, 10*time.Second, func() error {
		b = getBackup(t, ns, name)
		if c := condition(b.Status.Conditions, appsv1alpha1.CompletedConditionType); c.Status != metav1.ConditionTrue {
			return fmt.Errorf("Completed = %+v", c)
		}
		return nil
	})
	want := []string{"secrets-configmaps=Succeeded", "apimanager=Succeeded", "system-storage=Succeeded", "system-mysql=Succeeded",
		"system-postgresql=Skipped", "zync-database=Succeeded", "system-redis=Succeeded", "backend-redis=Succeeded"}
	if diff := cmp.Diff(want, stepStates(b.Status.Steps)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if b.Status.Completed == nil || !*b.Status.Completed || b.Status.MainStepsCompleted == nil || !*b.Status.MainStepsCompleted ||
		b.Status.StartTime == nil || b.Status.CompletionTime == nil || b.Status.CurrentStep != "" ||
		ptrString(b.Status.APIManagerSourceName) != "example-apimanager" || ptrString(b.Status.BackupPersistentVolumeClaimName) != name {
		t.Errorf("status = %+v", b.Status)
	}
	for _, typ := range []string{appsv1alpha1.ReadyConditionType} {
		if c := condition(b.Status.Conditions, typ); c.Status != metav1.ConditionTrue || c.ObservedGeneration != b.Generation {
			t.Errorf("%s = %+v", typ, c)
		}
	}
	if c := condition(b.Status.Conditions, appsv1alpha1.FailedConditionType); c.Status != metav1.ConditionFalse {
		t.Errorf("Failed = %+v", c)
	}
	pvc := &corev1.PersistentVolumeClaim{}
	eventually(t, 5*time.Second, func() error {
		if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, pvc); err != nil {
			return err
		}
		if pvc.Annotations[backup.ContentsAnnotation] == "" {
			return fmt.Errorf("no contents annotation yet")
		}
		return nil
	})
	if got := pvc.Annotations[backup.ContentsAnnotation]; got != "secrets-configmaps,apimanager,system-storage,system-mysql,zync-database,system-redis,backend-redis" {
		t.Errorf("contents = %q", got)
	}
	if pvc.Annotations["apiManagerName"] != "example-apimanager" || pvc.Annotations["apiManagerBackupUID"] != string(b.UID) {
		t.Errorf("claim annotations = %v", pvc.Annotations)
	}
	if len(pvc.OwnerReferences) != 0 {
		t.Errorf("the backup claim has owners %v: it must outlive the backup", pvc.OwnerReferences)
	}
	if got := pvc.Spec.Resources.Requests[corev1.ResourceStorage]; got.String() != "1Gi" {
		t.Errorf("claim size = %s", got.String())
	}
}

func ptrString(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// checkJob checks what each kind of step runs, under which identity and with which rights.
func checkJob(t *testing.T, job *batchv1.Job, step string) {
	t.Helper()
	pod := job.Spec.Template.Spec
	c := pod.Containers[0]
	if len(job.OwnerReferences) != 1 || job.OwnerReferences[0].Kind != "APIManagerBackup" || job.OwnerReferences[0].Controller == nil {
		t.Errorf("Job %s owners = %v", job.Name, job.OwnerReferences)
	}
	if job.Spec.BackoffLimit == nil || *job.Spec.BackoffLimit != 0 {
		t.Errorf("Job %s backoffLimit = %v, want 0 (a failure is final)", job.Name, job.Spec.BackoffLimit)
	}
	role := &rbacv1.Role{}
	roleErr := k8s.Get(ctx, client.ObjectKey{Namespace: job.Namespace, Name: pod.ServiceAccountName}, role)
	sa := &corev1.ServiceAccount{}
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: job.Namespace, Name: pod.ServiceAccountName}, sa); err != nil {
		t.Errorf("Job %s: ServiceAccount: %v", job.Name, err)
	}
	switch step {
	case "secrets-configmaps":
		if c.Image != operatorImage || !slices.Equal(c.Args[:1], []string{"backup-objects"}) {
			t.Errorf("Job %s runs %s %v", job.Name, c.Image, c.Args)
		}
		if roleErr != nil || len(role.Rules) != 2 || !slices.Equal(role.Rules[0].Verbs, []string{"get"}) ||
			!slices.Contains(role.Rules[0].ResourceNames, "system-seed") || slices.Contains(role.Rules[0].ResourceNames, "") {
			t.Errorf("Job %s Role = %+v (%v)", job.Name, role.Rules, roleErr)
		}
	case "apimanager":
		if roleErr != nil || len(role.Rules) != 1 || !slices.Equal(role.Rules[0].ResourceNames, []string{"example-apimanager"}) ||
			!slices.Equal(role.Rules[0].Verbs, []string{"get"}) {
			t.Errorf("Job %s Role = %+v (%v)", job.Name, role.Rules, roleErr)
		}
	case "system-storage":
		if c.Image != operatorImage || c.Args[0] != "copy-files" || len(pod.Volumes) != 2 || pod.Volumes[1].PersistentVolumeClaim.ClaimName != "system-storage" ||
			!pod.Volumes[1].PersistentVolumeClaim.ReadOnly {
			t.Errorf("Job %s: %s %v volumes %+v", job.Name, c.Image, c.Args, pod.Volumes)
		}
	case "system-mysql":
		if c.Image != mysqlImage || !strings.Contains(c.Command[2], "mysqldump --single-transaction") {
			t.Errorf("Job %s runs %s %v", job.Name, c.Image, c.Command)
		}
	}
	if step != "secrets-configmaps" && step != "apimanager" {
		if roleErr == nil {
			t.Errorf("Job %s has a Role %+v: its step needs no API access", job.Name, role.Rules)
		}
		if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
			t.Errorf("Job %s mounts a ServiceAccount token it does not need", job.Name)
		}
	}
	if pod.Volumes[0].PersistentVolumeClaim == nil || pod.Volumes[0].PersistentVolumeClaim.ClaimName != "example-apimanagerbackup-pvc" {
		t.Errorf("Job %s volumes = %+v", job.Name, pod.Volumes)
	}
}

// TestBackupWithS3AndExternalDatabases never creates a Job that cannot run (no system-storage
// claim with S3) and says why each step is skipped.
func TestBackupWithS3AndExternalDatabases(t *testing.T) {
	ns := namespace(t)
	yes := true
	create(t, newAPIManager(ns, "external", func(a *appsv1alpha1.APIManager) {
		a.Spec.ExternalComponents = &appsv1alpha1.ExternalComponentsSpec{
			System:  &appsv1alpha1.ExternalSystemComponents{Redis: &yes, Database: &yes},
			Backend: &appsv1alpha1.ExternalBackendComponents{Redis: &yes},
			Zync:    &appsv1alpha1.ExternalZyncComponents{Database: &yes},
		}
		a.Spec.System = &appsv1alpha1.SystemSpec{FileStorageSpec: &appsv1alpha1.SystemFileStorageSpec{
			S3: &appsv1alpha1.SystemS3Spec{ConfigurationSecretRef: appsv1alpha1.LocalSecretReference{Name: "s3"}}}}
	}))
	create(t, newBackup(ns, "b"))
	succeed(t, waitJob(t, ns, "b", "secrets-configmaps"))
	succeed(t, waitJob(t, ns, "b", "apimanager"))
	var b *appsv1alpha1.APIManagerBackup
	eventually(t, 10*time.Second, func() error {
		b = getBackup(t, ns, "b")
		if condition(b.Status.Conditions, appsv1alpha1.ReadyConditionType).Status != metav1.ConditionTrue {
			return fmt.Errorf("not Ready: %+v", b.Status.Conditions)
		}
		return nil
	})
	if got := keys(jobsOf(t, ns, "b")); len(got) != 2 {
		t.Errorf("Jobs = %v, want only the two object steps", got)
	}
	for _, s := range b.Status.Steps {
		if s.Name == "system-storage" && (s.State != appsv1alpha1.StepSkipped || !strings.Contains(s.Message, "S3")) {
			t.Errorf("system-storage step = %+v", s)
		}
		if s.Name == "system-mysql" && (s.State != appsv1alpha1.StepSkipped || !strings.Contains(s.Message, "external")) {
			t.Errorf("system-mysql step = %+v", s)
		}
	}
}

// TestBackupFailedJob: a failed Job fails the backup with the pod's message, and nothing runs after.
func TestBackupFailedJob(t *testing.T) {
	ns := namespace(t)
	create(t, newAPIManager(ns, "example"))
	create(t, newBackup(ns, "b"))
	succeed(t, waitJob(t, ns, "b", "secrets-configmaps"))
	succeed(t, waitJob(t, ns, "b", "apimanager"))
	succeed(t, waitJob(t, ns, "b", "system-storage"))
	failedAt := time.Now()
	fail(t, waitJob(t, ns, "b", "system-mysql"), "mysqldump: Got error: 1045: Access denied for user 'root'@'10.0.0.7'")
	var b *appsv1alpha1.APIManagerBackup
	eventually(t, 5*time.Second, func() error {
		b = getBackup(t, ns, "b")
		if c := condition(b.Status.Conditions, appsv1alpha1.FailedConditionType); c.Status != metav1.ConditionTrue {
			return fmt.Errorf("Failed = %+v", c)
		}
		return nil
	})
	t.Logf("the backup was Failed %s after the Job's failure was written", time.Since(failedAt).Round(time.Millisecond))
	c := condition(b.Status.Conditions, appsv1alpha1.FailedConditionType)
	if c.Reason != appsv1alpha1.JobFailedReason || !strings.Contains(c.Message, "Access denied for user 'root'") || !strings.Contains(c.Message, "system-mysql") {
		t.Errorf("Failed = %+v", c)
	}
	if r := condition(b.Status.Conditions, appsv1alpha1.ReadyConditionType); r.Status != metav1.ConditionFalse || r.Reason != appsv1alpha1.JobFailedReason {
		t.Errorf("Ready = %+v", r)
	}
	if b.Status.CurrentStep != "system-mysql" || b.Status.Completed == nil || *b.Status.Completed {
		t.Errorf("status = %+v", b.Status)
	}
	time.Sleep(500 * time.Millisecond)
	if got := keys(jobsOf(t, ns, "b")); len(got) != 4 {
		t.Errorf("Jobs after the failure = %v: nothing may run after a failed step", got)
	}
	eventually(t, 10*time.Second, func() error {
		list := &eventsv1.EventList{}
		if err := k8s.List(ctx, list, client.InNamespace(ns)); err != nil {
			return err
		}
		var seen []string
		for _, e := range list.Items {
			if e.Regarding.Name == "b" && e.Reason == "StepFailed" && strings.Contains(e.Note, "Access denied") && e.Type == corev1.EventTypeWarning {
				return nil
			}
			seen = append(seen, e.Reason)
		}
		return fmt.Errorf("no StepFailed Warning event; events: %v", seen)
	})
}

// TestBackupWaitsForExactlyOneAPIManager: none or several is a clear condition; the backup starts
// when there is one.
func TestBackupWaitsForExactlyOneAPIManager(t *testing.T) {
	none := namespace(t)
	create(t, newBackup(none, "b"))
	readyOf := func(ns string) metav1.Condition {
		return condition(getBackup(t, ns, "b").Status.Conditions, appsv1alpha1.ReadyConditionType)
	}
	eventually(t, 5*time.Second, func() error {
		if c := readyOf(none); c.Reason != appsv1alpha1.APIManagerNotFoundReason || !strings.Contains(c.Message, "has no APIManager") {
			return fmt.Errorf("Ready = %+v", c)
		}
		return nil
	})

	ns := namespace(t)
	create(t, newAPIManager(ns, "one"))
	create(t, newAPIManager(ns, "two"))
	create(t, newBackup(ns, "b"))
	eventually(t, 5*time.Second, func() error {
		if c := readyOf(ns); c.Reason != appsv1alpha1.APIManagerNotFoundReason || !strings.Contains(c.Message, "2 APIManagers (one, two)") {
			return fmt.Errorf("Ready = %+v", c)
		}
		return nil
	})
	if got := keys(jobsOf(t, ns, "b")); len(got) != 0 {
		t.Fatalf("Jobs = %v before the APIManager is known", got)
	}
	if err := k8s.Delete(ctx, newAPIManager(ns, "two")); err != nil {
		t.Fatal(err)
	}
	waitJob(t, ns, "b", "secrets-configmaps")
	eventually(t, 5*time.Second, func() error {
		if got := ptrString(getBackup(t, ns, "b").Status.APIManagerSourceName); got != "one" {
			return fmt.Errorf("apiManagerSourceName = %q", got)
		}
		return nil
	})
	// In the first namespace, an APIManager appearing starts the backup.
	create(t, newAPIManager(none, "late"))
	waitJob(t, none, "b", "secrets-configmaps")
}

// TestBackupIsOneShot: editing the spec once started changes nothing, and a condition says so.
func TestBackupIsOneShot(t *testing.T) {
	ns := namespace(t)
	create(t, newAPIManager(ns, "example"))
	create(t, newBackup(ns, "b"))
	waitJob(t, ns, "b", "secrets-configmaps")
	eventually(t, 10*time.Second, func() error {
		b := getBackup(t, ns, "b")
		b.Spec.BackupDestination.PersistentVolumeClaim.Resources.Requests.Set(5 << 30)
		return k8s.Update(ctx, b)
	})
	var b *appsv1alpha1.APIManagerBackup
	eventually(t, 5*time.Second, func() error {
		b = getBackup(t, ns, "b")
		if c := condition(b.Status.Conditions, appsv1alpha1.SpecChangeIgnoredConditionType); c.Status != metav1.ConditionTrue || c.ObservedGeneration != 2 {
			return fmt.Errorf("SpecChangeIgnored = %+v", c)
		}
		return nil
	})
	pvc := &corev1.PersistentVolumeClaim{}
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "b"}, pvc); err != nil {
		t.Fatal(err)
	}
	if got := pvc.Spec.Resources.Requests[corev1.ResourceStorage]; got.String() != "1Gi" {
		t.Errorf("claim size = %s after the edit", got.String())
	}
	if b.Status.StartedGeneration != 1 {
		t.Errorf("startedGeneration = %d", b.Status.StartedGeneration)
	}
}

// TestBackupClaimConflict: a claim of the backup's name made by someone else is never written to.
func TestBackupClaimConflict(t *testing.T) {
	ns := namespace(t)
	create(t, newAPIManager(ns, "example"))
	create(t, &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "b", Namespace: ns},
		Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: newBackup(ns, "b").Spec.BackupDestination.PersistentVolumeClaim.Resources.Requests}}}})
	create(t, newBackup(ns, "b"))
	eventually(t, 5*time.Second, func() error {
		c := condition(getBackup(t, ns, "b").Status.Conditions, appsv1alpha1.FailedConditionType)
		if c.Status != metav1.ConditionTrue || c.Reason != appsv1alpha1.ClaimConflictReason {
			return fmt.Errorf("Failed = %+v", c)
		}
		return nil
	})
	if got := keys(jobsOf(t, ns, "b")); len(got) != 0 {
		t.Errorf("Jobs = %v", got)
	}
}

// TestBackupAtAGlance: `kubectl get apimanagerbackup` shows the step and the completion.
func TestBackupAtAGlance(t *testing.T) {
	ns := namespace(t)
	create(t, newAPIManager(ns, "example"))
	create(t, newBackup(ns, "b"))
	waitJob(t, ns, "b", "secrets-configmaps")
	eventually(t, 5*time.Second, func() error {
		res := env.Run("", "get", "apimanagerbackup", "-n", ns)
		if res.Err != nil {
			return fmt.Errorf("%v: %s", res.Err, res.Stderr)
		}
		lines := strings.Split(strings.TrimSpace(res.Stdout), "\n")
		if len(lines) != 2 || strings.Join(strings.Fields(lines[0]), " ") != "NAME COMPLETED FAILED STEP PVC AGE" ||
			!strings.HasPrefix(strings.Join(strings.Fields(lines[1]), " "), "b False False secrets-configmaps b ") {
			return fmt.Errorf("kubectl get:\n%s", res.Stdout)
		}
		t.Logf("kubectl get apimanagerbackup:\n%s", res.Stdout)
		return nil
	})
}
