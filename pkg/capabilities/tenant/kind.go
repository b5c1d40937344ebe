package tenant

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	capabilitiesv1alpha1 "github.com/threescale-oss/operator/api/capabilities/v1alpha1"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/external"
	secrets "github.com/threescale-oss/operator/pkg/tenant"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// stateScheduledForDeletion is the state of a tenant the master API deleted: 3scale removes it
// for good some days later; for the operator it is gone.
const stateScheduledForDeletion = "scheduled_for_deletion"

// managedByAnnotation marks, in 3scale, the tenants the operator made, as the 3scale operator
// that Red Hat ships does.
const managedByAnnotation = "managed_by"

// Kind adapts Tenant to the generic loop. Its entity lives in the master account: it connects to
// spec.systemMasterUrl with the master token, not to a tenant.
type Kind struct {
	// Secrets reads the master token and admin password Secrets (another namespace's only with
	// its opt-in).
	Secrets secrets.SecretReader
	// Reader reads the tenant Secret on demand (the API reader: Secret data is never cached).
	Reader client.Reader
	// Writer creates and updates the tenant Secret.
	Writer client.Client
	// Scheme makes the Secret's owner reference.
	Scheme *runtime.Scheme
	// Clients holds the 3scale clients, the master API's among them.
	Clients *secrets.Clients
}

var _ external.Kind[*capabilitiesv1alpha1.Tenant] = Kind{}

// New returns an empty Tenant.
func (Kind) New() *capabilitiesv1alpha1.Tenant { return &capabilitiesv1alpha1.Tenant{} }

// NewList returns an empty TenantList.
func (Kind) NewList() client.ObjectList { return &capabilitiesv1alpha1.TenantList{} }

// Finalizer returns the finalizer of the 3scale operator that Red Hat ships.
func (Kind) Finalizer() string { return capabilitiesv1alpha1.TenantFinalizer }

// FollowsSecrets: the admin password and the token follow Secrets, so their rotation while the
// spec is unchanged is no drift.
func (Kind) FollowsSecrets() bool { return true }

// Conditions are Ready, Invalid and Failed, and Waiting while a Secret or key is missing.
func (Kind) Conditions() external.ConditionSet {
	return external.ConditionSet{Waiting: external.TypeWaiting}
}

// Status returns the status fields the loop sets; tenantId is a plain number, 0 when none.
func (Kind) Status(t *capabilitiesv1alpha1.Tenant) external.Status {
	return external.Status{
		Conditions:         &t.Status.Conditions,
		ObservedGeneration: &t.Status.ObservedGeneration,
		NumberID:           &t.Status.TenantID,
	}
}

// SecretName returns the tenant Secret of t: spec.tenantSecretRef, the name defaulting to
// <metadata.name>-<lowercased organizationName> and the namespace to t's.
func SecretName(t *capabilitiesv1alpha1.Tenant) types.NamespacedName {
	nn := types.NamespacedName{Namespace: t.Namespace, Name: strings.ToLower(t.Name + "-" + t.Spec.OrganizationName)}
	if ref := t.Spec.TenantSecretRef; ref != nil {
		if ref.Name != "" {
			nn.Name = ref.Name
		}
		if ref.Namespace != "" {
			nn.Namespace = ref.Namespace
		}
	}
	return nn
}

// SecretNames returns the Secrets of its namespace t reads: the master token's and the admin
// password's.
func SecretNames(t *capabilitiesv1alpha1.Tenant) []string {
	var names []string
	for _, ref := range []corev1.SecretReference{t.Spec.MasterCredentialsRef, t.Spec.PasswordCredentialsRef} {
		if ref.Name != "" && (ref.Namespace == "" || ref.Namespace == t.Namespace) {
			names = append(names, ref.Name)
		}
	}
	return names
}

// ForeignSecrets returns the Secrets of other namespaces t reads, as "namespace/name".
func ForeignSecrets(t *capabilitiesv1alpha1.Tenant) []string {
	var names []string
	for _, ref := range []corev1.SecretReference{t.Spec.MasterCredentialsRef, t.Spec.PasswordCredentialsRef} {
		if ref.Name != "" && ref.Namespace != "" && ref.Namespace != t.Namespace {
			names = append(names, ref.Namespace+"/"+ref.Name)
		}
	}
	return names
}

