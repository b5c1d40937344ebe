// Command demo runs the operator's main job on a local default: a local control plane (real
// kube-apiserver and etcd), the in-memory 3scale with one tenant, and the operator binary, then
// applies sample custom resources, waits for the conditions asked for, and prints what Kubernetes
// and 3scale hold. It cleans up every process it started, or keeps them running with --keep.
//
// Run it with `make demo` (which builds the control plane and the operator first).
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/threescale-oss/operator/pkg/threescale"
	"github.com/threescale-oss/operator/pkg/threescale/inmemory"
	"github.com/threescale-oss/operator/test/envtestutil"
)

const namespace = "demo"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
}

func run() error {
	manager := flag.String("manager", "bin/manager", "The operator binary to run.")
	samples := flag.String("samples", "config/samples/capabilities_v1beta1_backend.yaml,config/samples/capabilities_v1beta1_product.yaml,config/samples/capabilities_v1beta1_activedoc.yaml,config/samples/capabilities_v1beta1_custompolicydefinition.yaml,config/samples/capabilities_v1beta1_proxyconfigpromote.yaml,config/samples/capabilities_v1beta1_openapi.yaml,config/samples/capabilities_v1beta1_developeraccount.yaml,config/samples/capabilities_v1beta1_application.yaml,config/samples/capabilities_v1beta1_applicationauth.yaml,config/samples/capabilities_v1alpha1_tenant.yaml",
		"Comma-separated sample files to apply into the demo namespace.")
	waitFor := flag.String("wait", "backend/backend1=Synced,product/product1=Synced,activedoc/activedoc-from-secret=Ready,custompolicydefinition/custompolicydefinition-sample=Ready,proxyconfigpromote/proxyconfigpromote-sample=Ready,openapi/openapi-from-secret=Ready,developeraccount/developeraccount1=Ready,developeruser/developeruser-admin-sample=Ready,application/application-sample=Ready,applicationauth/applicationauth-sample=Ready,tenant/tenant-sample=Ready",
		"Comma-separated `kind/name=Condition` items to wait for, e.g. backend/backend1=Synced,product/product1=Synced.")
	timeout := flag.Duration("timeout", 2*time.Minute, "How long to wait for each condition.")
	latency := flag.Duration("latency", 20*time.Millisecond, "Latency the in-memory 3scale adds to every call, as a real one has.")
	keep := flag.Bool("keep", false, "Keep everything running after the demo, until interrupted.")
	flag.Parse()

	step("starting the local control plane (kube-apiserver + etcd)")
	cluster, err := envtestutil.Start()
	if err != nil {
		return err
	}
	defer func() { _ = cluster.Stop() }()

	step("starting the in-memory 3scale with tenant %q", namespace)
	threescaleServer := inmemory.New(inmemory.WithLatency(*latency))
	if err := threescaleServer.Start(); err != nil {
		return err
	}
	defer threescaleServer.Close()
	tenant, err := threescaleServer.CreateTenant(namespace)
	if err != nil {
		return err
	}
	fmt.Printf("  tenant admin URL: %s\n", tenant.AdminURL)

	step("creating namespace %q and the threescale-provider-account secret", namespace)
	if err := kubectl(cluster, "create", "namespace", namespace); err != nil {
		return err
	}
	if err := kubectl(cluster, "-n", namespace, "create", "secret", "generic", "threescale-provider-account",
		"--from-literal=adminURL="+tenant.AdminURL, "--from-literal=token="+tenant.Token); err != nil {
		return err
	}

	step("creating the Secrets the samples read: the master token, the new tenant's and the developer's admin passwords, and an empty Secret for the generated user key")
	for _, args := range [][]string{
		{"system-seed", "--from-literal=MASTER_ACCESS_TOKEN=" + threescaleServer.MasterToken()},
		{"ecorp-admin-secret", "--from-literal=admin_password=" + randomPassword()},
		{"developeraccount1-admin-password", "--from-literal=password=" + randomPassword()},
		{"application-sample-auth"},
	} {
		if err := kubectl(cluster, append([]string{"-n", namespace, "create", "secret", "generic"}, args...)...); err != nil {
			return err
		}
	}

	step("starting the operator (%s), watching namespace %q", *manager, namespace)
	stopOperator, err := startOperator(cluster, *manager)
	if err != nil {
		return err
	}
	defer stopOperator()

	for _, file := range splitList(*samples) {
		step("applying %s", file)
		manifests, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		// The Tenant sample names a master URL of its own: the in-memory 3scale's stands in.
		text := strings.ReplaceAll(string(manifests), sampleMasterURL, threescaleServer.MasterURL())
		if err := kubectlStdin(cluster, text, "-n", namespace, "apply", "-f", "-"); err != nil {
			return err
		}
	}
	for _, item := range splitList(*waitFor) {
		object, condition, ok := strings.Cut(item, "=")
		if !ok {
			return fmt.Errorf("--wait item %q is not kind/name=Condition", item)
		}
		step("waiting for %s to be %s", object, condition)
		if err := kubectl(cluster, "-n", namespace, "wait", "--for=condition="+condition, object, "--timeout="+timeout.String()); err != nil {
			return err
		}
	}

	step("what Kubernetes holds")
	_ = kubectl(cluster, "-n", namespace, "get", "backends.capabilities.3scale.net,products.capabilities.3scale.net,activedocs.capabilities.3scale.net,custompolicydefinitions.capabilities.3scale.net,proxyconfigpromotes.capabilities.3scale.net,openapis.capabilities.3scale.net", "-o", "wide")
	_ = kubectl(cluster, "-n", namespace, "get", "tenants.capabilities.3scale.net,developeraccounts.capabilities.3scale.net,developerusers.capabilities.3scale.net,applications.capabilities.3scale.net,applicationauths.capabilities.3scale.net", "-o", "wide")
	step("what 3scale holds")
	if err := printTenant(tenant); err != nil {
		return err
	}
	if err := printDevelopers(tenant); err != nil {
		return err
	}
	step("the tenants of the master account")
	if err := printMaster(threescaleServer); err != nil {
		return err
	}

	if *keep {
		fmt.Printf("\nEverything keeps running. Try:\n  kubectl --kubeconfig %s -n %s get products,backends\nInterrupt (Ctrl-C) to stop and clean up.\n", cluster.KubeconfigPath, namespace)
		signals := make(chan os.Signal, 1)
		signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
		<-signals
	}
	step("cleaning up")
	return nil
}

