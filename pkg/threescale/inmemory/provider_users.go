package inmemory

import (
	"slices"
)

// A tenant's own users (the admin portal's users) and their access tokens, and the tenant's
// provider key: in 3scale the tenants are the master account's buyers, each with one application
// of the master's service whose user key is the tenant's provider key. A provider key
// authenticates on the tenant's admin domain as the account itself, with no user (porta's
// ApiAuthentication::ByProviderKey), which lets the master, knowing the key, create a new access
// token for a tenant user whose token was lost.

func (s *Server) providerUserRoutes(t routeTable) {
	t.handle("GET /admin/api/users/{id}.json", adminScope, showProviderUser)
	t.handle("POST /admin/api/users/{user_id}/access_tokens.json", adminScope, createAccessToken)
}

// tenantScopes are the scopes a tenant user's token may have (porta's AccessToken scopes for a
// provider that is not master).
var tenantScopes = []string{"finance", "account_management", "stats", "cms", "policy_registry"}

// providerUserByPath finds the user of this provider account (not of its buyers) that the path's
// param names. The master account keeps its tenants' users.
func (q *request) providerUserByPath(param string) (*user, bool) {
	return byIDWhere(q, q.st.master.users, param, func(u *user) bool { return u.accountID == q.acct.ID })
}

func showProviderUser(q *request) reply {
	u, ok := q.providerUserByPath("id")
	if !ok {
		return notFound()
	}
	return okBody(wrap("user", u))
}

// createAccessToken creates a token of a user of this provider account: name, permission (ro or
// rw) and at least one scope the account may grant, as porta's AccessToken validates them. The
// value is shown in this answer only.
func createAccessToken(q *request) reply {
	if _, ok := q.providerUserByPath("user_id"); !ok {
		return notFound()
	}
	var errs fieldErrors
	name, permission, scopes := q.get("name"), q.get("permission"), q.form["scopes[]"]
	if name == "" {
		errs = errs.add("name", msgBlank)
	}
	if permission != "ro" && permission != "rw" {
		errs = errs.add("permission", "is not included in the list")
	}
	if len(scopes) == 0 {
		errs = errs.add("scopes", "select at least one scope")
	}
	for _, sc := range scopes {
		if !slices.Contains(tenantScopes, sc) {
			errs = errs.add("scopes", "invalid")
			break
		}
	}
	if errs != nil {
		return invalid(errs)
	}
	value := randomHex(32)
	id := q.st.id()
	q.st.tokens[value] = q.acct.ID
	return created(wrap("access_token", accessTokenView{ID: id, Name: name, Scopes: scopes, Permission: permission, Value: value}))
}

// providerApplicationView is the tenant's application in the master account, as the master's
// account applications listing shows it: its user key is the tenant's provider key.
func providerApplicationView(q *request, a *account) map[string]any {
	base := q.baseURL() + "/admin/api/accounts/" + itoa(a.ID)
	return map[string]any{
		"id": a.providerAppID, "state": "live", "enabled": true, "account_id": a.ID,
		"service_id": q.acct.ID, "plan_id": q.acct.ID, "created_at": a.CreatedAt, "updated_at": a.UpdatedAt,
		"user_key": a.providerKey, "provider_verification_key": nil,
		"name": a.OrgName + "'s App", "description": "Default application created on signup.",
		"links": []link{{Rel: "self", Href: base + "/applications/" + itoa(a.providerAppID)}, {Rel: "account", Href: base}},
	}
}

// listTenantApplications is the applications listing of the master account for one of its
// tenants: the tenant's provider application.
func listTenantApplications(q *request) reply {
	a, ok := byIDWhere(q, q.st.accounts, "account_id", func(a *account) bool {
		return !a.Master && a.State != stateScheduledForDeletion
	})
	if !ok {
		return notFound()
	}
	return list(q, "applications", "application", []map[string]any{providerApplicationView(q, a)})
}

// RevokeAccessToken deletes an access token, as a user does in the admin portal: requests
// with it are refused from then on.
func (s *Server) RevokeAccessToken(token string) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	delete(s.store.tokens, token)
}
