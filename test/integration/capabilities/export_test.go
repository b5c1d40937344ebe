package capabilities_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/controllers/capabilities"
	"github.com/threescale-oss/operator/pkg/dryrun"
	"github.com/threescale-oss/operator/pkg/export"
	"github.com/threescale-oss/operator/pkg/export/exporttest"
	"github.com/threescale-oss/operator/pkg/tenant"
	"github.com/threescale-oss/operator/pkg/threescale"
	ctrl "sigs.k8s.io/controller-runtime"
)

// TestExportRoundTrip is the proof of the export: a tenant filled by hand (10 backends, 5
// products covering every sub-entity, ActiveDocs, a custom policy, developer accounts with
// users and applications) is exported, the manifests are applied to a fresh namespace whose
// operator syncs the same tenant, and every object becomes Ready having adopted its entity, with
// 0 writes to 3scale, then and over the polls that follow.
func TestExportRoundTrip(t *testing.T) {
	h := newHarness(t)
	h.setups = []func(ctrl.Manager, capabilities.Options) error{
		capabilities.SetupBackend, capabilities.SetupProduct, capabilities.SetupActiveDoc, capabilities.SetupCustomPolicyDefinition,
		capabilities.SetupDeveloperAccount, capabilities.SetupDeveloperUser, capabilities.SetupApplication,
	}
	ctx := context.Background()
	// Stamped: as the 3scale operator users switch from leaves them (an unstamped entity is
	// stamped on adoption: one write, by design).
	seeded, err := exporttest.Seed(ctx, h.tc, 10, 5, true)
	if err != nil {
		t.Fatal(err)
	}
	res, err := export.Export(ctx, h.tc, export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Unfaithful) > 0 {
		t.Fatalf("the export is not faithful: %q", res.Unfaithful)
	}
	var objects []client.Object
	for _, obj := range res.Objects {
		gvk := obj.GetObjectKind().GroupVersionKind()
		h.create(obj)
		obj.GetObjectKind().SetGroupVersionKind(gvk) // the client clears it
		if u, ok := obj.(*capabilitiesv1beta1.DeveloperUser); ok {
			// The Secrets the export asks the user to create (used only to create a user again).
			h.create(passwordSecret(u.Name))
		}
		if obj.GetObjectKind().GroupVersionKind().Group == capabilitiesv1beta1.GroupVersion.Group {
			objects = append(objects, obj)
		}
	}
	if want := len(seeded.Backends) + len(seeded.Products) + seeded.ActiveDocs + seeded.Policies + seeded.Accounts + seeded.Users + seeded.Applications; len(objects) != want {
		t.Fatalf("%d objects exported, want %d", len(objects), want)
	}
	h.srv.ResetCalls()
	start := time.Now()
	h.startManager()
	for _, obj := range objects {
		h.waitReady(obj)
	}
	t.Logf("%d exported objects Ready in %v", len(objects), time.Since(start).Round(time.Millisecond))
	for _, obj := range objects {
		h.waitEvent(obj.GetName(), "Normal Adopted")
	}
	if w := h.writes(); len(w) > 0 {
		t.Errorf("the export is applied with %d writes to 3scale: %q", len(w), w)
	}
	reads := len(h.srv.Calls())
	time.Sleep(3 * pollInterval) // the polls that follow write nothing either
	if w := h.writes(); len(w) > 0 {
		t.Errorf("polls after the round trip wrote to 3scale: %q", w)
	}
	t.Logf("3scale calls to adopt everything: %d reads, 0 writes", reads)
}

// waitReady waits until obj (of any capability kind) is Ready for its current generation.
func (h *harness) waitReady(obj client.Object) {
	h.t.Helper()
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(obj.GetObjectKind().GroupVersionKind())
	h.eventually(fmt.Sprintf("%s %s Ready", u.GetKind(), obj.GetName()), func() error {
		if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: h.ns, Name: obj.GetName()}, u); err != nil {
			return err
		}
		conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
		for _, c := range conds {
			m, _ := c.(map[string]any)
			if m["type"] != "Ready" {
				continue
			}
			if m["status"] == "True" && m["observedGeneration"] == u.GetGeneration() {
				return nil
			}
			return fmt.Errorf("Ready %v/%v: %v (generation %d, observed %v)", m["status"], m["reason"], m["message"], u.GetGeneration(), m["observedGeneration"])
		}
		return fmt.Errorf("no Ready condition: %v", conds)
	})
}

