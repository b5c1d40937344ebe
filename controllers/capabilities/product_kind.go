package capabilities

import (
	"context"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/capabilities/product"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// ProductFinalizer keeps a Product until its 3scale product is deleted; the name is the one the
// 3scale operator that Red Hat ships uses, so Products it created are released by this one.
const ProductFinalizer = "product.capabilities.3scale.net/finalizer"

// productKind adapts Product to the generic loop; pkg/capabilities/product does the 3scale work.
type productKind struct {
	// backends reads Backend objects (from the cache: the controller watches them).
	backends client.Reader
	// secrets reads the Secrets the spec references (OIDC issuer, policy configurations), on
	// demand, never cached.
	secrets client.Reader
}

var _ external.Kind[*capabilitiesv1beta1.Product] = productKind{}

func (productKind) New() *capabilitiesv1beta1.Product { return &capabilitiesv1beta1.Product{} }
func (productKind) Finalizer() string                 { return ProductFinalizer }
func (productKind) OrphanCondition() bool             { return true }

func (productKind) Status(p *capabilitiesv1beta1.Product) external.Status {
	return external.Status{
		Conditions:          &p.Status.Conditions,
		ObservedGeneration:  &p.Status.ObservedGeneration,
		ProviderAccountHost: &p.Status.ProviderAccountHost,
	}
}

func (productKind) ProviderAccountRef(p *capabilitiesv1beta1.Product) *corev1.LocalObjectReference {
	return p.Spec.ProviderAccountRef
}

func (productKind) HasExternal(p *capabilitiesv1beta1.Product) bool { return p.Status.ID != nil }

// Check waits (Orphan) until every Backend the product references exists and is synced, before
// any 3scale call: a product that names a backend before it exists is normal in GitOps.
func (k productKind) Check(ctx context.Context, p *capabilitiesv1beta1.Product) error {
	_, err := k.backendIDs(ctx, p, "")
	return err
}

// Connect returns the External of p in c's tenant. What only a sync needs (the Secrets the spec
// references, the IDs of its Backends) is read by Observe, so that deleting a Product never waits
// for a Backend that is itself going away.
func (k productKind) Connect(_ context.Context, _ *capabilitiesv1beta1.Product, c *threescale.Client) (external.External[*capabilitiesv1beta1.Product], error) {
	return &productExternal{kind: k, c: c}, nil
}

// referencedBackends returns the system names of the Backends p uses or whose metrics its plans
// refer to, sorted.
func referencedBackends(p *capabilitiesv1beta1.Product) []string {
	set := map[string]bool{}
	for name := range p.Spec.BackendUsages {
		set[name] = true
	}
	for _, plan := range p.Spec.ApplicationPlans {
		for _, l := range plan.Limits {
			if b := l.MetricMethodRef.BackendSystemName; b != nil {
				set[*b] = true
			}
		}
		for _, r := range plan.PricingRules {
			if b := r.MetricMethodRef.BackendSystemName; b != nil {
				set[*b] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for name := range set {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// backendIDs maps the system names of the Backends p references to their 3scale IDs. Each must
// be a Backend of p's namespace with the same providerAccountRef, Synced for its current
// generation; when adminURL is not empty, synced to that tenant. Otherwise p waits (Orphan).
func (k productKind) backendIDs(ctx context.Context, p *capabilitiesv1beta1.Product, adminURL string) (map[string]int64, error) {
	names := referencedBackends(p)
	if len(names) == 0 {
		return map[string]int64{}, nil
	}
	var list capabilitiesv1beta1.BackendList
	if err := k.backends.List(ctx, &list, client.InNamespace(p.Namespace)); err != nil {
		return nil, fmt.Errorf("cannot list Backends: %w", err)
	}
	ids := map[string]int64{}
	var missing, unsynced []string
	for _, name := range names {
		b := findBackend(list.Items, name, p.Spec.ProviderAccountRef)
		switch {
		case b == nil:
			missing = append(missing, fmt.Sprintf("%q", name))
		case !backendSynced(b) || (adminURL != "" && strings.TrimSuffix(b.Status.ProviderAccountHost, "/") != adminURL):
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
		if b.SystemNameOrDefault() == name && refName(b.Spec.ProviderAccountRef) == refName(ref) && b.DeletionTimestamp.IsZero() {
			return b
		}
	}
	return nil
}

func refName(r *corev1.LocalObjectReference) string {
	if r == nil {
		return ""
	}
	return r.Name
}

// backendSynced tells whether b is Synced for its current spec and has a 3scale ID.
func backendSynced(b *capabilitiesv1beta1.Backend) bool {
	c := meta.FindStatusCondition(b.Status.Conditions, external.TypeSynced)
	return b.Status.ID != nil && c != nil && c.Status == "True" && c.ObservedGeneration == b.Generation
}

// secretValue reads key of a Secret the spec references; a Secret or key that is not there yet
// is waited for.
func (k productKind) secretValue(ctx context.Context, namespace, name, key string) (string, error) {
	var s corev1.Secret
	err := k.secrets.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, &s)
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

// productExternal mirrors one Product through one client; it keeps what Observe found for Sync.
type productExternal struct {
	kind     productKind
	c        *threescale.Client
	desired  *product.Desired
	backends map[string]int64
	observed *product.Observed
	plan     []planning.Operation
}

// knownID returns the 3scale ID recorded in p's status, if it was recorded for c's tenant.
func (e *productExternal) knownID(p *capabilitiesv1beta1.Product) int64 {
	if p.Status.ID == nil {
		return 0
	}
	if host := p.Status.ProviderAccountHost; host != "" && strings.TrimSuffix(host, "/") != e.c.AdminURL() {
		return 0
	}
	return *p.Status.ID
}

func (e *productExternal) Observe(ctx context.Context, p *capabilitiesv1beta1.Product) (external.Observation, error) {
	d, err := product.NewDesired(ctx, p, e.kind.secretValue)
	if err != nil {
		return external.Observation{}, classifyProductError(err)
	}
	backends, err := e.kind.backendIDs(ctx, p, e.c.AdminURL())
	if err != nil {
		return external.Observation{}, err
	}
	e.desired, e.backends = d, backends
	o, err := product.Observe(ctx, e.c, e.desired, e.knownID(p), e.backends)
	if err != nil {
		return external.Observation{}, classifyProductError(err)
	}
	e.observed = o
	setProductStatus(p, o.Product)
	e.plan, err = product.Plan(e.desired, o, e.backends)
	if err != nil {
		return external.Observation{}, classifyProductError(err)
	}
	diff := make([]string, len(e.plan))
	for i, op := range e.plan {
		diff[i] = op.Description
	}
	return external.Observation{Exists: o.Product != nil, UpToDate: len(e.plan) == 0, Diff: diff}, nil
}

// Sync runs the plan of the last Observe. A product that does not exist is created and configured
// by product.Sync, which learns the new product's ID from its creation.
func (e *productExternal) Sync(ctx context.Context, p *capabilitiesv1beta1.Product) error {
	if e.observed.Product == nil {
		res, err := product.Sync(ctx, e.c, e.desired, 0, e.backends)
		if res != nil && res.ProductID != 0 {
			id := res.ProductID
			p.Status.ID = &id
			if res.Observed != nil {
				setProductStatus(p, res.Observed.Product)
			}
		}
		return classifyProductError(err)
	}
	_, err := product.Execute(ctx, e.c, e.plan)
	return classifyProductError(err)
}

// Delete removes the product's backend usages, then the product: 3scale deletes a product in the
// background, and the backends it used must be free for their own deletion at once.
func (e *productExternal) Delete(ctx context.Context, p *capabilitiesv1beta1.Product) error {
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

// find returns p's 3scale product: by the ID in its status, else by system name; nil when gone.
func (e *productExternal) find(ctx context.Context, p *capabilitiesv1beta1.Product) (*threescale.Product, error) {
	systemName := p.SystemNameOrDefault()
	if id := e.knownID(p); id != 0 {
		found, err := e.c.GetProduct(ctx, id)
		switch {
		case err == nil && found.SystemName == systemName:
			return found, nil
		case err != nil && !threescale.IsNotFound(err):
			return nil, err
		}
	}
	all, err := e.c.ListProducts(ctx)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].SystemName == systemName {
			return &all[i], nil
		}
	}
	return nil, nil
}

func setProductStatus(p *capabilitiesv1beta1.Product, found *threescale.Product) {
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

// classifyProductError turns the product package's typed errors into the loop's: a backend
// without a 3scale ID is waited for, a spec 3scale cannot hold is invalid.
func classifyProductError(err error) error {
	switch {
	case err == nil:
		return nil
	case product.IsMissingBackend(err):
		return &external.WaitingError{Reason: capabilitiesv1beta1.ProductMissingBackendReason, Message: err.Error()}
	case planning.IsInvalid(err):
		return &external.InvalidError{Message: err.Error()}
	}
	return err
}
