package developer

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/tenant"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// AccountKind adapts DeveloperAccount to the generic loop.
type AccountKind struct {
	// Users reads DeveloperUser objects (from the cache: the controller watches them), to find an
	// account's admin user, and deletes those of a deleted account.
	Users client.Client
	// Secrets reads the password Secret of the admin user.
	Secrets tenant.SecretReader
	// Tenants connects an account to its tenant.
	Tenants external.Tenants
}

var _ external.Kind[*capabilitiesv1beta1.DeveloperAccount] = AccountKind{}

// New returns an empty DeveloperAccount.
func (AccountKind) New() *capabilitiesv1beta1.DeveloperAccount {
	return &capabilitiesv1beta1.DeveloperAccount{}
}

// NewList returns an empty DeveloperAccountList.
func (AccountKind) NewList() client.ObjectList { return &capabilitiesv1beta1.DeveloperAccountList{} }

// Finalizer returns the finalizer of the 3scale operator that Red Hat ships.
func (AccountKind) Finalizer() string { return capabilitiesv1beta1.DeveloperAccountFinalizer }

// Conditions are Ready, Invalid, Failed and Waiting (for the admin user), those of the 3scale
// operator that Red Hat ships.
func (AccountKind) Conditions() external.ConditionSet {
	return external.ConditionSet{Waiting: external.TypeWaiting}
}

// Status returns the status fields the loop sets.
func (AccountKind) Status(a *capabilitiesv1beta1.DeveloperAccount) external.Status {
	return external.Status{
		Conditions:         &a.Status.Conditions,
		ObservedGeneration: &a.Status.ObservedGeneration,
		ID:                 &a.Status.ID,
		Location:           &a.Status.ProviderAccountHost,
	}
}

// AccountSecretNames returns the Secrets of its namespace an account reads: its tenant's.
func AccountSecretNames(a *capabilitiesv1beta1.DeveloperAccount) []string {
	return tenant.SecretNames(a.Spec.ProviderAccountRef)
}

// Check has nothing to check without its tenant: the admin user is awaited in Connect, only
// when the account has to be created.
func (AccountKind) Check(context.Context, *capabilitiesv1beta1.DeveloperAccount) error { return nil }

