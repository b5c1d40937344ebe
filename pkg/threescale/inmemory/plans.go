package inmemory

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// appPlan is an application plan of a product, rendered as porta's ApplicationPlanRepresenter.
type appPlan struct {
	ID                 int64   `json:"id"`
	Name               string  `json:"name"`
	Description        string  `json:"description"`
	State              string  `json:"state"`
	SetupFee           float64 `json:"setup_fee"`
	CostPerMonth       float64 `json:"cost_per_month"`
	TrialPeriodDays    int64   `json:"trial_period_days"`
	CancellationPeriod int64   `json:"cancellation_period"`
	ApprovalRequired   bool    `json:"approval_required"`
	Default            bool    `json:"default"`
	Custom             bool    `json:"custom"`
	SystemName         string  `json:"system_name"`
	CreatedAt          string  `json:"created_at"`
	UpdatedAt          string  `json:"updated_at"`
	Links              []link  `json:"links"`

	serviceID int64
}

// limit is a usage limit of a plan on a metric.
type limit struct {
	ID        int64  `json:"id"`
	Period    string `json:"period"`
	Value     int64  `json:"value"`
	MetricID  int64  `json:"metric_id"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
	Links     []link `json:"links"`

	planID int64
}

// pricingRule prices the usage of a metric between min and max (nil: no upper bound).
type pricingRule struct {
	ID       int64 `json:"id"`
	MetricID int64 `json:"metric_id"`
	// CostPerUnit is a decimal, which Rails renders as a string.
	CostPerUnit string `json:"cost_per_unit"`
	Min         int64  `json:"min"`
	Max         *int64 `json:"max"`
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`
	Links       []link `json:"links"`

	planID int64
}

// limitPeriods are the periods porta accepts.
var limitPeriods = []string{"eternity", "year", "month", "week", "day", "hour", "minute"}

// planEvents are the state events of a plan: event -> to.
var planEvents = map[string]string{"publish": "published", "hide": "hidden"}

func (s *Server) planRoutes(t routeTable) {
	t.handle("GET /admin/api/application_plans.json", adminScope, listAllPlans)
	t.handle("GET /admin/api/services/{service_id}/application_plans.json", adminScope, listPlans)
	t.handle("POST /admin/api/services/{service_id}/application_plans.json", adminScope, createPlan)
	t.handle("GET /admin/api/services/{service_id}/application_plans/{id}.json", adminScope, showPlan)
	t.handle("PUT /admin/api/services/{service_id}/application_plans/{id}.json", adminScope, updatePlan)
	t.handle("DELETE /admin/api/services/{service_id}/application_plans/{id}.json", adminScope, deletePlan)
	t.handle("PUT /admin/api/services/{service_id}/application_plans/{id}/default.json", adminScope, defaultPlan)

	const plan = "/admin/api/application_plans/{application_plan_id}"
	t.handle("GET "+plan+"/limits.json", adminScope, listPlanLimits)
	t.handle("GET "+plan+"/metrics/{metric_id}/limits.json", adminScope, listMetricLimits)
	t.handle("POST "+plan+"/metrics/{metric_id}/limits.json", adminScope, createLimit)
	t.handle("GET "+plan+"/metrics/{metric_id}/limits/{id}.json", adminScope, showLimit)
	t.handle("PUT "+plan+"/metrics/{metric_id}/limits/{id}.json", adminScope, updateLimit)
	t.handle("DELETE "+plan+"/metrics/{metric_id}/limits/{id}.json", adminScope, deleteLimit)

	t.handle("GET "+plan+"/pricing_rules.json", adminScope, listPlanPricingRules)
	t.handle("GET "+plan+"/metrics/{metric_id}/pricing_rules.json", adminScope, listMetricPricingRules)
	t.handle("POST "+plan+"/metrics/{metric_id}/pricing_rules.json", adminScope, createPricingRule)
	t.handle("DELETE "+plan+"/metrics/{metric_id}/pricing_rules/{id}.json", adminScope, deletePricingRule)
}

// plansOf lists a product's plans in ID order; service 0 lists every product's.
func (a *account) plansOf(service int64) []*appPlan {
	var out []*appPlan
	for _, p := range sortedByID(a.plans) {
		if service == 0 || p.serviceID == service {
			out = append(out, p)
		}
	}
	return out
}

func listAllPlans(q *request) reply {
	return list(q, "plans", "application_plan", q.acct.plansOf(0))
}

