package inputs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/threescale-oss/operator/pkg/apimanager/render"
)

// counter returns a deterministic generator: "r1", "r2", ... padded to n characters.
func counter() func(n int) string {
	i := 0
	return func(n int) string {
		i++
		s := fmt.Sprintf("r%d", i)
		return s + strings.Repeat("x", max(0, n-len(s)))
	}
}

func fakeReader(t *testing.T, objs ...client.Object) client.Reader {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	return fake.NewClientBuilder().WithScheme(scheme).WithObjects(objs...).Build()
}

type fixedAPIs struct {
	apis APIs
	err  error
}

func (f fixedAPIs) Detect() (APIs, error) { return f.apis, f.err }

func TestGatherGeneratesMissingSecretsOnly(t *testing.T) {
	apim := apiManager()
	userSeed := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "system-seed", Namespace: "threescale", ResourceVersion: "7"},
		Data: map[string][]byte{
			"MASTER_PASSWORD": []byte("chosen-by-the-user"),
			"UNMANAGED_KEY":   []byte("kept"),
		},
	}
	g := &Gatherer{
		Reader:   fakeReader(t, userSeed),
		APIs:     fixedAPIs{apis: APIs{PodMonitors: true, GrafanaDashboards: true}},
		ImageEnv: map[string]string{render.RelatedImageApicastEnv: "registry.local/apicast:1"},
		Generate: counter(),
	}
	got, err := g.Gather(context.Background(), apim)
	if err != nil {
		t.Fatal(err)
	}
	in := got.Inputs

	seed := in.SecretData["system-seed"]
	if seed["MASTER_PASSWORD"] != "chosen-by-the-user" {
		t.Errorf("MASTER_PASSWORD = %q: a user value must win", seed["MASTER_PASSWORD"])
	}
	if seed["ADMIN_PASSWORD"] == "" || seed["MASTER_ACCESS_TOKEN"] == "" {
		t.Errorf("missing keys were not generated: %v", seed)
	}
	if _, ok := seed["UNMANAGED_KEY"]; ok {
		t.Error("keys the operator does not manage must not be written back")
	}
	merged := map[string][]byte{"UNMANAGED_KEY": []byte("kept")}
	for k, v := range seed {
		merged[k] = []byte(v)
	}
	if diff := cmp.Diff(render.NewSecretInfo(merged), in.Secrets["system-seed"]); diff != "" {
		t.Errorf("the seed's info must describe its data after the apply (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"system-seed": "7"}, got.SecretVersions); diff != "" {
		t.Errorf("SecretVersions (-want +got):\n%s", diff)
	}
	if contains(got.Created, "system-seed") || !contains(got.Created, "system-app") {
		t.Errorf("Created = %v", got.Created)
	}
	if in.Images.Apicast != "registry.local/apicast:1" {
		t.Errorf("apicast image = %q", in.Images.Apicast)
	}
	if !in.PodMonitorAvailable || in.PrometheusRuleAvailable || !in.GrafanaDashboardAvailable || in.RoutesAvailable {
		t.Errorf("API flags not copied: %+v", got.Inputs)
	}

	// Every key any rendered pod requires is provided: the renderers and the generated Secrets
	// agree for an APIManager with internal databases.
	if missing := MissingSecrets(SecretReferences(render.All(in)), in.Secrets); len(missing) > 0 {
		t.Errorf("a default APIManager lacks nothing, got %q", missing)
	}
}

