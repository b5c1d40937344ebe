package application

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/threescale"
)

func TestPlan(t *testing.T) {
	inSync := threescale.Application{ID: 9, Name: "app", Description: "d", PlanID: 3, State: threescale.ApplicationStateLive}
	cases := map[string]struct {
		reason string
		want   Desired
		have   threescale.Application
		ops    []string
		state  string
	}{
		"InSync": {
			reason: "an application as the spec says needs no write",
			want:   Desired{Name: "app", Description: "d", PlanID: 3},
			have:   inSync, state: "live",
		},
		"NameAndDescription": {
			reason: "a new name and description are one update",
			want:   Desired{Name: "app2", Description: "d2", PlanID: 3},
			have:   inSync, state: "live",
			ops: []string{"update name, description of application 9"},
		},
		"Plan": {
			reason: "another plan is a change of plan, not a new application",
			want:   Desired{Name: "app", Description: "d", PlanID: 4},
			have:   inSync, state: "live",
			ops: []string{"change the plan of application 9 from 3 to 4"},
		},
		"Suspend": {
			reason: "a live application asked to be suspended is suspended",
			want:   Desired{Name: "app", Description: "d", PlanID: 3, Suspend: true},
			have:   inSync, state: "suspended",
			ops: []string{"suspend application 9"},
		},
		"ResumeDrift": {
			reason: "an application suspended by hand is resumed",
			want:   Desired{Name: "app", Description: "d", PlanID: 3},
			have:   threescale.Application{ID: 9, Name: "app", Description: "d", PlanID: 3, State: threescale.ApplicationStateSuspended},
			ops:    []string{"resume application 9"}, state: "live",
		},
		"Pending": {
			reason: "a pending application is left for the provider to accept",
			want:   Desired{Name: "app", Description: "d", PlanID: 3, Suspend: true},
			have:   threescale.Application{ID: 9, Name: "app", Description: "d", PlanID: 3, State: threescale.ApplicationStatePending},
			state:  "pending",
		},
		"All": {
			reason: "every difference, in order: fields, plan, state",
			want:   Desired{Name: "x", Description: "d", PlanID: 5, Suspend: true},
			have:   inSync, state: "suspended",
			ops: []string{"update name of application 9", "change the plan of application 9 from 3 to 5", "suspend application 9"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ops := Plan(1, tc.want, tc.have)
			if d := cmp.Diff(tc.ops, planning.Descriptions(ops), cmpopts.EquateEmpty()); d != "" {
				t.Errorf("%s: -want, +got:\n%s", tc.reason, d)
			}
			for _, op := range ops {
				if op.Verb != planning.VerbUpdate || op.Entity != EntityApplication {
					t.Errorf("%s: operation %+v", tc.reason, op)
				}
			}
			if got := StateAfter(tc.want, tc.have.State); got != tc.state {
				t.Errorf("%s: state after = %q, want %q", tc.reason, got, tc.state)
			}
		})
	}
}

func TestCredentialKeys(t *testing.T) {
	cases := map[string]struct {
		mode string
		data map[string]string
		want threescale.ApplicationParams
	}{
		"UserKeyDefault": {
			mode: "", data: map[string]string{"UserKey": "uk", "ApplicationKey": "ignored"},
			want: threescale.ApplicationParams{UserKey: ptr("uk")},
		},
		"AppIDAppKey": {
			mode: capabilitiesv1beta1.AuthenticationModeAppKeyAppID, data: map[string]string{"ApplicationID": "id", "ApplicationKey": "k", "UserKey": "ignored"},
			want: threescale.ApplicationParams{ApplicationID: ptr("id"), ApplicationKey: ptr("k")},
		},
		"OIDC": {
			mode: capabilitiesv1beta1.AuthenticationModeOIDC, data: map[string]string{"ClientID": "c", "ClientSecret": "s"},
			want: threescale.ApplicationParams{ApplicationID: ptr("c"), ApplicationKey: ptr("s")},
		},
		"EmptyLeftTo3scale": {
			mode: capabilitiesv1beta1.AuthenticationModeUserKey, data: map[string]string{"UserKey": ""},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			data := map[string][]byte{}
			for k, v := range tc.data {
				data[k] = []byte(v)
			}
			var p threescale.ApplicationParams
			SetCredentials(tc.mode, data, &p)
			if d := cmp.Diff(tc.want, p); d != "" {
				t.Errorf("-want, +got:\n%s", d)
			}
		})
	}
}

func ptr(s string) *string { return &s }

func TestMadeBefore(t *testing.T) {
	apps := []threescale.Application{
		{ID: 1, Name: "a", ServiceID: 10}, {ID: 2, Name: "a", ServiceID: 11}, {ID: 3, Name: "b", ServiceID: 10}, {ID: 4, Name: "b", ServiceID: 10},
	}
	cases := map[string]struct {
		product int64
		name    string
		want    int64
	}{
		"One":       {product: 10, name: "a", want: 1},
		"OtherProd": {product: 11, name: "a", want: 2},
		"None":      {product: 10, name: "c"},
		"Ambiguous": {product: 10, name: "b"},
	}
	for name, tc := range cases {
		if got := MadeBefore(apps, tc.product, tc.name); got != tc.want {
			t.Errorf("%s: MadeBefore = %d, want %d", name, got, tc.want)
		}
	}
}
