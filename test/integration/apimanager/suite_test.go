// Package apimanager runs the APIManager controller against a real kube-apiserver and etcd (envtest)
// with the prometheus-operator and Grafana CRDs installed, and checks what it writes.
//
// Two managers run. "kube" sees a plain Kubernetes cluster (Routes hidden from its discovery) and
// reconciles every APIManager without the openshiftLabel; "openshift" sees Routes but no
// GrafanaDashboard API (neither grafana-operator v5's nor v4's, unless a test shows it v4's) and
// reconciles the labelled ones. Each counts the requests it writes.
package apimanager

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/threescale-oss/operator/api"
	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
	"github.com/threescale-oss/operator/controllers"
	"github.com/threescale-oss/operator/controllers/apps"
	"github.com/threescale-oss/operator/pkg/apimanager/inputs"
	"github.com/threescale-oss/operator/test/envtestutil"
)

// openshiftLabel marks the APIManagers the "openshift" manager reconciles; set to unmanagedValue,
// no manager reconciles it (a take-over test builds another operator's installation first).
const (
	openshiftLabel = "test.3scale.net/cluster"
	unmanagedValue = "none"
)

// testApicastImage is set through RELATED_IMAGE_APICAST on the "kube" manager.
const testApicastImage = "registry.test/apicast:1"

var (
	env *envtestutil.Env
	// k8s is an uncached administrator client.
	k8s client.Client
	// kubeWrites and openshiftWrites record the writes of each manager.
	kubeWrites, openshiftWrites = &writeLog{}, &writeLog{}
	// openshiftMapper hides kinds from the "openshift" manager's API detection, openshiftAPIs.
	openshiftMapper *hidingMapper
	openshiftAPIs   *inputs.APIDetector
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var logs io.Writer = io.Discard
	if os.Getenv("TEST_VERBOSE") != "" {
		logs = os.Stderr
	}
	log.SetLogger(zap.New(zap.WriteTo(logs)))
	monitoring, err := envtestutil.MonitoringCRDs()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	env, err = envtestutil.Start(append(monitoring, filepath.Join("testdata", "crds"))...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = env.Stop() }()

	scheme := newScheme()
	if k8s, err = client.New(env.Config, client.Options{Scheme: scheme}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	for _, mc := range []managerConfig{
		{name: "kube", selector: openshiftLabel + " notin (true," + unmanagedValue + ")", hide: []schema.GroupVersionKind{inputs.RouteGVK}, writes: kubeWrites,
			environ: []string{"RELATED_IMAGE_APICAST=" + testApicastImage}},
		{name: "openshift", selector: openshiftLabel + "=true", writes: openshiftWrites,
			hide: []schema.GroupVersionKind{inputs.GrafanaDashboardGVK, inputs.GrafanaDashboardV4GVK}},
	} {
		if err := startManager(ctx, &wg, scheme, mc); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return m.Run()
}

// newScheme registers the built-in kinds and the operator's API, as main does: the monitoring
// kinds are not registered, so the controller handles them unstructured, as in production.
func newScheme() *runtime.Scheme {
	scheme, err := api.NewScheme()
	if err != nil {
		panic(err)
	}
	return scheme
}

type managerConfig struct {
	name     string
	selector string
	hide     []schema.GroupVersionKind
	writes   *writeLog
	environ  []string
}

func startManager(ctx context.Context, wg *sync.WaitGroup, scheme *runtime.Scheme, mc managerConfig) error {
	cfg := rest.CopyConfig(env.Config)
	cfg.Wrap(mc.writes.wrap)
	sel, err := labels.Parse(mc.selector)
	if err != nil {
		return err
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Cache:                  cache.Options{ByObject: cacheByObject(sel)},
		// Both managers run a controller named apimanager in this process.
		Controller: config.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		return fmt.Errorf("manager %s: %w", mc.name, err)
	}
	r := apps.NewAPIManagerReconciler(mgr, mc.environ)
	mapper := &hidingMapper{RESTMapper: mgr.GetRESTMapper()}
	mapper.hide(mc.hide...)
	r.APIs.Mapper = mapper
	if mc.name == "openshift" {
		openshiftMapper, openshiftAPIs = mapper, r.APIs
	}
	r.NotAvailableRequeue = 5 * time.Second
	if err := r.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("manager %s: %w", mc.name, err)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "manager %s: %v\n", mc.name, err)
		}
	}()
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		return fmt.Errorf("manager %s: cache did not sync", mc.name)
	}
	return nil
}

