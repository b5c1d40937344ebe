// Command threescale-inmemory runs the in-memory 3scale of package
// github.com/threescale-oss/operator/pkg/threescale/inmemory as a process, for the local demo
// and for trying the operator by hand.
//
// It starts the master account's listener, creates the tenants asked for, each on its own
// listener, prints where they are as one JSON object on standard output, and serves until it
// gets SIGINT or SIGTERM:
//
//	threescale-inmemory --master-addr 127.0.0.1:3000 --tenant demo=127.0.0.1:3001 --latency 50ms
//
// prints
//
//	{"masterURL":"http://127.0.0.1:3000","masterToken":"…","tenants":[{"id":2,"name":"demo","adminURL":"http://127.0.0.1:3001","token":"…"}]}
//
// It reads no environment variables.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/threescale-oss/operator/pkg/threescale/inmemory"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "threescale-inmemory:", err)
		os.Exit(1)
	}
}

// tenantFlag collects --tenant name[=host:port] flags.
type tenantFlag []tenantSpec

type tenantSpec struct{ name, addr string }

func (f *tenantFlag) String() string {
	parts := make([]string, 0, len(*f))
	for _, t := range *f {
		parts = append(parts, t.name+"="+t.addr)
	}
	return strings.Join(parts, ",")
}

func (f *tenantFlag) Set(v string) error {
	name, addr, _ := strings.Cut(v, "=")
	if name == "" {
		return errors.New("tenant name is empty")
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	*f = append(*f, tenantSpec{name: name, addr: addr})
	return nil
}

// endpoints is what the command prints: enough for a script to make provider-account secrets.
type endpoints struct {
	MasterURL   string   `json:"masterURL"`
	MasterToken string   `json:"masterToken"`
	Tenants     []tenant `json:"tenants"`
}

type tenant struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	AdminURL string `json:"adminURL"`
	Token    string `json:"token"`
}

// run starts the server as args say, writes its endpoints to stdout and serves until ctx ends.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("threescale-inmemory", flag.ContinueOnError)
	masterAddr := fs.String("master-addr", "127.0.0.1:0", "host:port of the master account's admin API")
	latency := fs.Duration("latency", 0, "latency added to every request, e.g. 50ms, to behave like a real 3scale")
	var tenants tenantFlag
	fs.Var(&tenants, "tenant", "a tenant to create, as name or name=host:port (repeatable; default one tenant named \"3scale\")")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if len(tenants) == 0 {
		tenants = tenantFlag{{name: "3scale", addr: "127.0.0.1:0"}}
	}
	if *latency < 0 {
		return errors.New("--latency must not be negative")
	}

	srv := inmemory.New(inmemory.WithMasterAddr(*masterAddr), inmemory.WithLatency(*latency))
	if err := srv.Start(); err != nil {
		return err
	}
	defer srv.Close()
	out := endpoints{MasterURL: srv.MasterURL(), MasterToken: srv.MasterToken()}
	for _, t := range tenants {
		tn, err := srv.CreateTenantAt(t.name, t.addr)
		if err != nil {
			return err
		}
		out.Tenants = append(out.Tenants, tenant{ID: tn.ID, Name: tn.Name, AdminURL: tn.AdminURL, Token: tn.Token})
	}
	if err := json.NewEncoder(stdout).Encode(out); err != nil {
		return err
	}
	<-ctx.Done()
	return nil // the deferred Close stops the listeners and releases hung requests
}
