package inmemory

import (
	"strings"
)

// ownerKind says whether a metric belongs to a product or to a backend.
type ownerKind string

const (
	ownerService ownerKind = "Service"
	ownerBackend ownerKind = "BackendApi"
)

// metric is a metric or, when parentID is set, a method (a metric under hits).
type metric struct {
	id           int64
	systemName   string // as given, without the ".<backend id>" suffix porta adds to backend metrics
	friendlyName string
	description  string
	unit         string
	parentID     int64
	ownerType    ownerKind
	ownerID      int64
	createdAt    string
	updatedAt    string
}

// isMethod reports whether m is a method.
func (m *metric) isMethod() bool { return m.parentID != 0 }

// renderedSystemName is the system_name 3scale shows: backend metrics carry their backend's ID
// as a suffix ("hits.42"), product metrics do not.
func (m *metric) renderedSystemName() string {
	if m.ownerType == ownerBackend {
		return m.systemName + "." + itoa(m.ownerID)
	}
	return m.systemName
}

// metricView is porta's MetricRepresenter (and MethodRepresenter for methods).
type metricView struct {
	ID           int64  `json:"id"`
	Name         string `json:"name,omitempty"`
	SystemName   string `json:"system_name"`
	FriendlyName string `json:"friendly_name"`
	Description  string `json:"description"`
	Unit         string `json:"unit"`
	ParentID     int64  `json:"parent_id,omitempty"`
	CreatedAt    string `json:"created_at"`
	UpdatedAt    string `json:"updated_at"`
	Links        []link `json:"links"`
}

// view renders m; unit is the parent's for methods.
func (a *account) metricView(base string, m *metric) metricView {
	v := metricView{
		ID:           m.id,
		SystemName:   m.renderedSystemName(),
		FriendlyName: m.friendlyName,
		Description:  m.description,
		Unit:         m.unit,
		ParentID:     m.parentID,
		CreatedAt:    m.createdAt,
		UpdatedAt:    m.updatedAt,
	}
	if m.ownerType == ownerService {
		v.Name = v.SystemName // porta's deprecated alias, absent on backend metrics
	}
	if p, ok := a.metrics[m.parentID]; ok {
		v.Unit = p.unit
	}
	owner := base + "/admin/api/services/" + itoa(m.ownerID)
	ownerRel := "service"
	if m.ownerType == ownerBackend {
		owner = base + "/admin/api/backend_apis/" + itoa(m.ownerID)
		ownerRel = "backend_api"
	}
	self := owner + "/metrics/" + itoa(m.id)
	if m.isMethod() {
		self = owner + "/metrics/" + itoa(m.parentID) + "/methods/" + itoa(m.id)
		v.Links = []link{{Rel: "parent", Href: owner + "/metrics/" + itoa(m.parentID)}, {Rel: "self", Href: self}}
	} else {
		v.Links = []link{{Rel: ownerRel, Href: owner}, {Rel: "self", Href: self}}
	}
	return v
}

// metricsOf lists the metrics and methods of an owner, in ID order; porta's metrics endpoints
// list methods too, since they are metrics of the same owner.
func (a *account) metricsOf(kind ownerKind, owner int64) []*metric {
	var out []*metric
	for _, m := range sortedByID(a.metrics) {
		if m.ownerType == kind && m.ownerID == owner {
			out = append(out, m)
		}
	}
	return out
}

// hitsOf returns the hits metric of an owner.
func (a *account) hitsOf(kind ownerKind, owner int64) *metric {
	for _, m := range a.metrics {
		if m.ownerType == kind && m.ownerID == owner && m.parentID == 0 && m.systemName == "hits" {
			return m
		}
	}
	return nil
}

// createHits gives a new product or backend its hits metric, as porta's Metric.create_default!.
func (st *store) createHits(a *account, kind ownerKind, owner int64) *metric {
	now := st.timestamp()
	m := &metric{
		id: st.id(), systemName: "hits", friendlyName: "Hits", unit: "hit",
		description: "Number of API hits", ownerType: kind, ownerID: owner,
		createdAt: now, updatedAt: now,
	}
	a.metrics[m.id] = m
	return m
}

// metricOwner is how the metric handlers find the owner named in the path.
type metricOwner struct {
	kind  ownerKind
	param string // the path parameter naming the owner
}

func (o metricOwner) exists(q *request) (int64, bool) {
	id, ok := q.id(o.param)
	if !ok {
		return 0, false
	}
	switch o.kind {
	case ownerService:
		_, ok = q.acct.services[id]
	case ownerBackend:
		ok = q.acct.backendExists(id)
	}
	return id, ok
}

