package product

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/backend"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/capabilities/promote"
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
	// Secrets reads the Secrets the spec references (OIDC issuer, policy configurations).
	Secrets tenant.SecretReader
	// Tenants connects a Product to its tenant.
	Tenants external.Tenants
}

var _ external.Kind[*capabilitiesv1beta1.Product] = Kind{}

// New returns an empty Product.
func (Kind) New() *capabilitiesv1beta1.Product { return &capabilitiesv1beta1.Product{} }

// NewList returns an empty ProductList.
func (Kind) NewList() client.ObjectList { return &capabilitiesv1beta1.ProductList{} }

// Finalizer returns Finalizer.
func (Kind) Finalizer() string { return Finalizer }

// Conditions are Synced (with Ready), Invalid, Failed and Orphan: a Product waits (Orphan) for
// the Backends it references.
func (Kind) Conditions() external.ConditionSet {
	return external.ConditionSet{Synced: true, Waiting: external.TypeOrphan}
}

// Status returns the status fields the loop sets.
func (Kind) Status(p *capabilitiesv1beta1.Product) external.Status {
	return external.Status{
		Conditions:         &p.Status.Conditions,
		ObservedGeneration: &p.Status.ObservedGeneration,
		ID:                 &p.Status.ID,
		Location:           &p.Status.ProviderAccountHost,
	}
}

// Check waits (Orphan) until every Backend the product references exists and is synced, and
// checks the spec against what the Product and its Backends declare (metrics that limits, pricing
// rules and mapping rules name; mapping rule patterns; metric names), all before any 3scale call,
// so that an invalid spec writes nothing. A product that names a backend before it exists is
// normal in GitOps.
func (k Kind) Check(ctx context.Context, p *capabilitiesv1beta1.Product) error {
	backends, err := k.backends(ctx, p, "")
	if err != nil {
		return err
	}
	return classify(Validate(&Desired{Spec: &p.Spec, SystemName: p.SystemNameOrDefault()}, backends))
}

// Connect returns the External of p in its tenant. What only a sync needs (the Secrets the spec
// references, the IDs of its Backends) is read by Observe and Create, so that deleting a Product
// never waits for a Backend that is itself going away.
func (k Kind) Connect(ctx context.Context, p *capabilitiesv1beta1.Product) (external.External[*capabilitiesv1beta1.Product], error) {
	return external.ConnectTenant(ctx, k.Tenants, p, p.Spec.ProviderAccountRef, func(c *threescale.Client) external.External[*capabilitiesv1beta1.Product] {
		return &ext{kind: k, InTenant: external.InTenant{C: c}}
	})
}

// ReferencedBackends returns the system names of the Backends p uses or whose metrics its plans
// refer to, sorted.
func ReferencedBackends(p *capabilitiesv1beta1.Product) []string {
	names := append(slices.Collect(maps.Keys(p.Spec.BackendUsages)), metricBackends(&p.Spec)...)
	slices.Sort(names)
	return slices.Compact(names)
}

// backends returns the Backends p references by system name. Each must be a Backend of p's
// namespace with the same providerAccountRef, Synced with an ID (a newer spec it is syncing does
// not hold p up); when adminURL is not empty, synced to that tenant; and when p's limits or
// pricing rules name its metrics, synced with the metrics and methods its spec has. Otherwise p
// waits (Orphan), woken by the Backend's watches.
func (k Kind) backends(ctx context.Context, p *capabilitiesv1beta1.Product, adminURL string) (map[string]*capabilitiesv1beta1.Backend, error) {
	names := ReferencedBackends(p)
	found := map[string]*capabilitiesv1beta1.Backend{}
	if len(names) == 0 {
		return found, nil
	}
	// The cache's own objects, not copies: a namespace of N Backends would otherwise cost N deep
	// copies per Product pass (quadratic in a tenant's size); only the Backends found are copied.
	var list capabilitiesv1beta1.BackendList
	if err := k.Backends.List(ctx, &list, client.InNamespace(p.Namespace), client.UnsafeDisableDeepCopy); err != nil {
		return nil, fmt.Errorf("cannot list Backends: %w", err)
	}
	namesMetrics := MetricBackends(p)
	var missing, unsynced, metricsPending []string
	for _, name := range names {
		b := findBackend(list.Items, name, p.Spec.ProviderAccountRef)
		switch {
		case b == nil:
			missing = append(missing, fmt.Sprintf("%q", name))
		case !backendSynced(b) || (adminURL != "" && !external.SyncedTo(b.Status.ProviderAccountHost, adminURL)):
			unsynced = append(unsynced, fmt.Sprintf("%q (Backend %s)", name, b.Name))
		case slices.Contains(namesMetrics, name) && b.Status.MetricsDigest != backend.MetricsDigest(&b.Spec):
			metricsPending = append(metricsPending, fmt.Sprintf("%q (Backend %s)", name, b.Name))
		default:
			found[name] = b.DeepCopy()
		}
	}
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, fmt.Sprintf("no Backend with system name %s in this namespace and provider account", strings.Join(missing, ", ")))
	}
	if len(unsynced) > 0 {
		parts = append(parts, fmt.Sprintf("backend %s not synced to this product's tenant yet", strings.Join(unsynced, ", ")))
	}
	if len(metricsPending) > 0 {
		parts = append(parts, fmt.Sprintf("backend %s still syncing the metrics and methods this product's limits or pricing rules name", strings.Join(metricsPending, ", ")))
	}
	if len(parts) > 0 {
		return nil, &external.WaitingError{Reason: capabilitiesv1beta1.ProductMissingBackendReason,
			Message: "waiting for backends: " + strings.Join(parts, "; ")}
	}
	return found, nil
}

