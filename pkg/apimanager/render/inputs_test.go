package render

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

func TestHashSecretData(t *testing.T) {
	base := map[string][]byte{"a": []byte("1"), "b": []byte("2")}
	cases := map[string]struct {
		reason string
		data   map[string][]byte
		same   bool
	}{
		"SameData": {
			reason: "equal data hashes equally whatever the map",
			data:   map[string][]byte{"b": []byte("2"), "a": []byte("1")},
			same:   true,
		},
		"ChangedValue": {
			reason: "a changed value changes the hash",
			data:   map[string][]byte{"a": []byte("1"), "b": []byte("3")},
		},
		"AddedKey": {
			reason: "an added key changes the hash",
			data:   map[string][]byte{"a": []byte("1"), "b": []byte("2"), "c": nil},
		},
		"BytesMovedBetweenKeyAndValue": {
			reason: "length prefixes keep a=12 apart from a1=2",
			data:   map[string][]byte{"a1": []byte(""), "b": []byte("2")},
		},
		"Empty": {
			reason: "no data differs from some data",
			data:   nil,
		},
	}
	want := HashSecretData(base)
	if len(want) != 64 {
		t.Fatalf("HashSecretData returned %q, want 64 hex digits", want)
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := HashSecretData(tc.data)
			if (got == want) != tc.same {
				t.Errorf("%s: HashSecretData(%v) == HashSecretData(%v) is %v, want %v", tc.reason, tc.data, base, got == want, tc.same)
			}
		})
	}
}

func TestNewSecretInfo(t *testing.T) {
	data := map[string][]byte{"z.lua": []byte("x"), "a.lua": []byte("y")}
	want := SecretInfo{Hash: HashSecretData(data), Keys: []string{"a.lua", "z.lua"}}
	if diff := cmp.Diff(want, NewSecretInfo(data)); diff != "" {
		t.Errorf("NewSecretInfo (-want +got):\n%s", diff)
	}
}

func TestResolveImages(t *testing.T) {
	ptr := func(s string) *string { return &s }
	d := DefaultImages()
	cases := map[string]struct {
		reason string
		apim   *appsv1alpha1.APIManager
		env    map[string]string
		want   Images
	}{
		"Defaults": {
			reason: "no spec and no environment gives the defaults",
			apim:   &appsv1alpha1.APIManager{},
			want:   d,
		},
		"NilAPIManager": {
			reason: "a nil APIManager does not panic",
			want:   d,
		},
		"EnvironmentOverridesDefault": {
			reason: "RELATED_IMAGE_* variables replace the defaults; empty ones are ignored",
			apim:   &appsv1alpha1.APIManager{},
			env:    map[string]string{RelatedImageApicastEnv: "mirror/apicast:1", RelatedImageZyncEnv: "", RelatedImageOCCliEnv: "mirror/oc"},
			want: func() Images {
				i := d
				i.Apicast, i.OCCli = "mirror/apicast:1", "mirror/oc"
				return i
			}(),
		},
		"SpecOverridesEnvironment": {
			reason: "the spec's images win over the environment",
			apim: &appsv1alpha1.APIManager{Spec: appsv1alpha1.APIManagerSpec{
				Apicast: &appsv1alpha1.ApicastSpec{Image: ptr("spec/apicast")},
				Backend: &appsv1alpha1.BackendSpec{Image: ptr("spec/backend")},
				System: &appsv1alpha1.SystemSpec{Image: ptr("spec/system"), MemcachedImage: ptr("spec/memcached"),
					SearchdSpec: &appsv1alpha1.SystemSearchdSpec{Image: ptr("spec/searchd")}},
				Zync: &appsv1alpha1.ZyncSpec{Image: ptr("spec/zync"), PostgreSQLImage: ptr("spec/pg")},
			}},
			env: map[string]string{RelatedImageApicastEnv: "env/apicast", RelatedImageBackendRedisEnv: "env/redis"},
			want: func() Images {
				i := d
				i.Apicast, i.Backend, i.System, i.Memcached, i.Searchd = "spec/apicast", "spec/backend", "spec/system", "spec/memcached", "spec/searchd"
				i.Zync, i.ZyncPostgreSQL, i.BackendRedis = "spec/zync", "spec/pg", "env/redis"
				return i
			}(),
		},
		"InternalDatabaseImages": {
			reason: "the images of the internal databases come from the spec when it names them",
			apim: &appsv1alpha1.APIManager{Spec: appsv1alpha1.APIManagerSpec{
				Backend: &appsv1alpha1.BackendSpec{RedisImage: ptr("spec/backend-redis")},
				System: &appsv1alpha1.SystemSpec{RedisImage: ptr("spec/system-redis"), DatabaseSpec: &appsv1alpha1.SystemDatabaseSpec{
					MySQL:      &appsv1alpha1.SystemMySQLSpec{Image: ptr("spec/mysql")},
					PostgreSQL: &appsv1alpha1.SystemPostgreSQLSpec{Image: ptr("spec/postgresql")},
				}},
			}},
			env: map[string]string{RelatedImageBackendRedisEnv: "env/redis"},
			want: func() Images {
				i := d
				i.BackendRedis, i.SystemRedis, i.SystemMySQL, i.SystemPostgreSQL = "spec/backend-redis", "spec/system-redis", "spec/mysql", "spec/postgresql"
				return i
			}(),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, ResolveImages(tc.apim, tc.env)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}

// newTestInputs returns minimal inputs for unit tests.
func newTestInputs(spec appsv1alpha1.APIManagerSpec) *Inputs {
	spec.WildcardDomain = "apps.example.com"
	return &Inputs{
		APIManager: &appsv1alpha1.APIManager{
			ObjectMeta: metav1.ObjectMeta{Name: "example", Namespace: "ns"},
			Spec:       spec,
		},
		Images: DefaultImages(),
	}
}
