package product

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/threescale"
	"github.com/threescale-oss/operator/pkg/threescale/inmemory"
)

// ignoreRun compares operations by their data.
var ignoreRun = cmpopts.IgnoreFields(planning.Operation{}, "Run")

func ptr[T any](v T) *T { return &v }

// opsOf strips operations to their data.
func opsOf(ops []planning.Operation) []planning.Operation {
	out := make([]planning.Operation, 0, len(ops))
	for _, o := range ops {
		o.Run = nil
		out = append(out, o)
	}
	return out
}

// noSecrets is a SecretValue for resources that reference no Secret.
func noSecrets(_ context.Context, ref corev1.SecretReference, field, key string) (string, error) {
	return "", fmt.Errorf("unexpected read of key %q of Secret %s/%s (%s)", key, ref.Namespace, ref.Name, field)
}

// desiredOf builds the Desired of a Product with spec s in namespace "ns".
func desiredOf(t testing.TB, s capabilitiesv1beta1.ProductSpec, secret SecretValue) *Desired {
	t.Helper()
	if secret == nil {
		secret = noSecrets
	}
	p := &capabilitiesv1beta1.Product{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns"}, Spec: s}
	d, err := NewDesired(context.Background(), p, secret)
	if err != nil {
		t.Fatalf("NewDesired: %v", err)
	}
	return d
}

func raw(s string) *runtime.RawExtension { return &runtime.RawExtension{Raw: []byte(s)} }

// env is an in-memory 3scale with a client of its tenant.
type env struct {
	srv *inmemory.Server
	c   *threescale.Client
	// calls are those of the last syncStep's Sync.
	calls []inmemory.Call
}

func newEnv(tb testing.TB, opts ...inmemory.Option) *env {
	tb.Helper()
	srv, tenant := inmemory.NewTestServer(tb, opts...)
	c, err := threescale.New(tenant.AdminURL, tenant.Token, threescale.WithMetricsRegisterer(prometheus.NewRegistry()))
	if err != nil {
		tb.Fatal(err)
	}
	return &env{srv: srv, c: c}
}

// backend creates (or syncs) a backend with the shared planner, as the Backend controller does,
// and returns its ID.
func (e *env) backend(tb testing.TB, systemName string, d planning.Desired) int64 {
	tb.Helper()
	ctx := context.Background()
	bs, err := e.c.ListBackends(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	var id int64
	for _, b := range bs {
		if b.SystemName == systemName {
			id = b.ID
		}
	}
	if id == 0 {
		b, err := e.c.CreateBackend(ctx, threescale.BackendParams{Name: &systemName, SystemName: &systemName, PrivateEndpoint: ptr("https://" + systemName + ".example.com")})
		if err != nil {
			tb.Fatal(err)
		}
		id = b.ID
	}
	owner := planning.BackendOwner(id)
	metrics, err := e.c.ListBackendMetrics(ctx, id)
	if err != nil {
		tb.Fatal(err)
	}
	rules, err := e.c.ListBackendMappingRules(ctx, id)
	if err != nil {
		tb.Fatal(err)
	}
	ops, err := planning.PlanOwner(owner, d, planning.Observed{Metrics: metrics, MappingRules: rules})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := planning.Execute(ctx, e.c, ops); err != nil {
		tb.Fatal(err)
	}
	return id
}

// writes counts the calls that are not reads.
func writes(calls []inmemory.Call) int {
	n := 0
	for _, c := range calls {
		if c.Method != "GET" {
			n++
		}
	}
	return n
}

// readsByOp counts the reads of each operation.
func readsByOp(calls []inmemory.Call) map[string]int {
	out := map[string]int{}
	for _, c := range calls {
		if c.Method == "GET" {
			out[c.Op]++
		}
	}
	return out
}

type corev1SecretRef = corev1.SecretReference
type corev1SecretRefNS = corev1.SecretReference

func itoa(i int64) string { return fmt.Sprint(i) }

// namespaceOr is ns, or "ns" (the test products' namespace) when empty.
func namespaceOr(ns string) string {
	if ns == "" {
		return "ns"
	}
	return ns
}
