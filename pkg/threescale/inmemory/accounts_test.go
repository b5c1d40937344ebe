package inmemory

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// newBuyer signs up a developer account and returns its path prefix and ID.
func newBuyer(t *testing.T, c api, org, username string) (string, int64) {
	t.Helper()
	acct := c.do(http.MethodPost, "/admin/api/signup.json", p("org_name", org, "username", username, "email", username+"@example.com")).
		must(t, http.StatusCreated).obj(t, "account")
	return "/admin/api/accounts/" + idPath(id(t, acct)), id(t, acct)
}

func TestAccounts(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	acct := c.do(http.MethodPost, "/admin/api/signup.json", p(
		"org_name", "Dev Corp", "username", "dev", "email", "dev@example.com", "password", "pw",
		"annotations[managed_by]", "operator",
	)).must(t, http.StatusCreated).obj(t, "account")
	if acct["state"] != "approved" || acct["org_name"] != "Dev Corp" || acct["monthly_billing_enabled"] != true || acct["monthly_charging_enabled"] != true {
		t.Errorf("account: %v", acct)
	}
	if diff := cmp.Diff(map[string]any{"managed_by": "operator"}, acct["annotations"]); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}
	ap := "/admin/api/accounts/" + idPath(id(t, acct))
	users := c.do(http.MethodGet, ap+"/users.json", nil).must(t, http.StatusOK).items(t, "users", "user")
	if len(users) != 1 || users[0]["role"] != "admin" || users[0]["state"] != "active" || users[0]["username"] != "dev" {
		t.Errorf("signup users: %v", users)
	}

	r := c.do(http.MethodPost, "/admin/api/signup.json", p("org_name", "", "username", "dev", "email", "nope")).must(t, http.StatusUnprocessableEntity)
	want := map[string][]string{"org_name": {msgBlank}, "username": {msgTaken}, "email": {"should look like an email address"}}
	if diff := cmp.Diff(want, r.errors(t)); diff != "" {
		t.Errorf("signup errors (-want +got):\n%s", diff)
	}

	found := c.do(http.MethodGet, "/admin/api/accounts/find.json", p("username", "dev")).must(t, http.StatusOK).obj(t, "account")
	if id(t, found) != id(t, acct) {
		t.Errorf("find by username: %v", found)
	}
	c.do(http.MethodGet, "/admin/api/accounts/find.json", p("email", "dev@example.com")).must(t, http.StatusOK)
	c.do(http.MethodGet, "/admin/api/accounts/find.json", p("username", "ghost")).must(t, http.StatusNotFound)
	c.do(http.MethodGet, "/admin/api/accounts/find.json", nil).must(t, http.StatusNotFound)

	upd := c.do(http.MethodPut, ap+".json", p("org_name", "Dev Inc", "monthly_billing_enabled", "false")).must(t, http.StatusOK).obj(t, "account")
	if upd["org_name"] != "Dev Inc" || upd["monthly_billing_enabled"] != false {
		t.Errorf("updated: %v", upd)
	}
	if got := c.do(http.MethodPut, ap+"/make_pending.json", nil).must(t, http.StatusOK).obj(t, "account"); got["state"] != "pending" {
		t.Errorf("make_pending: %v", got)
	}
	if got := c.do(http.MethodGet, "/admin/api/accounts.json", p("state", "pending")).must(t, http.StatusOK).items(t, "accounts", "account"); len(got) != 1 {
		t.Errorf("pending accounts: %d", len(got))
	}
	if got := c.do(http.MethodPut, ap+"/approve.json", nil).must(t, http.StatusOK).obj(t, "account"); got["state"] != "approved" {
		t.Errorf("approve: %v", got)
	}
	c.do(http.MethodPut, ap+"/approve.json", nil).must(t, http.StatusUnprocessableEntity)

	c.do(http.MethodDelete, ap+".json", nil).must(t, http.StatusOK)
	c.do(http.MethodGet, ap+".json", nil).must(t, http.StatusNotFound)
	c.do(http.MethodGet, "/admin/api/accounts/find.json", p("username", "dev")).must(t, http.StatusNotFound)
}

func TestUsers(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	ap, _ := newBuyer(t, c, "Dev Corp", "dev")
	u := c.do(http.MethodPost, ap+"/users.json", p("username", "alice", "email", "alice@example.com", "password", "pw")).
		must(t, http.StatusCreated).obj(t, "user")
	if u["state"] != "pending" || u["role"] != "member" {
		t.Errorf("new user: %v", u)
	}
	up := ap + "/users/" + idPath(id(t, u))
	steps := []struct {
		path, state, role string
		status            int
	}{
		{"/activate.json", "active", "member", 200},
		{"/admin.json", "active", "admin", 200},
		{"/suspend.json", "suspended", "admin", 200},
		{"/suspend.json", "suspended", "admin", 422},
		{"/unsuspend.json", "active", "admin", 200},
		{"/member.json", "active", "member", 200},
	}
	for _, s := range steps {
		r := c.do(http.MethodPut, up+s.path, nil).must(t, s.status)
		got := c.do(http.MethodGet, up+".json", nil).must(t, http.StatusOK).obj(t, "user")
		if got["state"] != s.state || got["role"] != s.role {
			t.Errorf("after %s: state %v role %v, want %s %s (%s)", s.path, got["state"], got["role"], s.state, s.role, r.Raw)
		}
	}
	if got := c.do(http.MethodPut, up+".json", p("email", "alice@corp.example.com")).must(t, http.StatusOK).obj(t, "user"); got["email"] != "alice@corp.example.com" {
		t.Errorf("updated user: %v", got)
	}
	r := c.do(http.MethodPost, ap+"/users.json", p("username", "alice", "email", "other@example.com")).must(t, http.StatusUnprocessableEntity)
	if diff := cmp.Diff(map[string][]string{"username": {msgTaken}}, r.errors(t)); diff != "" {
		t.Errorf("duplicate user (-want +got):\n%s", diff)
	}
	if got := c.do(http.MethodGet, ap+"/users.json", p("role", "admin")).items(t, "users", "user"); len(got) != 1 {
		t.Errorf("admins: %d", len(got))
	}
	other, _ := newBuyer(t, c, "Other Corp", "other")
	c.do(http.MethodGet, other+"/users/"+idPath(id(t, u))+".json", nil).must(t, http.StatusNotFound)
	c.do(http.MethodDelete, up+".json", nil).must(t, http.StatusOK)
	c.do(http.MethodGet, up+".json", nil).must(t, http.StatusNotFound)
}
