// Package e2e drives the built operator binary the way a cluster runs it: against a real
// kube-apiserver, through its flags and environment, observed through its probes, metrics and Lease.
package e2e

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/threescale-oss/operator/pkg/apimanager/render"
	"github.com/threescale-oss/operator/pkg/version"
	"github.com/threescale-oss/operator/test/envtestutil"
)

var (
	env     *envtestutil.Env
	manager string // path of the operator binary built for this suite
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "manager-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	manager = filepath.Join(dir, "manager")
	build := exec.Command("go", "build", "-o", manager, ".")
	build.Dir = envtestutil.RepoRoot()
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "cannot build the operator: %v\n%s", err, out)
		return 1
	}
	env, err = envtestutil.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = env.Stop() }()
	return m.Run()
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	addr, err := envtestutil.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// kubectl runs kubectl and fails the test on error.
func kubectl(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	r := env.Run(stdin, args...)
	if r.Err != nil {
		t.Fatalf("kubectl %s: %v\n%s%s", strings.Join(args, " "), r.Err, r.Stdout, r.Stderr)
	}
	return r.Stdout
}

// logBuffer holds a process's output. Unlike a bare strings.Builder it may be read while the
// process writes (exec copies the output in its own goroutine).
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

// Write implements io.Writer.
func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns what was written so far.
func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startManager starts the operator binary and stops it (SIGTERM) when the test ends, checking that
// it exits cleanly.
func startManager(t *testing.T, watchNamespace string, args ...string) (*exec.Cmd, *logBuffer) {
	t.Helper()
	return startCommand(t, env.OperatorCommand(manager, watchNamespace, args...))
}

// startCommand starts cmd (the operator binary) with its output collected; stop it with stop.
func startCommand(t *testing.T, cmd *exec.Cmd) (*exec.Cmd, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, logs
}

func stop(t *testing.T, cmd *exec.Cmd, logs *logBuffer) {
	t.Helper()
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("the operator did not exit cleanly on SIGTERM: %v\n%s", err, logs)
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Errorf("the operator did not stop within 30s of SIGTERM\n%s", logs)
	}
}

// getUntil polls url until it answers 200 and returns the body.
func getUntil(t *testing.T, url string, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return string(body)
			}
			last = fmt.Sprintf("status %d: %s", resp.StatusCode, body)
		} else {
			last = err.Error()
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s did not answer 200 within %s; last: %s", url, timeout, last)
	return ""
}

func TestManagerServesProbesMetricsAndHoldsTheLease(t *testing.T) {
	ctx := context.Background()
	clientset := kubernetes.NewForConfigOrDie(env.Config)
	for _, ns := range []string{"operator-e2e", "team-a", "team-b"} {
		_, err := clientset.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
	}
	metricsAddr, probeAddr := freeAddr(t), freeAddr(t)
	cmd, logs := startManager(t, "team-a, team-b",
		"--leader-elect", "--leader-election-namespace=operator-e2e",
		"--metrics-bind-address="+metricsAddr, "--health-probe-bind-address="+probeAddr)

	if body := getUntil(t, "http://"+probeAddr+"/healthz", 60*time.Second); body != "ok" {
		t.Errorf("/healthz = %q, want ok", body)
	}
	getUntil(t, "http://"+probeAddr+"/readyz", 30*time.Second)

	var lease *coordinationv1.Lease
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		l, err := clientset.CoordinationV1().Leases("operator-e2e").Get(ctx, "82355b9c.3scale.net", metav1.GetOptions{})
		if err == nil && l.Spec.HolderIdentity != nil && *l.Spec.HolderIdentity != "" {
			lease = l
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if lease == nil {
		t.Fatalf("the operator did not take the leader election Lease within 60s\n%s", logs)
	}

	checkSecuredMetrics(t, clientset, "https://"+metricsAddr+"/metrics")
	stop(t, cmd, logs)
	if !strings.Contains(logs.String(), `"namespaces": ["team-a", "team-b"]`) && !strings.Contains(logs.String(), `"namespaces":["team-a","team-b"]`) {
		t.Errorf("the operator did not log the namespaces it watches from WATCH_NAMESPACE:\n%s", logs)
	}
	// LeaderElectionReleaseOnCancel: the Lease is released on shutdown so a new replica takes over at once.
	l, err := clientset.CoordinationV1().Leases("operator-e2e").Get(ctx, "82355b9c.3scale.net", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if l.Spec.HolderIdentity != nil && *l.Spec.HolderIdentity != "" {
		t.Errorf("the Lease is still held by %q after a clean shutdown", *l.Spec.HolderIdentity)
	}
}

// metricsReaderRole is the ClusterRole config/rbac grants scrapers (kustomize prefixes its name in
// config/default; the test applies the file as it is).
const metricsReaderRole = "metrics-reader"

// insecureClient scrapes the operator's metrics endpoint, which serves a self-signed certificate
// when given none; what is tested is who may read it.
var insecureClient = &http.Client{
	Timeout:   10 * time.Second,
	Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, //nolint:gosec // self-signed on loopback, see above
}

// scrape GETs url with the bearer token (none when empty) and returns the status and body; a
// transport error is status 0.
func scrape(url, token string) (int, string, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := insecureClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// serviceAccountToken creates the ServiceAccount namespace/name and returns a token for it, as a
// Prometheus pod would hold it (TokenRequest).
func serviceAccountToken(t *testing.T, clientset kubernetes.Interface, namespace, name string) string {
	t.Helper()
	ctx := context.Background()
	if _, err := clientset.CoreV1().ServiceAccounts(namespace).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	return tokenOf(t, clientset, namespace, name)
}

// tokenOf requests a token of the existing ServiceAccount namespace/name, as its pod would get.
func tokenOf(t *testing.T, clientset kubernetes.Interface, namespace, name string) string {
	t.Helper()
	tr, err := clientset.CoreV1().ServiceAccounts(namespace).CreateToken(context.Background(), name, &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("cannot request a token for the ServiceAccount %s/%s: %v", namespace, name, err)
	}
	return tr.Status.Token
}

// canGetMetrics asks the API server whether the ServiceAccount may get /metrics, the question the
// operator's metrics filter asks with a SubjectAccessReview.
func canGetMetrics(ctx context.Context, clientset kubernetes.Interface, namespace, name string) (bool, error) {
	sar, err := clientset.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User:                  "system:serviceaccount:" + namespace + ":" + name,
		Groups:                []string{"system:serviceaccounts", "system:serviceaccounts:" + namespace},
		NonResourceAttributes: &authorizationv1.NonResourceAttributes{Path: "/metrics", Verb: "get"},
	}}, metav1.CreateOptions{})
	if err != nil {
		return false, err
	}
	return sar.Status.Allowed, nil
}

