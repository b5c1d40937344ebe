package planning

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/threescale"
	"github.com/threescale-oss/operator/pkg/threescale/inmemory"
)

// convergeEnv is an in-memory 3scale with one product and one backend, and a client.
type convergeEnv struct {
	srv    *inmemory.Server
	c      *threescale.Client
	owners map[string]Owner
}

func newConvergeEnv(t *testing.T) *convergeEnv {
	t.Helper()
	srv, tenant := inmemory.NewTestServer(t)
	c, err := threescale.New(tenant.AdminURL, tenant.Token, threescale.WithMetricsRegisterer(prometheus.NewRegistry()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p, err := c.CreateProduct(ctx, threescale.ProductParams{Name: ptr("Product")})
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.CreateBackend(ctx, threescale.BackendParams{Name: ptr("Backend"), PrivateEndpoint: ptr("https://api.example.com")})
	if err != nil {
		t.Fatal(err)
	}
	return &convergeEnv{srv: srv, c: c, owners: map[string]Owner{"product": ProductOwner(p.ID, nil), "backend": BackendOwner(b.ID)}}
}

func (e *convergeEnv) observe(t *testing.T, owner Owner) Observed {
	t.Helper()
	ctx := context.Background()
	var o Observed
	var err error
	if owner.Kind == "product" {
		o.Metrics, err = e.c.ListProductMetrics(ctx, owner.ID)
		if err == nil {
			o.MappingRules, err = e.c.ListProductMappingRules(ctx, owner.ID)
		}
	} else {
		o.Metrics, err = e.c.ListBackendMetrics(ctx, owner.ID)
		if err == nil {
			o.MappingRules, err = e.c.ListBackendMappingRules(ctx, owner.ID)
		}
	}
	if err != nil {
		t.Fatalf("observe %s: %v", owner.Kind, err)
	}
	return o
}

// sync plans and executes once, then checks that a second plan is empty and that 3scale's rules
// are the resource's, in its order. It returns the number of operations executed.
func (e *convergeEnv) sync(t *testing.T, owner Owner, d Desired) int {
	t.Helper()
	ops, err := PlanOwner(owner, d, e.observe(t, owner))
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	if _, err := Execute(context.Background(), e.c, ops); err != nil {
		t.Fatalf("execute %v: %v", opsOf(ops), err)
	}
	after := e.observe(t, owner)
	again, err := PlanOwner(owner, d, after)
	if err != nil {
		t.Fatalf("second plan: %v", err)
	}
	if diff := cmp.Diff([]Operation{}, opsOf(again)); diff != "" {
		t.Fatalf("second plan after %v is not empty: -want, +got:\n%s", opsOf(ops), diff)
	}
	names := map[int64]string{}
	for _, m := range after.Metrics {
		names[m.ID] = owner.SystemName(m)
	}
	var want, got []string
	for _, r := range d.MappingRules {
		want = append(want, fmt.Sprintf("%s %s %s %d %v", r.HTTPMethod, r.Pattern, r.MetricMethodRef, r.Increment, lastOf(r)))
	}
	for _, r := range after.MappingRules { // 3scale lists rules by position
		got = append(got, fmt.Sprintf("%s %s %s %d %v", r.HTTPMethod, r.Pattern, names[r.MetricID], r.Delta, r.Last))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("rules in 3scale after %v: -want, +got:\n%s", opsOf(ops), diff)
	}
	return len(ops)
}

// TestExecuteConverges walks a product and a backend through a series of resources, each
// changing something, against the in-memory 3scale: after one execution the next plan is empty.
func TestExecuteConverges(t *testing.T) {
	base := Desired{
		Metrics: map[string]capabilitiesv1beta1.MetricSpec{"m1": {Name: "M1", Unit: "1"}, "m2": {Name: "M2", Unit: "1"}},
		Methods: map[string]capabilitiesv1beta1.MethodSpec{"list": {Name: "List"}, "get": {Name: "Get"}},
		MappingRules: []capabilitiesv1beta1.MappingRuleSpec{
			spec("GET", "/a", "hits", 1), spec("GET", "/b", "m1", 2), spec("POST", "/c", "list", 1), spec("GET", "/d", "get", 1),
		},
	}
	steps := []struct {
		name    string
		desired func(d Desired) Desired
		// ops is how many operations the step takes; -1 when it depends on the owner.
		ops int
	}{
		{"Initial", func(d Desired) Desired { return d }, -1},
		{"NoChange", func(d Desired) Desired { return d }, 0},
		{"ChangeDelta", func(d Desired) Desired { d.MappingRules[1].Increment = 5; return d }, 1},
		{"InsertRule", func(d Desired) Desired {
			d.MappingRules = append(d.MappingRules[:1:1], append([]capabilitiesv1beta1.MappingRuleSpec{spec("PUT", "/new", "m2", 1)}, d.MappingRules[1:]...)...)
			return d
		}, 1},
		{"MoveLastFirst", func(d Desired) Desired {
			n := len(d.MappingRules)
			d.MappingRules = append(d.MappingRules[n-1:], d.MappingRules[:n-1]...)
			return d
		}, 1},
		{"RuleToNewMetric", func(d Desired) Desired {
			d.Metrics = cloneMap(d.Metrics)
			d.Metrics["m3"] = capabilitiesv1beta1.MetricSpec{Name: "M3", Unit: "1"}
			d.MappingRules[0].MetricMethodRef = "m3"
			return d
		}, 2},
		{"RemoveMetricInUse", func(d Desired) Desired {
			// m1 goes; its rule moves to m2 first.
			d.Metrics = cloneMap(d.Metrics)
			delete(d.Metrics, "m1")
			for i := range d.MappingRules {
				if d.MappingRules[i].MetricMethodRef == "m1" {
					d.MappingRules[i].MetricMethodRef = "m2"
				}
			}
			return d
		}, 2},
		{"MethodBecomesMetric", func(d Desired) Desired {
			d.Methods = cloneMap(d.Methods)
			delete(d.Methods, "list")
			d.Metrics = cloneMap(d.Metrics)
			d.Metrics["list"] = capabilitiesv1beta1.MetricSpec{Name: "List", Unit: "1"}
			return d
		}, -1},
		{"RenameFriendlyAndDescribe", func(d Desired) Desired {
			d.Metrics = cloneMap(d.Metrics)
			d.Metrics["m2"] = capabilitiesv1beta1.MetricSpec{Name: "Metric two", Unit: "calls", Description: "two"}
			d.Methods = cloneMap(d.Methods)
			d.Methods["get"] = capabilitiesv1beta1.MethodSpec{Name: "Get one", Description: "one"}
			return d
		}, 2},
		{"DuplicateRules", func(d Desired) Desired {
			d.MappingRules = append(d.MappingRules, d.MappingRules[0], d.MappingRules[0])
			return d
		}, 2},
		{"RemoveAllRulesAndMethods", func(d Desired) Desired {
			d.MappingRules = nil
			d.Methods = nil
			return d
		}, -1},
	}
	for _, kind := range []string{"product", "backend"} {
		t.Run(kind, func(t *testing.T) {
			e := newConvergeEnv(t)
			owner := e.owners[kind]
			d := cloneDesired(base)
			for _, step := range steps {
				d = step.desired(cloneDesired(d))
				n := e.sync(t, owner, d)
				if step.ops >= 0 && n != step.ops {
					t.Errorf("%s: %d operations, want %d", step.name, n, step.ops)
				}
			}
		})
	}
}

// TestExecuteReordersConverge shuffles, inserts and drops rules at random (with a fixed seed) and
// checks that 3scale ends in the resource's order every time, with no more moves than rules.
func TestExecuteReordersConverge(t *testing.T) {
	e := newConvergeEnv(t)
	owner := e.owners["backend"]
	rng := rand.New(rand.NewPCG(4, 2))
	var pool []capabilitiesv1beta1.MappingRuleSpec
	for i := range 30 {
		pool = append(pool, spec([]string{"GET", "POST"}[i%2], fmt.Sprintf("/r%d", i/2), "hits", 1+i%3))
	}
	d := Desired{MappingRules: pool[:12]}
	e.sync(t, owner, d)
	for round := range 25 {
		rules := cloneDesired(d).MappingRules
		rng.Shuffle(len(rules), func(i, j int) { rules[i], rules[j] = rules[j], rules[i] })
		if round%3 == 0 && len(rules) > 2 {
			rules = rules[:len(rules)-2]
		}
		if round%4 == 0 {
			at := rng.IntN(len(rules) + 1)
			rules = append(rules[:at:at], append([]capabilitiesv1beta1.MappingRuleSpec{pool[rng.IntN(len(pool))]}, rules[at:]...)...)
		}
		d = Desired{MappingRules: rules}
		if n := e.sync(t, owner, d); n > len(rules)+2 {
			t.Errorf("round %d: %d operations for %d rules", round, n, len(rules))
		}
	}
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func cloneDesired(d Desired) Desired {
	return Desired{
		Metrics:      cloneMap(d.Metrics),
		Methods:      cloneMap(d.Methods),
		MappingRules: append([]capabilitiesv1beta1.MappingRuleSpec(nil), d.MappingRules...),
	}
}

// TestDeleteMetricOfDeployedConfiguration deletes a product metric that the latest staging
// configuration counts: 3scale refuses until the product is deployed again. Without a promotion
// to run, the delete says why it failed and deploys nothing; with one, it promotes once and
// deletes.
func TestDeleteMetricOfDeployedConfiguration(t *testing.T) {
	e := newConvergeEnv(t)
	ctx := context.Background()
	backend := e.owners["backend"]
	owner := e.owners["product"]
	deployed := 0
	promoting := ProductOwner(owner.ID, func(ctx context.Context, c *threescale.Client) error {
		deployed++
		_, err := c.DeployProxy(ctx, owner.ID)
		return err
	})
	if _, err := e.c.CreateBackendUsage(ctx, owner.ID, threescale.BackendUsageParams{BackendID: &backend.ID, Path: ptr("/")}); err != nil {
		t.Fatal(err)
	}
	d := Desired{
		Metrics:      map[string]capabilitiesv1beta1.MetricSpec{"m1": {Name: "M1", Unit: "1"}},
		MappingRules: []capabilitiesv1beta1.MappingRuleSpec{spec("GET", "/a", "m1", 1)},
	}
	e.sync(t, owner, d)
	if _, err := e.c.DeployProxy(ctx, owner.ID); err != nil {
		t.Fatal(err)
	}
	e.srv.ResetCalls()
	d = Desired{MappingRules: []capabilitiesv1beta1.MappingRuleSpec{spec("GET", "/a", "hits", 1)}}
	metrics, err := PlanMetrics(owner, d.Metrics, d.Methods, e.observe(t, owner).Metrics)
	if err != nil {
		t.Fatal(err)
	}
	if len(metrics.Late) != 1 {
		t.Fatalf("late deletions %v, want one", Descriptions(metrics.Late))
	}
	if err := metrics.Late[0].Run(ctx, e.c); !errors.Is(err, ErrUsedByDeployedConfig) {
		t.Errorf("delete without a promotion: %v, want ErrUsedByDeployedConfig", err)
	}
	if n := e.srv.CallCount("POST /admin/api/services/{service_id}/proxy/deploy.json"); n != 0 {
		t.Errorf("%d deploys without a promotion asked for, want none", n)
	}
	e.srv.ResetCalls()
	if n := e.sync(t, promoting, d); n != 2 {
		t.Errorf("%d operations, want 2 (move the rule, delete the metric)", n)
	}
	const deploy = "POST /admin/api/services/{service_id}/proxy/deploy.json"
	const del = "DELETE /admin/api/services/{service_id}/metrics/{id}.json"
	got := map[string]int{deploy: e.srv.CallCount(deploy), del: e.srv.CallCount(del)}
	if diff := cmp.Diff(map[string]int{deploy: 1, del: 2}, got); diff != "" {
		t.Errorf("calls: -want, +got:\n%s", diff)
	}
	if deployed != 1 {
		t.Errorf("%d promotions, want 1", deployed)
	}
}

// TestExecuteFriendlyNameMovesConverge moves friendly names between the metrics and methods of a
// product and a backend (a swap, a rotation, a chain, a rename into a deleted entity's name)
// against the in-memory 3scale, which refuses a friendly name another entity of the owner holds,
// as 3scale does: each plan runs without a 422 and the next plan is empty.
func TestExecuteFriendlyNameMovesConverge(t *testing.T) {
	base := Desired{
		Metrics: map[string]capabilitiesv1beta1.MetricSpec{"ma": {Name: "A", Unit: "1"}, "mb": {Name: "B", Unit: "1"}, "mc": {Name: "C", Unit: "1"}},
		Methods: map[string]capabilitiesv1beta1.MethodSpec{"mm": {Name: "M"}, "mn": {Name: "N"}},
		MappingRules: []capabilitiesv1beta1.MappingRuleSpec{
			spec("GET", "/a", "ma", 1), spec("GET", "/b", "mb", 1), spec("GET", "/m", "mm", 1),
		},
	}
	metricNamed := func(d Desired, name, friendly string) {
		s := d.Metrics[name]
		s.Name = friendly
		d.Metrics[name] = s
	}
	methodNamed := func(d Desired, name, friendly string) {
		s := d.Methods[name]
		s.Name = friendly
		d.Methods[name] = s
	}
	steps := []struct {
		name    string
		desired func(d Desired) Desired
		ops     int
	}{
		{"Initial", func(d Desired) Desired { return d }, -1},
		{"SwapMetrics", func(d Desired) Desired { metricNamed(d, "ma", "B"); metricNamed(d, "mb", "A"); return d }, 3},
		{"SwapMethods", func(d Desired) Desired { methodNamed(d, "mm", "N"); methodNamed(d, "mn", "M"); return d }, 3},
		{"RotateThree", func(d Desired) Desired {
			// ma holds B, mc holds C, the method mm holds N.
			metricNamed(d, "ma", "C")
			metricNamed(d, "mc", "N")
			methodNamed(d, "mm", "B")
			return d
		}, 4},
		{"Chain", func(d Desired) Desired { metricNamed(d, "ma", "A"); metricNamed(d, "mb", "Bee"); return d }, 2},
		{"RenameIntoDeletedName", func(d Desired) Desired {
			delete(d.Metrics, "mc")
			metricNamed(d, "ma", "N") // mc's friendly name
			return d
		}, 2},
		{"NoChange", func(d Desired) Desired { return d }, 0},
	}
	for _, kind := range []string{"product", "backend"} {
		t.Run(kind, func(t *testing.T) {
			e := newConvergeEnv(t)
			owner := e.owners[kind]
			d := cloneDesired(base)
			for _, step := range steps {
				d = step.desired(cloneDesired(d))
				n := e.sync(t, owner, d)
				if step.ops >= 0 && n != step.ops {
					t.Errorf("%s: %d operations, want %d", step.name, n, step.ops)
				}
			}
			got := map[string]string{}
			for _, m := range e.observe(t, owner).Metrics {
				got[owner.SystemName(m)] = m.FriendlyName
			}
			want := map[string]string{"hits": "Hits", "ma": "N", "mb": "Bee", "mm": "B", "mn": "M"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("friendly names in 3scale: -want, +got:\n%s", diff)
			}
		})
	}
}
