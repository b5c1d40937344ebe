package inmemory

import (
	"fmt"
	"strconv"
)

// buyer is a developer account of a tenant (porta calls it a buyer), rendered as porta's
// AccountRepresenter for buyers.
type buyer struct {
	ID                     int64             `json:"id"`
	OrgName                string            `json:"org_name"`
	State                  string            `json:"state"`
	CreditCardStored       bool              `json:"credit_card_stored"`
	MonthlyBillingEnabled  bool              `json:"monthly_billing_enabled"`
	MonthlyChargingEnabled bool              `json:"monthly_charging_enabled"`
	Annotations            map[string]string `json:"annotations,omitempty"`
	CreatedAt              string            `json:"created_at"`
	UpdatedAt              string            `json:"updated_at"`
	Links                  []link            `json:"links"`
}

// user is a user of a developer account, rendered as porta's UserRepresenter.
type user struct {
	ID        int64  `json:"id"`
	State     string `json:"state"`
	Role      string `json:"role"`
	Username  string `json:"username"`
	Email     string `json:"email"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
	Links     []link `json:"links"`

	accountID int64
	password  string
}

// accountEvents are the state events of a developer account: event -> from -> to.
var accountEvents = map[string]map[string]string{
	"approve":      {"pending": "approved", "rejected": "approved"},
	"reject":       {"pending": "rejected", "approved": "rejected"},
	"make_pending": {"approved": "pending", "rejected": "pending"},
}

// userEvents are the state events of a user: event -> from -> to.
var userEvents = map[string]map[string]string{
	"activate":  {"pending": "active", "active": "active"},
	"suspend":   {"pending": "suspended", "active": "suspended"},
	"unsuspend": {"suspended": "active"},
}

func (s *Server) accountRoutes(t routeTable) {
	t.handle("POST /admin/api/signup.json", adminScope, signup)
	t.handle("GET /admin/api/accounts.json", adminScope, listAccounts)
	t.handle("GET /admin/api/accounts/find.json", adminScope, findAccount)
	t.handle("GET /admin/api/accounts/{id}.json", adminScope, showAccount)
	t.handle("PUT /admin/api/accounts/{id}.json", adminScope, updateAccount)
	t.handle("DELETE /admin/api/accounts/{id}.json", adminScope, deleteAccount)
	for _, ev := range []string{"approve", "reject", "make_pending"} {
		t.handle("PUT /admin/api/accounts/{id}/"+ev+".json", adminScope, accountEvent(ev))
	}

	const users = "/admin/api/accounts/{account_id}/users"
	t.handle("GET "+users+".json", adminScope, listUsers)
	t.handle("POST "+users+".json", adminScope, createUser)
	t.handle("GET "+users+"/{id}.json", adminScope, showUser)
	t.handle("PUT "+users+"/{id}.json", adminScope, updateUser)
	t.handle("DELETE "+users+"/{id}.json", adminScope, deleteUser)
	t.handle("PUT "+users+"/{id}/admin.json", adminScope, userRole("admin"))
	t.handle("PUT "+users+"/{id}/member.json", adminScope, userRole("member"))
	for _, ev := range []string{"activate", "suspend", "unsuspend"} {
		t.handle("PUT "+users+"/{id}/"+ev+".json", adminScope, userEvent(ev))
	}
}

func (a *account) buyerLinks(base string, id int64) []link {
	self := base + "/admin/api/accounts/" + itoa(id)
	return []link{{Rel: "self", Href: self}, {Rel: "users", Href: self + "/users"}}
}

// signup is porta's Signup Express: a developer account with its first user, an admin. Monthly
// billing and charging start enabled, as porta's account settings default them.
func signup(q *request) reply {
	now := q.st.timestamp()
	b := &buyer{State: "approved", MonthlyBillingEnabled: true, MonthlyChargingEnabled: true, CreatedAt: now, UpdatedAt: now}
	setString(q, "org_name", &b.OrgName)
	b.Annotations = applyAnnotations(q, nil)
	u := &user{State: "active", Role: "admin", CreatedAt: now, UpdatedAt: now}
	setString(q, "username", &u.Username)
	setString(q, "email", &u.Email)
	setString(q, "password", &u.password)

	var errs fieldErrors
	if b.OrgName == "" {
		errs = errs.add("org_name", msgBlank)
	}
	errs = validateUserFields(errs, u.Username, u.Email)
	errs = q.acct.validateUserUnique(errs, u)
	if errs != nil {
		return invalid(errs)
	}
	b.ID = q.st.id()
	b.Links = q.acct.buyerLinks(q.baseURL(), b.ID)
	q.acct.buyers[b.ID] = b
	u.ID, u.accountID = q.st.id(), b.ID
	u.Links = userLinks(q, u)
	q.acct.users[u.ID] = u
	return created(wrap("account", b))
}

// validateUserUnique applies porta's uniqueness of user names and emails among the buyers'
// users of a provider.
func (a *account) validateUserUnique(errs fieldErrors, u *user) fieldErrors {
	for _, o := range a.users {
		if o.ID == u.ID {
			continue
		}
		if u.Username != "" && o.Username == u.Username {
			errs = errs.add("username", msgTaken)
		}
		if u.Email != "" && o.Email == u.Email {
			errs = errs.add("email", msgTaken)
		}
	}
	return errs
}

func listAccounts(q *request) reply {
	state := q.get("state")
	if q.acct.Master {
		return listTenants(q, state)
	}
	var out []*buyer
	for _, b := range sortedByID(q.acct.buyers) {
		if state == "" || b.State == state {
			out = append(out, b)
		}
	}
	return list(q, "accounts", "account", out)
}

// findAccount finds a developer account by one of its users' user name, ID or email.
func findAccount(q *request) reply {
	var match func(*user) bool
	switch {
	case q.get("username") != "":
		match = func(u *user) bool { return u.Username == q.get("username") }
	case q.get("user_id") != "":
		id, _ := strconv.ParseInt(q.get("user_id"), 10, 64)
		match = func(u *user) bool { return u.ID == id }
	case q.get("email") != "":
		match = func(u *user) bool { return u.Email == q.get("email") }
	default:
		return notFound()
	}
	for _, u := range sortedByID(q.acct.users) {
		if match(u) {
			if b, ok := q.acct.buyers[u.accountID]; ok {
				return okBody(wrap("account", b))
			}
		}
	}
	return notFound()
}

func (q *request) buyerByPath(name string) (*buyer, bool) {
	return byID(q, q.acct.buyers, name)
}

func showAccount(q *request) reply {
	b, ok := q.buyerByPath("id")
	if !ok {
		return notFound()
	}
	return okBody(wrap("account", b))
}

func updateAccount(q *request) reply {
	b, ok := q.buyerByPath("id")
	if !ok {
		return notFound()
	}
	next := *b
	setString(q, "org_name", &next.OrgName)
	setBool(q, "monthly_billing_enabled", &next.MonthlyBillingEnabled)
	setBool(q, "monthly_charging_enabled", &next.MonthlyChargingEnabled)
	next.Annotations = applyAnnotations(q, b.Annotations)
	if next.OrgName == "" {
		return invalid(fieldErrors{}.add("org_name", msgBlank))
	}
	next.UpdatedAt = q.st.timestamp()
	*b = next
	return okBody(wrap("account", b))
}

// deleteAccount removes a developer account with its users and applications.
func deleteAccount(q *request) reply {
	b, ok := q.buyerByPath("id")
	if !ok {
		return notFound()
	}
	delete(q.acct.buyers, b.ID)
	for id, u := range q.acct.users {
		if u.accountID == b.ID {
			delete(q.acct.users, id)
		}
	}
	for id, app := range q.acct.applications {
		if app.accountID == b.ID {
			delete(q.acct.applications, id)
		}
	}
	return deleted()
}

// accountEvent serves approve, reject and make_pending.
func accountEvent(ev string) handler {
	return func(q *request) reply {
		b, ok := q.buyerByPath("id")
		if !ok {
			return notFound()
		}
		to, ok := accountEvents[ev][b.State]
		if !ok {
			return invalid(fieldErrors{}.add("state", fmt.Sprintf("cannot transition via %q", ev)))
		}
		b.State, b.UpdatedAt = to, q.st.timestamp()
		return okBody(wrap("account", b))
	}
}

func userLinks(q *request, u *user) []link {
	acct := q.baseURL() + "/admin/api/accounts/" + itoa(u.accountID)
	return []link{{Rel: "account", Href: acct}, {Rel: "self", Href: acct + "/users/" + itoa(u.ID)}}
}

func listUsers(q *request) reply {
	accountID, ok := q.userAccountByPath()
	if !ok {
		return notFound()
	}
	state, role := q.get("state"), q.get("role")
	var out []*user
	for _, u := range sortedByID(q.acct.users) {
		if u.accountID == accountID && (state == "" || u.State == state) && (role == "" || u.Role == role) {
			out = append(out, u)
		}
	}
	return list(q, "users", "user", out)
}

func (q *request) userByPath() (*user, bool) {
	accountID, ok := q.userAccountByPath()
	if !ok {
		return nil, false
	}
	return byIDWhere(q, q.acct.users, "id", func(u *user) bool { return u.accountID == accountID })
}

// userAccountByPath returns the ID of the account named by the path's account_id whose users
// this account manages: its developer accounts, and for the master account its tenants (in 3scale
// the tenants are the master's buyers) that are not scheduled for deletion.
func (q *request) userAccountByPath() (int64, bool) {
	if q.acct.Master {
		a, ok := byIDWhere(q, q.st.accounts, "account_id", func(a *account) bool {
			return !a.Master && a.State != stateScheduledForDeletion
		})
		if ok {
			return a.ID, true
		}
	}
	b, ok := q.buyerByPath("account_id")
	if !ok {
		return 0, false
	}
	return b.ID, true
}

func showUser(q *request) reply {
	u, ok := q.userByPath()
	if !ok {
		return notFound()
	}
	return okBody(wrap("user", u))
}

// createUser adds a user to a developer account: a member, pending until activated, as porta
// makes users created by the provider.
func createUser(q *request) reply {
	accountID, ok := q.userAccountByPath()
	if !ok {
		return notFound()
	}
	now := q.st.timestamp()
	u := &user{State: "pending", Role: "member", accountID: accountID, CreatedAt: now, UpdatedAt: now}
	setString(q, "username", &u.Username)
	setString(q, "email", &u.Email)
	setString(q, "password", &u.password)
	errs := validateUserFields(nil, u.Username, u.Email)
	errs = q.acct.validateUserUnique(errs, u)
	if errs != nil {
		return invalid(errs)
	}
	u.ID = q.st.id()
	u.Links = userLinks(q, u)
	q.acct.users[u.ID] = u
	return created(wrap("user", u))
}

func updateUser(q *request) reply {
	u, ok := q.userByPath()
	if !ok {
		return notFound()
	}
	next := *u
	setString(q, "username", &next.Username)
	setString(q, "email", &next.Email)
	setString(q, "password", &next.password)
	errs := validateUserFields(nil, next.Username, next.Email)
	errs = q.acct.validateUserUnique(errs, &next)
	if errs != nil {
		return invalid(errs)
	}
	next.UpdatedAt = q.st.timestamp()
	*u = next
	return okBody(wrap("user", u))
}

func deleteUser(q *request) reply {
	u, ok := q.userByPath()
	if !ok {
		return notFound()
	}
	delete(q.acct.users, u.ID)
	return deleted()
}

// userRole serves admin and member.
func userRole(role string) handler {
	return func(q *request) reply {
		u, ok := q.userByPath()
		if !ok {
			return notFound()
		}
		u.Role, u.UpdatedAt = role, q.st.timestamp()
		return okBody(wrap("user", u))
	}
}

// userEvent serves activate, suspend and unsuspend. An event that does not apply to the
// user's state fails as porta's state machine does.
func userEvent(ev string) handler {
	return func(q *request) reply {
		u, ok := q.userByPath()
		if !ok {
			return notFound()
		}
		to, ok := userEvents[ev][u.State]
		if !ok {
			return invalid(fieldErrors{}.add("state", fmt.Sprintf("cannot transition via %q", ev)))
		}
		u.State, u.UpdatedAt = to, q.st.timestamp()
		return okBody(wrap("user", u))
	}
}