// backendIDs maps the system names of the Backends p references to their 3scale IDs (see
// backends), and those whose metrics its limits and pricing rules name to their metricsDigest.
func (k Kind) backendIDs(ctx context.Context, p *capabilitiesv1beta1.Product, adminURL string) (map[string]int64, map[string]string, error) {
	found, err := k.backends(ctx, p, adminURL)
	if err != nil {
		return nil, nil, err
	}
	ids := make(map[string]int64, len(found))
	for name, b := range found {
		ids[name] = *b.Status.ID
	}
	var digests map[string]string
	for _, name := range MetricBackends(p) {
		if b, ok := found[name]; ok {
			if digests == nil {
				digests = map[string]string{}
			}
			digests[name] = b.Status.MetricsDigest
		}
	}
	return ids, digests, nil
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

// backendSynced tells whether b is Synced (for any generation: a newer spec it is syncing keeps
// its 3scale ID) and has a 3scale ID: whether a Product may use it.
func backendSynced(b *capabilitiesv1beta1.Backend) bool {
	c := meta.FindStatusCondition(b.Status.Conditions, external.TypeSynced)
	return b.Status.ID != nil && c != nil && c.Status == metav1.ConditionTrue
}

// BackendChanged tells whether an update of a Backend, from before to after, may change the sync
// of every Product that references it: its ID, tenant, whether it is Synced, or its deletion.
// Its other changes (mapping rules, names, URL, annotations) concern no Product; a change of its
// metrics and methods concerns only the Products that name them (BackendMetricsChanged).
func BackendChanged(before, after *capabilitiesv1beta1.Backend) bool {
	return syncStateOf(before) != syncStateOf(after)
}

// BackendMetricsChanged tells whether an update of a Backend changed the metrics and methods it
// has synced (status.metricsDigest): the Products whose limits or pricing rules name them sync
// again.
func BackendMetricsChanged(before, after *capabilitiesv1beta1.Backend) bool {
	return before.Status.MetricsDigest != after.Status.MetricsDigest
}

// backendSyncState is what every Product using a Backend needs to know of it.
type backendSyncState struct {
	id       int64
	host     string
	synced   bool
	deleting bool
}

func syncStateOf(b *capabilitiesv1beta1.Backend) backendSyncState {
	s := backendSyncState{host: b.Status.ProviderAccountHost, synced: backendSynced(b), deleting: !b.DeletionTimestamp.IsZero()}
	if b.Status.ID != nil {
		s.id = *b.Status.ID
	}
	return s
}

// MetricBackends returns the system names of the Backends whose metrics or methods p's limits
// and pricing rules name: the index by which a change of a Backend's metrics finds the Products
// to sync again.
func MetricBackends(p *capabilitiesv1beta1.Product) []string { return metricBackends(&p.Spec) }

// secretValue reads key of a Secret the spec references. A Secret or key that is not there yet
// is waited for; a Secret of another namespace that does not allow the reference is invalid.
func (k Kind) secretValue(namespace string) SecretValue {
	return func(ctx context.Context, ref corev1.SecretReference, field, key string) (string, error) {
		v, err := k.Secrets.Value(ctx, namespace, ref, field, key)
		if tenant.IsMissing(err) || tenant.IsBadSecret(err) {
			return "", &external.WaitingError{Reason: "SecretNotReady", Message: err.Error()}
		}
		return v, err
	}
}

// ext mirrors one Product through one tenant's client; it keeps what its first call prepared.
type ext struct {
	kind Kind
	external.InTenant
	desired  *Desired
	backends map[string]int64
	// digests are the metricsDigest of the Backends whose metrics p's plans name.
	digests map[string]string
}

// prepare reads what a sync of p needs besides 3scale: the Secrets its spec references and the
// IDs of its Backends in this tenant.
func (e *ext) prepare(ctx context.Context, p *capabilitiesv1beta1.Product) error {
	if e.desired != nil {
		return nil
	}
	d, err := NewDesired(ctx, p, e.kind.secretValue(p.Namespace))
	if err != nil {
		return classify(err)
	}
	backends, digests, err := e.kind.backendIDs(ctx, p, e.C.AdminURL())
	if err != nil {
		return err
	}
	if err := customPoliciesRegistered(ctx, e.C, p); err != nil {
		return err
	}
	e.desired, e.backends, e.digests = d, backends, digests
	return nil
}

// builtinVersion is the version of the policies APIcast ships.
const builtinVersion = "builtin"

// CustomPolicies returns the names of the custom (not built-in) policies of p's policy chain,
// sorted.
func CustomPolicies(p *capabilitiesv1beta1.Product) []string {
	var names []string
	for _, pc := range p.Spec.Policies {
		if pc.Version != builtinVersion {
			names = append(names, pc.Name)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// customPoliciesRegistered waits (Orphan) until every custom policy of p's chain is in the
// tenant's policy registry: a gateway configured with a policy 3scale does not know fails. It
// reads the registry only for products that have custom policies.
func customPoliciesRegistered(ctx context.Context, c *threescale.Client, p *capabilitiesv1beta1.Product) error {
	if len(CustomPolicies(p)) == 0 {
		return nil
	}
	registered, err := c.ListCustomPolicies(ctx)
	if err != nil {
		return err
	}
	var missing []string
	for _, pc := range p.Spec.Policies {
		if pc.Version == builtinVersion || slices.ContainsFunc(registered, func(r threescale.CustomPolicy) bool {
			return r.Name == pc.Name && r.Version == pc.Version
		}) {
			continue
		}
		missing = append(missing, fmt.Sprintf("%q %s", pc.Name, pc.Version))
	}
	if len(missing) == 0 {
		return nil
	}
	return &external.WaitingError{Reason: ReasonCustomPolicyNotFound, Message: fmt.Sprintf(
		"waiting for custom policy %s of spec.policies to be registered in the tenant's policy registry (a CustomPolicyDefinition registers one)",
		strings.Join(missing, ", "))}
}

// ReasonCustomPolicyNotFound says a custom policy of the chain is not in the tenant's registry.
const ReasonCustomPolicyNotFound = "CustomPolicyNotFound"

// Find returns the ID of the product with p's system name, 0 when there is none.
func (e *ext) Find(ctx context.Context, p *capabilitiesv1beta1.Product) (int64, error) {
	return external.FindByKey(ctx, e.C.ListProducts, p.SystemNameOrDefault())
}

// Observe reads the product id and plans what differs (see observeAndPlan), recording in p's
// status the product's state and the metricsDigest of the Backends its plans were planned against.
func (e *ext) Observe(ctx context.Context, p *capabilitiesv1beta1.Product, id int64) (external.Observation, error) {
	if err := e.prepare(ctx, p); err != nil {
		return external.Observation{}, err
	}
	o, ops, err := e.observeAndPlan(ctx, p, id)
	if err != nil || o.Product == nil {
		return external.Observation{}, classify(err)
	}
	if state := o.Product.State; state != "" {
		p.Status.State = &state
	}
	p.Status.BackendMetricsDigests = e.digests
	return external.Observation{Exists: true, Operations: ops, Warnings: Warnings(&p.Spec)}, nil
}

// observeAndPlan reads and plans the whole product; but when the last sync of this very spec
// succeeded and only the metrics of Backends its plans name changed since (their metricsDigest:
// what wakes a synced Product without a spec change), the application plans alone
// (ObservePlans, PlanPlans), unless the product's own metrics differ too. The poll reads
// everything, and reverts any other drift.
func (e *ext) observeAndPlan(ctx context.Context, p *capabilitiesv1beta1.Product, id int64) (*Observed, []planning.Operation, error) {
	if e.onlyBackendMetricsChanged(p) {
		o, err := ObservePlans(ctx, e.C, e.desired, id, e.backends)
		if err != nil {
			return nil, nil, err
		}
		if o.Product == nil {
			return o, nil, nil
		}
		ops, ok, err := PlanPlans(e.desired, o, e.backends)
		if err != nil || ok {
			return o, ops, err
		}
	}
	o, err := Observe(ctx, e.C, e.desired, id, e.backends)
	if err != nil {
		return nil, nil, err
	}
	if o.Product == nil {
		return o, nil, nil
	}
	ops, err := Plan(e.desired, o, e.backends)
	return o, ops, err
}

// onlyBackendMetricsChanged tells whether the last pass synced p's current spec and, since, only
// the metricsDigest of Backends its plans name changed.
func (e *ext) onlyBackendMetricsChanged(p *capabilitiesv1beta1.Product) bool {
	recorded := p.Status.BackendMetricsDigests
	if len(recorded) == 0 || maps.Equal(recorded, e.digests) || p.Status.ObservedGeneration != p.Generation {
		return false
	}
	c := meta.FindStatusCondition(p.Status.Conditions, external.TypeSynced)
	return c != nil && c.Status == metav1.ConditionTrue && c.ObservedGeneration == p.Generation
}

// Create creates the product; the loop observes it and plans the rest.
func (e *ext) Create(ctx context.Context, p *capabilitiesv1beta1.Product) (int64, error) {
	if err := e.prepare(ctx, p); err != nil {
		return 0, err
	}
	var id int64
	_, err := planning.Execute(ctx, e.C, []planning.Operation{createProduct(e.desired, &id)})
	return id, classify(err)
}

// Delete removes the product's backend usages, then the product: 3scale deletes a product in the
// background, and the backends it used must be free for their own deletion at once.
func (e *ext) Delete(ctx context.Context, _ *capabilitiesv1beta1.Product, id int64) error {
	usages, err := e.C.ListBackendUsages(ctx, id)
	if err != nil && !threescale.IsNotFound(err) {
		return err
	}
	for _, u := range usages {
		if err := e.C.DeleteBackendUsage(ctx, id, u.ID); err != nil && !threescale.IsNotFound(err) {
			return err
		}
	}
	if err := e.C.DeleteProduct(ctx, id); err != nil && !threescale.IsNotFound(err) {
		return err
	}
	return nil
}

// Explain classifies the errors of the plan's operations: see classify.
func (e *ext) Explain(err error) error { return classify(err) }

// awaitPromotionRetry is how long a Product whose sync waits for a promotion waits before trying
// again; a ProxyConfigPromote of the product wakes it sooner.
const awaitPromotionRetry = time.Minute

// classify turns this package's typed errors into the loop's: a backend without a 3scale ID is
// waited for, a spec 3scale cannot hold is invalid, a deletion that waits for the deployed
// configuration to change waits for a promotion, and so does a promotion of a product 3scale
// cannot build a configuration for yet.
func classify(err error) error {
	var nothing *promote.NothingDeployedError
	switch {
	case err == nil:
		return nil
	case IsMissingBackend(err):
		return &external.WaitingError{Reason: capabilitiesv1beta1.ProductMissingBackendReason, Message: err.Error()}
	case planning.IsInvalid(err):
		return &external.InvalidError{Message: err.Error()}
	case errors.Is(err, planning.ErrUsedByDeployedConfig):
		return &external.WaitingError{Reason: promote.ReasonAwaitingPromotion, After: awaitPromotionRetry, Message: err.Error() +
			"; promote the product's configuration to staging and production (a ProxyConfigPromote with production: true, or spec.promoteTo: Production on this Product) and the deletion goes through at the next sync"}
	case errors.As(err, &nothing):
		return &external.WaitingError{Reason: ReasonNothingToPromote, Message: err.Error()}
	}
	return err
}

// ReasonNothingToPromote says spec.promoteTo asks for a promotion of a product 3scale builds no
// configuration for yet.
const ReasonNothingToPromote = "NothingToPromote"
