package tenant

import (
	"context"
	"fmt"
	"strings"

	capabilitiesv1alpha1 "github.com/threescale-oss/operator/api/capabilities/v1alpha1"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// entityTenant names the tenant in operations.
const entityTenant = "tenant"

// PlanUpdate returns the update that makes the tenant id's provider fields as spec asks: a field
// spec leaves unset is left as 3scale has it. None when they match.
func PlanUpdate(id int64, spec capabilitiesv1alpha1.TenantSpec, have threescale.Account) []planning.Operation {
	var p threescale.TenantUpdateParams
	var changed []string
	set := func(field string, want *string, have string, to **string) {
		if want != nil && *want != have {
			v := *want
			*to = &v
			changed = append(changed, field)
		}
	}
	set("from_email", spec.FromEmail, have.FromEmail, &p.FromEmail)
	set("support_email", spec.SupportEmail, have.SupportEmail, &p.SupportEmail)
	set("finance_support_email", spec.FinanceSupportEmail, have.FinanceSupportEmail, &p.FinanceSupportEmail)
	set("site_access_code", spec.SiteAccessCode, have.SiteAccessCode, &p.SiteAccessCode)
	if len(changed) == 0 {
		return nil
	}
	return []planning.Operation{{
		Verb: planning.VerbUpdate, Entity: entityTenant, Key: spec.OrganizationName,
		Description: fmt.Sprintf("update %s of tenant %d", strings.Join(changed, ", "), id),
		Run: func(ctx context.Context, c *threescale.Client) error {
			_, err := c.UpdateTenant(ctx, id, p)
			return err
		},
	}}
}

// AdminURL returns the admin portal URL of a tenant account as 3scale answers it.
func AdminURL(a threescale.Account) string {
	if a.AdminBaseURL != "" {
		return strings.TrimSuffix(a.AdminBaseURL, "/")
	}
	if a.AdminDomain != "" {
		return "https://" + a.AdminDomain
	}
	return ""
}

// SecretData is what the tenant Secret holds.
type SecretData struct {
	AdminURL, Token string
}

// PlanSecret compares the tenant Secret's data (nil when the Secret does not exist) with the
// admin URL of the tenant and the token it must hold: the one 3scale answered the signup with
// when this pass created the tenant, else the Secret's own. write is what to write, nil when
// nothing; a Secret without a token is the caller's to reissue (token "").
func PlanSecret(have map[string][]byte, adminURL, token string) (write *SecretData) {
	haveToken := string(have[capabilitiesv1alpha1.TenantSecretTokenKey])
	want := SecretData{AdminURL: adminURL, Token: haveToken}
	if token != "" {
		want.Token = token
	}
	if want.Token == "" {
		return nil
	}
	if have != nil && string(have[capabilitiesv1alpha1.TenantSecretAdminURLKey]) == want.AdminURL && haveToken == want.Token {
		return nil
	}
	return &want
}

// TokenScopes are the scopes of the access token the operator issues into the tenant Secret:
// the Account Management API (products, backends, developers, applications, ActiveDocs) and the
// Policy Registry (CustomPolicyDefinition), the two APIs the kinds that use the Secret call.
var TokenScopes = []string{"account_management", "policy_registry"}

// PlanAdmin finds the tenant's admin user among the users of tenant id (by username) and plans
// what makes it an active admin: created (with password, which must then be known), made admin,
// activated. adminID is the user's ID, 0 until it is created; the creation passes the new ID to
// created (nil for none).
func PlanAdmin(id int64, spec capabilitiesv1alpha1.TenantSpec, users []threescale.User, password string, created func(int64)) (adminID int64, ops []planning.Operation) {
	for _, u := range users {
		if u.Username != spec.Username {
			continue
		}
		uid := u.ID
		if u.Role != threescale.UserRoleAdmin {
			ops = append(ops, planning.Operation{
				Verb: planning.VerbUpdate, Entity: "user", Key: spec.Username,
				Description: fmt.Sprintf("make user %q admin of tenant %d", spec.Username, id),
				Run: func(ctx context.Context, c *threescale.Client) error {
					_, err := c.MakeUserAdmin(ctx, id, uid)
					return err
				},
			})
		}
		if u.State == threescale.UserStatePending {
			ops = append(ops, planning.Operation{
				Verb: planning.VerbUpdate, Entity: "user", Key: spec.Username,
				Description: fmt.Sprintf("activate admin user %q of tenant %d", spec.Username, id),
				Run: func(ctx context.Context, c *threescale.Client) error {
					_, err := c.ActivateUser(ctx, id, uid)
					return err
				},
			})
		}
		return uid, ops
	}
	username, email := spec.Username, spec.Email
	return 0, []planning.Operation{{
		Verb: planning.VerbCreate, Entity: "user", Key: spec.Username,
		Description: fmt.Sprintf("create admin user %q of tenant %d", spec.Username, id),
		Run: func(ctx context.Context, c *threescale.Client) error {
			u, err := c.CreateUser(ctx, id, threescale.UserParams{Username: &username, Email: &email, Password: &password})
			if err != nil {
				return err
			}
			if created != nil {
				created(u.ID)
			}
			if _, err := c.MakeUserAdmin(ctx, id, u.ID); err != nil {
				return err
			}
			_, err = c.ActivateUser(ctx, id, u.ID)
			return err
		},
	}}
}
