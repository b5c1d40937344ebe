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
// admin URL of the tenant and the token 3scale answered the signup with (empty unless this pass
// created the tenant). write is what to write, nil when nothing; lost is true when the Secret
// lacks a token that only a new signup would show.
func PlanSecret(have map[string][]byte, adminURL, token string) (write *SecretData, lost bool) {
	haveToken := string(have[capabilitiesv1alpha1.TenantSecretTokenKey])
	want := SecretData{AdminURL: adminURL, Token: haveToken}
	if token != "" {
		want.Token = token
	}
	if want.Token == "" {
		return nil, true
	}
	if have != nil && string(have[capabilitiesv1alpha1.TenantSecretAdminURLKey]) == want.AdminURL && haveToken == want.Token {
		return nil, false
	}
	return &want, false
}
