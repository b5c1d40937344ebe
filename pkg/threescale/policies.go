package threescale

import (
	"context"
	"encoding/json"
)

// CustomPolicy is an APIcast policy in a tenant's Policy Registry.
type CustomPolicy struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Version string `json:"version"`
	Summary string `json:"summary"`
	// Description is the manifest's description: a string, or a list of paragraphs.
	Description json.RawMessage `json:"description"`
	// Schema is the policy's manifest (apicast-policy.json).
	Schema    json.RawMessage `json:"schema"`
	CreatedAt string          `json:"created_at"`
	UpdatedAt string          `json:"updated_at"`
}

// CustomPolicyParams are the fields of a policy to create or change; nil fields are not sent. A
// new policy needs all three.
type CustomPolicyParams struct {
	Name    *string `form:"name"`
	Version *string `form:"version"`
	// Schema is sent as JSON text, as the Policy Registry API describes it.
	Schema json.RawMessage `form:"schema"`
}

// ListCustomPolicies returns the policies of the tenant's registry.
func (c *Client) ListCustomPolicies(ctx context.Context) ([]CustomPolicy, error) {
	return list[CustomPolicy](ctx, c, opListCustomPolicies, nil)
}

// GetCustomPolicy returns one policy of the registry.
func (c *Client) GetCustomPolicy(ctx context.Context, id int64) (*CustomPolicy, error) {
	return one[CustomPolicy](ctx, c, opGetCustomPolicy, nil, id)
}

// CreateCustomPolicy adds a policy to the registry.
func (c *Client) CreateCustomPolicy(ctx context.Context, p CustomPolicyParams) (*CustomPolicy, error) {
	return one[CustomPolicy](ctx, c, opCreateCustomPolicy, p)
}

// UpdateCustomPolicy changes a policy of the registry.
func (c *Client) UpdateCustomPolicy(ctx context.Context, id int64, p CustomPolicyParams) (*CustomPolicy, error) {
	return one[CustomPolicy](ctx, c, opUpdateCustomPolicy, p, id)
}

// DeleteCustomPolicy removes a policy from the registry.
func (c *Client) DeleteCustomPolicy(ctx context.Context, id int64) error {
	return none(ctx, c, opDeleteCustomPolicy, nil, id)
}
