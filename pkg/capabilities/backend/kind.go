package backend

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/tenant"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// Finalizer keeps a Backend until its 3scale backend is deleted. It is the name the 3scale
// operator that Red Hat ships uses, so Backends it created are released by this operator.
const Finalizer = "backend.capabilities.3scale.net/finalizer"

// ReasonInUse is the condition reason of a deletion that waits for products to stop using the
// backend.
const ReasonInUse = "BackendInUse"

// Kind adapts Backend to the generic loop.
type Kind struct {
	// Reader lists the Products of the namespace, to tell which ones still use a backend that is
	// being deleted.
	Reader client.Reader
	// Tenants connects a Backend to its tenant.
	Tenants external.Tenants
}

var _ external.Kind[*capabilitiesv1beta1.Backend] = Kind{}

// New returns an empty Backend.
func (Kind) New() *capabilitiesv1beta1.Backend { return &capabilitiesv1beta1.Backend{} }

// NewList returns an empty BackendList.
func (Kind) NewList() client.ObjectList { return &capabilitiesv1beta1.BackendList{} }

// Finalizer returns Finalizer.
func (Kind) Finalizer() string { return Finalizer }

// Conditions are Synced (with Ready), Invalid and Failed: a Backend references nothing but its
// tenant, so it has no Orphan condition.
func (Kind) Conditions() external.ConditionSet { return external.ConditionSet{Synced: true} }

// Status returns the status fields the loop sets.
func (Kind) Status(b *capabilitiesv1beta1.Backend) external.Status {
	return external.Status{
		Conditions:         &b.Status.Conditions,
		ObservedGeneration: &b.Status.ObservedGeneration,
		ID:                 &b.Status.ID,
		Location:           &b.Status.ProviderAccountHost,
	}
}

// SecretNames returns the Secrets of its namespace a Backend's tenant may be read from.
func SecretNames(b *capabilitiesv1beta1.Backend) []string {
	return tenant.SecretNames(b.Spec.ProviderAccountRef)
}

// Check validates b without calling 3scale: metric and method names, mapping rules' metrics and
// patterns.
func (Kind) Check(_ context.Context, b *capabilitiesv1beta1.Backend) error {
	if err := NewDesired(b).Validate(); err != nil {
		return &external.InvalidError{Message: err.Error()}
	}
	return nil
}

// Connect returns the External of b in its tenant.
func (k Kind) Connect(ctx context.Context, b *capabilitiesv1beta1.Backend) (external.External[*capabilitiesv1beta1.Backend], error) {
	return external.ConnectTenant(ctx, k.Tenants, b, b.Spec.ProviderAccountRef, func(c *threescale.Client) external.External[*capabilitiesv1beta1.Backend] {
		return &ext{kind: k, InTenant: external.InTenant{C: c}}
	})
}

// ext mirrors one Backend through one tenant's client.
type ext struct {
	kind Kind
	external.InTenant
}

// Find returns the ID of the backend with b's system name, 0 when there is none.
func (e *ext) Find(ctx context.Context, b *capabilitiesv1beta1.Backend) (int64, error) {
	return external.FindByKey(ctx, e.C.ListBackends, b.SystemNameOrDefault())
}

// Observe reads the backend id and plans what differs. A backend whose system name is not b's
// (3scale cannot rename one) is not b's backend.
func (e *ext) Observe(ctx context.Context, b *capabilitiesv1beta1.Backend, id int64) (external.Observation, error) {
	d := NewDesired(b)
	// Written with the conditions this pass concludes with: a Product naming this backend's
	// metrics waits while it differs from the spec's, and is woken when it changes.
	b.Status.MetricsDigest = MetricsDigest(&b.Spec)
	o, err := Observe(ctx, e.C, d.SystemName, id)
	if err != nil || o.Backend == nil {
		return external.Observation{}, err
	}
	ops, err := Plan(d, o, nil)
	if err != nil {
		return external.Observation{}, invalid(err)
	}
	return external.Observation{Exists: true, Operations: ops}, nil
}

// Create creates the backend, without its metrics and mapping rules: they are planned once 3scale
// has given it its hits metric.
func (e *ext) Create(ctx context.Context, b *capabilitiesv1beta1.Backend) (int64, error) {
	var id int64
	_, err := planning.Execute(ctx, e.C, []planning.Operation{createBackend(NewDesired(b), func(v int64) { id = v })})
	return id, invalid(err)
}

// Delete deletes the backend id from 3scale, unless a Product of the namespace still uses it: 3scale
// would refuse, and the Product's own sync has to drop the usage first.
func (e *ext) Delete(ctx context.Context, b *capabilitiesv1beta1.Backend, id int64) error {
	systemName := b.SystemNameOrDefault()
	users, err := e.kind.productsUsing(ctx, b, systemName)
	if err != nil {
		return err
	}
	if len(users) > 0 {
		return &external.WaitingError{Reason: ReasonInUse, Message: fmt.Sprintf(
			"backend %q is used by Product %s (spec.backendUsages); it is deleted from 3scale once no product uses it",
			systemName, strings.Join(users, ", "))}
	}
	err = e.C.DeleteBackend(ctx, id)
	switch {
	case threescale.IsNotFound(err):
		return nil
	case external.Classify(err) == external.Waiting:
		// A product that no Product object manages (made in the Admin Portal) still uses it.
		return &external.WaitingError{Reason: ReasonInUse, Message: fmt.Sprintf("3scale refuses to delete backend %q: %v", systemName, err)}
	}
	return err
}

// productsUsing returns the names of the Products in b's namespace, with b's provider account,
// whose backendUsages name systemName.
func (k Kind) productsUsing(ctx context.Context, b *capabilitiesv1beta1.Backend, systemName string) ([]string, error) {
	if k.Reader == nil {
		return nil, nil
	}
	var products capabilitiesv1beta1.ProductList
	if err := k.Reader.List(ctx, &products, client.InNamespace(b.Namespace), client.UnsafeDisableDeepCopy); err != nil { // read only: names
		return nil, fmt.Errorf("cannot list Products: %w", err)
	}
	var users []string
	for i := range products.Items {
		p := &products.Items[i]
		if _, uses := p.Spec.BackendUsages[systemName]; !uses || !tenant.SameProviderAccount(p.Spec.ProviderAccountRef, b.Spec.ProviderAccountRef) {
			continue
		}
		users = append(users, fmt.Sprintf("%q", p.Name))
	}
	slices.Sort(users)
	return users, nil
}

// invalid turns a planner's *planning.InvalidError into the loop's *external.InvalidError; other
// errors pass unchanged.
func invalid(err error) error {
	if err != nil && planning.IsInvalid(err) {
		return &external.InvalidError{Message: err.Error()}
	}
	return err
}

// MetricsDigest identifies the metrics and methods of spec by their system names and kinds
// (status.metricsDigest): the part of a Backend that Products' limits and pricing rules depend on.
func MetricsDigest(spec *capabilitiesv1beta1.BackendSpec) string {
	names := make([]string, 0, len(spec.Metrics)+len(spec.Methods))
	for k := range spec.Metrics {
		names = append(names, "metric:"+k)
	}
	for k := range spec.Methods {
		names = append(names, "method:"+k)
	}
	slices.Sort(names)
	sum := sha256.Sum256([]byte(strings.Join(names, "\n")))
	return hex.EncodeToString(sum[:8])
}
