package backup

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
	"github.com/threescale-oss/operator/pkg/backup"
	"github.com/threescale-oss/operator/test/envtestutil"
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// managerBinary builds the operator's binary once for the suite.
func managerBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "backup-manager-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "manager")
		cmd := exec.Command("go", "build", "-o", binary, ".")
		cmd.Dir = envtestutil.RepoRoot()
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

// runManager runs a subcommand of the operator's binary against the control plane, as a Job's
// pod runs it, and returns its output.
func runManager(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(managerBinary(t), args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+env.KubeconfigPath)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// platformObjects are Secrets and ConfigMaps as an APIManager leaves them: with owner
// references, labels and annotations the platform reads, and (once created) UIDs, resource
// versions and managed fields.
func platformObjects(ns string, owner *appsv1alpha1.APIManager) []client.Object {
	ref := []metav1.OwnerReference{{APIVersion: "apps.3scale.net/v1alpha1", Kind: "APIManager", Name: owner.Name, UID: owner.UID}}
	labels := map[string]string{"app": "3scale-api-management", "threescale_component": "system"}
	var objs []client.Object
	for _, name := range backup.SecretsToBackUp {
		if name == "zync" {
			continue // as with zync disabled: a missing Secret is left out
		}
		objs = append(objs, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels, OwnerReferences: ref,
				Annotations: map[string]string{"apps.3scale.net/secret-hash": "h-" + name}},
			Type: corev1.SecretTypeOpaque,
			Data: map[string][]byte{"KEY": []byte("value of " + name), "BINARY": {0, 1, 2, 255}},
		})
	}
	for _, name := range backup.ConfigMapsToBackUp {
		objs = append(objs, &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels, OwnerReferences: ref},
			Data:       map[string]string{"THREESCALE_SUPERDOMAIN": "example.com", "multi": "line1\nline2\n"},
		})
	}
	return objs
}

// TestBackupThenRestoreObjects runs the backup-objects and restore-objects subcommands as real
// processes against the API server, with a folder standing in for the backup claim: a restore into
// a fresh namespace reproduces every Secret, ConfigMap and the APIManager (data, labels,
// annotations, spec), and the files hold nothing of the source cluster.
func TestBackupThenRestoreObjects(t *testing.T) {
	src := namespace(t)
	yes := true
	apim := newAPIManager(src, "example-apimanager", func(a *appsv1alpha1.APIManager) {
		a.Labels = map[string]string{"team": "api"}
		a.Annotations = map[string]string{"apps.3scale.net/disable-async": "true"}
		a.Spec.TenantName = ptrTo("acme")
		a.Spec.ExternalComponents = &appsv1alpha1.ExternalComponentsSpec{Backend: &appsv1alpha1.ExternalBackendComponents{Redis: &yes}}
	})
	create(t, apim)
	apim.Status.Conditions = []metav1.Condition{{Type: "Available", Status: metav1.ConditionTrue, Reason: "Up", LastTransitionTime: metav1.Now()}}
	if err := k8s.Status().Update(ctx, apim); err != nil {
		t.Fatal(err)
	}
	for _, o := range platformObjects(src, apim) {
		create(t, o)
	}
	dir := t.TempDir()
	out, err := runManager(t, "backup-objects", "--namespace", src, "--dir", dir,
		"--secrets", strings.Join(backup.SecretsToBackUp, ","), "--configmaps", strings.Join(backup.ConfigMapsToBackUp, ","))
	if err != nil {
		t.Fatalf("backup-objects: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Secret "+src+"/zync does not exist: not backed up") {
		t.Errorf("the output does not say zync was left out:\n%s", out)
	}
	if out, err := runManager(t, "backup-objects", "--namespace", src, "--dir", dir, "--apimanager", apim.Name); err != nil {
		t.Fatalf("backup-objects --apimanager: %v\n%s", err, out)
	}
	// The files are clean: nothing of the source cluster or namespace.
	err = filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, bad := range []string{`"status"`, `"uid"`, `"resourceVersion"`, `"ownerReferences"`, `"managedFields"`, `"creationTimestamp"`, src} {
			if strings.Contains(string(data), bad) {
				t.Errorf("%s holds %s:\n%s", path, bad, data)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	dst := namespace(t)
	out, err = runManager(t, "restore-objects", "--namespace", dst, "--dir", dir, "--secrets-configmaps")
	if err != nil {
		t.Fatalf("restore-objects: %v\n%s", err, out)
	}
	if out, err := runManager(t, "restore-objects", "--namespace", dst, "--dir", dir, "--apimanager"); err != nil {
		t.Fatalf("restore-objects --apimanager: %v\n%s", err, out)
	}
	restored := map[string]bool{}
	for _, o := range platformObjects(src, apim) {
		name := o.GetName()
		switch o := o.(type) {
		case *corev1.Secret:
			got := &corev1.Secret{}
			err := k8s.Get(ctx, client.ObjectKey{Namespace: dst, Name: name}, got)
			// Not restored: rendered from the APIManager, or the Secret of an external database.
			skip := name == "system-memcache" || name == "backend-listener" || name == "backend-redis"
			if skip {
				if err == nil {
					t.Errorf("Secret %s was restored", name)
				}
				continue
			}
			if err != nil {
				t.Errorf("Secret %s: %v", name, err)
				continue
			}
			restored[name] = true
			if diff := cmp.Diff(o.Data, got.Data); diff != "" {
				t.Errorf("Secret %s data (-want +got):\n%s", name, diff)
			}
			if !cmp.Equal(o.Labels, got.Labels) || !cmp.Equal(o.Annotations, got.Annotations) || got.Type != o.Type || len(got.OwnerReferences) != 0 {
				t.Errorf("Secret %s metadata = %+v", name, got.ObjectMeta)
			}
		case *corev1.ConfigMap:
			got := &corev1.ConfigMap{}
			if err := k8s.Get(ctx, client.ObjectKey{Namespace: dst, Name: name}, got); err != nil {
				t.Errorf("ConfigMap %s: %v", name, err)
				continue
			}
			restored[name] = true
			if !cmp.Equal(o.Data, got.Data) || !cmp.Equal(o.Labels, got.Labels) {
				t.Errorf("ConfigMap %s = %+v", name, got)
			}
		}
	}
	if !restored["system-database"] || !restored["system-redis"] || !restored["system-seed"] {
		t.Errorf("restored = %v: the internal databases' Secrets must be restored", restored)
	}
	got := &appsv1alpha1.APIManager{}
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: dst, Name: apim.Name}, got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(apim.Spec, got.Spec); diff != "" {
		t.Errorf("APIManager spec (-want +got):\n%s", diff)
	}
	if !cmp.Equal(apim.Labels, got.Labels) || !cmp.Equal(apim.Annotations, got.Annotations) || len(got.Status.Conditions) != 0 {
		t.Errorf("APIManager = %+v", got.ObjectMeta)
	}

	// Restoring again over what exists writes nothing and names what exists.
	out, err = runManager(t, "restore-objects", "--namespace", dst, "--dir", dir, "--secrets-configmaps")
	if err == nil || !strings.Contains(out, "these objects exist already") || !strings.Contains(out, "Secret system-seed") {
		t.Errorf("a second restore: %v\n%s", err, out)
	}
	// With --overwrite it replaces them.
	seed := &corev1.Secret{}
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: dst, Name: "system-seed"}, seed); err != nil {
		t.Fatal(err)
	}
	seed.Data["KEY"] = []byte("changed")
	if err := k8s.Update(ctx, seed); err != nil {
		t.Fatal(err)
	}
	if out, err := runManager(t, "restore-objects", "--namespace", dst, "--dir", dir, "--secrets-configmaps", "--overwrite"); err != nil {
		t.Fatalf("restore --overwrite: %v\n%s", err, out)
	}
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: dst, Name: "system-seed"}, seed); err != nil {
		t.Fatal(err)
	}
	if string(seed.Data["KEY"]) != "value of system-seed" {
		t.Errorf("after --overwrite system-seed KEY = %q", seed.Data["KEY"])
	}
	// The APIManager is never created twice.
	if out, err := runManager(t, "restore-objects", "--namespace", dst, "--dir", dir, "--apimanager"); err == nil || !strings.Contains(out, "APIManager example-apimanager") {
		t.Errorf("a second APIManager restore: %v\n%s", err, out)
	}
}

