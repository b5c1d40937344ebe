package render

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

// counter is a deterministic generator: the i-th call returns "g<i>x<n>", which shows both the
// order of the calls and the length asked for.
type counter struct{ calls []int }

func (c *counter) generate(n int) string {
	c.calls = append(c.calls, n)
	return fmt.Sprintf("g%dx%d", len(c.calls), n)
}

func testAPIManager(spec appsv1alpha1.APIManagerSpec) *appsv1alpha1.APIManager {
	spec.WildcardDomain = "apps.example.com"
	return &appsv1alpha1.APIManager{ObjectMeta: metav1.ObjectMeta{Name: "example", Namespace: "ns"}, Spec: spec}
}

func TestSecretValuesFreshInstall(t *testing.T) {
	c := &counter{}
	got := SecretValues(testAPIManager(appsv1alpha1.APIManagerSpec{}), nil, c.generate)
	want := map[string]map[string]string{
		SystemSeedSecret: {
			"MASTER_DOMAIN": "master", "MASTER_ACCESS_TOKEN": "g1x32", "MASTER_USER": "master",
			"MASTER_PASSWORD": "g2x32", "ADMIN_ACCESS_TOKEN": "g3x32", "ADMIN_USER": "admin",
			"ADMIN_PASSWORD": "g4x32", "ADMIN_EMAIL": "", "TENANT_NAME": "3scale",
		},
		SystemAppSecret:        {"SECRET_KEY_BASE": "g5x128", "USER_SESSION_TTL": ""},
		SystemEventsHookSecret: {"URL": "http://system-master:3000/master/events/import", "PASSWORD": "g6x32"},
		SystemMasterApicastSecret: {
			"ACCESS_TOKEN":           "g7x32",
			"PROXY_CONFIGS_ENDPOINT": "http://g7x32@system-master:3000/master/api/proxy/configs",
		},
		SystemMemcacheSecret:  {"SERVERS": "system-memcache:11211"},
		SystemRecaptchaSecret: {"PUBLIC_KEY": "", "PRIVATE_KEY": ""},
		SystemSMTPSecret: {
			"address": "", "username": "", "password": "", "domain": "", "port": "",
			"authentication": "", "openssl.verify.mode": "",
		},
		BackendInternalAPISecret: {"username": "3scale_api_user", "password": "g8x32"},
		BackendListenerSecret: {
			"service_endpoint": "http://backend-listener:3000",
			"route_endpoint":   "https://backend-3scale.apps.example.com",
		},
		ZyncSecret: {
			"SECRET_KEY_BASE": "g9x128", "ZYNC_AUTHENTICATION_TOKEN": "g10x32", "ZYNC_DATABASE_PASSWORD": "g11x32",
			"DATABASE_URL": "postgresql://zync:g11x32@zync-database:5432/zync_production",
		},
		SystemDatabaseSecret: {
			"DB_NAME": "system", "DB_USER": "mysql", "DB_PASSWORD": "g12x32", "DB_ROOT_PASSWORD": "g13x32",
			"URL": "mysql2://root:g13x32@system-mysql/system",
		},
		SystemRedisSecret: {"URL": "redis://system-redis:6379/1"},
		BackendRedisSecret: {
			"REDIS_STORAGE_URL": "redis://backend-redis:6379/0",
			"REDIS_QUEUES_URL":  "redis://backend-redis:6379/1",
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("a fresh install generates every value (-want +got):\n%s", diff)
	}
	if len(c.calls) != 13 {
		t.Errorf("generate called %d times, want 13", len(c.calls))
	}
}

func TestSecretValues(t *testing.T) {
	yes, no := true, false
	external := &appsv1alpha1.ExternalComponentsSpec{
		System:  &appsv1alpha1.ExternalSystemComponents{Database: &yes, Redis: &yes},
		Backend: &appsv1alpha1.ExternalBackendComponents{Redis: &yes},
		Zync:    &appsv1alpha1.ExternalZyncComponents{Database: &yes},
	}
	cases := map[string]struct {
		reason   string
		spec     appsv1alpha1.APIManagerSpec
		existing map[string]map[string][]byte
		// want lists the expected values of some Secrets (a nil map: the Secret must be absent).
		want      map[string]map[string]string
		wantCalls int
	}{
		"UserValuesWin": {
			reason: "existing keys are kept, derived keys follow the kept values, only missing keys are generated",
			existing: map[string]map[string][]byte{
				SystemMasterApicastSecret: {"ACCESS_TOKEN": []byte("mine")},
				SystemSMTPSecret:          {"address": []byte("smtp.example.com"), "from_address": []byte("noreply@example.com")},
				BackendListenerSecret:     {"route_endpoint": []byte("https://backend.example.org")},
			},
			want: map[string]map[string]string{
				SystemMasterApicastSecret: {
					"ACCESS_TOKEN":           "mine",
					"PROXY_CONFIGS_ENDPOINT": "http://mine@system-master:3000/master/api/proxy/configs",
				},
				SystemSMTPSecret: {
					"address": "smtp.example.com", "username": "", "password": "", "domain": "", "port": "",
					"authentication": "", "openssl.verify.mode": "", "from_address": "noreply@example.com",
				},
				BackendListenerSecret: {
					"service_endpoint": "http://backend-listener:3000",
					"route_endpoint":   "https://backend.example.org",
				},
			},
			wantCalls: 12,
		},
		"DerivedKeyOfTheUserKept": {
			reason: "a user's PROXY_CONFIGS_ENDPOINT is never rewritten, even if it disagrees with the token",
			existing: map[string]map[string][]byte{
				SystemMasterApicastSecret: {"PROXY_CONFIGS_ENDPOINT": []byte("http://other@system-master:3000/x")},
			},
			want: map[string]map[string]string{SystemMasterApicastSecret: {
				"ACCESS_TOKEN":           "g7x32",
				"PROXY_CONFIGS_ENDPOINT": "http://other@system-master:3000/x",
			}},
			wantCalls: 13,
		},
		"UnmanagedKeysLeftOut": {
			reason:   "keys the operator does not manage are not returned, so apply never touches them",
			existing: map[string]map[string][]byte{SystemRecaptchaSecret: {"NOTE": []byte("x"), "PUBLIC_KEY": []byte("pk")}},
			want: map[string]map[string]string{
				SystemRecaptchaSecret: {"PUBLIC_KEY": "pk", "PRIVATE_KEY": ""},
			},
			wantCalls: 13,
		},
		"TenantName": {
			reason: "the seed and backend route follow a custom tenant",
			spec:   appsv1alpha1.APIManagerSpec{TenantName: ptr.To("acme")},
			want: map[string]map[string]string{
				BackendListenerSecret: {
					"service_endpoint": "http://backend-listener:3000",
					"route_endpoint":   "https://backend-acme.apps.example.com",
				},
			},
			wantCalls: 13,
		},
		"ZyncDisabled": {
			reason:    "no zync Secret without zync",
			spec:      appsv1alpha1.APIManagerSpec{Zync: &appsv1alpha1.ZyncSpec{Enabled: &no}},
			want:      map[string]map[string]string{ZyncSecret: nil},
			wantCalls: 10,
		},
		"ExternalDatabases": {
			reason: "the user's connection Secrets are never generated; zync keeps the user's connection keys and TLS keys",
			spec:   appsv1alpha1.APIManagerSpec{ExternalComponents: external},
			existing: map[string]map[string][]byte{
				ZyncSecret:           {"DATABASE_URL": []byte("postgresql://u:p@db/zync"), "DB_SSL_CA": []byte("ca")},
				SystemDatabaseSecret: {"URL": []byte("mysql2://u:p@db/system")},
			},
			want: map[string]map[string]string{
				ZyncSecret: {
					"SECRET_KEY_BASE": "g9x128", "ZYNC_AUTHENTICATION_TOKEN": "g10x32",
					"DATABASE_URL": "postgresql://u:p@db/zync", "DB_SSL_CA": "ca",
				},
				SystemDatabaseSecret: nil,
				SystemRedisSecret:    nil,
				BackendRedisSecret:   nil,
			},
			wantCalls: 10,
		},
		"DeprecatedHighAvailability": {
			reason:    "highAvailability.enabled still marks the system database and the Redis instances external",
			spec:      appsv1alpha1.APIManagerSpec{HighAvailability: &appsv1alpha1.HighAvailabilitySpec{Enabled: true}},
			want:      map[string]map[string]string{SystemDatabaseSecret: nil, SystemRedisSecret: nil, BackendRedisSecret: nil},
			wantCalls: 11,
		},
		"InternalPostgreSQL": {
			reason: "spec.system.database.postgresql selects PostgreSQL, with a user of its own",
			spec: appsv1alpha1.APIManagerSpec{System: &appsv1alpha1.SystemSpec{
				DatabaseSpec: &appsv1alpha1.SystemDatabaseSpec{PostgreSQL: &appsv1alpha1.SystemPostgreSQLSpec{}},
			}},
			want: map[string]map[string]string{SystemDatabaseSecret: {
				"DB_NAME": "system", "DB_USER": "system", "DB_PASSWORD": "g12x32",
				"URL": "postgresql://system:g12x32@system-postgresql/system",
			}},
			wantCalls: 12,
		},
		"Escaping": {
			reason: "user passwords with URL characters are escaped in the derived URL",
			existing: map[string]map[string][]byte{
				SystemDatabaseSecret: {"DB_ROOT_PASSWORD": []byte("p@ss/w:rd")},
			},
			want: map[string]map[string]string{SystemDatabaseSecret: {
				"DB_NAME": "system", "DB_USER": "mysql", "DB_PASSWORD": "g12x32", "DB_ROOT_PASSWORD": "p@ss/w:rd",
				"URL": "mysql2://root:p%40ss%2Fw%3Ard@system-mysql/system",
			}},
			wantCalls: 12,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := &counter{}
			got := SecretValues(testAPIManager(tc.spec), tc.existing, c.generate)
			for secret, want := range tc.want {
				g, ok := got[secret]
				if want == nil {
					if ok {
						t.Errorf("%s: Secret %s generated: %v", tc.reason, secret, g)
					}
					continue
				}
				if diff := cmp.Diff(want, g); diff != "" {
					t.Errorf("%s: Secret %s (-want +got):\n%s", tc.reason, secret, diff)
				}
			}
			if len(c.calls) != tc.wantCalls {
				t.Errorf("%s: generate called %d times, want %d", tc.reason, len(c.calls), tc.wantCalls)
			}
		})
	}
}

