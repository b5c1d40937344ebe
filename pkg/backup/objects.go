package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
	"github.com/threescale-oss/operator/pkg/apimanager/render"
)

var (
	secretGVK     = schema.GroupVersionKind{Version: "v1", Kind: "Secret"}
	configMapGVK  = schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}
	apiManagerGVK = appsv1alpha1.GroupVersion.WithKind("APIManager")
)

// Clean returns the manifest of obj as a backup keeps it: apiVersion, kind, the name, labels and
// annotations, and the content (spec, data, type, ...); never the status, the namespace, UIDs,
// resource versions, owner references, managed fields or timestamps, which belong to the cluster
// the object lives in.
func Clean(obj map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range obj {
		if k != "status" && k != "metadata" {
			out[k] = v
		}
	}
	md, _ := obj["metadata"].(map[string]any)
	clean := map[string]any{"name": md["name"]}
	for _, k := range []string{"labels", "annotations"} {
		if m, ok := md[k].(map[string]any); ok && len(m) > 0 {
			clean[k] = m
		}
	}
	out["metadata"] = clean
	return out
}

// writeFileAtomic writes data to path through a temporary file renamed into place, so that a
// reader never sees half a file.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o2770); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".partial-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// BackupObjects writes the clean manifests of the named Secrets, ConfigMaps and APIManager of ns
// under dir (secrets/<name>.json, configmaps/<name>.json, apimanager/apimanager-backup.json). A
// Secret or ConfigMap that does not exist is reported in out and left out (zync's, when zync is
// disabled); the APIManager must exist.
func BackupObjects(ctx context.Context, c client.Reader, out io.Writer, ns, dir string, secrets, configMaps []string, apimanager string) error {
	type item struct {
		gvk      schema.GroupVersionKind
		name     string
		path     string
		required bool
	}
	var items []item
	for _, s := range secrets {
		items = append(items, item{secretGVK, s, filepath.Join(dir, SecretsDir, s+".json"), false})
	}
	for _, cm := range configMaps {
		items = append(items, item{configMapGVK, cm, filepath.Join(dir, ConfigMapsDir, cm+".json"), false})
	}
	if apimanager != "" {
		items = append(items, item{apiManagerGVK, apimanager, filepath.Join(dir, APIManagerDir, APIManagerFile), true})
	}
	for _, it := range items {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(it.gvk)
		if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: it.name}, u); err != nil {
			if apierrors.IsNotFound(err) && !it.required {
				fmt.Fprintf(out, "%s %s/%s does not exist: not backed up\n", it.gvk.Kind, ns, it.name)
				continue
			}
			return fmt.Errorf("cannot read %s %s/%s: %w", it.gvk.Kind, ns, it.name, err)
		}
		data, err := json.MarshalIndent(Clean(u.Object), "", "  ")
		if err != nil {
			return err
		}
		if err := writeFileAtomic(it.path, append(data, '\n'), 0o640); err != nil {
			return fmt.Errorf("cannot write %s: %w", it.path, err)
		}
		fmt.Fprintf(out, "%s %s/%s -> %s\n", it.gvk.Kind, ns, it.name, it.path)
	}
	return nil
}

// readManifest reads a manifest written by BackupObjects.
func readManifest(path string) (*unstructured.Unstructured, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{}
	if err := json.Unmarshal(data, &u.Object); err != nil {
		return nil, fmt.Errorf("%s is not a manifest: %w", path, err)
	}
	return u, nil
}

// BackedUpAPIManager reads the APIManager of the backup in dir.
func BackedUpAPIManager(dir string) (*appsv1alpha1.APIManager, error) {
	u, err := readManifest(filepath.Join(dir, APIManagerDir, APIManagerFile))
	if err != nil {
		return nil, err
	}
	apim := &appsv1alpha1.APIManager{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, apim); err != nil {
		return nil, fmt.Errorf("the backed-up APIManager cannot be read: %w", err)
	}
	return apim, nil
}

