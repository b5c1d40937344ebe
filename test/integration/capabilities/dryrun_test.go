package capabilities_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/threescale-oss/operator/pkg/dryrun"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/tenant"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// TestPlanNamespace plans the objects of a namespace of a real API server, as `kubectl
// threescale plan -n` does: synced objects plan nothing; a change made by hand in 3scale plans its
// revert, naming the field; the plan writes nothing to 3scale.
func TestPlanNamespace(t *testing.T) {
	h := newHarness(t)
	h.pollInterval = time.Hour // the change made by hand stays for the plan to see
	h.startManager()
	b, p := quickstart(t)
	h.create(b)
	h.create(p)
	h.waitSynced(b)
	h.waitProductSynced(p)
	ctx := context.Background()
	planner := dryrun.Planner{Client: k8s, Clients: &tenant.Clients{}}
	results, err := planner.Plan(ctx, h.ns)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 || dryrun.Changes(results) {
		t.Fatalf("plan of synced objects: %+v", results)
	}
	if _, err := h.tc.UpdateProduct(ctx, *p.Status.ID, threescale.ProductUpdateParams{Description: ptr("edited by hand")}); err != nil {
		t.Fatal(err)
	}
	h.srv.ResetCalls()
	results, err = planner.Plan(ctx, h.ns)
	if err != nil {
		t.Fatal(err)
	}
	var product dryrun.Result
	for _, r := range results {
		if r.Kind == "Product" {
			product = r
		}
	}
	if product.Action != external.ActionUpdate || len(product.Operations) != 1 || !strings.Contains(product.Operations[0].Description, "description") {
		t.Errorf("plan of a product changed by hand: %+v", product)
	}
	for _, c := range h.srv.Calls() {
		if c.Method != "GET" {
			t.Errorf("the plan wrote: %s %s", c.Method, c.Path)
		}
	}
}
