package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/blang/semver/v4"
	"github.com/operator-framework/api/pkg/lib/version"
	"github.com/operator-framework/api/pkg/operators/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"
)

// watchNamespaceEnv is the variable the manager reads its namespaces from (see pkg/watchnamespaces).
const watchNamespaceEnv = "WATCH_NAMESPACE"

// targetNamespacesField is where OLM puts the OperatorGroup's namespaces on the pod: a comma list,
// or "" for all namespaces, which is exactly what WATCH_NAMESPACE accepts.
const targetNamespacesField = "metadata.annotations['olm.targetNamespaces']"

// conditionsDescriptor makes the console show status.conditions as a conditions table.
const conditionsDescriptor = "urn:alm:descriptor:io.kubernetes.conditions"

// relatedImagePrefix marks the manager's environment variables that name the images the operator
// deploys; OLM mirrors every image in spec.relatedImages for disconnected installs.
const relatedImagePrefix = "RELATED_IMAGE_"

// skipRangeAnnotation lets OLM upgrade from any version in the range straight to this one.
const skipRangeAnnotation = "olm.skipRange"

// options are the generator's settings that do not come from config/.
type options struct {
	// Version is the operator's semantic version, without a leading "v".
	Version string
	// Image is the operator image; empty means config/manager's image (see operatorImage).
	Image string
	// Replaces is the version this one replaces in the upgrade graph (spec.replaces), without a
	// leading "v"; empty for the first version, which only has a skip range.
	Replaces string
}

// csvName is the CSV's metadata.name, the OLM convention "<package>.v<version>".
func csvName(v string) string { return packageName + ".v" + v }

// buildCSV assembles the ClusterServiceVersion from the inputs. It is pure: the same inputs give the
// same CSV. The notes it returns tell the user about inputs it had to leave out.
func buildCSV(in inputs, o options) (*v1alpha1.ClusterServiceVersion, []string, error) {
	v, err := semver.Parse(o.Version)
	if err != nil {
		return nil, nil, fmt.Errorf("version %q: %w", o.Version, err)
	}
	image := operatorImage(in, o)
	name := csvName(o.Version)
	var replaces string
	if o.Replaces != "" {
		prev, err := semver.Parse(o.Replaces)
		if err != nil {
			return nil, nil, fmt.Errorf("replaces %q: %w", o.Replaces, err)
		}
		if !prev.LT(v) {
			return nil, nil, fmt.Errorf("replaces %s: not older than version %s", o.Replaces, o.Version)
		}
		replaces = csvName(o.Replaces)
	}
	if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 {
		return nil, nil, fmt.Errorf("CSV name %q: %s", name, strings.Join(errs, "; "))
	}

	owned, provided := ownedCRDs(in.CRDs)
	examples, notes, err := almExamples(in.Samples, provided)
	if err != nil {
		return nil, nil, err
	}
	deployment, serviceAccount, err := installDeployment(in, image)
	if err != nil {
		return nil, nil, err
	}
	related, err := relatedImages(deployment, image)
	if err != nil {
		return nil, nil, err
	}
	namespaced, cluster := splitRules(withRules(in.RoleRules, leaderElectionRules))
	if in.RoleRules == nil {
		notes = append(notes, roleFile+" not found: the CSV grants only the leader-election rules")
	}

	csv := &v1alpha1.ClusterServiceVersion{
		TypeMeta: metav1.TypeMeta{
			APIVersion: v1alpha1.SchemeGroupVersion.String(),
			Kind:       v1alpha1.ClusterServiceVersionKind,
		},
		ObjectMeta: metav1.ObjectMeta{
			Name: name,
			Annotations: map[string]string{
				"alm-examples":                           examples,
				"capabilities":                           capabilityLevel,
				"categories":                             categories,
				"containerImage":                         image,
				"description":                            shortDescription,
				"operators.operatorframework.io/builder": builder,
				skipRangeAnnotation:                      skipRange(v),
				"repository":                             repositoryURL,
				"support":                                "threescale-oss community (" + repositoryURL + "/issues)",
			},
		},
		Spec: v1alpha1.ClusterServiceVersionSpec{
			DisplayName: displayName,
			Description: description,
			Keywords:    keywords,
			Maintainers: []v1alpha1.Maintainer{{Name: "threescale-oss maintainers"}},
			Provider:    v1alpha1.AppLink{Name: "threescale-oss", URL: repositoryURL},
			Links: []v1alpha1.AppLink{
				{Name: "Source code", URL: repositoryURL},
				{Name: "3scale API Management (porta)", URL: "https://github.com/3scale/porta"},
				{Name: "APIcast", URL: "https://github.com/3scale/APIcast"},
			},
			Maturity:       maturity,
			Version:        version.OperatorVersion{Version: v},
			Replaces:       replaces,
			MinKubeVersion: minKubeVersion,
			RelatedImages:  related,
			// Every mode: the manager takes WATCH_NAMESPACE as one namespace, a comma list or "".
			InstallModes: []v1alpha1.InstallMode{
				{Type: v1alpha1.InstallModeTypeOwnNamespace, Supported: true},
				{Type: v1alpha1.InstallModeTypeSingleNamespace, Supported: true},
				{Type: v1alpha1.InstallModeTypeMultiNamespace, Supported: true},
				{Type: v1alpha1.InstallModeTypeAllNamespaces, Supported: true},
			},
			InstallStrategy: v1alpha1.NamedInstallStrategy{
				StrategyName: v1alpha1.InstallStrategyNameDeployment,
				StrategySpec: v1alpha1.StrategyDetailsDeployment{
					DeploymentSpecs:    []v1alpha1.StrategyDeploymentSpec{deployment},
					Permissions:        permissions(serviceAccount, namespaced),
					ClusterPermissions: permissions(serviceAccount, cluster),
				},
			},
			CustomResourceDefinitions: v1alpha1.CustomResourceDefinitions{Owned: owned},
		},
	}
	return csv, notes, nil
}

