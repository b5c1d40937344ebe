package capabilities_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	capabilitiesv1alpha1 "github.com/threescale-oss/operator/api/capabilities/v1alpha1"
	"github.com/threescale-oss/operator/controllers/capabilities"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// withTenants adds the Tenant controller to the harness, and returns a client of the master API.
func (h *harness) withTenants() *threescale.Client {
	h.t.Helper()
	h.setups = append(h.setups, capabilities.SetupTenant)
	mc, err := threescale.New(h.srv.MasterURL(), h.srv.MasterToken(), threescale.WithMetricsRegisterer(prometheus.NewRegistry()))
	if err != nil {
		h.t.Fatal(err)
	}
	return mc
}

// tenantSecrets creates the master token and admin password Secrets a Tenant reads.
func (h *harness) tenantSecrets() {
	h.create(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "master"}, StringData: map[string]string{"MASTER_ACCESS_TOKEN": h.srv.MasterToken()}})
	h.create(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "ecorp-admin"}, StringData: map[string]string{"admin_password": "s3cret-admin"}})
}

func (h *harness) newTenant(name, org string) *capabilitiesv1alpha1.Tenant {
	return &capabilitiesv1alpha1.Tenant{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: capabilitiesv1alpha1.TenantSpec{
			Username: "admin", Email: "admin@ecorp.com", OrganizationName: org,
			SystemMasterURL:        h.srv.MasterURL(),
			MasterCredentialsRef:   corev1.SecretReference{Name: "master"},
			PasswordCredentialsRef: corev1.SecretReference{Name: "ecorp-admin"},
			TenantSecretRef:        &corev1.SecretReference{Name: name + "-secret"},
			FromEmail:              ptr("info@ecorp.com"),
			SupportEmail:           ptr("support@ecorp.com"),
		},
	}
}

func (h *harness) waitTenantReady(tn *capabilitiesv1alpha1.Tenant) {
	h.t.Helper()
	h.waitCondition(tn, func() []metav1.Condition { return tn.Status.Conditions }, "Ready", metav1.ConditionTrue, "")
}

// tenantSecretOf reads the tenant Secret of tn.
func (h *harness) tenantSecretOf(tn *capabilitiesv1alpha1.Tenant) *corev1.Secret {
	h.t.Helper()
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: h.ns, Name: tn.Spec.TenantSecretRef.Name}}
	if err := h.get(s); err != nil {
		h.t.Fatalf("tenant Secret: %v", err)
	}
	return s
}