// checkSecuredMetrics holds the metrics endpoint at url to what config/rbac promises: no token,
// 401; a token of a ServiceAccount bound to the metrics-reader ClusterRole, the metrics; a token
// of one that is not, 403.
func checkSecuredMetrics(t *testing.T, clientset kubernetes.Interface, url string) {
	t.Helper()
	ctx := context.Background()
	const ns = "operator-e2e"
	kubectl(t, "", "apply", "-f", filepath.Join(envtestutil.RepoRoot(), "config", "rbac", "metrics_reader_role.yaml"))
	allowed := serviceAccountToken(t, clientset, ns, "prometheus")
	denied := serviceAccountToken(t, clientset, ns, "not-a-scraper")
	_, err := clientset.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "prometheus-metrics-reader"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: metricsReaderRole},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "prometheus", Namespace: ns}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The binding reaches the API server's RBAC authorizer through its informers; wait for it so
	// the operator's filter never caches an early denial (30s) for the allowed token.
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := canGetMetrics(ctx, clientset, ns, "prometheus")
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the ServiceAccount bound to %s may not get /metrics after 30s", metricsReaderRole)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if ok, err := canGetMetrics(ctx, clientset, ns, "not-a-scraper"); err != nil || ok {
		t.Fatalf("a ServiceAccount without %s may get /metrics (allowed %v, error %v): the test would prove nothing", metricsReaderRole, ok, err)
	}

	// Wait for the endpoint to answer at all; an authorized scrape is then one request.
	var status int
	var body string
	deadline = time.Now().Add(30 * time.Second)
	for {
		status, body, err = scrape(url, allowed)
		if err == nil && status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("an authorized scrape of %s did not succeed within 30s: status %d, error %v\n%.500s", url, status, err, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, want := range []string{
		"leader_election_master_status",
		fmt.Sprintf(`%s{%s=%q,%s=%q} 1`, version.InfoMetricName, version.OperatorVersionLabel, version.Default,
			version.ThreescaleVersionLabel, render.MeteringComponentVersion),
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the authorized scrape lacks %s:\n%.3000s", want, body)
		}
	}

	if status, body, err := scrape(url, ""); err != nil || status != http.StatusUnauthorized {
		t.Errorf("a scrape without a token: status %d, error %v, want 401\n%.300s", status, err, body)
	}
	// controller-runtime's filter answers 500 "Authentication failed" when the TokenReview of a
	// malformed token reports an error, and 401 when it merely does not authenticate; both refuse.
	if status, body, err := scrape(url, "not-a-token"); err != nil || (status != http.StatusUnauthorized && status != http.StatusInternalServerError) || strings.Contains(body, version.InfoMetricName) {
		t.Errorf("a scrape with an invalid token: status %d, error %v, want 401 or 500 without metrics\n%.300s", status, err, body)
	}
	if status, body, err := scrape(url, denied); err != nil || status != http.StatusForbidden {
		t.Errorf("a scrape by a ServiceAccount without %s: status %d, error %v, want 403\n%.300s", metricsReaderRole, status, err, body)
	}
	// Plain HTTP on the HTTPS port gets no metrics either.
	if status, body, err := scrape(strings.Replace(url, "https://", "http://", 1), allowed); err == nil && status == http.StatusOK {
		t.Errorf("a plain-HTTP scrape of the secured endpoint answered 200:\n%.300s", body)
	}
}

// TestManagerServesPlainMetricsWhenNotSecure checks the local-use switch and the existing
// operator's --metrics-addr alias: --metrics-secure=false serves /metrics over HTTP to anyone.
func TestManagerServesPlainMetricsWhenNotSecure(t *testing.T) {
	metricsAddr := freeAddr(t)
	cmd, logs := startManager(t, "plain-metrics", "--metrics-secure=false", "--metrics-addr="+metricsAddr, "--health-probe-bind-address=0")
	defer stop(t, cmd, logs)
	metrics := getUntil(t, "http://"+metricsAddr+"/metrics", 60*time.Second)
	if !strings.Contains(metrics, version.InfoMetricName+"{") {
		t.Errorf("/metrics lacks %s:\n%.2000s", version.InfoMetricName, metrics)
	}
}

func TestManagerRejectsAnInvalidWatchNamespace(t *testing.T) {
	cmd, logs := startManager(t, "ok,Not_A_Namespace", "--metrics-bind-address=0", "--health-probe-bind-address=0")
	err := cmd.Wait()
	if err == nil {
		t.Fatalf("the operator started with an invalid WATCH_NAMESPACE\n%s", logs)
	}
	if !strings.Contains(logs.String(), `"Not_A_Namespace" is not a valid namespace name`) {
		t.Errorf("the error does not name the invalid namespace:\n%s", logs)
	}
}
