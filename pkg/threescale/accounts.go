package threescale

import "context"

// Account is a developer account of a tenant (or, through the Master API, a tenant's own
// account: the provider fields are set then).
type Account struct {
	ID                     int64             `json:"id"`
	OrgName                string            `json:"org_name"`
	State                  string            `json:"state"`
	MonthlyBillingEnabled  bool              `json:"monthly_billing_enabled"`
	MonthlyChargingEnabled bool              `json:"monthly_charging_enabled"`
	CreditCardStored       bool              `json:"credit_card_stored"`
	Annotations            map[string]string `json:"annotations,omitempty"`
	// Provider fields, present on tenant accounts only.
	AdminDomain         string `json:"admin_domain,omitempty"`
	Domain              string `json:"domain,omitempty"`
	AdminBaseURL        string `json:"admin_base_url,omitempty"`
	BaseURL             string `json:"base_url,omitempty"`
	FromEmail           string `json:"from_email,omitempty"`
	SupportEmail        string `json:"support_email,omitempty"`
	FinanceSupportEmail string `json:"finance_support_email,omitempty"`
	SiteAccessCode      string `json:"site_access_code,omitempty"`
	CreatedAt           string `json:"created_at"`
	UpdatedAt           string `json:"updated_at"`
}

// Account states.
const (
	AccountStatePending  = "pending"
	AccountStateApproved = "approved"
	AccountStateRejected = "rejected"
)

// SignupParams create a developer account with its admin user; nil fields are not sent. OrgName,
// Username, Email and Password are required.
type SignupParams struct {
	OrgName           *string           `form:"org_name"`
	Username          *string           `form:"username"`
	Email             *string           `form:"email"`
	Password          *string           `form:"password"`
	AccountPlanID     *int64            `form:"account_plan_id"`
	ServicePlanID     *int64            `form:"service_plan_id"`
	ApplicationPlanID *int64            `form:"application_plan_id"`
	Annotations       map[string]string `form:"annotations"`
}

// AccountParams are the fields of a developer account to change.
type AccountParams struct {
	OrgName                *string           `form:"org_name"`
	MonthlyBillingEnabled  *bool             `form:"monthly_billing_enabled"`
	MonthlyChargingEnabled *bool             `form:"monthly_charging_enabled"`
	Annotations            map[string]string `form:"annotations"`
}

// AccountFilter narrows ListAccounts; a nil field does not filter.
type AccountFilter struct {
	State *string `form:"state"`
}

// FindAccountParams look an account up by one of its users; set one field.
type FindAccountParams struct {
	Username *string `form:"username"`
	Email    *string `form:"email"`
	UserID   *int64  `form:"user_id"`
}

// Signup creates a developer account and its admin user.
func (c *Client) Signup(ctx context.Context, p SignupParams) (*Account, error) {
	return one[Account](ctx, c, opSignup, p)
}

// ListAccounts returns the developer accounts of the tenant, all pages.
func (c *Client) ListAccounts(ctx context.Context, f AccountFilter) ([]Account, error) {
	return list[Account](ctx, c, opListAccounts, f)
}

// GetAccount returns one developer account.
func (c *Client) GetAccount(ctx context.Context, id int64) (*Account, error) {
	return one[Account](ctx, c, opGetAccount, nil, id)
}

// FindAccount returns the account a user (by username, email or ID) belongs to; it is not found
// when no user matches.
func (c *Client) FindAccount(ctx context.Context, p FindAccountParams) (*Account, error) {
	return one[Account](ctx, c, opFindAccount, p)
}

// UpdateAccount changes a developer account.
func (c *Client) UpdateAccount(ctx context.Context, id int64, p AccountParams) (*Account, error) {
	return one[Account](ctx, c, opUpdateAccount, p, id)
}

// DeleteAccount deletes a developer account with its users and applications.
func (c *Client) DeleteAccount(ctx context.Context, id int64) error {
	return none(ctx, c, opDeleteAccount, nil, id)
}

// ApproveAccount approves a pending developer account.
func (c *Client) ApproveAccount(ctx context.Context, id int64) (*Account, error) {
	return one[Account](ctx, c, opApproveAccount, nil, id)
}

// MakeAccountPending puts a developer account back to pending (approval).
func (c *Client) MakeAccountPending(ctx context.Context, id int64) (*Account, error) {
	return one[Account](ctx, c, opMakeAccountPending, nil, id)
}

// User is a user of a developer account.
type User struct {
	ID        int64  `json:"id"`
	Username  string `json:"username"`
	Email     string `json:"email"`
	State     string `json:"state"`
	Role      string `json:"role"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// User states and roles.
const (
	UserStatePending   = "pending"
	UserStateActive    = "active"
	UserStateSuspended = "suspended"
	UserRoleAdmin      = "admin"
	UserRoleMember     = "member"
)

// UserParams are the fields of a user to create or change; nil fields are not sent. A new user
// needs Username, Email and Password.
type UserParams struct {
	Username *string `form:"username"`
	Email    *string `form:"email"`
	Password *string `form:"password"`
}

// UserFilter narrows ListUsers; a nil field does not filter.
type UserFilter struct {
	State *string `form:"state"`
	Role  *string `form:"role"`
}

// ListUsers returns the users of a developer account.
func (c *Client) ListUsers(ctx context.Context, accountID int64, f UserFilter) ([]User, error) {
	return list[User](ctx, c, opListUsers, f, accountID)
}

// GetUser returns one user of a developer account.
func (c *Client) GetUser(ctx context.Context, accountID, id int64) (*User, error) {
	return one[User](ctx, c, opGetUser, nil, accountID, id)
}

// CreateUser creates a user of a developer account; the user starts pending.
func (c *Client) CreateUser(ctx context.Context, accountID int64, p UserParams) (*User, error) {
	return one[User](ctx, c, opCreateUser, p, accountID)
}

// UpdateUser changes a user.
func (c *Client) UpdateUser(ctx context.Context, accountID, id int64, p UserParams) (*User, error) {
	return one[User](ctx, c, opUpdateUser, p, accountID, id)
}

// DeleteUser deletes a user.
func (c *Client) DeleteUser(ctx context.Context, accountID, id int64) error {
	return none(ctx, c, opDeleteUser, nil, accountID, id)
}

// ActivateUser activates a pending user.
func (c *Client) ActivateUser(ctx context.Context, accountID, id int64) (*User, error) {
	return one[User](ctx, c, opActivateUser, nil, accountID, id)
}

// MakeUserAdmin gives a user the admin role.
func (c *Client) MakeUserAdmin(ctx context.Context, accountID, id int64) (*User, error) {
	return one[User](ctx, c, opMakeUserAdmin, nil, accountID, id)
}

// MakeUserMember gives a user the member role.
func (c *Client) MakeUserMember(ctx context.Context, accountID, id int64) (*User, error) {
	return one[User](ctx, c, opMakeUserMember, nil, accountID, id)
}

// SuspendUser suspends a user.
func (c *Client) SuspendUser(ctx context.Context, accountID, id int64) (*User, error) {
	return one[User](ctx, c, opSuspendUser, nil, accountID, id)
}

// UnsuspendUser lifts a user's suspension.
func (c *Client) UnsuspendUser(ctx context.Context, accountID, id int64) (*User, error) {
	return one[User](ctx, c, opUnsuspendUser, nil, accountID, id)
}
