package capabilities_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/threescale/inmemory"
)

// The shape of issue 4's cost figures: a Product using 10 Backends, each with 20 metrics, 20
// methods and 50 mapping rules, and 5 application plans with 20 limits each.
const (
	benchBackends       = 10
	benchMetrics        = 20
	benchMethods        = 20
	benchRules          = 50
	benchPlans          = 5
	benchLimitsPerPlan  = 20
	benchProductMethods = 5
	benchProductRules   = 10
)

// benchLatency is what the in-memory 3scale adds to every call: a fast real 3scale.
const benchLatency = 20 * time.Millisecond

func benchBackend(k int) *capabilitiesv1beta1.Backend {
	name := fmt.Sprintf("bench-b%d", k)
	b := &capabilitiesv1beta1.Backend{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: capabilitiesv1beta1.BackendSpec{
			Name: name, SystemName: name, PrivateBaseURL: fmt.Sprintf("https://b%d.example.com", k),
			Metrics: map[string]capabilitiesv1beta1.MetricSpec{}, Methods: map[string]capabilitiesv1beta1.MethodSpec{},
		},
	}
	for i := range benchMetrics {
		b.Spec.Metrics[fmt.Sprintf("m%d", i)] = capabilitiesv1beta1.MetricSpec{Name: fmt.Sprintf("Metric %d", i), Unit: "1"}
	}
	for i := range benchMethods {
		b.Spec.Methods[fmt.Sprintf("op%d", i)] = capabilitiesv1beta1.MethodSpec{Name: fmt.Sprintf("Method %d", i)}
	}
	for i := range benchRules {
		ref := fmt.Sprintf("op%d", i%benchMethods)
		if i%5 == 0 {
			ref = fmt.Sprintf("m%d", i%benchMetrics)
		}
		b.Spec.MappingRules = append(b.Spec.MappingRules, capabilitiesv1beta1.MappingRuleSpec{
			HTTPMethod: []string{"GET", "POST", "PUT", "DELETE"}[i%4], Pattern: fmt.Sprintf("/r%d", i), MetricMethodRef: ref, Increment: 1,
		})
	}
	return b
}

func benchProduct() *capabilitiesv1beta1.Product {
	p := &capabilitiesv1beta1.Product{
		ObjectMeta: metav1.ObjectMeta{Name: "bench"},
		Spec: capabilitiesv1beta1.ProductSpec{
			Name: "Bench", SystemName: "bench",
			Deployment: &capabilitiesv1beta1.ProductDeploymentSpec{ApicastHosted: &capabilitiesv1beta1.ApicastHostedSpec{
				Authentication: &capabilitiesv1beta1.AuthenticationSpec{UserKeyAuthentication: &capabilitiesv1beta1.UserKeyAuthenticationSpec{}},
			}},
			Methods:          map[string]capabilitiesv1beta1.MethodSpec{},
			BackendUsages:    map[string]capabilitiesv1beta1.BackendUsageSpec{},
			ApplicationPlans: map[string]capabilitiesv1beta1.ApplicationPlanSpec{},
		},
	}
	for i := range benchProductMethods {
		p.Spec.Methods[fmt.Sprintf("pop%d", i)] = capabilitiesv1beta1.MethodSpec{Name: fmt.Sprintf("Product method %d", i)}
	}
	for i := range benchProductRules {
		p.Spec.MappingRules = append(p.Spec.MappingRules, capabilitiesv1beta1.MappingRuleSpec{
			HTTPMethod: "GET", Pattern: fmt.Sprintf("/p/r%d", i), MetricMethodRef: fmt.Sprintf("pop%d", i%benchProductMethods), Increment: 1,
		})
	}
	for k := range benchBackends {
		p.Spec.BackendUsages[fmt.Sprintf("bench-b%d", k)] = capabilitiesv1beta1.BackendUsageSpec{Path: fmt.Sprintf("/b%d", k)}
	}
	periods := []string{"minute", "hour", "day", "month"}
	for n := range benchPlans {
		plan := capabilitiesv1beta1.ApplicationPlanSpec{Published: ptr(true)}
		for i := range benchLimitsPerPlan {
			backend := fmt.Sprintf("bench-b%d", (n*benchLimitsPerPlan+i)%benchBackends)
			plan.Limits = append(plan.Limits, capabilitiesv1beta1.LimitSpec{
				Period: periods[i%len(periods)], Value: int64(100 * (i + 1)),
				MetricMethodRef: capabilitiesv1beta1.MetricMethodRefSpec{SystemName: fmt.Sprintf("op%d", i/len(periods)), BackendSystemName: &backend},
			})
		}
		p.Spec.ApplicationPlans[fmt.Sprintf("plan%d", n)] = plan
	}
	return p
}

