// Package capabilities_test is the integration suite of the capability controllers: a real
// kube-apiserver and etcd (envtest), the in-memory 3scale, and the controllers running in a
// manager inside the test process. Each test gets its own namespace, 3scale server and manager.
package capabilities_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/threescale-oss/operator/api"
	"github.com/threescale-oss/operator/controllers/capabilities"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/tenant"
	"github.com/threescale-oss/operator/pkg/threescale"
	"github.com/threescale-oss/operator/pkg/threescale/inmemory"
	"github.com/threescale-oss/operator/test/envtestutil"
)

var (
	env    *envtestutil.Env
	k8s    client.Client
	scheme *runtime.Scheme
)

// timeout bounds every wait for the controllers.
const timeout = 30 * time.Second

// pollInterval is the controllers' poll interval in these tests: short, so that drift is reverted
// within a test's patience.
const pollInterval = time.Second

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var out io.Writer = io.Discard
	if os.Getenv("TEST_LOGS") != "" {
		out = os.Stderr
	}
	ctrl.SetLogger(zap.New(zap.WriteTo(out), zap.UseDevMode(true)))
	var err error
	if scheme, err = api.NewScheme(); err != nil {
		panic(err)
	}
	env, err = envtestutil.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = env.Stop() }()
	k8s, err = client.New(env.Config, client.Options{Scheme: scheme})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// A harness is one test's namespace, 3scale tenant and manager.
type harness struct {
	t      testing.TB
	ns     string
	srv    *inmemory.Server
	tenant inmemory.Tenant
	// tc is a 3scale client of the tenant, for assertions and for drift made by hand.
	tc *threescale.Client
	// setups are the controllers the managers of this harness run.
	setups []func(ctrl.Manager, capabilities.Options) error
	// waitInterval is the loop's retry delay of waiting objects.
	waitInterval time.Duration
	// pollInterval is the loop's poll interval.
	pollInterval time.Duration
	// reconcileTimeout is the loop's deadline of one reconcile (its default when zero).
	reconcileTimeout time.Duration
	// maxConcurrent is the workers per kind (the default when zero).
	maxConcurrent int
	// clientOptions are added to the 3scale clients' options.
	clientOptions []threescale.Option
	// namespaces are watched besides ns.
	namespaces []string
	// wrapTransport wraps the managers' transport to the API server, to count its requests.
	wrapTransport func(http.RoundTripper) http.RoundTripper
}

// newHarness creates a namespace, an in-memory 3scale with a tenant, and the
// threescale-provider-account Secret for it. It starts no manager.
func newHarness(t testing.TB, opts ...inmemory.Option) *harness {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "it-"}}
	if err := k8s.Create(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	srv, tn := inmemory.NewTestServer(t, opts...)
	tc, err := threescale.New(tn.AdminURL, tn.Token, threescale.WithMetricsRegisterer(prometheus.NewRegistry()))
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, ns: ns.Name, srv: srv, tenant: tn, tc: tc,
		setups:       []func(ctrl.Manager, capabilities.Options) error{capabilities.SetupBackend, capabilities.SetupProduct},
		waitInterval: 500 * time.Millisecond, pollInterval: pollInterval}
	h.create(&corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: tenant.DefaultSecretName},
		StringData: map[string]string{"adminURL": tn.AdminURL, "token": tn.Token},
	})
	return h
}

// startManager starts a manager running the harness's controllers on its namespace, and returns
// a function that stops it and waits until it has stopped (also run at the end of the test).
func (h *harness) startManager() (stop func()) {
	h.t.Helper()
	skip := true
	namespaces := map[string]cache.Config{h.ns: {}}
	for _, ns := range h.namespaces {
		namespaces[ns] = cache.Config{}
	}
	cfg := rest.CopyConfig(env.Config)
	cfg.WrapTransport = h.wrapTransport
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Cache:                  cache.Options{DefaultNamespaces: namespaces},
		// Every test runs its own manager with the same controller names.
		Controller: config.Controller{SkipNameValidation: &skip},
	})
	if err != nil {
		h.t.Fatal(err)
	}
	opts := capabilities.Options{
		Loop:                    external.Options{PollInterval: h.pollInterval, WaitInterval: h.waitInterval, ReconcileTimeout: h.reconcileTimeout},
		MaxConcurrentReconciles: h.maxConcurrent,
		Clients:                 &tenant.Clients{Options: append([]threescale.Option{threescale.WithMetricsRegisterer(prometheus.NewRegistry())}, h.clientOptions...)},
	}
	for _, setup := range h.setups {
		if err := setup(mgr, opts); err != nil {
			h.t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			h.t.Errorf("manager: %v", err)
		}
	}
	h.t.Cleanup(stop)
	return stop
}

func (h *harness) create(obj client.Object) {
	h.t.Helper()
	obj.SetNamespace(h.ns)
	if err := k8s.Create(context.Background(), obj); err != nil {
		h.t.Fatalf("create %T %s: %v", obj, obj.GetName(), err)
	}
}

