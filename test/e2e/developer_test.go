package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/threescale-oss/operator/pkg/threescale"
	"github.com/threescale-oss/operator/pkg/threescale/inmemory"
	"github.com/threescale-oss/operator/test/envtestutil"
)

// TestDeveloperSamples applies the sample DeveloperAccount (with its admin DeveloperUser) and the
// sample member DeveloperUser with the real binary, their password Secrets created last: `kubectl
// wait --for=condition=Ready` returns for all three, 3scale holds the account with both users, and
// `kubectl delete developeraccount` removes the account from 3scale and its DeveloperUser objects
// from the cluster. No line of the operator's output holds a password.
func TestDeveloperSamples(t *testing.T) {
	_, tenant := inmemory.NewTestServer(t, inmemory.WithLatency(5*time.Millisecond))

	const ns = "developers"
	const adminPassword, memberPassword = "Adm1n-pa55word", "Memb3r-pa55word"
	kubectl(t, "", "create", "namespace", ns)
	kubectl(t, "", "-n", ns, "create", "secret", "generic", "threescale-provider-account",
		"--from-literal=adminURL="+tenant.AdminURL, "--from-literal=token="+tenant.Token)

	cmd, logs := startManager(t, ns, "--metrics-bind-address=0", "--health-probe-bind-address=0")
	defer stop(t, cmd, logs)

	samples := filepath.Join(envtestutil.RepoRoot(), "config", "samples")
	for _, f := range []string{"capabilities_v1beta1_developeraccount.yaml", "capabilities_v1beta1_developeruser.yaml"} {
		kubectl(t, "", "-n", ns, "apply", "-f", filepath.Join(samples, f))
	}
	kubectl(t, "", "-n", ns, "create", "secret", "generic", "developeraccount1-admin-password", "--from-literal=password="+adminPassword)
	kubectl(t, "", "-n", ns, "create", "secret", "generic", "developeruser-member-password", "--from-literal=password="+memberPassword)
	for _, obj := range []string{"developeraccount/developeraccount1", "developeruser/developeruser-admin-sample", "developeruser/developeruser-member-sample"} {
		if r := env.Run("", "-n", ns, "wait", "--for=condition=Ready", obj, "--timeout=120s"); r.Err != nil {
			t.Fatalf("kubectl wait --for=condition=Ready %s: %v\n%s%s\noperator logs:\n%s", obj, r.Err, r.Stdout, r.Stderr, logs)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client, err := threescale.New(tenant.AdminURL, tenant.Token)
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := client.ListAccounts(ctx, threescale.AccountFilter{})
	if err != nil || len(accounts) != 1 || accounts[0].OrgName != "Ecorp" {
		t.Fatalf("accounts = %+v (err %v), want Ecorp", accounts, err)
	}
	users, err := client.ListUsers(ctx, accounts[0].ID, threescale.UserFilter{})
	if err != nil || len(users) != 2 {
		t.Fatalf("users = %+v (err %v), want the admin and the member", users, err)
	}
	for _, u := range users {
		if u.State != threescale.UserStateActive || (u.Username == "myusername2") != (u.Role == threescale.UserRoleAdmin) {
			t.Errorf("user %+v", u)
		}
	}

	kubectl(t, "", "-n", ns, "delete", "developeraccount", "developeraccount1", "--timeout=60s")
	if _, err := client.GetAccount(ctx, accounts[0].ID); !threescale.IsNotFound(err) {
		t.Errorf("after kubectl delete, the account is still in 3scale: %v\noperator logs:\n%s", err, logs)
	}
	waitFor(t, 60*time.Second, logs, func() error {
		if out := kubectl(t, "", "-n", ns, "get", "developerusers", "-o", "name"); strings.TrimSpace(out) != "" {
			return fmt.Errorf("DeveloperUsers still there: %s", out)
		}
		return nil
	})
	if !strings.Contains(logs.String(), "developeruser") {
		t.Fatalf("the operator logged nothing about DeveloperUsers, so the password check below checks nothing:\n%s", logs)
	}
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, adminPassword) || strings.Contains(line, memberPassword) {
			t.Errorf("the operator logged a password: %s", line)
		}
	}
}
