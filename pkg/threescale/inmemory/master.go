package inmemory

import (
	"fmt"
	"time"
)

// stateScheduledForDeletion is the state 3scale gives a provider account the Master API
// deleted: the master still sees it (and can resume it), its own admin API stops answering.
const stateScheduledForDeletion = "scheduled_for_deletion"

// deletionDelay is how long 3scale waits before it really deletes a tenant.
const deletionDelay = 15 * 24 * time.Hour

// signupParams are the parameters of a provider signup (Master API) or of a developer signup.
type signupParams struct {
	OrgName  string
	Username string
	Email    string
	Password string
}

// providerFields are the provider-only account fields the Master API can set.
type providerFields struct {
	FromEmail           string `json:"from_email"`
	SupportEmail        string `json:"support_email"`
	FinanceSupportEmail string `json:"finance_support_email"`
	SiteAccessCode      string `json:"site_access_code"`
}

func (s *Server) masterRoutes(t routeTable) {
	t.handleUnlocked("POST /master/api/providers.json", masterScope, s.createProviderHandler)
	t.handle("GET /master/api/providers/{id}.json", masterScope, showProvider)
	t.handle("PUT /master/api/providers/{id}.json", masterScope, updateProvider)
	t.handle("DELETE /master/api/providers/{id}.json", masterScope, deleteProvider)
}

// providerView is porta's Signup::ResultWithAccessToken for a provider: the account and, on
// creation only, the admin's new access token.
type providerView struct {
	Account     map[string]any   `json:"account"`
	AccessToken *accessTokenView `json:"access_token,omitempty"`
}

// accessTokenView is porta's AccessTokenRepresenter, with the value shown once, at creation.
type accessTokenView struct {
	ID         int64    `json:"id"`
	Name       string   `json:"name"`
	Scopes     []string `json:"scopes"`
	Permission string   `json:"permission"`
	ExpiresAt  *string  `json:"expires_at"`
	Value      string   `json:"value,omitempty"`
}

// providerJSON renders a provider account as porta's AccountRepresenter does.
func providerJSON(a *account) map[string]any {
	m := map[string]any{
		"id":                       a.ID,
		"created_at":               a.CreatedAt,
		"updated_at":               a.UpdatedAt,
		"org_name":                 a.OrgName,
		"admin_domain":             a.AdminDomain,
		"domain":                   a.Domain,
		"admin_base_url":           "http://" + a.AdminDomain,
		"base_url":                 "http://" + a.Domain,
		"from_email":               a.provider.FromEmail,
		"support_email":            a.provider.SupportEmail,
		"finance_support_email":    a.provider.FinanceSupportEmail,
		"site_access_code":         a.provider.SiteAccessCode,
		"credit_card_stored":       false,
		"monthly_billing_enabled":  true,
		"monthly_charging_enabled": true,
		"state":                    a.State,
		"links":                    []link{{Rel: "users", Href: "http://" + a.AdminDomain + "/admin/api/accounts/" + itoa(a.ID) + "/users"}},
	}
	if a.deletionDate != "" {
		m["deletion_date"] = a.deletionDate
	}
	if len(a.annotations) > 0 {
		m["annotations"] = a.annotations
	}
	return m
}