// SecretsToRestore returns the Secrets a restore of apim writes: the backed-up ones, but the
// connection Secrets of external databases (their owner restores them, with the database),
// system-memcache (rendered from the APIManager) and backend-listener (its route endpoint follows
// the restored APIManager).
func SecretsToRestore(apim *appsv1alpha1.APIManager) []string {
	external := map[string]bool{
		render.SystemDatabaseSecret: apim.IsSystemDatabaseExternal(),
		render.SystemRedisSecret:    apim.IsSystemRedisExternal(),
		render.BackendRedisSecret:   apim.IsBackendRedisExternal(),
	}
	var out []string
	for _, s := range restoredSecrets() {
		if !external[s] {
			out = append(out, s)
		}
	}
	return out
}

// RestoreSecretsAndConfigMaps creates in ns the Secrets (SecretsToRestore of the backed-up
// APIManager) and ConfigMaps of the backup in dir. When one exists already it writes nothing and
// fails naming them all, unless overwrite: then it replaces their labels, annotations and content.
func RestoreSecretsAndConfigMaps(ctx context.Context, c client.Client, out io.Writer, ns, dir string, overwrite bool) error {
	apim, err := BackedUpAPIManager(dir)
	if err != nil {
		return err
	}
	var objs []*unstructured.Unstructured
	add := func(sub string, names []string) error {
		for _, n := range names {
			u, err := readManifest(filepath.Join(dir, sub, n+".json"))
			if errors.Is(err, os.ErrNotExist) {
				fmt.Fprintf(out, "%s/%s.json is not in the backup: not restored\n", sub, n)
				continue
			}
			if err != nil {
				return err
			}
			u.SetNamespace(ns)
			objs = append(objs, u)
		}
		return nil
	}
	if err := add(SecretsDir, SecretsToRestore(apim)); err != nil {
		return err
	}
	if err := add(ConfigMapsDir, ConfigMapsToBackUp); err != nil {
		return err
	}
	return restore(ctx, c, out, objs, overwrite)
}

// RestoreAPIManager creates in ns the APIManager of the backup in dir; it fails when one of that
// name exists.
func RestoreAPIManager(ctx context.Context, c client.Client, out io.Writer, ns, dir string) error {
	u, err := readManifest(filepath.Join(dir, APIManagerDir, APIManagerFile))
	if err != nil {
		return err
	}
	u.SetNamespace(ns)
	return restore(ctx, c, out, []*unstructured.Unstructured{u}, false)
}

// restore creates objs; existing ones fail the whole before anything is written, unless
// overwrite.
func restore(ctx context.Context, c client.Client, out io.Writer, objs []*unstructured.Unstructured, overwrite bool) error {
	existing := map[string]*unstructured.Unstructured{}
	var names []string
	for _, u := range objs {
		cur := &unstructured.Unstructured{}
		cur.SetGroupVersionKind(u.GroupVersionKind())
		err := c.Get(ctx, client.ObjectKeyFromObject(u), cur)
		switch {
		case err == nil:
			key := u.GetKind() + " " + u.GetName()
			existing[key] = cur
			names = append(names, key)
		case !apierrors.IsNotFound(err):
			return fmt.Errorf("cannot read %s %s: %w", u.GetKind(), u.GetName(), err)
		}
	}
	sort.Strings(names)
	if len(names) > 0 && !overwrite {
		return fmt.Errorf("these objects exist already and the restore does not overwrite them (set spec.overwrite to replace them): %s", strings.Join(names, ", "))
	}
	for _, u := range objs {
		key := u.GetKind() + " " + u.GetName()
		if cur, ok := existing[key]; ok {
			u.SetResourceVersion(cur.GetResourceVersion())
			u.SetUID(cur.GetUID())
			if err := c.Update(ctx, u); err != nil {
				return fmt.Errorf("cannot replace %s: %w", key, err)
			}
			fmt.Fprintf(out, "%s %s/%s replaced\n", u.GetKind(), u.GetNamespace(), u.GetName())
			continue
		}
		if err := c.Create(ctx, u); err != nil {
			return fmt.Errorf("cannot create %s: %w", key, err)
		}
		fmt.Fprintf(out, "%s %s/%s created\n", u.GetKind(), u.GetNamespace(), u.GetName())
	}
	return nil
}
