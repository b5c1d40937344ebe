package capabilities_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/controllers/capabilities"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// withDevelopers makes the harness run the DeveloperAccount and DeveloperUser controllers only.
func (h *harness) withDevelopers() {
	h.setups = []func(ctrl.Manager, capabilities.Options) error{capabilities.SetupDeveloperAccount, capabilities.SetupDeveloperUser}
}

func newDeveloperAccount(name, orgName string) *capabilitiesv1beta1.DeveloperAccount {
	return &capabilitiesv1beta1.DeveloperAccount{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       capabilitiesv1beta1.DeveloperAccountSpec{OrgName: orgName},
	}
}

// newDeveloperUser returns a DeveloperUser of account whose password is in the Secret
// <name>-password.
func newDeveloperUser(name, account, role string) *capabilitiesv1beta1.DeveloperUser {
	return &capabilitiesv1beta1.DeveloperUser{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: capabilitiesv1beta1.DeveloperUserSpec{
			Username: name, Email: name + "@example.com", Role: ptr(role),
			PasswordCredentialsRef: corev1.SecretReference{Name: name + "-password"},
			DeveloperAccountRef:    corev1.LocalObjectReference{Name: account},
		},
	}
}

func passwordSecret(user string) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: user + "-password"},
		StringData: map[string]string{"password": "s3cret-" + user},
	}
}

func accountConditions(a *capabilitiesv1beta1.DeveloperAccount) func() []metav1.Condition {
	return func() []metav1.Condition { return a.Status.Conditions }
}

func userConditions(u *capabilitiesv1beta1.DeveloperUser) func() []metav1.Condition {
	return func() []metav1.Condition { return u.Status.Conditions }
}

// waitAccountReady waits until a is Ready for its current generation with an ID.
func (h *harness) waitAccountReady(a *capabilitiesv1beta1.DeveloperAccount) {
	h.t.Helper()
	h.waitCondition(a, accountConditions(a), external.TypeReady, metav1.ConditionTrue, "")
	if a.Status.ID == nil {
		h.t.Fatalf("Ready DeveloperAccount %s records no ID", a.Name)
	}
}

// waitUserReady waits until u is Ready for its current generation with both IDs.
func (h *harness) waitUserReady(u *capabilitiesv1beta1.DeveloperUser) {
	h.t.Helper()
	h.waitCondition(u, userConditions(u), external.TypeReady, metav1.ConditionTrue, "")
	if u.Status.ID == nil || u.Status.AccountID == nil {
		h.t.Fatalf("Ready DeveloperUser %s records IDs %v, %v", u.Name, u.Status.ID, u.Status.AccountID)
	}
}

// remoteUser reads the user u records from 3scale.
func (h *harness) remoteUser(u *capabilitiesv1beta1.DeveloperUser) (*threescale.User, error) {
	if err := h.get(u); err != nil {
		return nil, err
	}
	if u.Status.ID == nil || u.Status.AccountID == nil {
		return nil, fmt.Errorf("no IDs recorded")
	}
	return h.tc.GetUser(context.Background(), *u.Status.AccountID, *u.Status.ID)
}

