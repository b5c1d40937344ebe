package threescale

import (
	"testing"
)

func TestApplicationPlansLimitsAndPricing(t *testing.T) {
	env := newTestEnv(t)
	ctx, c := t.Context(), env.c
	p := got(c.CreateProduct(ctx, ProductParams{Name: ptr("Planned")})).need(t, "create product")
	hits := findMetric(t, got(c.ListProductMetrics(ctx, p.ID)).need(t, "list metrics"), "hits")

	plan := got(c.CreateApplicationPlan(ctx, p.ID, ApplicationPlanParams{
		Name: ptr("Pro"), SystemName: ptr("pro"), CostPerMonth: ptr("10.50"), SetupFee: ptr("2"), TrialPeriodDays: ptr(int64(14)),
	})).need(t, "create plan")
	if plan.SystemName != "pro" || plan.State != PlanStateHidden || plan.TrialPeriodDays != 14 {
		t.Errorf("new plan = %+v, want system name pro, hidden until published", plan)
	}
	if cost, err := plan.CostPerMonth.Float64(); err != nil || cost != 10.5 {
		t.Errorf("cost per month = %q (%v), want 10.5", plan.CostPerMonth, err)
	}
	plan = got(c.UpdateApplicationPlan(ctx, p.ID, plan.ID, ApplicationPlanUpdateParams{StateEvent: ptr(PlanEventPublish)})).need(t, "publish")
	if plan.State != PlanStatePublished {
		t.Errorf("published plan state = %q", plan.State)
	}
	plan = got(c.SetDefaultApplicationPlan(ctx, p.ID, plan.ID)).need(t, "set default")
	if !plan.Default {
		t.Errorf("default plan = %+v, want Default", plan)
	}
	if _, err := c.CreateApplicationPlan(ctx, p.ID, ApplicationPlanParams{Name: ptr("Pro again"), SystemName: ptr("pro")}); !IsUnprocessable(err) {
		t.Errorf("duplicate plan system name: %v, want unprocessable", err)
	}
	plans := got(c.ListApplicationPlans(ctx, p.ID)).need(t, "list plans")
	if len(plans) != 1 || plans[0].ID != plan.ID {
		t.Errorf("plans = %+v", plans)
	}

	limit := got(c.CreateLimit(ctx, plan.ID, hits.ID, LimitParams{Period: PeriodMinute, Value: 60})).need(t, "create limit")
	if limit.MetricID != hits.ID || limit.Period != PeriodMinute || limit.Value != 60 {
		t.Errorf("limit = %+v", limit)
	}
	if _, err := c.CreateLimit(ctx, plan.ID, hits.ID, LimitParams{Period: "fortnight", Value: 1}); !IsUnprocessable(err) {
		t.Errorf("limit with an unknown period: %v, want unprocessable", err)
	}
	limit = got(c.UpdateLimit(ctx, plan.ID, hits.ID, limit.ID, LimitParams{Period: PeriodHour, Value: 1000})).need(t, "update limit")
	if limit.Period != PeriodHour || limit.Value != 1000 {
		t.Errorf("updated limit = %+v", limit)
	}
	for name, list := range map[string][]Limit{
		"plan":   got(c.ListPlanLimits(ctx, plan.ID)).need(t, "list plan limits"),
		"metric": got(c.ListPlanMetricLimits(ctx, plan.ID, hits.ID)).need(t, "list metric limits"),
	} {
		if len(list) != 1 || list[0] != *limit {
			t.Errorf("%s limits = %+v, want [%+v]", name, list, *limit)
		}
	}

	rule := got(c.CreatePricingRule(ctx, plan.ID, hits.ID, PricingRuleParams{Min: ptr(int64(1)), Max: ptr(int64(100)), CostPerUnit: ptr("0.25")})).need(t, "create pricing rule")
	if cost, err := rule.CostPerUnit.Float64(); err != nil || cost != 0.25 || rule.Min != 1 || rule.Max != 100 {
		t.Errorf("pricing rule = %+v (%v)", rule, err)
	}
	if _, err := c.CreatePricingRule(ctx, plan.ID, hits.ID, PricingRuleParams{Min: ptr(int64(50)), Max: ptr(int64(150)), CostPerUnit: ptr("0.1")}); !IsUnprocessable(err) {
		t.Errorf("overlapping pricing rule: %v, want unprocessable", err)
	}
	if rules := got(c.ListPlanPricingRules(ctx, plan.ID)).need(t, "list pricing rules"); len(rules) != 1 || rules[0].ID != rule.ID {
		t.Errorf("pricing rules = %+v", rules)
	}
	if rules := got(c.ListPlanMetricPricingRules(ctx, plan.ID, hits.ID)).need(t, "list metric pricing rules"); len(rules) != 1 {
		t.Errorf("metric pricing rules = %+v", rules)
	}

	check(t, "delete pricing rule", c.DeletePricingRule(ctx, plan.ID, hits.ID, rule.ID))
	check(t, "delete limit", c.DeleteLimit(ctx, plan.ID, hits.ID, limit.ID))
	if _, err := c.GetLimit(ctx, plan.ID, hits.ID, limit.ID); !IsNotFound(err) {
		t.Errorf("deleted limit: %v, want not found", err)
	}
	check(t, "delete plan", c.DeleteApplicationPlan(ctx, p.ID, plan.ID))
	if _, err := c.GetApplicationPlan(ctx, p.ID, plan.ID); !IsNotFound(err) {
		t.Errorf("deleted plan: %v, want not found", err)
	}
}
