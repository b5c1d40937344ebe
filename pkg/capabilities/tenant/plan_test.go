package tenant

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	capabilitiesv1alpha1 "github.com/threescale-oss/operator/api/capabilities/v1alpha1"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/threescale"
)

func ptr(s string) *string { return &s }

func TestPlanUpdate(t *testing.T) {
	have := threescale.Account{FromEmail: "a@x.com", SupportEmail: "a@x.com", FinanceSupportEmail: "a@x.com", SiteAccessCode: "code"}
	for name, tc := range map[string]struct {
		spec capabilitiesv1alpha1.TenantSpec
		// want are the descriptions of the planned operations.
		want []string
	}{
		"unset fields are left alone": {},
		"equal fields make no write":  {spec: capabilitiesv1alpha1.TenantSpec{FromEmail: ptr("a@x.com"), SiteAccessCode: ptr("code")}},
		"changed fields make one update": {
			spec: capabilitiesv1alpha1.TenantSpec{FromEmail: ptr("b@x.com"), SupportEmail: ptr("a@x.com"), FinanceSupportEmail: ptr("c@x.com"), SiteAccessCode: ptr("")},
			want: []string{"update from_email, finance_support_email, site_access_code of tenant 3"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			got := planning.Descriptions(PlanUpdate(3, tc.spec, have))
			if d := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("-want +got\n%s", d)
			}
		})
	}
}

func TestPlanSecret(t *testing.T) {
	const url = "https://t-admin.example.com"
	full := map[string][]byte{"adminURL": []byte(url), "token": []byte("old")}
	for name, tc := range map[string]struct {
		have  map[string][]byte
		token string
		want  *SecretData
	}{
		"created: the Secret is written":            {token: "new", want: &SecretData{AdminURL: url, Token: "new"}},
		"in sync: no write":                         {have: full},
		"admin URL moved: written with its token":   {have: map[string][]byte{"adminURL": []byte("http://old"), "token": []byte("old")}, want: &SecretData{AdminURL: url, Token: "old"}},
		"no token and none to write: nothing":       {have: map[string][]byte{"adminURL": []byte(url)}},
		"no Secret and none to write: nothing":      {},
		"a new signup's token replaces the old one": {have: full, token: "new", want: &SecretData{AdminURL: url, Token: "new"}},
	} {
		t.Run(name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, PlanSecret(tc.have, url, tc.token)); d != "" {
				t.Errorf("-want +got\n%s", d)
			}
		})
	}
}

func TestSecretNameAndCheck(t *testing.T) {
	tn := &capabilitiesv1alpha1.Tenant{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "t1"},
		Spec: capabilitiesv1alpha1.TenantSpec{OrganizationName: "ECorp"}}
	if got := SecretName(tn).String(); got != "ns/t1-ecorp" {
		t.Errorf("default name: %s", got)
	}
	if err := (Kind{}).Check(t.Context(), tn); err != nil {
		t.Errorf("check: %v", err)
	}
	tn.Spec.OrganizationName = "E Corp"
	if err := (Kind{}).Check(t.Context(), tn); err == nil {
		t.Error("a name with a space is accepted")
	}
	tn.Spec.TenantSecretRef = &corev1.SecretReference{Name: "s", Namespace: "other"}
	if err := (Kind{}).Check(t.Context(), tn); err == nil {
		t.Error("a Secret of another namespace is accepted")
	}
}

func TestPlanAdmin(t *testing.T) {
	spec := capabilitiesv1alpha1.TenantSpec{Username: "admin", Email: "admin@ecorp.com"}
	other := threescale.User{ID: 1, Username: "someone", Role: "admin", State: "active"}
	for name, tc := range map[string]struct {
		users   []threescale.User
		wantID  int64
		wantOps []string
	}{
		"active admin: nothing":  {users: []threescale.User{other, {ID: 2, Username: "admin", Role: "admin", State: "active"}}, wantID: 2},
		"pending (the signup's)": {users: []threescale.User{{ID: 2, Username: "admin", Role: "admin", State: "pending"}}, wantID: 2, wantOps: []string{`activate admin user "admin" of tenant 3`}},
		"member":                 {users: []threescale.User{{ID: 2, Username: "admin", Role: "member", State: "active"}}, wantID: 2, wantOps: []string{`make user "admin" admin of tenant 3`}},
		"missing: created":       {users: []threescale.User{other}, wantOps: []string{`create admin user "admin" of tenant 3`}},
	} {
		t.Run(name, func(t *testing.T) {
			id, ops := PlanAdmin(3, spec, tc.users, "pw", nil)
			if d := cmp.Diff(tc.wantOps, planning.Descriptions(ops), cmpopts.EquateEmpty()); d != "" || id != tc.wantID {
				t.Errorf("id %d (want %d); -want +got\n%s", id, tc.wantID, d)
			}
		})
	}
}