// benchEnv is a harness whose controllers poll once an hour, so that only what a benchmark does
// reaches 3scale.
type benchEnv struct {
	*harness
	backends []*capabilitiesv1beta1.Backend
	product  *capabilitiesv1beta1.Product
}

func newBenchEnv(b *testing.B) *benchEnv {
	h := newHarness(b, inmemory.WithLatency(benchLatency))
	h.pollInterval = time.Hour
	h.startManager()
	e := &benchEnv{harness: h, product: benchProduct()}
	for k := range benchBackends {
		e.backends = append(e.backends, benchBackend(k))
	}
	return e
}

// createAll creates the backends and the product at once, as `kubectl apply -f dir/` does, and
// waits until every one is Synced.
func (e *benchEnv) createAll() {
	for _, bk := range e.backends {
		e.create(bk)
	}
	e.create(e.product)
	e.waitAllSynced()
}

func (e *benchEnv) waitAllSynced() {
	for _, bk := range e.backends {
		e.waitCondition(bk, backendConditions(bk), "Synced", metav1.ConditionTrue, "")
	}
	e.waitCondition(e.product, productConditions(e.product), "Synced", metav1.ConditionTrue, "")
}

// reconciles returns how many reconciles each controller has finished in this process.
func reconciles(tb testing.TB) map[string]float64 {
	families, err := crmetrics.Registry.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "controller_runtime_reconcile_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "controller" {
					out[l.GetValue()] += m.GetCounter().GetValue()
				}
			}
		}
	}
	return out
}

// syncedBenchEnv is a benchEnv with every object created, synced and quiet.
func syncedBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	e := newBenchEnv(b)
	e.createAll()
	e.settle()
	return e
}

// touchAll changes an annotation of every object, which makes each reconcile once without any
// spec change, and waits until every reconcile has finished.
func (e *benchEnv) touchAll(round int) {
	before := reconciles(e.t)
	objs := []client.Object{e.product}
	for _, bk := range e.backends {
		objs = append(objs, bk)
	}
	for _, o := range objs {
		e.update(o, func() {
			a := o.GetAnnotations()
			if a == nil {
				a = map[string]string{}
			}
			a["bench/round"] = fmt.Sprint(round)
			o.SetAnnotations(a)
		})
	}
	e.eventually("one reconcile of each object", func() error {
		now := reconciles(e.t)
		if b, p := now["backend"]-before["backend"], now["product"]-before["product"]; b < benchBackends || p < 1 {
			return fmt.Errorf("%v backend and %v product reconciles so far", b, p)
		}
		return nil
	})
}

// settle waits until 3scale has received no call for a while: every reconcile the last change
// caused, including those it caused in other controllers, is over.
func (e *benchEnv) settle() {
	// A pass that waited (a Product for its Backends) left a retry in the work queue that fires
	// one wait interval later even though a watch synced the object meanwhile (controller-runtime
	// cannot take a delayed retry back): quiet lasts longer than that, so the retry is over too.
	quiet := 25*benchLatency + e.waitInterval
	last, since := -1, time.Now()
	e.eventually("3scale quiet", func() error {
		n := e.srv.CallCount(inmemory.AnyOperation)
		if n != last {
			last, since = n, time.Now()
		}
		if time.Since(since) < quiet {
			return fmt.Errorf("%d calls, the last less than %v ago", n, quiet)
		}
		return nil
	})
}