// Check refuses a tenant Secret that t cannot own: in another namespace (an owner reference
// cannot cross namespaces), or with a name Kubernetes refuses.
func (Kind) Check(_ context.Context, t *capabilitiesv1alpha1.Tenant) error {
	nn := SecretName(t)
	if nn.Namespace != t.Namespace {
		return external.Invalidf("spec.tenantSecretRef.namespace %q: the tenant Secret is owned by the Tenant, so it must be in the Tenant's namespace %q", nn.Namespace, t.Namespace)
	}
	if errs := validation.IsDNS1123Subdomain(nn.Name); len(errs) > 0 {
		return external.Invalidf("tenant Secret name %q is not valid (%s): set spec.tenantSecretRef.name", nn.Name, strings.Join(errs, "; "))
	}
	return nil
}

// Connect returns the External of t in the master account of spec.systemMasterUrl. A Tenant that
// may have to be created (no tenant recorded) reads its admin password first: a missing Secret or
// key waits, before any 3scale call.
func (k Kind) Connect(ctx context.Context, t *capabilitiesv1alpha1.Tenant) (external.External[*capabilitiesv1alpha1.Tenant], error) {
	deleting := !t.DeletionTimestamp.IsZero()
	ref := t.Spec.MasterCredentialsRef
	token, err := k.Secrets.Value(ctx, t.Namespace, ref, "spec.masterCredentialsRef", capabilitiesv1alpha1.TenantMasterAccessTokenSecretKey)
	if err != nil {
		return nil, waitForSecret(err, deleting)
	}
	source := secrets.SecretKey{Namespace: ref.Namespace, Name: ref.Name, Key: capabilitiesv1alpha1.TenantMasterAccessTokenSecretKey}
	if source.Namespace == "" {
		source.Namespace = t.Namespace
	}
	creds := secrets.NewCredentials(strings.TrimSuffix(t.Spec.SystemMasterURL, "/"), token, source)
	creds.InsecureSkipVerify = t.Annotations[external.InsecureSkipVerifyAnnotation] == "true"
	c, err := k.Clients.For(creds)
	if err != nil {
		return nil, err
	}
	e := &ext{k: k, c: c, source: source}
	if !deleting && t.Status.TenantID == 0 && annotatedID(t) == 0 {
		e.password, err = k.Secrets.Value(ctx, t.Namespace, t.Spec.PasswordCredentialsRef, "spec.passwordCredentialsRef", capabilitiesv1alpha1.TenantAdminPasswordSecretKey)
		if err != nil {
			return nil, waitForSecret(err, deleting)
		}
	}
	return e, nil
}

// waitForSecret turns a missing Secret or key into waiting (the message names the Secret and
// key). A Tenant being deleted keeps the error as it is, so that the loop releases one that never
// reached 3scale.
func waitForSecret(err error, deleting bool) error {
	if deleting || !(secrets.IsMissing(err) || secrets.IsBadSecret(err)) {
		return err
	}
	return &external.WaitingError{Reason: capabilitiesv1alpha1.TenantSecretNotFoundReason, Message: err.Error()}
}