func TestTenantObjectLifecycle(t *testing.T) {
	h := newHarness(t)
	mc := h.withTenants()
	h.tenantSecrets()
	h.startManager()
	ctx := context.Background()
	tn := h.newTenant("ecorp", "ECorp")
	h.create(tn)
	h.waitTenantReady(tn)
	id := tn.Status.TenantID
	if id == 0 {
		t.Fatalf("status = %+v", tn.Status)
	}
	h.diff("tenant signups", 1, h.srv.CallCount("POST /master/api/providers.json"))
	have, err := mc.GetTenant(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	h.diff("3scale tenant", []string{"ECorp", "info@ecorp.com", "support@ecorp.com", "admin@ecorp.com"},
		[]string{have.Account.OrgName, have.Account.FromEmail, have.Account.SupportEmail, have.Account.FinanceSupportEmail})

	users, err := mc.ListUsers(ctx, id, threescale.UserFilter{})
	if err != nil || len(users) != 1 || users[0].Username != "admin" || users[0].Role != "admin" || users[0].State != "active" {
		t.Errorf("tenant users: %+v, %v", users, err)
	} else {
		h.eventually("adminId recorded", func() error {
			if err := h.get(tn); err != nil || tn.Status.AdminID != users[0].ID {
				return fmt.Errorf("adminId %d, want %d (%v)", tn.Status.AdminID, users[0].ID, err)
			}
			return nil
		})
	}

	s := h.tenantSecretOf(tn)
	owners := s.GetOwnerReferences()
	if len(owners) != 1 || owners[0].UID != tn.UID || owners[0].Controller == nil || !*owners[0].Controller {
		t.Errorf("tenant Secret owners = %+v", owners)
	}
	adminURL, token := string(s.Data["adminURL"]), string(s.Data["token"])
	h.diff("adminURL", strings.TrimSuffix(have.Account.AdminBaseURL, "/"), adminURL)

	t.Run("SecretUsableAsProviderAccount", func(t *testing.T) {
		b := newBackend("tenant-backend")
		b.Spec.ProviderAccountRef = &corev1.LocalObjectReference{Name: s.Name}
		h.create(b)
		h.waitSynced(b)
		tc, err := threescale.New(adminURL, token, threescale.WithMetricsRegisterer(prometheus.NewRegistry()))
		if err != nil {
			t.Fatal(err)
		}
		got, err := tc.GetBackend(ctx, *b.Status.ID)
		if err != nil || got.SystemName != "tenant-backend" {
			t.Errorf("backend in the new tenant: %+v, %v", got, err)
		}
		h.delete(b)
		h.waitGone(b)
	})

	t.Run("UpdateEmails", func(t *testing.T) {
		h.update(tn, func() {
			tn.Spec.SupportEmail = ptr("help@ecorp.com")
			tn.Spec.FinanceSupportEmail = ptr("billing@ecorp.com")
			tn.Spec.SiteAccessCode = ptr("open-sesame")
		})
		h.waitTenantReady(tn)
		have, err := mc.GetTenant(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		h.diff("3scale tenant", []string{"info@ecorp.com", "help@ecorp.com", "billing@ecorp.com", "open-sesame"},
			[]string{have.Account.FromEmail, have.Account.SupportEmail, have.Account.FinanceSupportEmail, have.Account.SiteAccessCode})
	})

	t.Run("ResyncWritesNothing", func(t *testing.T) {
		h.srv.ResetCalls()
		time.Sleep(3 * pollInterval)
		h.diff("writes of resyncs", []string(nil), h.writes())
		if n := h.srv.CallCount("GET /master/api/providers/{id}.json"); n == 0 {
			t.Error("no resync read the tenant")
		}
	})

	t.Run("AdminUserMadeAgain", func(t *testing.T) {
		if err := mc.DeleteUser(ctx, id, tn.Status.AdminID); err != nil {
			t.Fatal(err)
		}
		h.eventually("admin user made again", func() error {
			users, err := mc.ListUsers(ctx, id, threescale.UserFilter{})
			if err != nil || len(users) != 1 || users[0].State != "active" || users[0].Role != "admin" {
				return fmt.Errorf("users %+v, %v", users, err)
			}
			if err := h.get(tn); err != nil || tn.Status.AdminID != users[0].ID {
				return fmt.Errorf("adminId %d, want %d (%v)", tn.Status.AdminID, users[0].ID, err)
			}
			return nil
		})
	})

	t.Run("PasswordRotation", func(t *testing.T) {
		h.srv.ResetCalls()
		pw := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: h.ns, Name: "ecorp-admin"}}
		h.update(pw, func() { pw.Data = map[string][]byte{"admin_password": []byte("n3w-s3cret")} })
		h.eventually("the new password's version recorded", func() error {
			s := h.tenantSecretOf(tn)
			if got := s.Annotations["tenant.capabilities.3scale.net/admin-password-version"]; got != pw.ResourceVersion {
				return fmt.Errorf("recorded version %q, want %q", got, pw.ResourceVersion)
			}
			return nil
		})
		h.diff("password changes", 1, h.srv.CallCount("PUT /admin/api/accounts/{account_id}/users/{id}.json"))
	})

	// A token 3scale refuses (revoked in the admin portal), or one gone from the Secret, is
	// replaced by a new one the operator issues with the tenant's provider key.
	tokenWorks := func(token string) error {
		c, err := threescale.New(adminURL, token, threescale.WithMetricsRegisterer(prometheus.NewRegistry()))
		if err != nil {
			return err
		}
		_, err = c.GetProviderUser(ctx, tn.Status.AdminID)
		return err
	}
	reissued := func(what, old string) string {
		t.Helper()
		var token string
		h.eventually(what, func() error {
			s := h.tenantSecretOf(tn)
			token = string(s.Data["token"])
			if token == "" || token == old {
				return fmt.Errorf("the tenant Secret holds no new token")
			}
			return tokenWorks(token)
		})
		h.diff("adminURL kept", adminURL, string(h.tenantSecretOf(tn).Data["adminURL"]))
		return token
	}
	t.Run("TokenReissuedWhenRefused", func(t *testing.T) {
		h.srv.ResetCalls()
		h.srv.RevokeAccessToken(token)
		if tokenWorks(token) == nil {
			t.Fatal("the revoked token still works")
		}
		token = reissued("a new token after the old was revoked", token)
		h.diff("tokens issued", 1, h.srv.CallCount("POST /admin/api/users/{user_id}/access_tokens.json"))
		h.diff("tenant signups", 0, h.srv.CallCount("POST /master/api/providers.json"))
	})
	t.Run("TokenReissuedWhenLost", func(t *testing.T) {
		h.srv.ResetCalls()
		s := h.tenantSecretOf(tn)
		h.update(s, func() { delete(s.Data, "token") })
		token = reissued("a new token after it was removed from the Secret", "")
		h.diff("tokens issued", 1, h.srv.CallCount("POST /admin/api/users/{user_id}/access_tokens.json"))
	})
	t.Run("ResyncWithWorkingTokenIssuesNone", func(t *testing.T) {
		h.srv.ResetCalls()
		time.Sleep(3 * pollInterval)
		h.diff("writes of resyncs", []string(nil), h.writes())
		if n := h.srv.CallCount("GET /admin/api/users/{id}.json"); n == 0 {
			t.Error("no resync checked the tenant Secret's token")
		}
	})

	t.Run("Delete", func(t *testing.T) {
		h.delete(tn)
		h.waitGone(tn)
		have, err := mc.GetTenant(ctx, id)
		if err != nil || have.Account.State != "scheduled_for_deletion" {
			t.Errorf("3scale tenant after deletion: %+v, %v", have, err)
		}
	})
}