func TestGatherIsStableOnceSecretsExist(t *testing.T) {
	apim := apiManager()
	first, err := (&Gatherer{Reader: fakeReader(t), Generate: counter()}).Gather(context.Background(), apim)
	if err != nil {
		t.Fatal(err)
	}
	// The Secrets as the apply step writes them.
	var objs []client.Object
	for name, values := range first.Inputs.SecretData {
		s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: apim.Namespace}, Data: map[string][]byte{}}
		for k, v := range values {
			s.Data[k] = []byte(v)
		}
		objs = append(objs, s)
	}
	generated := 0
	second, err := (&Gatherer{Reader: fakeReader(t, objs...), Generate: func(n int) string {
		generated++
		return strings.Repeat("z", n)
	}}).Gather(context.Background(), apim)
	if err != nil {
		t.Fatal(err)
	}
	if generated != 0 {
		t.Errorf("%d values generated again", generated)
	}
	if diff := cmp.Diff(first.Inputs.SecretData, second.Inputs.SecretData); diff != "" {
		t.Errorf("values changed (-first +second):\n%s", diff)
	}
	if diff := cmp.Diff(first.Inputs.Secrets, second.Inputs.Secrets); diff != "" {
		t.Errorf("hashes changed, which would roll every pod (-first +second):\n%s", diff)
	}
	if len(second.Created) != 0 {
		t.Errorf("Created = %v", second.Created)
	}
}

func TestGatherExternalDatabases(t *testing.T) {
	apim := apiManager(external)
	redis := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "backend-redis", Namespace: "threescale"},
		Data:       map[string][]byte{"REDIS_STORAGE_URL": []byte("redis://r:6379/0")},
	}
	got, err := (&Gatherer{Reader: fakeReader(t, redis), Generate: counter()}).Gather(context.Background(), apim)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"system-database", "system-redis", "backend-redis"} {
		if _, ok := got.Inputs.SecretData[name]; ok {
			t.Errorf("user-provided Secret %s must never be generated", name)
		}
	}
	missing := MissingSecrets(SecretReferences(render.All(got.Inputs)), got.Inputs.Secrets)
	want := []string{
		`Secret "backend-redis" has no key "REDIS_QUEUES_URL"`,
		`Secret "system-database" not found`,
		`Secret "system-redis" not found`,
	}
	if diff := cmp.Diff(want, missing); diff != "" {
		t.Errorf("missing (-want +got):\n%s", diff)
	}
}

func TestGatherErrors(t *testing.T) {
	g := &Gatherer{Reader: fakeReader(t), APIs: fixedAPIs{err: errors.New("discovery down")}}
	if _, err := g.Gather(context.Background(), apiManager()); err == nil {
		t.Error("a discovery failure must be returned")
	}
	if _, err := (&Gatherer{Reader: fakeReader(t)}).Gather(context.Background(), nil); err == nil {
		t.Error("a nil APIManager must be an error")
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func TestImageEnv(t *testing.T) {
	got := ImageEnv([]string{"PATH=/bin", "RELATED_IMAGE_APICAST=a=b", "RELATED_IMAGE_ZYNC=", "NOEQUALS"})
	want := map[string]string{"RELATED_IMAGE_APICAST": "a=b", "RELATED_IMAGE_ZYNC": ""}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ImageEnv (-want +got):\n%s", diff)
	}
}

// countingMapper serves the given kinds and counts lookups.
type countingMapper struct {
	meta.RESTMapper
	lookups int
	err     error
}

func (m *countingMapper) RESTMapping(gk schema.GroupKind, versions ...string) (*meta.RESTMapping, error) {
	m.lookups++
	if m.err != nil {
		return nil, m.err
	}
	return m.RESTMapper.RESTMapping(gk, versions...)
}

func TestAPIDetector(t *testing.T) {
	rm := meta.NewDefaultRESTMapper(nil)
	rm.Add(PodMonitorGVK, meta.RESTScopeNamespace)
	rm.Add(RouteGVK, meta.RESTScopeNamespace)
	mapper := &countingMapper{RESTMapper: rm}
	now := time.Unix(0, 0)
	d := &APIDetector{Mapper: mapper, TTL: time.Minute, Now: func() time.Time { return now }}

	got, err := d.Detect()
	if err != nil {
		t.Fatal(err)
	}
	if want := (APIs{Routes: true, PodMonitors: true}); got != want {
		t.Errorf("Detect = %+v, want %+v", got, want)
	}
	if diff := cmp.Diff([]schema.GroupVersionKind{RouteGVK, PodMonitorGVK}, got.GVKs()); diff != "" {
		t.Errorf("GVKs (-want +got):\n%s", diff)
	}
	lookups := mapper.lookups

	now = now.Add(30 * time.Second)
	rm.Add(GrafanaDashboardGVK, meta.RESTScopeNamespace)
	if got, _ := d.Detect(); got.GrafanaDashboards || mapper.lookups != lookups {
		t.Errorf("within the TTL the cached answer is used: %+v after %d lookups", got, mapper.lookups-lookups)
	}
	now = now.Add(time.Minute)
	if got, _ := d.Detect(); !got.GrafanaDashboards {
		t.Error("after the TTL a newly served API is seen")
	}

	failing := &APIDetector{Mapper: &countingMapper{RESTMapper: rm, err: errors.New("boom")}}
	if _, err := failing.Detect(); err == nil {
		t.Error("a discovery error must be returned")
	}
}

func TestRandomAlphanumeric(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		s := RandomAlphanumeric(32)
		if len(s) != 32 {
			t.Fatalf("length %d", len(s))
		}
		for _, c := range s {
			if !strings.ContainsRune(alphanumeric, c) {
				t.Fatalf("%q has a character outside [A-Za-z0-9]", s)
			}
		}
		if seen[s] {
			t.Fatalf("%q drawn twice", s)
		}
		seen[s] = true
	}
	if RandomAlphanumeric(0) != "" {
		t.Error("n=0 must give an empty string")
	}
}

