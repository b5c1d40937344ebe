package inmemory

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMasterProviderLifecycle(t *testing.T) {
	srv, tenant := NewTestServer(t)
	m := newAPI(t, srv.MasterURL(), srv.MasterToken())

	r := m.do(http.MethodPost, "/master/api/providers.json", p(
		"org_name", "Acme", "username", "admin", "email", "admin@acme.example.com", "password", "s3cret!!",
		"annotations[managed_by]", "operator",
	)).must(t, http.StatusCreated)
	signup := r.obj(t, "signup")
	acct, _ := signup["account"].(map[string]any)
	tok, _ := signup["access_token"].(map[string]any)
	if acct == nil || tok == nil {
		t.Fatalf("signup lacks account or access_token: %s", r.Raw)
	}
	if acct["state"] != "approved" || acct["org_name"] != "Acme" {
		t.Errorf("new tenant: %v", acct)
	}
	adminDomain, _ := acct["admin_domain"].(string)
	value, _ := tok["value"].(string)
	if !strings.HasPrefix(adminDomain, "127.0.0.1:") || value == "" {
		t.Fatalf("admin_domain %q, token %q", adminDomain, value)
	}
	if acct["admin_base_url"] != "http://"+adminDomain {
		t.Errorf("admin_base_url = %v", acct["admin_base_url"])
	}
	if diff := cmp.Diff(map[string]any{"managed_by": "operator"}, acct["annotations"]); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}
	pid := idPath(id(t, acct))

	// The new tenant answers on its own listener with the returned token.
	acme := newAPI(t, "http://"+adminDomain, value)
	acme.do(http.MethodGet, "/admin/api/services.json", nil).must(t, http.StatusOK)

	shown := m.do(http.MethodGet, "/master/api/providers/"+pid+".json", nil).must(t, http.StatusOK).obj(t, "signup")
	if _, has := shown["access_token"]; has {
		t.Errorf("show reveals an access token: %v", shown)
	}
	upd := m.do(http.MethodPut, "/master/api/providers/"+pid+".json", p("support_email", "help@acme.example.com")).
		must(t, http.StatusOK).obj(t, "signup")["account"].(map[string]any)
	if upd["support_email"] != "help@acme.example.com" {
		t.Errorf("update: %v", upd)
	}
	bad := m.do(http.MethodPut, "/master/api/providers/"+pid+".json", p("state_event", "resume")).must(t, http.StatusUnprocessableEntity)
	if _, ok := bad.errors(t)["state_event"]; !ok {
		t.Errorf("invalid transition errors: %s", bad.Raw)
	}

	m.do(http.MethodDelete, "/master/api/providers/"+pid+".json", nil).must(t, http.StatusOK)
	gone := m.do(http.MethodGet, "/master/api/providers/"+pid+".json", nil).must(t, http.StatusOK).obj(t, "signup")["account"].(map[string]any)
	if gone["state"] != stateScheduledForDeletion || gone["deletion_date"] == nil {
		t.Errorf("deleted tenant: %v", gone)
	}
	acme.do(http.MethodGet, "/admin/api/services.json", nil).must(t, http.StatusForbidden)
	m.do(http.MethodDelete, "/master/api/providers/"+pid+".json", nil).must(t, http.StatusNotFound)

	// resume brings it back.
	m.do(http.MethodPut, "/master/api/providers/"+pid+".json", p("state_event", "resume")).must(t, http.StatusOK)
	acme.do(http.MethodGet, "/admin/api/services.json", nil).must(t, http.StatusOK)

	// The Master API is the master's: a tenant token is refused, on any listener.
	newAPI(t, tenant.AdminURL, tenant.Token).do(http.MethodGet, "/master/api/providers/"+pid+".json", nil).must(t, http.StatusForbidden)
	newAPI(t, srv.MasterURL(), tenant.Token).do(http.MethodGet, "/master/api/providers/"+pid+".json", nil).must(t, http.StatusForbidden)
	m.do(http.MethodGet, "/master/api/providers/999999.json", nil).must(t, http.StatusNotFound)
	m.do(http.MethodGet, "/master/api/providers/"+idPath(1)+".json", nil).must(t, http.StatusNotFound) // the master itself
}

