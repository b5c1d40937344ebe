// Command kubectl-threescale is a kubectl plugin for the 3scale operator's capability objects.
//
//	kubectl threescale plan -n NAMESPACE [-o json]
//	kubectl threescale plan -f FILE [-f FILE ...] --admin-url URL [-o json]
//	kubectl threescale export -n NAMESPACE [--provider-account-ref SECRET] [--dir DIR]
//	kubectl threescale export --admin-url URL [--provider-account-ref SECRET] [--dir DIR]
//
// plan shows, for each Backend, Product, CustomPolicyDefinition, DeveloperAccount, DeveloperUser,
// Application, ApplicationAuth and ActiveDoc, what the operator's next sync would do in 3scale: create it, update it (with
// each operation), nothing, or why it cannot sync yet. It decides with the operator's own code and
// writes nothing, to 3scale or to the cluster. With -n it plans the objects of a namespace of the
// cluster of the current kubeconfig, with the tenant Secrets they name; with -f it plans manifests
// not applied yet against the tenant of --admin-url, whose access token it reads from the
// THREESCALE_TOKEN environment variable (never from a flag: flags show in process lists). The exit
// status is 0 when nothing would change, 2 when something would, 1 on error: a pipeline can gate
// on it (`-o json` for the details).
//
// export reads a tenant and writes manifests of its Backends, Products, ActiveDocs,
// CustomPolicyDefinitions, DeveloperAccounts, DeveloperUsers and Applications (with the Secrets
// they need that 3scale returns), one YAML stream on standard output for `kubectl apply -f -`, or
// one file per object with --dir. The tenant is the one the objects of namespace -n would use
// (its threescale-provider-account Secret, or the Secret --provider-account-ref names), or
// --admin-url with the token in THREESCALE_TOKEN. Applied where the operator syncs that tenant,
// the objects adopt what exists and write nothing; what the export could not express, and the
// password Secrets to create, are reported on standard error.
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

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/config"

	"github.com/threescale-oss/operator/api"
	"github.com/threescale-oss/operator/pkg/dryrun"
	"github.com/threescale-oss/operator/pkg/tenant"
)

// TokenEnvVar holds the access token of --admin-url.
const TokenEnvVar = "THREESCALE_TOKEN"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code, err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "kubectl-threescale:", err)
	}
	os.Exit(code)
}

// files collects repeated -f flags.
type files []string

func (f *files) String() string     { return strings.Join(*f, ",") }
func (f *files) Set(v string) error { *f = append(*f, v); return nil }

const usage = `usage:
  kubectl-threescale plan (-n NAMESPACE | -f FILE... --admin-url URL) [-o text|json]
  kubectl-threescale export (-n NAMESPACE | --admin-url URL) [--provider-account-ref SECRET] [--dir DIR]`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	if len(args) == 0 {
		return 1, errors.New(usage)
	}
	switch args[0] {
	case "plan":
		return runPlan(ctx, args[1:], stdout)
	case "export":
		return runExport(ctx, args[1:], stdout, stderr)
	}
	return 1, errors.New(usage)
}

func runPlan(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	var manifests files
	fs.Var(&manifests, "f", "A manifest file to plan (repeatable); - reads standard input.")
	namespace := fs.String("n", "", "The namespace whose objects to plan (with -f: the namespace of objects that name none; default \"default\").")
	adminURL := fs.String("admin-url", "", "With -f: the admin URL of the tenant to plan against (its token in "+TokenEnvVar+").")
	output := fs.String("o", "text", "Output: text or json.")
	if err := fs.Parse(args); err != nil {
		return 1, err
	}
	if *output != "text" && *output != "json" {
		return 1, fmt.Errorf("-o %q: text or json", *output)
	}
	scheme, err := api.NewScheme()
	if err != nil {
		return 1, err
	}
	planner := dryrun.Planner{Clients: &tenant.Clients{}}
	ns := *namespace
	switch {
	case len(manifests) > 0:
		token := os.Getenv(TokenEnvVar)
		if *adminURL == "" || token == "" {
			return 1, fmt.Errorf("-f plans against the tenant of --admin-url, with the access token in %s", TokenEnvVar)
		}
		if ns == "" {
			ns = "default"
		}
		var readers []io.Reader
		for _, name := range manifests {
			if name == "-" {
				readers = append(readers, os.Stdin)
				continue
			}
			f, err := os.Open(name)
			if err != nil {
				return 1, err
			}
			defer f.Close()
			readers = append(readers, f)
		}
		objs, err := dryrun.Decode(scheme, ns, readers...)
		if err != nil {
			return 1, err
		}
		planner.Client, planner.AssumeSynced = dryrun.FileClient(scheme, objs, *adminURL, token), true
	case ns != "":
		c, err := clusterClient(scheme)
		if err != nil {
			return 1, err
		}
		planner.Client = c
	default:
		return 1, errors.New("plan needs -n NAMESPACE (objects in the cluster) or -f FILE (manifests)")
	}
	results, err := planner.Plan(ctx, ns)
	if err != nil {
		return 1, err
	}
	if *output == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			return 1, err
		}
	} else {
		dryrun.Print(stdout, results)
	}
	if dryrun.Changes(results) {
		return 2, nil
	}
	return 0, nil
}

// clusterClient returns a client of the cluster of the current kubeconfig that cannot write: the
// plugin only reads, and a write would not land anyway.
func clusterClient(scheme *runtime.Scheme) (client.Client, error) {
	cfg, err := config.GetConfig()
	if err != nil {
		return nil, err
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, err
	}
	return client.NewDryRunClient(c), nil
}
