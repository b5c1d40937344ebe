package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// The files under the repository root that the generator reads. Everything else in the bundle is
// fixed in this package.
const (
	crdDir                  = "config/crd/bases"
	roleFile                = "config/rbac/role.yaml"
	managerFile             = "config/manager/manager.yaml"
	managerKustomization    = "config/manager/kustomization.yaml"
	defaultKustomization    = "config/default/kustomization.yaml"
	samplesDir              = "config/samples"
	managerImagePlaceholder = "controller" // the image name config/manager uses and kustomize rewrites
)

// crdFile is one CustomResourceDefinition read from config/crd/bases: the parsed object for the
// CSV, and the bytes as controller-gen wrote them, copied into the bundle unchanged.
type crdFile struct {
	// FileName is the base name, e.g. "capabilities.3scale.net_products.yaml".
	FileName string
	Raw      []byte
	CRD      apiextensionsv1.CustomResourceDefinition
}

// inputs is everything the CSV is built from, read from the repository by readInputs.
type inputs struct {
	// CRDs sorted by file name.
	CRDs []crdFile
	// RoleRules are the rules of the ClusterRole manager-role; nil when config/rbac/role.yaml does
	// not exist yet (no controller has RBAC markers).
	RoleRules []rbacv1.PolicyRule
	// Manager is the operator Deployment as config/manager declares it (before kustomize).
	Manager appsv1.Deployment
	// NamePrefix is config/default's kustomize namePrefix, applied to the Deployment and service
	// account names so the OLM install names objects like the plain-manifest install does.
	NamePrefix string
	// ImageRepository is the repository config/manager's kustomization substitutes for the
	// "controller" placeholder image; empty when it names none.
	ImageRepository string
	// Image is the whole image config/manager's kustomization substitutes (repository and tag or
	// digest); empty when it names no tag or digest.
	Image string
	// Samples are the objects of config/samples/*.yaml in file order, then document order.
	Samples []unstructured.Unstructured
}

// readInputs reads the generator's inputs below root. Inputs that other parts of the project have
// not written yet (CRDs, RBAC rules, samples) may be missing; the Deployment may not.
func readInputs(root string) (inputs, error) {
	var in inputs
	var err error
	if in.CRDs, err = readCRDs(filepath.Join(root, crdDir)); err != nil {
		return inputs{}, err
	}
	if in.RoleRules, err = readRoleRules(filepath.Join(root, roleFile)); err != nil {
		return inputs{}, err
	}
	if in.Manager, err = readManager(filepath.Join(root, managerFile)); err != nil {
		return inputs{}, err
	}
	if in.NamePrefix, in.ImageRepository, in.Image, err = readKustomizations(root); err != nil {
		return inputs{}, err
	}
	if in.Samples, err = readSamples(filepath.Join(root, samplesDir)); err != nil {
		return inputs{}, err
	}
	return in, nil
}

// yamlFiles lists the *.yaml files of dir, sorted; a missing dir has none.
func yamlFiles(dir string) ([]string, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	return names, nil
}

// documents splits a multi-document YAML stream, dropping documents that hold only comments or
// blanks (controller-gen starts every file with "---").
func documents(data []byte) ([][]byte, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var docs [][]byte
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		var probe any
		if err := yaml.Unmarshal(doc, &probe); err != nil {
			return nil, err
		}
		if probe != nil {
			docs = append(docs, doc)
		}
	}
}

func readCRDs(dir string) ([]crdFile, error) {
	names, err := yamlFiles(dir)
	if err != nil {
		return nil, err
	}
	crds := make([]crdFile, 0, len(names))
	for _, name := range names {
		raw, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		f := crdFile{FileName: filepath.Base(name), Raw: raw}
		// Strict: a field the CRD type does not know means the file is not what we think it is.
		if err := yaml.UnmarshalStrict(raw, &f.CRD); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if f.CRD.Kind != "CustomResourceDefinition" {
			return nil, fmt.Errorf("%s: kind %q, want CustomResourceDefinition", name, f.CRD.Kind)
		}
		crds = append(crds, f)
	}
	return crds, nil
}

func readRoleRules(path string) ([]rbacv1.PolicyRule, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	docs, err := documents(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, doc := range docs {
		var role rbacv1.ClusterRole
		if err := yaml.UnmarshalStrict(doc, &role); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if role.Kind == "ClusterRole" && role.Name == "manager-role" {
			return role.Rules, nil
		}
	}
	return nil, fmt.Errorf("%s: no ClusterRole manager-role", path)
}

func readManager(path string) (appsv1.Deployment, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return appsv1.Deployment{}, err
	}
	docs, err := documents(data)
	if err != nil {
		return appsv1.Deployment{}, fmt.Errorf("%s: %w", path, err)
	}
	var found []appsv1.Deployment
	for _, doc := range docs {
		var meta unstructured.Unstructured
		if err := yaml.Unmarshal(doc, &meta.Object); err != nil {
			return appsv1.Deployment{}, fmt.Errorf("%s: %w", path, err)
		}
		if meta.GetKind() != "Deployment" {
			continue
		}
		var d appsv1.Deployment
		if err := yaml.UnmarshalStrict(doc, &d); err != nil {
			return appsv1.Deployment{}, fmt.Errorf("%s: %w", path, err)
		}
		found = append(found, d)
	}
	if len(found) != 1 {
		return appsv1.Deployment{}, fmt.Errorf("%s: found %d Deployments, want exactly one", path, len(found))
	}
	return found[0], nil
}