func (s *Server) metricRoutes(t routeTable) {
	for _, o := range []struct {
		owner metricOwner
		base  string
	}{
		{metricOwner{ownerService, "service_id"}, "/admin/api/services/{service_id}"},
		{metricOwner{ownerBackend, "backend_api_id"}, "/admin/api/backend_apis/{backend_api_id}"},
	} {
		h := metricHandlers{o.owner}
		t.handle("GET "+o.base+"/metrics.json", adminScope, h.list)
		t.handle("POST "+o.base+"/metrics.json", adminScope, h.create)
		t.handle("GET "+o.base+"/metrics/{id}.json", adminScope, h.show)
		t.handle("PUT "+o.base+"/metrics/{id}.json", adminScope, h.update)
		t.handle("DELETE "+o.base+"/metrics/{id}.json", adminScope, h.delete)
		t.handle("GET "+o.base+"/metrics/{metric_id}/methods.json", adminScope, h.listMethods)
		t.handle("POST "+o.base+"/metrics/{metric_id}/methods.json", adminScope, h.createMethod)
		t.handle("GET "+o.base+"/metrics/{metric_id}/methods/{id}.json", adminScope, h.showMethod)
		t.handle("PUT "+o.base+"/metrics/{metric_id}/methods/{id}.json", adminScope, h.updateMethod)
		t.handle("DELETE "+o.base+"/metrics/{metric_id}/methods/{id}.json", adminScope, h.deleteMethod)
	}
}

// metricHandlers serve the metrics and methods of one kind of owner.
type metricHandlers struct{ owner metricOwner }

// find returns the owner's metric (or method) named by path parameter param.
func (h metricHandlers) find(q *request, param string) (*metric, int64, bool) {
	owner, ok := h.owner.exists(q)
	if !ok {
		return nil, 0, false
	}
	m, ok := byIDWhere(q, q.acct.metrics, param, func(m *metric) bool {
		return m.ownerType == h.owner.kind && m.ownerID == owner
	})
	if !ok {
		return nil, 0, false
	}
	return m, owner, true
}

func (h metricHandlers) render(q *request, name string, m *metric) map[string]any {
	return wrap(name, q.acct.metricView(q.baseURL(), m))
}

func (h metricHandlers) list(q *request) reply {
	owner, ok := h.owner.exists(q)
	if !ok {
		return notFound()
	}
	return h.listViews(q, "metrics", "metric", q.acct.metricsOf(h.owner.kind, owner))
}

func (h metricHandlers) listViews(q *request, plural, singular string, ms []*metric) reply {
	views := make([]metricView, 0, len(ms))
	for _, m := range ms {
		views = append(views, q.acct.metricView(q.baseURL(), m))
	}
	return list(q, plural, singular, views)
}

func (h metricHandlers) show(q *request) reply {
	m, _, ok := h.find(q, "id")
	if !ok {
		return notFound()
	}
	return okBody(h.render(q, "metric", m))
}

func (h metricHandlers) create(q *request) reply {
	owner, ok := h.owner.exists(q)
	if !ok {
		return notFound()
	}
	return h.createUnder(q, owner, nil, "metric")
}

// createUnder creates a metric, or a method of parent when parent is set.
func (h metricHandlers) createUnder(q *request, owner int64, parent *metric, name string) reply {
	now := q.st.timestamp()
	m := &metric{ownerType: h.owner.kind, ownerID: owner, createdAt: now, updatedAt: now}
	setString(q, "friendly_name", &m.friendlyName)
	setString(q, "unit", &m.unit)
	setString(q, "description", &m.description)
	// "name" is porta's deprecated alias of system_name.
	setString(q, "name", &m.systemName)
	setString(q, "system_name", &m.systemName)
	if m.systemName == "" {
		m.systemName = systemNameFrom(m.friendlyName)
	}
	if h.owner.kind == ownerBackend {
		// porta strips a suffix the client may have copied from a rendered name.
		m.systemName = strings.TrimSuffix(m.systemName, "."+itoa(owner))
	}
	var errs fieldErrors
	if parent != nil {
		m.parentID = parent.id
		if parent.systemName != "hits" {
			errs = errs.add("parent_id", "You can only create methods under 'hits'")
		}
		m.unit = ""
	}
	errs = h.validate(q, m, errs)
	if errs != nil {
		return invalid(errs)
	}
	m.id = q.st.id()
	q.acct.metrics[m.id] = m
	return created(h.render(q, name, m))
}

