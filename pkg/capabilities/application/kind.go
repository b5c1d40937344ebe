package application

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/developer"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/tenant"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// authSecretField names the credentials reference in messages.
const authSecretField = "spec.authSecretRef"

// Kind adapts Application to the generic loop.
type Kind struct {
	// Objects reads DeveloperAccount and Product objects (from the cache: the controller
	// watches them).
	Objects client.Reader
	// Secrets reads the credentials Secret.
	Secrets tenant.SecretReader
	// Tenants connects an application to its tenant.
	Tenants external.Tenants
}

var _ external.Kind[*capabilitiesv1beta1.Application] = Kind{}

// New returns an empty Application.
func (Kind) New() *capabilitiesv1beta1.Application { return &capabilitiesv1beta1.Application{} }

// NewList returns an empty ApplicationList.
func (Kind) NewList() client.ObjectList { return &capabilitiesv1beta1.ApplicationList{} }

// Finalizer returns the finalizer of the 3scale operator that Red Hat ships.
func (Kind) Finalizer() string { return capabilitiesv1beta1.ApplicationFinalizer }

// Conditions are Ready, Invalid, Failed and Orphan (waiting for its account or product).
func (Kind) Conditions() external.ConditionSet {
	return external.ConditionSet{Waiting: external.TypeOrphan}
}

// Status returns the status fields the loop sets.
func (Kind) Status(a *capabilitiesv1beta1.Application) external.Status {
	return external.Status{
		Conditions:         &a.Status.Conditions,
		ObservedGeneration: &a.Status.ObservedGeneration,
		ID:                 &a.Status.ID,
		Location:           &a.Status.ProviderAccountHost,
	}
}

// SecretNames returns the Secrets of its namespace an application may read: the default tenant
// Secrets (an Application names no providerAccountRef of its own: it uses its account's, and a
// change of that one re-syncs the account, whose watch wakes the application) and its
// credentials Secret.
func SecretNames(a *capabilitiesv1beta1.Application) []string {
	names := tenant.SecretNames(nil)
	if r := a.Spec.AuthSecretRef; r != nil && r.Name != "" {
		names = append(names, r.Name)
	}
	return names
}

// ReferencedAccount returns the name of the DeveloperAccount of a: the index by which an account
// event finds its applications.
func ReferencedAccount(a *capabilitiesv1beta1.Application) []string {
	if a.Spec.AccountCR == nil {
		return nil
	}
	return []string{a.Spec.AccountCR.Name}
}

// ReferencedProduct returns the name of the Product of a: the index by which a product event
// finds its applications.
func ReferencedProduct(a *capabilitiesv1beta1.Application) []string {
	if a.Spec.ProductCR == nil {
		return nil
	}
	return []string{a.Spec.ProductCR.Name}
}

// ProductChanged tells whether an update of a Product may change the sync of its applications:
// whether and where it is synced, its authentication mode, its deletion.
func ProductChanged(before, after *capabilitiesv1beta1.Product) bool {
	return productStateOf(before) != productStateOf(after)
}

type productState struct {
	id       int64
	host     string
	synced   bool
	deleting bool
	mode     string
}

func productStateOf(p *capabilitiesv1beta1.Product) productState {
	s := productState{host: p.Status.ProviderAccountHost, synced: ProductSynced(p), deleting: !p.DeletionTimestamp.IsZero(),
		mode: p.Spec.Authentication().Mode()}
	if p.Status.ID != nil {
		s.id = *p.Status.ID
	}
	return s
}

// ProductSynced tells whether p is Synced for its current spec with a 3scale ID: whether its
// application plans exist in 3scale.
func ProductSynced(p *capabilitiesv1beta1.Product) bool {
	c := meta.FindStatusCondition(p.Status.Conditions, external.TypeSynced)
	return p.Status.ID != nil && c != nil && c.Status == metav1.ConditionTrue && c.ObservedGeneration == p.Generation
}

// refs are the objects an application references, resolved.
type refs struct {
	account *capabilitiesv1beta1.DeveloperAccount
	product *capabilitiesv1beta1.Product
}

// Check waits (Orphan) until a's DeveloperAccount is Ready and its Product Synced, both with an
// ID and of the same provider account, before any 3scale call.
func (k Kind) Check(ctx context.Context, a *capabilitiesv1beta1.Application) error {
	_, err := k.resolve(ctx, a, "")
	return err
}

