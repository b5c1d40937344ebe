package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/threescale-oss/operator/pkg/threescale/inmemory"
	"github.com/threescale-oss/operator/test/envtestutil"
)

// The names config/default gives the operator's namespace, ServiceAccount and role.
const (
	installNamespace = "threescale-operator-system"
	installAccount   = "threescale-operator-controller-manager"
	installRole      = "threescale-operator-manager-role"
)

// TestInstallWithTheOperatorsOwnPermissions installs config/default as a user does
// (`kubectl apply --server-side -k`), then runs the operator binary with the identity of the
// ServiceAccount that install created (a token of it in its kubeconfig), in each watch mode: its
// own namespace (the install's default, with the sample APIManager and the capabilities
// quickstart), a list of namespaces (a RoleBinding of the manager role in each, as the
// documentation says) and every namespace (a ClusterRoleBinding). A rule missing from the RBAC
// fails here, with the operator's "forbidden" in the logs, not in a user's cluster.
func TestInstallWithTheOperatorsOwnPermissions(t *testing.T) {
	root := envtestutil.RepoRoot()
	kubectl(t, "", "apply", "--server-side", "--force-conflicts", "-k", filepath.Join(root, "config", "default"))
	checkNarrowRBAC(t)
	kubeconfig := serviceAccountKubeconfig(t)

	t.Run("OwnNamespace", func(t *testing.T) {
		cmd, logs := startAs(t, kubeconfig, installNamespace)
		defer stop(t, cmd, logs)
		quickstartIn(t, installNamespace, logs)
		kubectl(t, sampleAPIManager(t, "apimanager-sample"), "apply", "-n", installNamespace, "-f", "-")
		waitFor(t, 90*time.Second, logs, func() error {
			out := env.Run("", "get", "-n", installNamespace, "deployments,services,configmaps,secrets,ingresses,jobs,persistentvolumeclaims", "-o", "name")
			if out.Err != nil {
				return fmt.Errorf("%v: %s", out.Err, out.Stderr)
			}
			for _, want := range []string{"deployment.apps/apicast-production", "deployment.apps/backend-listener", "service/system-master",
				"secret/system-seed", "ingress.networking.k8s.io/backend", "job.batch/system-app-pre", "persistentvolumeclaim/system-storage"} {
				if !strings.Contains(out.Stdout, want) {
					return fmt.Errorf("%s not created yet; have:\n%s", want, out.Stdout)
				}
			}
			return nil
		})
		kubectl(t, "", "wait", "-n", installNamespace, "--for=condition=SecretsAvailable", "--timeout=60s", "apimanager/apimanager-sample")
		noForbidden(t, logs)
	})

	t.Run("MultiNamespace", func(t *testing.T) {
		namespaces := []string{"install-list-a", "install-list-b"}
		for _, ns := range namespaces {
			kubectl(t, "", "create", "namespace", ns)
			kubectl(t, "", "create", "rolebinding", "threescale-operator", "-n", ns, "--clusterrole="+installRole,
				"--serviceaccount="+installNamespace+":"+installAccount)
		}
		cmd, logs := startAs(t, kubeconfig, strings.Join(namespaces, ","))
		defer stop(t, cmd, logs)
		for _, ns := range namespaces {
			quickstartIn(t, ns, logs)
		}
		noForbidden(t, logs)
	})

	t.Run("AllNamespaces", func(t *testing.T) {
		kubectl(t, "", "create", "clusterrolebinding", "threescale-operator-all-namespaces", "--clusterrole="+installRole,
			"--serviceaccount="+installNamespace+":"+installAccount)
		const ns = "install-any"
		kubectl(t, "", "create", "namespace", ns)
		cmd, logs := startAs(t, kubeconfig, "")
		defer stop(t, cmd, logs)
		quickstartIn(t, ns, logs)
		noForbidden(t, logs)
	})
}

