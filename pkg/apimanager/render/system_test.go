package render

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

// hookJobs returns the pre and post hook Jobs among objs, by phase.
func hookJobs(t *testing.T, objs []client.Object) map[string]*batchv1.Job {
	t.Helper()
	out := map[string]*batchv1.Job{}
	for _, o := range objs {
		if j, ok := o.(*batchv1.Job); ok {
			out[j.Annotations[SystemAppHookAnnotation]] = j
		}
	}
	if out[SystemAppPreHook] == nil || out[SystemAppPostHook] == nil || len(out) != 2 {
		t.Fatalf("want one pre and one post hook Job, got %v", out)
	}
	return out
}

// deployment returns the named Deployment among objs.
func deployment(t *testing.T, objs []client.Object, name string) *appsv1.Deployment {
	t.Helper()
	for _, o := range objs {
		if d, ok := o.(*appsv1.Deployment); ok && d.Name == name {
			return d
		}
	}
	t.Fatalf("no Deployment %s in %v", name, names(objs))
	return nil
}

// envNames returns the names of a container's environment variables.
func envNames(c corev1.Container) map[string]bool {
	out := map[string]bool{}
	for _, e := range c.Env {
		out[e.Name] = true
	}
	return out
}

func TestSystemObjects(t *testing.T) {
	base := []string{
		"ConfigMap/system-environment", "ConfigMap/system", "Deployment/system-app", "Deployment/system-sidekiq",
		"Service/system-master", "Service/system-provider", "Service/system-developer",
		"Job/system-app-pre", "Job/system-app-post",
	}
	s3 := &appsv1alpha1.SystemSpec{FileStorageSpec: &appsv1alpha1.SystemFileStorageSpec{
		S3: &appsv1alpha1.SystemS3Spec{ConfigurationSecretRef: appsv1alpha1.LocalSecretReference{Name: "s3"}},
	}}
	cases := map[string]struct {
		reason string
		spec   appsv1alpha1.APIManagerSpec
		want   []string
	}{
		"Default":  {reason: "files on the system-storage claim", want: append(append([]string(nil), base...), "PersistentVolumeClaim/system-storage")},
		"S3":       {reason: "no claim when files go to S3", spec: appsv1alpha1.APIManagerSpec{System: s3}, want: base},
		"PDB":      {reason: "PDBs for system-app and sidekiq", spec: appsv1alpha1.APIManagerSpec{System: s3, PodDisruptionBudget: &appsv1alpha1.PodDisruptionBudgetSpec{Enabled: true}}, want: append(append([]string(nil), base...), "PodDisruptionBudget/system-app", "PodDisruptionBudget/system-sidekiq")},
		"NoSystem": {reason: "a nil system section renders the defaults", spec: appsv1alpha1.APIManagerSpec{System: nil}, want: append(append([]string(nil), base...), "PersistentVolumeClaim/system-storage")},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var got []string
			got = append(got, names(System(newTestInputs(tc.spec)))...)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
	if System(nil) != nil || System(&Inputs{}) != nil {
		t.Error("System of a nil input must be nil")
	}
}

func TestSystemHookJobNames(t *testing.T) {
	base := hookJobs(t, System(newTestInputs(appsv1alpha1.APIManagerSpec{})))
	for phase, j := range base {
		// The names and element label of the existing operator: `oc logs job/system-app-pre`.
		if j.Name != "system-app-"+phase || j.Labels[LabelComponentElement] != "app" {
			t.Errorf("%s hook Job %q with element %q, want system-app-%s with element app", phase, j.Name, j.Labels[LabelComponentElement], phase)
		}
		if h := j.Annotations[SystemAppHookTemplateAnnotation]; len(h) != 10 {
			t.Errorf("%s hook template hash %q, want 10 hex digits", phase, h)
		}
		if _, ok := j.Spec.Template.Labels[LabelDeployment]; ok {
			t.Errorf("%s hook pod has the deployment label: the system Services would route to it", phase)
		}
		if j.Spec.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
			t.Errorf("%s hook restart policy %q", phase, j.Spec.Template.Spec.RestartPolicy)
		}
	}
	if base[SystemAppPreHook].Spec.Template.Spec.Containers[0].Command[2] != "bundle exec rake boot openshift:deploy" ||
		!envNames(base[SystemAppPreHook].Spec.Template.Spec.Containers[0])["MASTER_ACCESS_TOKEN"] {
		t.Errorf("pre hook: %v", base[SystemAppPreHook].Spec.Template.Spec.Containers[0].Command)
	}
	if base[SystemAppPostHook].Spec.Template.Spec.Containers[0].Command[2] != "bundle exec rake boot openshift:post_deploy" {
		t.Errorf("post hook: %v", base[SystemAppPostHook].Spec.Template.Spec.Containers[0].Command)
	}

	cases := map[string]struct {
		reason  string
		spec    appsv1alpha1.APIManagerSpec
		images  func(*Images)
		secrets map[string]SecretInfo
		rerun   bool
	}{
		"Unchanged":      {reason: "the same inputs give the same templates"},
		"NewImage":       {reason: "a new system image changes both templates", images: func(i *Images) { i.System = "quay.io/3scale/porta:2.17" }, rerun: true},
		"OtherImage":     {reason: "another component's image does not rerun them", images: func(i *Images) { i.Apicast = "apicast:2" }},
		"SecretRotation": {reason: "a changed Secret does not rerun them (pods read Secrets when they start)", secrets: map[string]SecretInfo{SystemSeedSecret: {Hash: "new"}}},
		"S3":             {reason: "moving files to S3 changes the hook template (the controller reruns a completed hook only for a new image)", rerun: true, spec: appsv1alpha1.APIManagerSpec{System: &appsv1alpha1.SystemSpec{FileStorageSpec: &appsv1alpha1.SystemFileStorageSpec{S3: &appsv1alpha1.SystemS3Spec{ConfigurationSecretRef: appsv1alpha1.LocalSecretReference{Name: "s3"}}}}}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := newTestInputs(tc.spec)
			if tc.images != nil {
				tc.images(&in.Images)
			}
			in.Secrets = tc.secrets
			got := hookJobs(t, System(in))
			for phase, j := range got {
				was, is := base[phase].Annotations[SystemAppHookTemplateAnnotation], j.Annotations[SystemAppHookTemplateAnnotation]
				if changed := was != is; changed != tc.rerun {
					t.Errorf("%s: %s hook template %q -> %q", tc.reason, phase, was, is)
				}
			}
		})
	}
}

