package promote

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/threescale-oss/operator/pkg/threescale"
	"github.com/threescale-oss/operator/pkg/threescale/inmemory"
)

func ptr[T any](v T) *T { return &v }

// TestPromote runs promotions against the in-memory 3scale, whose configuration versions,
// deploy and promote behave as porta's: decisions and messages come from the versions.
func TestPromote(t *testing.T) {
	ctx := context.Background()
	srv, tn := inmemory.NewTestServer(t)
	c, err := threescale.New(tn.AdminURL, tn.Token, threescale.WithMetricsRegisterer(prometheus.NewRegistry()))
	if err != nil {
		t.Fatal(err)
	}
	product, err := c.CreateProduct(ctx, threescale.ProductParams{Name: ptr("Pets"), SystemName: ptr("pets")})
	if err != nil {
		t.Fatal(err)
	}

	// No backend: 3scale builds no configuration, which is said plainly.
	_, err = Promote(ctx, c, product.ID, true)
	var nothing *NothingDeployedError
	if !errors.As(err, &nothing) {
		t.Fatalf("promotion of a product without backend: %v, want *NothingDeployedError", err)
	}

	backend, err := c.CreateBackend(ctx, threescale.BackendParams{Name: ptr("Pets backend"), SystemName: ptr("pets_backend"), PrivateEndpoint: ptr("https://b.example.com")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateBackendUsage(ctx, product.ID, threescale.BackendUsageParams{BackendID: &backend.ID, Path: ptr("/")}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		production bool
		change     func()
		want       Result
		message    string
		writes     int
	}{
		{false, nil, Result{After: Versions{Staging: 1}},
			"deployed the product's configuration to staging as version 1", 1},
		{true, nil, Result{Before: Versions{Staging: 1}, After: Versions{Staging: 1, Production: 1}},
			"staging already holds the product's latest configuration (version 1); promoted version 1 to production", 2},
		{true, nil, Result{Before: Versions{Staging: 1, Production: 1}, After: Versions{Staging: 1, Production: 1}},
			"staging already holds the product's latest configuration (version 1); production already holds version 1", 1},
		{true, func() {
			if _, err := c.CreateProductMappingRule(ctx, product.ID, threescale.MappingRuleParams{HTTPMethod: ptr("GET"), Pattern: ptr("/x"), Delta: ptr(int64(1)), MetricID: ptr(productHits(t, c, product.ID))}); err != nil {
				t.Fatal(err)
			}
		}, Result{Before: Versions{Staging: 1, Production: 1}, After: Versions{Staging: 2, Production: 2}},
			"deployed the product's configuration to staging as version 2; promoted version 2 to production", 2},
	}
	for i, s := range steps {
		if s.change != nil {
			s.change()
		}
		srv.ResetCalls()
		got, err := Promote(ctx, c, product.ID, s.production)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if d := cmp.Diff(s.want, got); d != "" {
			t.Errorf("step %d: -want +got\n%s", i, d)
		}
		if m := got.Message(s.production); m != s.message {
			t.Errorf("step %d: message %q, want %q", i, m, s.message)
		}
		writes := 0
		for _, call := range srv.Calls() {
			if call.Method != "GET" {
				writes++
			}
		}
		if writes != s.writes {
			t.Errorf("step %d: %d writes, want %d", i, writes, s.writes)
		}
	}
}

func productHits(t *testing.T, c *threescale.Client, product int64) int64 {
	t.Helper()
	ms, err := c.ListProductMetrics(context.Background(), product)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.SystemName == "hits" {
			return m.ID
		}
	}
	t.Fatal("no hits metric")
	return 0
}
