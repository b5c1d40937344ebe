package dryrun

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/threescale-oss/operator/api"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/tenant"
	"github.com/threescale-oss/operator/pkg/threescale"
	"github.com/threescale-oss/operator/pkg/threescale/inmemory"
)

func samples(t *testing.T, names ...string) []*os.File {
	t.Helper()
	var out []*os.File
	for _, n := range names {
		f, err := os.Open(filepath.Join("..", "..", "config", "samples", n))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		out = append(out, f)
	}
	return out
}

// TestPlanManifests plans the sample Backend and Product against a tenant holding a backend of
// that system name: the Backend is an update (its metrics, methods and rules), the Product a
// create; the plan makes no write. Running the Backend's planned operations (as a sync does) leaves
// nothing to plan for it, and the Product is then planned against its ID.
func TestPlanManifests(t *testing.T) {
	srv, tn := inmemory.NewTestServer(t)
	ctx := context.Background()
	tc, err := threescale.New(tn.AdminURL, tn.Token)
	if err != nil {
		t.Fatal(err)
	}
	name, sys, url := "Hand made", "backend1", "https://api.example.com"
	if _, err := tc.CreateBackend(ctx, threescale.BackendParams{Name: &name, SystemName: &sys, PrivateEndpoint: &url}); err != nil {
		t.Fatal(err)
	}
	scheme, err := api.NewScheme()
	if err != nil {
		t.Fatal(err)
	}
	fs := samples(t, "capabilities_v1beta1_backend.yaml", "capabilities_v1beta1_product.yaml")
	objs, err := Decode(scheme, "default", fs[0], fs[1])
	if err != nil {
		t.Fatal(err)
	}
	p := Planner{Client: FileClient(scheme, objs, tn.AdminURL, tn.Token), Clients: &tenant.Clients{}, AssumeSynced: true}

	srv.ResetCalls()
	results, err := p.Plan(ctx, "default")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range srv.Calls() {
		if c.Method != "GET" {
			t.Errorf("the plan wrote: %s %s", c.Method, c.Path)
		}
	}
	byKind := map[string]Result{}
	for _, r := range results {
		byKind[r.Kind] = r
	}
	b, pr := byKind["Backend"], byKind["Product"]
	if b.Action != external.ActionUpdate || b.ID == 0 || len(b.Operations) == 0 {
		t.Fatalf("Backend plan = %+v, want an update of the existing backend", b)
	}
	descriptions := strings.Join(planning.Descriptions(b.Planned.Operations), "\n")
	for _, want := range []string{"create_pet", "/pets"} {
		if !strings.Contains(descriptions, want) {
			t.Errorf("the Backend's operations do not name %q:\n%s", want, descriptions)
		}
	}
	if pr.Action != external.ActionCreate {
		t.Errorf("Product plan = %+v, want create", pr)
	}
	if !Changes(results) {
		t.Error("a plan with an update and a create changes nothing")
	}

	// The Backend's planned operations are its sync: once run, nothing is left to plan.
	if _, err := planning.Execute(ctx, tc, b.Planned.Operations); err != nil {
		t.Fatal(err)
	}
	objs, err = Decode(scheme, "default", samples(t, "capabilities_v1beta1_backend.yaml")[0])
	if err != nil {
		t.Fatal(err)
	}
	p.Client = FileClient(scheme, objs, tn.AdminURL, tn.Token)
	again, err := p.Plan(ctx, "default")
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 1 || again[0].Action != external.ActionNone || len(again[0].Operations) != 0 {
		t.Errorf("after its planned sync, the Backend plans %+v", again)
	}
	var out strings.Builder
	Print(&out, results)
	if !strings.Contains(out.String(), "backend/backend1: update (3scale ID") || !strings.Contains(out.String(), "product/product1: create") {
		t.Errorf("printed plan:\n%s", out.String())
	}
}

// TestDecodeNamesTheDocument: a document the scheme does not know is an error naming it.
func TestDecodeNamesTheDocument(t *testing.T) {
	scheme, err := api.NewScheme()
	if err != nil {
		t.Fatal(err)
	}
	_, err = Decode(scheme, "ns", strings.NewReader("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n---\napiVersion: example.com/v1\nkind: Nope\nmetadata: {name: n}\n"))
	if err == nil || !strings.Contains(err.Error(), "document 2") {
		t.Errorf("error %v, want one naming document 2", err)
	}
}