// annotatedID returns the tenant the tenantID annotation names (the 3scale operator that Red
// Hat ships mirrors status.tenantId there; it survives a backup and restore), 0 when none.
func annotatedID(t *capabilitiesv1alpha1.Tenant) int64 {
	id, err := strconv.ParseInt(t.Annotations[capabilitiesv1alpha1.TenantIDAnnotation], 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

// ext mirrors one Tenant through the master API.
type ext struct {
	k Kind
	c *threescale.Client
	// source is the Secret key of the master token, named when 3scale refuses it.
	source secrets.SecretKey
	// password is the admin's, read only when the tenant may have to be created.
	password string
	// token is the access token the signup answered, set by Create: 3scale shows it only then.
	token string
}

func (e *ext) Location() string           { return e.c.AdminURL() }
func (e *ext) Client() *threescale.Client { return e.c }

// Find returns the tenant the tenantID annotation names, else the tenant with t's organization
// name (not scheduled for deletion), from one paginated listing of the master account's accounts
// (in 3scale, the tenants are the master's buyers); 0 when none. A restart between the signup and
// recording its ID so finds the tenant instead of signing up a second one.
func (e *ext) Find(ctx context.Context, t *capabilitiesv1alpha1.Tenant) (int64, error) {
	if id := annotatedID(t); id != 0 {
		return id, nil
	}
	id, err := external.FindID(ctx,
		func(ctx context.Context) ([]threescale.Account, error) {
			return e.c.ListAccounts(ctx, threescale.AccountFilter{})
		},
		func(a threescale.Account) bool {
			return a.OrgName == t.Spec.OrganizationName && a.State != stateScheduledForDeletion
		},
		func(a threescale.Account) int64 { return a.ID })
	return id, external.ExplainCredentials(err, e.source)
}

// Observe reads the tenant id and plans its provider fields and the tenant Secret. A tenant
// scheduled for deletion does not exist any more.
func (e *ext) Observe(ctx context.Context, t *capabilitiesv1alpha1.Tenant, id int64) (external.Observation, error) {
	have, err := e.c.GetTenant(ctx, id)
	switch {
	case threescale.IsNotFound(err):
		return external.Observation{}, nil
	case err != nil:
		return external.Observation{}, external.ExplainCredentials(err, e.source)
	case have.Account.State == stateScheduledForDeletion:
		return external.Observation{}, nil
	}
	ops := PlanUpdate(id, t.Spec, have.Account)
	users, err := e.c.ListUsers(ctx, id, threescale.UserFilter{})
	if err != nil {
		return external.Observation{}, external.ExplainCredentials(fmt.Errorf("cannot list the users of tenant %d: %w", id, err), e.source)
	}
	record := func(uid int64) { t.Status.AdminID = uid }
	adminID, adminOps := PlanAdmin(id, t.Spec, users, e.password, record)
	if adminID == 0 && e.password == "" {
		// The admin user is gone: it is made again, with the password of the Secret.
		if e.password, err = e.k.Secrets.Value(ctx, t.Namespace, t.Spec.PasswordCredentialsRef, "spec.passwordCredentialsRef", capabilitiesv1alpha1.TenantAdminPasswordSecretKey); err != nil {
			return external.Observation{}, waitForSecret(err, false)
		}
		adminID, adminOps = PlanAdmin(id, t.Spec, users, e.password, record)
	}
	t.Status.AdminID = adminID
	ops = append(ops, adminOps...)
	nn := SecretName(t)
	var s corev1.Secret
	var data map[string][]byte
	switch err := e.k.Reader.Get(ctx, nn, &s); {
	case err == nil:
		data = s.Data
		if data == nil {
			data = map[string][]byte{}
		}
	case !apierrors.IsNotFound(err):
		return external.Observation{}, fmt.Errorf("cannot read the tenant Secret %s: %w", nn, err)
	}
	adminURL := AdminURL(have.Account)
	reissue := false
	if token := string(data[capabilitiesv1alpha1.TenantSecretTokenKey]); e.token == "" {
		// 3scale shows a token only in the signup's answer: one lost from the Secret, or refused
		// (deleted in the admin portal, expired), is replaced by a new one.
		reissue = token == ""
		if !reissue && adminID != 0 {
			works, err := e.tokenWorks(ctx, t, nn, adminURL, token, adminID)
			if err != nil {
				return external.Observation{}, err
			}
			reissue = !works
		}
	}
	recorded := s.Annotations[PasswordVersionAnnotation]
	version, password := e.passwordVersion(ctx, t)
	if adminID != 0 && recorded != "" && version != "" && version != recorded {
		ops = append(ops, changePassword(id, adminID, t.Spec.Username, password))
	}
	if version == recorded {
		version = ""
	}
	switch write := PlanSecret(data, adminURL, e.token); {
	case reissue:
		ops = append(ops, e.reissueToken(t, nn, id, adminURL, version))
	case write != nil || version != "":
		ops = append(ops, e.writeSecret(t, nn, write, version))
	}
	return external.Observation{Exists: true, Operations: ops}, nil
}

// tokenWorks reports whether 3scale takes token on the tenant's admin URL, by reading the
// admin user with it (one call). A token 3scale refuses does not work; other errors are returned.
func (e *ext) tokenWorks(ctx context.Context, t *capabilitiesv1alpha1.Tenant, nn types.NamespacedName, adminURL, token string, adminID int64) (bool, error) {
	creds := secrets.NewCredentials(adminURL, token, secrets.SecretKey{Namespace: nn.Namespace, Name: nn.Name, Key: capabilitiesv1alpha1.TenantSecretTokenKey})
	creds.InsecureSkipVerify = t.Annotations[external.InsecureSkipVerifyAnnotation] == "true"
	c, err := e.k.Clients.For(creds)
	if err != nil {
		return false, err
	}
	_, err = c.GetProviderUser(ctx, adminID)
	switch {
	case err == nil, threescale.IsNotFound(err):
		return true, nil
	case threescale.IsTokenRefused(err):
		return false, nil
	default:
		return false, fmt.Errorf("cannot check the token of the tenant Secret %s: %w", nn, err)
	}
}

// reissueToken is the operation that creates a new access token for the tenant's admin user
// and writes it into the tenant Secret: the master account reads the tenant's provider key (the
// user key of the tenant's application in the master account), with which the tenant's admin API
// creates the token. The admin user is the one recorded in the status when it runs (a user made
// again in the same pass included).
func (e *ext) reissueToken(t *capabilitiesv1alpha1.Tenant, nn types.NamespacedName, tenantID int64, adminURL, passwordVersion string) planning.Operation {
	return planning.Operation{
		Verb: planning.VerbCreate, Entity: "access token", Key: t.Spec.Username,
		Description: fmt.Sprintf("issue an access token for admin user %q of tenant %d into the tenant Secret %s (it had none, or 3scale refuses it)", t.Spec.Username, tenantID, nn),
		Run: func(ctx context.Context, master *threescale.Client) error {
			adminID := t.Status.AdminID
			if adminID == 0 {
				return fmt.Errorf("tenant %d has no admin user %q to issue a token for", tenantID, t.Spec.Username)
			}
			apps, err := master.ListAccountApplications(ctx, tenantID)
			if err != nil {
				return fmt.Errorf("cannot read the provider key of tenant %d in the master account: %w", tenantID, err)
			}
			var providerKey string
			for _, a := range apps {
				if a.UserKey != "" {
					providerKey = a.UserKey
					break
				}
			}
			if providerKey == "" {
				return fmt.Errorf("tenant %d has no provider key in the master account, so no token can be issued: create an access token in its admin portal and store it under key %s of Secret %s", tenantID, capabilitiesv1alpha1.TenantSecretTokenKey, nn)
			}
			creds := secrets.NewCredentials(adminURL, providerKey, e.source)
			creds.InsecureSkipVerify = t.Annotations[external.InsecureSkipVerifyAnnotation] == "true"
			c, err := e.k.Clients.For(creds)
			if err != nil {
				return err
			}
			name, rw := "threescale-operator "+t.Namespace+"/"+t.Name, "rw"
			tok, err := c.CreateAccessToken(ctx, adminID, threescale.AccessTokenParams{Name: &name, Permission: &rw, Scopes: TokenScopes})
			if err != nil {
				return fmt.Errorf("cannot issue an access token for admin user %q of tenant %d: %w", t.Spec.Username, tenantID, err)
			}
			if tok.Value == "" {
				return fmt.Errorf("3scale answered the access token creation for tenant %d without a token", tenantID)
			}
			return e.writeSecret(t, nn, &SecretData{AdminURL: adminURL, Token: tok.Value}, passwordVersion).Run(ctx, master)
		},
	}
}

// PasswordVersionAnnotation, on the tenant Secret, is the resourceVersion of the admin password
// Secret whose password the admin user has: a password Secret changed since is a new password,
// set in 3scale. (3scale never shows a password, and the operator stores none.)
const PasswordVersionAnnotation = "tenant.capabilities.3scale.net/admin-password-version"

// passwordVersion returns the resourceVersion of t's admin password Secret and its password, ""
// when it cannot be read (then the password is left as it is in 3scale).
func (e *ext) passwordVersion(ctx context.Context, t *capabilitiesv1alpha1.Tenant) (version, password string) {
	ref := t.Spec.PasswordCredentialsRef
	password, err := e.k.Secrets.Value(ctx, t.Namespace, ref, "spec.passwordCredentialsRef", capabilitiesv1alpha1.TenantAdminPasswordSecretKey)
	if err != nil {
		return "", ""
	}
	nn := types.NamespacedName{Namespace: ref.Namespace, Name: ref.Name}
	if nn.Namespace == "" {
		nn.Namespace = t.Namespace
	}
	var ps metav1.PartialObjectMetadata
	ps.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	if err := e.k.Reader.Get(ctx, nn, &ps); err != nil {
		return "", ""
	}
	return ps.ResourceVersion, password
}

// changePassword is the operation that sets the admin user's password.
func changePassword(tenantID, userID int64, username, password string) planning.Operation {
	return planning.Operation{
		Verb: planning.VerbUpdate, Entity: "user", Key: username,
		Description: fmt.Sprintf("change the password of admin user %q of tenant %d", username, tenantID),
		Run: func(ctx context.Context, c *threescale.Client) error {
			_, err := c.UpdateUser(ctx, tenantID, userID, threescale.UserParams{Password: &password})
			return err
		},
	}
}

// writeSecret is the operation that writes the tenant Secret, owned by t.
// d nil leaves the data as it is; passwordVersion "" leaves PasswordVersionAnnotation.
func (e *ext) writeSecret(t *capabilitiesv1alpha1.Tenant, nn types.NamespacedName, d *SecretData, passwordVersion string) planning.Operation {
	return planning.Operation{
		Verb: planning.VerbUpdate, Entity: "tenant Secret", Key: nn.String(),
		Description: secretDescription(nn, d != nil),
		Run: func(ctx context.Context, _ *threescale.Client) error {
			var s corev1.Secret
			err := e.k.Reader.Get(ctx, nn, &s)
			create := apierrors.IsNotFound(err)
			if err != nil && !create {
				return fmt.Errorf("cannot read the tenant Secret %s: %w", nn, err)
			}
			if create {
				s = corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: nn.Namespace, Name: nn.Name}}
			}
			if s.Data == nil {
				s.Data = map[string][]byte{}
			}
			if d != nil {
				s.Data[capabilitiesv1alpha1.TenantSecretAdminURLKey] = []byte(d.AdminURL)
				s.Data[capabilitiesv1alpha1.TenantSecretTokenKey] = []byte(d.Token)
			}
			if passwordVersion != "" {
				metav1.SetMetaDataAnnotation(&s.ObjectMeta, PasswordVersionAnnotation, passwordVersion)
			}
			// Only a Secret this Tenant made is owned by it (and goes with it): a Secret the user
			// made beforehand (with a token 3scale no longer shows) outlives the Tenant.
			if create {
				if err := controllerutil.SetControllerReference(t, &s, e.k.Scheme); err != nil {
					return external.Invalidf("the tenant Secret %s cannot be owned by this Tenant: %v", nn, err)
				}
			}
			if create {
				err = e.k.Writer.Create(ctx, &s)
			} else {
				err = e.k.Writer.Update(ctx, &s)
			}
			if err != nil {
				return fmt.Errorf("cannot write the tenant Secret %s: %w", nn, err)
			}
			return nil
		},
	}
}

