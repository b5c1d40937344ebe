package activedoc

import (
	"context"
	"fmt"
	"strings"

	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// EntityActiveDoc is the planning entity of an ActiveDoc.
const EntityActiveDoc = "ActiveDoc"

// Desired is what an ActiveDoc object asks of 3scale, defaults applied and its references
// resolved.
type Desired struct {
	// SystemName identifies the ActiveDoc in its tenant.
	SystemName string
	// Name, Description, Published and SkipSwaggerValidations are its attributes.
	Name, Description                 string
	Published, SkipSwaggerValidations bool
	// Body is the document.
	Body Body
	// ServiceID is the product the ActiveDoc is bound to; 0 when it is bound to none.
	ServiceID int64
}

// Plan returns the write that makes 3scale's ActiveDoc have match d, with the fields that differ
// only; none when it matches. The body is compared as data, so that reformatting the document
// writes nothing.
func Plan(d Desired, have *threescale.ActiveDoc) []planning.Operation {
	var p threescale.ActiveDocUpdateParams
	var changed []string
	if have.Name != d.Name {
		p.Name, changed = ptr(d.Name), append(changed, "name")
	}
	if have.Description != d.Description {
		p.Description, changed = ptr(d.Description), append(changed, "description")
	}
	if have.Published != d.Published {
		p.Published, changed = ptr(d.Published), append(changed, "published")
	}
	if have.SkipSwaggerValidations != d.SkipSwaggerValidations {
		p.SkipSwaggerValidations, changed = ptr(d.SkipSwaggerValidations), append(changed, "skip swagger validations")
	}
	if !d.Body.SameAs(have.Body) {
		p.Body, changed = ptr(d.Body.JSON), append(changed, "body")
	}
	switch bound := have.ServiceID != nil && *have.ServiceID != 0; {
	case d.ServiceID == 0 && bound:
		p.ServiceID, changed = threescale.Unbound(), append(changed, "unbind from product")
	case d.ServiceID != 0 && (!bound || *have.ServiceID != d.ServiceID):
		p.ServiceID, changed = threescale.BindTo(d.ServiceID), append(changed, fmt.Sprintf("bind to product %d", d.ServiceID))
	}
	if len(changed) == 0 {
		return nil
	}
	id := have.ID
	return []planning.Operation{{
		Verb: planning.VerbUpdate, Entity: EntityActiveDoc, Key: d.SystemName,
		Description: fmt.Sprintf("update ActiveDoc %q: %s", d.SystemName, strings.Join(changed, ", ")),
		Run: func(ctx context.Context, c *threescale.Client) error {
			_, err := c.UpdateActiveDoc(ctx, id, p)
			return err
		},
	}}
}

// createParams are the parameters that create d.
func createParams(d Desired) threescale.ActiveDocParams {
	p := threescale.ActiveDocParams{
		Name: ptr(d.Name), SystemName: ptr(d.SystemName), Body: ptr(d.Body.JSON), Description: ptr(d.Description),
		Published: ptr(d.Published), SkipSwaggerValidations: ptr(d.SkipSwaggerValidations),
	}
	if d.ServiceID != 0 {
		p.ServiceID = ptr(d.ServiceID)
	}
	return p
}

func ptr[T any](v T) *T { return &v }
