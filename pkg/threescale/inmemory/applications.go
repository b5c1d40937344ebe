package inmemory

import (
	"strconv"
)

// application is a developer account's application: its subscription to a plan of a product,
// with the credentials the product's authentication mode needs.
type application struct {
	id                  int64
	name                string
	description         string
	state               string
	accountID           int64
	serviceID           int64
	planID              int64
	userKey             string
	applicationID       string
	keys                []appKey
	redirectURL         string
	firstTrafficAt      *string
	firstDailyTrafficAt *string
	createdAt           string
	updatedAt           string
}

// appKey is an application key (app_key, or client secret for OIDC).
type appKey struct {
	Value     string `json:"value"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// maxAppKeys is how many keys 3scale lets an application have.
const maxAppKeys = 5

// appEvents are the state events of an application: event -> from -> to. Events that do not
// apply leave the application as it is, as porta's non-raising transitions do.
var appEvents = map[string]map[string]string{
	"accept":  {"pending": "live"},
	"suspend": {"live": "suspended"},
	"resume":  {"suspended": "live"},
}

func (s *Server) applicationRoutes(t routeTable) {
	t.handle("GET /admin/api/applications.json", adminScope, listAllApplications)
	t.handle("GET /admin/api/applications/find.json", adminScope, findApplication)

	const apps = "/admin/api/accounts/{account_id}/applications"
	t.handle("GET "+apps+".json", adminScope, listApplications)
	t.handle("POST "+apps+".json", adminScope, createApplication)
	t.handle("GET "+apps+"/{id}.json", adminScope, showApplication)
	t.handle("PUT "+apps+"/{id}.json", adminScope, updateApplication)
	t.handle("DELETE "+apps+"/{id}.json", adminScope, deleteApplication)
	t.handle("PUT "+apps+"/{id}/change_plan.json", adminScope, changeApplicationPlan)
	for _, ev := range []string{"accept", "suspend", "resume"} {
		t.handle("PUT "+apps+"/{id}/"+ev+".json", adminScope, applicationEvent(ev))
	}
	t.handle("GET "+apps+"/{application_id}/keys.json", adminScope, listKeys)
	t.handle("POST "+apps+"/{application_id}/keys.json", adminScope, createKey)
	t.handle("DELETE "+apps+"/{application_id}/keys/{key}.json", adminScope, deleteKey)
}

// view renders an application as porta's CinstanceRepresenter: the credentials shown depend
// on the product's authentication mode.
func (a *account) appView(base string, app *application) map[string]any {
	v := map[string]any{
		"id": app.id, "state": app.state, "enabled": app.state == "live",
		"created_at": app.createdAt, "updated_at": app.updatedAt,
		"service_id": app.serviceID, "plan_id": app.planID, "account_id": app.accountID,
		"first_traffic_at": app.firstTrafficAt, "first_daily_traffic_at": app.firstDailyTrafficAt,
		"name": app.name, "description": app.description,
	}
	svc := a.services[app.serviceID]
	mode := "1"
	if svc != nil {
		mode = svc.BackendVersion
	}
	switch mode {
	case "1":
		v["user_key"] = app.userKey
		v["provider_verification_key"] = nil
	case "2":
		v["application_id"] = app.applicationID
	case "oidc":
		v["application_id"] = app.applicationID
		v["redirect_url"] = app.redirectURL
		v["client_id"] = app.applicationID
		var secret any
		if len(app.keys) > 0 {
			secret = app.keys[0].Value
		}
		v["client_secret"] = secret
		if svc != nil && svc.proxy != nil {
			v["oidc_configuration"] = svc.proxy.oidc
		}
	}
	acct := base + "/admin/api/accounts/" + itoa(app.accountID)
	self := acct + "/applications/" + itoa(app.id)
	v["links"] = []link{
		{Rel: "self", Href: self},
		{Rel: "service", Href: base + "/admin/api/services/" + itoa(app.serviceID)},
		{Rel: "account", Href: acct},
		{Rel: "plan", Href: base + "/admin/api/services/" + itoa(app.serviceID) + "/application_plans/" + itoa(app.planID)},
		{Rel: "keys", Href: self + "/keys"},
		{Rel: "referrer_filters", Href: self + "/referrer_filters"},
	}
	return v
}

func (q *request) appReply(status int, app *application) reply {
	return reply{status: status, body: wrap("application", q.acct.appView(q.baseURL(), app))}
}

func (q *request) appList(apps []*application) reply {
	views := make([]map[string]any, 0, len(apps))
	for _, app := range apps {
		views = append(views, q.acct.appView(q.baseURL(), app))
	}
	return list(q, "applications", "application", views)
}

func (a *account) appsSorted() []*application { return sortedByID(a.applications) }

func listAllApplications(q *request) reply {
	service, _ := strconv.ParseInt(q.get("service_id"), 10, 64)
	plan, _ := strconv.ParseInt(q.get("plan_id"), 10, 64)
	var out []*application
	for _, app := range q.acct.appsSorted() {
		if (service == 0 || app.serviceID == service) && (plan == 0 || app.planID == plan) {
			out = append(out, app)
		}
	}
	return q.appList(out)
}

// findApplication finds an application by ID, user key or application ID.
func findApplication(q *request) reply {
	id, _ := strconv.ParseInt(q.get("application_id"), 10, 64)
	userKey := q.get("user_key")
	appID := q.get("app_id")
	service, _ := strconv.ParseInt(q.get("service_id"), 10, 64)
	for _, app := range q.acct.appsSorted() {
		if service != 0 && app.serviceID != service {
			continue
		}
		if (id != 0 && app.id == id) || (userKey != "" && app.userKey == userKey) || (appID != "" && app.applicationID == appID) {
			return q.appReply(200, app)
		}
	}
	return notFound()
}

func listApplications(q *request) reply {
	if q.acct.Master {
		return listTenantApplications(q)
	}
	b, ok := q.buyerByPath("account_id")
	if !ok {
		return notFound()
	}
	state := q.get("state")
	var out []*application
	for _, app := range q.acct.appsSorted() {
		if app.accountID == b.ID && (state == "" || app.state == state) {
			out = append(out, app)
		}
	}
	return q.appList(out)
}

// appByPath finds the application named by path parameter param under the account of the path.
func (q *request) appByPath(param string) (*application, bool) {
	b, ok := q.buyerByPath("account_id")
	if !ok {
		return nil, false
	}
	return byIDWhere(q, q.acct.applications, param, func(app *application) bool { return app.accountID == b.ID })
}

func showApplication(q *request) reply {
	app, ok := q.appByPath("id")
	if !ok {
		return notFound()
	}
	return q.appReply(200, app)
}

// createApplication subscribes a developer account to a plan, as porta does: pending when the
// plan requires approval, live otherwise, with generated credentials for the product's
// authentication mode unless the request gives them.
func createApplication(q *request) reply {
	b, ok := q.buyerByPath("account_id")
	if !ok {
		return notFound()
	}
	planID, _ := strconv.ParseInt(q.get("plan_id"), 10, 64)
	plan, ok := q.acct.plans[planID]
	if !ok {
		return notFound()
	}
	svc := q.acct.services[plan.serviceID]
	now := q.st.timestamp()
	app := &application{
		state: "live", accountID: b.ID, serviceID: plan.serviceID, planID: plan.ID,
		createdAt: now, updatedAt: now,
	}
	if plan.ApprovalRequired {
		app.state = "pending"
	}
	setString(q, "name", &app.name)
	setString(q, "description", &app.description)
	setString(q, "redirect_url", &app.redirectURL)
	app.userKey = randomHex(16)
	setString(q, "user_key", &app.userKey)
	app.applicationID = randomHex(4)
	setString(q, "application_id", &app.applicationID)
	for _, k := range q.form["application_key"] {
		app.keys = append(app.keys, appKey{Value: k, CreatedAt: now, UpdatedAt: now})
	}
	if len(app.keys) == 0 && svc != nil && svc.BackendVersion != "1" {
		app.keys = []appKey{{Value: randomHex(16), CreatedAt: now, UpdatedAt: now}}
	}
	if errs := q.acct.validateApp(app); errs != nil {
		return invalid(errs)
	}
	app.id = q.st.id()
	q.acct.applications[app.id] = app
	return q.appReply(201, app)
}

// validateApp applies porta's application validations: a name and a description, credentials
// unique within the product, at most five keys.
func (a *account) validateApp(app *application) fieldErrors {
	var errs fieldErrors
	if app.name == "" {
		errs = errs.add("name", msgBlank)
	}
	if app.description == "" {
		errs = errs.add("description", msgBlank)
	}
	if app.userKey == "" {
		errs = errs.add("user_key", msgBlank)
	}
	for _, o := range a.applications {
		if o.id == app.id || o.serviceID != app.serviceID {
			continue
		}
		if o.userKey == app.userKey {
			errs = errs.add("user_key", msgTaken)
		}
		if o.applicationID == app.applicationID {
			errs = errs.add("application_id", msgTaken)
		}
	}
	if len(app.keys) > maxAppKeys {
		errs = errs.add("base", "Limit reached: an application can have at most 5 keys")
	}
	return errs
}

func updateApplication(q *request) reply {
	app, ok := q.appByPath("id")
	if !ok {
		return notFound()
	}
	next := *app
	setString(q, "name", &next.name)
	setString(q, "description", &next.description)
	setString(q, "redirect_url", &next.redirectURL)
	setString(q, "user_key", &next.userKey)
	if errs := q.acct.validateApp(&next); errs != nil {
		return invalid(errs)
	}
	next.updatedAt = q.st.timestamp()
	*app = next
	return q.appReply(200, app)
}

func deleteApplication(q *request) reply {
	app, ok := q.appByPath("id")
	if !ok {
		return notFound()
	}
	delete(q.acct.applications, app.id)
	return deleted()
}

// changeApplicationPlan moves the application to another plan of the same product and
// answers with the plan, as porta does.
func changeApplicationPlan(q *request) reply {
	app, ok := q.appByPath("id")
	if !ok {
		return notFound()
	}
	planID, _ := strconv.ParseInt(q.get("plan_id"), 10, 64)
	plan, ok := q.acct.plans[planID]
	if !ok || plan.serviceID != app.serviceID {
		return notFound()
	}
	if app.planID != plan.ID {
		app.planID, app.updatedAt = plan.ID, q.st.timestamp()
	}
	return okBody(wrap("application_plan", plan))
}

// applicationEvent serves accept, suspend and resume.
func applicationEvent(ev string) handler {
	return func(q *request) reply {
		app, ok := q.appByPath("id")
		if !ok {
			return notFound()
		}
		if to, ok := appEvents[ev][app.state]; ok {
			app.state, app.updatedAt = to, q.st.timestamp()
		}
		return q.appReply(200, app)
	}
}

func listKeys(q *request) reply {
	app, ok := q.appByPath("application_id")
	if !ok {
		return notFound()
	}
	return list(q, "keys", "key", app.keys)
}

// createKey adds an application key and answers, as porta does, with the application.
func createKey(q *request) reply {
	app, ok := q.appByPath("application_id")
	if !ok {
		return notFound()
	}
	value := q.get("key")
	if value == "" {
		value = randomHex(16)
	}
	for _, k := range app.keys {
		if k.Value == value {
			return invalid(fieldErrors{}.add("value", msgTaken))
		}
	}
	if len(app.keys) >= maxAppKeys {
		return invalid(fieldErrors{}.add("base", "Limit reached: an application can have at most 5 keys"))
	}
	now := q.st.timestamp()
	app.keys = append(app.keys, appKey{Value: value, CreatedAt: now, UpdatedAt: now})
	app.updatedAt = now
	return q.appReply(201, app)
}

func deleteKey(q *request) reply {
	app, ok := q.appByPath("application_id")
	if !ok {
		return notFound()
	}
	value := q.pathValue("key")
	for i, k := range app.keys {
		if k.Value == value {
			app.keys = append(app.keys[:i:i], app.keys[i+1:]...)
			app.updatedAt = q.st.timestamp()
			return deleted()
		}
	}
	return notFound()
}
