package inmemory

// service is a product (3scale calls it a service), rendered as porta's ServiceRepresenter.
type service struct {
	ID                          int64             `json:"id"`
	Name                        string            `json:"name"`
	State                       string            `json:"state"`
	SystemName                  string            `json:"system_name"`
	EndUserRegistrationRequired bool              `json:"end_user_registration_required"`
	BackendVersion              string            `json:"backend_version"`
	DeploymentOption            string            `json:"deployment_option"`
	SupportEmail                string            `json:"support_email"`
	Description                 string            `json:"description"`
	IntentionsRequired          bool              `json:"intentions_required"`
	BuyersManageApps            bool              `json:"buyers_manage_apps"`
	BuyersManageKeys            bool              `json:"buyers_manage_keys"`
	ReferrerFiltersRequired     bool              `json:"referrer_filters_required"`
	CustomKeysEnabled           bool              `json:"custom_keys_enabled"`
	BuyerKeyRegenerateEnabled   bool              `json:"buyer_key_regenerate_enabled"`
	MandatoryAppKey             bool              `json:"mandatory_app_key"`
	BuyerCanSelectPlan          bool              `json:"buyer_can_select_plan"`
	BuyerPlanChangePermission   string            `json:"buyer_plan_change_permission"`
	NotificationSettings        map[string]any    `json:"notification_settings"`
	Annotations                 map[string]string `json:"annotations,omitempty"`
	CreatedAt                   string            `json:"created_at"`
	UpdatedAt                   string            `json:"updated_at"`
	Links                       []link            `json:"links"`

	proxy *proxy
}

// link is one of porta's hypermedia links.
type link struct {
	Rel  string `json:"rel"`
	Href string `json:"href"`
}

// Values porta accepts.
var (
	deploymentOptions = []string{"hosted", "self_managed", "service_mesh_istio"}
	backendVersions   = []string{"1", "2", "oidc"}
	planChangeOptions = []string{"direct", "request", "none", "credit_card", "request_credit_card"}
)

func (s *Server) serviceRoutes(t routeTable) {
	t.handle("GET /admin/api/services.json", adminScope, listServices)
	t.handle("POST /admin/api/services.json", adminScope, createService)
	t.handle("GET /admin/api/services/{id}.json", adminScope, showService)
	t.handle("PUT /admin/api/services/{id}.json", adminScope, updateService)
	t.handle("DELETE /admin/api/services/{id}.json", adminScope, deleteService)
}

// serviceByPath finds the product named by path parameter name among the account's products.
func (q *request) serviceByPath(name string) (*service, bool) {
	return byID(q, q.acct.services, name)
}

func listServices(q *request) reply {
	return list(q, "services", "service", sortedByID(q.acct.services))
}

func showService(q *request) reply {
	svc, ok := q.serviceByPath("id")
	if !ok {
		return notFound()
	}
	return ok200Service(svc)
}

func ok200Service(svc *service) reply { return okBody(wrap("service", svc)) }

func createService(q *request) reply {
	now := q.st.timestamp()
	svc := &service{
		State:                       "incomplete",
		EndUserRegistrationRequired: true,
		BackendVersion:              "1",
		DeploymentOption:            "hosted",
		BuyersManageApps:            true,
		BuyersManageKeys:            true,
		CustomKeysEnabled:           true,
		BuyerKeyRegenerateEnabled:   true,
		MandatoryAppKey:             true,
		BuyerPlanChangePermission:   "request",
		CreatedAt:                   now,
		UpdatedAt:                   now,
	}
	svc.SystemName = q.get("system_name")
	errs := applyServiceParams(q, svc)
	if svc.SystemName == "" {
		svc.SystemName = systemNameFrom(svc.Name)
	}
	errs = validateSystemName(errs, svc.SystemName, func(name string) bool {
		for _, o := range q.acct.services {
			if o.SystemName == name {
				return true
			}
		}
		return false
	})
	if errs != nil {
		return invalid(errs)
	}
	svc.ID = q.st.id()
	svc.Links = serviceLinks(q, svc.ID)
	q.acct.services[svc.ID] = svc
	// Like porta's ServiceCreator: a hits metric, a default mapping rule and a proxy.
	hits := q.st.createHits(q.acct, ownerService, svc.ID)
	q.st.onServiceCreated(q.acct, svc, hits)
	return created(wrap("service", svc))
}

