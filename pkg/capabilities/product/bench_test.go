package product

import (
	"context"
	"fmt"
	"testing"
	"time"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/threescale/inmemory"
)

// The shape of issue 4's cost benchmark: a product using 10 backends of 20 metrics, 20 methods
// and 50 mapping rules each, with 5 application plans of 20 limits each. The product itself has
// a few metrics, methods and rules of its own.
const (
	benchBackends       = 10
	benchBackendMetrics = 20
	benchBackendMethods = 20
	benchBackendRules   = 50
	benchPlans          = 5
	benchLimits         = 20
	benchLatency        = 5 * time.Millisecond
)

func benchBackend(k int) planning.Desired {
	d := planning.Desired{Metrics: map[string]capabilitiesv1beta1.MetricSpec{}, Methods: map[string]capabilitiesv1beta1.MethodSpec{}}
	for i := range benchBackendMetrics {
		d.Metrics[fmt.Sprintf("m%d", i)] = capabilitiesv1beta1.MetricSpec{Name: fmt.Sprintf("B%d metric %d", k, i), Unit: "1"}
	}
	for i := range benchBackendMethods {
		d.Methods[fmt.Sprintf("op%d", i)] = capabilitiesv1beta1.MethodSpec{Name: fmt.Sprintf("B%d method %d", k, i)}
	}
	for i := range benchBackendRules {
		ref := fmt.Sprintf("op%d", i%benchBackendMethods)
		if i%5 == 0 {
			ref = fmt.Sprintf("m%d", i%benchBackendMetrics)
		}
		d.MappingRules = append(d.MappingRules, capabilitiesv1beta1.MappingRuleSpec{
			HTTPMethod: []string{"GET", "POST", "PUT", "DELETE"}[i%4], Pattern: fmt.Sprintf("/b%d/r%d", k, i), MetricMethodRef: ref, Increment: 1,
		})
	}
	return d
}

func benchProductSpec() capabilitiesv1beta1.ProductSpec {
	s := capabilitiesv1beta1.ProductSpec{
		Name: "Bench", SystemName: "bench",
		Deployment: &capabilitiesv1beta1.ProductDeploymentSpec{ApicastHosted: &capabilitiesv1beta1.ApicastHostedSpec{
			Authentication: &capabilitiesv1beta1.AuthenticationSpec{UserKeyAuthentication: &capabilitiesv1beta1.UserKeyAuthenticationSpec{
				Key: ptr("key"), Security: &capabilitiesv1beta1.SecuritySpec{SecretToken: ptr("token")},
			}},
		}},
		Metrics:          map[string]capabilitiesv1beta1.MetricSpec{},
		Methods:          map[string]capabilitiesv1beta1.MethodSpec{},
		BackendUsages:    map[string]capabilitiesv1beta1.BackendUsageSpec{},
		ApplicationPlans: map[string]capabilitiesv1beta1.ApplicationPlanSpec{},
	}
	for i := range 5 {
		s.Metrics[fmt.Sprintf("pm%d", i)] = capabilitiesv1beta1.MetricSpec{Name: fmt.Sprintf("Product metric %d", i), Unit: "1"}
		s.Methods[fmt.Sprintf("pop%d", i)] = capabilitiesv1beta1.MethodSpec{Name: fmt.Sprintf("Product method %d", i)}
	}
	for i := range 10 {
		s.MappingRules = append(s.MappingRules, capabilitiesv1beta1.MappingRuleSpec{
			HTTPMethod: "GET", Pattern: fmt.Sprintf("/p/r%d", i), MetricMethodRef: fmt.Sprintf("pop%d", i%5), Increment: 1,
		})
	}
	for k := range benchBackends {
		s.BackendUsages[fmt.Sprintf("bench-b%d", k)] = capabilitiesv1beta1.BackendUsageSpec{Path: fmt.Sprintf("/b%d", k)}
	}
	periods := []string{"minute", "hour", "day", "month"}
	for p := range benchPlans {
		plan := capabilitiesv1beta1.ApplicationPlanSpec{Published: ptr(p%2 == 0)}
		for i := range benchLimits {
			backend := fmt.Sprintf("bench-b%d", (p*benchLimits+i)%benchBackends)
			plan.Limits = append(plan.Limits, capabilitiesv1beta1.LimitSpec{
				Period: periods[i%len(periods)], Value: int64(100 * (i + 1)),
				MetricMethodRef: capabilitiesv1beta1.MetricMethodRefSpec{SystemName: fmt.Sprintf("op%d", i/len(periods)), BackendSystemName: &backend},
			})
		}
		s.ApplicationPlans[fmt.Sprintf("plan%d", p)] = plan
	}
	return s
}

