package capabilities_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/threescale"
	"github.com/threescale-oss/operator/pkg/threescale/inmemory"
)

// BenchmarkScale applies N small Backends and N small Products (each using its Backend, with a
// plan whose limit names the Backend's method) at once, and measures until every one is Synced:
// 3scale calls per object, the most list calls of one collection (pages included: 3scale pages by
// 500), wall time against the floor of calls × latency ÷ calls in flight, and the peak RSS of the
// test process (the operator's controllers, plus the in-memory 3scale and the test itself: an
// upper bound of the operator's). Run one size at a time:
//
//	KUBEBUILDER_ASSETS=$(make -s print-envtest-assets) go test ./test/integration/capabilities/ -run '^$' -bench 'BenchmarkScale/N=1000$' -benchtime 1x -timeout 60m
func BenchmarkScale(b *testing.B) {
	for _, n := range []int{100, 500, 1000, 5000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			for range b.N {
				benchScale(b, n)
			}
		})
	}
}

func benchScale(b *testing.B, n int) {
	b.StopTimer()
	h := newHarness(b, inmemory.WithLatency(benchLatency))
	h.pollInterval = time.Hour
	// The operator's requests to the API server, by verb: what the control plane must absorb.
	var kubeMu sync.Mutex
	kube := map[string]int{}
	counting := false
	h.wrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		return roundTripper(func(r *http.Request) (*http.Response, error) {
			kubeMu.Lock()
			if counting && r.URL.Query().Get("watch") != "true" {
				kube[r.Method]++
				if os.Getenv("SCALE_KUBE_DETAIL") != "" && r.Method != http.MethodGet {
					kube[r.Method+" "+kubeResource(r.URL.Path)]++
				}
			}
			kubeMu.Unlock()
			return rt.RoundTrip(r)
		})
	}
	h.startManager()
	kubeMu.Lock()
	counting = true
	kubeMu.Unlock()
	h.srv.ResetCalls()
	b.StartTimer()
	start := time.Now()
	for i := range n {
		bk := newBackend(fmt.Sprintf("scale-b%d", i))
		h.create(bk)
		p := newProduct(fmt.Sprintf("scale-p%d", i))
		sys := bk.Spec.SystemName
		p.Spec.BackendUsages = map[string]capabilitiesv1beta1.BackendUsageSpec{sys: {Path: "/"}}
		p.Spec.ApplicationPlans = map[string]capabilitiesv1beta1.ApplicationPlanSpec{"basic": {Limits: []capabilitiesv1beta1.LimitSpec{
			{Period: "day", Value: 100, MetricMethodRef: capabilitiesv1beta1.MetricMethodRefSpec{SystemName: "list_pets", BackendSystemName: &sys}},
		}}}
		h.create(p)
	}
	deadline := time.Now().Add(time.Duration(n) * time.Second)
	for {
		synced, err := countSynced(h)
		if err != nil {
			b.Fatal(err)
		}
		if synced == 2*n {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d objects Synced", synced, 2*n)
		}
		time.Sleep(500 * time.Millisecond)
	}
	wall := time.Since(start)
	b.StopTimer()
	kubeMu.Lock()
	kubeWrites := kube[http.MethodPost] + kube[http.MethodPut] + kube[http.MethodPatch] + kube[http.MethodDelete]
	kubeReads := kube[http.MethodGet]
	kubeMu.Unlock()
	calls := h.srv.Calls()
	lists := map[string]int{}
	for _, c := range calls {
		if c.Op == "GET /admin/api/backend_apis.json" || c.Op == "GET /admin/api/services.json" {
			lists[c.Op]++
		}
	}
	most := 0
	for _, v := range lists {
		most = max(most, v)
	}
	floor := time.Duration(len(calls)) * benchLatency / time.Duration(threescale.DefaultMaxInFlight)
	b.ReportMetric(float64(len(calls))/float64(2*n), "calls/object")
	b.ReportMetric(float64(most), "max-list-calls-per-collection")
	b.ReportMetric(wall.Seconds(), "wall-s")
	b.ReportMetric(floor.Seconds(), "floor-s")
	b.ReportMetric(float64(peakRSS(b))/(1<<20), "peak-RSS-MiB")
	b.ReportMetric(float64(kubeWrites)/float64(2*n), "kube-writes/object")
	b.Logf("N=%d: %d calls (%.1f per object), list calls %v, wall %v, floor %v; API server: %d writes %v, %d reads",
		n, len(calls), float64(len(calls))/float64(2*n), lists, wall.Round(time.Millisecond), floor.Round(time.Millisecond), kubeWrites, kube, kubeReads)
}

// kubeResource names the resource (and subresource) of an API path: products, products/status,
// events.
func kubeResource(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	for i, p := range parts {
		if p == "namespaces" && i+2 < len(parts) {
			rest := parts[i+2:]
			if len(rest) >= 3 {
				return rest[0] + "/" + rest[2]
			}
			return rest[0]
		}
	}
	return path
}

// countSynced counts the harness's Backends and Products Synced for their generation.
func countSynced(h *harness) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var bl capabilitiesv1beta1.BackendList
	var pl capabilitiesv1beta1.ProductList
	if err := k8s.List(ctx, &bl, client.InNamespace(h.ns)); err != nil {
		return 0, err
	}
	if err := k8s.List(ctx, &pl, client.InNamespace(h.ns)); err != nil {
		return 0, err
	}
	n := 0
	synced := func(conds []metav1.Condition, gen int64) bool {
		c := meta.FindStatusCondition(conds, external.TypeSynced)
		return c != nil && c.Status == metav1.ConditionTrue && c.ObservedGeneration == gen
	}
	for _, o := range bl.Items {
		if synced(o.Status.Conditions, o.Generation) {
			n++
		}
	}
	for _, o := range pl.Items {
		if synced(o.Status.Conditions, o.Generation) {
			n++
		}
	}
	return n, nil
}

// peakRSS returns the peak resident set size of this process (VmHWM), in bytes.
func peakRSS(tb testing.TB) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		tb.Logf("no peak RSS: %v", err)
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
