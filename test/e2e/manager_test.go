// Package e2e drives the built operator binary the way a cluster runs it: against a real
// kube-apiserver, through its flags and environment, observed through its probes, metrics and Lease.
package e2e

import (
	"context"
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

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

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
	cmd := env.OperatorCommand(manager, watchNamespace, args...)
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

	metrics := getUntil(t, "http://"+metricsAddr+"/metrics", 30*time.Second)
	if !strings.Contains(metrics, "leader_election_master_status") {
		t.Errorf("/metrics lacks leader_election_master_status:\n%.2000s", metrics)
	}
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
