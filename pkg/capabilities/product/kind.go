package product

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/tenant"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// Finalizer keeps a Product until its 3scale product is deleted. It is the name the 3scale
// operator that Red Hat ships uses, so Products it created are released by this operator.
const Finalizer = "product.capabilities.3scale.net/finalizer"

// Kind adapts Product to the generic loop.
type Kind struct {
	// Backends reads Backend objects (from the cache: the controller watches them).
	Backends client.Reader
	// Secrets reads the Secrets the spec references (OIDC issuer, policy configurations), on
	// demand, never cached.
	Secrets client.Reader
}

var _ external.Kind[*capabilitiesv1beta1.Product] = Kind{}

// New returns an empty Product.
func (Kind) New() *capabilitiesv1beta1.Product { return &capabilitiesv1beta1.Product{} }

// Finalizer returns Finalizer.
func (Kind) Finalizer() string { return Finalizer }

// OrphanCondition is true: a Product waits (Orphan) for the Backends it references.
func (Kind) OrphanCondition() bool { return true }

// Status returns the status fields the loop sets.
func (Kind) Status(p *capabilitiesv1beta1.Product) external.Status {
	return external.Status{
		Conditions:          &p.Status.Conditions,
		ObservedGeneration:  &p.Status.ObservedGeneration,
		ProviderAccountHost: &p.Status.ProviderAccountHost,
	}
}

// ProviderAccountRef returns spec.providerAccountRef.
func (Kind) ProviderAccountRef(p *capabilitiesv1beta1.Product) *corev1.LocalObjectReference {
	return p.Spec.ProviderAccountRef
}

// HasExternal tells whether a 3scale product was recorded for p.
func (Kind) HasExternal(p *capabilitiesv1beta1.Product) bool { return p.Status.ID != nil }

// Check waits (Orphan) until every Backend the product references exists and is synced, before
// any 3scale call: a product that names a backend before it exists is normal in GitOps.
func (k Kind) Check(ctx context.Context, p *capabilitiesv1beta1.Product) error {
	_, err := k.backendIDs(ctx, p, "")
	return err
}

// Connect returns the External of p in c's tenant. What only a sync needs (the Secrets the spec
// references, the IDs of its Backends) is read by Observe, so that deleting a Product never waits
// for a Backend that is itself going away.
func (k Kind) Connect(_ context.Context, _ *capabilitiesv1beta1.Product, c *threescale.Client) (external.External[*capabilitiesv1beta1.Product], error) {
	return &ext{kind: k, c: c}, nil
}

// ReferencedBackends returns the system names of the Backends p uses or whose metrics its plans
// refer to, sorted.
func ReferencedBackends(p *capabilitiesv1beta1.Product) []string {
	names := append(slices.Collect(maps.Keys(p.Spec.BackendUsages)), metricBackends(&p.Spec)...)
	slices.Sort(names)
	return slices.Compact(names)
}

// backendIDs maps the system names of the Backends p references to their 3scale IDs. Each must
// be a Backend of p's namespace with the same providerAccountRef, Synced for its current
// generation; when adminURL is not empty, synced to that tenant. Otherwise p waits (Orphan).
func (k Kind) backendIDs(ctx context.Context, p *capabilitiesv1beta1.Product, adminURL string) (map[string]int64, error) {
	names := ReferencedBackends(p)
	if len(names) == 0 {
		return map[string]int64{}, nil
	}
	var list capabilitiesv1beta1.BackendList
	if err := k.Backends.List(ctx, &list, client.InNamespace(p.Namespace)); err != nil {
		return nil, fmt.Errorf("cannot list Backends: %w", err)
	}
	ids := map[string]int64{}
	var missing, unsynced []string
	for _, name := range names {
		b := findBackend(list.Items, name, p.Spec.ProviderAccountRef)
		switch {
		case b == nil:
			missing = append(missing, fmt.Sprintf("%q", name))
		case !backendSynced(b) || (adminURL != "" && !external.SyncedTo(b.Status.ProviderAccountHost, adminURL)):
			unsynced = append(unsynced, fmt.Sprintf("%q (Backend %s)", name, b.Name))
		default:
			ids[name] = *b.Status.ID
		}
	}
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, fmt.Sprintf("no Backend with system name %s in this namespace and provider account", strings.Join(missing, ", ")))
	}
	if len(unsynced) > 0 {
		parts = append(parts, fmt.Sprintf("backend %s not synced to this product's tenant yet", strings.Join(unsynced, ", ")))
	}
	if len(parts) > 0 {
		return nil, &external.WaitingError{Reason: capabilitiesv1beta1.ProductMissingBackendReason,
			Message: "waiting for backends: " + strings.Join(parts, "; ")}
	}
	return ids, nil
}