func step(format string, args ...any) {
	fmt.Printf("==> "+format+"\n", args...)
}

func splitList(s string) []string {
	var items []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			items = append(items, item)
		}
	}
	return items
}

// kubectl runs kubectl against the local control plane, printing its output.
func kubectl(cluster *envtestutil.Env, args ...string) error {
	r := cluster.Run("", args...)
	fmt.Print(indent(r.Stdout))
	if r.Err != nil {
		return fmt.Errorf("kubectl %s: %w\n%s", strings.Join(args, " "), r.Err, r.Stderr)
	}
	return nil
}

// kubectlStdin is kubectl with stdin.
func kubectlStdin(cluster *envtestutil.Env, stdin string, args ...string) error {
	r := cluster.Run(stdin, args...)
	fmt.Print(indent(r.Stdout))
	if r.Err != nil {
		return fmt.Errorf("kubectl %s: %w\n%s", strings.Join(args, " "), r.Err, r.Stderr)
	}
	return nil
}

// sampleMasterURL is the master URL the Tenant sample names.
const sampleMasterURL = "https://master.example.com"

// randomPassword returns a password the demo never prints.
func randomPassword() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func indent(s string) string {
	if s == "" {
		return ""
	}
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ") + "\n"
}

// startOperator runs the operator binary against the local control plane and waits until it is ready.
func startOperator(cluster *envtestutil.Env, manager string) (stop func(), err error) {
	probeAddr, err := envtestutil.FreeAddr()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(os.TempDir(), "threescale-operator-demo.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := cluster.OperatorCommand(manager, namespace, "--metrics-bind-address=0", "--health-probe-bind-address="+probeAddr)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, err
	}
	fmt.Printf("  operator logs: %s\n", logPath)
	stop = func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		logFile.Close()
	}
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + probeAddr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return stop, nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	stop()
	return nil, errors.New("the operator did not become ready within a minute; see " + logPath)
}