// applyServiceParams copies the writable parameters the request sent onto svc and validates
// the result.
func applyServiceParams(q *request, svc *service) fieldErrors {
	var errs fieldErrors
	setString(q, "name", &svc.Name)
	setString(q, "description", &svc.Description)
	setString(q, "support_email", &svc.SupportEmail)
	setString(q, "deployment_option", &svc.DeploymentOption)
	setString(q, "backend_version", &svc.BackendVersion)
	setString(q, "buyer_plan_change_permission", &svc.BuyerPlanChangePermission)
	for name, field := range map[string]*bool{
		"intentions_required":          &svc.IntentionsRequired,
		"buyers_manage_apps":           &svc.BuyersManageApps,
		"buyers_manage_keys":           &svc.BuyersManageKeys,
		"referrer_filters_required":    &svc.ReferrerFiltersRequired,
		"custom_keys_enabled":          &svc.CustomKeysEnabled,
		"buyer_key_regenerate_enabled": &svc.BuyerKeyRegenerateEnabled,
		"mandatory_app_key":            &svc.MandatoryAppKey,
		"buyer_can_select_plan":        &svc.BuyerCanSelectPlan,
	} {
		setBool(q, name, field)
	}
	svc.Annotations = applyAnnotations(q, svc.Annotations)
	if svc.Name == "" {
		errs = errs.add("name", msgBlank)
	}
	errs = errs.inclusion("deployment_option", svc.DeploymentOption, deploymentOptions)
	errs = errs.inclusion("backend_version", svc.BackendVersion, backendVersions)
	errs = errs.inclusion("buyer_plan_change_permission", svc.BuyerPlanChangePermission, planChangeOptions)
	return errs
}

func updateService(q *request) reply {
	svc, ok := q.serviceByPath("id")
	if !ok {
		return notFound()
	}
	// Validate a copy so that a failed update changes nothing. system_name is read-only
	// after creation, as in porta, so it is not read here.
	next := *svc
	next.Annotations = cloneMap(svc.Annotations)
	if errs := applyServiceParams(q, &next); errs != nil {
		return invalid(errs)
	}
	next.UpdatedAt = q.st.timestamp()
	*svc = next
	q.st.onServiceUpdated(q.acct, svc)
	return ok200Service(svc)
}

func deleteService(q *request) reply {
	svc, ok := q.serviceByPath("id")
	if !ok {
		return notFound()
	}
	q.st.deleteService(q.acct, svc)
	return deleted()
}

// deleteService removes a product and everything that belongs to it. porta marks the service
// deleted and removes it in the background; to API clients it is gone at once.
func (st *store) deleteService(a *account, svc *service) {
	delete(a.services, svc.ID)
	for id, m := range a.metrics {
		if m.ownerType == ownerService && m.ownerID == svc.ID {
			delete(a.metrics, id)
		}
	}
	st.onServiceDeleted(a, svc)
}

func serviceLinks(q *request, id int64) []link {
	base := q.baseURL() + "/admin/api/services/" + itoa(id)
	return []link{
		{Rel: "metrics", Href: base + "/metrics"},
		{Rel: "self", Href: base},
		{Rel: "service_plans", Href: base + "/service_plans"},
		{Rel: "application_plans", Href: base + "/application_plans"},
		{Rel: "features", Href: base + "/features"},
	}
}

// baseURL is the scheme and host the request came to, for links.
func (q *request) baseURL() string {
	scheme := "http"
	if q.r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + q.r.Host
}

// onServiceCreated gives a new product what porta's ServiceCreator gives it besides its hits
// metric.
func (st *store) onServiceCreated(a *account, svc *service, hits *metric) {
	svc.proxy = st.newProxy(a, svc)
	st.createDefaultMappingRule(a, svc, hits)
}

// onServiceUpdated keeps what depends on a product's settings in step with them.
func (st *store) onServiceUpdated(a *account, svc *service) {}

// onServiceDeleted removes what belongs to a deleted product besides its metrics.
func (st *store) onServiceDeleted(a *account, svc *service) {
	for id, r := range a.mappingRules {
		if r.ownerType == ownerService && r.ownerID == svc.ID {
			delete(a.mappingRules, id)
		}
	}
	for id, u := range a.usages {
		if u.ServiceID == svc.ID {
			delete(a.usages, id)
		}
	}
	// porta: "Deleting a service removes all applications and service subscriptions."
	for id, app := range a.applications {
		if app.serviceID == svc.ID {
			delete(a.applications, id)
		}
	}
	for _, p := range a.plansOf(svc.ID) {
		st.deletePlan(a, p)
	}
	for _, d := range a.activeDocs {
		if d.ServiceID != nil && *d.ServiceID == svc.ID {
			d.ServiceID = nil
		}
	}
}
