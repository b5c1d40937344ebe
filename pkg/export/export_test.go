package export_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/export"
	"github.com/threescale-oss/operator/pkg/export/exporttest"
	"github.com/threescale-oss/operator/pkg/threescale"
	"github.com/threescale-oss/operator/pkg/threescale/inmemory"
)

func newTenant(t *testing.T) (*inmemory.Server, *threescale.Client) {
	t.Helper()
	srv, tn := inmemory.NewTestServer(t)
	c, err := threescale.New(tn.AdminURL, tn.Token, threescale.WithMetricsRegisterer(prometheus.NewRegistry()))
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// TestExportIsFaithful exports a tenant filled by hand and checks, with the operator's own
// planners, that a sync of what was exported would change nothing; and that it only read.
func TestExportIsFaithful(t *testing.T) {
	srv, c := newTenant(t)
	ctx := context.Background()
	seeded, err := exporttest.Seed(ctx, c, 10, 5, false)
	if err != nil {
		t.Fatal(err)
	}
	srv.ResetCalls()
	res, err := export.Export(ctx, c, export.Options{ProviderAccountRef: "tenant-a"})
	if err != nil {
		t.Fatal(err)
	}
	for _, call := range srv.Calls() {
		if call.Method != "GET" {
			t.Errorf("the export wrote: %s %s", call.Method, call.Path)
		}
	}
	if len(res.Unfaithful) > 0 {
		t.Errorf("a sync of the export would still change:\n%s", strings.Join(res.Unfaithful, "\n"))
	}
	counts := map[string]int{}
	names := map[string]bool{}
	for _, obj := range res.Objects {
		kind := obj.GetObjectKind().GroupVersionKind().Kind
		counts[kind]++
		if errs := validation.IsDNS1123Label(obj.GetName()); len(errs) > 0 {
			t.Errorf("%s %q: %v", kind, obj.GetName(), errs)
		}
		if names[kind+"/"+obj.GetName()] {
			t.Errorf("%s %q exported twice", kind, obj.GetName())
		}
		names[kind+"/"+obj.GetName()] = true
		if obj.GetNamespace() != "" {
			t.Errorf("%s %q has namespace %q", kind, obj.GetName(), obj.GetNamespace())
		}
	}
	want := map[string]int{
		"Backend": len(seeded.Backends), "Product": len(seeded.Products), "ActiveDoc": seeded.ActiveDocs,
		"CustomPolicyDefinition": seeded.Policies, "DeveloperAccount": seeded.Accounts, "DeveloperUser": seeded.Users,
		"Application": seeded.Applications,
		// the OIDC issuer of the one OIDC product, and one document per ActiveDoc
		"Secret": 1 + seeded.ActiveDocs,
	}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("exported objects per kind (-want +got):\n%s", diff)
	}
	if len(res.SecretsToCreate) != seeded.Users {
		t.Errorf("secrets to create: %q, want one password per user", res.SecretsToCreate)
	}
	if !names["Backend/backend-1"] || !names["Backend/backend-1-2"] {
		t.Errorf("colliding names not told apart: %v", names)
	}
	for _, obj := range res.Objects {
		switch o := obj.(type) {
		case *capabilitiesv1beta1.Product:
			if o.Spec.ProviderAccountRef == nil || o.Spec.ProviderAccountRef.Name != "tenant-a" {
				t.Errorf("product %s: providerAccountRef %v", o.Name, o.Spec.ProviderAccountRef)
			}
			if auth := o.Spec.Authentication(); auth != nil && auth.OIDC != nil && auth.OIDC.IssuerEndpoint != "" {
				t.Errorf("product %s: the issuer endpoint (a credential) is in the spec", o.Name)
			}
		case *corev1.Secret:
			if strings.HasSuffix(o.Name, "-oidc-issuer") && !strings.Contains(o.StringData["issuerEndpoint"], "client:secret@") {
				t.Errorf("secret %s: %v", o.Name, o.StringData)
			}
		case *capabilitiesv1beta1.DeveloperUser:
			if o.Annotations[capabilitiesv1beta1.DeveloperUserIDAnnotation] == "" {
				t.Errorf("user %s names no 3scale user", o.Name)
			}
		}
	}
	var out bytes.Buffer
	if err := export.Write(&out, res.Objects); err != nil {
		t.Fatal(err)
	}
	for _, unwanted := range []string{"status:", "creationTimestamp"} {
		if strings.Contains(out.String(), unwanted) {
			t.Errorf("manifests hold %q", unwanted)
		}
	}
	if n := strings.Count(out.String(), "\n---\n"); n != len(res.Objects)-1 {
		t.Errorf("%d separators for %d objects", n, len(res.Objects))
	}
}

// TestExportReportsWhatItCannotExpress: a limit on a metric of a backend the product no longer
// uses cannot be written in a Product; the export says a sync would delete it.
func TestExportReportsWhatItCannotExpress(t *testing.T) {
	_, c := newTenant(t)
	ctx := context.Background()
	if _, err := exporttest.Seed(ctx, c, 1, 1, true); err != nil {
		t.Fatal(err)
	}
	products, err := c.ListProducts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	usages, err := c.ListBackendUsages(ctx, products[0].ID)
	if err != nil || len(usages) != 1 {
		t.Fatal(usages, err)
	}
	if err := c.DeleteBackendUsage(ctx, products[0].ID, usages[0].ID); err != nil {
		t.Fatal(err)
	}
	res, err := export.Export(ctx, c, export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(res.Unfaithful, "\n")
	if !strings.Contains(joined, "delete limit") || !strings.Contains(joined, "Product product-0") {
		t.Errorf("unfaithful: %q", joined)
	}
}
