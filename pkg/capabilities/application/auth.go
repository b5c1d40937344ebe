package application

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/tenant"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// AuthFinalizer keeps an ApplicationAuth until the loop has seen its deletion (which changes
// nothing in 3scale: the keys stay with the application).
const AuthFinalizer = "applicationauth.capabilities.3scale.net/finalizer"

// authSecretRefField names the ApplicationAuth's Secret reference in messages.
const authSecretRefField = "spec.authSecretRef"

// Entities of the ApplicationAuth operations.
const (
	// EntityKey is a credential of an application.
	EntityKey = "application credential"
	// EntitySecret is the credentials Secret, written when spec.generateSecret generates a key.
	EntitySecret = "secret"
)

// AuthKind adapts ApplicationAuth to the generic loop.
//
// An ApplicationAuth manages no entity of its own: it configures the credentials of the
// application its Application object manages. It still runs on the loop rather than in a
// controller of its own, because everything the loop does besides creating and deleting is what
// it needs (tenant connection, Check before any call, a plan executed and reported in events,
// the error classes, conditions with observedGeneration, polling that reverts drift and rotates
// keys): its Status records no ID, so the loop takes the application Find names on every pass
// without adopting it, never creates anything, and deletes nothing when the object goes.
type AuthKind struct {
	// Objects reads Application, DeveloperAccount and Product objects (from the cache).
	Objects client.Reader
	// Secrets reads the credentials Secret (on demand, never cached).
	Secrets tenant.SecretReader
	// Writer merge-patches generated credentials into the Secret: the only write into a user's
	// Secret, which spec.generateSecret asks for.
	Writer client.Writer
	// Tenants connects an ApplicationAuth to its tenant.
	Tenants external.Tenants
}

var _ external.Kind[*capabilitiesv1beta1.ApplicationAuth] = AuthKind{}

// New returns an empty ApplicationAuth.
func (AuthKind) New() *capabilitiesv1beta1.ApplicationAuth {
	return &capabilitiesv1beta1.ApplicationAuth{}
}

// NewList returns an empty ApplicationAuthList.
func (AuthKind) NewList() client.ObjectList { return &capabilitiesv1beta1.ApplicationAuthList{} }

// Finalizer returns AuthFinalizer.
func (AuthKind) Finalizer() string { return AuthFinalizer }

// FollowsSecrets: the keys follow the credentials Secret, so a key changed while the spec is not
// is a rotation, not drift.
func (AuthKind) FollowsSecrets() bool { return true }

// Conditions are Ready, Invalid, Failed and Orphan (waiting for its Application).
func (AuthKind) Conditions() external.ConditionSet {
	return external.ConditionSet{Waiting: external.TypeOrphan}
}

// Status returns the status fields the loop sets: no ID (see AuthKind).
func (AuthKind) Status(a *capabilitiesv1beta1.ApplicationAuth) external.Status {
	return external.Status{Conditions: &a.Status.Conditions, ObservedGeneration: &a.Status.ObservedGeneration}
}

// AuthSecretNames returns the Secrets of its namespace an ApplicationAuth reads: its tenant's
// and its credentials'. A change of the credentials Secret rotates the keys in 3scale.
func AuthSecretNames(a *capabilitiesv1beta1.ApplicationAuth) []string {
	names := tenant.SecretNames(a.Spec.ProviderAccountRef)
	if r := a.Spec.AuthSecretRef; r != nil && r.Name != "" {
		names = append(names, r.Name)
	}
	return names
}

// ReferencedApplication returns the name of the Application of a: the index by which an
// Application event finds its ApplicationAuths.
func ReferencedApplication(a *capabilitiesv1beta1.ApplicationAuth) []string {
	return []string{a.Spec.ApplicationCRName}
}

// ApplicationChanged tells whether an update of an Application may change the sync of its
// ApplicationAuths: whether and where it is Ready, its ID, its deletion.
func ApplicationChanged(before, after *capabilitiesv1beta1.Application) bool {
	return appStateOf(before) != appStateOf(after)
}

type appState struct {
	id       int64
	host     string
	ready    bool
	deleting bool
}

func appStateOf(a *capabilitiesv1beta1.Application) appState {
	s := appState{host: a.Status.ProviderAccountHost, ready: ApplicationReady(a), deleting: !a.DeletionTimestamp.IsZero()}
	if a.Status.ID != nil {
		s.id = *a.Status.ID
	}
	return s
}

// ApplicationReady tells whether a is Ready with a 3scale ID.
func ApplicationReady(a *capabilitiesv1beta1.Application) bool {
	c := meta.FindStatusCondition(a.Status.Conditions, external.TypeReady)
	return a.Status.ID != nil && c != nil && c.Status == metav1.ConditionTrue
}