// findBackend returns the Backend of items whose system name is name and whose provider account
// is ref's, or nil.
func findBackend(items []capabilitiesv1beta1.Backend, name string, ref *corev1.LocalObjectReference) *capabilitiesv1beta1.Backend {
	for i := range items {
		b := &items[i]
		if b.SystemNameOrDefault() == name && tenant.SameProviderAccount(b.Spec.ProviderAccountRef, ref) && b.DeletionTimestamp.IsZero() {
			return b
		}
	}
	return nil
}

// backendSynced tells whether b is Synced for its current spec and has a 3scale ID: whether a
// Product may use it.
func backendSynced(b *capabilitiesv1beta1.Backend) bool {
	c := meta.FindStatusCondition(b.Status.Conditions, external.TypeSynced)
	return b.Status.ID != nil && c != nil && c.Status == "True" && c.ObservedGeneration == b.Generation
}

// BackendChanged tells whether an update of a Backend, from before to after, may change the sync
// of the Products that reference it: whether and where it is synced (its ID, tenant, Synced
// condition, or the generation it was last synced at, since its metrics may have changed), or its
// deletion. Other updates (annotations, a new spec not synced yet) would cost a resync for nothing.
func BackendChanged(before, after *capabilitiesv1beta1.Backend) bool {
	return syncStateOf(before) != syncStateOf(after)
}

// backendSyncState is what a Product needs to know of a Backend.
type backendSyncState struct {
	id         int64
	host       string
	synced     bool
	generation int64
	deleting   bool
}

func syncStateOf(b *capabilitiesv1beta1.Backend) backendSyncState {
	s := backendSyncState{host: b.Status.ProviderAccountHost, synced: backendSynced(b), generation: b.Status.ObservedGeneration, deleting: !b.DeletionTimestamp.IsZero()}
	if b.Status.ID != nil {
		s.id = *b.Status.ID
	}
	return s
}

// secretValue reads key of a Secret the spec references; a Secret or key that is not there yet
// is waited for.
func (k Kind) secretValue(ctx context.Context, namespace, name, key string) (string, error) {
	var s corev1.Secret
	err := k.Secrets.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, &s)
	switch {
	case apierrors.IsNotFound(err):
		return "", external.Waitingf("SecretNotFound", "secret %s/%s not found", namespace, name)
	case err != nil:
		return "", fmt.Errorf("cannot read secret %s/%s: %w", namespace, name, err)
	}
	v, ok := s.Data[key]
	if !ok || len(v) == 0 {
		return "", external.Waitingf("SecretKeyNotFound", "key %q of secret %s/%s is missing or empty", key, namespace, name)
	}
	return string(v), nil
}

// ext mirrors one Product through one client; it keeps what Observe found for Sync.
type ext struct {
	kind     Kind
	c        *threescale.Client
	desired  *Desired
	backends map[string]int64
	observed *Observed
	plan     []planning.Operation
}

