package developer

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/tenant"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// passwordField names the password reference in messages.
const passwordField = "spec.passwordCredentialsRef"

// UserKind adapts DeveloperUser to the generic loop.
type UserKind struct {
	// Accounts reads DeveloperAccount objects (from the cache: the controller watches them).
	Accounts client.Reader
	// Secrets reads the password Secret.
	Secrets tenant.SecretReader
	// Tenants connects a user to its tenant.
	Tenants external.Tenants
}

var _ external.Kind[*capabilitiesv1beta1.DeveloperUser] = UserKind{}

// New returns an empty DeveloperUser.
func (UserKind) New() *capabilitiesv1beta1.DeveloperUser { return &capabilitiesv1beta1.DeveloperUser{} }

// NewList returns an empty DeveloperUserList.
func (UserKind) NewList() client.ObjectList { return &capabilitiesv1beta1.DeveloperUserList{} }

// Finalizer returns the finalizer of the 3scale operator that Red Hat ships.
func (UserKind) Finalizer() string { return capabilitiesv1beta1.DeveloperUserFinalizer }

// Conditions are Ready, Invalid, Failed and Orphan (waiting for its account), those of the 3scale
// operator that Red Hat ships.
func (UserKind) Conditions() external.ConditionSet {
	return external.ConditionSet{Waiting: external.TypeOrphan}
}

// Status returns the status fields the loop sets.
func (UserKind) Status(u *capabilitiesv1beta1.DeveloperUser) external.Status {
	return external.Status{
		Conditions:         &u.Status.Conditions,
		ObservedGeneration: &u.Status.ObservedGeneration,
		ID:                 &u.Status.ID,
		Location:           &u.Status.ProviderAccountHost,
	}
}

// UserSecretNames returns the Secrets of its namespace a user reads: its tenant's and its
// password's.
func UserSecretNames(u *capabilitiesv1beta1.DeveloperUser) []string {
	names := tenant.SecretNames(u.Spec.ProviderAccountRef)
	if ref := u.Spec.PasswordCredentialsRef; ref.Name != "" && (ref.Namespace == "" || ref.Namespace == u.Namespace) {
		names = append(names, ref.Name)
	}
	return names
}

// UserForeignSecrets returns the password Secret of a user when it is in another namespace, as
// "namespace/name".
func UserForeignSecrets(u *capabilitiesv1beta1.DeveloperUser) []string {
	if ref := u.Spec.PasswordCredentialsRef; ref.Name != "" && ref.Namespace != "" && ref.Namespace != u.Namespace {
		return []string{ref.Namespace + "/" + ref.Name}
	}
	return nil
}

// ReferencedAccount returns the name of the DeveloperAccount u belongs to: the index by which an
// account event finds its users.
func ReferencedAccount(u *capabilitiesv1beta1.DeveloperUser) []string {
	return []string{u.Spec.DeveloperAccountRef.Name}
}

// Check waits (Orphan) until u's DeveloperAccount is Ready with an ID, before any 3scale call.
func (k UserKind) Check(ctx context.Context, u *capabilitiesv1beta1.DeveloperUser) error {
	_, err := k.account(ctx, u, "")
	return err
}

// account returns the DeveloperAccount of u: of u's namespace and provider account, not being
// deleted, Ready with an ID (on the tenant at adminURL, when not empty). Otherwise u waits.
func (k UserKind) account(ctx context.Context, u *capabilitiesv1beta1.DeveloperUser, adminURL string) (*capabilitiesv1beta1.DeveloperAccount, error) {
	if k.Accounts == nil {
		return nil, errors.New("developer: no reader of DeveloperAccounts")
	}
	name := u.Spec.DeveloperAccountRef.Name
	waiting := func(format string, args ...any) error {
		return &external.WaitingError{Reason: capabilitiesv1beta1.DeveloperUserAccountNotReadyReason,
			Message: "spec.developerAccountRef: " + fmt.Sprintf(format, args...)}
	}
	var a capabilitiesv1beta1.DeveloperAccount
	err := k.Accounts.Get(ctx, types.NamespacedName{Namespace: u.Namespace, Name: name}, &a)
	switch {
	case client.IgnoreNotFound(err) != nil:
		return nil, fmt.Errorf("cannot read DeveloperAccount %s: %w", name, err)
	case err != nil:
		return nil, waiting("no DeveloperAccount %s in this namespace", name)
	case !a.DeletionTimestamp.IsZero():
		return nil, waiting("DeveloperAccount %s is being deleted, and its users with it", name)
	case !tenant.SameProviderAccount(a.Spec.ProviderAccountRef, u.Spec.ProviderAccountRef):
		return nil, waiting("DeveloperAccount %s uses another provider account (spec.providerAccountRef)", name)
	case !AccountReady(&a) || (adminURL != "" && !external.SyncedTo(a.Status.ProviderAccountHost, adminURL)):
		return nil, waiting("DeveloperAccount %s is not Ready in this user's tenant yet", name)
	}
	return &a, nil
}

