package v1beta1

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/ptr"
)

// accountFlags is what the optional booleans of the account kinds mean once defaults apply.
type accountFlags struct {
	Billing, Charging, Admin, Production, DeleteCR, Generate bool
	Role                                                     string
}

func TestOptionalFieldDefaults(t *testing.T) {
	cases := map[string]struct {
		reason  string
		account DeveloperAccountSpec
		user    DeveloperUserSpec
		promote ProxyConfigPromoteSpec
		auth    ApplicationAuthSpec
		want    accountFlags
	}{
		"Unset": {
			reason: "Unset fields mean what the existing operator defaults them to: billing and charging on, role member, staging only, CR kept, nothing generated.",
			want:   accountFlags{Billing: true, Charging: true, Role: DeveloperUserRoleMember},
		},
		"AllSet": {
			reason:  "Set fields are used as written.",
			account: DeveloperAccountSpec{MonthlyBillingEnabled: ptr.To(false), MonthlyChargingEnabled: ptr.To(false)},
			user:    DeveloperUserSpec{Role: ptr.To(DeveloperUserRoleAdmin)},
			promote: ProxyConfigPromoteSpec{Production: ptr.To(true), DeleteCR: ptr.To(true)},
			auth:    ApplicationAuthSpec{GenerateSecret: ptr.To(true)},
			want:    accountFlags{Admin: true, Role: DeveloperUserRoleAdmin, Production: true, DeleteCR: true, Generate: true},
		},
		"ExplicitDefaults": {
			reason:  "Fields set to their default values behave like unset ones.",
			account: DeveloperAccountSpec{MonthlyBillingEnabled: ptr.To(true), MonthlyChargingEnabled: ptr.To(true)},
			user:    DeveloperUserSpec{Role: ptr.To(DeveloperUserRoleMember)},
			promote: ProxyConfigPromoteSpec{Production: ptr.To(false), DeleteCR: ptr.To(false)},
			auth:    ApplicationAuthSpec{GenerateSecret: ptr.To(false)},
			want:    accountFlags{Billing: true, Charging: true, Role: DeveloperUserRoleMember},
		},
		"EmptyRole": {
			reason: "An empty role (only possible from code, the schema rejects it) is the default member role.",
			user:   DeveloperUserSpec{Role: ptr.To("")},
			want:   accountFlags{Billing: true, Charging: true, Role: DeveloperUserRoleMember},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := DeveloperAccount{Spec: tc.account}
			u := DeveloperUser{Spec: tc.user}
			p := ProxyConfigPromote{Spec: tc.promote}
			auth := ApplicationAuth{Spec: tc.auth}
			got := accountFlags{
				Billing:    a.MonthlyBillingIsEnabled(),
				Charging:   a.MonthlyChargingIsEnabled(),
				Admin:      u.IsAdmin(),
				Role:       u.RoleOrDefault(),
				Production: p.PromotesToProduction(),
				DeleteCR:   p.DeletesItselfWhenDone(),
				Generate:   auth.GeneratesSecret(),
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
