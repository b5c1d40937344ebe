package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/threescale-oss/operator/pkg/threescale"
	"github.com/threescale-oss/operator/pkg/threescale/inmemory"
	"github.com/threescale-oss/operator/test/envtestutil"
)

// TestActiveDocSample applies the sample ActiveDoc (with the product1 sample it is bound to) with
// the real binary: `kubectl wait --for=condition=Ready` returns, 3scale holds the document bound
// to the product, and `kubectl delete` removes it from 3scale through the finalizer.
func TestActiveDocSample(t *testing.T) {
	_, tenant := inmemory.NewTestServer(t, inmemory.WithLatency(5*time.Millisecond))

	const ns = "activedoc"
	kubectl(t, "", "create", "namespace", ns)
	kubectl(t, "", "-n", ns, "create", "secret", "generic", "threescale-provider-account",
		"--from-literal=adminURL="+tenant.AdminURL, "--from-literal=token="+tenant.Token)

	cmd, logs := startManager(t, ns, "--metrics-bind-address=0", "--health-probe-bind-address=0")
	defer stop(t, cmd, logs)

	samples := filepath.Join(envtestutil.RepoRoot(), "config", "samples")
	for _, f := range []string{"capabilities_v1beta1_backend.yaml", "capabilities_v1beta1_product.yaml", "capabilities_v1beta1_activedoc.yaml"} {
		kubectl(t, "", "-n", ns, "apply", "-f", filepath.Join(samples, f))
	}
	if r := env.Run("", "-n", ns, "wait", "--for=condition=Ready", "activedoc/activedoc-from-secret", "--timeout=120s"); r.Err != nil {
		t.Fatalf("kubectl wait --for=condition=Ready: %v\n%s%s\noperator logs:\n%s", r.Err, r.Stdout, r.Stderr, logs)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client, err := threescale.New(tenant.AdminURL, tenant.Token)
	if err != nil {
		t.Fatal(err)
	}
	products, err := client.ListProducts(ctx)
	if err != nil || len(products) != 1 {
		t.Fatalf("products = %+v (err %v), want product1's", products, err)
	}
	docs, err := client.ListActiveDocs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || docs[0].SystemName != "petstore" || !docs[0].Published || docs[0].ServiceID == nil ||
		*docs[0].ServiceID != products[0].ID || !strings.Contains(docs[0].Body, "listPets") {
		t.Fatalf("ActiveDocs = %+v, want petstore bound to product %d", docs, products[0].ID)
	}

	kubectl(t, "", "-n", ns, "delete", "activedoc", "activedoc-from-secret", "--timeout=60s")
	if _, err := client.GetActiveDoc(ctx, docs[0].ID); !threescale.IsNotFound(err) {
		t.Errorf("after kubectl delete, the ActiveDoc is still in 3scale: %v\noperator logs:\n%s", err, logs)
	}
}
