package threescale

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/threescale-oss/operator/pkg/threescale/inmemory"
)

// testEnv is an in-memory 3scale with one tenant, a Client for that tenant and one for the
// master account, all stopped when the test ends.
type testEnv struct {
	srv    *inmemory.Server
	tenant inmemory.Tenant
	c      *Client // the tenant's
	master *Client
	// opts made the clients, for a test that makes another.
	opts []Option
}

func newTestEnv(t *testing.T, opts ...Option) *testEnv {
	t.Helper()
	srv, tenant := inmemory.NewTestServer(t)
	opts = append([]Option{WithMetricsRegisterer(prometheus.NewRegistry()), WithRetryPolicy(fastRetries)}, opts...)
	c, err := New(tenant.AdminURL, tenant.Token, opts...)
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(srv.MasterURL(), srv.MasterToken(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return &testEnv{srv: srv, tenant: tenant, c: c, master: m, opts: opts}
}

// check fails the test (without stopping it) when err is not nil, and says whether it was nil.
func check(t *testing.T, what string, err error) bool {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return false
	}
	return true
}

// result holds what a client method returned, so that need can check it in one expression:
// p := got(c.CreateProduct(ctx, params)).need(t, "create product").
type result[T any] struct {
	v   T
	err error
}

func got[T any](v T, err error) result[T] { return result[T]{v: v, err: err} }

// need stops the test when a prerequisite failed.
func (r result[T]) need(t *testing.T, what string) T {
	t.Helper()
	if r.err != nil {
		t.Fatalf("%s: %v", what, r.err)
	}
	return r.v
}

// findMetric returns the metric with a system name, or fails the test.
func findMetric(t *testing.T, metrics []Metric, systemName string) Metric {
	t.Helper()
	for _, m := range metrics {
		if m.SystemName == systemName {
			return m
		}
	}
	t.Fatalf("no metric %q among %d", systemName, len(metrics))
	return Metric{}
}
