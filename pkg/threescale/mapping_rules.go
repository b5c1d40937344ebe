package threescale

import "context"

// MappingRule maps an HTTP method and path pattern to a metric of a product or a backend.
type MappingRule struct {
	ID         int64  `json:"id"`
	MetricID   int64  `json:"metric_id"`
	HTTPMethod string `json:"http_method"`
	Pattern    string `json:"pattern"`
	Delta      int64  `json:"delta"`
	Position   int64  `json:"position"`
	Last       bool   `json:"last"`
	CreatedAt  string `json:"created_at"`
	UpdatedAt  string `json:"updated_at"`
}

// MappingRuleParams are the fields of a mapping rule to create or change; nil fields are not
// sent. A new rule needs HTTPMethod, Pattern, Delta and MetricID.
type MappingRuleParams struct {
	HTTPMethod *string `form:"http_method"`
	Pattern    *string `form:"pattern"`
	Delta      *int64  `form:"delta"`
	MetricID   *int64  `form:"metric_id"`
	Position   *int64  `form:"position"`
	Last       *bool   `form:"last"`
}

// ListProductMappingRules returns the mapping rules of a product.
func (c *Client) ListProductMappingRules(ctx context.Context, productID int64) ([]MappingRule, error) {
	return list[MappingRule](ctx, c, opListProductMappingRules, nil, productID)
}

// GetProductMappingRule returns one mapping rule of a product.
func (c *Client) GetProductMappingRule(ctx context.Context, productID, id int64) (*MappingRule, error) {
	return one[MappingRule](ctx, c, opGetProductMappingRule, nil, productID, id)
}

// CreateProductMappingRule creates a mapping rule of a product.
func (c *Client) CreateProductMappingRule(ctx context.Context, productID int64, p MappingRuleParams) (*MappingRule, error) {
	return one[MappingRule](ctx, c, opCreateProductMappingRule, p, productID)
}

// UpdateProductMappingRule changes a mapping rule of a product.
func (c *Client) UpdateProductMappingRule(ctx context.Context, productID, id int64, p MappingRuleParams) (*MappingRule, error) {
	return one[MappingRule](ctx, c, opUpdateProductMappingRule, p, productID, id)
}

// DeleteProductMappingRule deletes a mapping rule of a product.
func (c *Client) DeleteProductMappingRule(ctx context.Context, productID, id int64) error {
	return none(ctx, c, opDeleteProductMappingRule, nil, productID, id)
}

// ListBackendMappingRules returns the mapping rules of a backend, all pages.
func (c *Client) ListBackendMappingRules(ctx context.Context, backendID int64) ([]MappingRule, error) {
	return list[MappingRule](ctx, c, opListBackendMappingRules, nil, backendID)
}

// GetBackendMappingRule returns one mapping rule of a backend.
func (c *Client) GetBackendMappingRule(ctx context.Context, backendID, id int64) (*MappingRule, error) {
	return one[MappingRule](ctx, c, opGetBackendMappingRule, nil, backendID, id)
}

// CreateBackendMappingRule creates a mapping rule of a backend.
func (c *Client) CreateBackendMappingRule(ctx context.Context, backendID int64, p MappingRuleParams) (*MappingRule, error) {
	return one[MappingRule](ctx, c, opCreateBackendMappingRule, p, backendID)
}

// UpdateBackendMappingRule changes a mapping rule of a backend.
func (c *Client) UpdateBackendMappingRule(ctx context.Context, backendID, id int64, p MappingRuleParams) (*MappingRule, error) {
	return one[MappingRule](ctx, c, opUpdateBackendMappingRule, p, backendID, id)
}

// DeleteBackendMappingRule deletes a mapping rule of a backend.
func (c *Client) DeleteBackendMappingRule(ctx context.Context, backendID, id int64) error {
	return none(ctx, c, opDeleteBackendMappingRule, nil, backendID, id)
}
