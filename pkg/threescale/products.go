package threescale

import "context"

// Product is a 3scale product (a "service" in the API).
type Product struct {
	ID               int64             `json:"id"`
	Name             string            `json:"name"`
	SystemName       string            `json:"system_name"`
	Description      string            `json:"description"`
	State            string            `json:"state"`
	DeploymentOption string            `json:"deployment_option"`
	BackendVersion   string            `json:"backend_version"`
	SupportEmail     string            `json:"support_email"`
	Annotations      map[string]string `json:"annotations,omitempty"`
	CreatedAt        string            `json:"created_at"`
	UpdatedAt        string            `json:"updated_at"`
}

// Deployment options of a product (deployment_option).
const (
	DeploymentHosted      = "hosted"
	DeploymentSelfManaged = "self_managed"
)

// Authentication modes of a product (backend_version).
const (
	BackendVersionUserKey = "1"
	BackendVersionAppID   = "2"
	BackendVersionOIDC    = "oidc"
)

// ProductParams are the fields of a new product; nil fields are not sent. Name is required.
type ProductParams struct {
	Name             *string `form:"name"`
	SystemName       *string `form:"system_name"`
	Description      *string `form:"description"`
	DeploymentOption *string `form:"deployment_option"`
	BackendVersion   *string `form:"backend_version"`
	// Annotations are sent as annotations[key]=value (the operator marks what it manages with
	// managed_by=operator).
	Annotations map[string]string `form:"annotations"`
}

// ProductUpdateParams are the fields of a product to change (3scale does not change system
// names); nil fields are not sent.
type ProductUpdateParams struct {
	Name             *string           `form:"name"`
	Description      *string           `form:"description"`
	DeploymentOption *string           `form:"deployment_option"`
	BackendVersion   *string           `form:"backend_version"`
	Annotations      map[string]string `form:"annotations"`
}

// ListProducts returns every product of the tenant, all pages.
func (c *Client) ListProducts(ctx context.Context) ([]Product, error) {
	return list[Product](ctx, c, opListProducts, nil)
}

// GetProduct returns the product with the given ID.
func (c *Client) GetProduct(ctx context.Context, id int64) (*Product, error) {
	return one[Product](ctx, c, opGetProduct, nil, id)
}

// CreateProduct creates a product. 3scale gives it the "hits" metric and a default mapping rule,
// and derives system_name from the name when it is not given.
func (c *Client) CreateProduct(ctx context.Context, p ProductParams) (*Product, error) {
	return one[Product](ctx, c, opCreateProduct, p)
}

// UpdateProduct updates the fields set in p.
func (c *Client) UpdateProduct(ctx context.Context, id int64, p ProductUpdateParams) (*Product, error) {
	return one[Product](ctx, c, opUpdateProduct, p, id)
}

// DeleteProduct deletes a product (3scale deletes it asynchronously, with its applications).
func (c *Client) DeleteProduct(ctx context.Context, id int64) error {
	return none(ctx, c, opDeleteProduct, nil, id)
}

// Key returns the product's natural key, its system name.
func (p Product) Key() string { return p.SystemName }

// EntityID returns the product's ID.
func (p Product) EntityID() int64 { return p.ID }
