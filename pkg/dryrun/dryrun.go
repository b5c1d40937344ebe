// Package dryrun plans capability objects without syncing them: for each object of a namespace,
// what the operator's next sync would do in 3scale (create, the operations of an update, nothing,
// or why it cannot sync yet), decided by the operator's own kinds (Check, Connect, Find, Observe:
// external.PlanObject), with no write to 3scale or to the cluster. `kubectl-threescale plan` runs
// it on the objects of a namespace or of manifest files.
package dryrun

import (
	"context"
	"fmt"
	"io"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/threescale-oss/operator/pkg/capabilities/activedoc"
	"github.com/threescale-oss/operator/pkg/capabilities/application"
	"github.com/threescale-oss/operator/pkg/capabilities/backend"
	"github.com/threescale-oss/operator/pkg/capabilities/custompolicy"
	"github.com/threescale-oss/operator/pkg/capabilities/developer"
	"github.com/threescale-oss/operator/pkg/capabilities/product"
	"github.com/threescale-oss/operator/pkg/document"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/tenant"
)

// Result is the plan of one object.
type Result struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	external.Planned
	Operations []Operation `json:"operations,omitempty"`
}

// Operation is one write a sync would make.
type Operation struct {
	Verb        string `json:"verb"`
	Entity      string `json:"entity"`
	Key         string `json:"key"`
	Description string `json:"description"`
}

// Planner plans the objects Client reads.
type Planner struct {
	// Client reads the objects, and the Secrets they reference.
	Client client.Client
	// Clients holds the 3scale clients.
	Clients *tenant.Clients
	// AssumeSynced makes a planned object whose entity exists in 3scale count as synced (with its
	// ID) for the objects planned after it, as it would be once synced: a Backend for its
	// Products, a Product and a DeveloperAccount for their users and applications. For objects
	// read from files, which have no status. It writes that status to Client, which must then be
	// an in-memory one.
	AssumeSynced bool
}

