package developer

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/threescale"
)

func TestPlanAccount(t *testing.T) {
	inSync := threescale.Account{ID: 7, OrgName: "ACME", MonthlyBillingEnabled: true, MonthlyChargingEnabled: true}
	cases := map[string]struct {
		reason string
		want   AccountDesired
		have   threescale.Account
		ops    []string
	}{
		"InSync": {
			reason: "an account as the spec says needs no write",
			want:   AccountDesired{OrgName: "ACME", MonthlyBillingEnabled: true, MonthlyChargingEnabled: true},
			have:   inSync,
		},
		"OrgName": {
			reason: "a renamed organization is one update",
			want:   AccountDesired{OrgName: "ACME Corp", MonthlyBillingEnabled: true, MonthlyChargingEnabled: true},
			have:   inSync,
			ops:    []string{"update org name of developer account 7"},
		},
		"Flags": {
			reason: "both flags turned off are one update with both",
			want:   AccountDesired{OrgName: "ACME"},
			have:   inSync,
			ops:    []string{"update monthly billing, monthly charging of developer account 7"},
		},
		"DriftTurnedOn": {
			reason: "a flag turned on by hand is turned off again",
			want:   AccountDesired{OrgName: "ACME", MonthlyChargingEnabled: true},
			have:   inSync,
			ops:    []string{"update monthly billing of developer account 7"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := PlanAccount(7, tc.want, tc.have)
			if diff := cmp.Diff(tc.ops, nilIfEmpty(planning.Descriptions(got))); diff != "" {
				t.Errorf("%s: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestPlanUser(t *testing.T) {
	active := threescale.User{ID: 3, Username: "bob", Email: "bob@example.com", Role: "member", State: "active"}
	with := func(f func(*threescale.User)) threescale.User {
		u := active
		f(&u)
		return u
	}
	member := UserDesired{Username: "bob", Email: "bob@example.com", Role: "member"}
	cases := map[string]struct {
		reason    string
		want      UserDesired
		have      threescale.User
		ops       []string
		stateNext string
	}{
		"InSync": {
			reason: "a user as the spec says needs no write", want: member, have: active, stateNext: "active",
		},
		"UsernameAndEmail": {
			reason: "a new username and email are one update",
			want:   UserDesired{Username: "robert", Email: "robert@example.com", Role: "member"},
			have:   active, stateNext: "active",
			ops: []string{"update username, email of user 3 of developer account 9"},
		},
		"MakeAdmin": {
			reason: "a member made admin", want: UserDesired{Username: "bob", Email: "bob@example.com", Role: "admin"},
			have: active, stateNext: "active",
			ops: []string{"make user 3 admin of developer account 9"},
		},
		"MakeMember": {
			reason: "an admin made member by hand is made member again", want: member,
			have: with(func(u *threescale.User) { u.Role = "admin" }), stateNext: "active",
			ops: []string{"make user 3 member of developer account 9"},
		},
		"Suspend": {
			reason: "a suspended spec suspends an active user",
			want:   UserDesired{Username: "bob", Email: "bob@example.com", Role: "member", Suspended: true},
			have:   active, stateNext: "suspended",
			ops: []string{"suspend user 3 of developer account 9"},
		},
		"SuspendPending": {
			reason: "a pending user is suspended, not activated first",
			want:   UserDesired{Username: "bob", Email: "bob@example.com", Role: "member", Suspended: true},
			have:   with(func(u *threescale.User) { u.State = "pending" }), stateNext: "suspended",
			ops: []string{"suspend user 3 of developer account 9"},
		},
		"Unsuspend": {
			reason: "a user suspended by hand is unsuspended", want: member,
			have: with(func(u *threescale.User) { u.State = "suspended" }), stateNext: "active",
			ops: []string{"unsuspend user 3 of developer account 9"},
		},
		"ActivatePending": {
			reason: "a pending user (created by the operator) is activated", want: member,
			have: with(func(u *threescale.User) { u.State = "pending" }), stateNext: "active",
			ops: []string{"activate user 3 of developer account 9"},
		},
		"Everything": {
			reason: "fields, role and state change in that order",
			want:   UserDesired{Username: "bob", Email: "b@example.com", Role: "admin", Suspended: true},
			have:   active, stateNext: "suspended",
			ops: []string{
				"update email of user 3 of developer account 9",
				"make user 3 admin of developer account 9",
				"suspend user 3 of developer account 9",
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := PlanUser(9, tc.want, tc.have)
			if diff := cmp.Diff(tc.ops, nilIfEmpty(planning.Descriptions(got))); diff != "" {
				t.Errorf("%s: -want, +got:\n%s", tc.reason, diff)
			}
			if s := StateAfter(tc.want, tc.have.State); s != tc.stateNext {
				t.Errorf("%s: StateAfter = %q, want %q", tc.reason, s, tc.stateNext)
			}
		})
	}
}

func TestDesired(t *testing.T) {
	f := false
	a := &capabilitiesv1beta1.DeveloperAccount{Spec: capabilitiesv1beta1.DeveloperAccountSpec{OrgName: "ACME", MonthlyChargingEnabled: &f}}
	if diff := cmp.Diff(AccountDesired{OrgName: "ACME", MonthlyBillingEnabled: true}, DesiredAccount(a)); diff != "" {
		t.Errorf("unset flags default to true: -want, +got:\n%s", diff)
	}
	u := &capabilitiesv1beta1.DeveloperUser{Spec: capabilitiesv1beta1.DeveloperUserSpec{Username: "bob", Email: "bob@example.com"}}
	if diff := cmp.Diff(UserDesired{Username: "bob", Email: "bob@example.com", Role: "member"}, DesiredUser(u)); diff != "" {
		t.Errorf("an unset role is member: -want, +got:\n%s", diff)
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}
