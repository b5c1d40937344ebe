package application

import (
	"context"
	"fmt"
	"strings"

	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// EntityApplication is the entity of the operations this package plans.
const EntityApplication = "application"

// Desired is what an Application asks of its 3scale application.
type Desired struct {
	Name        string
	Description string
	// PlanID is the 3scale ID of the application plan (resolved from its system name).
	PlanID int64
	// Suspend says the application is to be suspended.
	Suspend bool
}

// Plan returns the writes that make the application have (of account accountID) as d says, in
// order: its name and description (one update), its plan (change_plan: never a new
// application), its state (suspend or resume). A pending application is left pending: accepting
// it is the provider's decision in the Admin Portal.
func Plan(accountID int64, d Desired, have threescale.Application) []planning.Operation {
	var ops []planning.Operation
	id := have.ID
	var p threescale.ApplicationUpdateParams
	var fields []string
	if have.Name != d.Name {
		p.Name, fields = &d.Name, append(fields, "name")
	}
	if have.Description != d.Description {
		p.Description, fields = &d.Description, append(fields, "description")
	}
	if len(fields) > 0 {
		ops = append(ops, planning.Operation{
			Verb: planning.VerbUpdate, Entity: EntityApplication, Key: d.Name,
			Description: fmt.Sprintf("update %s of application %d", strings.Join(fields, ", "), id),
			Run: func(ctx context.Context, c *threescale.Client) error {
				_, err := c.UpdateApplication(ctx, accountID, id, p)
				return err
			},
		})
	}
	if d.PlanID != 0 && have.PlanID != d.PlanID {
		planID := d.PlanID
		ops = append(ops, planning.Operation{
			Verb: planning.VerbUpdate, Entity: EntityApplication, Key: d.Name,
			Description: fmt.Sprintf("change the plan of application %d from %d to %d", id, have.PlanID, planID),
			Run: func(ctx context.Context, c *threescale.Client) error {
				_, err := c.ChangeApplicationPlan(ctx, accountID, id, planID)
				return err
			},
		})
	}
	switch {
	case d.Suspend && have.State == threescale.ApplicationStateLive:
		ops = append(ops, planning.Operation{
			Verb: planning.VerbUpdate, Entity: EntityApplication, Key: d.Name,
			Description: fmt.Sprintf("suspend application %d", id),
			Run: func(ctx context.Context, c *threescale.Client) error {
				_, err := c.SuspendApplication(ctx, accountID, id)
				return err
			},
		})
	case !d.Suspend && have.State == threescale.ApplicationStateSuspended:
		ops = append(ops, planning.Operation{
			Verb: planning.VerbUpdate, Entity: EntityApplication, Key: d.Name,
			Description: fmt.Sprintf("resume application %d", id),
			Run: func(ctx context.Context, c *threescale.Client) error {
				_, err := c.ResumeApplication(ctx, accountID, id)
				return err
			},
		})
	}
	return ops
}

// StateAfter returns the state the application is in once the plan for d has run on an
// application in state have.
func StateAfter(d Desired, have string) string {
	switch {
	case d.Suspend && have == threescale.ApplicationStateLive:
		return threescale.ApplicationStateSuspended
	case !d.Suspend && have == threescale.ApplicationStateSuspended:
		return threescale.ApplicationStateLive
	}
	return have
}