func TestSystemAppContainers(t *testing.T) {
	cpu := resource.MustParse("2")
	in := newTestInputs(appsv1alpha1.APIManagerSpec{System: &appsv1alpha1.SystemSpec{AppSpec: &appsv1alpha1.SystemAppSpec{
		Replicas:                   ptr.To[int64](3),
		ProviderContainerResources: &corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceCPU: cpu}},
	}}})
	d := deployment(t, System(in), SystemAppName)
	if d.Spec.Replicas == nil || *d.Spec.Replicas != 3 {
		t.Errorf("replicas %v, want 3", d.Spec.Replicas)
	}
	type port struct {
		Name string
		Port int32
	}
	want := map[string][]port{
		SystemMasterName:    {{"master", 3002}, {"master-metrics", 9395}},
		SystemProviderName:  {{"provider", 3000}, {"prov-metrics", 9396}},
		SystemDeveloperName: {{"developer", 3001}, {"dev-metrics", 9394}},
	}
	got := map[string][]port{}
	for _, c := range d.Spec.Template.Spec.Containers {
		for _, p := range c.Ports {
			got[c.Name] = append(got[c.Name], port{p.Name, p.ContainerPort})
		}
		wantCPU := "1"
		if c.Name == SystemProviderName {
			wantCPU = "2"
		}
		if l := c.Resources.Limits[corev1.ResourceCPU]; l.String() != wantCPU {
			t.Errorf("%s: CPU limit %s, want %s (each container has its own resources)", c.Name, l.String(), wantCPU)
		}
		for _, m := range c.VolumeMounts {
			if m.Name == SystemStoragePVC && m.ReadOnly != (c.Name == SystemDeveloperName) {
				t.Errorf("%s: system-storage read-only=%v, only the developer portal mounts it read-only", c.Name, m.ReadOnly)
			}
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ports (-want +got):\n%s", diff)
	}

	unset := deployment(t, System(newTestInputs(appsv1alpha1.APIManagerSpec{})), SystemAppName)
	if unset.Spec.Replicas != nil {
		t.Errorf("replicas unset in the spec must be left to the cluster, got %d", *unset.Spec.Replicas)
	}
}

