package main

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/threescale-oss/operator/pkg/dryrun"
	"github.com/threescale-oss/operator/pkg/threescale/inmemory"
)

// TestPlanFiles runs the plugin as a user does on the sample Backend against an empty tenant:
// exit status 2 (a change), the text says it would be created, the JSON says so too, and the
// token given in the environment is never printed.
func TestPlanFiles(t *testing.T) {
	srv, tn := inmemory.NewTestServer(t)
	t.Setenv(TokenEnvVar, tn.Token)
	const file = "../../config/samples/capabilities_v1beta1_backend.yaml"
	var out strings.Builder
	code, err := run(context.Background(), []string{"plan", "-f", file, "--admin-url", tn.AdminURL}, &out, io.Discard)
	if err != nil || code != 2 {
		t.Fatalf("exit %d, %v", code, err)
	}
	if !strings.Contains(out.String(), "backend/backend1: create in "+tn.AdminURL) {
		t.Errorf("text plan:\n%s", out.String())
	}
	out.Reset()
	code, err = run(context.Background(), []string{"plan", "-f", file, "--admin-url", tn.AdminURL, "-o", "json"}, &out, io.Discard)
	if err != nil || code != 2 {
		t.Fatalf("exit %d, %v", code, err)
	}
	var results []dryrun.Result
	if err := json.Unmarshal([]byte(out.String()), &results); err != nil || len(results) != 1 || results[0].Action != "create" || results[0].Kind != "Backend" {
		t.Errorf("JSON plan %s (%v)", out.String(), err)
	}
	if strings.Contains(out.String(), tn.Token) {
		t.Error("the plan printed the token")
	}
	for _, c := range srv.Calls() {
		if c.Method != "GET" {
			t.Errorf("the plan wrote: %s %s", c.Method, c.Path)
		}
	}
}

// TestPlanUsage: no tenant for files, or nothing to plan, is an error (exit 1).
func TestPlanUsage(t *testing.T) {
	t.Setenv(TokenEnvVar, "")
	for _, args := range [][]string{{}, {"plan"}, {"plan", "-f", "x.yaml", "--admin-url", "https://t"}, {"plan", "-n", "ns", "-o", "yaml"}} {
		var out strings.Builder
		if code, err := run(context.Background(), args, &out, io.Discard); code != 1 || err == nil {
			t.Errorf("%v: exit %d, %v", args, code, err)
		}
	}
}