func listPlans(q *request) reply {
	svc, ok := q.serviceByPath("service_id")
	if !ok {
		return notFound()
	}
	return list(q, "plans", "application_plan", q.acct.plansOf(svc.ID))
}

// planByPath finds the plan of the path under the product of the path.
func (q *request) planByPath() (*appPlan, bool) {
	svc, ok := q.serviceByPath("service_id")
	if !ok {
		return nil, false
	}
	return byIDWhere(q, q.acct.plans, "id", func(p *appPlan) bool { return p.serviceID == svc.ID })
}

func showPlan(q *request) reply {
	p, ok := q.planByPath()
	if !ok {
		return notFound()
	}
	return okBody(wrap("application_plan", p))
}

func createPlan(q *request) reply {
	svc, ok := q.serviceByPath("service_id")
	if !ok {
		return notFound()
	}
	now := q.st.timestamp()
	p := &appPlan{State: "hidden", serviceID: svc.ID, CreatedAt: now, UpdatedAt: now}
	setString(q, "system_name", &p.SystemName)
	errs := applyPlanParams(q, p)
	if p.SystemName == "" {
		p.SystemName = systemNameFrom(p.Name)
	}
	errs = validateSystemName(errs, p.SystemName, func(name string) bool {
		for _, o := range q.acct.plansOf(svc.ID) {
			if o.SystemName == name {
				return true
			}
		}
		return false
	})
	if errs != nil {
		return invalid(errs)
	}
	p.ID = q.st.id()
	base := q.baseURL() + "/admin/api/services/" + itoa(svc.ID)
	p.Links = []link{{Rel: "service", Href: base}, {Rel: "self", Href: base + "/application_plans/" + itoa(p.ID)}}
	q.acct.plans[p.ID] = p
	return created(wrap("application_plan", p))
}

// applyPlanParams copies the writable parameters onto p, applies a state event, and
// validates the result.
func applyPlanParams(q *request, p *appPlan) fieldErrors {
	var errs fieldErrors
	setString(q, "name", &p.Name)
	setString(q, "description", &p.Description)
	setBool(q, "approval_required", &p.ApprovalRequired)
	errs = setDecimal(q, "setup_fee", &p.SetupFee, errs)
	errs = setDecimal(q, "cost_per_month", &p.CostPerMonth, errs)
	errs = setInt(q, "trial_period_days", &p.TrialPeriodDays, errs)
	if p.Name == "" {
		errs = errs.add("name", msgBlank)
	}
	if p.TrialPeriodDays < 0 {
		errs = errs.add("trial_period_days", "must be greater than or equal to 0")
	}
	if ev := q.get("state_event"); ev != "" {
		to, ok := planEvents[ev]
		if !ok {
			errs = errs.add("state_event", msgInvalid)
		} else {
			p.State = to
		}
	}
	return errs
}

// setDecimal sets *dst to parameter name when sent; it must be a non-negative number.
func setDecimal(q *request, name string, dst *float64, errs fieldErrors) fieldErrors {
	if !q.has(name) {
		return errs
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(q.get(name)), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return errs.add(name, "is not a number")
	}
	if v < 0 {
		return errs.add(name, "must be greater than or equal to 0")
	}
	*dst = v
	return errs
}

func updatePlan(q *request) reply {
	p, ok := q.planByPath()
	if !ok {
		return notFound()
	}
	next := *p
	if errs := applyPlanParams(q, &next); errs != nil {
		return invalid(errs)
	}
	next.UpdatedAt = q.st.timestamp()
	*p = next
	return okBody(wrap("application_plan", p))
}

// deletePlan refuses, like porta, to delete a plan that applications are subscribed to.
func deletePlan(q *request) reply {
	p, ok := q.planByPath()
	if !ok {
		return notFound()
	}
	for _, app := range q.acct.applications {
		if app.planID == p.ID {
			return deleteRefused(fieldErrors{}.add("base", "This application plan has applications and cannot be deleted"))
		}
	}
	q.st.deletePlan(q.acct, p)
	return deleted()
}

func (st *store) deletePlan(a *account, p *appPlan) {
	delete(a.plans, p.ID)
	for id, l := range a.limits {
		if l.planID == p.ID {
			delete(a.limits, id)
		}
	}
	for id, r := range a.pricingRules {
		if r.planID == p.ID {
			delete(a.pricingRules, id)
		}
	}
}

