package threescale

import "context"

// The Master API manages tenants. Call it with a Client built from the master admin URL and a
// master access token.

// Tenant is a tenant (a provider account) as the Master API returns it.
type Tenant struct {
	Account Account `json:"account"`
	// AccessToken is only returned by CreateTenant: the new tenant's admin access token. Its
	// Value is a credential: store it in a Secret, never log it.
	AccessToken *AccessToken `json:"access_token,omitempty"`
}

// AccessToken is an access token of a 3scale user.
type AccessToken struct {
	ID         int64    `json:"id"`
	Name       string   `json:"name"`
	Scopes     []string `json:"scopes"`
	Permission string   `json:"permission"`
	Value      string   `json:"value"`
}

// TenantParams create a tenant with its admin user; OrgName, Username, Email and Password are
// required.
type TenantParams struct {
	OrgName     *string           `form:"org_name"`
	Username    *string           `form:"username"`
	Email       *string           `form:"email"`
	Password    *string           `form:"password"`
	Annotations map[string]string `form:"annotations"`
}

// TenantUpdateParams are the fields of a tenant to change; nil fields are not sent.
type TenantUpdateParams struct {
	FromEmail           *string `form:"from_email"`
	SupportEmail        *string `form:"support_email"`
	FinanceSupportEmail *string `form:"finance_support_email"`
	SiteAccessCode      *string `form:"site_access_code"`
	// StateEvent changes the tenant's state ("make_pending", "approve", "reject", "suspend",
	// "resume").
	StateEvent  *string           `form:"state_event"`
	Annotations map[string]string `form:"annotations"`
}

// CreateTenant creates a tenant, its admin user (pending until activated) and an access token.
func (c *Client) CreateTenant(ctx context.Context, p TenantParams) (*Tenant, error) {
	return one[Tenant](ctx, c, opCreateTenant, p)
}

// GetTenant returns a tenant.
func (c *Client) GetTenant(ctx context.Context, id int64) (*Tenant, error) {
	return one[Tenant](ctx, c, opGetTenant, nil, id)
}

// UpdateTenant changes a tenant.
func (c *Client) UpdateTenant(ctx context.Context, id int64, p TenantUpdateParams) (*Tenant, error) {
	return one[Tenant](ctx, c, opUpdateTenant, p, id)
}

// DeleteTenant schedules a tenant for deletion.
func (c *Client) DeleteTenant(ctx context.Context, id int64) error {
	return none(ctx, c, opDeleteTenant, nil, id)
}

// AccessTokenParams create an access token; Name, Permission and Scopes are required.
type AccessTokenParams struct {
	Name *string `form:"name"`
	// Permission is "ro" or "rw".
	Permission *string `form:"permission"`
	// Scopes of a tenant user's token: "account_management", "stats", "finance", "cms",
	// "policy_registry".
	Scopes []string `form:"scopes[]"`
}

// GetProviderUser returns a user of the provider account the client's admin URL serves.
func (c *Client) GetProviderUser(ctx context.Context, id int64) (*User, error) {
	return one[User](ctx, c, opGetProviderUser, nil, id)
}

// CreateAccessToken creates an access token of the provider account's user userID. Its Value is
// shown only in this answer: store it in a Secret, never log it. 3scale lets the account's
// provider key create it (a key has no user, so no permission check applies), which is how a
// tenant whose token is lost gets a new one.
func (c *Client) CreateAccessToken(ctx context.Context, userID int64, p AccessTokenParams) (*AccessToken, error) {
	return one[AccessToken](ctx, c, opCreateAccessToken, p, userID)
}
