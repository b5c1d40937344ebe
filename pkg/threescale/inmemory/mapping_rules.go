package inmemory

import (
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// mappingRule is a mapping rule of a product (porta's ProxyRule owned by its proxy) or of a
// backend.
type mappingRule struct {
	ID          int64   `json:"id"`
	MetricID    int64   `json:"metric_id"`
	Pattern     string  `json:"pattern"`
	HTTPMethod  string  `json:"http_method"`
	Delta       int64   `json:"delta"`
	Position    int64   `json:"position"`
	Last        bool    `json:"last"`
	RedirectURL *string `json:"redirect_url,omitempty"`
	CreatedAt   string  `json:"created_at"`
	UpdatedAt   string  `json:"updated_at"`
	Links       []link  `json:"links"`

	ownerType ownerKind
	ownerID   int64
}

// httpMethods are the methods porta accepts in a mapping rule.
var httpMethods = []string{"GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"}

// mappingPattern is porta's pattern grammar, simplified: an absolute path of unreserved,
// escaped or {variable} characters, optionally ending in $, optionally with a query string.
var mappingPattern = regexp.MustCompile(`^(/(?:[A-Za-z0-9\-._~!*'();:@&=+,]|%[0-9A-Fa-f]{2}|\{[\w]+\})*)+\$?(\?[A-Za-z0-9\-._~!*'();:@&=+,/?#\[\]{}%]*)?$`)

var templateVar = regexp.MustCompile(`\{(\w+)\}`)

func mustRegexp(s string) *regexp.Regexp { return regexp.MustCompile(s) }

func (s *Server) mappingRuleRoutes(t routeTable) {
	svc := mappingRuleHandlers{owner: metricOwner{ownerService, "service_id"}}
	t.handle("GET /admin/api/services/{service_id}/proxy/mapping_rules.json", adminScope, svc.list)
	t.handle("POST /admin/api/services/{service_id}/proxy/mapping_rules.json", adminScope, svc.create)
	t.handle("GET /admin/api/services/{service_id}/proxy/mapping_rules/{id}.json", adminScope, svc.show)
	t.handle("PATCH /admin/api/services/{service_id}/proxy/mapping_rules/{id}.json", adminScope, svc.update)
	// The description documents PATCH; porta's routes take PUT for the same action too.
	t.handle("PUT /admin/api/services/{service_id}/proxy/mapping_rules/{id}.json", adminScope, svc.update)
	t.handle("DELETE /admin/api/services/{service_id}/proxy/mapping_rules/{id}.json", adminScope, svc.delete)

	be := mappingRuleHandlers{owner: metricOwner{ownerBackend, "backend_api_id"}}
	t.handle("GET /admin/api/backend_apis/{backend_api_id}/mapping_rules.json", adminScope, be.list)
	t.handle("POST /admin/api/backend_apis/{backend_api_id}/mapping_rules.json", adminScope, be.create)
	t.handle("GET /admin/api/backend_apis/{backend_api_id}/mapping_rules/{id}.json", adminScope, be.show)
	t.handle("PUT /admin/api/backend_apis/{backend_api_id}/mapping_rules/{id}.json", adminScope, be.update)
	t.handle("DELETE /admin/api/backend_apis/{backend_api_id}/mapping_rules/{id}.json", adminScope, be.delete)
}

// mappingRuleHandlers serve the mapping rules of one kind of owner.
type mappingRuleHandlers struct{ owner metricOwner }

// rulesOf lists an owner's mapping rules by position, the order porta keeps them in.
func (a *account) rulesOf(kind ownerKind, owner int64) []*mappingRule {
	var out []*mappingRule
	for _, r := range a.mappingRules {
		if r.ownerType == kind && r.ownerID == owner {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Position != out[j].Position {
			return out[i].Position < out[j].Position
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// renumber gives an owner's rules the positions 1..n in their current order, with moved (if
// any) placed at position want, as acts_as_list does.
func (a *account) renumber(kind ownerKind, owner int64, moved *mappingRule, want int64) {
	rules := a.rulesOf(kind, owner)
	if moved != nil {
		rules = slices.DeleteFunc(rules, func(r *mappingRule) bool { return r == moved })
		idx := int(want - 1)
		if want <= 0 || idx > len(rules) {
			idx = len(rules)
		}
		rules = slices.Insert(rules, idx, moved)
	}
	for i, r := range rules {
		r.Position = int64(i + 1)
	}
}

func (h mappingRuleHandlers) find(q *request) (*mappingRule, bool) {
	owner, ok := h.owner.exists(q)
	if !ok {
		return nil, false
	}
	return byIDWhere(q, q.acct.mappingRules, "id", func(r *mappingRule) bool {
		return r.ownerType == h.owner.kind && r.ownerID == owner
	})
}

func (h mappingRuleHandlers) list(q *request) reply {
	owner, ok := h.owner.exists(q)
	if !ok {
		return notFound()
	}
	return list(q, "mapping_rules", "mapping_rule", q.acct.rulesOf(h.owner.kind, owner))
}

func (h mappingRuleHandlers) show(q *request) reply {
	r, ok := h.find(q)
	if !ok {
		return notFound()
	}
	return okBody(wrap("mapping_rule", r))
}

func (h mappingRuleHandlers) create(q *request) reply {
	owner, ok := h.owner.exists(q)
	if !ok {
		return notFound()
	}
	now := q.st.timestamp()
	r := &mappingRule{ownerType: h.owner.kind, ownerID: owner, CreatedAt: now, UpdatedAt: now}
	var position int64
	errs := h.apply(q, r, &position)
	if errs != nil {
		return invalid(errs)
	}
	r.ID = q.st.id()
	r.Links = h.links(q, r)
	q.acct.mappingRules[r.ID] = r
	q.acct.renumber(r.ownerType, r.ownerID, r, position)
	return created(wrap("mapping_rule", r))
}

// apply copies the writable parameters onto r, the wanted position into position, and
// validates the result.
func (h mappingRuleHandlers) apply(q *request, r *mappingRule, position *int64) fieldErrors {
	var errs fieldErrors
	setString(q, "http_method", &r.HTTPMethod)
	setString(q, "pattern", &r.Pattern)
	r.Pattern = strings.TrimSpace(r.Pattern)
	deltaBad := false
	if q.has("delta") {
		d, err := strconv.ParseInt(strings.TrimSpace(q.get("delta")), 10, 64)
		if err != nil {
			errs, deltaBad = errs.add("delta", "is not a number"), true
		} else {
			r.Delta = d
		}
	}
	errs = setInt(q, "metric_id", &r.MetricID, errs)
	errs = setInt(q, "position", position, errs)
	setBool(q, "last", &r.Last)
	if q.has("redirect_url") {
		v := q.get("redirect_url")
		r.RedirectURL = &v
	}

	if r.HTTPMethod == "" {
		errs = errs.add("http_method", msgBlank)
	} else {
		errs = errs.inclusion("http_method", r.HTTPMethod, httpMethods)
	}
	switch {
	case r.Pattern == "":
		errs = errs.add("pattern", msgBlank)
	case len(r.Pattern) > 255:
		errs = errs.add("pattern", "is too long (maximum is 255 characters)")
	case !mappingPattern.MatchString(r.Pattern):
		errs = errs.add("pattern", msgInvalid)
	case repeatedVars(r.Pattern):
		errs = errs.add("pattern", "Can't have repeated variable names")
	}
	switch {
	case deltaBad:
	case r.Delta == 0 && !q.has("delta"):
		errs = errs.add("delta", "is not a number") // Rails' numericality of a missing value
	case r.Delta <= 0:
		errs = errs.add("delta", "must be greater than 0")
	}
	if r.MetricID == 0 {
		errs = errs.add("metric_id", msgBlank)
	} else if _, has := errs["metric_id"]; !has && !h.metricUsable(q.acct, r) {
		errs = errs.add("metric_id", msgInvalid)
	}
	return errs
}

// repeatedVars reports a pattern that names a {variable} twice.
func repeatedVars(pattern string) bool {
	seen := map[string]bool{}
	for _, m := range templateVar.FindAllStringSubmatch(pattern, -1) {
		if seen[m[1]] {
			return true
		}
		seen[m[1]] = true
	}
	return false
}

// metricUsable reports whether a rule may count its metric: a backend's rules count the
// backend's metrics; a product's rules count the product's metrics or those of a backend it
// uses.
func (h mappingRuleHandlers) metricUsable(a *account, r *mappingRule) bool {
	m, ok := a.metrics[r.MetricID]
	if !ok {
		return false
	}
	if m.ownerType == r.ownerType && m.ownerID == r.ownerID {
		return true
	}
	if r.ownerType == ownerService && m.ownerType == ownerBackend {
		for _, u := range a.usagesOf(r.ownerID) {
			if u.BackendID == m.ownerID {
				return true
			}
		}
	}
	return false
}

func (h mappingRuleHandlers) links(q *request, r *mappingRule) []link {
	if r.ownerType == ownerBackend {
		base := q.baseURL() + "/admin/api/backend_apis/" + itoa(r.ownerID)
		return []link{{Rel: "self", Href: base + "/mapping_rules/" + itoa(r.ID)}, {Rel: "backend_api", Href: base}}
	}
	base := q.baseURL() + "/admin/api/services/" + itoa(r.ownerID)
	return []link{
		{Rel: "self", Href: base + "/proxy/mapping_rules/" + itoa(r.ID)},
		{Rel: "service", Href: base},
		{Rel: "proxy", Href: base + "/proxy"},
	}
}

func (h mappingRuleHandlers) update(q *request) reply {
	r, ok := h.find(q)
	if !ok {
		return notFound()
	}
	next := *r
	position := r.Position
	if errs := h.apply(q, &next, &position); errs != nil {
		return invalid(errs)
	}
	next.UpdatedAt = q.st.timestamp()
	*r = next
	if q.has("position") {
		q.acct.renumber(r.ownerType, r.ownerID, r, position)
	}
	return okBody(wrap("mapping_rule", r))
}

func (h mappingRuleHandlers) delete(q *request) reply {
	r, ok := h.find(q)
	if !ok {
		return notFound()
	}
	delete(q.acct.mappingRules, r.ID)
	q.acct.renumber(r.ownerType, r.ownerID, nil, 0)
	return deleted()
}

// createDefaultMappingRule gives a new product porta's default rule: GET / counts 1 hit.
func (st *store) createDefaultMappingRule(a *account, svc *service, hits *metric) {
	now := st.timestamp()
	r := &mappingRule{
		ID: st.id(), MetricID: hits.id, Pattern: "/", HTTPMethod: "GET", Delta: 1, Position: 1,
		CreatedAt: now, UpdatedAt: now, ownerType: ownerService, ownerID: svc.ID,
	}
	base := "/admin/api/services/" + itoa(svc.ID)
	r.Links = []link{{Rel: "self", Href: base + "/proxy/mapping_rules/" + itoa(r.ID)}, {Rel: "service", Href: base}, {Rel: "proxy", Href: base + "/proxy"}}
	a.mappingRules[r.ID] = r
}

// onMetricDeleted removes the mapping rules, limits and pricing rules of a deleted metric, as
// porta's dependent destroy does.
func (st *store) onMetricDeleted(a *account, m *metric) {
	for id, r := range a.mappingRules {
		if r.MetricID == m.id {
			delete(a.mappingRules, id)
			a.renumber(r.ownerType, r.ownerID, nil, 0)
		}
	}
	for id, l := range a.limits {
		if l.MetricID == m.id {
			delete(a.limits, id)
		}
	}
	for id, r := range a.pricingRules {
		if r.MetricID == m.id {
			delete(a.pricingRules, id)
		}
	}
}