// defaultPlan makes the plan the product's default, the one new applications get.
func defaultPlan(q *request) reply {
	p, ok := q.planByPath()
	if !ok {
		return notFound()
	}
	for _, o := range q.acct.plansOf(p.serviceID) {
		o.Default = o.ID == p.ID
	}
	return okBody(wrap("application_plan", p))
}

// planAndMetric finds the plan and the metric of the path; the metric must be one the plan's
// product can count: its own or one of a backend it uses.
func (q *request) planAndMetric() (*appPlan, *metric, bool) {
	p, ok := q.planByID()
	if !ok {
		return nil, nil, false
	}
	m, ok := byIDWhere(q, q.acct.metrics, "metric_id", func(m *metric) bool { return q.acct.productCanCount(p.serviceID, m) })
	if !ok {
		return nil, nil, false
	}
	return p, m, true
}

// productCanCount reports whether m is a metric of the product or of a backend it uses.
func (a *account) productCanCount(service int64, m *metric) bool {
	if m.ownerType == ownerService {
		return m.ownerID == service
	}
	for _, u := range a.usagesOf(service) {
		if u.BackendID == m.ownerID {
			return true
		}
	}
	return false
}

func (q *request) planByID() (*appPlan, bool) {
	return byID(q, q.acct.plans, "application_plan_id")
}

func (a *account) limitsOf(plan, metric int64) []*limit {
	var out []*limit
	for _, l := range sortedByID(a.limits) {
		if l.planID == plan && (metric == 0 || l.MetricID == metric) {
			out = append(out, l)
		}
	}
	return out
}

func listPlanLimits(q *request) reply {
	p, ok := q.planByID()
	if !ok {
		return notFound()
	}
	return list(q, "limits", "limit", q.acct.limitsOf(p.ID, 0))
}

func listMetricLimits(q *request) reply {
	p, m, ok := q.planAndMetric()
	if !ok {
		return notFound()
	}
	return list(q, "limits", "limit", q.acct.limitsOf(p.ID, m.id))
}

func (q *request) limitByPath() (*limit, bool) {
	p, m, ok := q.planAndMetric()
	if !ok {
		return nil, false
	}
	return byIDWhere(q, q.acct.limits, "id", func(l *limit) bool { return l.planID == p.ID && l.MetricID == m.id })
}

func showLimit(q *request) reply {
	l, ok := q.limitByPath()
	if !ok {
		return notFound()
	}
	return okBody(wrap("limit", l))
}

func createLimit(q *request) reply {
	p, m, ok := q.planAndMetric()
	if !ok {
		return notFound()
	}
	now := q.st.timestamp()
	l := &limit{MetricID: m.id, planID: p.ID, CreatedAt: now, UpdatedAt: now}
	if errs := applyLimitParams(q, l); errs != nil {
		return invalid(errs)
	}
	l.ID = q.st.id()
	base := q.baseURL() + "/admin/api/application_plans/" + itoa(p.ID)
	l.Links = []link{
		{Rel: "metric", Href: q.baseURL() + "/admin/api/services/" + itoa(p.serviceID) + "/metrics/" + itoa(m.id)},
		{Rel: "self", Href: base + "/metrics/" + itoa(m.id) + "/limits/" + itoa(l.ID)},
		{Rel: "plan", Href: q.baseURL() + "/admin/api/services/" + itoa(p.serviceID) + "/application_plans/" + itoa(p.ID)},
	}
	q.acct.limits[l.ID] = l
	return created(wrap("limit", l))
}

// applyLimitParams copies period and value onto l and validates them as porta does: a known
// period, one limit per period and metric in a plan, a negative or missing value saved as 0.
func applyLimitParams(q *request, l *limit) fieldErrors {
	var errs fieldErrors
	setString(q, "period", &l.Period)
	errs = setInt(q, "value", &l.Value, errs)
	if l.Value < 0 {
		l.Value = 0
	}
	if !slices.Contains(limitPeriods, l.Period) {
		errs = errs.add("period", msgInvalid)
	}
	for _, o := range q.acct.limitsOf(l.planID, l.MetricID) {
		if o.ID != l.ID && o.Period == l.Period {
			errs = errs.add("period", msgTaken)
		}
	}
	return errs
}

func updateLimit(q *request) reply {
	l, ok := q.limitByPath()
	if !ok {
		return notFound()
	}
	next := *l
	if errs := applyLimitParams(q, &next); errs != nil {
		return invalid(errs)
	}
	next.UpdatedAt = q.st.timestamp()
	*l = next
	return okBody(wrap("limit", l))
}