// createProviderHandler is the Master API's tenant signup. It runs without the store lock
// because it opens the tenant's listener.
func (s *Server) createProviderHandler(q *request) reply {
	sp := signupParams{
		OrgName:  q.get("org_name"),
		Username: q.get("username"),
		Email:    q.get("email"),
		Password: q.get("password"),
	}
	a, errs, err := s.createProvider(sp, "127.0.0.1:0")
	if err != nil {
		return reply{status: 500, body: errorBody{Error: err.Error()}}
	}
	if errs != nil {
		return invalid(errs)
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	a.annotations = applyAnnotations(q, nil)
	s.store.addTenantAdmin(q, a, sp)
	return created(wrap("signup", providerView{
		Account: providerJSON(a),
		AccessToken: &accessTokenView{
			ID: a.adminTokenID, Name: "Admin Portal", Scopes: []string{"account_management"},
			Permission: "rw", Value: a.adminToken,
		},
	}))
}

// providerByPath finds the tenant named by the path, deleted ones included when withDeleted.
func (q *request) providerByPath(withDeleted bool) (*account, bool) {
	return byIDWhere(q, q.st.accounts, "id", func(a *account) bool {
		return !a.Master && (withDeleted || a.State != stateScheduledForDeletion)
	})
}

func showProvider(q *request) reply {
	a, ok := q.providerByPath(true)
	if !ok {
		return notFound()
	}
	return okBody(wrap("signup", providerView{Account: providerJSON(a)}))
}

// providerTransitions are the state events of a provider account: event -> from -> to.
var providerTransitions = map[string]map[string]string{
	"make_pending": {"approved": "pending", "rejected": "pending"},
	"approve":      {"pending": "approved", "rejected": "approved"},
	"reject":       {"pending": "rejected", "approved": "rejected"},
	"suspend":      {"approved": "suspended", "pending": "suspended"},
	"resume":       {"suspended": "approved", stateScheduledForDeletion: "approved"},
}

func updateProvider(q *request) reply {
	a, ok := q.providerByPath(true)
	if !ok {
		return notFound()
	}
	next := a.provider
	// A tenant scheduled for deletion only takes a state event, as in porta.
	if a.State != stateScheduledForDeletion {
		setString(q, "from_email", &next.FromEmail)
		setString(q, "support_email", &next.SupportEmail)
		setString(q, "finance_support_email", &next.FinanceSupportEmail)
		setString(q, "site_access_code", &next.SiteAccessCode)
	}
	state := a.State
	if ev := q.get("state_event"); ev != "" {
		to, ok := providerTransitions[ev][a.State]
		if !ok {
			return invalid(fieldErrors{}.add("state_event", fmt.Sprintf("cannot transition via %q", ev)))
		}
		state = to
	}
	a.provider = next
	if a.State != stateScheduledForDeletion {
		a.annotations = applyAnnotations(q, a.annotations)
	}
	if state != a.State {
		a.State = state
		if state != stateScheduledForDeletion {
			a.deletionDate = ""
		}
	}
	a.UpdatedAt = q.st.timestamp()
	return okBody(wrap("signup", providerView{Account: providerJSON(a)}))
}

// deleteProvider schedules the tenant for deletion, as 3scale does; its admin API stops
// answering at once.
func deleteProvider(q *request) reply {
	a, ok := q.providerByPath(false)
	if !ok {
		return notFound()
	}
	a.State = stateScheduledForDeletion
	a.deletionDate = q.st.now().Add(deletionDelay).Format(time.RFC3339)
	a.UpdatedAt = q.st.timestamp()
	return deleted()
}

// validateProviderSignup checks a provider signup the way 3scale does: organization name,
// user name and email present, a plausible email, a password, a unique organization.
func (st *store) validateProviderSignup(sp signupParams) fieldErrors {
	var errs fieldErrors
	if sp.OrgName == "" {
		errs = errs.add("org_name", msgBlank)
	} else {
		for _, a := range st.accounts {
			if a.OrgName == sp.OrgName && a.State != stateScheduledForDeletion {
				errs = errs.add("org_name", msgTaken)
				break
			}
		}
	}
	errs = validateUserFields(errs, sp.Username, sp.Email)
	if sp.Password == "" {
		errs = errs.add("password", msgBlank)
	}
	return errs
}

// validateUserFields checks a user's name and email as porta's User model does.
func validateUserFields(errs fieldErrors, username, email string) fieldErrors {
	if username == "" {
		errs = errs.add("username", msgBlank)
	} else if len(username) < 3 {
		errs = errs.add("username", "is too short (minimum is 3 characters)")
	}
	if email == "" {
		errs = errs.add("email", msgBlank)
	} else if !validEmail(email) {
		errs = errs.add("email", "should look like an email address")
	}
	return errs
}

// createProvider stores a new provider account served at adminDomain (host:port).
func (st *store) createProvider(sp signupParams, adminDomain string) (*account, fieldErrors) {
	if errs := st.validateProviderSignup(sp); errs != nil {
		return nil, errs
	}
	a := st.newAccount(sp.OrgName, false)
	a.AdminDomain = adminDomain
	a.Domain = adminDomain
	a.provider = providerFields{FromEmail: sp.Email, SupportEmail: sp.Email, FinanceSupportEmail: sp.Email}
	return a, nil
}

// listTenants is the account listing of the master account: in 3scale the tenants are the master
// account's buyers, so it lists them (scheduled for deletion ones too), as the Master API shows
// them.
func listTenants(q *request, state string) reply {
	var out []map[string]any
	for _, a := range sortedByID(q.st.accounts) {
		if !a.Master && (state == "" || a.State == state) {
			out = append(out, providerJSON(a))
		}
	}
	return list(q, "accounts", "account", out)
}

// addTenantAdmin stores the admin user a provider signup makes, pending until activated, among
// the users the master account manages (the tenants are its buyers), as the master API shows them.
func (st *store) addTenantAdmin(q *request, a *account, sp signupParams) {
	now := st.timestamp()
	u := &user{ID: st.id(), State: "pending", Role: "admin", Username: sp.Username, Email: sp.Email,
		password: sp.Password, accountID: a.ID, CreatedAt: now, UpdatedAt: now}
	u.Links = userLinks(q, u)
	st.master.users[u.ID] = u
}