func TestSecretValuesComplete(t *testing.T) {
	apim := testAPIManager(appsv1alpha1.APIManagerSpec{})
	first := SecretValues(apim, nil, (&counter{}).generate)
	existing := map[string]map[string][]byte{}
	for name, data := range first {
		existing[name] = map[string][]byte{}
		for k, v := range data {
			existing[name][k] = []byte(v)
		}
	}
	c := &counter{}
	again := SecretValues(apim, existing, c.generate)
	if len(c.calls) != 0 {
		t.Errorf("generate called %d times for complete Secrets, want 0", len(c.calls))
	}
	if diff := cmp.Diff(first, again); diff != "" {
		t.Errorf("a second pass changed values (-first +second):\n%s", diff)
	}
	if got := SecretValues(nil, existing, c.generate); got != nil {
		t.Errorf("SecretValues(nil) = %v, want nil", got)
	}
}

func TestSecretsRender(t *testing.T) {
	in := newTestInputs(appsv1alpha1.APIManagerSpec{})
	if got := Secrets(in); len(got) != 0 {
		t.Errorf("no values, no Secret: got %v", names(got))
	}
	in.SecretData = map[string]map[string]string{
		SystemSeedSecret:         {"MASTER_USER": "master"},
		BackendInternalAPISecret: {"username": "u", "password": "p"},
		"not-generated":          {"k": "v"},
	}
	objs := Secrets(in)
	if diff := cmp.Diff([]string{"Secret/system-seed", "Secret/backend-internal-api"}, names(objs)); diff != "" {
		t.Fatalf("only generated Secrets with values are rendered, in order (-want +got):\n%s", diff)
	}
	s := objs[1].(*corev1.Secret)
	if diff := cmp.Diff(map[string][]byte{"username": []byte("u"), "password": []byte("p")}, s.Data); diff != "" {
		t.Errorf("data (-want +got):\n%s", diff)
	}
	if s.Type != corev1.SecretTypeOpaque || s.Labels[LabelComponent] != ComponentBackend || s.Labels[LabelComponentElement] != "internal-api" {
		t.Errorf("type %q, labels %v", s.Type, s.Labels)
	}
	if Secrets(nil) != nil || Secrets(&Inputs{}) != nil {
		t.Error("Secrets of a nil input must be nil")
	}
}

