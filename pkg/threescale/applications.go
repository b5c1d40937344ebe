package threescale

import "context"

// Application is an application of a developer account, subscribed to an application plan.
type Application struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	State       string `json:"state"`
	Enabled     bool   `json:"enabled"`
	AccountID   int64  `json:"account_id"`
	ServiceID   int64  `json:"service_id"`
	PlanID      int64  `json:"plan_id"`
	// UserKey is set for products authenticating with an API key. It is a credential.
	UserKey string `json:"user_key,omitempty"`
	// ApplicationID is the App ID (or the OIDC client ID).
	ApplicationID string `json:"application_id,omitempty"`
	RedirectURL   string `json:"redirect_url,omitempty"`
	CreatedAt     string `json:"created_at"`
	UpdatedAt     string `json:"updated_at"`
}

// Application states.
const (
	ApplicationStatePending   = "pending"
	ApplicationStateLive      = "live"
	ApplicationStateSuspended = "suspended"
)

// ApplicationParams are the fields of a new application; nil fields are not sent. PlanID and
// Name are required.
type ApplicationParams struct {
	PlanID         *int64  `form:"plan_id"`
	Name           *string `form:"name"`
	Description    *string `form:"description"`
	UserKey        *string `form:"user_key"`
	ApplicationID  *string `form:"application_id"`
	ApplicationKey *string `form:"application_key"`
	RedirectURL    *string `form:"redirect_url"`
}

// ApplicationUpdateParams are the fields of an application to change.
type ApplicationUpdateParams struct {
	Name        *string `form:"name"`
	Description *string `form:"description"`
	RedirectURL *string `form:"redirect_url"`
	UserKey     *string `form:"user_key"`
}

// ApplicationFilter narrows ListApplications; a nil field does not filter.
type ApplicationFilter struct {
	ServiceID *int64 `form:"service_id"`
	PlanID    *int64 `form:"plan_id"`
}

// ListApplications returns the applications of the tenant (of every account), all pages.
func (c *Client) ListApplications(ctx context.Context, f ApplicationFilter) ([]Application, error) {
	return list[Application](ctx, c, opListApplications, f)
}

// ListAccountApplications returns the applications of a developer account.
func (c *Client) ListAccountApplications(ctx context.Context, accountID int64) ([]Application, error) {
	return list[Application](ctx, c, opListAccountApplications, nil, accountID)
}

// GetApplication returns one application of a developer account.
func (c *Client) GetApplication(ctx context.Context, accountID, id int64) (*Application, error) {
	return one[Application](ctx, c, opGetApplication, nil, accountID, id)
}

// CreateApplication creates an application of a developer account.
func (c *Client) CreateApplication(ctx context.Context, accountID int64, p ApplicationParams) (*Application, error) {
	return one[Application](ctx, c, opCreateApplication, p, accountID)
}

// UpdateApplication changes an application.
func (c *Client) UpdateApplication(ctx context.Context, accountID, id int64, p ApplicationUpdateParams) (*Application, error) {
	return one[Application](ctx, c, opUpdateApplication, p, accountID, id)
}

// DeleteApplication deletes an application.
func (c *Client) DeleteApplication(ctx context.Context, accountID, id int64) error {
	return none(ctx, c, opDeleteApplication, nil, accountID, id)
}

// changePlanParams names the new plan.
type changePlanParams struct {
	PlanID int64 `form:"plan_id"`
}

// ChangeApplicationPlan moves an application to another plan of its product. 3scale answers with
// the plan, not the application.
func (c *Client) ChangeApplicationPlan(ctx context.Context, accountID, id, planID int64) (*ApplicationPlan, error) {
	return one[ApplicationPlan](ctx, c, opChangeApplicationPlan, changePlanParams{PlanID: planID}, accountID, id)
}

// SuspendApplication suspends an application: the gateway refuses its calls.
func (c *Client) SuspendApplication(ctx context.Context, accountID, id int64) (*Application, error) {
	return one[Application](ctx, c, opSuspendApplication, nil, accountID, id)
}

// ResumeApplication resumes a suspended application.
func (c *Client) ResumeApplication(ctx context.Context, accountID, id int64) (*Application, error) {
	return one[Application](ctx, c, opResumeApplication, nil, accountID, id)
}

// AcceptApplication accepts an application pending approval.
func (c *Client) AcceptApplication(ctx context.Context, accountID, id int64) (*Application, error) {
	return one[Application](ctx, c, opAcceptApplication, nil, accountID, id)
}

// ApplicationKey is an application key (App Key) of an application. Its value is a credential.
type ApplicationKey struct {
	Value     string `json:"value"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// applicationKeyParams carries a key to add.
type applicationKeyParams struct {
	Key string `form:"key"`
}

// ListApplicationKeys returns the application keys of an application.
func (c *Client) ListApplicationKeys(ctx context.Context, accountID, applicationID int64) ([]ApplicationKey, error) {
	return list[ApplicationKey](ctx, c, opListApplicationKeys, nil, accountID, applicationID)
}

// CreateApplicationKey adds an application key; 3scale answers with the application.
func (c *Client) CreateApplicationKey(ctx context.Context, accountID, applicationID int64, key string) (*Application, error) {
	return one[Application](ctx, c, opCreateApplicationKey, applicationKeyParams{Key: key}, accountID, applicationID)
}

// DeleteApplicationKey removes an application key. Errors show the key as "{key}", never its value.
func (c *Client) DeleteApplicationKey(ctx context.Context, accountID, applicationID int64, key string) error {
	return none(ctx, c, opDeleteApplicationKey, nil, accountID, applicationID, key)
}