// report records the calls of the server log as benchmark metrics.
func report(b *testing.B, calls []inmemory.Call) {
	b.Helper()
	writes := 0
	perPath := map[string]int{}
	most := 0
	for _, c := range calls {
		if c.Method != "GET" {
			writes++
			continue
		}
		// A collection is one path: the limits of plan 7, the metrics of backend 3.
		perPath[c.Path]++
		most = max(most, perPath[c.Path])
	}
	b.ReportMetric(float64(len(calls)), "calls/op")
	b.ReportMetric(float64(writes), "writes/op")
	b.ReportMetric(float64(len(calls)-writes), "reads/op")
	b.ReportMetric(float64(most), "max-reads-per-collection/op")
	if testing.Verbose() {
		ops := map[string]int{}
		for _, c := range calls {
			ops[c.Op]++
		}
		keys := make([]string, 0, len(ops))
		for k := range ops {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			b.Logf("%5d %s", ops[k], k)
		}
	}
}

// BenchmarkIssue4 measures, through the controllers running against a real kube-apiserver and the
// in-memory 3scale answering every call after benchLatency, the API calls of issue 4's shape:
// from empty to Synced, a resync when nothing changed, and one changed mapping rule. Run:
//
//	KUBEBUILDER_ASSETS=$(make -s print-envtest-assets) go test ./test/integration/capabilities/ -run '^$' -bench BenchmarkIssue4 -benchtime 1x
func BenchmarkIssue4(b *testing.B) {
	b.Run("FromEmptyToSynced", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			e := newBenchEnv(b)
			e.srv.ResetCalls()
			b.StartTimer()
			e.createAll()
			b.StopTimer()
			report(b, e.srv.Calls())
		}
	})
	b.Run("ResyncNothingChanged", func(b *testing.B) {
		e := syncedBenchEnv(b)
		b.ResetTimer()
		for i := range b.N {
			e.srv.ResetCalls()
			e.touchAll(i)
			b.StopTimer()
			e.settle()
			calls := e.srv.Calls()
			report(b, calls)
			for _, c := range calls {
				if c.Method != "GET" {
					b.Errorf("a resync with nothing changed wrote: %s %s", c.Method, c.Path)
				}
			}
			b.StartTimer()
		}
	})
	b.Run("OneMappingRuleChanged", func(b *testing.B) {
		e := syncedBenchEnv(b)
		b.ResetTimer()
		for i := range b.N {
			// A backend's rule: the Backend writes once; the Product, although its limits count
			// the backend's methods, is not woken (the backend's metrics did not change).
			e.srv.ResetCalls()
			productReconciles := reconciles(b)["product"]
			bk := e.backends[3]
			e.update(bk, func() { bk.Spec.MappingRules[7].Increment = 2 + i })
			e.waitCondition(bk, backendConditions(bk), "Synced", metav1.ConditionTrue, "")
			b.StopTimer()
			e.settle()
			report(b, e.srv.Calls())
			if w := len(e.writes()); w != 1 {
				b.Errorf("one changed backend mapping rule took %d writes, want 1: %v", w, e.writes())
			}
			if n := len(e.srv.Calls()); n > 5 {
				b.Errorf("one changed backend mapping rule took %d calls, want at most 5", n)
			}
			if n := reconciles(b)["product"] - productReconciles; n != 0 {
				b.Errorf("one changed backend mapping rule woke the Product %v times", n)
			}
			// A product's rule: one write.
			e.srv.ResetCalls()
			p := e.product
			e.update(p, func() { p.Spec.MappingRules[2].Increment = 2 + i })
			e.waitCondition(p, productConditions(p), "Synced", metav1.ConditionTrue, "")
			e.settle()
			if w := len(e.writes()); w != 1 {
				b.Errorf("one changed product mapping rule took %d writes, want 1: %v", w, e.writes())
			}
			b.Logf("product mapping rule changed: %d calls, %d writes", len(e.srv.Calls()), len(e.writes()))
			b.StartTimer()
		}
	})
}