func TestGeneratedSecretNames(t *testing.T) {
	yes, no := true, false
	got := GeneratedSecretNames(testAPIManager(appsv1alpha1.APIManagerSpec{
		Zync: &appsv1alpha1.ZyncSpec{Enabled: &no},
		ExternalComponents: &appsv1alpha1.ExternalComponentsSpec{
			System: &appsv1alpha1.ExternalSystemComponents{Database: &yes, Redis: &yes},
		},
	}))
	want := []string{
		SystemSeedSecret, SystemAppSecret, SystemEventsHookSecret, SystemMasterApicastSecret, SystemMemcacheSecret,
		SystemRecaptchaSecret, SystemSMTPSecret, BackendInternalAPISecret, BackendListenerSecret, BackendRedisSecret,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if GeneratedSecretNames(nil) != nil {
		t.Error("GeneratedSecretNames(nil) must be nil")
	}
}

// TestSecretValuesTakeOverOfAnInternalDatabase: the existing operator's system-database Secret of an
// internal database has DB_USER, DB_PASSWORD and URL; the database name and MySQL's root password
// live in the URL and are read from it rather than generated, and no existing value changes.
func TestSecretValuesTakeOverOfAnInternalDatabase(t *testing.T) {
	postgres := appsv1alpha1.APIManagerSpec{System: &appsv1alpha1.SystemSpec{DatabaseSpec: &appsv1alpha1.SystemDatabaseSpec{
		PostgreSQL: &appsv1alpha1.SystemPostgreSQLSpec{}}}}
	cases := map[string]struct {
		spec     appsv1alpha1.APIManagerSpec
		existing map[string][]byte
		want     map[string]string
	}{
		"MySQL": {
			existing: map[string][]byte{"DB_USER": []byte("mysql"), "DB_PASSWORD": []byte("userpw"),
				"URL": []byte("mysql2://root:rootpw@system-mysql/threescale")},
			want: map[string]string{"DB_USER": "mysql", "DB_PASSWORD": "userpw", "DB_NAME": "threescale",
				"DB_ROOT_PASSWORD": "rootpw", "URL": "mysql2://root:rootpw@system-mysql/threescale"},
		},
		"PostgreSQL": {
			spec: postgres,
			existing: map[string][]byte{"DB_USER": []byte("system"), "DB_PASSWORD": []byte("pgpw"),
				"URL": []byte("postgresql://system:pgpw@system-postgresql/system")},
			want: map[string]string{"DB_USER": "system", "DB_PASSWORD": "pgpw", "DB_NAME": "system",
				"URL": "postgresql://system:pgpw@system-postgresql/system"},
		},
		// The other Secrets are generated first (11 values).
		"MySQL URL not as root: a new root password": {
			existing: map[string][]byte{"DB_USER": []byte("mysql"), "DB_PASSWORD": []byte("userpw"),
				"URL": []byte("mysql2://mysql:userpw@system-mysql/system")},
			want: map[string]string{"DB_USER": "mysql", "DB_PASSWORD": "userpw", "DB_NAME": "system",
				"DB_ROOT_PASSWORD": "g12x32", "URL": "mysql2://mysql:userpw@system-mysql/system"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := &counter{}
			got := SecretValues(testAPIManager(tc.spec), map[string]map[string][]byte{SystemDatabaseSecret: tc.existing}, c.generate)
			if diff := cmp.Diff(tc.want, got[SystemDatabaseSecret]); diff != "" {
				t.Errorf("system-database (-want +got):\n%s", diff)
			}
			for k, v := range tc.existing {
				if got[SystemDatabaseSecret][k] != string(v) {
					t.Errorf("%s changed from %q to %q", k, v, got[SystemDatabaseSecret][k])
				}
			}
		})
	}
}
