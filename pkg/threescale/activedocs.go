package threescale

import (
	"context"
	"strconv"
)

// ActiveDoc is an API specification (OpenAPI) shown in the Developer Portal.
type ActiveDoc struct {
	ID                     int64  `json:"id"`
	Name                   string `json:"name"`
	SystemName             string `json:"system_name"`
	Description            string `json:"description"`
	Published              bool   `json:"published"`
	SkipSwaggerValidations bool   `json:"skip_swagger_validations"`
	// Body is the specification text.
	Body string `json:"body"`
	// ServiceID is the product the specification documents, if any.
	ServiceID *int64 `json:"service_id,omitempty"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// ActiveDocParams are the fields of a new ActiveDoc; nil fields are not sent. Name and Body are
// required.
type ActiveDocParams struct {
	Name                   *string `form:"name"`
	SystemName             *string `form:"system_name"`
	ServiceID              *int64  `form:"service_id"`
	Body                   *string `form:"body"`
	Description            *string `form:"description"`
	Published              *bool   `form:"published"`
	SkipSwaggerValidations *bool   `form:"skip_swagger_validations"`
}

// ActiveDocUpdateParams are the fields of an ActiveDoc to change (3scale does not change system
// names).
type ActiveDocUpdateParams struct {
	Name *string `form:"name"`
	// ServiceID binds the ActiveDoc to a product; Unbound() unbinds it.
	ServiceID              *BindingID `form:"service_id"`
	Body                   *string    `form:"body"`
	Description            *string    `form:"description"`
	Published              *bool      `form:"published"`
	SkipSwaggerValidations *bool      `form:"skip_swagger_validations"`
}

// A BindingID is the ID of the entity something is bound to, as an update sends it: the zero
// value, Unbound(), clears the binding. 3scale reads a blank ID as none (Rails casts "" to nil
// for an integer column, and porta's ActiveDocs controller lets a blank service_id through).
type BindingID int64

// Unbound returns the BindingID that clears a binding.
func Unbound() *BindingID {
	var id BindingID
	return &id
}

// BindTo returns the BindingID of id.
func BindTo(id int64) *BindingID {
	b := BindingID(id)
	return &b
}

// FormValue implements formValuer: the ID, or blank for none.
func (b BindingID) FormValue() string {
	if b == 0 {
		return ""
	}
	return strconv.FormatInt(int64(b), 10)
}

// ListActiveDocs returns every ActiveDoc of the tenant.
func (c *Client) ListActiveDocs(ctx context.Context) ([]ActiveDoc, error) {
	return list[ActiveDoc](ctx, c, opListActiveDocs, nil)
}

// GetActiveDoc returns one ActiveDoc.
func (c *Client) GetActiveDoc(ctx context.Context, id int64) (*ActiveDoc, error) {
	return one[ActiveDoc](ctx, c, opGetActiveDoc, nil, id)
}

// CreateActiveDoc creates an ActiveDoc.
func (c *Client) CreateActiveDoc(ctx context.Context, p ActiveDocParams) (*ActiveDoc, error) {
	return one[ActiveDoc](ctx, c, opCreateActiveDoc, p)
}

// UpdateActiveDoc changes an ActiveDoc.
func (c *Client) UpdateActiveDoc(ctx context.Context, id int64, p ActiveDocUpdateParams) (*ActiveDoc, error) {
	return one[ActiveDoc](ctx, c, opUpdateActiveDoc, p, id)
}

// DeleteActiveDoc deletes an ActiveDoc.
func (c *Client) DeleteActiveDoc(ctx context.Context, id int64) error {
	return none(ctx, c, opDeleteActiveDoc, nil, id)
}

// Key returns the ActiveDoc's natural key, its system name.
func (d ActiveDoc) Key() string { return d.SystemName }

// EntityID returns the ActiveDoc's ID.
func (d ActiveDoc) EntityID() int64 { return d.ID }
