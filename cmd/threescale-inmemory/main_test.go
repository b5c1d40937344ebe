package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRunPrintsEndpointsAndServes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"--tenant", "alpha", "--tenant", "beta", "--latency", "1ms"}, pw) }()

	var ep endpoints
	if err := json.NewDecoder(pr).Decode(&ep); err != nil {
		t.Fatalf("decode output: %v", err)
	}
	if !strings.HasPrefix(ep.MasterURL, "http://127.0.0.1:") || ep.MasterToken == "" || len(ep.Tenants) != 2 {
		t.Fatalf("endpoints: %+v", ep)
	}
	for _, tn := range ep.Tenants {
		res, err := http.Get(tn.AdminURL + "/admin/api/services.json?access_token=" + tn.Token)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("tenant %s answered %d", tn.Name, res.StatusCode)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	if _, err := http.Get(ep.MasterURL + "/admin/api/services.json"); err == nil {
		t.Error("master still answers after run returned")
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--latency", "-1s"},
		{"--tenant", "=127.0.0.1:0"},
		{"stray"},
		{"--master-addr", "not-an-address"},
	} {
		if err := run(context.Background(), args, io.Discard); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
}
