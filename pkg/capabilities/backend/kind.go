package backend

import (
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
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
}

var _ external.Kind[*capabilitiesv1beta1.Backend] = Kind{}

// New returns an empty Backend.
func (Kind) New() *capabilitiesv1beta1.Backend { return &capabilitiesv1beta1.Backend{} }

// Finalizer returns Finalizer.
func (Kind) Finalizer() string { return Finalizer }

// OrphanCondition is false: a Backend references nothing but its tenant.
func (Kind) OrphanCondition() bool { return false }

// Status returns the status fields the loop sets.
func (Kind) Status(b *capabilitiesv1beta1.Backend) external.Status {
	return external.Status{
		Conditions:          &b.Status.Conditions,
		ObservedGeneration:  &b.Status.ObservedGeneration,
		ProviderAccountHost: &b.Status.ProviderAccountHost,
	}
}

// ProviderAccountRef returns spec.providerAccountRef.
func (Kind) ProviderAccountRef(b *capabilitiesv1beta1.Backend) *corev1.LocalObjectReference {
	return b.Spec.ProviderAccountRef
}

// HasExternal tells whether a 3scale backend was recorded for b.
func (Kind) HasExternal(b *capabilitiesv1beta1.Backend) bool { return b.Status.ID != nil }

// Check validates b without calling 3scale.
func (Kind) Check(_ context.Context, b *capabilitiesv1beta1.Backend) error {
	if err := NewDesired(b).Validate(); err != nil {
		return &external.InvalidError{Message: err.Error()}
	}
	return nil
}

// Connect returns the External of b in c's tenant.
func (k Kind) Connect(_ context.Context, _ *capabilitiesv1beta1.Backend, c *threescale.Client) (external.External[*capabilitiesv1beta1.Backend], error) {
	return &ext{kind: k, c: c}, nil
}

// ext mirrors one Backend through one client; it keeps what Observe found for Sync.
type ext struct {
	kind     Kind
	c        *threescale.Client
	desired  Desired
	observed *Observed
	plan     []planning.Operation
}

// knownID returns the 3scale ID recorded in b's status, if it was recorded for c's tenant.
func (e *ext) knownID(b *capabilitiesv1beta1.Backend) int64 {
	return external.KnownID(b.Status.ID, b.Status.ProviderAccountHost, e.c.AdminURL())
}

// Observe reads the backend and plans what differs.
func (e *ext) Observe(ctx context.Context, b *capabilitiesv1beta1.Backend) (external.Observation, error) {
	e.desired = NewDesired(b)
	o, err := Observe(ctx, e.c, e.desired.SystemName, e.knownID(b))
	if err != nil {
		return external.Observation{}, err
	}
	e.observed = o
	if o.Backend != nil {
		setID(b, o.Backend.ID)
	} else {
		b.Status.ID = nil
	}
	e.plan, err = Plan(e.desired, o, func(id int64) { setID(b, id) })
	if err != nil {
		return external.Observation{}, invalid(err)
	}
	return external.Observation{Exists: o.Backend != nil, UpToDate: len(e.plan) == 0, Diff: planning.Descriptions(e.plan)}, nil
}

// Sync runs the plan of the last Observe. After creating the backend it reads the new backend's
// metrics and mapping rules and runs their plan too, so one pass creates everything.
func (e *ext) Sync(ctx context.Context, b *capabilitiesv1beta1.Backend) error {
	if _, err := planning.Execute(ctx, e.c, e.plan); err != nil {
		return invalid(err)
	}
	if e.observed.Backend != nil || b.Status.ID == nil {
		return nil
	}
	o, err := Observe(ctx, e.c, e.desired.SystemName, *b.Status.ID)
	if err != nil {
		return err
	}
	ops, err := Plan(e.desired, o, nil)
	if err != nil {
		return invalid(err)
	}
	_, err = planning.Execute(ctx, e.c, ops)
	return invalid(err)
}

// Delete deletes the backend from 3scale, unless a Product of the namespace still uses it: 3scale
// would refuse, and the Product's own sync has to drop the usage first.
func (e *ext) Delete(ctx context.Context, b *capabilitiesv1beta1.Backend) error {
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
	found, err := find(ctx, e.c, systemName, e.knownID(b))
	if err != nil || found == nil {
		return err // nil when already gone
	}
	err = e.c.DeleteBackend(ctx, found.ID)
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
	if err := k.Reader.List(ctx, &products, client.InNamespace(b.Namespace)); err != nil {
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

func setID(b *capabilitiesv1beta1.Backend, id int64) { b.Status.ID = &id }

// invalid turns a planner's *planning.InvalidError into the loop's *external.InvalidError; other
// errors pass unchanged.
func invalid(err error) error {
	if err != nil && planning.IsInvalid(err) {
		return &external.InvalidError{Message: err.Error()}
	}
	return err
}
