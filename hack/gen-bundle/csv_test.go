package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/operator-framework/api/pkg/operators/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func testCRD() crdFile {
	schema := &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{
		Description: "Product mirrors a 3scale product\ninto a 3scale account.\n\nMore detail nobody reads.",
		Properties: map[string]apiextensionsv1.JSONSchemaProps{
			"status": {Properties: map[string]apiextensionsv1.JSONSchemaProps{
				"conditions": {Description: "Conditions are Synced,\nInvalid and Failed."},
			}},
		},
	}}
	return crdFile{FileName: "capabilities.3scale.net_products.yaml", CRD: apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: "products.capabilities.3scale.net"},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: "capabilities.3scale.net",
			Names: apiextensionsv1.CustomResourceDefinitionNames{Kind: "Product", Plural: "products"},
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{
				{Name: "v1beta1", Served: true, Storage: true, Schema: schema},
				{Name: "v1alpha0", Served: false},
			},
		},
	}}
}

func testManager() appsv1.Deployment {
	return appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "controller-manager", Namespace: "system", Labels: map[string]string{"control-plane": "controller-manager"}},
		Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			ServiceAccountName: "controller-manager",
			Containers: []corev1.Container{{
				Name:  "manager",
				Image: "controller:latest",
				Env: []corev1.EnvVar{
					{Name: "WATCH_NAMESPACE", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.namespace"}}},
					{Name: "OTHER", Value: "kept"},
					{Name: "RELATED_IMAGE_SYSTEM_REDIS", Value: "quay.io/example/redis:7"},
				},
			}},
		}}},
	}
}

func sample(apiVersion, kind, name string) unstructured.Unstructured {
	return unstructured.Unstructured{Object: map[string]any{
		"apiVersion": apiVersion, "kind": kind, "metadata": map[string]any{"name": name},
	}}
}

func testInputs() inputs {
	return inputs{
		CRDs: []crdFile{testCRD()},
		RoleRules: []rbacv1.PolicyRule{
			{APIGroups: []string{"capabilities.3scale.net"}, Resources: []string{"products"}, Verbs: []string{"get", "list", "watch"}},
			{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, Verbs: []string{"*"}},
		},
		Manager:         testManager(),
		NamePrefix:      "threescale-operator-",
		ImageRepository: "quay.io/example/op",
		Samples: []unstructured.Unstructured{
			sample("capabilities.3scale.net/v1beta1", "Product", "product-b"),
			sample("capabilities.3scale.net/v1beta1", "Backend", "backend-without-crd"),
			sample("capabilities.3scale.net/v1beta1", "Product", "product-a"),
		},
	}
}

// csvSummary is the part of a CSV that depends on the inputs; the fixed metadata is not repeated
// in every test case.
type csvSummary struct {
	Name               string
	ContainerImage     string
	SkipRange          string
	Replaces           string
	RelatedImages      []v1alpha1.RelatedImage
	Examples           []string // kind/name in order
	Owned              []v1alpha1.CRDDescription
	Deployment         v1alpha1.StrategyDeploymentSpec
	Permissions        []v1alpha1.StrategyDeploymentPermissions
	ClusterPermissions []v1alpha1.StrategyDeploymentPermissions
	Notes              []string
}

func summarize(t *testing.T, csv *v1alpha1.ClusterServiceVersion, notes []string) csvSummary {
	t.Helper()
	var examples []map[string]any
	if err := json.Unmarshal([]byte(csv.Annotations["alm-examples"]), &examples); err != nil {
		t.Fatalf("alm-examples is not a JSON array: %v", err)
	}
	var names []string
	for _, e := range examples {
		names = append(names, e["kind"].(string)+"/"+e["metadata"].(map[string]any)["name"].(string))
	}
	strategy := csv.Spec.InstallStrategy.StrategySpec
	if len(strategy.DeploymentSpecs) != 1 {
		t.Fatalf("want one deployment, got %d", len(strategy.DeploymentSpecs))
	}
	return csvSummary{
		Name:               csv.Name,
		ContainerImage:     csv.Annotations["containerImage"],
		SkipRange:          csv.Annotations["olm.skipRange"],
		Replaces:           csv.Spec.Replaces,
		RelatedImages:      csv.Spec.RelatedImages,
		Examples:           names,
		Owned:              csv.Spec.CustomResourceDefinitions.Owned,
		Deployment:         strategy.DeploymentSpecs[0],
		Permissions:        strategy.Permissions,
		ClusterPermissions: strategy.ClusterPermissions,
		Notes:              notes,
	}
}

