package e2e

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/threescale-oss/operator/pkg/threescale"
	"github.com/threescale-oss/operator/pkg/threescale/inmemory"
	"github.com/threescale-oss/operator/test/envtestutil"
)

// TestQuickstart follows the capabilities quickstart of the 3scale operator documentation with the
// real binary, as a user does: create the threescale-provider-account secret, apply backend1 and
// product1, and `kubectl wait --for=condition=Synced` returns for both; 3scale then holds them.
func TestQuickstart(t *testing.T) {
	const ns = "quickstart"
	kubectl(t, "", "create", "namespace", ns)
	cmd, logs := startManager(t, ns, "--metrics-bind-address=0", "--health-probe-bind-address=0")
	defer stop(t, cmd, logs)
	tenant := quickstartIn(t, ns, logs)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client, err := threescale.New(tenant.AdminURL, tenant.Token)
	if err != nil {
		t.Fatal(err)
	}
	products, err := client.ListProducts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var productID int64
	for _, p := range products {
		if p.SystemName == "operatedproduct1" {
			productID = p.ID
		}
	}
	if productID == 0 {
		t.Fatalf("3scale holds no product operatedproduct1: %+v", products)
	}
	backends, err := client.ListBackends(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var backendID int64
	for _, b := range backends {
		if b.SystemName == "backend1" && b.PrivateEndpoint != "" {
			backendID = b.ID
		}
	}
	if backendID == 0 {
		t.Fatalf("3scale holds no backend backend1: %+v", backends)
	}
	usages, err := client.ListBackendUsages(ctx, productID)
	if err != nil {
		t.Fatal(err)
	}
	if len(usages) != 1 || usages[0].BackendID != backendID || usages[0].Path != "/" {
		t.Errorf("product1 backend usages = %+v, want backend1 at /", usages)
	}
}

// TestPromotionAndCustomPolicySamples applies the samples of the guide's "Promoting a product's
// APIcast configuration" and "Deploying 3scale CustomPolicyDefinition custom resources" with the
// real binary: `kubectl wait --for=condition=Ready` returns for both, and 3scale then holds the
// policy and the promoted configuration.
func TestPromotionAndCustomPolicySamples(t *testing.T) {
	_, tenant := inmemory.NewTestServer(t, inmemory.WithLatency(5*time.Millisecond))

	const ns = "promotion"
	kubectl(t, "", "create", "namespace", ns)
	kubectl(t, "", "-n", ns, "create", "secret", "generic", "threescale-provider-account",
		"--from-literal=adminURL="+tenant.AdminURL, "--from-literal=token="+tenant.Token)

	cmd, logs := startManager(t, ns, "--metrics-bind-address=0", "--health-probe-bind-address=0")
	defer stop(t, cmd, logs)

	samples := filepath.Join(envtestutil.RepoRoot(), "config", "samples")
	for _, f := range []string{"capabilities_v1beta1_backend.yaml", "capabilities_v1beta1_product.yaml",
		"capabilities_v1beta1_custompolicydefinition.yaml", "capabilities_v1beta1_proxyconfigpromote.yaml"} {
		kubectl(t, "", "-n", ns, "apply", "-f", filepath.Join(samples, f))
	}
	if r := env.Run("", "-n", ns, "wait", "--for=condition=Ready", "proxyconfigpromote/proxyconfigpromote-sample",
		"custompolicydefinition/custompolicydefinition-sample", "--timeout=120s"); r.Err != nil {
		t.Fatalf("kubectl wait --for=condition=Ready: %v\n%s%s\noperator logs:\n%s", r.Err, r.Stdout, r.Stderr, logs)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client, err := threescale.New(tenant.AdminURL, tenant.Token)
	if err != nil {
		t.Fatal(err)
	}
	policies, err := client.ListCustomPolicies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(policies) != 1 || policies[0].Name != "MyCustomPolicy" || policies[0].Version != "0.0.1" {
		t.Errorf("policy registry = %+v, want MyCustomPolicy 0.0.1", policies)
	}
	products, err := client.ListProducts(ctx)
	if err != nil || len(products) != 1 {
		t.Fatalf("products = %+v (err %v), want product1's", products, err)
	}
	production, err := client.GetLatestProxyConfig(ctx, products[0].ID, threescale.EnvironmentProduction)
	if err != nil {
		t.Fatalf("no production configuration after the promotion: %v", err)
	}
	staging, err := client.GetLatestProxyConfig(ctx, products[0].ID, threescale.EnvironmentSandbox)
	if err != nil || staging.Version != production.Version {
		t.Errorf("staging %+v (err %v), production version %d: want the same version", staging, err, production.Version)
	}
}
