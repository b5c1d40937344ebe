package developer

import (
	"context"
	"fmt"
	"strings"

	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// Entities of the operations this package plans.
const (
	// EntityAccount is a developer account.
	EntityAccount = "developer account"
	// EntityUser is a user of a developer account.
	EntityUser = "developer user"
)

// AccountDesired is what a DeveloperAccount asks of its 3scale account.
type AccountDesired struct {
	OrgName                string
	MonthlyBillingEnabled  bool
	MonthlyChargingEnabled bool
}

// PlanAccount returns the write that makes account have (ID id) as d says: one update with the
// fields that differ, or none.
func PlanAccount(id int64, d AccountDesired, have threescale.Account) []planning.Operation {
	var p threescale.AccountParams
	var fields []string
	if have.OrgName != d.OrgName {
		p.OrgName, fields = &d.OrgName, append(fields, "org name")
	}
	if have.MonthlyBillingEnabled != d.MonthlyBillingEnabled {
		p.MonthlyBillingEnabled, fields = &d.MonthlyBillingEnabled, append(fields, "monthly billing")
	}
	if have.MonthlyChargingEnabled != d.MonthlyChargingEnabled {
		p.MonthlyChargingEnabled, fields = &d.MonthlyChargingEnabled, append(fields, "monthly charging")
	}
	if len(fields) == 0 {
		return nil
	}
	return []planning.Operation{{
		Verb: planning.VerbUpdate, Entity: EntityAccount, Key: d.OrgName,
		Description: fmt.Sprintf("update %s of developer account %d", strings.Join(fields, ", "), id),
		Run: func(ctx context.Context, c *threescale.Client) error {
			_, err := c.UpdateAccount(ctx, id, p)
			return err
		},
	}}
}

// UserDesired is what a DeveloperUser asks of its 3scale user.
type UserDesired struct {
	Username  string
	Email     string
	Role      string
	Suspended bool
}

// PlanUser returns the writes that make the user have (of account accountID) as d says, in
// order: its username and email (one update), its role, its state. A pending user is activated
// unless the spec suspends it; a suspended one is unsuspended unless the spec suspends it (3scale
// may unsuspend a never-activated user to pending, which the next sync activates).
func PlanUser(accountID int64, d UserDesired, have threescale.User) []planning.Operation {
	id := have.ID
	var ops []planning.Operation
	var p threescale.UserParams
	var fields []string
	if have.Username != d.Username {
		p.Username, fields = &d.Username, append(fields, "username")
	}
	if have.Email != d.Email {
		p.Email, fields = &d.Email, append(fields, "email")
	}
	if len(fields) > 0 {
		ops = append(ops, planning.Operation{
			Verb: planning.VerbUpdate, Entity: EntityUser, Key: d.Username,
			Description: fmt.Sprintf("update %s of user %d of developer account %d", strings.Join(fields, ", "), id, accountID),
			Run: func(ctx context.Context, c *threescale.Client) error {
				_, err := c.UpdateUser(ctx, accountID, id, p)
				return err
			},
		})
	}
	if have.Role != d.Role {
		call := (*threescale.Client).MakeUserMember
		if d.Role == threescale.UserRoleAdmin {
			call = (*threescale.Client).MakeUserAdmin
		}
		ops = append(ops, userEvent(accountID, id, d.Username, "make", d.Role+" of", call))
	}
	switch {
	case d.Suspended && have.State != threescale.UserStateSuspended:
		ops = append(ops, userEvent(accountID, id, d.Username, "suspend", "of", (*threescale.Client).SuspendUser))
	case !d.Suspended && have.State == threescale.UserStateSuspended:
		ops = append(ops, userEvent(accountID, id, d.Username, "unsuspend", "of", (*threescale.Client).UnsuspendUser))
	case !d.Suspended && have.State == threescale.UserStatePending:
		ops = append(ops, userEvent(accountID, id, d.Username, "activate", "of", (*threescale.Client).ActivateUser))
	}
	return ops
}

// StateAfter returns the state PlanUser leaves a user in that has state now: what the status
// records once the plan has run (the next poll reads the real one).
func StateAfter(d UserDesired, now string) string {
	switch {
	case d.Suspended:
		return threescale.UserStateSuspended
	case now == threescale.UserStatePending, now == threescale.UserStateSuspended:
		return threescale.UserStateActive
	}
	return now
}

// userEvent is an operation that calls one of the user's event endpoints; its description reads
// "<verb> user <id> <rel> developer account <accountID>".
func userEvent(accountID, id int64, username, verb, rel string,
	call func(*threescale.Client, context.Context, int64, int64) (*threescale.User, error)) planning.Operation {
	return planning.Operation{
		Verb: planning.VerbUpdate, Entity: EntityUser, Key: username,
		Description: fmt.Sprintf("%s user %d %s developer account %d", verb, id, rel, accountID),
		Run: func(ctx context.Context, c *threescale.Client) error {
			_, err := call(c, ctx, accountID, id)
			return err
		},
	}
}
