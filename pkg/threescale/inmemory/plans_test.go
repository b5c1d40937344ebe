package inmemory

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// newPlan creates an application plan of the product at base and returns its ID.
func newPlan(t *testing.T, c api, base, name string, extra ...string) int64 {
	t.Helper()
	return id(t, c.do(http.MethodPost, base+"/application_plans.json", p(append([]string{"name", name}, extra...)...)).
		must(t, http.StatusCreated).obj(t, "application_plan"))
}

func TestApplicationPlanCRUD(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	base, _ := newProduct(t, c, "Pets")
	plan := c.do(http.MethodPost, base+"/application_plans.json", p(
		"name", "Basic Plan", "approval_required", "true", "trial_period_days", "7", "setup_fee", "1.5", "cost_per_month", "10",
	)).must(t, http.StatusCreated).obj(t, "application_plan")
	got := map[string]any{}
	for _, k := range []string{"system_name", "state", "approval_required", "trial_period_days", "setup_fee", "cost_per_month", "default", "custom"} {
		got[k] = plan[k]
	}
	want := map[string]any{
		"system_name": "basic_plan", "state": "hidden", "approval_required": true, "trial_period_days": 7.0,
		"setup_fee": 1.5, "cost_per_month": 10.0, "default": false, "custom": false,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("created plan (-want +got):\n%s", diff)
	}
	pp := base + "/application_plans/" + idPath(id(t, plan))

	pub := c.do(http.MethodPut, pp+".json", p("state_event", "publish", "name", "Basic")).must(t, http.StatusOK).obj(t, "application_plan")
	if pub["state"] != "published" || pub["name"] != "Basic" || pub["system_name"] != "basic_plan" {
		t.Errorf("published plan: %v", pub)
	}
	if got := c.do(http.MethodPut, pp+".json", p("state_event", "hide")).must(t, http.StatusOK).obj(t, "application_plan"); got["state"] != "hidden" {
		t.Errorf("hidden plan: %v", got)
	}
	r := c.do(http.MethodPut, pp+".json", p("state_event", "explode", "cost_per_month", "-1")).must(t, http.StatusUnprocessableEntity)
	if diff := cmp.Diff(map[string][]string{"state_event": {msgInvalid}, "cost_per_month": {"must be greater than or equal to 0"}}, r.errors(t)); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}

	other := newPlan(t, c, base, "Premium")
	c.do(http.MethodPut, pp+"/default.json", nil).must(t, http.StatusOK)
	c.do(http.MethodPut, base+"/application_plans/"+idPath(other)+"/default.json", nil).must(t, http.StatusOK)
	defaults := map[string]any{}
	for _, pl := range c.do(http.MethodGet, base+"/application_plans.json", nil).must(t, http.StatusOK).items(t, "plans", "application_plan") {
		defaults[pl["system_name"].(string)] = pl["default"]
	}
	if diff := cmp.Diff(map[string]any{"basic_plan": false, "premium": true}, defaults); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	r = c.do(http.MethodPost, base+"/application_plans.json", p("name", "Basic Plan")).must(t, http.StatusUnprocessableEntity)
	if diff := cmp.Diff(map[string][]string{"system_name": {msgTaken}}, r.errors(t)); diff != "" {
		t.Errorf("duplicate (-want +got):\n%s", diff)
	}
	// Another product may reuse the system name.
	base2, _ := newProduct(t, c, "Other")
	newPlan(t, c, base2, "Basic Plan")
	if got := c.do(http.MethodGet, "/admin/api/application_plans.json", nil).items(t, "plans", "application_plan"); len(got) != 3 {
		t.Errorf("all plans: %d, want 3", len(got))
	}
	c.do(http.MethodGet, base2+"/application_plans/"+idPath(other)+".json", nil).must(t, http.StatusNotFound)

	c.do(http.MethodDelete, pp+".json", nil).must(t, http.StatusOK)
	c.do(http.MethodGet, pp+".json", nil).must(t, http.StatusNotFound)
}

func TestLimits(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	base, hits := newProduct(t, c, "Pets")
	_, otherHits := newProduct(t, c, "Other")
	plan := newPlan(t, c, base, "Basic")
	lp := "/admin/api/application_plans/" + idPath(plan) + "/metrics/" + idPath(hits) + "/limits"
	l := c.do(http.MethodPost, lp+".json", p("period", "minute", "value", "10")).must(t, http.StatusCreated).obj(t, "limit")
	if l["period"] != "minute" || l["value"] != 10.0 || l["metric_id"] != float64(hits) {
		t.Errorf("limit: %v", l)
	}
	r := c.do(http.MethodPost, lp+".json", p("period", "minute", "value", "5")).must(t, http.StatusUnprocessableEntity)
	if diff := cmp.Diff(map[string][]string{"period": {msgTaken}}, r.errors(t)); diff != "" {
		t.Errorf("duplicate period (-want +got):\n%s", diff)
	}
	r = c.do(http.MethodPost, lp+".json", p("period", "fortnight", "value", "5")).must(t, http.StatusUnprocessableEntity)
	if diff := cmp.Diff(map[string][]string{"period": {msgInvalid}}, r.errors(t)); diff != "" {
		t.Errorf("bad period (-want +got):\n%s", diff)
	}
	c.do(http.MethodPost, "/admin/api/application_plans/"+idPath(plan)+"/metrics/"+idPath(otherHits)+"/limits.json", p("period", "day", "value", "1")).
		must(t, http.StatusNotFound)
	lid := lp + "/" + idPath(id(t, l)) + ".json"
	if got := c.do(http.MethodPut, lid, p("value", "20")).must(t, http.StatusOK).obj(t, "limit"); got["value"] != 20.0 {
		t.Errorf("updated: %v", got)
	}
	c.do(http.MethodPost, lp+".json", p("period", "day", "value", "-3")).must(t, http.StatusCreated)
	all := c.do(http.MethodGet, "/admin/api/application_plans/"+idPath(plan)+"/limits.json", nil).must(t, http.StatusOK).items(t, "limits", "limit")
	if len(all) != 2 || all[1]["value"] != 0.0 {
		t.Errorf("plan limits (negative value saved as 0): %v", all)
	}
	c.do(http.MethodGet, lid, nil).must(t, http.StatusOK)
	c.do(http.MethodDelete, lid, nil).must(t, http.StatusOK)
	c.do(http.MethodGet, lid, nil).must(t, http.StatusNotFound)
}

