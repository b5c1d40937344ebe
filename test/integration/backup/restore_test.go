package backup

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
	"github.com/threescale-oss/operator/pkg/apimanager/render"
	"github.com/threescale-oss/operator/pkg/backup"
)

// backupClaim creates the claim a backup leaves, with the annotations the backup controller writes
// (contents "" leaves the contents annotation out, as the 3scale operator Red Hat ships does).
func backupClaim(t *testing.T, ns, name, apimName, contents string) {
	t.Helper()
	ann := map[string]string{backup.APIManagerNameAnnotation: apimName}
	if contents != "" {
		ann[backup.ContentsAnnotation] = contents
		ann[backup.SystemStorageClaimAnnotation] = `{"accessModes":["ReadWriteMany"],"storageClassName":"nfs","storage":"3Gi"}`
	}
	create(t, &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Annotations: ann},
		Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}},
	})
}

func newRestore(ns, name, claim string) *appsv1alpha1.APIManagerRestore {
	return &appsv1alpha1.APIManagerRestore{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1alpha1.APIManagerRestoreSpec{RestoreSource: appsv1alpha1.APIManagerRestoreSource{
			PersistentVolumeClaim: &appsv1alpha1.PersistentVolumeClaimRestoreSource{
				ClaimSource: corev1.PersistentVolumeClaimVolumeSource{ClaimName: claim, ReadOnly: true}}}}}
}

func getRestore(t *testing.T, ns, name string) *appsv1alpha1.APIManagerRestore {
	t.Helper()
	r := &appsv1alpha1.APIManagerRestore{}
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, r); err != nil {
		t.Fatal(err)
	}
	return r
}

// becomeAvailable plays the APIManager controller: the platform comes up, with its sidekiq.
func becomeAvailable(t *testing.T, ns, name string) {
	t.Helper()
	apim := &appsv1alpha1.APIManager{}
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, apim); err != nil {
		t.Fatal(err)
	}
	labels := map[string]string{render.LabelK8sManagedBy: render.ManagedBy, "deployment": render.SystemSidekiqName}
	create(t, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: render.SystemSidekiqName, Namespace: ns, Labels: labels},
		Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{
				Containers: []corev1.Container{{Name: "system-sidekiq", Image: "registry.test/porta:1", Command: []string{"bash", "-c", "bundle exec sidekiq"},
					Env: []corev1.EnvVar{{Name: "DATABASE_URL", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
						LocalObjectReference: corev1.LocalObjectReference{Name: "system-database"}, Key: "URL"}}}}}}}}},
	})
	apim.Status.Conditions = []metav1.Condition{{Type: "Available", Status: metav1.ConditionTrue, Reason: "Available", LastTransitionTime: metav1.Now()}}
	if err := k8s.Status().Update(ctx, apim); err != nil {
		t.Fatal(err)
	}
}