func TestSystemZyncSettings(t *testing.T) {
	for _, enabled := range []bool{true, false} {
		in := newTestInputs(appsv1alpha1.APIManagerSpec{Zync: &appsv1alpha1.ZyncSpec{Enabled: ptr.To(enabled)}})
		objs := System(in)
		app := deployment(t, objs, SystemAppName)
		if got := envNames(app.Spec.Template.Spec.Containers[0])["ZYNC_AUTHENTICATION_TOKEN"]; got != enabled {
			t.Errorf("zync enabled=%v: ZYNC_AUTHENTICATION_TOKEN present=%v", enabled, got)
		}
		zyncYAML := systemConfigData(in)["zync.yml"]
		if got := strings.Contains(zyncYAML, "endpoint: 'http://zync:8080'"); got != enabled {
			t.Errorf("zync enabled=%v: zync.yml endpoint %q", enabled, zyncYAML)
		}
	}
}

// TestSystemSecretsRoll changes one Secret at a time: system-app and sidekiq roll for the Secrets
// they read and for no other.
func TestSystemSecretsRoll(t *testing.T) {
	spec := appsv1alpha1.APIManagerSpec{System: &appsv1alpha1.SystemSpec{FileStorageSpec: &appsv1alpha1.SystemFileStorageSpec{
		S3: &appsv1alpha1.SystemS3Spec{ConfigurationSecretRef: appsv1alpha1.LocalSecretReference{Name: "s3"}},
	}}}
	hashes := func(in *Inputs) map[string]string {
		out := map[string]string{}
		for _, n := range []string{SystemAppName, SystemSidekiqName} {
			out[n] = deployment(t, System(in), n).Spec.Template.Annotations[SecretsHashAnnotation]
		}
		return out
	}
	base := hashes(newTestInputs(spec))
	read := []string{
		SystemDatabaseSecret, SystemSeedSecret, SystemEventsHookSecret, SystemRecaptchaSecret, SystemAppSecret,
		SystemMemcacheSecret, SystemRedisSecret, BackendRedisSecret, BackendListenerSecret, SystemSMTPSecret,
		SystemMasterApicastSecret, BackendInternalAPISecret, ZyncSecret, "s3",
	}
	for _, s := range append(read, "unrelated", "apicast-tls") {
		in := newTestInputs(spec)
		in.Secrets = map[string]SecretInfo{s: {Hash: "changed"}}
		got := hashes(in)
		want := s != "unrelated" && s != "apicast-tls"
		for n, h := range got {
			if (h != base[n]) != want {
				t.Errorf("Secret %s changed: %s rolled=%v, want %v", s, n, h != base[n], want)
			}
		}
	}
}