// kustomization holds the few kustomize fields the generator mirrors.
type kustomization struct {
	NamePrefix string           `json:"namePrefix"`
	Images     []kustomizeImage `json:"images"`
}

// kustomizeImage is an entry of a kustomization's images: the image named Name in the resources
// becomes NewName with NewTag or Digest.
type kustomizeImage struct {
	Name    string `json:"name"`
	NewName string `json:"newName,omitempty"`
	NewTag  string `json:"newTag,omitempty"`
	Digest  string `json:"digest,omitempty"`
}

// ref is the image reference the entry makes; empty when it sets no tag or digest.
func (i kustomizeImage) ref() string {
	switch {
	case i.NewName == "":
		return ""
	case i.Digest != "":
		return i.NewName + "@" + i.Digest
	case i.NewTag != "":
		return i.NewName + ":" + i.NewTag
	}
	return ""
}

func readKustomization(path string) (kustomization, error) {
	var k kustomization
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return k, nil
	}
	if err != nil {
		return k, err
	}
	if err := yaml.Unmarshal(data, &k); err != nil {
		return k, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// readKustomizations returns config/default's namePrefix and the image repository and whole image
// that config/manager substitutes for the "controller" placeholder.
func readKustomizations(root string) (prefix, repository, image string, err error) {
	def, err := readKustomization(filepath.Join(root, defaultKustomization))
	if err != nil {
		return "", "", "", err
	}
	mgr, err := readKustomization(filepath.Join(root, managerKustomization))
	if err != nil {
		return "", "", "", err
	}
	for _, i := range mgr.Images {
		if i.Name == managerImagePlaceholder {
			repository, image = i.NewName, i.ref()
		}
	}
	return def.NamePrefix, repository, image, nil
}

func readSamples(dir string) ([]unstructured.Unstructured, error) {
	names, err := yamlFiles(dir)
	if err != nil {
		return nil, err
	}
	var samples []unstructured.Unstructured
	for _, name := range names {
		// config/samples/kustomization.yaml lists the samples; it is not one.
		if strings.HasPrefix(filepath.Base(name), "kustomization.") {
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		docs, err := documents(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for _, doc := range docs {
			var u unstructured.Unstructured
			if err := yaml.Unmarshal(doc, &u.Object); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			if u.GetAPIVersion() == "" || u.GetKind() == "" {
				return nil, fmt.Errorf("%s: a document without apiVersion or kind", name)
			}
			samples = append(samples, u)
		}
	}
	return samples, nil
}

// managerKustomizationHeader heads config/manager/kustomization.yaml, which the generator rewrites.
const managerKustomizationHeader = "# The images entry is written by `make bundle` (hack/gen-bundle) from the Makefile's IMG, so that\n" +
	"# this install and the OLM bundle run the same image; edit IMG, not this file.\n"

// withManagerImage returns config/manager/kustomization.yaml (read below root) with its entry for
// the "controller" placeholder set to image, which must carry a tag or a digest. Other fields are
// kept; comments are not (the file has only the header above).
func withManagerImage(root, image string) ([]byte, error) {
	path := filepath.Join(root, managerKustomization)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var k map[string]any
	if err := yaml.Unmarshal(data, &k); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	entry := kustomizeImage{Name: managerImagePlaceholder, NewName: imageName(image)}
	switch rest := strings.TrimPrefix(image, entry.NewName); {
	case strings.HasPrefix(rest, "@"):
		entry.Digest = rest[1:]
	case strings.HasPrefix(rest, ":") && !strings.Contains(rest, "@"):
		entry.NewTag = rest[1:]
	default:
		return nil, fmt.Errorf("image %q: want a tag or a digest (repository:tag or repository@sha256:...)", image)
	}
	images := []kustomizeImage{entry}
	if raw, ok := k["images"]; ok {
		b, err := yaml.Marshal(raw)
		if err != nil {
			return nil, err
		}
		var old []kustomizeImage
		if err := yaml.UnmarshalStrict(b, &old); err != nil {
			return nil, fmt.Errorf("%s: images: %w", path, err)
		}
		for _, i := range old {
			if i.Name != managerImagePlaceholder {
				images = append(images, i)
			}
		}
	}
	k["images"] = images
	out, err := yaml.Marshal(k)
	if err != nil {
		return nil, err
	}
	return append([]byte(managerKustomizationHeader), out...), nil
}
