package inmemory

// stateScheduledForDeletion is the state 3scale gives a provider account the Master API
// deleted: it stays visible to the master, and its admin API stops answering.
const stateScheduledForDeletion = "scheduled_for_deletion"

// signupParams are the parameters of a provider signup (Master API) or of a developer signup.
type signupParams struct {
	OrgName  string
	Username string
	Email    string
	Password string
}

func (s *Server) masterRoutes(t routeTable) {}

// validateProviderSignup checks a provider signup the way 3scale does.
func (st *store) validateProviderSignup(sp signupParams) fieldErrors {
	var errs fieldErrors
	if sp.OrgName == "" {
		errs = errs.add("org_name", msgBlank)
	}
	if sp.Username == "" {
		errs = errs.add("username", msgBlank)
	}
	if sp.Email == "" {
		errs = errs.add("email", msgBlank)
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
	return a, nil
}