func TestTenantObjectOrphanPolicy(t *testing.T) {
	h := newHarness(t)
	mc := h.withTenants()
	h.tenantSecrets()
	h.startManager()
	tn := h.newTenant("kept", "Kept Corp")
	tn.Annotations = map[string]string{external.DeletionPolicyAnnotation: external.DeletionPolicyOrphan}
	h.create(tn)
	h.waitTenantReady(tn)
	h.delete(tn)
	h.waitGone(tn)
	have, err := mc.GetTenant(context.Background(), tn.Status.TenantID)
	if err != nil || have.Account.State == "scheduled_for_deletion" {
		t.Errorf("orphaned tenant: %+v, %v", have, err)
	}
	h.diff("tenant deletions", 0, h.srv.CallCount("DELETE /master/api/providers/{id}.json"))
}

// TestTenantObjectWaitsForSecretKey: a master Secret without its key waits (Waiting, naming the
// Secret and key) and makes no 3scale call; the key added, the tenant is created.
func TestTenantObjectWaitsForSecretKey(t *testing.T) {
	h := newHarness(t)
	h.withTenants()
	master := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "master"}, StringData: map[string]string{"OTHER": "x"}}
	h.create(master)
	h.create(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "ecorp-admin"}, StringData: map[string]string{"admin_password": "s3cret-admin"}})
	h.srv.ResetCalls()
	h.startManager()
	tn := h.newTenant("waiting", "Waiting Corp")
	h.create(tn)
	c := h.waitCondition(tn, func() []metav1.Condition { return tn.Status.Conditions }, "Waiting", metav1.ConditionTrue, capabilitiesv1alpha1.TenantSecretNotFoundReason)
	want := fmt.Sprintf("%s/master", h.ns)
	if !strings.Contains(c.Message, want) || !strings.Contains(c.Message, "MASTER_ACCESS_TOKEN") {
		t.Errorf("Waiting message %q does not name %s and its key", c.Message, want)
	}
	h.diff("3scale calls while waiting", 0, len(h.srv.Calls()))
	h.update(master, func() { master.Data = map[string][]byte{"MASTER_ACCESS_TOKEN": []byte(h.srv.MasterToken())} })
	h.waitTenantReady(tn)
}

// TestTenantObjectRestartMidCreate is the state an operator killed between the signup and
// recording the tenant's ID leaves: the next operator finds the tenant by its organization name
// instead of signing up a second one.
func TestTenantObjectRestartMidCreate(t *testing.T) {
	h := newHarness(t)
	mc := h.withTenants()
	h.tenantSecrets()
	ctx := context.Background()
	made, err := mc.CreateTenant(ctx, threescale.TenantParams{OrgName: ptr("Restart Corp"), Username: ptr("admin"), Email: ptr("admin@ecorp.com"), Password: ptr("s3cret-admin")})
	if err != nil {
		t.Fatal(err)
	}
	tn := h.newTenant("restart", "Restart Corp")
	tn.Annotations = map[string]string{external.CreatePendingAnnotation: "2026-12-04T10:00:00Z"}
	h.create(tn)
	// The operator wrote the tenant Secret before it stopped.
	h.create(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: tn.Spec.TenantSecretRef.Name},
		StringData: map[string]string{"adminURL": made.Account.AdminBaseURL, "token": made.AccessToken.Value}})
	h.srv.ResetCalls()
	h.startManager()
	h.waitTenantReady(tn)
	h.diff("tenant signups", 0, h.srv.CallCount("POST /master/api/providers.json"))
	h.diff("recorded tenant", made.Account.ID, tn.Status.TenantID)
	// Not asserted: the Recovered event, the first event of a manager that has just started, can
	// be lost before the event broadcaster has its sink.
	h.diff("tenant lookups", 1, h.srv.CallCount("GET /admin/api/accounts.json"))
	h.diff("create-pending mark left", "", tn.Annotations[external.CreatePendingAnnotation])
}