func waiting(reason, format string, args ...any) error {
	return &external.WaitingError{Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// resolve returns the account and product of a, ready (in the tenant at adminURL, when not
// empty); otherwise a waits.
func (k Kind) resolve(ctx context.Context, a *capabilitiesv1beta1.Application, adminURL string) (refs, error) {
	if k.Objects == nil {
		return refs{}, errors.New("application: no reader of DeveloperAccounts and Products")
	}
	if a.Spec.AccountCR == nil || a.Spec.AccountCR.Name == "" {
		return refs{}, external.Invalidf("spec.accountCR: name the DeveloperAccount the application belongs to")
	}
	if a.Spec.ProductCR == nil || a.Spec.ProductCR.Name == "" {
		return refs{}, external.Invalidf("spec.productCR: name the Product the application subscribes to")
	}
	var acc capabilitiesv1beta1.DeveloperAccount
	name := a.Spec.AccountCR.Name
	err := k.Objects.Get(ctx, types.NamespacedName{Namespace: a.Namespace, Name: name}, &acc)
	switch {
	case client.IgnoreNotFound(err) != nil:
		return refs{}, fmt.Errorf("cannot read DeveloperAccount %s: %w", name, err)
	case err != nil:
		return refs{}, waiting(capabilitiesv1beta1.ApplicationAccountNotReadyReason, "spec.accountCR: no DeveloperAccount %s in this namespace", name)
	case !acc.DeletionTimestamp.IsZero():
		return refs{}, waiting(capabilitiesv1beta1.ApplicationAccountNotReadyReason, "spec.accountCR: DeveloperAccount %s is being deleted", name)
	case !developer.AccountReady(&acc) || (adminURL != "" && !external.SyncedTo(acc.Status.ProviderAccountHost, adminURL)):
		return refs{}, waiting(capabilitiesv1beta1.ApplicationAccountNotReadyReason, "spec.accountCR: DeveloperAccount %s is not Ready yet", name)
	}
	var p capabilitiesv1beta1.Product
	name = a.Spec.ProductCR.Name
	err = k.Objects.Get(ctx, types.NamespacedName{Namespace: a.Namespace, Name: name}, &p)
	switch {
	case client.IgnoreNotFound(err) != nil:
		return refs{}, fmt.Errorf("cannot read Product %s: %w", name, err)
	case err != nil:
		return refs{}, waiting(capabilitiesv1beta1.ApplicationProductNotReadyReason, "spec.productCR: no Product %s in this namespace", name)
	case !p.DeletionTimestamp.IsZero():
		return refs{}, waiting(capabilitiesv1beta1.ApplicationProductNotReadyReason, "spec.productCR: Product %s is being deleted", name)
	case !tenant.SameProviderAccount(p.Spec.ProviderAccountRef, acc.Spec.ProviderAccountRef):
		return refs{}, waiting(capabilitiesv1beta1.ApplicationTenantMismatchReason,
			"spec.productCR: Product %s and DeveloperAccount %s use different provider accounts (spec.providerAccountRef)", name, acc.Name)
	case !ProductSynced(&p) || (adminURL != "" && !external.SyncedTo(p.Status.ProviderAccountHost, adminURL)):
		return refs{}, waiting(capabilitiesv1beta1.ApplicationProductNotReadyReason, "spec.productCR: Product %s is not Synced yet", name)
	}
	return refs{account: &acc, product: &p}, nil
}

// Connect returns the External of a in the tenant of its DeveloperAccount, with its references
// resolved. An application being deleted needs only its recorded ID and its account, so its
// deletion never waits for a Product that may be going away too.
func (k Kind) Connect(ctx context.Context, a *capabilitiesv1beta1.Application) (external.External[*capabilitiesv1beta1.Application], error) {
	var ref *corev1.LocalObjectReference
	var acc capabilitiesv1beta1.DeveloperAccount
	accFound := false
	if k.Objects != nil && a.Spec.AccountCR != nil {
		if err := k.Objects.Get(ctx, types.NamespacedName{Namespace: a.Namespace, Name: a.Spec.AccountCR.Name}, &acc); err == nil {
			ref, accFound = acc.Spec.ProviderAccountRef, true
		}
	}
	var e *ext
	x, err := external.ConnectTenant(ctx, k.Tenants, a, ref, func(c *threescale.Client) external.External[*capabilitiesv1beta1.Application] {
		e = &ext{k: k, InTenant: external.InTenant{C: c}}
		return e
	})
	if err != nil {
		return nil, err
	}
	if !a.DeletionTimestamp.IsZero() {
		if accFound && acc.Status.ID != nil && external.SyncedTo(acc.Status.ProviderAccountHost, e.C.AdminURL()) {
			e.accountID = *acc.Status.ID
		}
		return x, nil
	}
	r, err := k.resolve(ctx, a, e.C.AdminURL())
	if err != nil {
		return nil, err
	}
	e.accountID, e.productID = *r.account.Status.ID, *r.product.Status.ID
	e.product = r.product
	return x, nil
}

// ext mirrors one Application through one tenant's client.
type ext struct {
	external.InTenant
	k Kind
	// accountID is the 3scale ID of the application's account (0 while it is being deleted
	// without a known account); productID and product are unset while it is being deleted.
	accountID, productID int64
	product              *capabilitiesv1beta1.Product
	// planID is the ID of the plan spec.applicationPlanName names, once read.
	planID int64
}

// Find returns the application the applicationID annotation names (the existing operator's
// mirror of status.applicationID). Otherwise an application has no natural key (names are not
// unique in an account), so nothing is adopted, with one exception that makes creation
// crash-safe: an object marked create-pending (the operator stopped between creating its
// application and recording it) takes the one application of its account and product with its
// name, when there is exactly one.
func (e *ext) Find(ctx context.Context, a *capabilitiesv1beta1.Application) (int64, error) {
	if id, err := strconv.ParseInt(a.Annotations[capabilitiesv1beta1.ApplicationIDAnnotation], 10, 64); err == nil && id > 0 {
		return id, nil
	}
	if _, pending := a.Annotations[external.CreatePendingAnnotation]; !pending || e.accountID == 0 || e.productID == 0 {
		return 0, nil
	}
	apps, err := e.C.ListAccountApplications(ctx, e.accountID)
	if err != nil {
		return 0, err
	}
	return MadeBefore(apps, e.productID, a.Spec.Name), nil
}

// MadeBefore returns the ID of the one application of apps on product productID named name, 0
// when there is none or more than one (which one was made by this object cannot be told).
func MadeBefore(apps []threescale.Application, productID int64, name string) int64 {
	var id int64
	for _, app := range apps {
		if app.ServiceID == productID && app.Name == name {
			if id != 0 {
				return 0
			}
			id = app.ID
		}
	}
	return id
}

// plan returns the ID of the application plan a names, read once per reconcile (one list of the
// product's plans).
func (e *ext) plan(ctx context.Context, a *capabilitiesv1beta1.Application) (int64, error) {
	if e.planID != 0 {
		return e.planID, nil
	}
	plans, err := e.C.ListApplicationPlans(ctx, e.productID)
	if err != nil {
		return 0, err
	}
	for _, p := range plans {
		if p.SystemName == a.Spec.ApplicationPlanName {
			e.planID = p.ID
			return p.ID, nil
		}
	}
	return 0, external.Invalidf("spec.applicationPlanName: Product %s has no application plan %q", a.Spec.ProductCR.Name, a.Spec.ApplicationPlanName)
}

// Observe reads the application id, records its state in a's status, and plans what differs.
// An application of another product (spec.productCR changed) is Invalid: moving it would mean
// deleting it and its keys, which is never done silently.
func (e *ext) Observe(ctx context.Context, a *capabilitiesv1beta1.Application, id int64) (external.Observation, error) {
	if e.product == nil {
		return external.Observation{}, errors.New("application: observing an application that is being deleted")
	}
	have, err := e.C.GetApplication(ctx, e.accountID, id)
	switch {
	case threescale.IsNotFound(err):
		return external.Observation{}, nil
	case err != nil:
		return external.Observation{}, err
	}
	if have.ServiceID != e.productID {
		return external.Observation{}, external.Invalidf(
			"spec.productCR: application %d subscribes to product %d, not to %d (Product %s): an application cannot move to another product "+
				"without being deleted with its keys, which the operator never does on its own; set spec.productCR back, "+
				"or create another Application for the new product and delete this one", id, have.ServiceID, e.productID, a.Spec.ProductCR.Name)
	}
	planID, err := e.plan(ctx, a)
	if err != nil {
		return external.Observation{}, err
	}
	d := desired(a, planID)
	a.Status.State = StateAfter(d, have.State)
	return external.Observation{Exists: true, Operations: Plan(e.accountID, d, *have)}, nil
}

func desired(a *capabilitiesv1beta1.Application, planID int64) Desired {
	return Desired{Name: a.Spec.Name, Description: a.Spec.Description, PlanID: planID, Suspend: a.Spec.Suspend}
}

// Create creates the application on its plan, with the credentials of spec.authSecretRef when
// given (the Observe that follows suspends it when asked).
func (e *ext) Create(ctx context.Context, a *capabilitiesv1beta1.Application) (int64, error) {
	if e.product == nil {
		return 0, errors.New("application: creating an application that is being deleted")
	}
	planID, err := e.plan(ctx, a)
	if err != nil {
		return 0, err
	}
	p := threescale.ApplicationParams{PlanID: &planID, Name: &a.Spec.Name, Description: &a.Spec.Description}
	if err := e.credentials(ctx, a, &p); err != nil {
		return 0, err
	}
	have, err := e.C.CreateApplication(ctx, e.accountID, p)
	if err != nil {
		return 0, fmt.Errorf("cannot create application %q in developer account %d: %w", a.Spec.Name, e.accountID, err)
	}
	return have.ID, nil
}

// credentials sets the credentials of spec.authSecretRef that the product's authentication mode
// uses; a key that is absent or empty is left to 3scale to generate. Values never appear in
// errors.
func (e *ext) credentials(ctx context.Context, a *capabilitiesv1beta1.Application, p *threescale.ApplicationParams) error {
	ref := a.Spec.AuthSecretRef
	if ref == nil || ref.Name == "" {
		return nil
	}
	data, _, err := e.k.Secrets.Data(ctx, a.Namespace, corev1.SecretReference{Name: ref.Name}, authSecretField)
	if err != nil {
		if tenant.IsMissing(err) {
			return &external.WaitingError{Reason: "SecretNotFound", Message: err.Error()}
		}
		return err
	}
	SetCredentials(e.product.Spec.Authentication().Mode(), data, p)
	return nil
}

// SetCredentials sets in p the values of data (a Secret's) that authentication mode mode reads;
// a key that is absent or empty is left to 3scale to generate.
func SetCredentials(mode string, data map[string][]byte, p *threescale.ApplicationParams) {
	for key, dst := range CredentialKeys(mode, p) {
		if v := string(data[key]); v != "" {
			*dst = &v
		}
	}
}

// CredentialKeys maps the Secret keys that authentication mode mode reads to the parameters of
// a new application they set.
func CredentialKeys(mode string, p *threescale.ApplicationParams) map[string]**string {
	switch mode {
	case capabilitiesv1beta1.AuthenticationModeAppKeyAppID:
		return map[string]**string{
			capabilitiesv1beta1.ApplicationIDSecretKey:  &p.ApplicationID,
			capabilitiesv1beta1.ApplicationKeySecretKey: &p.ApplicationKey,
		}
	case capabilitiesv1beta1.AuthenticationModeOIDC:
		return map[string]**string{
			capabilitiesv1beta1.ApplicationClientIDSecretKey:     &p.ApplicationID,
			capabilitiesv1beta1.ApplicationClientSecretSecretKey: &p.ApplicationKey,
		}
	}
	// User key, 3scale's default.
	return map[string]**string{capabilitiesv1beta1.ApplicationUserKeySecretKey: &p.UserKey}
}

// Delete deletes the application id from its account. Without a known account (the
// DeveloperAccount object is gone), the tenant's applications are listed to find it; an
// application already gone is not an error.
func (e *ext) Delete(ctx context.Context, _ *capabilitiesv1beta1.Application, id int64) error {
	accountID := e.accountID
	if accountID == 0 {
		apps, err := e.C.ListApplications(ctx, threescale.ApplicationFilter{})
		if err != nil {
			return err
		}
		for _, app := range apps {
			if app.ID == id {
				accountID = app.AccountID
			}
		}
		if accountID == 0 {
			return nil
		}
	}
	if err := e.C.DeleteApplication(ctx, accountID, id); err != nil && !threescale.IsNotFound(err) {
		return err
	}
	return nil
}
