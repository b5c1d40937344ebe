package activedoc

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/document"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/tenant"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// Finalizer keeps an ActiveDoc until its 3scale ActiveDoc is deleted. The 3scale operator that Red
// Hat ships has none (it leaks ActiveDocs); this name follows the pattern of its other kinds.
const Finalizer = "activedoc.capabilities.3scale.net/finalizer"

// documentField names the document reference in messages.
const documentField = "spec.activeDocOpenAPIRef"

// swaggerKeys are the top-level keys of the documents 3scale validates as Swagger 1.2, Swagger 2
// or OpenAPI 3; a document with none of them is refused unless validations are skipped.
var swaggerKeys = []string{"openapi", "swagger", "swaggerVersion"}

// Kind adapts ActiveDoc to the generic loop.
type Kind struct {
	// Products reads Product objects (from the cache: the controller watches them), to bind the
	// ActiveDoc to the product of spec.productSystemName.
	Products client.Reader
	// Documents loads the document of spec.activeDocOpenAPIRef.
	Documents document.Loader
	// Tenants connects an ActiveDoc to its tenant.
	Tenants external.Tenants
}

var _ external.Kind[*capabilitiesv1beta1.ActiveDoc] = Kind{}

// New returns an empty ActiveDoc.
func (Kind) New() *capabilitiesv1beta1.ActiveDoc { return &capabilitiesv1beta1.ActiveDoc{} }

// NewList returns an empty ActiveDocList.
func (Kind) NewList() client.ObjectList { return &capabilitiesv1beta1.ActiveDocList{} }

// Finalizer returns Finalizer.
func (Kind) Finalizer() string { return Finalizer }

// Conditions are Ready, Invalid, Failed and Orphan (waiting for the Product it is bound to, or
// for the Secret of its document), those of the 3scale operator that Red Hat ships.
func (Kind) Conditions() external.ConditionSet {
	return external.ConditionSet{Waiting: external.TypeOrphan}
}

// Status returns the status fields the loop sets.
func (Kind) Status(a *capabilitiesv1beta1.ActiveDoc) external.Status {
	return external.Status{
		Conditions:         &a.Status.Conditions,
		ObservedGeneration: &a.Status.ObservedGeneration,
		ID:                 &a.Status.ID,
		Location:           &a.Status.ProviderAccountHost,
	}
}

// SecretNames returns the Secrets of its namespace an ActiveDoc reads: its tenant's, and its
// document's.
func SecretNames(a *capabilitiesv1beta1.ActiveDoc) []string {
	names := tenant.SecretNames(a.Spec.ProviderAccountRef)
	if ref := a.Spec.ActiveDocOpenAPIRef.SecretRef; ref != nil && (ref.Namespace == "" || ref.Namespace == a.Namespace) {
		names = append(names, ref.Name)
	}
	return names
}

// ForeignSecrets returns the Secret of another namespace that holds an ActiveDoc's document, as
// "namespace/name".
func ForeignSecrets(a *capabilitiesv1beta1.ActiveDoc) []string {
	if ref := a.Spec.ActiveDocOpenAPIRef.SecretRef; ref != nil && ref.Namespace != "" && ref.Namespace != a.Namespace {
		return []string{ref.Namespace + "/" + ref.Name}
	}
	return nil
}

// ReferencedProduct returns the system name of the Product a is bound to, if any: the index by
// which a Product event finds the ActiveDocs waiting for it.
func ReferencedProduct(a *capabilitiesv1beta1.ActiveDoc) []string {
	if name := productSystemName(a); name != "" {
		return []string{name}
	}
	return nil
}

func productSystemName(a *capabilitiesv1beta1.ActiveDoc) string {
	if a.Spec.ProductSystemName == nil {
		return ""
	}
	return *a.Spec.ProductSystemName
}

// Check waits (Orphan) until the Product a names exists and is synced, before any 3scale call: an
// ActiveDoc that names its product before the product exists is normal in GitOps.
func (k Kind) Check(ctx context.Context, a *capabilitiesv1beta1.ActiveDoc) error {
	_, err := k.product(ctx, a, "")
	return err
}

