package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/threescale-oss/operator/pkg/export/exporttest"
	"github.com/threescale-oss/operator/pkg/threescale"
	"github.com/threescale-oss/operator/pkg/threescale/inmemory"
)

// TestExportThenPlan exports a tenant filled by hand, then plans the exported manifests against
// the same tenant, as a user checks an export before applying it: the plan finds nothing to do
// (exit 0). Neither writes, and neither prints the token.
func TestExportThenPlan(t *testing.T) {
	srv, tn := inmemory.NewTestServer(t)
	c, err := threescale.New(tn.AdminURL, tn.Token, threescale.WithMetricsRegisterer(prometheus.NewRegistry()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := exporttest.Seed(ctx, c, 4, 3, true); err != nil {
		t.Fatal(err)
	}
	srv.ResetCalls()
	t.Setenv(TokenEnvVar, tn.Token)
	var out, report strings.Builder
	code, err := run(ctx, []string{"export", "--admin-url", tn.AdminURL}, &out, &report)
	if err != nil || code != 0 {
		t.Fatalf("export: exit %d, %v\n%s", code, err, report.String())
	}
	if strings.Contains(report.String(), "would still change") {
		t.Errorf("export report:\n%s", report.String())
	}
	if !strings.Contains(report.String(), "password") {
		t.Errorf("the report does not list the password Secrets to create:\n%s", report.String())
	}
	file := filepath.Join(t.TempDir(), "tenant.yaml")
	if err := os.WriteFile(file, []byte(out.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var plan strings.Builder
	code, err = run(ctx, []string{"plan", "-f", file, "--admin-url", tn.AdminURL}, &plan, &report)
	if err != nil || code != 0 {
		t.Errorf("plan of the export: exit %d, %v\n%s", code, err, plan.String())
	}
	for _, kind := range []string{"backend/backend-0: none", "product/product-2: none", "developeraccount/dev-corp-1: none", "developeruser/dev-corp-1-member1: none", "application/dev-corp-0-app-0: none", "activedoc/petstore: none", "activedoc/notes: none"} {
		if !strings.Contains(plan.String(), kind) {
			t.Errorf("plan lacks %q:\n%s", kind, plan.String())
		}
	}
	for _, call := range srv.Calls() {
		if call.Method != "GET" {
			t.Errorf("wrote: %s %s", call.Method, call.Path)
		}
	}
	if strings.Contains(out.String()+report.String()+plan.String(), tn.Token) {
		t.Error("the token was printed")
	}

	// An ApplicationAuth added to the export plans the user key it would set.
	auth := out.String() + `---
apiVersion: v1
kind: Secret
metadata: {name: app-keys}
stringData: {UserKey: rotated-user-key}
---
apiVersion: capabilities.3scale.net/v1beta1
kind: ApplicationAuth
metadata: {name: app-auth}
spec: {applicationCRName: dev-corp-1-app-1, authSecretRef: {name: app-keys}}
`
	if err := os.WriteFile(file, []byte(auth), 0o600); err != nil {
		t.Fatal(err)
	}
	plan.Reset()
	code, err = run(ctx, []string{"plan", "-f", file, "--admin-url", tn.AdminURL}, &plan, &report)
	if err != nil || code != 2 || !strings.Contains(plan.String(), "applicationauth/app-auth: update") {
		t.Errorf("plan of an ApplicationAuth: exit %d, %v\n%s", code, err, plan.String())
	}
	if strings.Contains(plan.String(), "rotated-user-key") {
		t.Error("the plan printed a key")
	}

	dir := t.TempDir()
	if code, err := run(ctx, []string{"export", "--admin-url", tn.AdminURL, "--dir", dir}, &out, &report); err != nil || code != 0 {
		t.Fatalf("export --dir: exit %d, %v", code, err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if len(files) != strings.Count(out.String(), "\nkind: ") {
		t.Errorf("%d files for %d objects", len(files), strings.Count(out.String(), "\nkind: "))
	}
	for _, call := range srv.Calls() {
		if call.Method != "GET" {
			t.Errorf("wrote: %s %s", call.Method, call.Path)
		}
	}
}

// TestExportUsage: a tenant is needed, by namespace or URL, not both; a URL needs its token.
func TestExportUsage(t *testing.T) {
	t.Setenv(TokenEnvVar, "")
	for _, args := range [][]string{{"export"}, {"export", "--admin-url", "https://t"}, {"export", "-n", "ns", "--admin-url", "https://t"}} {
		var out strings.Builder
		if code, err := run(context.Background(), args, &out, &out); code != 1 || err == nil {
			t.Errorf("%v: exit %d, %v", args, code, err)
		}
	}
}