// permissions binds rules to the service account; no rules, no entry.
func permissions(serviceAccount string, rules []rbacv1.PolicyRule) []v1alpha1.StrategyDeploymentPermissions {
	if len(rules) == 0 {
		return nil
	}
	return []v1alpha1.StrategyDeploymentPermissions{{ServiceAccountName: serviceAccount, Rules: rules}}
}

// skipRange is the olm.skipRange of version v: every older version, so a cluster on any earlier
// release (or on a build between releases) upgrades to this one in one step. With spec.replaces
// it is the whole upgrade policy; the README's "Upgrades through OLM" explains it.
func skipRange(v semver.Version) string {
	return fmt.Sprintf(">=0.0.0 <%d.%d.%d", v.Major, v.Minor, v.Patch)
}

// operatorImage is the image the CSV deploys and config/manager names: the -image flag (`make
// bundle` passes the Makefile's IMG), else the image config/manager names with its tag or digest
// (what the last `make bundle` wrote there), else its repository (or the project's default one)
// tagged "v<version>".
func operatorImage(in inputs, o options) string {
	if o.Image != "" {
		return o.Image
	}
	if in.Image != "" {
		return in.Image
	}
	repository := in.ImageRepository
	if repository == "" {
		repository = defaultImageRepository
	}
	return repository + ":v" + o.Version
}

// relatedImages lists, for OLM to mirror, the operator image and the image of every
// RELATED_IMAGE_* variable of the manager (named after the variable: RELATED_IMAGE_SYSTEM_REDIS is
// "system-redis"), in the order the Deployment declares them.
func relatedImages(d v1alpha1.StrategyDeploymentSpec, image string) ([]v1alpha1.RelatedImage, error) {
	related := []v1alpha1.RelatedImage{{Name: packageName, Image: image}}
	seen := map[string]bool{packageName: true}
	for _, c := range d.Spec.Template.Spec.Containers {
		for _, env := range c.Env {
			suffix, ok := strings.CutPrefix(env.Name, relatedImagePrefix)
			if !ok {
				continue
			}
			if env.Value == "" {
				return nil, fmt.Errorf("%s: %s has no value: relatedImages needs the image itself", managerFile, env.Name)
			}
			name := strings.ReplaceAll(strings.ToLower(suffix), "_", "-")
			if seen[name] {
				return nil, fmt.Errorf("%s: two variables give the related image name %q", managerFile, name)
			}
			seen[name] = true
			related = append(related, v1alpha1.RelatedImage{Name: name, Image: env.Value})
		}
	}
	return related, nil
}

