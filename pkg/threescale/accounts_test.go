package threescale

import (
	"testing"
)

func TestDeveloperAccountsAndUsers(t *testing.T) {
	env := newTestEnv(t)
	ctx, c := t.Context(), env.c
	acct := got(c.Signup(ctx, SignupParams{
		OrgName: ptr("ACME"), Username: ptr("wile"), Email: ptr("wile@acme.example.com"), Password: ptr("pa55word!"),
		Annotations: map[string]string{"managed_by": "operator"},
	})).need(t, "signup")
	if acct.OrgName != "ACME" || acct.State != AccountStateApproved {
		t.Errorf("account = %+v, want ACME, approved", acct)
	}
	if _, err := c.Signup(ctx, SignupParams{OrgName: ptr("No user")}); !IsUnprocessable(err) {
		t.Errorf("signup without a user: %v, want unprocessable", err)
	}
	found := got(c.FindAccount(ctx, FindAccountParams{Email: ptr("wile@acme.example.com")})).need(t, "find")
	if found.ID != acct.ID {
		t.Errorf("FindAccount = %d, want %d", found.ID, acct.ID)
	}
	if _, err := c.FindAccount(ctx, FindAccountParams{Username: ptr("nobody")}); !IsNotFound(err) {
		t.Errorf("FindAccount of an unknown user: %v, want not found", err)
	}
	acct = got(c.UpdateAccount(ctx, acct.ID, AccountParams{OrgName: ptr("ACME Corp"), MonthlyBillingEnabled: ptr(false)})).need(t, "update")
	if acct.OrgName != "ACME Corp" || acct.MonthlyBillingEnabled {
		t.Errorf("updated account = %+v", acct)
	}
	acct = got(c.MakeAccountPending(ctx, acct.ID)).need(t, "make pending")
	if acct.State != AccountStatePending {
		t.Errorf("state = %q, want pending", acct.State)
	}
	acct = got(c.ApproveAccount(ctx, acct.ID)).need(t, "approve")
	if acct.State != AccountStateApproved {
		t.Errorf("state = %q, want approved", acct.State)
	}
	if _, err := c.ApproveAccount(ctx, acct.ID); !IsUnprocessable(err) {
		t.Errorf("approving an approved account: %v, want unprocessable (invalid transition)", err)
	}
	if approved := got(c.ListAccounts(ctx, AccountFilter{State: ptr(AccountStateApproved)})).need(t, "list"); len(approved) != 1 {
		t.Errorf("approved accounts = %+v", approved)
	}
	if pending := got(c.ListAccounts(ctx, AccountFilter{State: ptr(AccountStatePending)})).need(t, "list pending"); len(pending) != 0 {
		t.Errorf("pending accounts = %+v", pending)
	}

	admins := got(c.ListUsers(ctx, acct.ID, UserFilter{Role: ptr(UserRoleAdmin)})).need(t, "list admins")
	if len(admins) != 1 || admins[0].Username != "wile" {
		t.Errorf("admins = %+v, want the signup user", admins)
	}
	u := got(c.CreateUser(ctx, acct.ID, UserParams{Username: ptr("road"), Email: ptr("road@acme.example.com"), Password: ptr("pa55word!")})).need(t, "create user")
	if u.State != UserStatePending || u.Role != UserRoleMember {
		t.Errorf("new user = %+v, want a pending member", u)
	}
	steps := []struct {
		name      string
		call      func() (*User, error)
		wantState string
		wantRole  string
	}{
		{"activate", func() (*User, error) { return c.ActivateUser(ctx, acct.ID, u.ID) }, UserStateActive, UserRoleMember},
		{"make admin", func() (*User, error) { return c.MakeUserAdmin(ctx, acct.ID, u.ID) }, UserStateActive, UserRoleAdmin},
		{"suspend", func() (*User, error) { return c.SuspendUser(ctx, acct.ID, u.ID) }, UserStateSuspended, UserRoleAdmin},
		{"unsuspend", func() (*User, error) { return c.UnsuspendUser(ctx, acct.ID, u.ID) }, UserStateActive, UserRoleAdmin},
		{"make member", func() (*User, error) { return c.MakeUserMember(ctx, acct.ID, u.ID) }, UserStateActive, UserRoleMember},
	}
	for _, s := range steps {
		got := got(s.call()).need(t, s.name)
		if got.State != s.wantState || got.Role != s.wantRole {
			t.Errorf("after %s: state %q role %q, want %q %q", s.name, got.State, got.Role, s.wantState, s.wantRole)
		}
	}
	u = got(c.UpdateUser(ctx, acct.ID, u.ID, UserParams{Email: ptr("runner@acme.example.com")})).need(t, "update user")
	if u.Email != "runner@acme.example.com" {
		t.Errorf("updated user = %+v", u)
	}
	check(t, "delete user", c.DeleteUser(ctx, acct.ID, u.ID))
	if _, err := c.GetUser(ctx, acct.ID, u.ID); !IsNotFound(err) {
		t.Errorf("deleted user: %v, want not found", err)
	}
	check(t, "delete account", c.DeleteAccount(ctx, acct.ID))
	if _, err := c.GetAccount(ctx, acct.ID); !IsNotFound(err) {
		t.Errorf("deleted account: %v, want not found", err)
	}
}