// Plan plans every capability object of namespace that the plan covers (Backends first, then
// Products, CustomPolicyDefinitions, DeveloperAccounts, DeveloperUsers, Applications,
// ApplicationAuths and ActiveDocs), in name order within a kind. OpenAPI (which makes Kubernetes
// objects), ProxyConfigPromote (a one-shot promotion) and Tenant (the master API) are not
// planned.
func (p Planner) Plan(ctx context.Context, namespace string) ([]Result, error) {
	tenants := external.Tenants{Resolver: tenant.Resolver{Reader: p.Client}, Clients: p.Clients}
	secrets := tenant.SecretReader{Metadata: p.Client, Reader: p.Client}
	var out []Result
	backends := backend.Kind{Reader: p.Client, Tenants: tenants}
	products := product.Kind{Backends: p.Client, Secrets: secrets, Tenants: tenants}
	accounts := developer.AccountKind{Users: p.Client, Secrets: secrets, Tenants: tenants}
	applications := application.Kind{Objects: p.Client, Secrets: secrets, Tenants: tenants}
	fetcher, err := document.NewFetcher()
	if err != nil {
		return nil, err
	}
	activeDocs := activedoc.Kind{Products: p.Client, Documents: document.Loader{Secrets: secrets, Fetcher: fetcher}, Tenants: tenants}
	steps := []func() ([]Result, error){
		func() ([]Result, error) {
			return planKind(ctx, p.Client, namespace, "Backend", backends, assume(p, backends))
		},
		func() ([]Result, error) {
			return planKind(ctx, p.Client, namespace, "Product", products, assume(p, products))
		},
		func() ([]Result, error) {
			return planKind(ctx, p.Client, namespace, "CustomPolicyDefinition", custompolicy.Kind{Products: p.Client, Tenants: tenants}, nil)
		},
		func() ([]Result, error) {
			return planKind(ctx, p.Client, namespace, "DeveloperAccount", accounts, assume(p, accounts))
		},
		func() ([]Result, error) {
			return planKind(ctx, p.Client, namespace, "DeveloperUser", developer.UserKind{Accounts: p.Client, Secrets: secrets, Tenants: tenants}, nil)
		},
		func() ([]Result, error) {
			return planKind(ctx, p.Client, namespace, "Application", applications, assume(p, applications))
		},
		func() ([]Result, error) {
			// Its writer only generates credentials into a Secret, on a client that cannot write.
			auth := application.AuthKind{Objects: p.Client, Secrets: secrets, Writer: p.Client, Tenants: tenants}
			return planKind(ctx, p.Client, namespace, "ApplicationAuth", auth, nil)
		},
		func() ([]Result, error) {
			return planKind(ctx, p.Client, namespace, "ActiveDoc", activeDocs, nil)
		},
	}
	for _, step := range steps {
		rs, err := step()
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

// planKind plans every object of kind in namespace; then runs after, if any, on each.
func planKind[T client.Object](ctx context.Context, c client.Client, namespace, kindName string, kind external.Kind[T], after func(context.Context, T, external.Planned) error) ([]Result, error) {
	list := kind.NewList()
	if err := c.List(ctx, list, client.InNamespace(namespace)); err != nil {
		return nil, fmt.Errorf("cannot list the %ss of namespace %s: %w", kindName, namespace, err)
	}
	items, err := meta.ExtractList(list)
	if err != nil {
		return nil, err
	}
	var out []Result
	for _, item := range items {
		obj, ok := item.(T)
		if !ok {
			return nil, fmt.Errorf("unexpected %T in the list of %ss", item, kindName)
		}
		if !obj.GetDeletionTimestamp().IsZero() {
			continue
		}
		planned := external.PlanObject(ctx, kind, obj)
		r := Result{Kind: kindName, Namespace: obj.GetNamespace(), Name: obj.GetName(), Planned: planned}
		for _, op := range planned.Operations {
			r.Operations = append(r.Operations, Operation{Verb: string(op.Verb), Entity: op.Entity, Key: op.Key, Description: op.Description})
		}
		out = append(out, r)
		if after != nil {
			if err := after(ctx, obj, planned); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// assume returns, with AssumeSynced, what records an object of kind found in 3scale as the
// sync would leave it (with its ID, Synced and Ready), so that the objects planned after it that
// depend on it (a Product on its Backends, users and applications on their account, applications
// on their product) plan against it; nil without AssumeSynced. It writes that status to Client,
// which must then be an in-memory one.
func assume[T client.Object](p Planner, kind external.Kind[T]) func(context.Context, T, external.Planned) error {
	if !p.AssumeSynced {
		return nil
	}
	return func(ctx context.Context, obj T, planned external.Planned) error {
		if planned.ID == 0 {
			return nil
		}
		// What the kind's Observe recorded in obj's status (a Backend's metricsDigest) stays.
		external.AssumeSynced(kind, obj, planned)
		return p.Client.Status().Update(ctx, obj)
	}
}

// Changes tells whether a sync of the planned objects would write to 3scale.
func Changes(results []Result) bool {
	for _, r := range results {
		if r.Action == external.ActionCreate || r.Action == external.ActionUpdate {
			return true
		}
	}
	return false
}

// Print writes results for a person: one line per object, one more per operation.
func Print(w io.Writer, results []Result) {
	if len(results) == 0 {
		fmt.Fprintln(w, "no capability object to plan")
		return
	}
	for _, r := range results {
		line := fmt.Sprintf("%s/%s: %s", strings.ToLower(r.Kind), r.Name, r.Action)
		switch {
		case r.Message != "":
			line += ": " + r.Message
		case r.ID != 0:
			line += fmt.Sprintf(" (3scale ID %d at %s)", r.ID, r.Location)
		case r.Action == external.ActionCreate:
			line += " in " + r.Location
		}
		fmt.Fprintln(w, line)
		for _, op := range r.Operations {
			fmt.Fprintf(w, "  - %s\n", op.Description)
		}
	}
}