// installDeployment turns config/manager's Deployment into the CSV's deployment: the kustomize
// name prefix applied to its name and service account, the operator image in place of the
// "controller" placeholder, and WATCH_NAMESPACE read from the OperatorGroup's target namespaces.
func installDeployment(in inputs, image string) (v1alpha1.StrategyDeploymentSpec, string, error) {
	d := in.Manager.DeepCopy()
	if d.Name == "" {
		return v1alpha1.StrategyDeploymentSpec{}, "", fmt.Errorf("%s: the Deployment has no name", managerFile)
	}
	pod := &d.Spec.Template.Spec
	serviceAccount := pod.ServiceAccountName
	if serviceAccount == "" {
		// OLM creates the service account the permissions name; "default" is not one to grant to.
		return v1alpha1.StrategyDeploymentSpec{}, "", fmt.Errorf("%s: the pod has no serviceAccountName", managerFile)
	}
	serviceAccount = in.NamePrefix + serviceAccount
	pod.ServiceAccountName = serviceAccount
	pod.DeprecatedServiceAccount = ""

	watchSet := false
	for i := range pod.Containers {
		c := &pod.Containers[i]
		if imageName(c.Image) == managerImagePlaceholder {
			c.Image = image
		}
		for j := range c.Env {
			if c.Env[j].Name == watchNamespaceEnv {
				c.Env[j] = corev1.EnvVar{Name: watchNamespaceEnv, ValueFrom: &corev1.EnvVarSource{
					FieldRef: &corev1.ObjectFieldSelector{FieldPath: targetNamespacesField},
				}}
				watchSet = true
			}
		}
	}
	if !watchSet {
		return v1alpha1.StrategyDeploymentSpec{}, "", fmt.Errorf("%s: no container sets %s", managerFile, watchNamespaceEnv)
	}
	return v1alpha1.StrategyDeploymentSpec{
		Name:  in.NamePrefix + d.Name,
		Spec:  d.Spec,
		Label: d.Labels,
	}, serviceAccount, nil
}

// imageName strips the tag or digest of an image reference: "controller:latest" is "controller".
func imageName(ref string) string {
	if i := strings.Index(ref, "@"); i >= 0 {
		ref = ref[:i]
	}
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		ref = ref[:i]
	}
	return ref
}

// ownedCRDs describes every served version of every CRD, sorted by CRD name then version order,
// and returns the set of GroupVersionKinds they provide.
func ownedCRDs(crds []crdFile) ([]v1alpha1.CRDDescription, map[schema.GroupVersionKind]bool) {
	sorted := make([]apiextensionsv1.CustomResourceDefinition, 0, len(crds))
	for _, f := range crds {
		sorted = append(sorted, f.CRD)
	}
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })

	var owned []v1alpha1.CRDDescription
	provided := map[schema.GroupVersionKind]bool{}
	for _, crd := range sorted {
		kind := crd.Spec.Names.Kind
		for _, v := range crd.Spec.Versions {
			if !v.Served {
				continue
			}
			provided[schema.GroupVersionKind{Group: crd.Spec.Group, Version: v.Name, Kind: kind}] = true
			owned = append(owned, v1alpha1.CRDDescription{
				Name:              crd.Name,
				Version:           v.Name,
				Kind:              kind,
				DisplayName:       kindDisplayName(kind),
				Description:       schemaSummary(v.Schema, kind),
				StatusDescriptors: statusDescriptors(v.Schema),
			})
		}
	}
	return owned, provided
}

