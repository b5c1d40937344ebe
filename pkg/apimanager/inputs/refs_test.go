package inputs

import (
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
	"github.com/threescale-oss/operator/pkg/apimanager/render"
)

func envFromSecret(name, secret, key string, optional bool) corev1.EnvVar {
	return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: secret}, Key: key, Optional: ptr.To(optional)}}}
}

func TestSecretReferences(t *testing.T) {
	pod := corev1.PodSpec{
		InitContainers: []corev1.Container{{Name: "init", Env: []corev1.EnvVar{envFromSecret("A", "db", "URL", false)}}},
		Containers: []corev1.Container{{
			Name: "main",
			Env: []corev1.EnvVar{
				envFromSecret("B", "db", "PASSWORD", true),
				{Name: "PLAIN", Value: "x"},
			},
			EnvFrom: []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "bulk"}}}},
		}},
		Volumes: []corev1.Volume{
			{Name: "tls", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
				SecretName: "tls", Items: []corev1.KeyToPath{{Key: "tls.crt", Path: "c"}}}}},
			{Name: "proj", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
				{Secret: &corev1.SecretProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "proj"}, Optional: ptr.To(true)}},
				{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token"}},
			}}}},
			{Name: "empty", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
		},
	}
	objs := []client.Object{
		&appsv1.Deployment{Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: pod}}},
		// The same key read optionally here and required there is required.
		&batchv1.Job{Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "j", Env: []corev1.EnvVar{
				envFromSecret("C", "db", "URL", true), envFromSecret("D", "db", "PASSWORD", true)}}}}}}},
		&networkingv1.Ingress{Spec: networkingv1.IngressSpec{TLS: []networkingv1.IngressTLS{{SecretName: "wildcard"}}}},
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "not-a-workload"}},
	}
	want := []Reference{
		{Secret: "bulk"},
		{Secret: "db", Key: "PASSWORD", Optional: true},
		{Secret: "db", Key: "URL"},
		{Secret: "proj", Optional: true},
		{Secret: "tls"},
		{Secret: "tls", Key: "tls.crt"},
		{Secret: "wildcard"},
	}
	if diff := cmp.Diff(want, SecretReferences(objs)); diff != "" {
		t.Errorf("SecretReferences (-want +got):\n%s", diff)
	}
}

func TestMissingSecrets(t *testing.T) {
	refs := []Reference{
		{Secret: "backend-redis", Key: "REDIS_QUEUES_URL"},
		{Secret: "backend-redis", Key: "REDIS_STORAGE_URL"},
		{Secret: "system-database", Key: "URL"},
		{Secret: "system-database", Key: "DB_USER"},
		{Secret: "system-database", Key: "DB_PASSWORD", Optional: true},
		{Secret: "otel", Optional: true},
		{Secret: "tls"},
	}
	secrets := map[string]render.SecretInfo{
		"backend-redis": {Keys: []string{"REDIS_STORAGE_URL"}},
		"tls":           {},
	}
	want := []string{
		`Secret "backend-redis" has no key "REDIS_QUEUES_URL"`,
		`Secret "system-database" not found`,
	}
	if diff := cmp.Diff(want, MissingSecrets(refs, secrets)); diff != "" {
		t.Errorf("MissingSecrets (-want +got):\n%s", diff)
	}
	if got := MissingSecrets(refs[:2], map[string]render.SecretInfo{
		"backend-redis": {Keys: []string{"REDIS_QUEUES_URL", "REDIS_STORAGE_URL"}}}); got != nil {
		t.Errorf("nothing missing, got %q", got)
	}
}

func apiManager(mutate ...func(*appsv1alpha1.APIManager)) *appsv1alpha1.APIManager {
	a := &appsv1alpha1.APIManager{
		ObjectMeta: metav1.ObjectMeta{Name: "example", Namespace: "threescale", UID: "uid-1"},
		Spec:       appsv1alpha1.APIManagerSpec{WildcardDomain: "example.com"},
	}
	for _, f := range mutate {
		f(a)
	}
	return a
}

func external(a *appsv1alpha1.APIManager) {
	yes := true
	a.Spec.ExternalComponents = &appsv1alpha1.ExternalComponentsSpec{
		System:  &appsv1alpha1.ExternalSystemComponents{Redis: &yes, Database: &yes},
		Backend: &appsv1alpha1.ExternalBackendComponents{Redis: &yes},
	}
}

func TestSecretNames(t *testing.T) {
	platform := []string{
		"backend-internal-api", "backend-listener", "system-app", "system-events-hook", "system-master-apicast",
		"system-memcache", "system-recaptcha", "system-seed", "system-smtp",
	}
	cases := map[string]struct {
		apim *appsv1alpha1.APIManager
		// extra are the names expected besides the platform Secrets.
		extra []string
	}{
		"internal databases": {apim: apiManager(), extra: []string{"backend-redis", "system-database", "system-redis", "zync"}},
		"external databases": {apim: apiManager(external), extra: []string{"backend-redis", "system-database", "system-redis", "zync"}},
		"zync disabled": {apim: apiManager(func(a *appsv1alpha1.APIManager) {
			a.Spec.Zync = &appsv1alpha1.ZyncSpec{Enabled: ptr.To(false)}
		}), extra: []string{"backend-redis", "system-database", "system-redis"}},
		"APIcast TLS and custom policy": {apim: apiManager(func(a *appsv1alpha1.APIManager) {
			a.Spec.Apicast = &appsv1alpha1.ApicastSpec{ProductionSpec: &appsv1alpha1.ApicastProductionSpec{
				ApicastGatewaySpec: appsv1alpha1.ApicastGatewaySpec{
					HTTPSCertificateSecretRef: &appsv1alpha1.LocalSecretReference{Name: "apicast-tls"},
					CustomPolicies: []appsv1alpha1.CustomPolicySpec{{Name: "p", Version: "1",
						SecretRef: &appsv1alpha1.LocalSecretReference{Name: "policy-p"}}},
				}}}
		}), extra: []string{"apicast-tls", "backend-redis", "policy-p", "system-database", "system-redis", "zync"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			want := append(append([]string(nil), platform...), tc.extra...)
			got := SecretNames(tc.apim)
			if diff := cmp.Diff(sortedCopy(want), got); diff != "" {
				t.Errorf("SecretNames (-want +got):\n%s", diff)
			}
		})
	}
	if SecretNames(nil) != nil {
		t.Error("SecretNames(nil) must be nil")
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