// Connect returns the External of a in its tenant, with what a sync needs read: the document,
// parsed, and the ID of the product to bind to. An ActiveDoc being deleted needs neither, so
// that its deletion never waits for a document or a Product that may be going away too.
func (k Kind) Connect(ctx context.Context, a *capabilitiesv1beta1.ActiveDoc) (external.External[*capabilitiesv1beta1.ActiveDoc], error) {
	var e *ext
	x, err := external.ConnectTenant(ctx, k.Tenants, a, a.Spec.ProviderAccountRef, func(c *threescale.Client) external.External[*capabilitiesv1beta1.ActiveDoc] {
		e = &ext{InTenant: external.InTenant{C: c}}
		return e
	})
	if err != nil || !a.DeletionTimestamp.IsZero() {
		return x, err
	}
	d, err := k.desired(ctx, a, e.C.AdminURL())
	if err != nil {
		return nil, err
	}
	e.desired = &d
	return x, nil
}

// desired returns what a asks of its tenant at adminURL, its document loaded and parsed and its
// product resolved, and records the Product in a's status.
func (k Kind) desired(ctx context.Context, a *capabilitiesv1beta1.ActiveDoc, adminURL string) (Desired, error) {
	doc, err := k.Documents.Load(ctx, a.Namespace, a.Spec.ActiveDocOpenAPIRef, documentField)
	if err != nil {
		return Desired{}, err
	}
	body, err := ParseBody(doc.Content)
	if err != nil {
		// A document at a URL may be fixed there, without the spec changing; a Secret's change
		// wakes the object by itself.
		return Desired{}, &external.InvalidError{Message: fmt.Sprintf("%s: %s: %v", documentField, doc.Source, err), Recheck: a.Spec.ActiveDocOpenAPIRef.URL != nil}
	}
	skip := a.Spec.SkipSwaggerValidations != nil && *a.Spec.SkipSwaggerValidations
	if !skip && !body.Has(swaggerKeys...) {
		return Desired{}, &external.InvalidError{Recheck: a.Spec.ActiveDocOpenAPIRef.URL != nil, Message: fmt.Sprintf(
			"%s: %s has none of the top-level keys openapi, swagger, swaggerVersion: 3scale refuses it unless spec.skipSwaggerValidations is true",
			documentField, doc.Source)}
	}
	d := Desired{
		SystemName: a.SystemNameOrDefault(), Name: a.Spec.Name,
		Published: a.Spec.Published != nil && *a.Spec.Published, SkipSwaggerValidations: skip,
		Body: body,
	}
	if a.Spec.Description != nil {
		d.Description = *a.Spec.Description
	}
	p, err := k.product(ctx, a, adminURL)
	if err != nil {
		return Desired{}, err
	}
	a.Status.ProductResourceName = nil
	if p != nil {
		d.ServiceID = *p.Status.ID
		a.Status.ProductResourceName = &corev1.LocalObjectReference{Name: p.Name}
	}
	return d, nil
}

// product returns the Product a is bound to, nil when a names none. It must be a Product of a's
// namespace with a's system name and providerAccountRef, Synced with an ID; when adminURL is not
// empty, synced to that tenant. Otherwise a waits (Orphan).
func (k Kind) product(ctx context.Context, a *capabilitiesv1beta1.ActiveDoc, adminURL string) (*capabilitiesv1beta1.Product, error) {
	name := productSystemName(a)
	if name == "" {
		return nil, nil
	}
	if k.Products == nil {
		return nil, errors.New("activedoc: no reader of Products")
	}
	// The cache's own objects (no copy of every Product of the namespace per pass); the one
	// found is copied below.
	var list capabilitiesv1beta1.ProductList
	if err := k.Products.List(ctx, &list, client.InNamespace(a.Namespace), client.UnsafeDisableDeepCopy); err != nil {
		return nil, fmt.Errorf("cannot list Products: %w", err)
	}
	var found *capabilitiesv1beta1.Product
	for i := range list.Items {
		p := &list.Items[i]
		if p.SystemNameOrDefault() != name || !tenant.SameProviderAccount(p.Spec.ProviderAccountRef, a.Spec.ProviderAccountRef) || !p.DeletionTimestamp.IsZero() {
			continue
		}
		// Two Products with one system name: the one that manages the product (the other is
		// Failed with Conflict) is the one to bind to.
		if found == nil || productSynced(p) {
			found = p
		}
	}
	switch {
	case found == nil:
		return nil, &external.WaitingError{Reason: capabilitiesv1beta1.ActiveDocMissingProductReason, Message: fmt.Sprintf(
			"spec.productSystemName: no Product with system name %q in this namespace and provider account", name)}
	case !productSynced(found) || (adminURL != "" && !external.SyncedTo(found.Status.ProviderAccountHost, adminURL)):
		return nil, &external.WaitingError{Reason: capabilitiesv1beta1.ActiveDocMissingProductReason, Message: fmt.Sprintf(
			"spec.productSystemName: Product %s (system name %q) is not synced to this ActiveDoc's tenant yet", found.Name, name)}
	}
	return found.DeepCopy(), nil
}

