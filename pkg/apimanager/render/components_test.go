package render

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

// names returns "<Kind>/<name>" of each object, in order.
func names(objs []client.Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.GetObjectKind().GroupVersionKind().Kind+"/"+o.GetName())
	}
	return out
}

// envOf returns the environment of the first container of the named Deployment among objs.
func envOf(t *testing.T, objs []client.Object, deployment string) map[string]string {
	t.Helper()
	for _, o := range objs {
		if d, ok := o.(*appsv1.Deployment); ok && d.Name == deployment {
			env := map[string]string{}
			for _, e := range d.Spec.Template.Spec.Containers[0].Env {
				env[e.Name] = e.Value
			}
			return env
		}
	}
	t.Fatalf("no Deployment %s", deployment)
	return nil
}

func TestRenderersNilInput(t *testing.T) {
	for name, r := range map[string]func(*Inputs) []client.Object{
		"Platform": Platform, "Apicast": Apicast, "Backend": Backend, "Memcached": Memcached,
		"Searchd": Searchd, "Zync": Zync,
	} {
		if got := r(nil); got != nil {
			t.Errorf("%s(nil) = %v, want nil", name, names(got))
		}
		if got := r(&Inputs{}); got != nil {
			t.Errorf("%s(no APIManager) = %v, want nil", name, names(got))
		}
	}
}

