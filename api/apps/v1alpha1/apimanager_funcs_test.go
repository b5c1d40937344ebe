package v1alpha1

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func ptr[T any](v T) *T { return &v }

func TestHosts(t *testing.T) {
	type hosts struct {
		Admin, AdminURL, Developer, Master, MasterURL, Backend, Production, Staging string
	}
	tests := []struct {
		name string
		spec APIManagerSpec
		want hosts
	}{
		{
			name: "default tenant",
			spec: APIManagerSpec{WildcardDomain: "apps.example.com"},
			want: hosts{
				Admin:      "3scale-admin.apps.example.com",
				AdminURL:   "https://3scale-admin.apps.example.com",
				Developer:  "3scale.apps.example.com",
				Master:     "master.apps.example.com",
				MasterURL:  "https://master.apps.example.com",
				Backend:    "backend-3scale.apps.example.com",
				Production: "api-3scale-apicast-production.apps.example.com",
				Staging:    "api-3scale-apicast-staging.apps.example.com",
			},
		},
		{
			name: "custom tenant, mixed case lowered for Route hosts",
			spec: APIManagerSpec{WildcardDomain: "Lvh.ME", TenantName: ptr("Acme")},
			want: hosts{
				Admin:      "acme-admin.lvh.me",
				AdminURL:   "https://acme-admin.lvh.me",
				Developer:  "acme.lvh.me",
				Master:     "master.lvh.me",
				MasterURL:  "https://master.lvh.me",
				Backend:    "backend-acme.lvh.me",
				Production: "api-acme-apicast-production.lvh.me",
				Staging:    "api-acme-apicast-staging.lvh.me",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &APIManager{Spec: tt.spec}
			got := hosts{
				Admin:      a.AdminPortalHost(),
				AdminURL:   a.AdminURL(),
				Developer:  a.DeveloperPortalHost(),
				Master:     a.MasterHost(),
				MasterURL:  a.MasterURL(),
				Backend:    a.BackendHost(),
				Production: a.ApicastProductionHost(),
				Staging:    a.ApicastStagingHost(),
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("hosts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSpecDefaults(t *testing.T) {
	type defaults struct {
		AppLabel, TenantName, ManagementAPI, RegistryURL, STSAudience  string
		Resources, OpenSSLVerify, ResponseCodes, Zync, PDB, Monitoring bool
		PrometheusRules, S3, STS                                       bool
	}
	tests := []struct {
		name string
		spec APIManagerSpec
		want defaults
	}{
		{
			name: "empty spec",
			want: defaults{
				AppLabel: DefaultAppLabel, TenantName: DefaultTenantName,
				ManagementAPI: DefaultApicastManagementAPI, RegistryURL: DefaultApicastRegistryURL,
				STSAudience: DefaultS3STSAudience, Resources: true, ResponseCodes: true, Zync: true,
			},
		},
		{
			name: "empty sub-objects behave like unset ones",
			spec: APIManagerSpec{
				Apicast: &ApicastSpec{}, Zync: &ZyncSpec{}, Monitoring: &MonitoringSpec{},
				PodDisruptionBudget: &PodDisruptionBudgetSpec{},
				System:              &SystemSpec{FileStorageSpec: &SystemFileStorageSpec{}},
			},
			want: defaults{
				AppLabel: DefaultAppLabel, TenantName: DefaultTenantName,
				ManagementAPI: DefaultApicastManagementAPI, RegistryURL: DefaultApicastRegistryURL,
				STSAudience: DefaultS3STSAudience, Resources: true, ResponseCodes: true, Zync: true,
			},
		},
		{
			name: "everything set",
			spec: APIManagerSpec{
				AppLabel: ptr("my-app"), TenantName: ptr("acme"), ResourceRequirementsEnabled: ptr(false),
				Apicast: &ApicastSpec{
					ApicastManagementAPI: ptr("debug"), OpenSSLVerify: ptr(true),
					IncludeResponseCodes: ptr(false), RegistryURL: ptr("http://registry:8090/policies"),
				},
				Zync:                &ZyncSpec{Enabled: ptr(false)},
				PodDisruptionBudget: &PodDisruptionBudgetSpec{Enabled: true},
				Monitoring:          &MonitoringSpec{Enabled: true},
				System: &SystemSpec{FileStorageSpec: &SystemFileStorageSpec{S3: &SystemS3Spec{
					ConfigurationSecretRef: LocalSecretReference{Name: "s3"},
					STS:                    &STSSpec{Enabled: ptr(true), Audience: ptr("sts.amazonaws.com")},
				}}},
			},
			want: defaults{
				AppLabel: "my-app", TenantName: "acme", ManagementAPI: "debug",
				RegistryURL: "http://registry:8090/policies", STSAudience: "sts.amazonaws.com",
				OpenSSLVerify: true, PDB: true, Monitoring: true, PrometheusRules: true, S3: true, STS: true,
			},
		},
		{
			name: "prometheus rules turned off, S3 with IAM keys",
			spec: APIManagerSpec{
				Monitoring: &MonitoringSpec{Enabled: true, EnablePrometheusRules: ptr(false)},
				System: &SystemSpec{FileStorageSpec: &SystemFileStorageSpec{S3: &SystemS3Spec{
					ConfigurationSecretRef: LocalSecretReference{Name: "s3"}, STS: &STSSpec{},
				}}},
			},
			want: defaults{
				AppLabel: DefaultAppLabel, TenantName: DefaultTenantName,
				ManagementAPI: DefaultApicastManagementAPI, RegistryURL: DefaultApicastRegistryURL,
				STSAudience: DefaultS3STSAudience, Resources: true, ResponseCodes: true, Zync: true,
				Monitoring: true, S3: true,
			},
		},
		{
			name: "prometheus rules need monitoring",
			spec: APIManagerSpec{Monitoring: &MonitoringSpec{EnablePrometheusRules: ptr(true)}},
			want: defaults{
				AppLabel: DefaultAppLabel, TenantName: DefaultTenantName,
				ManagementAPI: DefaultApicastManagementAPI, RegistryURL: DefaultApicastRegistryURL,
				STSAudience: DefaultS3STSAudience, Resources: true, ResponseCodes: true, Zync: true,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &APIManager{Spec: tt.spec}
			got := defaults{
				AppLabel:        a.AppLabelOrDefault(),
				TenantName:      a.TenantNameOrDefault(),
				ManagementAPI:   a.ApicastManagementAPIOrDefault(),
				RegistryURL:     a.ApicastRegistryURLOrDefault(),
				STSAudience:     a.S3STSAudienceOrDefault(),
				Resources:       a.ResourceRequirementsEnabledOrDefault(),
				OpenSSLVerify:   a.ApicastOpenSSLVerifyOrDefault(),
				ResponseCodes:   a.ApicastResponseCodesOrDefault(),
				Zync:            a.IsZyncEnabled(),
				PDB:             a.IsPDBEnabled(),
				Monitoring:      a.IsMonitoringEnabled(),
				PrometheusRules: a.IsPrometheusRulesEnabled(),
				S3:              a.IsS3Enabled(),
				STS:             a.IsS3STSEnabled(),
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestExternalComponents(t *testing.T) {
	type external struct{ SystemDatabase, SystemRedis, BackendRedis, ZyncDatabase bool }
	tests := []struct {
		name string
		spec APIManagerSpec
		want external
	}{
		{name: "nothing set"},
		{
			name: "externalComponents",
			spec: APIManagerSpec{ExternalComponents: &ExternalComponentsSpec{
				System:  &ExternalSystemComponents{Database: ptr(true), Redis: ptr(false)},
				Backend: &ExternalBackendComponents{Redis: ptr(true)},
			}},
			want: external{SystemDatabase: true, BackendRedis: true},
		},
		{
			name: "deprecated highAvailability",
			spec: APIManagerSpec{HighAvailability: &HighAvailabilitySpec{Enabled: true}},
			want: external{SystemDatabase: true, SystemRedis: true, BackendRedis: true},
		},
		{
			name: "deprecated highAvailability with external zync database",
			spec: APIManagerSpec{HighAvailability: &HighAvailabilitySpec{Enabled: true, ExternalZyncDatabaseEnabled: ptr(true)}},
			want: external{SystemDatabase: true, SystemRedis: true, BackendRedis: true, ZyncDatabase: true},
		},
		{
			name: "zync database flag alone is ignored, as before",
			spec: APIManagerSpec{HighAvailability: &HighAvailabilitySpec{ExternalZyncDatabaseEnabled: ptr(true)}},
		},
		{
			name: "externalComponents wins over highAvailability",
			spec: APIManagerSpec{
				HighAvailability:   &HighAvailabilitySpec{Enabled: true},
				ExternalComponents: &ExternalComponentsSpec{Zync: &ExternalZyncComponents{Database: ptr(true)}},
			},
			want: external{ZyncDatabase: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &APIManager{Spec: tt.spec}
			got := external{
				SystemDatabase: a.IsSystemDatabaseExternal(),
				SystemRedis:    a.IsSystemRedisExternal(),
				BackendRedis:   a.IsBackendRedisExternal(),
				ZyncDatabase:   a.IsZyncDatabaseExternal(),
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestTLSFlags(t *testing.T) {
	type flags struct{ BackendRedis, QueuesRedis, SystemDatabase, SystemRedis, ZyncDatabase bool }
	tests := []struct {
		name string
		spec APIManagerSpec
		want flags
	}{
		{name: "unset"},
		{
			name: "all on",
			spec: APIManagerSpec{
				Backend: &BackendSpec{BackendRedisTLSEnabled: ptr(true), QueuesRedisTLSEnabled: ptr(true)},
				System:  &SystemSpec{SystemDatabaseTLSEnabled: ptr(true), SystemRedisTLSEnabled: ptr(true)},
				Zync:    &ZyncSpec{ZyncDatabaseTLSEnabled: ptr(true)},
			},
			want: flags{true, true, true, true, true},
		},
		{
			name: "explicitly off",
			spec: APIManagerSpec{
				Backend: &BackendSpec{BackendRedisTLSEnabled: ptr(false), QueuesRedisTLSEnabled: ptr(true)},
				System:  &SystemSpec{SystemDatabaseTLSEnabled: ptr(false)},
				Zync:    &ZyncSpec{},
			},
			want: flags{QueuesRedis: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &APIManager{Spec: tt.spec}
			got := flags{
				BackendRedis:   a.IsBackendRedisTLSEnabled(),
				QueuesRedis:    a.IsQueuesRedisTLSEnabled(),
				SystemDatabase: a.IsSystemDatabaseTLSEnabled(),
				SystemRedis:    a.IsSystemRedisTLSEnabled(),
				ZyncDatabase:   a.IsZyncDatabaseTLSEnabled(),
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestGatewaySettings(t *testing.T) {
	type gateway struct {
		HTTPSPort                  *int32
		OpenTelemetry, OpenTracing bool
	}
	tests := []struct {
		name           string
		apicast        *ApicastSpec
		production     gateway
		staging        gateway
		productionNil  bool
		stagingPresent bool
	}{
		{name: "no apicast section", productionNil: true},
		{
			name: "certificate without port listens on 8443; explicit port wins",
			apicast: &ApicastSpec{
				ProductionSpec: &ApicastProductionSpec{ApicastGatewaySpec: ApicastGatewaySpec{
					HTTPSCertificateSecretRef: &LocalSecretReference{Name: "tls"},
					OpenTelemetry:             &OpenTelemetrySpec{Enabled: ptr(true)},
				}},
				StagingSpec: &ApicastStagingSpec{ApicastGatewaySpec: ApicastGatewaySpec{
					HTTPSPort:   ptr(int32(9443)),
					OpenTracing: &APIcastOpenTracingSpec{Enabled: ptr(true)},
				}},
			},
			production:     gateway{HTTPSPort: ptr(DefaultApicastHTTPSPort), OpenTelemetry: true},
			staging:        gateway{HTTPSPort: ptr(int32(9443)), OpenTracing: true},
			stagingPresent: true,
		},
		{
			name: "tracing sections present but disabled",
			apicast: &ApicastSpec{ProductionSpec: &ApicastProductionSpec{ApicastGatewaySpec: ApicastGatewaySpec{
				OpenTelemetry: &OpenTelemetrySpec{},
				OpenTracing:   &APIcastOpenTracingSpec{Enabled: ptr(false)},
			}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &APIManager{Spec: APIManagerSpec{Apicast: tt.apicast}}
			settings := func(g *ApicastGatewaySpec) gateway {
				return gateway{HTTPSPort: g.HTTPSPortOrDefault(), OpenTelemetry: g.OpenTelemetryEnabled(), OpenTracing: g.OpenTracingEnabled()}
			}
			prod, staging := a.ApicastProductionGateway(), a.ApicastStagingGateway()
			if (prod == nil) != tt.productionNil || (staging != nil) != tt.stagingPresent {
				t.Fatalf("production gateway %v, staging gateway %v", prod, staging)
			}
			if diff := cmp.Diff(tt.production, settings(prod)); diff != "" {
				t.Errorf("production (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.staging, settings(staging)); diff != "" {
				t.Errorf("staging (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHTTPSPortOrDefaultReturnsACopy(t *testing.T) {
	g := &ApicastGatewaySpec{HTTPSPort: ptr(int32(9443))}
	*g.HTTPSPortOrDefault() = 1
	if *g.HTTPSPort != 9443 {
		t.Fatalf("the spec was modified through the returned pointer: %d", *g.HTTPSPort)
	}
}

func TestDeprecatedFieldsInUse(t *testing.T) {
	tests := []struct {
		name string
		spec APIManagerSpec
		want []string
	}{
		{name: "none", spec: APIManagerSpec{
			Backend: &BackendSpec{Image: ptr("x")},
			System:  &SystemSpec{FileStorageSpec: &SystemFileStorageSpec{PVC: &PVCGenericSpec{}}},
			Apicast: &ApicastSpec{ProductionSpec: &ApicastProductionSpec{}},
		}},
		{
			name: "all of them",
			spec: APIManagerSpec{
				ImageStreamTagImportInsecure: ptr(false),
				HighAvailability:             &HighAvailabilitySpec{},
				Apicast: &ApicastSpec{
					ProductionSpec: &ApicastProductionSpec{ApicastGatewaySpec: ApicastGatewaySpec{OpenTracing: &APIcastOpenTracingSpec{}}},
					StagingSpec:    &ApicastStagingSpec{ApicastGatewaySpec: ApicastGatewaySpec{OpenTracing: &APIcastOpenTracingSpec{}}},
				},
				Backend: &BackendSpec{RedisTolerations: []corev1.Toleration{{Key: "k"}}},
				System: &SystemSpec{
					RedisLabels:     map[string]string{"a": "b"},
					DatabaseSpec:    &SystemDatabaseSpec{},
					SphinxSpec:      &SystemSphinxSpec{},
					FileStorageSpec: &SystemFileStorageSpec{DeprecatedS3: &DeprecatedSystemS3Spec{}},
				},
			},
			want: []string{
				"spec.imageStreamTagImportInsecure",
				"spec.highAvailability",
				"spec.apicast.productionSpec.openTracing",
				"spec.apicast.stagingSpec.openTracing",
				"spec.backend.redis*",
				"spec.system.redis*",
				"spec.system.database",
				"spec.system.sphinxSpec",
				"spec.system.fileStorage.amazonSimpleStorageService",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &APIManager{Spec: tt.spec}
			if diff := cmp.Diff(tt.want, a.DeprecatedFieldsInUse()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestBackupAndRestoreNames(t *testing.T) {
	b := &APIManagerBackup{ObjectMeta: metav1.ObjectMeta{Name: "backup1"}}
	if got := b.PersistentVolumeClaimName(); got != "backup1" {
		t.Errorf("backup claim name %q, want the backup's name", got)
	}
	tests := []struct {
		name   string
		source APIManagerRestoreSource
		want   string
	}{
		{name: "no source", want: ""},
		{
			name: "PVC source",
			source: APIManagerRestoreSource{PersistentVolumeClaim: &PersistentVolumeClaimRestoreSource{
				ClaimSource: corev1.PersistentVolumeClaimVolumeSource{ClaimName: "backup1", ReadOnly: true},
			}},
			want: "backup1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &APIManagerRestore{Spec: APIManagerRestoreSpec{RestoreSource: tt.source}}
			if got := r.ClaimName(); got != tt.want {
				t.Errorf("ClaimName() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPVCRetentionPolicyOrDefault(t *testing.T) {
	cases := map[string]struct {
		reason string
		policy PVCRetentionPolicy
		want   PVCRetentionPolicy
	}{
		"Unset":  {reason: "Data is kept unless the spec says otherwise.", want: PVCRetentionPolicyRetain},
		"Delete": {reason: "An explicit Delete is honoured.", policy: PVCRetentionPolicyDelete, want: PVCRetentionPolicyDelete},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := &APIManager{Spec: APIManagerSpec{PersistentVolumeClaimRetentionPolicy: tc.policy}}
			if got := a.PVCRetentionPolicyOrDefault(); got != tc.want {
				t.Errorf("%s\nPVCRetentionPolicyOrDefault() = %q, want %q", tc.reason, got, tc.want)
			}
		})
	}
}