// AccountReady tells whether a is Ready with a 3scale ID: whether users may be made in it.
func AccountReady(a *capabilitiesv1beta1.DeveloperAccount) bool {
	c := meta.FindStatusCondition(a.Status.Conditions, external.TypeReady)
	return a.Status.ID != nil && c != nil && c.Status == metav1.ConditionTrue
}

// AccountChanged tells whether an update of a DeveloperAccount may change the sync of its users:
// whether and where it is Ready, or its deletion.
func AccountChanged(before, after *capabilitiesv1beta1.DeveloperAccount) bool {
	return accountStateOf(before) != accountStateOf(after)
}

type accountState struct {
	id       int64
	host     string
	ready    bool
	deleting bool
}

func accountStateOf(a *capabilitiesv1beta1.DeveloperAccount) accountState {
	s := accountState{host: a.Status.ProviderAccountHost, ready: AccountReady(a), deleting: !a.DeletionTimestamp.IsZero()}
	if a.Status.ID != nil {
		s.id = *a.Status.ID
	}
	return s
}

// Connect returns the External of u in its tenant, with its account resolved. A user being
// deleted needs only the IDs its status records, so that its deletion never waits for an account
// object that may be going away too.
func (k UserKind) Connect(ctx context.Context, u *capabilitiesv1beta1.DeveloperUser) (external.External[*capabilitiesv1beta1.DeveloperUser], error) {
	var e *userExt
	x, err := external.ConnectTenant(ctx, k.Tenants, u, u.Spec.ProviderAccountRef, func(c *threescale.Client) external.External[*capabilitiesv1beta1.DeveloperUser] {
		e = &userExt{k: k, c: c}
		return e
	})
	if err != nil {
		return nil, err
	}
	if !u.DeletionTimestamp.IsZero() {
		e.accountID = k.recordedAccount(ctx, u)
		return x, nil
	}
	a, err := k.account(ctx, u, e.c.AdminURL())
	if err != nil {
		return nil, err
	}
	e.accountID = *a.Status.ID
	d := DesiredUser(u)
	e.desired = &d
	if external.KnownID(u.Status.ID, u.Status.ProviderAccountHost, e.c.AdminURL()) == 0 &&
		annotatedID(u.Annotations, capabilitiesv1beta1.DeveloperUserIDAnnotation) == 0 {
		// Probably to be created: its password must be there before anything is written. A
		// user the userID annotation names (a restored or exported object) is adopted instead;
		// Create still reads the password if that user turns out to be gone.
		if err := e.readPassword(ctx, u); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// recordedAccount returns the ID of the account a user being deleted belongs to: the one its
// status records, else the one its DeveloperAccount records (a user that stopped between its
// creation and recording it), else 0.
func (k UserKind) recordedAccount(ctx context.Context, u *capabilitiesv1beta1.DeveloperUser) int64 {
	if u.Status.AccountID != nil {
		return *u.Status.AccountID
	}
	var a capabilitiesv1beta1.DeveloperAccount
	if k.Accounts == nil || k.Accounts.Get(ctx, types.NamespacedName{Namespace: u.Namespace, Name: u.Spec.DeveloperAccountRef.Name}, &a) != nil || a.Status.ID == nil {
		return 0
	}
	return *a.Status.ID
}

// DesiredUser returns what u asks of its user.
func DesiredUser(u *capabilitiesv1beta1.DeveloperUser) UserDesired {
	return UserDesired{Username: u.Spec.Username, Email: u.Spec.Email, Role: userRole(u), Suspended: u.Spec.Suspended}
}

// userExt mirrors one DeveloperUser through one tenant's client.
type userExt struct {
	k UserKind
	c *threescale.Client
	// accountID is the 3scale ID of the account the user belongs to (while it is being deleted,
	// the one its status records); desired is what it asks, unset while it is being deleted.
	accountID int64
	desired   *UserDesired
	// password is read when the user may have to be created.
	password string
	// moved is the user the status records in another account, found by Observe: Create
	// deletes it first (usernames and emails are unique in a tenant).
	moved *movedUser
}

type movedUser struct{ accountID, id int64 }

func (e *userExt) Location() string           { return e.c.AdminURL() }
func (e *userExt) Client() *threescale.Client { return e.c }

func (e *userExt) readPassword(ctx context.Context, u *capabilitiesv1beta1.DeveloperUser) error {
	if e.password != "" {
		return nil
	}
	p, err := Password(ctx, e.k.Secrets, u, passwordField)
	if err != nil {
		return err
	}
	e.password = p
	return nil
}

// Password reads the password of u (field names the reference in messages). A Secret, or key,
// that is missing or empty is waited for (reason SecretNotFound): creating or fixing it is enough
// to go on. The password itself never appears in an error.
func Password(ctx context.Context, secrets tenant.SecretReader, u *capabilitiesv1beta1.DeveloperUser, field string) (string, error) {
	p, err := secrets.Value(ctx, u.Namespace, u.Spec.PasswordCredentialsRef, field, capabilitiesv1beta1.DeveloperUserPasswordSecretKey)
	switch {
	case tenant.IsMissing(err):
		// The message names the Secret and field already.
		return "", &external.WaitingError{Reason: capabilitiesv1beta1.DeveloperUserSecretNotFoundReason, Message: err.Error()}
	case tenant.IsBadSecret(err):
		return "", &external.WaitingError{Reason: capabilitiesv1beta1.DeveloperUserSecretNotFoundReason, Message: field + ": " + err.Error()}
	}
	return p, err
}

// Find returns the user the userID annotation names, else the user of the account with u's
// username (the admin user signup made is adopted so); 0 when there is none.
func (e *userExt) Find(ctx context.Context, u *capabilitiesv1beta1.DeveloperUser) (int64, error) {
	if id := annotatedID(u.Annotations, capabilitiesv1beta1.DeveloperUserIDAnnotation); id != 0 {
		return id, nil
	}
	if e.accountID == 0 {
		return 0, nil
	}
	return external.FindID(ctx,
		func(ctx context.Context) ([]threescale.User, error) {
			return e.c.ListUsers(ctx, e.accountID, threescale.UserFilter{})
		},
		func(have threescale.User) bool { return have.Username == u.Spec.Username },
		func(have threescale.User) int64 { return have.ID })
}

// Observe reads the user id in u's account, records both IDs and its state in u's status, and
// plans what differs. A user the status records in another account is not there: Create moves
// it.
func (e *userExt) Observe(ctx context.Context, u *capabilitiesv1beta1.DeveloperUser, id int64) (external.Observation, error) {
	if e.desired == nil {
		return external.Observation{}, errors.New("developer: observing a user that is being deleted")
	}
	have, err := e.c.GetUser(ctx, e.accountID, id)
	switch {
	case threescale.IsNotFound(err):
		if old := u.Status.AccountID; old != nil && *old != e.accountID {
			e.moved = &movedUser{accountID: *old, id: id}
		}
		return external.Observation{}, nil
	case err != nil:
		return external.Observation{}, err
	}
	accountID, state := e.accountID, StateAfter(*e.desired, have.State)
	u.Status.AccountID, u.Status.DeveloperUserState = &accountID, &state
	return external.Observation{Exists: true, Operations: PlanUser(e.accountID, *e.desired, *have)}, nil
}

// Create deletes the user from its old account when it moved, then creates it in its account
// (pending and a member: the Observe that follows plans its role and state).
func (e *userExt) Create(ctx context.Context, u *capabilitiesv1beta1.DeveloperUser) (int64, error) {
	if e.desired == nil {
		return 0, errors.New("developer: creating a user that is being deleted")
	}
	if err := e.readPassword(ctx, u); err != nil {
		return 0, err
	}
	if m := e.moved; m != nil {
		if err := e.c.DeleteUser(ctx, m.accountID, m.id); err != nil && !threescale.IsNotFound(err) {
			return 0, fmt.Errorf("cannot delete user %d from developer account %d, which it is moved out of: %w", m.id, m.accountID, err)
		}
		e.moved = nil
	}
	have, err := e.c.CreateUser(ctx, e.accountID, threescale.UserParams{Username: &e.desired.Username, Email: &e.desired.Email, Password: &e.password})
	if err != nil {
		return 0, fmt.Errorf("cannot create user %q in developer account %d: %w", e.desired.Username, e.accountID, err)
	}
	accountID := e.accountID
	u.Status.AccountID = &accountID
	return have.ID, nil
}

// Delete deletes the user id from the account u's status records. A user, or an account, already
// gone is not an error; without a known account there is nothing to delete.
func (e *userExt) Delete(ctx context.Context, _ *capabilitiesv1beta1.DeveloperUser, id int64) error {
	if e.accountID == 0 {
		return nil
	}
	if err := e.c.DeleteUser(ctx, e.accountID, id); err != nil && !threescale.IsNotFound(err) {
		return err
	}
	return nil
}