func ptrTo[T any](v T) *T { return &v }

// TestCopyFilesSubcommand copies a file storage tree into the backup folder and back into a new
// one, and refuses to copy over files without --empty-destination's consent.
func TestCopyFilesSubcommand(t *testing.T) {
	storage, dir, restored := t.TempDir(), t.TempDir(), t.TempDir()
	files := map[string]string{
		"provider-name/2024/logo.png":                    "\x89PNG\r\n\x1a\nbinary",
		"provider-name/cms/templates/layout.html.liquid": "<html>{{ content }}</html>",
		"config/settings.yml":                            "a: 1\n",
	}
	for name, content := range files {
		p := filepath.Join(storage, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o775); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o664); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := runManager(t, "copy-files", "--from", storage, "--to", filepath.Join(dir, backup.SystemStorageDir)); err != nil {
		t.Fatalf("backup copy: %v\n%s", err, out)
	}
	if out, err := runManager(t, "copy-files", "--from", filepath.Join(dir, backup.SystemStorageDir), "--to", restored, "--empty-destination"); err != nil {
		t.Fatalf("restore copy: %v\n%s", err, out)
	}
	for name, content := range files {
		data, err := os.ReadFile(filepath.Join(restored, name))
		if err != nil || string(data) != content {
			t.Errorf("%s = %q, %v", name, data, err)
		}
		info, _ := os.Stat(filepath.Join(restored, name))
		orig, _ := os.Stat(filepath.Join(storage, name))
		if info.Mode() != orig.Mode() || !info.ModTime().Equal(orig.ModTime()) {
			t.Errorf("%s mode/mtime = %v %v, want %v %v", name, info.Mode(), info.ModTime(), orig.Mode(), orig.ModTime())
		}
	}
	out, err := runManager(t, "copy-files", "--from", filepath.Join(dir, backup.SystemStorageDir), "--to", restored, "--empty-destination")
	if err == nil || !strings.Contains(out, "is not empty") || !strings.Contains(out, "config, provider-name") {
		t.Errorf("copy over files: %v\n%s", err, out)
	}
}