// update re-reads obj, applies change, and writes it, retrying on conflicts.
func (h *harness) update(obj client.Object, change func()) {
	h.t.Helper()
	for range 10 {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
			h.t.Fatal(err)
		}
		change()
		err := k8s.Update(context.Background(), obj)
		if err == nil {
			return
		}
		if !apierrors.IsConflict(err) {
			h.t.Fatalf("update %s: %v", obj.GetName(), err)
		}
	}
	h.t.Fatalf("update %s: too many conflicts", obj.GetName())
}

func (h *harness) delete(obj client.Object) {
	h.t.Helper()
	if err := k8s.Delete(context.Background(), obj); err != nil {
		h.t.Fatalf("delete %s: %v", obj.GetName(), err)
	}
}

// eventually calls check until it returns nil, failing the test with its last error at timeout.
func (h *harness) eventually(what string, check func() error) {
	h.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("%s: not within %v: %v", what, timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// get re-reads obj.
func (h *harness) get(obj client.Object) error {
	return k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)
}

// conditionOf returns the condition of type t of obj's conditions, as "Status/Reason: message".
func conditionOf(conds []metav1.Condition, t string) (*metav1.Condition, string) {
	c := meta.FindStatusCondition(conds, t)
	if c == nil {
		return nil, t + " missing"
	}
	return c, fmt.Sprintf("%s=%s/%s gen %d: %s", t, c.Status, c.Reason, c.ObservedGeneration, c.Message)
}

// waitCondition waits until obj's condition t has status s (and, if reason is not empty, that
// reason) for obj's current generation, and returns it.
func (h *harness) waitCondition(obj client.Object, conds func() []metav1.Condition, t string, s metav1.ConditionStatus, reason string) *metav1.Condition {
	h.t.Helper()
	var found *metav1.Condition
	h.eventually(fmt.Sprintf("%s %s=%s", obj.GetName(), t, s), func() error {
		if err := h.get(obj); err != nil {
			return err
		}
		c, desc := conditionOf(conds(), t)
		if c == nil || c.Status != s || (reason != "" && c.Reason != reason) || c.ObservedGeneration != obj.GetGeneration() {
			return fmt.Errorf("generation %d, %s", obj.GetGeneration(), desc)
		}
		found = c
		return nil
	})
	return found
}

// waitGone waits until obj no longer exists.
func (h *harness) waitGone(obj client.Object) {
	h.t.Helper()
	h.eventually(obj.GetName()+" gone", func() error {
		err := h.get(obj)
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("still there (finalizers %v, err %v)", obj.GetFinalizers(), err)
	})
}

// events returns "Type Reason: note" of the events about the object named name, sorted.
func (h *harness) events(name string) []string {
	h.t.Helper()
	var list eventsv1.EventList
	if err := k8s.List(context.Background(), &list, client.InNamespace(h.ns)); err != nil {
		h.t.Fatal(err)
	}
	var out []string
	for _, e := range list.Items {
		if e.Regarding.Name == name {
			out = append(out, fmt.Sprintf("%s %s: %s", e.Type, e.Reason, e.Note))
		}
	}
	sort.Strings(out)
	return out
}

// waitEvent waits for an event about name whose text contains every part.
func (h *harness) waitEvent(name string, parts ...string) {
	h.t.Helper()
	h.eventually("event on "+name+" with "+strings.Join(parts, ", "), func() error {
		evs := h.events(name)
	next:
		for _, e := range evs {
			for _, p := range parts {
				if !strings.Contains(e, p) {
					continue next
				}
			}
			return nil
		}
		return fmt.Errorf("events: %q", evs)
	})
}

// writes returns the calls of the server log that are not reads.
func (h *harness) writes() []string {
	var out []string
	for _, c := range h.srv.Calls() {
		if c.Method != "GET" {
			out = append(out, c.Op)
		}
	}
	return out
}

// diff fails the test with a go-cmp diff when want and got differ.
func (h *harness) diff(what string, want, got any) {
	h.t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		h.t.Errorf("%s: -want, +got:\n%s", what, d)
	}
}

// newNamespace creates another namespace, watched by the harness's managers, and returns its name.
func (h *harness) newNamespace() string {
	h.t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "it-"}}
	if err := k8s.Create(context.Background(), ns); err != nil {
		h.t.Fatal(err)
	}
	h.namespaces = append(h.namespaces, ns.Name)
	return ns.Name
}

// createIn creates obj in namespace ns.
func (h *harness) createIn(ns string, obj client.Object) {
	h.t.Helper()
	obj.SetNamespace(ns)
	if err := k8s.Create(context.Background(), obj); err != nil {
		h.t.Fatalf("create %T %s/%s: %v", obj, ns, obj.GetName(), err)
	}
}

// eventsOf returns "Type Reason: note" of the events about obj, in its namespace.
func eventsOf(obj client.Object) []string {
	var list eventsv1.EventList
	if err := k8s.List(context.Background(), &list, client.InNamespace(obj.GetNamespace())); err != nil {
		return []string{err.Error()}
	}
	var out []string
	for _, e := range list.Items {
		if e.Regarding.Name == obj.GetName() {
			out = append(out, fmt.Sprintf("%s %s: %s", e.Type, e.Reason, e.Note))
		}
	}
	sort.Strings(out)
	return out
}