// kindDisplayName is the override for kind, else the kind split into words, keeping acronyms
// whole: "APIManagerBackup" is "API Manager Backup".
func kindDisplayName(kind string) string {
	if name, ok := kindDisplayNames[kind]; ok {
		return name
	}
	r := []rune(kind)
	var b strings.Builder
	for i, c := range r {
		if i > 0 && unicode.IsUpper(c) {
			prevLower := unicode.IsLower(r[i-1])
			acronymEnds := unicode.IsUpper(r[i-1]) && i+1 < len(r) && unicode.IsLower(r[i+1])
			if prevLower || acronymEnds {
				b.WriteByte(' ')
			}
		}
		b.WriteRune(c)
	}
	return b.String()
}

// schemaSummary is the first paragraph of the schema's description (the type's Go doc comment) on
// one line, or a plain sentence when the type has no doc comment.
func schemaSummary(v *apiextensionsv1.CustomResourceValidation, kind string) string {
	if v == nil || v.OpenAPIV3Schema == nil || strings.TrimSpace(v.OpenAPIV3Schema.Description) == "" {
		return kind + " is a 3scale custom resource."
	}
	first, _, _ := strings.Cut(strings.TrimSpace(v.OpenAPIV3Schema.Description), "\n\n")
	return strings.Join(strings.Fields(first), " ")
}

// statusDescriptors shows status.conditions in the console when the schema has them.
func statusDescriptors(v *apiextensionsv1.CustomResourceValidation) []v1alpha1.StatusDescriptor {
	if v == nil || v.OpenAPIV3Schema == nil {
		return nil
	}
	status, ok := v.OpenAPIV3Schema.Properties["status"]
	if !ok {
		return nil
	}
	conditions, ok := status.Properties["conditions"]
	if !ok {
		return nil
	}
	return []v1alpha1.StatusDescriptor{{
		Path:         "conditions",
		DisplayName:  "Conditions",
		Description:  strings.Join(strings.Fields(conditions.Description), " "),
		XDescriptors: []string{conditionsDescriptor},
	}}
}

// almExamples is the alm-examples annotation: one sample of each kind the bundle owns, as an
// indented JSON array sorted by group and kind. The console offers a kind's example as its "create"
// template, so each kind gets exactly one: the first of its samples in config/samples order (the
// sample author decides which); the others are left out with a note. Samples of kinds without a
// CRD (supporting Secrets, or a CRD not written yet) are left out with a note too: OLM rejects
// examples of APIs the CSV does not provide.
func almExamples(samples []unstructured.Unstructured, provided map[schema.GroupVersionKind]bool) (string, []string, error) {
	var notes []string
	kept := make([]unstructured.Unstructured, 0, len(samples))
	first := map[schema.GroupVersionKind]string{}
	for _, s := range samples {
		gvk := s.GroupVersionKind()
		if !provided[gvk] {
			notes = append(notes, fmt.Sprintf("sample %s %q left out of alm-examples: no CRD in %s defines it", gvk, s.GetName(), crdDir))
			continue
		}
		if name, ok := first[gvk]; ok {
			notes = append(notes, fmt.Sprintf("sample %s %q left out of alm-examples: %q is the kind's example", gvk, s.GetName(), name))
			continue
		}
		first[gvk] = s.GetName()
		kept = append(kept, s)
	}
	sort.SliceStable(kept, func(i, j int) bool {
		a, b := kept[i].GroupVersionKind(), kept[j].GroupVersionKind()
		if a.Group != b.Group {
			return a.Group < b.Group
		}
		return a.Kind < b.Kind
	})
	objects := make([]map[string]any, 0, len(kept))
	for _, s := range kept {
		objects = append(objects, s.Object)
	}
	data, err := json.MarshalIndent(objects, "", "  ")
	if err != nil {
		return "", nil, fmt.Errorf("alm-examples: %w", err)
	}
	return string(data), notes, nil
}