// Create signs the tenant up with its admin user and keeps the access token 3scale answers with,
// for the Observe that follows to write into the tenant Secret.
func (e *ext) Create(ctx context.Context, t *capabilitiesv1alpha1.Tenant) (int64, error) {
	org, user, email := t.Spec.OrganizationName, t.Spec.Username, t.Spec.Email
	res, err := e.c.CreateTenant(ctx, threescale.TenantParams{
		OrgName: &org, Username: &user, Email: &email, Password: &e.password,
		Annotations: map[string]string{managedByAnnotation: "operator"},
	})
	if err != nil {
		return 0, external.ExplainCredentials(fmt.Errorf("cannot create tenant %q with admin user %q: %w", org, user, err), e.source)
	}
	if res.AccessToken != nil {
		e.token = res.AccessToken.Value
	}
	return res.Account.ID, nil
}

// Delete deletes the tenant id; one already gone, or already scheduled for deletion, is deleted.
func (e *ext) Delete(ctx context.Context, _ *capabilitiesv1alpha1.Tenant, id int64) error {
	err := e.c.DeleteTenant(ctx, id)
	if err == nil || threescale.IsNotFound(err) {
		return nil
	}
	if have, gerr := e.c.GetTenant(ctx, id); gerr == nil && have.Account.State == stateScheduledForDeletion {
		return nil
	}
	return external.ExplainCredentials(err, e.source)
}

// Explain names the master token's Secret when 3scale refuses a planned update.
func (e *ext) Explain(err error) error { return external.ExplainCredentials(err, e.source) }

func secretDescription(nn types.NamespacedName, data bool) string {
	if !data {
		return fmt.Sprintf("record the admin password's version on the tenant Secret %s", nn)
	}
	return fmt.Sprintf("write the tenant Secret %s (keys %s, %s)", nn, capabilitiesv1alpha1.TenantSecretAdminURLKey, capabilitiesv1alpha1.TenantSecretTokenKey)
}
