package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// extraFiles are the objects of config/ that the bundle ships besides the CSV and the CRDs, as
// operator-sdk bundles them: OLM creates them in the install namespace. The metrics Service lets a
// ServiceMonitor find the operator; the metrics-reader ClusterRole is what a scraper is bound to.
var extraFiles = []string{
	"config/default/metrics_service.yaml",
	"config/rbac/metrics_reader_role.yaml",
}

// readExtras reads extraFiles below root, each holding one object; a missing file is left out
// with a note.
func readExtras(root string) ([]unstructured.Unstructured, []string, error) {
	var objs []unstructured.Unstructured
	var notes []string
	for _, name := range extraFiles {
		data, err := os.ReadFile(filepath.Join(root, name))
		if errors.Is(err, fs.ErrNotExist) {
			notes = append(notes, name+" not found: left out of the bundle")
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		docs, err := documents(data)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		if len(docs) != 1 {
			return nil, nil, fmt.Errorf("%s: %d objects, want 1", name, len(docs))
		}
		var u unstructured.Unstructured
		if err := yaml.Unmarshal(docs[0], &u.Object); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		objs = append(objs, u)
	}
	return objs, notes, nil
}

// bundleExtras returns the extra objects as bundle files, named as operator-sdk names them
// (<name>_<group>_<version>_<kind>.yaml): the kustomize name prefix applied as the plain install
// applies it, and no namespace, which OLM sets.
func bundleExtras(objs []unstructured.Unstructured, namePrefix string) (map[string][]byte, error) {
	files := map[string][]byte{}
	for _, obj := range objs {
		u := obj.DeepCopy()
		u.SetName(namePrefix + u.GetName())
		u.SetNamespace("")
		gvk := u.GroupVersionKind()
		parts := []string{u.GetName()}
		if gvk.Group != "" {
			parts = append(parts, gvk.Group)
		}
		parts = append(parts, gvk.Version, strings.ToLower(gvk.Kind))
		data, err := yaml.Marshal(u.Object)
		if err != nil {
			return nil, err
		}
		files[filepath.Join(manifestsDir, strings.Join(parts, "_")+".yaml")] = append([]byte(generatedHeader), data...)
	}
	return files, nil
}