func TestRandomFromRejectsBiasedBytes(t *testing.T) {
	// 248..255 would make the first 8 characters more likely: they are skipped.
	r := strings.NewReader(string([]byte{255, 248, 0, 61, 62, 247, 1, 2, 3, 4, 5, 6, 7}))
	if got := randomFrom(r, 4); got != "A9A9" {
		t.Errorf("randomFrom = %q, want A9A9 (0→A, 61→9, 62→A, 247→9)", got)
	}
	if got := randomFrom(strings.NewReader("\x00"), 8); len(got) > 1 {
		t.Errorf("a failing reader cannot yield more than it gave: %q", got)
	}
}

func TestSecretReaderServesTheSnapshot(t *testing.T) {
	ctx := context.Background()
	seed := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "system-seed", Namespace: "threescale", ResourceVersion: "3"},
		Data: map[string][]byte{"A": []byte("1")}}
	other := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "unrelated", Namespace: "threescale"}}
	reader := fakeReader(t, seed, other)
	got, err := (&Gatherer{Reader: reader, Generate: counter()}).Gather(ctx, apiManager())
	if err != nil {
		t.Fatal(err)
	}
	// Changes after the gathering are not seen through the snapshot.
	seed.Data["A"] = []byte("2")
	if err := reader.(client.Client).Update(ctx, seed); err != nil {
		t.Fatal(err)
	}
	r := got.SecretReader(reader)

	var s corev1.Secret
	if err := r.Get(ctx, client.ObjectKey{Namespace: "threescale", Name: "system-seed"}, &s); err != nil {
		t.Fatal(err)
	}
	if string(s.Data["A"]) != "1" || s.ResourceVersion != "3" {
		t.Errorf("got %q at %s, want the snapshot", s.Data["A"], s.ResourceVersion)
	}
	s.Data["A"] = []byte("mutated")
	var again corev1.Secret
	_ = r.Get(ctx, client.ObjectKey{Namespace: "threescale", Name: "system-seed"}, &again)
	if string(again.Data["A"]) != "1" {
		t.Error("the snapshot must be copied out, not shared")
	}
	if err := r.Get(ctx, client.ObjectKey{Namespace: "threescale", Name: "system-app"}, &s); !apierrors.IsNotFound(err) {
		t.Errorf("a Secret read as absent: %v, want NotFound", err)
	}
	if err := r.Get(ctx, client.ObjectKey{Namespace: "threescale", Name: "unrelated"}, &s); err != nil {
		t.Errorf("other Secrets come from the next reader: %v", err)
	}
	if err := r.Get(ctx, client.ObjectKey{Namespace: "elsewhere", Name: "system-seed"}, &s); !apierrors.IsNotFound(err) {
		t.Errorf("another namespace is read from the next reader: %v", err)
	}
}