func TestZyncObjects(t *testing.T) {
	no, yes := false, true
	withDB := []string{
		"Deployment/zync", "Service/zync", "Deployment/zync-que", "ServiceAccount/zync-que-sa",
		"Role/zync-que-role", "RoleBinding/zync-que-rolebinding",
		"Deployment/zync-database", "Service/zync-database", "PersistentVolumeClaim/zync-database-data",
	}
	cases := map[string]struct {
		reason string
		spec   appsv1alpha1.APIManagerSpec
		want   []string
	}{
		"Default": {reason: "zync is on with its internal database by default", want: withDB},
		"Disabled": {reason: "a disabled zync renders nothing",
			spec: appsv1alpha1.APIManagerSpec{Zync: &appsv1alpha1.ZyncSpec{Enabled: &no}}},
		"ExternalDatabase": {reason: "an external database is not deployed",
			spec: appsv1alpha1.APIManagerSpec{ExternalComponents: &appsv1alpha1.ExternalComponentsSpec{
				Zync: &appsv1alpha1.ExternalZyncComponents{Database: &yes}}},
			want: withDB[:6]},
		"DeprecatedHighAvailability": {reason: "highAvailability.externalZyncDatabaseEnabled still means external",
			spec: appsv1alpha1.APIManagerSpec{HighAvailability: &appsv1alpha1.HighAvailabilitySpec{
				Enabled: true, ExternalZyncDatabaseEnabled: &yes}},
			want: withDB[:6]},
		"PDB": {reason: "PDBs cover zync and zync-que, not the database",
			spec: appsv1alpha1.APIManagerSpec{PodDisruptionBudget: &appsv1alpha1.PodDisruptionBudgetSpec{Enabled: true}},
			want: append(append(append([]string(nil), withDB[:6]...),
				"PodDisruptionBudget/zync", "PodDisruptionBudget/zync-que"), withDB[6:]...)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, names(Zync(newTestInputs(tc.spec)))); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}

func TestBackendHPA(t *testing.T) {
	spec := appsv1alpha1.APIManagerSpec{Backend: &appsv1alpha1.BackendSpec{
		ListenerSpec: &appsv1alpha1.BackendListenerSpec{Hpa: true},
		WorkerSpec:   &appsv1alpha1.BackendWorkerSpec{Hpa: true},
	}}
	in := newTestInputs(spec)
	got := names(Backend(in))
	want := []string{
		"ConfigMap/backend-environment", "Deployment/backend-listener", "Service/backend-listener",
		"Deployment/backend-worker", "Deployment/backend-cron",
		"HorizontalPodAutoscaler/backend-listener", "HorizontalPodAutoscaler/backend-worker",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("async backend with HPAs (-want +got):\n%s", diff)
	}
	if env := envOf(t, Backend(in), BackendListenerName); env["CONFIG_REDIS_ASYNC"] != "1" || env["LISTENER_WORKERS"] != "1" {
		t.Errorf("async listener env: %v", env)
	}

	in.APIManager.Annotations = map[string]string{appsv1alpha1.DisableAsyncAnnotation: "true"}
	objs := Backend(in)
	if diff := cmp.Diff(want[:5], names(objs)); diff != "" {
		t.Errorf("synchronous backend must have no HPA (-want +got):\n%s", diff)
	}
	env := envOf(t, objs, BackendListenerName)
	if _, ok := env["LISTENER_WORKERS"]; ok || env["CONFIG_REDIS_ASYNC"] != "0" {
		t.Errorf("synchronous listener env: %v", env)
	}
}

func TestBackendRedisTLSFiles(t *testing.T) {
	yes := true
	cases := map[string]struct {
		reason      string
		storage     bool
		queues      bool
		keys        []string
		wantEnv     []string
		wantVolumes []string
	}{
		"Off": {reason: "TLS off adds nothing", keys: []string{"REDIS_SSL_CA"}},
		"StorageWithoutFiles": {reason: "TLS with the system trust store needs no file",
			storage: true, wantEnv: []string{"CONFIG_REDIS_SSL=1"}},
		"StorageCAOnly": {reason: "a CA alone is one-way TLS", storage: true, keys: []string{"REDIS_SSL_CA"},
			wantEnv:     []string{"CONFIG_REDIS_SSL=1", "CONFIG_REDIS_CA_FILE=/tls/backend-redis/backend-redis-ca.crt"},
			wantVolumes: []string{"backend-redis-tls:REDIS_SSL_CA"}},
		"CertWithoutKey": {reason: "a certificate without its key is ignored", storage: true, keys: []string{"REDIS_SSL_CERT"},
			wantEnv: []string{"CONFIG_REDIS_SSL=1"}},
		"BothMutual": {reason: "both connections with mutual TLS", storage: true, queues: true,
			keys: []string{"REDIS_SSL_CA", "REDIS_SSL_CERT", "REDIS_SSL_KEY", "REDIS_SSL_QUEUES_CA", "REDIS_SSL_QUEUES_CERT", "REDIS_SSL_QUEUES_KEY"},
			wantEnv: []string{
				"CONFIG_REDIS_SSL=1", "CONFIG_REDIS_CA_FILE=/tls/backend-redis/backend-redis-ca.crt",
				"CONFIG_REDIS_CERT=/tls/backend-redis/backend-redis-client.crt", "CONFIG_REDIS_PRIVATE_KEY=/tls/backend-redis/backend-redis-private.key",
				"CONFIG_QUEUES_SSL=1", "CONFIG_QUEUES_CA_FILE=/tls/backend-queues/backend-redis-queues-ca.crt",
				"CONFIG_QUEUES_CERT=/tls/backend-queues/backend-redis-queues-client.crt", "CONFIG_QUEUES_PRIVATE_KEY=/tls/backend-queues/backend-redis-queues-private.key",
			},
			wantVolumes: []string{
				"backend-redis-tls:REDIS_SSL_CA,REDIS_SSL_CERT,REDIS_SSL_KEY",
				"queues-redis-tls:REDIS_SSL_QUEUES_CA,REDIS_SSL_QUEUES_CERT,REDIS_SSL_QUEUES_KEY",
			}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b := &appsv1alpha1.BackendSpec{}
			if tc.storage {
				b.BackendRedisTLSEnabled = &yes
			}
			if tc.queues {
				b.QueuesRedisTLSEnabled = &yes
			}
			in := newTestInputs(appsv1alpha1.APIManagerSpec{Backend: b})
			in.Secrets = map[string]SecretInfo{BackendRedisSecret: {Keys: tc.keys}}
			f := backendRedisTLSFiles(in)
			var env, vols []string
			for _, e := range f.env {
				env = append(env, e.Name+"="+e.Value)
			}
			for _, v := range f.volumes {
				s := v.Name + ":"
				for i, it := range v.Secret.Items {
					if i > 0 {
						s += ","
					}
					s += it.Key
				}
				vols = append(vols, s)
			}
			if diff := cmp.Diff(tc.wantEnv, env); diff != "" {
				t.Errorf("%s: env (-want +got):\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.wantVolumes, vols); diff != "" {
				t.Errorf("%s: volumes (-want +got):\n%s", tc.reason, diff)
			}
			if len(f.mounts) != len(f.volumes) {
				t.Errorf("%s: %d mounts for %d volumes", tc.reason, len(f.mounts), len(f.volumes))
			}
		})
	}
}

func TestOpenTelemetryKey(t *testing.T) {
	key := "explicit.json"
	ref := &appsv1alpha1.LocalSecretReference{Name: "otel"}
	cases := map[string]struct {
		reason string
		spec   *appsv1alpha1.OpenTelemetrySpec
		keys   []string
		want   string
	}{
		"Explicit":   {reason: "the spec's key wins", spec: &appsv1alpha1.OpenTelemetrySpec{TracingConfigSecretRef: ref, TracingConfigSecretKey: &key}, keys: []string{"a"}, want: key},
		"FirstKey":   {reason: "else the first key in lexicographic order", spec: &appsv1alpha1.OpenTelemetrySpec{TracingConfigSecretRef: ref}, keys: []string{"a.json", "b.json"}, want: "a.json"},
		"NoSecret":   {reason: "an unknown Secret gives no key", spec: &appsv1alpha1.OpenTelemetrySpec{TracingConfigSecretRef: ref}, want: ""},
		"EmptyValue": {reason: "an empty explicit key falls back", spec: &appsv1alpha1.OpenTelemetrySpec{TracingConfigSecretRef: ref, TracingConfigSecretKey: new(string)}, keys: []string{"c"}, want: "c"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := newTestInputs(appsv1alpha1.APIManagerSpec{})
			if tc.keys != nil {
				in.Secrets = map[string]SecretInfo{"otel": {Keys: tc.keys}}
			}
			if got := openTelemetryKey(in, tc.spec); got != tc.want {
				t.Errorf("%s: got %q, want %q", tc.reason, got, tc.want)
			}
		})
	}
}

