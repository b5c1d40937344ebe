package threescale

import "context"

// Backend is a 3scale backend API.
type Backend struct {
	ID              int64             `json:"id"`
	Name            string            `json:"name"`
	SystemName      string            `json:"system_name"`
	Description     string            `json:"description"`
	PrivateEndpoint string            `json:"private_endpoint"`
	AccountID       int64             `json:"account_id"`
	Annotations     map[string]string `json:"annotations,omitempty"`
	CreatedAt       string            `json:"created_at"`
	UpdatedAt       string            `json:"updated_at"`
}

// BackendParams are the fields of a new backend; nil fields are not sent. Name and
// PrivateEndpoint are required.
type BackendParams struct {
	Name            *string           `form:"name"`
	SystemName      *string           `form:"system_name"`
	Description     *string           `form:"description"`
	PrivateEndpoint *string           `form:"private_endpoint"`
	Annotations     map[string]string `form:"annotations"`
}

// BackendUpdateParams are the fields of a backend to change (3scale does not change system
// names); nil fields are not sent.
type BackendUpdateParams struct {
	Name            *string           `form:"name"`
	Description     *string           `form:"description"`
	PrivateEndpoint *string           `form:"private_endpoint"`
	Annotations     map[string]string `form:"annotations"`
}

// ListBackends returns every backend of the tenant, all pages.
func (c *Client) ListBackends(ctx context.Context) ([]Backend, error) {
	return list[Backend](ctx, c, opListBackends, nil)
}

// GetBackend returns one backend.
func (c *Client) GetBackend(ctx context.Context, id int64) (*Backend, error) {
	return one[Backend](ctx, c, opGetBackend, nil, id)
}

// CreateBackend creates a backend; 3scale gives it the "hits" metric.
func (c *Client) CreateBackend(ctx context.Context, p BackendParams) (*Backend, error) {
	return one[Backend](ctx, c, opCreateBackend, p)
}

// UpdateBackend changes the fields set in p.
func (c *Client) UpdateBackend(ctx context.Context, id int64, p BackendUpdateParams) (*Backend, error) {
	return one[Backend](ctx, c, opUpdateBackend, p, id)
}

// DeleteBackend deletes a backend; 3scale refuses while a product uses it.
func (c *Client) DeleteBackend(ctx context.Context, id int64) error {
	return none(ctx, c, opDeleteBackend, nil, id)
}

// BackendUsage is a backend used by a product under a path.
type BackendUsage struct {
	ID        int64  `json:"id"`
	Path      string `json:"path"`
	ProductID int64  `json:"service_id"`
	BackendID int64  `json:"backend_id"`
}

// BackendUsageParams add a backend to a product.
type BackendUsageParams struct {
	BackendID *int64  `form:"backend_api_id"`
	Path      *string `form:"path"`
}

// BackendUsageUpdateParams change the path of a backend usage.
type BackendUsageUpdateParams struct {
	Path *string `form:"path"`
}

// ListBackendUsages returns the backends a product uses.
func (c *Client) ListBackendUsages(ctx context.Context, productID int64) ([]BackendUsage, error) {
	return list[BackendUsage](ctx, c, opListBackendUsages, nil, productID)
}

// GetBackendUsage returns one backend usage of a product.
func (c *Client) GetBackendUsage(ctx context.Context, productID, id int64) (*BackendUsage, error) {
	return one[BackendUsage](ctx, c, opGetBackendUsage, nil, productID, id)
}

// CreateBackendUsage adds a backend to a product.
func (c *Client) CreateBackendUsage(ctx context.Context, productID int64, p BackendUsageParams) (*BackendUsage, error) {
	return one[BackendUsage](ctx, c, opCreateBackendUsage, p, productID)
}

// UpdateBackendUsage changes the path of a backend usage.
func (c *Client) UpdateBackendUsage(ctx context.Context, productID, id int64, p BackendUsageUpdateParams) (*BackendUsage, error) {
	return one[BackendUsage](ctx, c, opUpdateBackendUsage, p, productID, id)
}

// DeleteBackendUsage removes a backend from a product.
func (c *Client) DeleteBackendUsage(ctx context.Context, productID, id int64) error {
	return none(ctx, c, opDeleteBackendUsage, nil, productID, id)
}

// Key returns the backend's natural key, its system name.
func (b Backend) Key() string { return b.SystemName }

// EntityID returns the backend's ID.
func (b Backend) EntityID() int64 { return b.ID }