// BenchmarkBackendMethodAdded adds a method to a Backend whose methods the Product's limits name:
// the Backend writes once; the Product, woken by the Backend's metrics digest, reads its
// application plans and the metrics they name only (no gateway settings, policy chain, mapping
// rules or backend usages) and writes nothing. Run:
//
//	KUBEBUILDER_ASSETS=$(make -s print-envtest-assets) go test ./test/integration/capabilities/ -run '^$' -bench BenchmarkBackendMethodAdded -benchtime 1x -v
func BenchmarkBackendMethodAdded(b *testing.B) {
	e := syncedBenchEnv(b)
	b.ResetTimer()
	for i := range b.N {
		e.srv.ResetCalls()
		productReconciles := reconciles(b)["product"]
		bk := e.backends[3]
		e.update(bk, func() {
			bk.Spec.Methods[fmt.Sprintf("added%d", i)] = capabilitiesv1beta1.MethodSpec{Name: fmt.Sprintf("Added %d", i)}
		})
		e.waitCondition(bk, backendConditions(bk), "Synced", metav1.ConditionTrue, "")
		e.eventually("the Product woken by the Backend's metrics", func() error {
			if n := reconciles(b)["product"] - productReconciles; n < 1 {
				return fmt.Errorf("%v Product reconciles", n)
			}
			return nil
		})
		b.StopTimer()
		e.settle()
		calls := e.srv.Calls()
		report(b, calls)
		if w := len(e.writes()); w != 1 {
			b.Errorf("an added backend method took %d writes, want 1 (the Backend's): %v", w, e.writes())
		}
		for _, c := range calls {
			if !strings.Contains(c.Path, "/services/") {
				continue
			}
			for _, unneeded := range []string{"/proxy", "/policies", "/mapping_rules", "/backend_usages"} {
				if strings.Contains(c.Path, unneeded) {
					b.Errorf("the Product woken by a backend's metrics read %s", c.Path)
				}
			}
		}
		b.StartTimer()
	}
}

// BenchmarkDeclarativePromotion is BenchmarkIssue4's product with spec.promoteTo: Production:
// a resync with nothing changed must cost what it costs without promotion (no write, no read of
// the configuration versions), and a changed mapping rule its write plus the promotion.
func BenchmarkDeclarativePromotion(b *testing.B) {
	newEnv := func(b *testing.B) *benchEnv {
		e := newBenchEnv(b)
		e.product.Spec.PromoteTo = capabilitiesv1beta1.PromoteToProduction
		e.createAll()
		e.settle()
		return e
	}
	b.Run("ResyncNothingChanged", func(b *testing.B) {
		e := newEnv(b)
		b.ResetTimer()
		for i := range b.N {
			e.srv.ResetCalls()
			e.touchAll(i)
			b.StopTimer()
			e.settle()
			report(b, e.srv.Calls())
			if w := e.writes(); len(w) != 0 {
				b.Errorf("a resync with nothing changed wrote: %v", w)
			}
			if n := e.srv.CallCount(opLatest); n != 0 {
				b.Errorf("a resync with nothing changed read the configuration versions %d times", n)
			}
			b.StartTimer()
		}
	})
	b.Run("OneMappingRuleChanged", func(b *testing.B) {
		e := newEnv(b)
		b.ResetTimer()
		for i := range b.N {
			e.srv.ResetCalls()
			p := e.product
			e.update(p, func() { p.Spec.MappingRules[2].Increment = 2 + i })
			e.waitCondition(p, productConditions(p), "Synced", metav1.ConditionTrue, "")
			b.StopTimer()
			e.settle()
			report(b, e.srv.Calls())
			want := []string{"PATCH /admin/api/services/{service_id}/proxy/mapping_rules/{id}.json", opDeploy, opPromote}
			if d := cmp.Diff(want, e.writes()); d != "" {
				b.Errorf("writes of one changed rule, promoted: -want +got\n%s", d)
			}
			if p.Status.StagingVersion == 0 || p.Status.StagingVersion != p.Status.ProductionVersion {
				b.Errorf("status versions %d/%d, want staging = production", p.Status.StagingVersion, p.Status.ProductionVersion)
			}
			b.StartTimer()
		}
	})
}
