package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	corev1 "k8s.io/api/core/v1"

	"github.com/threescale-oss/operator/api"
	"github.com/threescale-oss/operator/pkg/export"
	"github.com/threescale-oss/operator/pkg/tenant"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// runExport exports a tenant as manifests: to stdout, or into --dir.
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	namespace := fs.String("n", "", "Export the tenant the objects of this namespace use (its provider-account Secret, read from the cluster).")
	adminURL := fs.String("admin-url", "", "Export the tenant of this admin URL (its token in "+TokenEnvVar+").")
	ref := fs.String("provider-account-ref", "", "The provider-account Secret the exported objects name in spec.providerAccountRef (with -n: the one read); unset, they use their namespace's default.")
	dir := fs.String("dir", "", "Write one file per object into this directory instead of one stream on standard output.")
	if err := fs.Parse(args); err != nil {
		return 1, err
	}
	var creds tenant.Credentials
	switch {
	case *adminURL != "" && *namespace == "":
		token := os.Getenv(TokenEnvVar)
		if token == "" {
			return 1, fmt.Errorf("--admin-url needs the access token of the tenant in %s", TokenEnvVar)
		}
		creds = tenant.NewCredentials(*adminURL, token, tenant.SecretKey{Name: TokenEnvVar})
	case *namespace != "" && *adminURL == "":
		scheme, err := api.NewScheme()
		if err != nil {
			return 1, err
		}
		c, err := clusterClient(scheme)
		if err != nil {
			return 1, err
		}
		var secret *corev1.LocalObjectReference
		if *ref != "" {
			secret = &corev1.LocalObjectReference{Name: *ref}
		}
		if creds, err = (tenant.Resolver{Reader: c}).Resolve(ctx, *namespace, secret); err != nil {
			return 1, err
		}
	default:
		return 1, errors.New("export needs -n NAMESPACE (the tenant its objects use) or --admin-url URL, not both")
	}
	c, err := threescale.New(creds.AdminURL, creds.AccessToken())
	if err != nil {
		return 1, err
	}
	res, err := export.Export(ctx, c, export.Options{ProviderAccountRef: *ref})
	if err != nil {
		return 1, fmt.Errorf("cannot export %s: %w", creds.AdminURL, err)
	}
	if *dir != "" {
		files, err := export.WriteDir(*dir, res.Objects)
		if err != nil {
			return 1, err
		}
		fmt.Fprintf(stderr, "wrote %d files into %s\n", len(files), *dir)
	} else if err := export.Write(stdout, res.Objects); err != nil {
		return 1, err
	}
	Report(stderr, res)
	return 0, nil
}

// Report tells what the user must know of an export: what it could not express, and the
// Secrets to create before applying.
func Report(w io.Writer, res *export.Result) {
	fmt.Fprintf(w, "exported %d objects from the tenant\n", len(res.Objects))
	if len(res.Unfaithful) > 0 {
		fmt.Fprintf(w, "a sync of the exported objects would still change 3scale (%d):\n", len(res.Unfaithful))
		for _, u := range res.Unfaithful {
			fmt.Fprintln(w, "  -", u)
		}
	}
	if len(res.SecretsToCreate) > 0 {
		fmt.Fprintln(w, "create these Secrets in the namespace before applying:")
		for _, s := range res.SecretsToCreate {
			fmt.Fprintln(w, "  -", s)
		}
	}
}