func TestPricingRules(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	base, hits := newProduct(t, c, "Pets")
	plan := newPlan(t, c, base, "Basic")
	rp := "/admin/api/application_plans/" + idPath(plan) + "/metrics/" + idPath(hits) + "/pricing_rules"
	r1 := c.do(http.MethodPost, rp+".json", p("min", "1", "max", "100", "cost_per_unit", "0.5")).must(t, http.StatusCreated).obj(t, "pricing_rule")
	if r1["cost_per_unit"] != "0.5" || r1["min"] != 1.0 || r1["max"] != 100.0 {
		t.Errorf("rule: %v", r1)
	}
	r2 := c.do(http.MethodPost, rp+".json", p("min", "101", "cost_per_unit", "1")).must(t, http.StatusCreated).obj(t, "pricing_rule")
	if r2["max"] != nil || r2["cost_per_unit"] != "1.0" {
		t.Errorf("open-ended rule: %v", r2)
	}
	tests := map[string]struct {
		params []string
		want   map[string][]string
	}{
		"overlap":       {[]string{"min", "50", "max", "60", "cost_per_unit", "1"}, map[string][]string{"min": {"overlaps with another pricing rule"}}},
		"max below min": {[]string{"min", "500", "max", "400", "cost_per_unit", "1"}, map[string][]string{"max": {"must be greater than min"}, "min": {"overlaps with another pricing rule"}}},
		"decimals":      {[]string{"min", "1000", "cost_per_unit", "0.123456"}, map[string][]string{"cost_per_unit": {"maximum decimals is 4."}, "min": {"overlaps with another pricing rule"}}},
		"min zero":      {[]string{"min", "0", "max", "0", "cost_per_unit", "1"}, map[string][]string{"min": {"must be greater than or equal to 1"}}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := c.do(http.MethodPost, rp+".json", p(tc.params...)).must(t, http.StatusUnprocessableEntity)
			if diff := cmp.Diff(tc.want, r.errors(t)); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
	if got := c.do(http.MethodGet, "/admin/api/application_plans/"+idPath(plan)+"/pricing_rules.json", nil).must(t, http.StatusOK).items(t, "pricing_rules", "pricing_rule"); len(got) != 2 {
		t.Errorf("plan rules: %d", len(got))
	}
	c.do(http.MethodDelete, rp+"/"+idPath(id(t, r1))+".json", nil).must(t, http.StatusOK)
	if got := c.do(http.MethodGet, rp+".json", nil).must(t, http.StatusOK).items(t, "pricing_rules", "pricing_rule"); len(got) != 1 {
		t.Errorf("metric rules after delete: %d", len(got))
	}
}

func TestDeletingMetricDeletesLimitsAndPricingRules(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	base, _ := newProduct(t, c, "Pets")
	m := id(t, c.do(http.MethodPost, base+"/metrics.json", p("friendly_name", "Calls", "unit", "call")).must(t, http.StatusCreated).obj(t, "metric"))
	plan := newPlan(t, c, base, "Basic")
	mp := "/admin/api/application_plans/" + idPath(plan) + "/metrics/" + idPath(m)
	c.do(http.MethodPost, mp+"/limits.json", p("period", "day", "value", "1")).must(t, http.StatusCreated)
	c.do(http.MethodPost, mp+"/pricing_rules.json", p("min", "1", "cost_per_unit", "1")).must(t, http.StatusCreated)
	// porta destroys a metric's limits and pricing rules with it (dependent: :destroy).
	c.do(http.MethodDelete, base+"/metrics/"+idPath(m)+".json", nil).must(t, http.StatusOK)
	pl := "/admin/api/application_plans/" + idPath(plan)
	if n := len(c.do(http.MethodGet, pl+"/limits.json", nil).items(t, "limits", "limit")); n != 0 {
		t.Errorf("%d limits left", n)
	}
	if n := len(c.do(http.MethodGet, pl+"/pricing_rules.json", nil).items(t, "pricing_rules", "pricing_rule")); n != 0 {
		t.Errorf("%d pricing rules left", n)
	}
}