// authRefs are what an ApplicationAuth resolves: its application's account and authentication
// mode.
type authRefs struct {
	app       *capabilitiesv1beta1.Application
	accountID int64
	mode      string
}

// Check waits (Orphan) until the Application is Ready, and refuses a product whose
// authentication mode takes no keys from a Secret, before any 3scale call.
func (k AuthKind) Check(ctx context.Context, a *capabilitiesv1beta1.ApplicationAuth) error {
	_, err := k.resolve(ctx, a, "")
	return err
}

func (k AuthKind) resolve(ctx context.Context, a *capabilitiesv1beta1.ApplicationAuth, adminURL string) (authRefs, error) {
	if k.Objects == nil {
		return authRefs{}, errors.New("applicationauth: no reader of Applications")
	}
	notReady := func(format string, args ...any) error {
		return waiting(capabilitiesv1beta1.ApplicationAuthApplicationNotReadyReason, "spec.applicationCRName: "+format, args...)
	}
	name := a.Spec.ApplicationCRName
	var app capabilitiesv1beta1.Application
	err := k.Objects.Get(ctx, types.NamespacedName{Namespace: a.Namespace, Name: name}, &app)
	switch {
	case client.IgnoreNotFound(err) != nil:
		return authRefs{}, fmt.Errorf("cannot read Application %s: %w", name, err)
	case err != nil:
		return authRefs{}, notReady("no Application %s in this namespace", name)
	case !app.DeletionTimestamp.IsZero():
		return authRefs{}, notReady("Application %s is being deleted", name)
	case !ApplicationReady(&app):
		return authRefs{}, notReady("Application %s is not Ready yet", name)
	case adminURL != "" && !external.SyncedTo(app.Status.ProviderAccountHost, adminURL):
		return authRefs{}, external.Invalidf("spec.providerAccountRef: Application %s lives in another tenant (%s) than this object's provider account", name, app.Status.ProviderAccountHost)
	}
	// The Application is Ready: its account and product were (they may have changed since, in
	// which case the Application's next pass says so and wakes this object).
	var acc capabilitiesv1beta1.DeveloperAccount
	var p capabilitiesv1beta1.Product
	if app.Spec.AccountCR == nil || app.Spec.ProductCR == nil ||
		k.Objects.Get(ctx, types.NamespacedName{Namespace: a.Namespace, Name: app.Spec.AccountCR.Name}, &acc) != nil || acc.Status.ID == nil ||
		k.Objects.Get(ctx, types.NamespacedName{Namespace: a.Namespace, Name: app.Spec.ProductCR.Name}, &p) != nil {
		return authRefs{}, notReady("the DeveloperAccount or Product of Application %s is not ready", name)
	}
	mode := p.Spec.Authentication().Mode()
	if mode == capabilitiesv1beta1.AuthenticationModeOIDC {
		return authRefs{}, external.Invalidf("spec.applicationCRName: Product %s of Application %s uses OpenID Connect, whose client secrets the identity provider holds: an ApplicationAuth sets user keys or application keys only", p.Name, name)
	}
	return authRefs{app: &app, accountID: *acc.Status.ID, mode: mode}, nil
}

// Connect returns the External of a in its tenant, with its application resolved. An object
// being deleted needs nothing: its deletion changes nothing in 3scale.
func (k AuthKind) Connect(ctx context.Context, a *capabilitiesv1beta1.ApplicationAuth) (external.External[*capabilitiesv1beta1.ApplicationAuth], error) {
	var e *authExt
	x, err := external.ConnectTenant(ctx, k.Tenants, a, a.Spec.ProviderAccountRef, func(c *threescale.Client) external.External[*capabilitiesv1beta1.ApplicationAuth] {
		e = &authExt{k: k, InTenant: external.InTenant{C: c}}
		return e
	})
	if err != nil || !a.DeletionTimestamp.IsZero() {
		return x, err
	}
	if e.refs, err = k.resolve(ctx, a, e.C.AdminURL()); err != nil {
		return nil, err
	}
	return x, nil
}

// authExt sets the credentials of one application through one tenant's client.
type authExt struct {
	external.InTenant
	k    AuthKind
	refs authRefs
}

// Find returns the application of the Application object: the entity the object configures.
func (e *authExt) Find(_ context.Context, _ *capabilitiesv1beta1.ApplicationAuth) (int64, error) {
	if e.refs.app == nil || e.refs.app.Status.ID == nil {
		return 0, nil
	}
	return *e.refs.app.Status.ID, nil
}

