package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/threescale-oss/operator/pkg/threescale"
	"github.com/threescale-oss/operator/pkg/threescale/inmemory"
	"github.com/threescale-oss/operator/test/envtestutil"
)

// TestOpenAPISample applies the sample OpenAPI that reads its document from a Secret (the sample
// file's URL one is left out: tests use no network beyond loopback) with the real binary:
// `kubectl wait --for=condition=Ready` returns, 3scale holds the product with the document's
// mapping rule, and `kubectl delete` removes the product and the backend from 3scale.
func TestOpenAPISample(t *testing.T) {
	_, tenant := inmemory.NewTestServer(t, inmemory.WithLatency(5*time.Millisecond))

	const ns = "openapi"
	kubectl(t, "", "create", "namespace", ns)
	kubectl(t, "", "-n", ns, "create", "secret", "generic", "threescale-provider-account",
		"--from-literal=adminURL="+tenant.AdminURL, "--from-literal=token="+tenant.Token)

	cmd, logs := startManager(t, ns, "--metrics-bind-address=0", "--health-probe-bind-address=0")
	defer stop(t, cmd, logs)

	data, err := os.ReadFile(filepath.Join(envtestutil.RepoRoot(), "config", "samples", "capabilities_v1beta1_openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var docs []string
	for _, d := range strings.Split(string(data), "\n---\n") {
		if !strings.Contains(d, "url:") || strings.Contains(d, "kind: Secret") {
			docs = append(docs, d)
		}
	}
	kubectl(t, strings.Join(docs, "\n---\n"), "-n", ns, "apply", "-f", "-")
	if r := env.Run("", "-n", ns, "wait", "--for=condition=Ready", "openapi/openapi-from-secret", "--timeout=120s"); r.Err != nil {
		t.Fatalf("kubectl wait --for=condition=Ready: %v\n%s%s\noperator logs:\n%s", r.Err, r.Stdout, r.Stderr, logs)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client, err := threescale.New(tenant.AdminURL, tenant.Token)
	if err != nil {
		t.Fatal(err)
	}
	products, err := client.ListProducts(ctx)
	if err != nil || len(products) != 1 || products[0].SystemName != "someapi" {
		t.Fatalf("products = %+v (err %v), want someapi", products, err)
	}
	rules, err := client.ListProductMappingRules(ctx, products[0].ID)
	if err != nil || len(rules) != 1 || rules[0].HTTPMethod != "GET" || rules[0].Pattern != "/pet" {
		t.Fatalf("mapping rules = %+v (err %v), want GET /pet", rules, err)
	}

	kubectl(t, "", "-n", ns, "delete", "openapi", "openapi-from-secret", "--timeout=60s")
	products, err = client.ListProducts(ctx)
	backends, berr := client.ListBackends(ctx)
	if err != nil || berr != nil || len(products) != 0 || len(backends) != 0 {
		t.Errorf("after kubectl delete, 3scale holds products %+v and backends %+v (%v, %v)\noperator logs:\n%s", products, backends, err, berr, logs)
	}
}