func TestBuildCSV(t *testing.T) {
	wantOwned := []v1alpha1.CRDDescription{{
		Name: "products.capabilities.3scale.net", Version: "v1beta1", Kind: "Product",
		DisplayName: "3scale Product",
		Description: "Product mirrors a 3scale product into a 3scale account.",
		StatusDescriptors: []v1alpha1.StatusDescriptor{{
			Path: "conditions", DisplayName: "Conditions", Description: "Conditions are Synced, Invalid and Failed.",
			XDescriptors: []string{"urn:alm:descriptor:io.kubernetes.conditions"},
		}},
	}}
	wantDeployment := func(image string) v1alpha1.StrategyDeploymentSpec {
		d := testManager()
		pod := &d.Spec.Template.Spec
		pod.ServiceAccountName = "threescale-operator-controller-manager"
		pod.Containers[0].Image = image
		pod.Containers[0].Env[0] = corev1.EnvVar{Name: "WATCH_NAMESPACE", ValueFrom: &corev1.EnvVarSource{
			FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.annotations['olm.targetNamespaces']"},
		}}
		return v1alpha1.StrategyDeploymentSpec{Name: "threescale-operator-controller-manager", Spec: d.Spec, Label: d.Labels}
	}
	// The role already grants leases with "*", so only the events rules are added.
	wantPermissions := func() []v1alpha1.StrategyDeploymentPermissions {
		return []v1alpha1.StrategyDeploymentPermissions{{
			ServiceAccountName: "threescale-operator-controller-manager",
			Rules: []rbacv1.PolicyRule{
				{APIGroups: []string{"capabilities.3scale.net"}, Resources: []string{"products"}, Verbs: []string{"get", "list", "watch"}},
				{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, Verbs: []string{"*"}},
				{APIGroups: []string{""}, Resources: []string{"events"}, Verbs: []string{"create", "patch"}},
				{APIGroups: []string{"events.k8s.io"}, Resources: []string{"events"}, Verbs: []string{"create", "patch"}},
			},
		}}
	}
	backendNote := `sample capabilities.3scale.net/v1beta1, Kind=Backend "backend-without-crd" left out of alm-examples: no CRD in config/crd/bases defines it`
	secondProductNote := `sample capabilities.3scale.net/v1beta1, Kind=Product "product-a" left out of alm-examples: "product-b" is the kind's example`
	wantRelated := func(image string) []v1alpha1.RelatedImage {
		return []v1alpha1.RelatedImage{
			{Name: "threescale-operator", Image: image},
			{Name: "system-redis", Image: "quay.io/example/redis:7"},
		}
	}

	cases := map[string]struct {
		reason  string
		in      func(*inputs)
		opts    options
		want    func(*csvSummary)
		wantErr bool
	}{
		"Defaults": {
			reason: "The image is config/manager's repository tagged with the version, and is the first related image; unowned samples and all but the first sample of a kind are left out with a note; the first version skips every older one and replaces none.",
			opts:   options{Version: "0.1.0"},
		},
		"ImageFlag": {
			reason: "An explicit image wins over the image from config/manager.",
			in:     func(in *inputs) { in.Image = "quay.io/example/op:v0.0.1" },
			opts:   options{Version: "1.2.3", Image: "registry.example/op@sha256:abc"},
			want: func(s *csvSummary) {
				s.Name = "threescale-operator.v1.2.3"
				s.ContainerImage = "registry.example/op@sha256:abc"
				s.Deployment = wantDeployment("registry.example/op@sha256:abc")
				s.RelatedImages = wantRelated("registry.example/op@sha256:abc")
				s.SkipRange = ">=0.0.0 <1.2.3"
			},
		},
		"ImageFromConfigManager": {
			reason: "Without -image the image config/manager names, tag included, is used, so a run without flags keeps what `make bundle` wrote.",
			in:     func(in *inputs) { in.Image = "quay.io/example/op:v0.0.9-rc" },
			opts:   options{Version: "0.1.0"},
			want: func(s *csvSummary) {
				s.ContainerImage = "quay.io/example/op:v0.0.9-rc"
				s.Deployment = wantDeployment("quay.io/example/op:v0.0.9-rc")
				s.RelatedImages = wantRelated("quay.io/example/op:v0.0.9-rc")
			},
		},
		"NoImageRepository": {
			reason: "Without an image in config/manager's kustomization the project's default repository is used.",
			in:     func(in *inputs) { in.ImageRepository = "" },
			opts:   options{Version: "0.1.0"},
			want: func(s *csvSummary) {
				s.ContainerImage = "quay.io/threescale-oss/3scale-operator:v0.1.0"
				s.Deployment = wantDeployment("quay.io/threescale-oss/3scale-operator:v0.1.0")
				s.RelatedImages = wantRelated("quay.io/threescale-oss/3scale-operator:v0.1.0")
			},
		},
		"Replaces": {
			reason: "A later version replaces the one before it and still skips every older one.",
			opts:   options{Version: "0.2.0", Replaces: "0.1.0"},
			want: func(s *csvSummary) {
				s.Name = "threescale-operator.v0.2.0"
				s.ContainerImage = "quay.io/example/op:v0.2.0"
				s.Deployment = wantDeployment("quay.io/example/op:v0.2.0")
				s.RelatedImages = wantRelated("quay.io/example/op:v0.2.0")
				s.SkipRange = ">=0.0.0 <0.2.0"
				s.Replaces = "threescale-operator.v0.1.0"
			},
		},
		"ReplacesNotOlder": {
			reason:  "A version cannot replace itself or a newer one: OLM would find no upgrade edge.",
			opts:    options{Version: "0.1.0", Replaces: "0.1.0"},
			wantErr: true,
		},
		"ReplacesNotSemantic": {
			reason:  "The replaced version must be semantic too.",
			opts:    options{Version: "0.1.0", Replaces: "v0"},
			wantErr: true,
		},
		"RelatedImageWithoutValue": {
			reason: "A RELATED_IMAGE_* variable must name its image, which relatedImages lists for mirroring.",
			in: func(in *inputs) {
				in.Manager.Spec.Template.Spec.Containers[0].Env[2] = corev1.EnvVar{Name: "RELATED_IMAGE_SYSTEM_REDIS"}
			},
			opts:    options{Version: "0.1.0"},
			wantErr: true,
		},
		"NoRoleYet": {
			reason: "Before controller-gen writes role.yaml the CSV still grants what leader election needs, and says so.",
			in:     func(in *inputs) { in.RoleRules = nil },
			opts:   options{Version: "0.1.0"},
			want: func(s *csvSummary) {
				s.Permissions = []v1alpha1.StrategyDeploymentPermissions{{
					ServiceAccountName: "threescale-operator-controller-manager", Rules: leaderElectionRules,
				}}
				s.Notes = append(s.Notes, "config/rbac/role.yaml not found: the CSV grants only the leader-election rules")
			},
		},
		"ClusterScopedRules": {
			reason: "Rules on cluster-scoped resources go to clusterPermissions, split from namespaced resources in the same rule.",
			in: func(in *inputs) {
				in.RoleRules = append(in.RoleRules, rbacv1.PolicyRule{
					APIGroups: []string{""}, Resources: []string{"secrets", "namespaces"}, Verbs: []string{"get"},
				})
			},
			opts: options{Version: "0.1.0"},
			want: func(s *csvSummary) {
				rules := s.Permissions[0].Rules
				s.Permissions[0].Rules = append(rules[:2:2],
					rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get"}},
					rules[2], rules[3])
				s.ClusterPermissions = []v1alpha1.StrategyDeploymentPermissions{{
					ServiceAccountName: "threescale-operator-controller-manager",
					Rules:              []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"namespaces"}, Verbs: []string{"get"}}},
				}}
			},
		},
		"NoCRDsYet": {
			reason: "With no CRDs the CSV owns nothing and every sample is left out.",
			in:     func(in *inputs) { in.CRDs = nil },
			opts:   options{Version: "0.1.0"},
			want: func(s *csvSummary) {
				s.Owned = nil
				s.Examples = nil
				s.Notes = []string{
					`sample capabilities.3scale.net/v1beta1, Kind=Product "product-b" left out of alm-examples: no CRD in config/crd/bases defines it`,
					backendNote,
					`sample capabilities.3scale.net/v1beta1, Kind=Product "product-a" left out of alm-examples: no CRD in config/crd/bases defines it`,
				}
			},
		},
		"BadVersion": {
			reason:  "The version must be semantic: OLM orders upgrades by it.",
			opts:    options{Version: "v0.1"},
			wantErr: true,
		},
		"NoWatchNamespace": {
			reason: "A manager without WATCH_NAMESPACE would ignore the OperatorGroup; that is an error, not a silent default.",
			in: func(in *inputs) {
				in.Manager.Spec.Template.Spec.Containers[0].Env = nil
			},
			opts:    options{Version: "0.1.0"},
			wantErr: true,
		},
		"NoServiceAccount": {
			reason:  "The permissions must name the manager's own service account.",
			in:      func(in *inputs) { in.Manager.Spec.Template.Spec.ServiceAccountName = "" },
			opts:    options{Version: "0.1.0"},
			wantErr: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := testInputs()
			if tc.in != nil {
				tc.in(&in)
			}
			csv, notes, err := buildCSV(in, tc.opts)
			if (err != nil) != tc.wantErr {
				t.Fatalf("%s\nbuildCSV() error = %v, wantErr %v", tc.reason, err, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			want := csvSummary{
				Name:           "threescale-operator.v0.1.0",
				ContainerImage: "quay.io/example/op:v0.1.0",
				SkipRange:      ">=0.0.0 <0.1.0",
				RelatedImages:  wantRelated("quay.io/example/op:v0.1.0"),
				Examples:       []string{"Product/product-b"},
				Owned:          wantOwned,
				Deployment:     wantDeployment("quay.io/example/op:v0.1.0"),
				Permissions:    wantPermissions(),
				Notes:          []string{backendNote, secondProductNote},
			}
			if tc.want != nil {
				tc.want(&want)
			}
			if diff := cmp.Diff(want, summarize(t, csv, notes)); diff != "" {
				t.Errorf("%s\nbuildCSV(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestBuildCSVFixedFields(t *testing.T) {
	csv, _, err := buildCSV(testInputs(), options{Version: "0.1.0"})
	if err != nil {
		t.Fatal(err)
	}
	type fixed struct {
		Maturity, MinKubeVersion, Capabilities, Categories string
		InstallModes                                       []v1alpha1.InstallMode
		HasCreatedAt                                       bool
	}
	_, hasCreatedAt := csv.Annotations["createdAt"]
	got := fixed{
		Maturity: csv.Spec.Maturity, MinKubeVersion: csv.Spec.MinKubeVersion,
		Capabilities: csv.Annotations["capabilities"], Categories: csv.Annotations["categories"],
		InstallModes: csv.Spec.InstallModes, HasCreatedAt: hasCreatedAt,
	}
	want := fixed{
		Maturity: "alpha", MinKubeVersion: "1.30.0", Capabilities: "Basic Install", Categories: "Integration & Delivery",
		InstallModes: []v1alpha1.InstallMode{
			{Type: v1alpha1.InstallModeTypeOwnNamespace, Supported: true},
			{Type: v1alpha1.InstallModeTypeSingleNamespace, Supported: true},
			{Type: v1alpha1.InstallModeTypeMultiNamespace, Supported: true},
			{Type: v1alpha1.InstallModeTypeAllNamespaces, Supported: true},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fixed CSV fields: -want, +got:\n%s", diff)
	}
}

func TestKindDisplayName(t *testing.T) {
	cases := map[string]string{
		"APIManager":             "API Manager",
		"APIManagerBackup":       "API Manager Backup",
		"DeveloperAccount":       "Developer Account",
		"ProxyConfigPromote":     "Proxy Config Promote",
		"Application":            "Application",
		"OpenAPI":                "OpenAPI",
		"Product":                "3scale Product",
		"CustomPolicyDefinition": "Custom Policy Definition",
	}
	for kind, want := range cases {
		if got := kindDisplayName(kind); got != want {
			t.Errorf("kindDisplayName(%q) = %q, want %q", kind, got, want)
		}
	}
}

func TestSchemaSummary(t *testing.T) {
	cases := map[string]struct {
		schema *apiextensionsv1.CustomResourceValidation
		want   string
	}{
		"NoSchema":   {schema: nil, want: "Widget is a 3scale custom resource."},
		"Blank":      {schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{Description: " \n"}}, want: "Widget is a 3scale custom resource."},
		"OneLine":    {schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{Description: "Widget does it."}}, want: "Widget does it."},
		"Paragraphs": {schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{Description: "Widget does\nit  well.\n\nSecond."}}, want: "Widget does it well."},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, schemaSummary(tc.schema, "Widget")); diff != "" {
				t.Errorf("schemaSummary: -want, +got:\n%s", diff)
			}
		})
	}
}