// benchEnv is a tenant with the benchmark's backends synced, and the product's spec.
type benchEnv struct {
	*env
	backends map[string]int64
	desired  *Desired
}

func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	e := newEnv(b, inmemory.WithLatency(benchLatency))
	be := &benchEnv{env: e, backends: map[string]int64{}}
	for k := range benchBackends {
		name := fmt.Sprintf("bench-b%d", k)
		be.backends[name] = e.backend(b, name, benchBackend(k))
	}
	be.desired = desiredOf(b, benchProductSpec(), nil)
	return be
}

// sync runs one Sync and reports its calls.
func (be *benchEnv) sync(b *testing.B, id int64) (*Result, []inmemory.Call) {
	b.Helper()
	be.srv.ResetCalls()
	res, err := Sync(context.Background(), be.c, be.desired, id, be.backends)
	if err != nil {
		b.Fatalf("Sync: %v", err)
	}
	return res, be.srv.Calls()
}

func report(b *testing.B, calls []inmemory.Call) {
	b.Helper()
	w := writes(calls)
	b.ReportMetric(float64(len(calls)), "calls/op")
	b.ReportMetric(float64(w), "writes/op")
	b.ReportMetric(float64(len(calls)-w), "reads/op")
	// A collection is one path: the limits of plan 7, the metrics of backend 3.
	perPath := map[string]int{}
	most := 0
	for _, c := range calls {
		if c.Method == "GET" {
			perPath[c.Path]++
			most = max(most, perPath[c.Path])
		}
	}
	b.ReportMetric(float64(most), "max-reads-per-collection/op")
}

// BenchmarkProductSync measures the API calls and wall time of a product sync of issue 4's shape
// against the in-memory 3scale answering every call after 5ms. Run it once per case:
//
//	go test ./pkg/capabilities/product/ -run '^$' -bench BenchmarkProductSync -benchtime 1x
//
// Limits and pricing rules are listed per plan, and backend metrics per backend that limits
// refer to; max-reads-per-collection counts the reads of one path.
func BenchmarkProductSync(b *testing.B) {
	b.Run("BackendsFromEmpty", func(b *testing.B) {
		// The 10 backends the product uses, from nothing, with the shared planner (what the
		// Backend controller does, one backend after the other).
		for range b.N {
			b.StopTimer()
			e := newEnv(b, inmemory.WithLatency(benchLatency))
			e.srv.ResetCalls()
			b.StartTimer()
			for k := range benchBackends {
				e.backend(b, fmt.Sprintf("bench-b%d", k), benchBackend(k))
			}
			b.StopTimer()
			report(b, e.srv.Calls())
		}
	})
	b.Run("FromEmpty", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			be := newBenchEnv(b)
			b.StartTimer()
			_, calls := be.sync(b, 0)
			b.StopTimer()
			report(b, calls)
		}
	})
	b.Run("ResyncNothingChanged", func(b *testing.B) {
		be := newBenchEnv(b)
		res, _ := be.sync(b, 0)
		b.ResetTimer()
		for range b.N {
			_, calls := be.sync(b, res.ProductID)
			if w := writes(calls); w != 0 {
				b.Fatalf("%d writes on a resync with nothing changed", w)
			}
			b.StopTimer()
			report(b, calls)
			b.StartTimer()
		}
	})
	b.Run("OneMappingRuleChanged", func(b *testing.B) {
		be := newBenchEnv(b)
		res, _ := be.sync(b, 0)
		b.ResetTimer()
		for i := range b.N {
			b.StopTimer()
			be.desired.Spec.MappingRules[3].Increment = 2 + i
			b.StartTimer()
			_, calls := be.sync(b, res.ProductID)
			if w := writes(calls); w != 1 {
				b.Fatalf("%d writes after one mapping rule changed, want 1", w)
			}
			b.StopTimer()
			report(b, calls)
			b.StartTimer()
		}
	})
	b.Run("OneBackendMappingRuleChanged", func(b *testing.B) {
		// The Backend side of the same shape, with the shared planner.
		be := newBenchEnv(b)
		d := benchBackend(0)
		b.ResetTimer()
		for i := range b.N {
			b.StopTimer()
			d.MappingRules[7].Increment = 2 + i
			be.srv.ResetCalls()
			b.StartTimer()
			be.backend(b, "bench-b0", d)
			b.StopTimer()
			calls := be.srv.Calls()
			// backend() also lists the backends to find the ID, as the first sync of a
			// Backend without a status ID would.
			if w := writes(calls); w != 1 {
				b.Fatalf("%d writes after one backend mapping rule changed, want 1", w)
			}
			report(b, calls)
			b.StartTimer()
		}
	})
}