func TestMasterProviderValidation(t *testing.T) {
	srv, _ := NewTestServer(t)
	m := newAPI(t, srv.MasterURL(), srv.MasterToken())
	tests := map[string]struct {
		params []string
		want   map[string][]string
	}{
		"nothing": {nil, map[string][]string{"org_name": {msgBlank}, "username": {msgBlank}, "email": {msgBlank}, "password": {msgBlank}}},
		"org taken": {[]string{"org_name", "test", "username", "admin", "email", "a@b.example", "password", "pw"},
			map[string][]string{"org_name": {msgTaken}}},
		"bad email": {[]string{"org_name", "New", "username", "admin", "email", "nope", "password", "pw"},
			map[string][]string{"email": {"should look like an email address"}}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := m.do(http.MethodPost, "/master/api/providers.json", p(tc.params...)).must(t, http.StatusUnprocessableEntity)
			if diff := cmp.Diff(tc.want, r.errors(t)); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

// The master account's account listing is its tenants (its buyers in 3scale), so a tenant can be
// found by its organization name.
func TestMasterListsTenantsAsAccounts(t *testing.T) {
	srv, tenant := NewTestServer(t)
	m := newAPI(t, srv.MasterURL(), srv.MasterToken())
	m.do(http.MethodPost, "/master/api/providers.json", p(
		"org_name", "Acme", "username", "admin", "email", "admin@acme.example.com", "password", "s3cret!!",
	)).must(t, http.StatusCreated)
	r := m.do(http.MethodGet, "/admin/api/accounts.json", nil).must(t, http.StatusOK)
	var names []string
	for _, it := range r.items(t, "accounts", "account") {
		names = append(names, it["org_name"].(string))
	}
	if diff := cmp.Diff([]string{tenant.Name, "Acme"}, names); diff != "" {
		t.Errorf("master's accounts (-want +got):\n%s", diff)
	}
}

// A tenant's signup makes its admin user, pending until activated; the master account manages
// the tenant's users as those of its buyers.
func TestMasterManagesTenantUsers(t *testing.T) {
	srv, _ := NewTestServer(t)
	m := newAPI(t, srv.MasterURL(), srv.MasterToken())
	acct := m.do(http.MethodPost, "/master/api/providers.json", p(
		"org_name", "Acme", "username", "admin", "email", "admin@acme.example.com", "password", "s3cret!!",
	)).must(t, http.StatusCreated).obj(t, "signup")["account"].(map[string]any)
	users := "/admin/api/accounts/" + idPath(id(t, acct)) + "/users"
	got := m.do(http.MethodGet, users+".json", nil).must(t, http.StatusOK).items(t, "users", "user")
	if len(got) != 1 || got[0]["username"] != "admin" || got[0]["role"] != "admin" || got[0]["state"] != "pending" {
		t.Fatalf("tenant users: %v", got)
	}
	uid := idPath(id(t, got[0]))
	u := m.do(http.MethodPut, users+"/"+uid+"/activate.json", nil).must(t, http.StatusOK).obj(t, "user")
	if u["state"] != "active" {
		t.Errorf("activated: %v", u)
	}
	m.do(http.MethodPost, users+".json", p("username", "second", "email", "second@acme.example.com", "password", "s3cret!!")).must(t, http.StatusCreated)
	m.do(http.MethodGet, "/admin/api/accounts/999999/users.json", nil).must(t, http.StatusNotFound)
}

// TestProviderKeyIssuesAccessTokens: the master reads a tenant's provider key as the user key of
// the tenant's application; the key authenticates on that tenant's admin domain only, where it
// reads the tenant's users and creates access tokens with porta's validations; a revoked token is
// refused.
func TestProviderKeyIssuesAccessTokens(t *testing.T) {
	srv, other := NewTestServer(t)
	m := newAPI(t, srv.MasterURL(), srv.MasterToken())
	acct := m.do(http.MethodPost, "/master/api/providers.json", p(
		"org_name", "Acme", "username", "admin", "email", "admin@acme.example.com", "password", "s3cret!!",
	)).must(t, http.StatusCreated).obj(t, "signup")["account"].(map[string]any)
	tenant := Tenant{ID: int64(id(t, acct)), AdminURL: acct["admin_base_url"].(string)}
	apps := m.do(http.MethodGet, "/admin/api/accounts/"+idPath(tenant.ID)+"/applications.json", nil).must(t, http.StatusOK).items(t, "applications", "application")
	if len(apps) != 1 {
		t.Fatalf("the tenant's applications in the master account: %v", apps)
	}
	key, _ := apps[0]["user_key"].(string)
	if key == "" {
		t.Fatalf("no provider key: %v", apps[0])
	}
	users := m.do(http.MethodGet, "/admin/api/accounts/"+idPath(tenant.ID)+"/users.json", nil).must(t, http.StatusOK).items(t, "users", "user")
	uid := idPath(id(t, users[0]))

	byKey := api{t: t, base: tenant.AdminURL}
	byKey.do(http.MethodGet, "/admin/api/users/"+uid+".json", p("provider_key", key)).must(t, http.StatusOK)
	api{t: t, base: other.AdminURL}.do(http.MethodGet, "/admin/api/services.json", p("provider_key", key)).must(t, http.StatusForbidden)

	bad := byKey.do(http.MethodPost, "/admin/api/users/"+uid+"/access_tokens.json", p("provider_key", key, "name", "t", "permission", "admin", "scopes[]", "everything")).must(t, http.StatusUnprocessableEntity)
	errs := bad.errors(t)
	if _, ok := errs["permission"]; !ok {
		t.Errorf("a bad permission is accepted: %s", bad.Raw)
	}
	if _, ok := errs["scopes"]; !ok {
		t.Errorf("a bad scope is accepted: %s", bad.Raw)
	}
	made := byKey.do(http.MethodPost, "/admin/api/users/"+uid+"/access_tokens.json", p("provider_key", key, "name", "t", "permission", "rw", "scopes[]", "account_management")).must(t, http.StatusCreated).obj(t, "access_token")
	value, _ := made["value"].(string)
	newAPI(t, tenant.AdminURL, value).do(http.MethodGet, "/admin/api/services.json", nil).must(t, http.StatusOK)
	newAPI(t, other.AdminURL, value).do(http.MethodGet, "/admin/api/services.json", nil).must(t, http.StatusForbidden)
	srv.RevokeAccessToken(value)
	newAPI(t, tenant.AdminURL, value).do(http.MethodGet, "/admin/api/services.json", nil).must(t, http.StatusForbidden)
}
