package threescale

import "context"

// ApplicationPlan is an application plan of a product.
type ApplicationPlan struct {
	ID                 int64   `json:"id"`
	Name               string  `json:"name"`
	SystemName         string  `json:"system_name"`
	State              string  `json:"state"`
	SetupFee           Decimal `json:"setup_fee"`
	CostPerMonth       Decimal `json:"cost_per_month"`
	TrialPeriodDays    int64   `json:"trial_period_days"`
	CancellationPeriod int64   `json:"cancellation_period"`
	ApprovalRequired   bool    `json:"approval_required"`
	// Default reports whether new applications of the product get this plan.
	Default bool `json:"default"`
	// Custom reports whether the plan was customized for one application.
	Custom    bool   `json:"custom"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// Plan states and the state events that reach them.
const (
	PlanStatePublished = "published"
	PlanStateHidden    = "hidden"
	PlanEventPublish   = "publish"
	PlanEventHide      = "hide"
)

// ApplicationPlanParams are the fields of a new application plan; nil fields are not sent.
// Amounts are decimal text ("10.00").
type ApplicationPlanParams struct {
	Name             *string `form:"name"`
	SystemName       *string `form:"system_name"`
	ApprovalRequired *bool   `form:"approval_required"`
	CostPerMonth     *string `form:"cost_per_month"`
	SetupFee         *string `form:"setup_fee"`
	TrialPeriodDays  *int64  `form:"trial_period_days"`
	// StateEvent is PlanEventPublish or PlanEventHide.
	StateEvent *string `form:"state_event"`
}

// ApplicationPlanUpdateParams are the fields of an application plan to change (3scale does not
// change system names).
type ApplicationPlanUpdateParams struct {
	Name             *string `form:"name"`
	ApprovalRequired *bool   `form:"approval_required"`
	CostPerMonth     *string `form:"cost_per_month"`
	SetupFee         *string `form:"setup_fee"`
	TrialPeriodDays  *int64  `form:"trial_period_days"`
	StateEvent       *string `form:"state_event"`
}

// ListApplicationPlans returns the application plans of a product.
func (c *Client) ListApplicationPlans(ctx context.Context, productID int64) ([]ApplicationPlan, error) {
	return list[ApplicationPlan](ctx, c, opListApplicationPlans, nil, productID)
}

// GetApplicationPlan returns one application plan of a product.
func (c *Client) GetApplicationPlan(ctx context.Context, productID, id int64) (*ApplicationPlan, error) {
	return one[ApplicationPlan](ctx, c, opGetApplicationPlan, nil, productID, id)
}

// CreateApplicationPlan creates an application plan of a product.
func (c *Client) CreateApplicationPlan(ctx context.Context, productID int64, p ApplicationPlanParams) (*ApplicationPlan, error) {
	return one[ApplicationPlan](ctx, c, opCreateApplicationPlan, p, productID)
}

// UpdateApplicationPlan changes an application plan; StateEvent publishes or hides it.
func (c *Client) UpdateApplicationPlan(ctx context.Context, productID, id int64, p ApplicationPlanUpdateParams) (*ApplicationPlan, error) {
	return one[ApplicationPlan](ctx, c, opUpdateApplicationPlan, p, productID, id)
}

// DeleteApplicationPlan deletes an application plan.
func (c *Client) DeleteApplicationPlan(ctx context.Context, productID, id int64) error {
	return none(ctx, c, opDeleteApplicationPlan, nil, productID, id)
}

// SetDefaultApplicationPlan makes a plan the product's default for new applications.
func (c *Client) SetDefaultApplicationPlan(ctx context.Context, productID, id int64) (*ApplicationPlan, error) {
	return one[ApplicationPlan](ctx, c, opSetDefaultApplicationPlan, nil, productID, id)
}

// Limit is a usage limit of an application plan on a metric.
type Limit struct {
	ID       int64  `json:"id"`
	MetricID int64  `json:"metric_id"`
	Period   string `json:"period"`
	Value    int64  `json:"value"`
}

// Limit periods.
const (
	PeriodEternity = "eternity"
	PeriodYear     = "year"
	PeriodMonth    = "month"
	PeriodWeek     = "week"
	PeriodDay      = "day"
	PeriodHour     = "hour"
	PeriodMinute   = "minute"
)

// LimitParams are the period and value of a limit; both are required.
type LimitParams struct {
	Period string `form:"period"`
	Value  int64  `form:"value"`
}

// ListPlanLimits returns every limit of an application plan, on all metrics, all pages.
func (c *Client) ListPlanLimits(ctx context.Context, planID int64) ([]Limit, error) {
	return list[Limit](ctx, c, opListPlanLimits, nil, planID)
}

// ListPlanMetricLimits returns the limits of an application plan on one metric.
func (c *Client) ListPlanMetricLimits(ctx context.Context, planID, metricID int64) ([]Limit, error) {
	return list[Limit](ctx, c, opListPlanMetricLimits, nil, planID, metricID)
}

// GetLimit returns one limit.
func (c *Client) GetLimit(ctx context.Context, planID, metricID, id int64) (*Limit, error) {
	return one[Limit](ctx, c, opGetLimit, nil, planID, metricID, id)
}

// CreateLimit creates a limit of an application plan on a metric.
func (c *Client) CreateLimit(ctx context.Context, planID, metricID int64, p LimitParams) (*Limit, error) {
	return one[Limit](ctx, c, opCreateLimit, p, planID, metricID)
}

// UpdateLimit changes a limit.
func (c *Client) UpdateLimit(ctx context.Context, planID, metricID, id int64, p LimitParams) (*Limit, error) {
	return one[Limit](ctx, c, opUpdateLimit, p, planID, metricID, id)
}

// DeleteLimit deletes a limit.
func (c *Client) DeleteLimit(ctx context.Context, planID, metricID, id int64) error {
	return none(ctx, c, opDeleteLimit, nil, planID, metricID, id)
}

// PricingRule prices the usage of a metric between Min and Max units.
type PricingRule struct {
	ID          int64   `json:"id"`
	MetricID    int64   `json:"metric_id"`
	CostPerUnit Decimal `json:"cost_per_unit"`
	Min         int64   `json:"min"`
	Max         int64   `json:"max"`
}

// PricingRuleParams are the fields of a new pricing rule; nil fields are not sent.
type PricingRuleParams struct {
	Min *int64 `form:"min"`
	Max *int64 `form:"max"`
	// CostPerUnit is decimal text ("0.50").
	CostPerUnit *string `form:"cost_per_unit"`
}

// ListPlanPricingRules returns every pricing rule of an application plan.
func (c *Client) ListPlanPricingRules(ctx context.Context, planID int64) ([]PricingRule, error) {
	return list[PricingRule](ctx, c, opListPlanPricingRules, nil, planID)
}

// ListPlanMetricPricingRules returns the pricing rules of an application plan on one metric.
func (c *Client) ListPlanMetricPricingRules(ctx context.Context, planID, metricID int64) ([]PricingRule, error) {
	return list[PricingRule](ctx, c, opListPlanMetricPricingRules, nil, planID, metricID)
}

// CreatePricingRule creates a pricing rule of an application plan on a metric. 3scale has no
// update of pricing rules: delete and create.
func (c *Client) CreatePricingRule(ctx context.Context, planID, metricID int64, p PricingRuleParams) (*PricingRule, error) {
	return one[PricingRule](ctx, c, opCreatePricingRule, p, planID, metricID)
}

// DeletePricingRule deletes a pricing rule.
func (c *Client) DeletePricingRule(ctx context.Context, planID, metricID, id int64) error {
	return none(ctx, c, opDeletePricingRule, nil, planID, metricID, id)
}