// TestDeveloperAccountLifecycle creates an account with its admin user and a member: signed up
// together, both Ready; then every synced field is changed, drift in 3scale reverted, a resync
// writes nothing, a user is deleted, and the account is deleted with its users.
func TestDeveloperAccountLifecycle(t *testing.T) {
	h := newHarness(t)
	h.withDevelopers()
	h.startManager()
	ctx := context.Background()
	h.create(passwordSecret("alice"))
	h.create(passwordSecret("bob"))
	a := newDeveloperAccount("acme", "ACME Inc")
	h.create(a)
	admin := newDeveloperUser("alice", "acme", "admin")
	h.create(admin)
	h.waitAccountReady(a)
	h.waitUserReady(admin)

	acct, err := h.tc.GetAccount(ctx, *a.Status.ID)
	if err != nil {
		t.Fatal(err)
	}
	if acct.OrgName != "ACME Inc" || !acct.MonthlyBillingEnabled || !acct.MonthlyChargingEnabled {
		t.Errorf("3scale holds %+v", acct)
	}
	if a.Status.AccountState == nil || *a.Status.AccountState != "approved" || a.Status.ProviderAccountHost != h.tenant.AdminURL {
		t.Errorf("account status = %+v", a.Status)
	}
	h.diff("signups", 1, h.srv.CallCount("POST /admin/api/signup.json"))
	h.diff("users created (the admin is signup's)", 0, h.srv.CallCount("POST /admin/api/accounts/{account_id}/users.json"))
	h.diff("admin user's account", *a.Status.ID, *admin.Status.AccountID)
	h.waitEvent("alice", "Normal Adopted")
	got, err := h.remoteUser(admin)
	if err != nil || got.Username != "alice" || got.Role != "admin" || got.State != "active" {
		t.Errorf("admin in 3scale: %+v, %v", got, err)
	}
	accountID := *a.Status.ID

	member := newDeveloperUser("bob", "acme", "member")
	h.create(member)
	h.waitUserReady(member)
	got, err = h.remoteUser(member)
	if err != nil || got.Username != "bob" || got.Email != "bob@example.com" || got.Role != "member" || got.State != "active" {
		t.Errorf("member in 3scale: %+v, %v", got, err)
	}
	if member.Status.DeveloperUserState == nil || *member.Status.DeveloperUserState != "active" {
		t.Errorf("member status = %+v", member.Status)
	}

	t.Run("UpdateAccount", func(t *testing.T) {
		h.update(a, func() {
			a.Spec.OrgName = "ACME Corp"
			a.Spec.MonthlyBillingEnabled = ptr(false)
			a.Spec.MonthlyChargingEnabled = ptr(false)
		})
		h.waitAccountReady(a)
		acct, err := h.tc.GetAccount(ctx, accountID)
		if err != nil || acct.OrgName != "ACME Corp" || acct.MonthlyBillingEnabled || acct.MonthlyChargingEnabled {
			t.Errorf("3scale holds %+v, %v", acct, err)
		}
	})

	t.Run("UpdateUser", func(t *testing.T) {
		h.update(member, func() {
			member.Spec.Email = "robert@example.com"
			member.Spec.Username = "robert"
			member.Spec.Role = ptr("admin")
			member.Spec.Suspended = true
		})
		h.waitUserReady(member)
		got, err := h.remoteUser(member)
		if err != nil || got.Username != "robert" || got.Email != "robert@example.com" || got.Role != "admin" || got.State != "suspended" {
			t.Errorf("3scale holds %+v, %v", got, err)
		}
		h.update(member, func() { member.Spec.Suspended = false; member.Spec.Role = ptr("member") })
		h.waitUserReady(member)
		got, err = h.remoteUser(member)
		if err != nil || got.Role != "member" || got.State != "active" {
			t.Errorf("3scale holds %+v, %v", got, err)
		}
	})

	t.Run("DriftReverted", func(t *testing.T) {
		if _, err := h.tc.UpdateAccount(ctx, accountID, threescale.AccountParams{OrgName: ptr("by hand"), MonthlyBillingEnabled: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		id := *member.Status.ID
		if _, err := h.tc.UpdateUser(ctx, accountID, id, threescale.UserParams{Email: ptr("hand@example.com")}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.tc.MakeUserAdmin(ctx, accountID, id); err != nil {
			t.Fatal(err)
		}
		if _, err := h.tc.SuspendUser(ctx, accountID, id); err != nil {
			t.Fatal(err)
		}
		h.eventually("drift reverted", func() error {
			acct, err := h.tc.GetAccount(ctx, accountID)
			if err != nil || acct.OrgName != "ACME Corp" || acct.MonthlyBillingEnabled {
				return fmt.Errorf("account %+v, %v", acct, err)
			}
			got, err := h.remoteUser(member)
			if err != nil || got.Email != "robert@example.com" || got.Role != "member" || got.State != "active" {
				return fmt.Errorf("user %+v, %v", got, err)
			}
			return nil
		})
	})

	t.Run("ResyncWritesNothing", func(t *testing.T) {
		h.srv.ResetCalls()
		// Two more reads of each: two more passes of both controllers, after the last write.
		h.eventually("two resyncs", func() error {
			if n := h.srv.CallCount("GET /admin/api/accounts/{id}.json"); n < 2 {
				return fmt.Errorf("%d account reads", n)
			}
			if n := h.srv.CallCount("GET /admin/api/accounts/{account_id}/users/{id}.json"); n < 4 {
				return fmt.Errorf("%d user reads", n)
			}
			return nil
		})
		h.diff("writes of resyncs", []string(nil), h.writes())
	})

	t.Run("DeleteUser", func(t *testing.T) {
		id := *member.Status.ID
		h.delete(member)
		h.waitGone(member)
		if _, err := h.tc.GetUser(ctx, accountID, id); !threescale.IsNotFound(err) {
			t.Errorf("the user is still in 3scale: %v", err)
		}
	})

	t.Run("DeleteAccount", func(t *testing.T) {
		h.delete(a)
		h.waitGone(a)
		h.waitGone(admin)
		if _, err := h.tc.GetAccount(ctx, accountID); !threescale.IsNotFound(err) {
			t.Errorf("the account is still in 3scale: %v", err)
		}
		h.waitEvent("acme", "Deleted", fmt.Sprint(accountID))
	})
}

// TestDeveloperAccountWaitsForAdminUser creates an account before its admin user: it waits
// (Waiting) and writes nothing, and the user's creation wakes it (the retry delay is an hour, so
// only the watch can). A member user waits (Orphan) for the account meanwhile.
func TestDeveloperAccountWaitsForAdminUser(t *testing.T) {
	h := newHarness(t)
	h.withDevelopers()
	h.waitInterval = time.Hour
	h.startManager()
	h.create(passwordSecret("alice"))
	h.create(passwordSecret("bob"))
	a := newDeveloperAccount("acme", "ACME Inc")
	h.create(a)
	c := h.waitCondition(a, accountConditions(a), external.TypeWaiting, metav1.ConditionTrue, capabilitiesv1beta1.DeveloperAccountWaitingForAdminUserReason)
	if !strings.Contains(c.Message, `"acme"`) {
		t.Errorf("Waiting message %q does not name the account", c.Message)
	}
	member := newDeveloperUser("bob", "acme", "member")
	h.create(member)
	c = h.waitCondition(member, userConditions(member), external.TypeOrphan, metav1.ConditionTrue, capabilitiesv1beta1.DeveloperUserAccountNotReadyReason)
	if !strings.Contains(c.Message, "acme") {
		t.Errorf("Orphan message %q does not name the account", c.Message)
	}
	h.diff("writes while waiting", []string(nil), h.writes())

	admin := newDeveloperUser("alice", "acme", "admin")
	h.create(admin)
	h.waitAccountReady(a)
	h.waitUserReady(admin)
	h.waitUserReady(member)
	h.waitCondition(a, accountConditions(a), external.TypeWaiting, metav1.ConditionFalse, "")
	h.diff("members' account", *a.Status.ID, *member.Status.AccountID)
}

// TestDeveloperAccountOrphanPolicy deletes an account annotated with the Orphan deletion policy:
// the account stays in 3scale with its users, and so do the DeveloperUser objects.
func TestDeveloperAccountOrphanPolicy(t *testing.T) {
	h := newHarness(t)
	h.withDevelopers()
	h.startManager()
	ctx := context.Background()
	h.create(passwordSecret("alice"))
	a := newDeveloperAccount("acme", "ACME Inc")
	a.Annotations = map[string]string{external.DeletionPolicyAnnotation: external.DeletionPolicyOrphan}
	h.create(a)
	admin := newDeveloperUser("alice", "acme", "admin")
	h.create(admin)
	h.waitAccountReady(a)
	h.waitUserReady(admin)
	accountID := *a.Status.ID

	h.delete(a)
	h.waitGone(a)
	if _, err := h.tc.GetAccount(ctx, accountID); err != nil {
		t.Errorf("the orphaned account is not in 3scale: %v", err)
	}
	h.waitCondition(admin, userConditions(admin), external.TypeOrphan, metav1.ConditionTrue, capabilitiesv1beta1.DeveloperUserAccountNotReadyReason)
	if users, err := h.tc.ListUsers(ctx, accountID, threescale.UserFilter{}); err != nil || len(users) != 1 {
		t.Errorf("users of the orphaned account: %+v, %v", users, err)
	}
}

// TestDeveloperUserMoves points a user at another account: it is deleted from the old account and
// created in the new one.
func TestDeveloperUserMoves(t *testing.T) {
	h := newHarness(t)
	h.withDevelopers()
	h.startManager()
	ctx := context.Background()
	for _, n := range []string{"alice", "carol", "bob"} {
		h.create(passwordSecret(n))
	}
	a1, a2 := newDeveloperAccount("acme", "ACME Inc"), newDeveloperAccount("globex", "Globex")
	h.create(a1)
	h.create(a2)
	h.create(newDeveloperUser("alice", "acme", "admin"))
	h.create(newDeveloperUser("carol", "globex", "admin"))
	member := newDeveloperUser("bob", "acme", "member")
	h.create(member)
	h.waitAccountReady(a1)
	h.waitAccountReady(a2)
	h.waitUserReady(member)
	oldID := *member.Status.ID

	h.update(member, func() { member.Spec.DeveloperAccountRef.Name = "globex" })
	h.eventually("user moved", func() error {
		h.waitUserReady(member)
		if *member.Status.AccountID != *a2.Status.ID {
			return fmt.Errorf("account %d", *member.Status.AccountID)
		}
		return nil
	})
	if _, err := h.tc.GetUser(ctx, *a1.Status.ID, oldID); !threescale.IsNotFound(err) {
		t.Errorf("the user is still in the old account: %v", err)
	}
	got, err := h.remoteUser(member)
	if err != nil || got.Username != "bob" || got.State != "active" {
		t.Errorf("moved user in 3scale: %+v, %v", got, err)
	}
}

// TestDeveloperRestartMidCreate is the state an operator killed between signing an account up and
// recording its ID leaves: the next operator finds the account by its admin user's username
// instead of signing up a second one.
func TestDeveloperRestartMidCreate(t *testing.T) {
	h := newHarness(t)
	h.withDevelopers()
	ctx := context.Background()
	made, err := h.tc.Signup(ctx, threescale.SignupParams{OrgName: ptr("ACME Inc"), Username: ptr("alice"), Email: ptr("alice@example.com"), Password: ptr("s3cret-alice")})
	if err != nil {
		t.Fatal(err)
	}
	h.create(passwordSecret("alice"))
	a := newDeveloperAccount("acme", "ACME Inc")
	a.Annotations = map[string]string{external.CreatePendingAnnotation: "2026-12-04T10:00:00Z"}
	h.create(a)
	admin := newDeveloperUser("alice", "acme", "admin")
	h.create(admin)
	h.srv.ResetCalls()
	h.startManager()
	h.waitAccountReady(a)
	h.waitUserReady(admin)
	h.diff("signups", 0, h.srv.CallCount("POST /admin/api/signup.json"))
	h.diff("recorded account", made.ID, *a.Status.ID)
	h.waitEvent(a.Name, "Normal Recovered")
	h.diff("create-pending mark left", "", a.Annotations[external.CreatePendingAnnotation])
}

// TestDeveloperUserInvalidAndSecrets covers what the spec or its Secrets get wrong: a user whose
// password Secret is missing waits for it, an account whose admin's Secret is missing waits too,
// both woken by the Secret's creation; a username 3scale refuses (taken in another account) is Invalid
// with 3scale's message in the condition and a Warning event. No event holds a password.
func TestDeveloperUserInvalidAndSecrets(t *testing.T) {
	h := newHarness(t)
	h.withDevelopers()
	h.waitInterval = time.Hour // only watches wake waiting objects
	h.startManager()
	a := newDeveloperAccount("acme", "ACME Inc")
	h.create(a)
	admin := newDeveloperUser("alice", "acme", "admin")
	h.create(admin)
	c := h.waitCondition(a, accountConditions(a), external.TypeWaiting, metav1.ConditionTrue, capabilitiesv1beta1.DeveloperUserSecretNotFoundReason)
	if !strings.Contains(c.Message, "alice-password") {
		t.Errorf("Waiting message %q does not name the Secret", c.Message)
	}
	h.diff("writes while the admin's Secret is missing", []string(nil), h.writes())
	h.create(passwordSecret("alice"))
	h.waitAccountReady(a)
	h.waitUserReady(admin)

	member := newDeveloperUser("bob", "acme", "member")
	h.create(member)
	c = h.waitCondition(member, userConditions(member), external.TypeOrphan, metav1.ConditionTrue, capabilitiesv1beta1.DeveloperUserSecretNotFoundReason)
	if !strings.Contains(c.Message, "bob-password") || !strings.Contains(c.Message, "spec.passwordCredentialsRef") {
		t.Errorf("Orphan message %q does not name the Secret and field", c.Message)
	}
	h.create(passwordSecret("bob"))
	h.waitUserReady(member)

	// alice is taken in this tenant: 3scale refuses a second alice in another account.
	h.create(passwordSecret("carol"))
	h.create(newDeveloperAccount("globex", "Globex"))
	h.create(newDeveloperUser("carol", "globex", "admin"))
	h.create(passwordSecret("alice2"))
	other := newDeveloperUser("alice2", "globex", "member")
	other.Spec.Username = "alice"
	h.create(other)
	c = h.waitCondition(other, userConditions(other), external.TypeInvalid, metav1.ConditionTrue, "")
	if !strings.Contains(c.Message, "taken") {
		t.Errorf("Invalid message %q does not carry 3scale's", c.Message)
	}
	h.waitEvent("alice2", "Warning", "taken")

	for _, name := range []string{"acme", "globex", "alice", "bob", "carol", "alice2"} {
		for _, e := range h.events(name) {
			if strings.Contains(e, "s3cret-") {
				t.Errorf("event on %s holds a password: %s", name, e)
			}
		}
	}
}

// TestDeveloperUserRestartMidCreate is the state an operator killed between creating a user and
// recording its ID leaves: the next operator finds it by username instead of creating another.
func TestDeveloperUserRestartMidCreate(t *testing.T) {
	h := newHarness(t)
	h.withDevelopers()
	ctx := context.Background()
	h.create(passwordSecret("alice"))
	h.create(passwordSecret("bob"))
	a := newDeveloperAccount("acme", "ACME Inc")
	h.create(a)
	h.create(newDeveloperUser("alice", "acme", "admin"))
	stop := h.startManager()
	h.waitAccountReady(a)
	stop()
	made, err := h.tc.CreateUser(ctx, *a.Status.ID, threescale.UserParams{Username: ptr("bob"), Email: ptr("bob@example.com"), Password: ptr("s3cret-bob")})
	if err != nil {
		t.Fatal(err)
	}
	member := newDeveloperUser("bob", "acme", "member")
	member.Annotations = map[string]string{external.CreatePendingAnnotation: "2026-12-04T10:00:00Z"}
	h.create(member)
	h.srv.ResetCalls()
	h.startManager()
	h.waitUserReady(member)
	h.diff("users created", 0, h.srv.CallCount("POST /admin/api/accounts/{account_id}/users.json"))
	h.diff("recorded user", made.ID, *member.Status.ID)
	h.waitEvent(member.Name, "Normal Recovered")
	got, err := h.remoteUser(member)
	if err != nil || got.State != "active" {
		t.Errorf("recovered user in 3scale: %+v, %v", got, err)
	}
}

// TestDeveloperAccountDeletedWhileWaiting deletes an account that never reached 3scale (no admin
// user): its member DeveloperUser, which waited for it, goes with it, and nothing is written.
func TestDeveloperAccountDeletedWhileWaiting(t *testing.T) {
	h := newHarness(t)
	h.withDevelopers()
	h.startManager()
	h.create(passwordSecret("bob"))
	a := newDeveloperAccount("acme", "ACME Inc")
	h.create(a)
	member := newDeveloperUser("bob", "acme", "member")
	h.create(member)
	h.waitCondition(a, accountConditions(a), external.TypeWaiting, metav1.ConditionTrue, capabilitiesv1beta1.DeveloperAccountWaitingForAdminUserReason)
	h.waitCondition(member, userConditions(member), external.TypeOrphan, metav1.ConditionTrue, "")
	h.delete(a)
	h.waitGone(a)
	h.waitGone(member)
	h.diff("writes", []string(nil), h.writes())
}

// TestDeveloperAdoptsAnnotatedIDs adopts an account and its admin user by the accountID and
// userID annotations of the 3scale operator that Red Hat ships (objects restored from a backup
// lose their status): no signup, and the objects manage the existing entities.
func TestDeveloperAdoptsAnnotatedIDs(t *testing.T) {
	h := newHarness(t)
	h.withDevelopers()
	ctx := context.Background()
	made, err := h.tc.Signup(ctx, threescale.SignupParams{OrgName: ptr("Old name"), Username: ptr("root"), Email: ptr("root@example.com"), Password: ptr("pw")})
	if err != nil {
		t.Fatal(err)
	}
	users, err := h.tc.ListUsers(ctx, made.ID, threescale.UserFilter{})
	if err != nil || len(users) != 1 {
		t.Fatalf("users of the signup: %v, %v", users, err)
	}
	h.create(passwordSecret("alice"))
	a := newDeveloperAccount("acme", "ACME Inc")
	a.Annotations = map[string]string{capabilitiesv1beta1.DeveloperAccountIDAnnotation: fmt.Sprint(made.ID)}
	h.create(a)
	admin := newDeveloperUser("alice", "acme", "admin")
	admin.Annotations = map[string]string{capabilitiesv1beta1.DeveloperUserIDAnnotation: fmt.Sprint(users[0].ID)}
	h.create(admin)
	h.srv.ResetCalls()
	h.startManager()
	h.waitAccountReady(a)
	h.waitUserReady(admin)
	h.diff("signups", 0, h.srv.CallCount("POST /admin/api/signup.json"))
	h.diff("adopted account", made.ID, *a.Status.ID)
	h.diff("adopted user", users[0].ID, *admin.Status.ID)
	h.waitEvent("acme", "Normal Adopted")
	got, err := h.remoteUser(admin)
	if err != nil || got.Username != "alice" || got.Email != "alice@example.com" {
		t.Errorf("adopted user in 3scale: %+v, %v", got, err)
	}
	acct, err := h.tc.GetAccount(ctx, made.ID)
	if err != nil || acct.OrgName != "ACME Inc" {
		t.Errorf("adopted account in 3scale: %+v, %v", acct, err)
	}
}

// TestDeveloperAccountDeletedInThreescale deletes the account in the Admin Portal: the
// DeveloperAccount signs it up again with its admin user, whose DeveloperUser adopts the new user,
// and the member is created again in the new account.
func TestDeveloperAccountDeletedInThreescale(t *testing.T) {
	h := newHarness(t)
	h.withDevelopers()
	h.startManager()
	ctx := context.Background()
	h.create(passwordSecret("alice"))
	h.create(passwordSecret("bob"))
	a := newDeveloperAccount("acme", "ACME Inc")
	h.create(a)
	admin := newDeveloperUser("alice", "acme", "admin")
	h.create(admin)
	member := newDeveloperUser("bob", "acme", "member")
	h.create(member)
	h.waitAccountReady(a)
	h.waitUserReady(admin)
	h.waitUserReady(member)
	oldID := *a.Status.ID

	if err := h.tc.DeleteAccount(ctx, oldID); err != nil {
		t.Fatal(err)
	}
	h.eventually("account, admin and member back in 3scale", func() error {
		if err := h.get(a); err != nil || a.Status.ID == nil || *a.Status.ID == oldID {
			return fmt.Errorf("account ID %v, %v", a.Status.ID, err)
		}
		for _, u := range []*capabilitiesv1beta1.DeveloperUser{admin, member} {
			got, err := h.remoteUser(u)
			if err != nil || *u.Status.AccountID != *a.Status.ID || got.State != "active" {
				return fmt.Errorf("user %s: %+v, %v", u.Name, got, err)
			}
		}
		return nil
	})
	h.waitAccountReady(a)
	h.waitUserReady(admin)
	h.waitUserReady(member)
	h.diff("signups", 2, h.srv.CallCount("POST /admin/api/signup.json"))
}