// checkNarrowRBAC checks what the install grants: no wildcard verb, resource or API group in any
// role it made, and the manager role bound in the operator's namespace only (watching more is the
// user's decision, a binding they add), so that Secrets are readable there and nowhere else.
func checkNarrowRBAC(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	clientset := kubernetes.NewForConfigOrDie(env.Config)
	roles, err := clientset.RbacV1().ClusterRoles().List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/name=threescale-operator"})
	if err != nil {
		t.Fatal(err)
	}
	if len(roles.Items) == 0 {
		t.Fatal("the install made no ClusterRole labelled app.kubernetes.io/name=threescale-operator")
	}
	for _, role := range roles.Items {
		for _, rule := range role.Rules {
			for _, v := range append(append(append([]string{}, rule.Verbs...), rule.Resources...), rule.APIGroups...) {
				if v == "*" {
					t.Errorf("ClusterRole %s grants a wildcard: %+v", role.Name, rule)
				}
			}
		}
	}
	bindings, err := clientset.RbacV1().ClusterRoleBindings().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bindings.Items {
		if b.RoleRef.Name == installRole {
			t.Errorf("the install binds %s cluster-wide (ClusterRoleBinding %s): it must be bound in the operator's namespace only", installRole, b.Name)
		}
	}
	if _, err := clientset.RbacV1().RoleBindings(installNamespace).Get(ctx, "threescale-operator-manager-rolebinding", metav1.GetOptions{}); err != nil {
		t.Errorf("the manager role's RoleBinding in %s: %v", installNamespace, err)
	}
}

// serviceAccountKubeconfig writes a kubeconfig that authenticates as the install's ServiceAccount,
// with a token of it, as its pod would.
func serviceAccountKubeconfig(t *testing.T) string {
	t.Helper()
	token := tokenOf(t, kubernetes.NewForConfigOrDie(env.Config), installNamespace, installAccount)
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["envtest"] = &clientcmdapi.Cluster{Server: env.Config.Host, CertificateAuthorityData: env.Config.CAData}
	cfg.AuthInfos[installAccount] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts["operator"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: installAccount}
	cfg.CurrentContext = "operator"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// startAs starts the operator binary with kubeconfig and watchNamespace, electing its leader in
// the install's namespace as its pod does; stop it with stop.
func startAs(t *testing.T, kubeconfig, watchNamespace string) (*exec.Cmd, *logBuffer) {
	t.Helper()
	cmd := env.OperatorCommand(manager, watchNamespace, "--leader-elect", "--leader-election-namespace="+installNamespace,
		"--metrics-bind-address=0", "--health-probe-bind-address=0")
	cmd.Env = append(cmd.Env, "KUBECONFIG="+kubeconfig) // the last value of a variable wins
	return startCommand(t, cmd)
}

// quickstartIn follows the capabilities quickstart in ns against a new in-memory tenant, which it
// returns: a tenant Secret, backend1 and product1, and `kubectl wait --for=condition=Synced`.
func quickstartIn(t *testing.T, ns string, logs *logBuffer) inmemory.Tenant {
	t.Helper()
	_, tenant := inmemory.NewTestServer(t, inmemory.WithLatency(5*time.Millisecond))
	kubectl(t, "", "-n", ns, "create", "secret", "generic", "threescale-provider-account",
		"--from-literal=adminURL="+tenant.AdminURL, "--from-literal=token="+tenant.Token)
	kubectl(t, "", "-n", ns, "apply", "-f", filepath.Join(envtestutil.RepoRoot(), "test", "api", "testdata", "valid", "product-quickstart.yaml"))
	if r := env.Run("", "-n", ns, "wait", "--for=condition=Synced", "backend/backend1", "product/product1", "--timeout=120s"); r.Err != nil {
		t.Fatalf("kubectl wait --for=condition=Synced in %s: %v\n%s%s\noperator logs:\n%s", ns, r.Err, r.Stdout, r.Stderr, logs)
	}
	return tenant
}

// noForbidden fails when the API server refused the operator anything.
func noForbidden(t *testing.T, logs *logBuffer) {
	t.Helper()
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "forbidden") {
			t.Errorf("the operator was refused something by its RBAC: %s", line)
		}
	}
}