func TestApicastHTTPS(t *testing.T) {
	port := int32(9443)
	cases := map[string]struct {
		reason   string
		gw       appsv1alpha1.ApicastGatewaySpec
		wantPort string
		wantCert bool
	}{
		"Off":          {reason: "no port and no certificate means no HTTPS"},
		"CertOnly":     {reason: "a certificate alone serves HTTPS on 8443", gw: appsv1alpha1.ApicastGatewaySpec{HTTPSCertificateSecretRef: &appsv1alpha1.LocalSecretReference{Name: "tls"}}, wantPort: "8443", wantCert: true},
		"PortOnly":     {reason: "a port alone serves the image's certificate", gw: appsv1alpha1.ApicastGatewaySpec{HTTPSPort: &port}, wantPort: "9443"},
		"PortAndCert":  {reason: "both", gw: appsv1alpha1.ApicastGatewaySpec{HTTPSPort: &port, HTTPSCertificateSecretRef: &appsv1alpha1.LocalSecretReference{Name: "tls"}}, wantPort: "9443", wantCert: true},
		"EmptyCertRef": {reason: "an empty Secret name mounts nothing", gw: appsv1alpha1.ApicastGatewaySpec{HTTPSPort: &port, HTTPSCertificateSecretRef: &appsv1alpha1.LocalSecretReference{}}, wantPort: "9443"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := newTestInputs(appsv1alpha1.APIManagerSpec{Apicast: &appsv1alpha1.ApicastSpec{
				StagingSpec: &appsv1alpha1.ApicastStagingSpec{ApicastGatewaySpec: tc.gw},
			}})
			objs := Apicast(in)
			env := envOf(t, objs, ApicastStagingName)
			if env["APICAST_HTTPS_PORT"] != tc.wantPort {
				t.Errorf("%s: APICAST_HTTPS_PORT=%q, want %q", tc.reason, env["APICAST_HTTPS_PORT"], tc.wantPort)
			}
			if _, ok := env["APICAST_HTTPS_CERTIFICATE"]; ok != tc.wantCert {
				t.Errorf("%s: certificate env present=%v, want %v", tc.reason, ok, tc.wantCert)
			}
			var svcPorts []string
			for _, o := range objs {
				if s, ok := o.(*corev1.Service); ok && s.Name == ApicastStagingName {
					for _, p := range s.Spec.Ports {
						svcPorts = append(svcPorts, p.Name)
					}
				}
			}
			want := []string{"gateway", "management", "metrics"}
			if tc.wantPort != "" {
				want = append(want, "httpsproxy")
			}
			if diff := cmp.Diff(want, svcPorts); diff != "" {
				t.Errorf("%s: Service ports (-want +got):\n%s", tc.reason, diff)
			}
			// Production is not configured and must not get staging's settings.
			if _, ok := envOf(t, objs, ApicastProductionName)["APICAST_HTTPS_PORT"]; ok {
				t.Errorf("%s: production got staging's HTTPS settings", tc.reason)
			}
		})
	}
}

func TestShortName(t *testing.T) {
	a, b := shortName("policy", "x/1"), shortName("policy", "x/2")
	if a == b || len(a) != len("policy-")+10 || a != shortName("policy", "x/1") {
		t.Errorf("shortName: %q, %q", a, b)
	}
}

func TestLabels(t *testing.T) {
	label := "custom"
	in := newTestInputs(appsv1alpha1.APIManagerSpec{AppLabel: &label})
	in.APIManager.ObjectMeta = metav1.ObjectMeta{Name: "prod", Namespace: "ns"}
	want := map[string]string{
		LabelApp: "custom", LabelComponent: ComponentBackend, LabelComponentElement: "worker",
		LabelK8sName: ComponentBackend, LabelK8sInstance: "prod", LabelK8sComponent: BackendWorkerName,
		LabelK8sPartOf: PartOf, LabelK8sManagedBy: ManagedBy,
	}
	if diff := cmp.Diff(want, Labels(in, ComponentBackend, "worker", BackendWorkerName)); diff != "" {
		t.Errorf("Labels (-want +got):\n%s", diff)
	}
}
