package product

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// TestPlanPlansIsPlanWhenOnlyBackendMetricsChanged: a backend metric the plans' limits name is
// deleted and made again (3scale deletes its limits with it): ObservePlans and PlanPlans plan
// exactly what the whole product's Plan plans, reading neither the gateway settings, the policy
// chain, the mapping rules nor the backend usages. A change of the product's own metrics is not
// theirs to plan (ok false).
func TestPlanPlansIsPlanWhenOnlyBackendMetricsChanged(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	backends := map[string]int64{"b1": e.backend(t, "b1", backendSpec("b1")), "b2": e.backend(t, "b2", backendSpec("b2"))}
	d := desiredOf(t, fullSpec(), nil)
	id := e.syncStep(t, d, 0, backends).ProductID

	metrics, err := e.c.ListBackendMetrics(ctx, backends["b1"])
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range metrics {
		if threescale.TrimBackendMetricSuffix(m.SystemName, backends["b1"]) == "b1m" {
			if err := e.c.DeleteBackendMetric(ctx, backends["b1"], m.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.backend(t, "b1", backendSpec("b1")) // the Backend makes it again, with a new ID

	full, err := Observe(ctx, e.c, d, id, backends)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Plan(d, full, backends)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 {
		t.Fatal("the limit on the metric made again is not planned: the test would prove nothing")
	}
	e.srv.ResetCalls()
	partial, err := ObservePlans(ctx, e.c, d, id, backends)
	if err != nil {
		t.Fatal(err)
	}
	reads := readsByOp(e.srv.Calls())
	got, ok, err := PlanPlans(d, partial, backends)
	if err != nil || !ok {
		t.Fatalf("PlanPlans: ok %v, %v", ok, err)
	}
	if diff := cmp.Diff(planning.Descriptions(want), planning.Descriptions(got)); diff != "" {
		t.Errorf("PlanPlans differs from Plan (-Plan +PlanPlans):\n%s", diff)
	}
	for op := range reads {
		for _, unneeded := range []string{"proxy", "policies", "mapping_rules", "backend_usages"} {
			if strings.Contains(op, unneeded) {
				t.Errorf("ObservePlans read %s", op)
			}
		}
	}
	if _, err := planning.Execute(ctx, e.c, got); err != nil {
		t.Fatal(err)
	}
	if o, err := Observe(ctx, e.c, d, id, backends); err != nil {
		t.Fatal(err)
	} else if again, err := Plan(d, o, backends); err != nil || len(again) != 0 {
		t.Errorf("after PlanPlans ran, Plan still plans %v (%v)", planning.Descriptions(again), err)
	}

	// The product's own metric renamed by hand: not PlanPlans' to plan.
	ms, err := e.c.ListProductMetrics(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.SystemName == "bytes" {
			if _, err := e.c.UpdateProductMetric(ctx, id, m.ID, threescale.MetricUpdateParams{FriendlyName: ptr("renamed by hand")}); err != nil {
				t.Fatal(err)
			}
		}
	}
	partial, err = ObservePlans(ctx, e.c, d, id, backends)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := PlanPlans(d, partial, backends); ok || err != nil {
		t.Errorf("PlanPlans with the product's metrics changed: ok %v, %v; want false", ok, err)
	}
}