// TestRestoreOfTheSampleAPIManager restores a backup of the sample (internal databases, volume
// file storage) step by step: objects, files into a new system-storage claim shaped like the
// backed-up one, the APIManager, a wait for it to be Available, the databases, zync's domains.
func TestRestoreOfTheSampleAPIManager(t *testing.T) {
	ns := namespace(t)
	backupClaim(t, ns, "example-apimanagerbackup-pvc", "example-apimanager",
		"secrets-configmaps,apimanager,system-storage,system-mysql,zync-database,system-redis,backend-redis")
	create(t, newRestore(ns, "r", "example-apimanagerbackup-pvc"))

	for _, step := range []string{"secrets-configmaps", "system-storage", "apimanager"} {
		job := waitJob(t, ns, "r", step)
		pod := job.Spec.Template.Spec
		c := pod.Containers[0]
		if c.Image != operatorImage || !pod.Volumes[0].PersistentVolumeClaim.ReadOnly || pod.Volumes[0].PersistentVolumeClaim.ClaimName != "example-apimanagerbackup-pvc" {
			t.Errorf("Job %s: %s %v %+v", job.Name, c.Image, c.Args, pod.Volumes)
		}
		role := &rbacv1.Role{}
		roleErr := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: job.Name}, role)
		switch step {
		case "secrets-configmaps":
			if roleErr != nil || !slices.Equal(role.Rules[0].Verbs, []string{"create"}) || slices.Contains(c.Args, "--overwrite") {
				t.Errorf("Role %+v %v, args %v", role.Rules, roleErr, c.Args)
			}
		case "system-storage":
			pvc := &corev1.PersistentVolumeClaim{}
			if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "system-storage"}, pvc); err != nil {
				t.Fatal(err)
			}
			if pvc.Spec.AccessModes[0] != corev1.ReadWriteMany || ptrString(pvc.Spec.StorageClassName) != "nfs" || pvc.Spec.Resources.Requests.Storage().String() != "3Gi" {
				t.Errorf("system-storage claim = %+v", pvc.Spec)
			}
			if !slices.Contains(c.Args, "--empty-destination") || roleErr == nil {
				t.Errorf("files Job args %v, role %v", c.Args, roleErr)
			}
		case "apimanager":
			if roleErr != nil || !slices.Equal(role.Rules[0].Resources, []string{"apimanagers"}) || !slices.Equal(role.Rules[0].Verbs, []string{"create"}) {
				t.Errorf("Role %+v %v", role.Rules, roleErr)
			}
			// What the Job does: create the backed-up APIManager.
			create(t, newAPIManager(ns, "example-apimanager"))
		}
		succeed(t, job)
	}
	eventually(t, 5*time.Second, func() error {
		if s := getRestore(t, ns, "r").Status.CurrentStep; s != "wait-available" {
			return fmt.Errorf("currentStep = %q", s)
		}
		return nil
	})
	time.Sleep(300 * time.Millisecond)
	if _, ok := jobsOf(t, ns, "r")["system-mysql"]; ok {
		t.Fatal("the database is loaded before the APIManager is Available")
	}
	becomeAvailable(t, ns, "example-apimanager")
	for _, step := range []string{"system-mysql", "zync-database", "system-redis", "backend-redis", "resync-domains"} {
		job := waitJob(t, ns, "r", step)
		c := job.Spec.Template.Spec.Containers[0]
		switch step {
		case "system-mysql":
			if c.Image != mysqlImage || !strings.Contains(c.Command[2], "mysql -h") {
				t.Errorf("Job %s runs %s %v", job.Name, c.Image, c.Command)
			}
		case "resync-domains":
			if c.Image != "registry.test/porta:1" || !slices.Equal(c.Command, []string{"bundle", "exec", "rake", "zync:resync:domains"}) || c.Env[0].Name != "DATABASE_URL" {
				t.Errorf("Job %s runs %s %v", job.Name, c.Image, c.Command)
			}
		}
		succeed(t, job)
	}
	var rs *appsv1alpha1.APIManagerRestore
	eventually(t, 10*time.Second, func() error {
		rs = getRestore(t, ns, "r")
		if c := condition(rs.Status.Conditions, appsv1alpha1.ReadyConditionType); c.Status != metav1.ConditionTrue {
			return fmt.Errorf("Ready = %+v", c)
		}
		return nil
	})
	want := []string{"secrets-configmaps=Succeeded", "system-storage=Succeeded", "apimanager=Succeeded", "wait-available=Succeeded",
		"system-mysql=Succeeded", "system-postgresql=Skipped", "zync-database=Succeeded", "system-redis=Succeeded", "backend-redis=Succeeded", "resync-domains=Succeeded"}
	if diff := cmp.Diff(want, stepStates(rs.Status.Steps)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if rs.Status.Completed == nil || !*rs.Status.Completed || rs.Status.APIManagerToRestoreRef.Name != "example-apimanager" || rs.Status.CompletionTime == nil {
		t.Errorf("status = %+v", rs.Status)
	}
}

// TestRestoreOfAnExternalDatabaseBackup restores a backup that holds no database and no files
// (external databases, S3): only the objects, the APIManager and zync's domains.
func TestRestoreOfAnExternalDatabaseBackup(t *testing.T) {
	ns := namespace(t)
	backupClaim(t, ns, "b", "external", "secrets-configmaps,apimanager")
	create(t, newRestore(ns, "r", "b"))
	succeed(t, waitJob(t, ns, "r", "secrets-configmaps"))
	job := waitJob(t, ns, "r", "apimanager")
	create(t, newAPIManager(ns, "external"))
	succeed(t, job)
	becomeAvailable(t, ns, "external")
	succeed(t, waitJob(t, ns, "r", "resync-domains"))
	eventually(t, 10*time.Second, func() error {
		if c := condition(getRestore(t, ns, "r").Status.Conditions, appsv1alpha1.CompletedConditionType); c.Status != metav1.ConditionTrue {
			return fmt.Errorf("Completed = %+v", c)
		}
		return nil
	})
	if got := keys(jobsOf(t, ns, "r")); len(got) != 3 {
		t.Errorf("Jobs = %v", got)
	}
	pvc := &corev1.PersistentVolumeClaim{}
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "system-storage"}, pvc); err == nil {
		t.Error("a system-storage claim was created for a backup without files")
	}
}

