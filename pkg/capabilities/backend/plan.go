package backend

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// EntityBackend is the planning entity of the backend itself.
const EntityBackend = "backend"

// Desired is what a Backend resource asks of 3scale, defaults applied.
type Desired struct {
	// SystemName identifies the backend in its tenant.
	SystemName string
	// Name, Description and PrivateEndpoint are the backend's attributes.
	Name, Description, PrivateEndpoint string
	// Children are its metrics, methods and mapping rules.
	Children planning.Desired
}

// NewDesired returns what b asks for. The spec is not modified.
func NewDesired(b *capabilitiesv1beta1.Backend) Desired {
	return Desired{
		SystemName:      b.SystemNameOrDefault(),
		Name:            b.Spec.Name,
		Description:     b.Spec.Description,
		PrivateEndpoint: b.Spec.PrivateBaseURL,
		Children: planning.Desired{
			Metrics:      b.Spec.MetricsWithHits(),
			Methods:      b.Spec.Methods,
			MappingRules: b.Spec.MappingRules,
		},
	}
}

// Validate checks what can be checked without 3scale: that metric and method names do not clash
// and that every mapping rule counts a metric or method the resource lists. It returns a
// *planning.InvalidError naming the field at fault.
func (d Desired) Validate() error {
	_, err := planning.PlanOwner(planning.BackendOwner(0), d.Children, planning.Observed{})
	return err
}

// Plan returns the operations that make 3scale match d, in order; none when it does. When the
// backend does not exist, the plan is its creation alone, and created receives its ID when it
// runs: its metrics and mapping rules are planned once 3scale has given it its hits metric.
func Plan(d Desired, o *Observed, created func(id int64)) ([]planning.Operation, error) {
	if o.Backend == nil {
		return []planning.Operation{createBackend(d, created)}, nil
	}
	var ops []planning.Operation
	if op, changed := updateBackend(d, o.Backend); changed {
		ops = append(ops, op)
	}
	children, err := planning.PlanOwner(planning.BackendOwner(o.Backend.ID), d.Children, o.Children)
	if err != nil {
		return nil, err
	}
	return append(ops, children...), nil
}

func createBackend(d Desired, created func(id int64)) planning.Operation {
	name, systemName, description, endpoint := d.Name, d.SystemName, d.Description, d.PrivateEndpoint
	return planning.Operation{
		Verb: planning.VerbCreate, Entity: EntityBackend, Key: systemName,
		Description: fmt.Sprintf("create backend %q", systemName),
		Run: func(ctx context.Context, c *threescale.Client) error {
			b, err := c.CreateBackend(ctx, threescale.BackendParams{
				Name: &name, SystemName: &systemName, Description: &description, PrivateEndpoint: &endpoint,
				Annotations: planning.ManagedBy,
			})
			if err != nil {
				return err
			}
			if created != nil {
				created(b.ID)
			}
			return nil
		},
	}
}

// updateBackend returns the update that gives have d's attributes, and whether any differs.
func updateBackend(d Desired, have *threescale.Backend) (planning.Operation, bool) {
	var p threescale.BackendUpdateParams
	var changed []string
	name, description, endpoint := d.Name, d.Description, d.PrivateEndpoint
	if have.Name != name {
		p.Name, changed = &name, append(changed, "name")
	}
	if have.Description != description {
		p.Description, changed = &description, append(changed, "description")
	}
	if !sameEndpoint(have.PrivateEndpoint, endpoint) {
		p.PrivateEndpoint, changed = &endpoint, append(changed, "private endpoint")
	}
	if !planning.Stamped(have.Annotations) {
		p.Annotations, changed = planning.ManagedBy, append(changed, "annotations")
	}
	if len(changed) == 0 {
		return planning.Operation{}, false
	}
	id := have.ID
	return planning.Operation{
		Verb: planning.VerbUpdate, Entity: EntityBackend, Key: d.SystemName,
		Description: fmt.Sprintf("update backend %q: %s", d.SystemName, strings.Join(changed, ", ")),
		Run: func(ctx context.Context, c *threescale.Client) error {
			_, err := c.UpdateBackend(ctx, id, p)
			return err
		},
	}, true
}

// sameEndpoint compares private endpoints as 3scale stores them: it adds the scheme's default
// port ("https://api.example.com" is kept as "https://api.example.com:443").
func sameEndpoint(have, want string) bool {
	if have == want {
		return true
	}
	h, okH := normalizeEndpoint(have)
	w, okW := normalizeEndpoint(want)
	return okH && okW && h == w
}

func normalizeEndpoint(s string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Host == "" {
		return "", false
	}
	u.Scheme = strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch u.Scheme {
		case "http", "ws":
			port = "80"
		case "https", "wss":
			port = "443"
		}
	}
	u.Host = net.JoinHostPort(strings.ToLower(u.Hostname()), port)
	return u.String(), true
}