// hidingMapper makes kinds look unserved, as on a cluster without their CRDs.
type hidingMapper struct {
	meta.RESTMapper
	mu     sync.Mutex
	hidden map[schema.GroupKind]bool
}

// hide hides exactly the given kinds.
func (m *hidingMapper) hide(gvks ...schema.GroupVersionKind) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.hidden = map[schema.GroupKind]bool{}
	for _, gvk := range gvks {
		m.hidden[gvk.GroupKind()] = true
	}
}

func (m *hidingMapper) RESTMapping(gk schema.GroupKind, versions ...string) (*meta.RESTMapping, error) {
	m.mu.Lock()
	hidden := m.hidden[gk]
	m.mu.Unlock()
	if hidden {
		return nil, &meta.NoKindMatchError{GroupKind: gk, SearchedVersions: versions}
	}
	return m.RESTMapper.RESTMapping(gk, versions...)
}

// writeLog records the write requests a manager sends: every method but GET, except dry runs and
// the events and leases, which are not the platform's objects.
type writeLog struct {
	mu   sync.Mutex
	reqs []string
	// reads counts the GETs (reads and list/watch) the manager sends.
	reads int
}

func (w *writeLog) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripper(func(req *http.Request) (*http.Response, error) {
		if req.Method == http.MethodGet {
			w.mu.Lock()
			w.reads++
			w.mu.Unlock()
		}
		if req.Method != http.MethodGet && req.URL.Query().Get("dryRun") == "" &&
			!strings.Contains(req.URL.Path, "/events") && !strings.Contains(req.URL.Path, "/leases") {
			w.mu.Lock()
			w.reqs = append(w.reqs, req.Method+" "+req.URL.Path)
			w.mu.Unlock()
		}
		return rt.RoundTrip(req)
	})
}

// mark returns a position to pass to since.
func (w *writeLog) mark() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.reqs)
}

// readCount returns how many GETs the manager has sent.
func (w *writeLog) readCount() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.reads
}

// since returns the writes made to namespace ns after mark.
func (w *writeLog) since(mark int, ns string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, r := range w.reqs[mark:] {
		if strings.Contains(r, "/namespaces/"+ns+"/") {
			out = append(out, r)
		}
	}
	return out
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// controllerMetric sums a controller-runtime metric over the apimanager controllers.
func controllerMetric(name string) float64 {
	families, err := crmetrics.Registry.Gather()
	if err != nil {
		return -1
	}
	var sum float64
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			ours := false
			for _, l := range m.GetLabel() {
				if (l.GetName() == "controller" || l.GetName() == "name") && l.GetValue() == apps.APIManagerControllerName {
					ours = true
				}
			}
			if !ours {
				continue
			}
			switch {
			case m.Counter != nil:
				sum += m.Counter.GetValue()
			case m.Gauge != nil:
				sum += m.Gauge.GetValue()
			}
		}
	}
	return sum
}

// settle waits until the controllers are idle: nothing queued, nothing running, and no reconcile
// for a second.
func settle(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	last, since := controllerMetric("controller_runtime_reconcile_total"), time.Now()
	for time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		n := controllerMetric("controller_runtime_reconcile_total")
		busy := controllerMetric("workqueue_depth") > 0 || controllerMetric("controller_runtime_active_workers") > 0
		if n != last || busy {
			last, since = n, time.Now()
			continue
		}
		if time.Since(since) > time.Second {
			return
		}
	}
	t.Fatal("the controllers did not settle within 60s")
}

// reconciles returns how many reconciles have run so far.
func reconciles() float64 { return controllerMetric("controller_runtime_reconcile_total") }

// cacheByObject is the operator's own cache restriction (controllers.CacheByObject), plus a label
// selector on APIManagers so that each of the suite's managers sees only its own.
func cacheByObject(sel labels.Selector) map[client.Object]cache.ByObject {
	byObject := controllers.CacheByObject()
	byObject[&appsv1alpha1.APIManager{}] = cache.ByObject{Label: sel}
	return byObject
}