// TestRestoreRefusesANamespaceWithAnAPIManager and says so.
func TestRestoreRefusesANamespaceWithAnAPIManager(t *testing.T) {
	ns := namespace(t)
	create(t, newAPIManager(ns, "existing"))
	backupClaim(t, ns, "b", "example", "secrets-configmaps,apimanager")
	create(t, newRestore(ns, "r", "b"))
	eventually(t, 5*time.Second, func() error {
		c := condition(getRestore(t, ns, "r").Status.Conditions, appsv1alpha1.ReadyConditionType)
		if c.Reason != appsv1alpha1.APIManagerAlreadyExistsReason || !strings.Contains(c.Message, "(existing)") {
			return fmt.Errorf("Ready = %+v", c)
		}
		return nil
	})
	time.Sleep(300 * time.Millisecond)
	if got := keys(jobsOf(t, ns, "r")); len(got) != 0 {
		t.Errorf("Jobs = %v", got)
	}
}

// TestRestoreFailedJob: objects that exist fail the step with the pod's message naming them.
func TestRestoreFailedJob(t *testing.T) {
	ns := namespace(t)
	backupClaim(t, ns, "b", "example", "")
	create(t, newRestore(ns, "r", "b"))
	fail(t, waitJob(t, ns, "r", "secrets-configmaps"),
		"these objects exist already and the restore does not overwrite them (set spec.overwrite to replace them): Secret system-seed")
	var rs *appsv1alpha1.APIManagerRestore
	eventually(t, 5*time.Second, func() error {
		rs = getRestore(t, ns, "r")
		if c := condition(rs.Status.Conditions, appsv1alpha1.FailedConditionType); c.Status != metav1.ConditionTrue || !strings.Contains(c.Message, "Secret system-seed") {
			return fmt.Errorf("Failed = %+v", c)
		}
		return nil
	})
	// A backup without the contents annotation (the 3scale operator Red Hat ships) restores what
	// that operator backs up.
	want := []string{"secrets-configmaps=Failed", "system-storage=Pending", "apimanager=Pending", "wait-available=Pending",
		"system-mysql=Skipped", "system-postgresql=Skipped", "zync-database=Skipped", "system-redis=Skipped", "backend-redis=Skipped", "resync-domains=Pending"}
	if diff := cmp.Diff(want, stepStates(rs.Status.Steps)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	time.Sleep(300 * time.Millisecond)
	if got := keys(jobsOf(t, ns, "r")); len(got) != 1 {
		t.Errorf("Jobs = %v", got)
	}
}

// TestRestoreWaitsForItsClaim and says which claim it waits for.
func TestRestoreWaitsForItsClaim(t *testing.T) {
	ns := namespace(t)
	create(t, newRestore(ns, "r", "missing"))
	eventually(t, 5*time.Second, func() error {
		c := condition(getRestore(t, ns, "r").Status.Conditions, appsv1alpha1.ReadyConditionType)
		if c.Reason != appsv1alpha1.ClaimNotFoundReason || !strings.Contains(c.Message, "missing") {
			return fmt.Errorf("Ready = %+v", c)
		}
		return nil
	})
}

// TestRestoreOverwrite: spec.overwrite reaches the steps that may find what exists.
func TestRestoreOverwrite(t *testing.T) {
	ns := namespace(t)
	backupClaim(t, ns, "b", "example", "secrets-configmaps,apimanager,system-storage")
	rs := newRestore(ns, "r", "b")
	yes := true
	rs.Spec.Overwrite = &yes
	create(t, rs)
	job := waitJob(t, ns, "r", "secrets-configmaps")
	if !slices.Contains(job.Spec.Template.Spec.Containers[0].Args, "--overwrite") {
		t.Errorf("args = %v", job.Spec.Template.Spec.Containers[0].Args)
	}
	// Turning overwrite off once started changes nothing: the restore runs with its first spec.
	eventually(t, 5*time.Second, func() error {
		cur := getRestore(t, ns, "r")
		no := false
		cur.Spec.Overwrite = &no
		return k8s.Update(ctx, cur)
	})
	succeed(t, job)
	files := waitJob(t, ns, "r", "system-storage")
	if slices.Contains(files.Spec.Template.Spec.Containers[0].Args, "--empty-destination") {
		t.Errorf("args = %v: the restore started with overwrite", files.Spec.Template.Spec.Containers[0].Args)
	}
	eventually(t, 5*time.Second, func() error {
		c := condition(getRestore(t, ns, "r").Status.Conditions, appsv1alpha1.SpecChangeIgnoredConditionType)
		if c.Status != metav1.ConditionTrue {
			return fmt.Errorf("SpecChangeIgnored = %+v", c)
		}
		return nil
	})
}