// knownID returns the 3scale ID recorded in p's status, if it was recorded for c's tenant.
func (e *ext) knownID(p *capabilitiesv1beta1.Product) int64 {
	return external.KnownID(p.Status.ID, p.Status.ProviderAccountHost, e.c.AdminURL())
}

// Observe reads the product and plans what differs.
func (e *ext) Observe(ctx context.Context, p *capabilitiesv1beta1.Product) (external.Observation, error) {
	d, err := NewDesired(ctx, p, e.kind.secretValue)
	if err != nil {
		return external.Observation{}, classify(err)
	}
	backends, err := e.kind.backendIDs(ctx, p, e.c.AdminURL())
	if err != nil {
		return external.Observation{}, err
	}
	e.desired, e.backends = d, backends
	o, err := Observe(ctx, e.c, e.desired, e.knownID(p), e.backends)
	if err != nil {
		return external.Observation{}, classify(err)
	}
	e.observed = o
	setStatus(p, o.Product)
	e.plan, err = Plan(e.desired, o, e.backends)
	if err != nil {
		return external.Observation{}, classify(err)
	}
	return external.Observation{Exists: o.Product != nil, UpToDate: len(e.plan) == 0, Diff: planning.Descriptions(e.plan)}, nil
}

// Sync runs the plan of the last Observe. A product that does not exist is created and configured
// from that observation, learning the new product's ID from its creation.
func (e *ext) Sync(ctx context.Context, p *capabilitiesv1beta1.Product) error {
	if e.observed.Product == nil {
		res, err := syncObserved(ctx, e.c, e.desired, e.observed, e.backends)
		if res != nil && res.ProductID != 0 {
			id := res.ProductID
			p.Status.ID = &id
			if res.Observed != nil {
				setStatus(p, res.Observed.Product)
			}
		}
		return classify(err)
	}
	_, err := Execute(ctx, e.c, e.plan)
	return classify(err)
}

// Delete removes the product's backend usages, then the product: 3scale deletes a product in the
// background, and the backends it used must be free for their own deletion at once.
func (e *ext) Delete(ctx context.Context, p *capabilitiesv1beta1.Product) error {
	found, err := e.find(ctx, p)
	if err != nil || found == nil {
		return err
	}
	usages, err := e.c.ListBackendUsages(ctx, found.ID)
	if err != nil && !threescale.IsNotFound(err) {
		return err
	}
	for _, u := range usages {
		if err := e.c.DeleteBackendUsage(ctx, found.ID, u.ID); err != nil && !threescale.IsNotFound(err) {
			return err
		}
	}
	if err := e.c.DeleteProduct(ctx, found.ID); err != nil && !threescale.IsNotFound(err) {
		return err
	}
	return nil
}

// find returns the 3scale product to delete for p, nil when gone: the one Observe manages (by
// the ID in p's status when it was synced to this tenant, else by system name), so that a Product
// whose system name changed after creation, which 3scale cannot rename, deletes the product it kept
// in sync rather than leaving it behind.
func (e *ext) find(ctx context.Context, p *capabilitiesv1beta1.Product) (*threescale.Product, error) {
	return findProduct(ctx, e.c, p.SystemNameOrDefault(), e.knownID(p))
}

// setStatus records found's ID and state in p's status; nil clears them.
func setStatus(p *capabilitiesv1beta1.Product, found *threescale.Product) {
	if found == nil {
		p.Status.ID, p.Status.State = nil, nil
		return
	}
	id, state := found.ID, found.State
	p.Status.ID = &id
	if state != "" {
		p.Status.State = &state
	}
}

// classify turns this package's typed errors into the loop's: a backend without a 3scale ID is
// waited for, a spec 3scale cannot hold is invalid.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case IsMissingBackend(err):
		return &external.WaitingError{Reason: capabilitiesv1beta1.ProductMissingBackendReason, Message: err.Error()}
	case planning.IsInvalid(err):
		return &external.InvalidError{Message: err.Error()}
	}
	return err
}