// Connect returns the External of a in its tenant. An account that records no 3scale account
// (nor names one in its accountID annotation) is to be found or created with its admin user: it
// waits until that user exists, before any 3scale call.
func (k AccountKind) Connect(ctx context.Context, a *capabilitiesv1beta1.DeveloperAccount) (external.External[*capabilitiesv1beta1.DeveloperAccount], error) {
	var e *accountExt
	x, err := external.ConnectTenant(ctx, k.Tenants, a, a.Spec.ProviderAccountRef, func(c *threescale.Client) external.External[*capabilitiesv1beta1.DeveloperAccount] {
		e = &accountExt{k: k, c: c, desired: DesiredAccount(a)}
		return e
	})
	if err != nil || !a.DeletionTimestamp.IsZero() {
		return x, err
	}
	if external.KnownID(a.Status.ID, a.Status.ProviderAccountHost, e.c.AdminURL()) == 0 && annotatedID(a.Annotations, capabilitiesv1beta1.DeveloperAccountIDAnnotation) == 0 {
		if err := e.resolveAdmin(ctx, a); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// DesiredAccount returns what a asks of its account, with the defaults of the CRD.
func DesiredAccount(a *capabilitiesv1beta1.DeveloperAccount) AccountDesired {
	return AccountDesired{
		OrgName:                a.Spec.OrgName,
		MonthlyBillingEnabled:  a.Spec.MonthlyBillingEnabled == nil || *a.Spec.MonthlyBillingEnabled,
		MonthlyChargingEnabled: a.Spec.MonthlyChargingEnabled == nil || *a.Spec.MonthlyChargingEnabled,
	}
}

// annotatedID returns the ID an annotation of the 3scale operator that Red Hat ships names (after
// a backup and restore, which lose the status), 0 when none.
func annotatedID(annotations map[string]string, key string) int64 {
	id, err := strconv.ParseInt(annotations[key], 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

// AdminUser returns the DeveloperUser that signs a up: of a's namespace and provider account,
// role admin, referencing a, not being deleted (the oldest, when several). Without one, a waits.
func AdminUser(ctx context.Context, c client.Reader, a *capabilitiesv1beta1.DeveloperAccount) (*capabilitiesv1beta1.DeveloperUser, error) {
	var list capabilitiesv1beta1.DeveloperUserList
	if err := c.List(ctx, &list, client.InNamespace(a.Namespace)); err != nil {
		return nil, fmt.Errorf("cannot list DeveloperUsers: %w", err)
	}
	var found *capabilitiesv1beta1.DeveloperUser
	for i := range list.Items {
		u := &list.Items[i]
		if u.Spec.DeveloperAccountRef.Name != a.Name || userRole(u) != capabilitiesv1beta1.DeveloperUserRoleAdmin ||
			!tenant.SameProviderAccount(u.Spec.ProviderAccountRef, a.Spec.ProviderAccountRef) || !u.DeletionTimestamp.IsZero() {
			continue
		}
		if found == nil || u.CreationTimestamp.Before(&found.CreationTimestamp) ||
			(u.CreationTimestamp.Equal(&found.CreationTimestamp) && u.Name < found.Name) {
			found = u
		}
	}
	if found == nil {
		return nil, &external.WaitingError{Reason: capabilitiesv1beta1.DeveloperAccountWaitingForAdminUserReason, Message: fmt.Sprintf(
			"3scale creates a developer account together with its first admin user: waiting for a DeveloperUser of this namespace and provider account with spec.role admin and spec.developerAccountRef.name %q", a.Name)}
	}
	return found, nil
}

// userRole returns the role of u, member by default.
func userRole(u *capabilitiesv1beta1.DeveloperUser) string {
	if u.Spec.Role == nil || *u.Spec.Role == "" {
		return capabilitiesv1beta1.DeveloperUserRoleMember
	}
	return *u.Spec.Role
}

// admin is the admin user an account is signed up with.
type admin struct {
	username, email, password string
}

// accountExt mirrors one DeveloperAccount through one tenant's client.
type accountExt struct {
	k       AccountKind
	c       *threescale.Client
	desired AccountDesired
	// admin is the admin user, once resolved (only when the account may have to be created).
	admin *admin
}

func (e *accountExt) Location() string           { return e.c.AdminURL() }
func (e *accountExt) Client() *threescale.Client { return e.c }

// resolveAdmin reads the admin user of a and its password.
func (e *accountExt) resolveAdmin(ctx context.Context, a *capabilitiesv1beta1.DeveloperAccount) error {
	if e.admin != nil {
		return nil
	}
	if e.k.Users == nil {
		return errors.New("developer: no reader of DeveloperUsers")
	}
	u, err := AdminUser(ctx, e.k.Users, a)
	if err != nil {
		return err
	}
	password, err := Password(ctx, e.k.Secrets, u, fmt.Sprintf("spec.passwordCredentialsRef of DeveloperUser %s", u.Name))
	if err != nil {
		return err
	}
	e.admin = &admin{username: u.Spec.Username, email: u.Spec.Email, password: password}
	return nil
}

// Find returns the account the accountID annotation names, else the account of the admin user's
// username, else the account with a's org name; 0 when there is none.
func (e *accountExt) Find(ctx context.Context, a *capabilitiesv1beta1.DeveloperAccount) (int64, error) {
	if id := annotatedID(a.Annotations, capabilitiesv1beta1.DeveloperAccountIDAnnotation); id != 0 {
		return id, nil
	}
	if e.resolveAdmin(ctx, a) == nil {
		acct, err := e.c.FindAccount(ctx, threescale.FindAccountParams{Username: &e.admin.username})
		switch {
		case err == nil:
			return acct.ID, nil
		case !threescale.IsNotFound(err):
			return 0, err
		}
	}
	return external.FindID(ctx,
		func(ctx context.Context) ([]threescale.Account, error) {
			return e.c.ListAccounts(ctx, threescale.AccountFilter{})
		},
		func(acct threescale.Account) bool { return acct.OrgName == e.desired.OrgName },
		func(acct threescale.Account) int64 { return acct.ID })
}

// Observe reads the account id, records its state in a's status, and plans what differs.
func (e *accountExt) Observe(ctx context.Context, a *capabilitiesv1beta1.DeveloperAccount, id int64) (external.Observation, error) {
	have, err := e.c.GetAccount(ctx, id)
	switch {
	case threescale.IsNotFound(err):
		return external.Observation{}, nil
	case err != nil:
		return external.Observation{}, err
	}
	state, card := have.State, have.CreditCardStored
	a.Status.AccountState, a.Status.CreditCardStored = &state, &card
	return external.Observation{Exists: true, Operations: PlanAccount(id, e.desired, *have)}, nil
}

// Create signs the account up with its admin user; the flags that signup does not take are
// planned by the Observe that follows.
func (e *accountExt) Create(ctx context.Context, a *capabilitiesv1beta1.DeveloperAccount) (int64, error) {
	if err := e.resolveAdmin(ctx, a); err != nil {
		return 0, err
	}
	acct, err := e.c.Signup(ctx, threescale.SignupParams{
		OrgName: &e.desired.OrgName, Username: &e.admin.username, Email: &e.admin.email, Password: &e.admin.password,
	})
	if err != nil {
		return 0, fmt.Errorf("cannot sign up developer account %q with admin user %q: %w", e.desired.OrgName, e.admin.username, err)
	}
	return acct.ID, nil
}

// Delete deletes the account id with its users; one already gone is not an error.
func (e *accountExt) Delete(ctx context.Context, _ *capabilitiesv1beta1.DeveloperAccount, id int64) error {
	if err := e.c.DeleteAccount(ctx, id); err != nil && !threescale.IsNotFound(err) {
		return err
	}
	return nil
}

var _ external.DependentsDeleter[*capabilitiesv1beta1.DeveloperAccount] = AccountKind{}

// DeleteDependents deletes the DeveloperUser objects of a's namespace whose
// spec.developerAccountRef names a, once a's account is deleted (their users went with it), or
// when a never recorded one (they wait for it, in vain). The loop does not call it when the
// deletion policy orphans the account: its users, and their objects, stay.
func (k AccountKind) DeleteDependents(ctx context.Context, a *capabilitiesv1beta1.DeveloperAccount) error {
	c := k.Users
	if c == nil {
		return errors.New("developer: no client of DeveloperUsers")
	}
	var list capabilitiesv1beta1.DeveloperUserList
	if err := c.List(ctx, &list, client.InNamespace(a.Namespace)); err != nil {
		return fmt.Errorf("cannot list DeveloperUsers: %w", err)
	}
	for i := range list.Items {
		u := &list.Items[i]
		if u.Spec.DeveloperAccountRef.Name != a.Name || !u.DeletionTimestamp.IsZero() {
			continue
		}
		if err := c.Delete(ctx, u); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("cannot delete DeveloperUser %s of the deleted account: %w", u.Name, err)
		}
	}
	return nil
}