// printTenant lists the tenant's backends and products through the operator's own 3scale client.
func printTenant(tenant inmemory.Tenant) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client, err := threescale.New(tenant.AdminURL, tenant.Token)
	if err != nil {
		return err
	}
	backends, err := client.ListBackends(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("  %d backend(s)\n", len(backends))
	for _, b := range backends {
		fmt.Printf("    backend id=%d system_name=%s name=%q private_endpoint=%s\n", b.ID, b.SystemName, b.Name, b.PrivateEndpoint)
		metrics, err := client.ListBackendMetrics(ctx, b.ID)
		if err != nil {
			return err
		}
		names := map[int64]string{}
		for _, m := range metrics {
			names[m.ID] = threescale.TrimBackendMetricSuffix(m.SystemName, b.ID)
			kind := "metric"
			if m.ParentID != 0 {
				kind = "method"
			}
			fmt.Printf("      %s %s (%s)\n", kind, names[m.ID], m.FriendlyName)
		}
		rules, err := client.ListBackendMappingRules(ctx, b.ID)
		if err != nil {
			return err
		}
		for _, r := range rules {
			fmt.Printf("      mapping rule %s %s -> %s +%d\n", r.HTTPMethod, r.Pattern, names[r.MetricID], r.Delta)
		}
	}
	products, err := client.ListProducts(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("  %d product(s)\n", len(products))
	for _, p := range products {
		fmt.Printf("    product id=%d system_name=%s name=%q deployment=%s\n", p.ID, p.SystemName, p.Name, p.DeploymentOption)
		usages, err := client.ListBackendUsages(ctx, p.ID)
		if err != nil {
			return err
		}
		for _, u := range usages {
			fmt.Printf("      backend usage: backend id=%d at %s\n", u.BackendID, u.Path)
		}
		rules, err := client.ListProductMappingRules(ctx, p.ID)
		if err != nil {
			return err
		}
		for _, r := range rules {
			fmt.Printf("      mapping rule %s %s +%d\n", r.HTTPMethod, r.Pattern, r.Delta)
		}
		plans, err := client.ListApplicationPlans(ctx, p.ID)
		if err != nil {
			return err
		}
		for _, plan := range plans {
			limits, err := client.ListPlanLimits(ctx, plan.ID)
			if err != nil {
				return err
			}
			pricing, err := client.ListPlanPricingRules(ctx, plan.ID)
			if err != nil {
				return err
			}
			fmt.Printf("      application plan %s (%q, %s): %d limit(s), %d pricing rule(s)\n", plan.SystemName, plan.Name, plan.State, len(limits), len(pricing))
		}
		chain, err := client.GetPolicyChain(ctx, p.ID)
		if err != nil {
			return err
		}
		names := make([]string, len(chain))
		for i, pc := range chain {
			names[i] = pc.Name
		}
		fmt.Printf("      policy chain: %s\n", strings.Join(names, ", "))
		for _, env := range []string{threescale.EnvironmentSandbox, threescale.EnvironmentProduction} {
			version := "none"
			if pc, err := client.GetLatestProxyConfig(ctx, p.ID, env); err == nil {
				version = fmt.Sprint(pc.Version)
			} else if !threescale.IsNotFound(err) {
				return err
			}
			fmt.Printf("      APIcast configuration in %s: version %s\n", env, version)
		}
	}
	policies, err := client.ListCustomPolicies(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("  %d custom polic(ies) in the policy registry\n", len(policies))
	for _, cp := range policies {
		fmt.Printf("    custom policy id=%d %s %s\n", cp.ID, cp.Name, cp.Version)
	}
	docs, err := client.ListActiveDocs(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("  %d ActiveDoc(s)\n", len(docs))
	for _, d := range docs {
		product := "none"
		if d.ServiceID != nil {
			product = fmt.Sprint(*d.ServiceID)
		}
		fmt.Printf("    ActiveDoc id=%d system_name=%s name=%q published=%v product=%s body=%d bytes\n", d.ID, d.SystemName, d.Name, d.Published, product, len(d.Body))
	}
	return nil
}

// printDevelopers lists the tenant's developer accounts with their users and applications, and
// the applications' keys (in-memory 3scale: the keys are the demo's own).
func printDevelopers(tenant inmemory.Tenant) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client, err := threescale.New(tenant.AdminURL, tenant.Token)
	if err != nil {
		return err
	}
	accounts, err := client.ListAccounts(ctx, threescale.AccountFilter{})
	if err != nil {
		return err
	}
	fmt.Printf("  %d developer account(s)\n", len(accounts))
	for _, a := range accounts {
		fmt.Printf("    account id=%d org_name=%q state=%s\n", a.ID, a.OrgName, a.State)
		users, err := client.ListUsers(ctx, a.ID, threescale.UserFilter{})
		if err != nil {
			return err
		}
		for _, u := range users {
			fmt.Printf("      user id=%d username=%s role=%s state=%s\n", u.ID, u.Username, u.Role, u.State)
		}
		apps, err := client.ListAccountApplications(ctx, a.ID)
		if err != nil {
			return err
		}
		for _, app := range apps {
			fmt.Printf("      application id=%d name=%q plan id=%d state=%s user_key=%s\n", app.ID, app.Name, app.PlanID, app.State, app.UserKey)
		}
	}
	return nil
}

// printMaster lists the tenants of the master account: the default one and the one the Tenant
// sample created.
func printMaster(s *inmemory.Server) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client, err := threescale.New(s.MasterURL(), s.MasterToken())
	if err != nil {
		return err
	}
	tenants, err := client.ListAccounts(ctx, threescale.AccountFilter{})
	if err != nil {
		return err
	}
	fmt.Printf("  %d tenant(s)\n", len(tenants))
	for _, t := range tenants {
		fmt.Printf("    tenant id=%d org_name=%q state=%s admin_domain=%s\n", t.ID, t.OrgName, t.State, t.AdminDomain)
	}
	return nil
}