// Create is never called for a kind whose Find always names the application; an application
// that is gone is its Application object's to make again.
func (e *authExt) Create(context.Context, *capabilitiesv1beta1.ApplicationAuth) (int64, error) {
	return 0, &external.WaitingError{Reason: capabilitiesv1beta1.ApplicationAuthApplicationNotReadyReason,
		Message: "spec.applicationCRName: the application is not in 3scale; its Application object makes it again"}
}

// Delete deletes nothing: the keys stay with the application, whose Application object decides
// its fate.
func (e *authExt) Delete(context.Context, *capabilitiesv1beta1.ApplicationAuth, int64) error {
	return nil
}

// Observe reads the credentials Secret and the application's credentials, and plans the writes
// that make 3scale hold the Secret's: the user key, or an application key (added; other keys
// are left alone). Empty values with spec.generateSecret are generated here and written to the
// Secret by the plan's first operation, before 3scale is changed.
func (e *authExt) Observe(ctx context.Context, a *capabilitiesv1beta1.ApplicationAuth, id int64) (external.Observation, error) {
	if e.refs.app == nil {
		return external.Observation{}, errors.New("applicationauth: observing while being deleted")
	}
	data, nn, err := e.k.Secrets.Data(ctx, a.Namespace, corev1.SecretReference{Name: a.Spec.AuthSecretRef.Name}, authSecretRefField)
	switch {
	case tenant.IsMissing(err):
		return external.Observation{}, &external.WaitingError{Reason: capabilitiesv1beta1.ApplicationAuthSecretNotFoundReason, Message: err.Error()}
	case err != nil:
		return external.Observation{}, err
	}
	have, err := e.C.GetApplication(ctx, e.refs.accountID, id)
	switch {
	case threescale.IsNotFound(err):
		return external.Observation{}, nil
	case err != nil:
		return external.Observation{}, err
	}
	generate := a.Spec.GenerateSecret != nil && *a.Spec.GenerateSecret
	var keys []string
	if e.refs.mode == capabilitiesv1beta1.AuthenticationModeAppKeyAppID {
		ks, err := e.C.ListApplicationKeys(ctx, e.refs.accountID, id)
		if err != nil {
			return external.Observation{}, err
		}
		for _, k := range ks {
			keys = append(keys, k.Value)
		}
	}
	ops, err := PlanAuth(AuthInput{
		Mode: e.refs.mode, AccountID: e.refs.accountID, App: *have, Keys: keys,
		Secret: data, SecretName: nn.Name, Generate: generate, NewKey: randomKey,
		Prune:       a.Spec.PruneApplicationKeys != nil && *a.Spec.PruneApplicationKeys,
		WriteSecret: func(ctx context.Context, values map[string]string) error { return e.writeSecret(ctx, nn, values) },
	})
	return external.Observation{Exists: true, Operations: ops}, err
}

// writeSecret merge-patches values into the Secret nn: only the keys it generated, so that
// nothing else of the user's Secret is touched.
func (e *authExt) writeSecret(ctx context.Context, nn types.NamespacedName, values map[string]string) error {
	if e.k.Writer == nil {
		return errors.New("applicationauth: no writer of Secrets")
	}
	patch, err := json.Marshal(map[string]any{"stringData": values})
	if err != nil {
		return err
	}
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: nn.Namespace, Name: nn.Name}}
	if err := e.k.Writer.Patch(ctx, s, client.RawPatch(types.MergePatchType, patch)); err != nil {
		return fmt.Errorf("cannot write the generated credentials into secret %s: %w", nn, err)
	}
	return nil
}

// randomKey returns 32 hexadecimal digits from crypto/rand: 128 bits, the size of the keys
// 3scale generates.
func randomKey() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// AuthInput is what PlanAuth plans from.
type AuthInput struct {
	// Mode is the product's authentication mode ("" is user key, 3scale's default).
	Mode string
	// AccountID is the application's account; App is the application as 3scale holds it, Keys
	// its application keys (app ID and key mode).
	AccountID int64
	App       threescale.Application
	Keys      []string
	// Secret is the data of the credentials Secret, named SecretName.
	Secret     map[string][]byte
	SecretName string
	// Generate is spec.generateSecret; NewKey makes a key, WriteSecret writes generated values.
	Generate bool
	// Prune is spec.pruneApplicationKeys: the application keys the Secret does not hold are
	// deleted once its key is in 3scale.
	Prune       bool
	NewKey      func() (string, error)
	WriteSecret func(ctx context.Context, values map[string]string) error
}