// productSynced tells whether p is Synced and has a 3scale ID: whether an ActiveDoc may be bound
// to it. A Product whose new spec is being synced is still the same product in 3scale.
func productSynced(p *capabilitiesv1beta1.Product) bool {
	c := meta.FindStatusCondition(p.Status.Conditions, external.TypeSynced)
	return p.Status.ID != nil && c != nil && c.Status == metav1.ConditionTrue
}

// ProductChanged tells whether an update of a Product, from before to after, may change the sync
// of the ActiveDocs bound to it: whether and where it is synced, or its deletion. Other updates
// would cost a resync for nothing.
func ProductChanged(before, after *capabilitiesv1beta1.Product) bool {
	return syncStateOf(before) != syncStateOf(after)
}

type productSyncState struct {
	id       int64
	host     string
	synced   bool
	deleting bool
}

func syncStateOf(p *capabilitiesv1beta1.Product) productSyncState {
	s := productSyncState{host: p.Status.ProviderAccountHost, synced: productSynced(p), deleting: !p.DeletionTimestamp.IsZero()}
	if p.Status.ID != nil {
		s.id = *p.Status.ID
	}
	return s
}

// ext mirrors one ActiveDoc through one tenant's client.
type ext struct {
	external.InTenant
	// desired is what the ActiveDoc asks; nil while it is being deleted.
	desired *Desired
}

// Find returns the ID of the ActiveDoc with a's system name, 0 when there is none.
func (e *ext) Find(ctx context.Context, a *capabilitiesv1beta1.ActiveDoc) (int64, error) {
	return external.FindByKey(ctx, e.C.ListActiveDocs, a.SystemNameOrDefault())
}

// Observe reads the ActiveDoc id and plans what differs. An ActiveDoc whose system name is not
// a's (3scale cannot rename one) is not a's.
func (e *ext) Observe(ctx context.Context, a *capabilitiesv1beta1.ActiveDoc, id int64) (external.Observation, error) {
	if e.desired == nil {
		return external.Observation{}, errors.New("activedoc: observing an ActiveDoc that is being deleted")
	}
	have, err := e.C.GetActiveDoc(ctx, id)
	switch {
	case threescale.IsNotFound(err):
		return external.Observation{}, nil
	case err != nil:
		return external.Observation{}, err
	case have.SystemName != e.desired.SystemName:
		return external.Observation{}, nil
	}
	return external.Observation{Exists: true, Operations: Plan(*e.desired, have)}, nil
}

// Create creates the ActiveDoc, bound to its product, in one call.
func (e *ext) Create(ctx context.Context, a *capabilitiesv1beta1.ActiveDoc) (int64, error) {
	if e.desired == nil {
		return 0, errors.New("activedoc: creating an ActiveDoc that is being deleted")
	}
	d, err := e.C.CreateActiveDoc(ctx, createParams(*e.desired))
	if err != nil {
		return 0, fmt.Errorf("cannot create ActiveDoc %q: %w", e.desired.SystemName, err)
	}
	return d.ID, nil
}

// Delete deletes the ActiveDoc id; one already gone is not an error.
func (e *ext) Delete(ctx context.Context, _ *capabilitiesv1beta1.ActiveDoc, id int64) error {
	if err := e.C.DeleteActiveDoc(ctx, id); err != nil && !threescale.IsNotFound(err) {
		return err
	}
	return nil
}