func deleteLimit(q *request) reply {
	l, ok := q.limitByPath()
	if !ok {
		return notFound()
	}
	delete(q.acct.limits, l.ID)
	return deleted()
}

func (a *account) pricingRulesOf(plan, metric int64) []*pricingRule {
	var out []*pricingRule
	for _, r := range sortedByID(a.pricingRules) {
		if r.planID == plan && (metric == 0 || r.MetricID == metric) {
			out = append(out, r)
		}
	}
	return out
}

func listPlanPricingRules(q *request) reply {
	p, ok := q.planByID()
	if !ok {
		return notFound()
	}
	return list(q, "pricing_rules", "pricing_rule", q.acct.pricingRulesOf(p.ID, 0))
}

func listMetricPricingRules(q *request) reply {
	p, m, ok := q.planAndMetric()
	if !ok {
		return notFound()
	}
	return list(q, "pricing_rules", "pricing_rule", q.acct.pricingRulesOf(p.ID, m.id))
}

var decimalRex = regexp.MustCompile(`^\d+\.?\d{0,4}$`)

// createPricingRule validates as porta does: min an integer of at least 1 (default 1), max
// not below min, ranges of a metric not overlapping, cost a number with at most 4 decimals.
func createPricingRule(q *request) reply {
	p, m, ok := q.planAndMetric()
	if !ok {
		return notFound()
	}
	now := q.st.timestamp()
	r := &pricingRule{MetricID: m.id, planID: p.ID, Min: 1, CostPerUnit: "0.0", CreatedAt: now, UpdatedAt: now}
	var errs fieldErrors
	errs = setInt(q, "min", &r.Min, errs)
	if q.has("max") && strings.TrimSpace(q.get("max")) != "" {
		var max int64
		errs = setInt(q, "max", &max, errs)
		r.Max = &max
	}
	if q.has("cost_per_unit") {
		c := strings.TrimSpace(q.get("cost_per_unit"))
		if _, err := strconv.ParseFloat(c, 64); err != nil {
			errs = errs.add("cost_per_unit", "is not a number")
		} else if !decimalRex.MatchString(c) {
			errs = errs.add("cost_per_unit", "maximum decimals is 4.")
		} else {
			r.CostPerUnit = railsDecimal(c)
		}
	}
	if r.Min < 1 {
		errs = errs.add("min", "must be greater than or equal to 1")
	}
	if r.Max != nil && *r.Max < r.Min {
		errs = errs.add("max", "must be greater than min")
	}
	for _, o := range q.acct.pricingRulesOf(p.ID, m.id) {
		if overlaps(o.Min, o.Max, r.Min, r.Max) {
			errs = errs.add("min", "overlaps with another pricing rule")
			break
		}
	}
	if errs != nil {
		return invalid(errs)
	}
	r.ID = q.st.id()
	r.Links = []link{
		{Rel: "metric", Href: q.baseURL() + "/admin/api/services/" + itoa(p.serviceID) + "/metrics/" + itoa(m.id)},
		{Rel: "plan", Href: q.baseURL() + "/admin/api/services/" + itoa(p.serviceID) + "/application_plans/" + itoa(p.ID)},
	}
	q.acct.pricingRules[r.ID] = r
	return created(wrap("pricing_rule", r))
}

// overlaps reports whether [aMin, aMax] and [bMin, bMax] share a value; nil is unbounded.
func overlaps(aMin int64, aMax *int64, bMin int64, bMax *int64) bool {
	top := func(m *int64) int64 {
		if m == nil {
			return math.MaxInt64
		}
		return *m
	}
	return aMin <= top(bMax) && bMin <= top(aMax)
}

// railsDecimal renders a decimal the way Rails renders a BigDecimal: at least one digit after
// the point, no trailing zeros beyond it.
func railsDecimal(s string) string {
	v, _ := strconv.ParseFloat(s, 64)
	out := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.Contains(out, ".") {
		out += ".0"
	}
	return out
}

func deletePricingRule(q *request) reply {
	p, m, ok := q.planAndMetric()
	if !ok {
		return notFound()
	}
	r, ok := byIDWhere(q, q.acct.pricingRules, "id", func(r *pricingRule) bool { return r.planID == p.ID && r.MetricID == m.id })
	if !ok {
		return notFound()
	}
	delete(q.acct.pricingRules, r.ID)
	return deleted()
}
