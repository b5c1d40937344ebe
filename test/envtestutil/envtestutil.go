// Package envtestutil starts the local control plane (a real kube-apiserver and etcd built by hack/)
// with the operator's CRDs installed, for the suites under test/ and the local demo, and runs
// kubectl and the operator binary against it.
package envtestutil

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// An Env is a running control plane and a kubeconfig for kubectl.
type Env struct {
	// Config reaches the API server as a cluster administrator.
	Config *rest.Config
	// KubeconfigPath is a kubeconfig file for the same administrator.
	KubeconfigPath string
	// Kubectl is the path of the kubectl binary built with the control plane.
	Kubectl string

	env *envtest.Environment
	dir string
}

// RepoRoot returns the repository's root folder, found from this source file's location so tests in
// any package agree on it.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Assets returns the folder holding kube-apiserver, etcd and kubectl, from KUBEBUILDER_ASSETS (which
// `make test` sets by running hack/build-controlplane.sh).
func Assets() (string, error) {
	dir := os.Getenv("KUBEBUILDER_ASSETS")
	if dir == "" {
		return "", errors.New("KUBEBUILDER_ASSETS is not set: run the tests with `make test`, or set it to the output of `make -s print-envtest-assets`")
	}
	for _, bin := range []string{"kube-apiserver", "etcd", "kubectl"} {
		if _, err := os.Stat(filepath.Join(dir, bin)); err != nil {
			return "", fmt.Errorf("KUBEBUILDER_ASSETS=%s lacks %s: %w", dir, bin, err)
		}
	}
	return dir, nil
}

// Start starts a control plane with every CRD of config/crd/bases installed (and any extra CRD
// folders), and writes an administrator kubeconfig.
func Start(extraCRDDirs ...string) (*Env, error) {
	assets, err := Assets()
	if err != nil {
		return nil, err
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     append([]string{filepath.Join(RepoRoot(), "config", "crd", "bases")}, extraCRDDirs...),
		ErrorIfCRDPathMissing: true,
	}
	cfg, err := env.Start()
	if err != nil {
		return nil, fmt.Errorf("cannot start the control plane: %w", err)
	}
	e := &Env{Config: cfg, Kubectl: filepath.Join(assets, "kubectl"), env: env}
	if err := e.writeKubeconfig(); err != nil {
		_ = e.Stop()
		return nil, err
	}
	return e, nil
}

func (e *Env) writeKubeconfig() error {
	user, err := e.env.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return fmt.Errorf("cannot add the admin user: %w", err)
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		return fmt.Errorf("cannot render the kubeconfig: %w", err)
	}
	e.dir, err = os.MkdirTemp("", "envtest-kubeconfig-")
	if err != nil {
		return err
	}
	e.KubeconfigPath = filepath.Join(e.dir, "kubeconfig")
	return os.WriteFile(e.KubeconfigPath, kubeconfig, 0o600)
}

// Stop stops the control plane and removes the kubeconfig.
func (e *Env) Stop() error {
	if e.dir != "" {
		_ = os.RemoveAll(e.dir)
	}
	return e.env.Stop()
}

// KubectlResult is what one kubectl run printed.
type KubectlResult struct {
	Stdout, Stderr string
	Err            error
}

// Run runs kubectl with the administrator kubeconfig and the given standard input (may be empty).
func (e *Env) Run(stdin string, args ...string) KubectlResult {
	cmd := exec.Command(e.Kubectl, append([]string{"--kubeconfig", e.KubeconfigPath}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return KubectlResult{Stdout: stdout.String(), Stderr: stderr.String(), Err: err}
}

// OperatorCommand returns the command that runs the operator binary against the control plane as
// a cluster runs it: with the administrator kubeconfig, watching watchNamespace (WATCH_NAMESPACE:
// one namespace or a comma-separated list), with args as flags.
func (e *Env) OperatorCommand(binary, watchNamespace string, args ...string) *exec.Cmd {
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+e.KubeconfigPath, "WATCH_NAMESPACE="+watchNamespace)
	return cmd
}

// FreeAddr returns a loopback address with a port that was free a moment ago, for a listener of a
// process the caller starts (the operator's probes and metrics).
func FreeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