func TestSystemRedisTLSFiles(t *testing.T) {
	cases := map[string]struct {
		reason  string
		enabled bool
		keys    []string
		wantEnv []string
		wantVol []string
	}{
		"Off":    {reason: "TLS off says so", keys: []string{"REDIS_SSL_CA"}, wantEnv: []string{"REDIS_SSL=0"}},
		"NoFile": {reason: "TLS with the system trust store mounts nothing", enabled: true, wantEnv: []string{"REDIS_SSL=1"}},
		"CA": {reason: "one-way TLS", enabled: true, keys: []string{"REDIS_SSL_CA", "URL"},
			wantEnv: []string{"REDIS_SSL=1", "REDIS_CA_FILE=/tls/system-redis/system-redis-ca.crt"},
			wantVol: []string{"REDIS_SSL_CA=system-redis-ca.crt"}},
		"CertWithoutKey": {reason: "a certificate without its key is useless", enabled: true, keys: []string{"REDIS_SSL_CERT"},
			wantEnv: []string{"REDIS_SSL=1"}},
		"Mutual": {reason: "mutual TLS", enabled: true, keys: []string{"REDIS_SSL_CA", "REDIS_SSL_CERT", "REDIS_SSL_KEY"},
			wantEnv: []string{"REDIS_SSL=1", "REDIS_CA_FILE=/tls/system-redis/system-redis-ca.crt",
				"REDIS_CLIENT_CERT=/tls/system-redis/system-redis-client.crt", "REDIS_PRIVATE_KEY=/tls/system-redis/system-redis-private.key"},
			wantVol: []string{"REDIS_SSL_CA=system-redis-ca.crt", "REDIS_SSL_CERT=system-redis-client.crt", "REDIS_SSL_KEY=system-redis-private.key"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := newTestInputs(appsv1alpha1.APIManagerSpec{})
			in.Secrets = map[string]SecretInfo{SystemRedisSecret: {Keys: tc.keys}}
			f := redisTLSFiles(in, tc.enabled, SystemRedisSecret, systemRedisTLSVolume, systemRedisTLSDir, "system-redis", "REDIS")
			var env, vol []string
			for _, e := range f.env {
				env = append(env, e.Name+"="+e.Value)
			}
			for _, v := range f.volumes {
				for _, it := range v.Secret.Items {
					vol = append(vol, it.Key+"="+it.Path)
				}
			}
			if diff := cmp.Diff(tc.wantEnv, env); diff != "" {
				t.Errorf("%s: env (-want +got):\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.wantVol, vol); diff != "" {
				t.Errorf("%s: volume items (-want +got):\n%s", tc.reason, diff)
			}
			if len(f.mounts) != len(f.volumes) {
				t.Errorf("%s: %d mounts for %d volumes", tc.reason, len(f.mounts), len(f.volumes))
			}
		})
	}
}

func TestSystemDatabaseTLS(t *testing.T) {
	cases := map[string]struct {
		reason   string
		enabled  bool
		keys     []string
		wantInit bool
		wantEnv  []string
	}{
		"Off": {reason: "no TLS, no TLS settings", keys: []string{"DB_SSL_CA"}},
		"ModeOnly": {reason: "TLS without files only passes the mode", enabled: true,
			wantEnv: []string{"DATABASE_SSL_MODE", "DB_SSL_CA", "DB_SSL_CERT", "DB_SSL_KEY"}},
		"CA": {reason: "the CA is copied by set-permissions", enabled: true, keys: []string{"DB_SSL_CA"}, wantInit: true,
			wantEnv: []string{"DATABASE_SSL_MODE", "DB_SSL_CA", "DB_SSL_CERT", "DB_SSL_KEY", "DATABASE_SSL_CA"}},
		"Mutual": {reason: "client certificate and key", enabled: true, keys: []string{"DB_SSL_CA", "DB_SSL_CERT", "DB_SSL_KEY"}, wantInit: true,
			wantEnv: []string{"DATABASE_SSL_MODE", "DB_SSL_CA", "DB_SSL_CERT", "DB_SSL_KEY", "DATABASE_SSL_CA", "DATABASE_SSL_CERT", "DATABASE_SSL_KEY"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := newTestInputs(appsv1alpha1.APIManagerSpec{System: &appsv1alpha1.SystemSpec{SystemDatabaseTLSEnabled: ptr.To(tc.enabled)}})
			in.Secrets = map[string]SecretInfo{SystemDatabaseSecret: {Keys: tc.keys}}
			objs := System(in)
			for _, d := range []*appsv1.Deployment{deployment(t, objs, SystemAppName), deployment(t, objs, SystemSidekiqName)} {
				hasInit := false
				for _, c := range d.Spec.Template.Spec.InitContainers {
					hasInit = hasInit || c.Name == "set-permissions"
				}
				if hasInit != tc.wantInit {
					t.Errorf("%s: %s has set-permissions=%v", tc.reason, d.Name, hasInit)
				}
			}
			var got []string
			for _, e := range systemDatabaseTLSFiles(in).env {
				got = append(got, e.Name)
			}
			if diff := cmp.Diff(tc.wantEnv, got); diff != "" {
				t.Errorf("%s: env (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}