// validate applies porta's metric validations to m, a new or changed metric.
func (h metricHandlers) validate(q *request, m *metric, errs fieldErrors) fieldErrors {
	siblings := q.acct.metricsOf(m.ownerType, m.ownerID)
	if m.friendlyName == "" {
		errs = errs.add("friendly_name", msgBlank)
	} else {
		for _, o := range siblings {
			if o.id != m.id && o.friendlyName == m.friendlyName {
				errs = errs.add("friendly_name", msgTaken)
				break
			}
		}
	}
	if !m.isMethod() && m.unit == "" {
		errs = errs.add("unit", msgBlank)
	}
	return validateSystemName(errs, m.systemName, func(name string) bool {
		for _, o := range siblings {
			if o.id != m.id && o.systemName == name {
				return true
			}
		}
		return false
	})
}

func (h metricHandlers) update(q *request) reply {
	m, _, ok := h.find(q, "id")
	if !ok {
		return notFound()
	}
	return h.updateMetric(q, m, "metric")
}

// updateMetric changes the writable fields of m; system_name is read-only after creation.
func (h metricHandlers) updateMetric(q *request, m *metric, name string) reply {
	next := *m
	setString(q, "friendly_name", &next.friendlyName)
	setString(q, "description", &next.description)
	if !next.isMethod() {
		setString(q, "unit", &next.unit)
	}
	if errs := h.validate(q, &next, nil); errs != nil {
		return invalid(errs)
	}
	next.updatedAt = q.st.timestamp()
	*m = next
	return okBody(h.render(q, name, m))
}

func (h metricHandlers) delete(q *request) reply {
	m, _, ok := h.find(q, "id")
	if !ok {
		return notFound()
	}
	return h.deleteMetric(q, m)
}

// deleteMetric removes m the way porta's Metric#destroy does: hits cannot go, nor a metric the
// latest proxy configuration uses; its methods, limits, pricing rules and mapping rules go with
// it.
func (h metricHandlers) deleteMetric(q *request, m *metric) reply {
	var errs fieldErrors
	if !m.isMethod() && m.systemName == "hits" {
		errs = errs.add("base", "The Hits metric cannot be deleted")
	}
	if q.st.metricInLatestConfigs(q.acct, m) {
		kind := "Metric"
		if m.isMethod() {
			kind = "Method"
		}
		errs = errs.add("base", kind+" is used by the latest gateway configuration and cannot be deleted")
	}
	if errs != nil {
		return deleteRefused(errs)
	}
	q.st.deleteMetric(q.acct, m)
	return deleted()
}

// deleteMetric removes a metric and what depends on it.
func (st *store) deleteMetric(a *account, m *metric) {
	for _, child := range a.metrics {
		if child.parentID == m.id {
			st.deleteMetric(a, child)
		}
	}
	delete(a.metrics, m.id)
	st.onMetricDeleted(a, m)
}

func (h metricHandlers) parent(q *request) (*metric, int64, bool) {
	p, owner, ok := h.find(q, "metric_id")
	if !ok || p.isMethod() {
		return nil, 0, false
	}
	return p, owner, true
}

// findMethod returns the method named by the path under the metric named by the path.
func (h metricHandlers) findMethod(q *request) (*metric, bool) {
	p, _, ok := h.parent(q)
	if !ok {
		return nil, false
	}
	m, _, ok := h.find(q, "id")
	if !ok || m.parentID != p.id {
		return nil, false
	}
	return m, true
}

func (h metricHandlers) listMethods(q *request) reply {
	p, owner, ok := h.parent(q)
	if !ok {
		return notFound()
	}
	var methods []*metric
	for _, m := range q.acct.metricsOf(h.owner.kind, owner) {
		if m.parentID == p.id {
			methods = append(methods, m)
		}
	}
	return h.listViews(q, "methods", "method", methods)
}

func (h metricHandlers) createMethod(q *request) reply {
	p, owner, ok := h.parent(q)
	if !ok {
		return notFound()
	}
	return h.createUnder(q, owner, p, "method")
}

func (h metricHandlers) showMethod(q *request) reply {
	m, ok := h.findMethod(q)
	if !ok {
		return notFound()
	}
	return okBody(h.render(q, "method", m))
}

func (h metricHandlers) updateMethod(q *request) reply {
	m, ok := h.findMethod(q)
	if !ok {
		return notFound()
	}
	return h.updateMetric(q, m, "method")
}

func (h metricHandlers) deleteMethod(q *request) reply {
	m, ok := h.findMethod(q)
	if !ok {
		return notFound()
	}
	return h.deleteMetric(q, m)
}
