package developer

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/tenant"
)

func user(name, account, role string, created time.Time, ref string) *capabilitiesv1beta1.DeveloperUser {
	u := &capabilitiesv1beta1.DeveloperUser{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, CreationTimestamp: metav1.NewTime(created)},
		Spec: capabilitiesv1beta1.DeveloperUserSpec{Username: name, Email: name + "@example.com", Role: &role,
			DeveloperAccountRef: corev1.LocalObjectReference{Name: account}},
	}
	if ref != "" {
		u.Spec.ProviderAccountRef = &corev1.LocalObjectReference{Name: ref}
	}
	return u
}

// waitingReason returns the reason of a *WaitingError, "" for nil, the error text otherwise.
func waitingReason(err error) string {
	var w *external.WaitingError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &w):
		return w.Reason
	}
	return err.Error()
}

func TestAdminUser(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	acme := &capabilitiesv1beta1.DeveloperAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "acme"}}
	cases := map[string]struct {
		reason  string
		users   []runtime.Object
		want    string
		waiting string
	}{
		"None": {
			reason:  "without users the account waits for its admin",
			waiting: capabilitiesv1beta1.DeveloperAccountWaitingForAdminUserReason,
		},
		"OnlyMembersOrOthers": {
			reason: "a member, an admin of another account and an admin of another provider account do not sign up",
			users: []runtime.Object{
				user("m", "acme", "member", t0, ""), user("o", "globex", "admin", t0, ""), user("p", "acme", "admin", t0, "other-tenant"),
			},
			waiting: capabilitiesv1beta1.DeveloperAccountWaitingForAdminUserReason,
		},
		"Oldest": {
			reason: "of two admins, the oldest signs up",
			users:  []runtime.Object{user("b", "acme", "admin", t0.Add(time.Minute), ""), user("a", "acme", "admin", t0.Add(time.Hour), ""), user("c", "acme", "admin", t0, "")},
			want:   "c",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			scheme := runtime.NewScheme()
			if err := capabilitiesv1beta1.AddToScheme(scheme); err != nil {
				t.Fatal(err)
			}
			c := fake.NewClientBuilder().WithScheme(scheme).WithRuntimeObjects(tc.users...).Build()
			got, err := AdminUser(context.Background(), c, acme)
			name := ""
			if got != nil {
				name = got.Name
			}
			if diff := cmp.Diff([2]string{tc.want, tc.waiting}, [2]string{name, waitingReason(err)}); diff != "" {
				t.Errorf("%s: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestUserAccount(t *testing.T) {
	const host = "https://t-admin.example.com"
	ready := func(name string, id int64, ref string) *capabilitiesv1beta1.DeveloperAccount {
		a := &capabilitiesv1beta1.DeveloperAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name}}
		a.Status.ID, a.Status.ProviderAccountHost = &id, host
		a.Status.Conditions = []metav1.Condition{{Type: external.TypeReady, Status: metav1.ConditionTrue, Reason: "Synced"}}
		if ref != "" {
			a.Spec.ProviderAccountRef = &corev1.LocalObjectReference{Name: ref}
		}
		return a
	}
	notReady := ready("pending", 0, "")
	notReady.Status.ID, notReady.Status.Conditions = nil, nil
	cases := map[string]struct {
		reason  string
		account string
		host    string
		want    int64
		waiting string
	}{
		"Ready":        {reason: "a Ready account on the same tenant", account: "acme", host: host, want: 7},
		"Missing":      {reason: "no such account", account: "ghost", waiting: capabilitiesv1beta1.DeveloperUserAccountNotReadyReason},
		"NotReady":     {reason: "an account not signed up yet", account: "pending", waiting: capabilitiesv1beta1.DeveloperUserAccountNotReadyReason},
		"OtherRef":     {reason: "an account of another provider account", account: "other", waiting: capabilitiesv1beta1.DeveloperUserAccountNotReadyReason},
		"OtherTenant":  {reason: "an account synced to another tenant", account: "acme", host: "https://u-admin.example.com", waiting: capabilitiesv1beta1.DeveloperUserAccountNotReadyReason},
		"AnyTenantYet": {reason: "Check, before connecting, takes any tenant", account: "acme", want: 7},
	}
	scheme := runtime.NewScheme()
	if err := capabilitiesv1beta1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	c := fake.NewClientBuilder().WithScheme(scheme).WithRuntimeObjects(ready("acme", 7, ""), notReady, ready("other", 8, "elsewhere")).Build()
	k := UserKind{Accounts: c}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			u := user("bob", tc.account, "member", time.Time{}, "")
			a, err := k.account(context.Background(), u, tc.host)
			var id int64
			if a != nil {
				id = *a.Status.ID
			}
			if diff := cmp.Diff([2]any{tc.want, tc.waiting}, [2]any{id, waitingReason(err)}); diff != "" {
				t.Errorf("%s: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestPassword(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := corev1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "good"}, Data: map[string][]byte{"password": []byte("pw")}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "nokey"}, Data: map[string][]byte{"other": []byte("pw")}},
	).Build()
	secrets := tenant.SecretReader{Metadata: c, Reader: c}
	cases := map[string]struct {
		reason  string
		secret  string
		want    string
		waiting string
	}{
		"Good":    {reason: "the password key is read", secret: "good", want: "pw"},
		"Missing": {reason: "a missing Secret is waited for", secret: "ghost", waiting: capabilitiesv1beta1.DeveloperUserSecretNotFoundReason},
		"NoKey":   {reason: "a Secret without the password key is waited for", secret: "nokey", waiting: capabilitiesv1beta1.DeveloperUserSecretNotFoundReason},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			u := user("bob", "acme", "member", time.Time{}, "")
			u.Spec.PasswordCredentialsRef = corev1.SecretReference{Name: tc.secret}
			got, err := Password(context.Background(), secrets, u, passwordField)
			if diff := cmp.Diff([2]string{tc.want, tc.waiting}, [2]string{got, waitingReason(err)}); diff != "" {
				t.Errorf("%s: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