// TestPlanIsWhatTheOperatorExecutes: changes made by hand in 3scale to exported, adopted objects
// are planned by `kubectl threescale plan -n`; the operator, started afterwards, executes exactly
// those operations, in the same order (its DriftDetected event lists what it runs), and the plan
// that follows finds nothing to do.
func TestPlanIsWhatTheOperatorExecutes(t *testing.T) {
	h := newHarness(t)
	h.pollInterval = time.Hour // the changes made by hand wait for the plan
	ctx := context.Background()
	if _, err := exporttest.Seed(ctx, h.tc, 2, 2, true); err != nil {
		t.Fatal(err)
	}
	res, err := export.Export(ctx, h.tc, export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, obj := range res.Objects {
		if kind := obj.GetObjectKind().GroupVersionKind().Kind; kind == "Backend" || kind == "Product" || kind == "Secret" {
			h.create(obj)
		}
	}
	stop := h.startManager()
	b := &capabilitiesv1beta1.Backend{ObjectMeta: metav1.ObjectMeta{Name: "backend-0", Namespace: h.ns}}
	p := &capabilitiesv1beta1.Product{ObjectMeta: metav1.ObjectMeta{Name: "product-0", Namespace: h.ns}}
	h.waitSynced(b)
	h.waitProductSynced(p)
	stop()

	// By hand: a description, a private endpoint, a mapping rule of each deleted, a limit
	// changed.
	pid, bid := *p.Status.ID, *b.Status.ID
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err = h.tc.UpdateProduct(ctx, pid, threescale.ProductUpdateParams{Description: ptr("edited by hand")})
	check(err)
	_, err = h.tc.UpdateBackend(ctx, bid, threescale.BackendUpdateParams{PrivateEndpoint: ptr("https://elsewhere.example.com:443")})
	check(err)
	rules, err := h.tc.ListProductMappingRules(ctx, pid)
	check(err)
	check(h.tc.DeleteProductMappingRule(ctx, pid, rules[len(rules)-1].ID))
	backendRules, err := h.tc.ListBackendMappingRules(ctx, bid)
	check(err)
	check(h.tc.DeleteBackendMappingRule(ctx, bid, backendRules[0].ID))
	plans, err := h.tc.ListApplicationPlans(ctx, pid)
	check(err)
	limits, err := h.tc.ListPlanLimits(ctx, plans[0].ID)
	check(err)
	_, err = h.tc.UpdateLimit(ctx, plans[0].ID, limits[0].MetricID, limits[0].ID, threescale.LimitParams{Period: limits[0].Period, Value: limits[0].Value + 1})
	check(err)

	planner := dryrun.Planner{Client: k8s, Clients: &tenant.Clients{}}
	results, err := planner.Plan(ctx, h.ns)
	check(err)
	planned := map[string][]string{}
	for _, r := range results {
		for _, op := range r.Operations {
			planned[r.Name] = append(planned[r.Name], op.Description)
		}
	}
	if len(planned["product-0"]) < 3 || len(planned["backend-0"]) < 2 {
		t.Fatalf("plan of the changes made by hand: %q\n%+v", planned, results)
	}
	t.Logf("planned: %q", planned)
	h.startManager()
	for name, ops := range planned {
		h.waitEvent(name, "Warning DriftDetected", "reverting: "+strings.Join(ops, ", "))
	}
	h.eventually("a plan with nothing to do", func() error {
		results, err := planner.Plan(ctx, h.ns)
		if err != nil {
			return err
		}
		if dryrun.Changes(results) {
			return fmt.Errorf("%+v", results)
		}
		return nil
	})
}