// PlanAuth returns the writes that make the application hold the Secret's credentials: for user
// key products, its user key; for app ID and key products, the Secret's application key added
// (the keys it does not list are left alone). An empty value is generated when asked (and
// written to the Secret first), else Invalid. Credentials never appear in descriptions or
// errors.
func PlanAuth(in AuthInput) ([]planning.Operation, error) {
	key := capabilitiesv1beta1.ApplicationAuthUserKeySecretKey
	if in.Mode == capabilitiesv1beta1.AuthenticationModeAppKeyAppID {
		key = capabilitiesv1beta1.ApplicationAuthApplicationKeySecretKey
	}
	var ops []planning.Operation
	value := string(in.Secret[key])
	if value == "" {
		if !in.Generate {
			return nil, external.Invalidf("%s: secret %s has no %s; set one, or set spec.generateSecret: true to have one generated", authSecretRefField, in.SecretName, key)
		}
		v, err := in.NewKey()
		if err != nil {
			return nil, fmt.Errorf("cannot generate a key: %w", err)
		}
		value = v
		write := map[string]string{key: v}
		if in.Mode == capabilitiesv1beta1.AuthenticationModeAppKeyAppID && in.App.ApplicationID != "" {
			write[capabilitiesv1beta1.ApplicationAuthApplicationIDSecretKey] = in.App.ApplicationID
		}
		ops = append(ops, planning.Operation{
			Verb: planning.VerbUpdate, Entity: EntitySecret, Key: in.SecretName,
			Description: fmt.Sprintf("write a generated %s into secret %s", key, in.SecretName),
			Run:         func(ctx context.Context, _ *threescale.Client) error { return in.WriteSecret(ctx, write) },
		})
	}
	accountID, id := in.AccountID, in.App.ID
	switch {
	case key == capabilitiesv1beta1.ApplicationAuthUserKeySecretKey && in.App.UserKey != value:
		ops = append(ops, planning.Operation{
			Verb: planning.VerbUpdate, Entity: EntityKey, Key: "user key",
			Description: fmt.Sprintf("set the user key of application %d from secret %s", id, in.SecretName),
			Run: func(ctx context.Context, c *threescale.Client) error {
				_, err := c.UpdateApplication(ctx, accountID, id, threescale.ApplicationUpdateParams{UserKey: &value})
				return err
			},
		})
	case key == capabilitiesv1beta1.ApplicationAuthApplicationKeySecretKey:
		keyOps, err := planAppKeys(in, value)
		if err != nil {
			return nil, err
		}
		ops = append(ops, keyOps...)
	}
	return ops, nil
}

// maxApplicationKeys is how many application keys 3scale lets an application have.
const maxApplicationKeys = 5

// planAppKeys adds the Secret's application key value when the application lacks it and, with
// Prune, deletes the others, after the add so that the application always has a valid key; when
// the application is full, one other key is deleted first to make room. Without Prune a full
// application cannot take the key: Rejected (rechecked, since it is fixed in 3scale or the spec).
func planAppKeys(in AuthInput, value string) ([]planning.Operation, error) {
	accountID, id := in.AccountID, in.App.ID
	var others []string
	for _, k := range in.Keys {
		if k != value {
			others = append(others, k)
		}
	}
	missing := len(others) == len(in.Keys)
	if !in.Prune {
		others = nil
	}
	var ops []planning.Operation
	del := func(n int, k string) planning.Operation {
		return planning.Operation{
			Verb: planning.VerbDelete, Entity: EntityKey, Key: fmt.Sprintf("application key %d", n),
			Description: fmt.Sprintf("delete an application key of application %d that secret %s does not hold", id, in.SecretName),
			Run: func(ctx context.Context, c *threescale.Client) error {
				err := c.DeleteApplicationKey(ctx, accountID, id, k)
				if threescale.IsNotFound(err) {
					return nil
				}
				return err
			},
		}
	}
	n := 0
	if missing {
		if len(in.Keys) >= maxApplicationKeys {
			if len(others) == 0 {
				return nil, &external.InvalidError{Recheck: true, Message: fmt.Sprintf(
					"application %d already has %d application keys, the most 3scale allows, so the key of secret %s cannot be added: delete one in 3scale, or set spec.pruneApplicationKeys: true to replace the keys the secret does not hold",
					id, len(in.Keys), in.SecretName)}
			}
			n++
			ops = append(ops, del(n, others[0]))
			others = others[1:]
		}
		ops = append(ops, planning.Operation{
			Verb: planning.VerbCreate, Entity: EntityKey, Key: "application key",
			Description: fmt.Sprintf("add the application key of secret %s to application %d", in.SecretName, id),
			Run: func(ctx context.Context, c *threescale.Client) error {
				_, err := c.CreateApplicationKey(ctx, accountID, id, value)
				return err
			},
		})
	}
	for _, k := range others {
		n++
		ops = append(ops, del(n, k))
	}
	return ops, nil
}
