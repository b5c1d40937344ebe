package e2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/threescale-oss/operator/pkg/threescale"
	"github.com/threescale-oss/operator/pkg/threescale/inmemory"
	"github.com/threescale-oss/operator/test/envtestutil"
)

// TestGuideTenantFlow is the guide's flow with the real binary and the samples: a Tenant creates a
// tenant through the master API and writes its Secret; a Backend and a Product are synced into
// that new tenant through the Secret (providerAccountRef); a DeveloperAccount with its admin
// DeveloperUser, an Application on the product's plan and an ApplicationAuth generating its user
// key all reach Ready (`kubectl wait`); rotating the key Secret changes the key in 3scale; deleting
// the account removes the account, its users and its application from 3scale. No line of the
// operator's output holds a password, a token or a key.
func TestGuideTenantFlow(t *testing.T) {
	srv, _ := inmemory.NewTestServer(t, inmemory.WithLatency(5*time.Millisecond))

	const ns = "guide"
	const tenantSecret = "ecorp-tenant-secret"
	const adminPassword, developerPassword = "T3nant-Adm1n-pa55", "Dev3loper-pa55word"
	kubectl(t, "", "create", "namespace", ns)
	kubectl(t, "", "-n", ns, "create", "secret", "generic", "system-seed", "--from-literal=MASTER_ACCESS_TOKEN="+srv.MasterToken())
	kubectl(t, "", "-n", ns, "create", "secret", "generic", "ecorp-admin-secret", "--from-literal=admin_password="+adminPassword)

	cmd, logs := startManager(t, ns, "--metrics-bind-address=0", "--health-probe-bind-address=0")
	defer stop(t, cmd, logs)
	wait := func(obj, condition string) {
		t.Helper()
		if r := env.Run("", "-n", ns, "wait", "--for=condition="+condition, obj, "--timeout=120s"); r.Err != nil {
			t.Fatalf("kubectl wait --for=condition=%s %s: %v\n%s%s\noperator logs:\n%s", condition, obj, r.Err, r.Stdout, r.Stderr, logs)
		}
	}

	// The Tenant sample, pointed at the in-memory master.
	tenantYAML := strings.Replace(sample(t, "capabilities_v1alpha1_tenant.yaml"), "https://master.example.com", srv.MasterURL(), 1)
	kubectl(t, tenantYAML, "-n", ns, "apply", "-f", "-")
	wait("tenant/tenant-sample", "Ready")
	adminURL := secretValue(t, ns, tenantSecret, "adminURL")
	token := secretValue(t, ns, tenantSecret, "token")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client, err := threescale.New(adminURL, token)
	if err != nil {
		t.Fatal(err)
	}

	// Every other sample into the new tenant, through its Secret.
	for _, f := range []string{"capabilities_v1beta1_backend.yaml", "capabilities_v1beta1_product.yaml", "capabilities_v1beta1_developeraccount.yaml", "capabilities_v1beta1_applicationauth.yaml"} {
		kubectl(t, withProviderAccount(sample(t, f), tenantSecret), "-n", ns, "apply", "-f", "-")
	}
	kubectl(t, sample(t, "capabilities_v1beta1_application.yaml"), "-n", ns, "apply", "-f", "-")
	kubectl(t, "", "-n", ns, "create", "secret", "generic", "developeraccount1-admin-password", "--from-literal=password="+developerPassword)
	kubectl(t, "", "-n", ns, "create", "secret", "generic", "application-sample-auth")
	wait("backend/backend1", "Synced")
	wait("product/product1", "Synced")
	for _, obj := range []string{"developeraccount/developeraccount1", "developeruser/developeruser-admin-sample", "application/application-sample", "applicationauth/applicationauth-sample"} {
		wait(obj, "Ready")
	}

	products, err := client.ListProducts(ctx)
	if err != nil || len(products) != 1 || products[0].SystemName != "operatedproduct1" {
		t.Fatalf("the new tenant's products = %+v (err %v), want the sample product", products, err)
	}
	accounts, err := client.ListAccounts(ctx, threescale.AccountFilter{})
	if err != nil || len(accounts) != 1 || accounts[0].OrgName != "Ecorp" {
		t.Fatalf("the new tenant's accounts = %+v (err %v), want Ecorp", accounts, err)
	}
	apps, err := client.ListAccountApplications(ctx, accounts[0].ID)
	if err != nil || len(apps) != 1 {
		t.Fatalf("applications of Ecorp = %+v (err %v), want one", apps, err)
	}
	generated := secretValue(t, ns, "application-sample-auth", "UserKey")
	if apps[0].UserKey != generated || len(generated) != 32 {
		t.Fatalf("3scale's user key is not the %d characters generated into the Secret", len(generated))
	}

	// Rotation: a new key in the Secret is the key in 3scale.
	const rotated = "rotated-user-key-0123456789abcdef"
	kubectl(t, "", "-n", ns, "patch", "secret", "application-sample-auth", "--type=merge", "-p", `{"stringData":{"UserKey":"`+rotated+`"}}`)
	waitFor(t, 60*time.Second, logs, func() error {
		app, err := client.GetApplication(ctx, accounts[0].ID, apps[0].ID)
		if err != nil {
			return err
		}
		if app.UserKey != rotated {
			return fmt.Errorf("3scale still holds the old user key")
		}
		return nil
	})

	// Deleting the account removes it, its users and its application from 3scale.
	kubectl(t, "", "-n", ns, "delete", "developeraccount", "developeraccount1", "--timeout=60s")
	if _, err := client.GetAccount(ctx, accounts[0].ID); !threescale.IsNotFound(err) {
		t.Errorf("after kubectl delete, the account is still in 3scale: %v", err)
	}
	if _, err := client.GetApplication(ctx, accounts[0].ID, apps[0].ID); !threescale.IsNotFound(err) {
		t.Errorf("after kubectl delete, the application is still in 3scale: %v", err)
	}
	waitFor(t, 60*time.Second, logs, func() error {
		if out := kubectl(t, "", "-n", ns, "get", "developerusers", "-o", "name"); strings.TrimSpace(out) != "" {
			return fmt.Errorf("DeveloperUsers still there: %s", out)
		}
		return nil
	})

	if !strings.Contains(logs.String(), "tenant") {
		t.Fatalf("the operator logged nothing about the Tenant, so the secrets check below checks nothing:\n%s", logs)
	}
	for _, line := range strings.Split(logs.String(), "\n") {
		for what, secret := range map[string]string{"admin password": adminPassword, "developer password": developerPassword, "master token": srv.MasterToken(), "tenant token": token, "user key": generated, "rotated user key": rotated} {
			if strings.Contains(line, secret) {
				t.Errorf("the operator logged the %s: %s", what, line)
			}
		}
	}
}

// sample returns the text of config/samples/name.
func sample(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(envtestutil.RepoRoot(), "config", "samples", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// withProviderAccount points every object of the manifests at the tenant of Secret secret.
func withProviderAccount(manifests, secret string) string {
	return strings.ReplaceAll(manifests, "\nspec:\n", "\nspec:\n  providerAccountRef:\n    name: "+secret+"\n")
}

// secretValue returns key of Secret name, failing the test when it is empty.
func secretValue(t *testing.T, ns, name, key string) string {
	t.Helper()
	out := kubectl(t, "", "-n", ns, "get", "secret", name, "-o", "jsonpath={.data."+key+"}")
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(out))
	v := string(b)
	if err != nil || v == "" {
		t.Fatalf("Secret %s/%s has no %s", ns, name, key)
	}
	return v
}