func TestImageName(t *testing.T) {
	cases := map[string]string{
		"controller":                        "controller",
		"controller:latest":                 "controller",
		"registry:5000/controller":          "registry:5000/controller",
		"registry:5000/controller:v1":       "registry:5000/controller",
		"quay.io/x/controller@sha256:abcd":  "quay.io/x/controller",
		"quay.io/x/controller:v1@sha256:ab": "quay.io/x/controller",
	}
	for ref, want := range cases {
		if got := imageName(ref); got != want {
			t.Errorf("imageName(%q) = %q, want %q", ref, got, want)
		}
	}
}

func TestWithRules(t *testing.T) {
	leases := rbacv1.PolicyRule{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, Verbs: []string{"get", "create"}}
	cases := map[string]struct {
		reason      string
		rules, want []rbacv1.PolicyRule
	}{
		"Empty": {
			reason: "With no rules, the extra rule is added whole.",
			want:   []rbacv1.PolicyRule{leases},
		},
		"AlreadyGranted": {
			reason: "A rule that grants every verb on the group makes the extra rule redundant.",
			rules:  []rbacv1.PolicyRule{{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"*"}, Verbs: []string{"*"}}},
			want:   []rbacv1.PolicyRule{{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"*"}, Verbs: []string{"*"}}},
		},
		"PartlyGranted": {
			reason: "Only the missing verbs are added.",
			rules:  []rbacv1.PolicyRule{{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, Verbs: []string{"get"}}},
			want: []rbacv1.PolicyRule{
				{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, Verbs: []string{"get"}},
				{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, Verbs: []string{"create"}},
			},
		},
		"ResourceNamesDoNotCount": {
			reason: "A rule limited to some names does not grant the resource in general.",
			rules:  []rbacv1.PolicyRule{{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, ResourceNames: []string{"x"}, Verbs: []string{"get", "create"}}},
			want: []rbacv1.PolicyRule{
				{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, ResourceNames: []string{"x"}, Verbs: []string{"get", "create"}},
				leases,
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, withRules(tc.rules, []rbacv1.PolicyRule{leases})); diff != "" {
				t.Errorf("%s\nwithRules: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestSplitRules(t *testing.T) {
	cases := map[string]struct {
		reason              string
		rules               []rbacv1.PolicyRule
		namespaced, cluster []rbacv1.PolicyRule
	}{
		"Namespaced": {
			reason:     "Namespaced resources and subresources stay in permissions.",
			rules:      []rbacv1.PolicyRule{{APIGroups: []string{"apps"}, Resources: []string{"deployments", "deployments/status"}, Verbs: []string{"get"}}},
			namespaced: []rbacv1.PolicyRule{{APIGroups: []string{"apps"}, Resources: []string{"deployments", "deployments/status"}, Verbs: []string{"get"}}},
		},
		"WholeGroupClusterScoped": {
			reason:  "Every resource of config.openshift.io is cluster-scoped.",
			rules:   []rbacv1.PolicyRule{{APIGroups: []string{"config.openshift.io"}, Resources: []string{"clusterversions"}, Verbs: []string{"get"}}},
			cluster: []rbacv1.PolicyRule{{APIGroups: []string{"config.openshift.io"}, Resources: []string{"clusterversions"}, Verbs: []string{"get"}}},
		},
		"NonResourceURLs": {
			reason:  "Non-resource URLs can only be granted cluster-wide.",
			rules:   []rbacv1.PolicyRule{{NonResourceURLs: []string{"/metrics"}, Verbs: []string{"get"}}},
			cluster: []rbacv1.PolicyRule{{NonResourceURLs: []string{"/metrics"}, Verbs: []string{"get"}}},
		},
		"Mixed": {
			reason:     "A rule on a cluster-scoped and a namespaced subresource is split in two.",
			rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"namespaces/status", "pods"}, Verbs: []string{"get"}}},
			namespaced: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get"}}},
			cluster:    []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"namespaces/status"}, Verbs: []string{"get"}}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			namespaced, cluster := splitRules(tc.rules)
			if diff := cmp.Diff(tc.namespaced, namespaced); diff != "" {
				t.Errorf("%s\nnamespaced: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.cluster, cluster); diff != "" {
				t.Errorf("%s\ncluster: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestWithManagerImage(t *testing.T) {
	const base = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - manager.yaml\n"
	cases := map[string]struct {
		reason   string
		existing string
		image    string
		want     string
		wantErr  bool
	}{
		"Tag": {
			reason:   "A tagged image becomes newName and newTag, replacing the old entry for the placeholder.",
			existing: base + "images:\n  - name: controller\n    newName: old/op\n    newTag: latest\n",
			image:    "quay.io/x/op:v1.2.3",
			want: "apiVersion: kustomize.config.k8s.io/v1beta1\nimages:\n- name: controller\n  newName: quay.io/x/op\n  newTag: v1.2.3\n" +
				"kind: Kustomization\nresources:\n- manager.yaml\n",
		},
		"DigestAndOtherImages": {
			reason:   "A digest is kept as a digest; entries for other images stay after the operator's.",
			existing: base + "images:\n  - name: sidecar\n    newTag: \"2\"\n",
			image:    "registry:5000/op@sha256:abc",
			want: "apiVersion: kustomize.config.k8s.io/v1beta1\nimages:\n- digest: sha256:abc\n  name: controller\n  newName: registry:5000/op\n" +
				"- name: sidecar\n  newTag: \"2\"\nkind: Kustomization\nresources:\n- manager.yaml\n",
		},
		"NoTag": {
			reason:   "An image without a tag or digest would deploy whatever the placeholder's tag is; refuse it.",
			existing: base,
			image:    "registry:5000/op",
			wantErr:  true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			path := filepath.Join(root, managerKustomization)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(tc.existing), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := withManagerImage(root, tc.image)
			if (err != nil) != tc.wantErr {
				t.Fatalf("%s\nwithManagerImage() error = %v, wantErr %v", tc.reason, err, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			if diff := cmp.Diff(managerKustomizationHeader+tc.want, string(got)); diff != "" {
				t.Errorf("%s\nwithManagerImage(): -want, +got:\n%s", tc.reason, diff)
			}
			// What the generator writes, it reads back as the same image.
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			if _, _, image, err := readKustomizations(root); err != nil || image != tc.image {
				t.Errorf("readKustomizations() after writing = %q, %v; want %q", image, err, tc.image)
			}
		})
	}
}
