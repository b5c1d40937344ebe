package capabilities_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/controllers/capabilities"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// withApplications makes the harness run the Product, DeveloperAccount, DeveloperUser and
// Application controllers.
func (h *harness) withApplications() {
	h.setups = []func(ctrl.Manager, capabilities.Options) error{
		capabilities.SetupProduct, capabilities.SetupDeveloperAccount, capabilities.SetupDeveloperUser, capabilities.SetupApplication,
	}
}

// newPlansProduct returns a Product with the application plans basic and pro.
func newPlansProduct(name string) *capabilitiesv1beta1.Product {
	p := newProduct(name)
	p.Spec.ApplicationPlans = map[string]capabilitiesv1beta1.ApplicationPlanSpec{
		"basic": {Name: ptr("Basic")},
		"pro":   {Name: ptr("Pro")},
	}
	return p
}

func newApplication(name, account, product, plan string) *capabilitiesv1beta1.Application {
	return &capabilitiesv1beta1.Application{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: capabilitiesv1beta1.ApplicationSpec{
			AccountCR: &corev1.LocalObjectReference{Name: account}, ProductCR: &corev1.LocalObjectReference{Name: product},
			ApplicationPlanName: plan, Name: name, Description: name + " application",
		},
	}
}

func applicationConditions(a *capabilitiesv1beta1.Application) func() []metav1.Condition {
	return func() []metav1.Condition { return a.Status.Conditions }
}

// waitApplicationReady waits until a is Ready for its current generation with an ID.
func (h *harness) waitApplicationReady(a *capabilitiesv1beta1.Application) {
	h.t.Helper()
	h.waitCondition(a, applicationConditions(a), external.TypeReady, metav1.ConditionTrue, "")
	if a.Status.ID == nil {
		h.t.Fatalf("Ready Application %s records no ID", a.Name)
	}
}

// planID returns the 3scale ID of the application plan systemName of product p.
func (h *harness) planID(p *capabilitiesv1beta1.Product, systemName string) int64 {
	h.t.Helper()
	plans, err := h.tc.ListApplicationPlans(context.Background(), *p.Status.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, pl := range plans {
		if pl.SystemName == systemName {
			return pl.ID
		}
	}
	h.t.Fatalf("product %s has no plan %s", p.Name, systemName)
	return 0
}

// applicationWrites returns the writes to applications in the server log.
func (h *harness) applicationWrites() []string {
	var out []string
	for _, w := range h.writes() {
		if strings.Contains(w, "/applications") {
			out = append(out, w)
		}
	}
	return out
}

// developerAccount creates the DeveloperAccount acme with its admin alice.
func (h *harness) developerAccount() *capabilitiesv1beta1.DeveloperAccount {
	h.create(passwordSecret("alice"))
	a := newDeveloperAccount("acme", "ACME Inc")
	h.create(a)
	h.create(newDeveloperUser("alice", "acme", "admin"))
	return a
}

// TestApplicationLifecycle: an application waits (Orphan) for its account and product, woken by
// their watches; is created on its plan with the user key of its Secret; its name, description,
// plan and state are kept in sync (drift too) with no write when nothing changed; a change of
// product is explained, not done; deletion deletes it.
func TestApplicationLifecycle(t *testing.T) {
	h := newHarness(t)
	h.withApplications()
	h.waitInterval = time.Hour // only watches can wake a waiting object
	h.startManager()
	ctx := context.Background()

	h.create(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "app-keys"}, StringData: map[string]string{"UserKey": "uk-0123456789"}})
	app := newApplication("app1", "acme", "product1", "basic")
	app.Spec.AuthSecretRef = &corev1.LocalObjectReference{Name: "app-keys"}
	h.create(app)
	h.waitCondition(app, applicationConditions(app), external.TypeOrphan, metav1.ConditionTrue, capabilitiesv1beta1.ApplicationAccountNotReadyReason)

	acct := h.developerAccount()
	h.waitAccountReady(acct)
	h.waitCondition(app, applicationConditions(app), external.TypeOrphan, metav1.ConditionTrue, capabilitiesv1beta1.ApplicationProductNotReadyReason)
	h.diff("applications created while waiting", 0, len(h.applicationWrites()))

	p := newPlansProduct("product1")
	h.create(p)
	h.waitProductSynced(p)
	h.waitApplicationReady(app)

	have, err := h.tc.GetApplication(ctx, *acct.Status.ID, *app.Status.ID)
	if err != nil {
		t.Fatal(err)
	}
	basic, pro := h.planID(p, "basic"), h.planID(p, "pro")
	h.diff("application in 3scale", threescale.Application{Name: "app1", Description: "app1 application", State: "live", PlanID: basic, ServiceID: *p.Status.ID, AccountID: *acct.Status.ID, UserKey: "uk-0123456789"},
		threescale.Application{Name: have.Name, Description: have.Description, State: have.State, PlanID: have.PlanID, ServiceID: have.ServiceID, AccountID: have.AccountID, UserKey: have.UserKey})
	h.diff("status", capabilitiesv1beta1.ApplicationStatus{ID: app.Status.ID, ProviderAccountHost: h.tenant.AdminURL, State: "live"},
		capabilitiesv1beta1.ApplicationStatus{ID: app.Status.ID, ProviderAccountHost: app.Status.ProviderAccountHost, State: app.Status.State})
	h.waitEvent("app1", "Normal Created")

	// A resync of an unchanged object writes nothing.
	before := len(h.applicationWrites())
	reads := h.srv.CallCount("GET /admin/api/accounts/{account_id}/applications/{id}.json")
	time.Sleep(3 * pollInterval)
	h.diff("writes of resyncs", before, len(h.applicationWrites()))
	if h.srv.CallCount("GET /admin/api/accounts/{account_id}/applications/{id}.json") == reads {
		t.Errorf("no resync read the application")
	}

	// Every synced field, in one change: one update, a change of plan, a suspension.
	id := *app.Status.ID
	h.update(app, func() {
		app.Spec.Name, app.Spec.Description, app.Spec.ApplicationPlanName, app.Spec.Suspend = "app one", "the first", "pro", true
	})
	h.waitApplicationReady(app)
	have, err = h.tc.GetApplication(ctx, *acct.Status.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	if have.Name != "app one" || have.Description != "the first" || have.PlanID != pro || have.State != "suspended" || *app.Status.ID != id || app.Status.State != "suspended" {
		t.Errorf("after the update: 3scale holds %+v, status %+v", have, app.Status)
	}
	h.diff("applications created", 1, h.srv.CallCount("POST /admin/api/accounts/{account_id}/applications.json"))
	h.diff("plan changes", 1, h.srv.CallCount("PUT /admin/api/accounts/{account_id}/applications/{id}/change_plan.json"))

	// Drift made by hand is reverted at the poll interval.
	if _, err := h.tc.UpdateApplication(ctx, *acct.Status.ID, id, threescale.ApplicationUpdateParams{Name: ptr("by hand")}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.tc.ResumeApplication(ctx, *acct.Status.ID, id); err != nil {
		t.Fatal(err)
	}
	if _, err := h.tc.ChangeApplicationPlan(ctx, *acct.Status.ID, id, basic); err != nil {
		t.Fatal(err)
	}
	h.eventually("drift reverted", func() error {
		have, err := h.tc.GetApplication(ctx, *acct.Status.ID, id)
		if err != nil {
			return err
		}
		if have.Name != "app one" || have.State != "suspended" || have.PlanID != pro {
			return fmt.Errorf("3scale holds %+v", have)
		}
		return nil
	})

	// Resumed.
	h.update(app, func() { app.Spec.Suspend = false })
	h.waitApplicationReady(app)
	if have, err := h.tc.GetApplication(ctx, *acct.Status.ID, id); err != nil || have.State != "live" || app.Status.State != "live" {
		t.Errorf("resumed: %+v, %v, status %+v", have, err, app.Status)
	}

	// Another product: explained in Invalid, nothing deleted or created.
	p2 := newPlansProduct("product2")
	h.create(p2)
	h.waitProductSynced(p2)
	h.update(app, func() { app.Spec.ProductCR.Name = "product2" })
	c := h.waitCondition(app, applicationConditions(app), external.TypeInvalid, metav1.ConditionTrue, "")
	if !strings.Contains(c.Message, "spec.productCR") || !strings.Contains(c.Message, "cannot move to another product") {
		t.Errorf("Invalid message = %q", c.Message)
	}
	h.waitEvent("app1", "Warning InvalidSpec", "cannot move to another product")
	if _, err := h.tc.GetApplication(ctx, *acct.Status.ID, id); err != nil {
		t.Errorf("the application is not in 3scale any more: %v", err)
	}
	h.diff("applications created", 1, h.srv.CallCount("POST /admin/api/accounts/{account_id}/applications.json"))
	h.diff("applications deleted", 0, h.srv.CallCount("DELETE /admin/api/accounts/{account_id}/applications/{id}.json"))
	h.update(app, func() { app.Spec.ProductCR.Name = "product1" })
	h.waitApplicationReady(app)

	// Deleted with the object.
	h.delete(app)
	h.waitGone(app)
	if _, err := h.tc.GetApplication(ctx, *acct.Status.ID, id); !threescale.IsNotFound(err) {
		t.Errorf("after deletion, 3scale answers %v", err)
	}
	for _, e := range h.events("app1") {
		if strings.Contains(e, "uk-0123456789") {
			t.Errorf("an event holds the user key: %s", e)
		}
	}
}

// TestApplicationPlanNotFoundAndOrphanPolicy: an unknown plan is Invalid, naming the field; fixed,
// the application is made; deleted under the Orphan policy, it stays in 3scale.
func TestApplicationPlanNotFoundAndOrphanPolicy(t *testing.T) {
	h := newHarness(t)
	h.withApplications()
	h.startManager()
	ctx := context.Background()
	acct := h.developerAccount()
	p := newPlansProduct("product1")
	h.create(p)
	app := newApplication("app1", "acme", "product1", "gold")
	app.Annotations = map[string]string{external.DeletionPolicyAnnotation: external.DeletionPolicyOrphan}
	h.create(app)
	c := h.waitCondition(app, applicationConditions(app), external.TypeInvalid, metav1.ConditionTrue, "")
	if !strings.Contains(c.Message, "spec.applicationPlanName") || !strings.Contains(c.Message, `"gold"`) {
		t.Errorf("Invalid message = %q", c.Message)
	}
	h.update(app, func() { app.Spec.ApplicationPlanName = "basic" })
	h.waitApplicationReady(app)
	h.waitAccountReady(acct)
	id := *app.Status.ID
	h.delete(app)
	h.waitGone(app)
	apps, err := h.tc.ListAccountApplications(ctx, *acct.Status.ID)
	if err != nil || !slices.ContainsFunc(apps, func(a threescale.Application) bool { return a.ID == id }) {
		t.Errorf("the orphaned application is not in 3scale: %+v, %v", apps, err)
	}
}

func authConditions(a *capabilitiesv1beta1.ApplicationAuth) func() []metav1.Condition {
	return func() []metav1.Condition { return a.Status.Conditions }
}

// TestApplicationAuth: an ApplicationAuth waits for its Application, then sets its user key from
// the Secret; rotating the Secret rotates the key in 3scale (through the Secret's watch); with
// generateSecret, an empty key is generated, written to the Secret and set; deleting it leaves
// the application and its key alone.
func TestApplicationAuth(t *testing.T) {
	h := newHarness(t)
	h.withApplications()
	h.setups = append(h.setups, capabilities.SetupApplicationAuth)
	h.pollInterval = time.Hour // only the Secret's watch can bring a rotation in
	h.startManager()
	ctx := context.Background()

	h.create(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "auth"}, StringData: map[string]string{"UserKey": "first-key-0001"}})
	auth := &capabilitiesv1beta1.ApplicationAuth{
		ObjectMeta: metav1.ObjectMeta{Name: "auth1"},
		Spec:       capabilitiesv1beta1.ApplicationAuthSpec{ApplicationCRName: "app1", AuthSecretRef: &corev1.LocalObjectReference{Name: "auth"}},
	}
	h.create(auth)
	h.waitCondition(auth, authConditions(auth), external.TypeOrphan, metav1.ConditionTrue, capabilitiesv1beta1.ApplicationAuthApplicationNotReadyReason)

	acct := h.developerAccount()
	h.create(newPlansProduct("product1"))
	app := newApplication("app1", "acme", "product1", "basic")
	h.create(app)
	h.waitApplicationReady(app)
	h.waitAccountReady(acct)
	h.waitCondition(auth, authConditions(auth), external.TypeReady, metav1.ConditionTrue, "")
	userKey := func() string {
		have, err := h.tc.GetApplication(ctx, *acct.Status.ID, *app.Status.ID)
		if err != nil {
			t.Fatal(err)
		}
		return have.UserKey
	}
	h.diff("user key", "first-key-0001", userKey())

	// Rotation.
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "auth", Namespace: h.ns}}
	h.update(s, func() { s.Data = map[string][]byte{"UserKey": []byte("second-key-0002")} })
	h.eventually("rotated user key", func() error {
		if k := userKey(); k != "second-key-0002" {
			return fmt.Errorf("3scale holds another key")
		}
		return nil
	})

	// Generated.
	h.create(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "generated"}, StringData: map[string]string{"Other": "kept"}})
	h.update(auth, func() {
		auth.Spec.AuthSecretRef.Name, auth.Spec.GenerateSecret = "generated", ptr(true)
	})
	h.waitCondition(auth, authConditions(auth), external.TypeReady, metav1.ConditionTrue, "")
	g := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "generated", Namespace: h.ns}}
	if err := h.get(g); err != nil {
		t.Fatal(err)
	}
	key := string(g.Data["UserKey"])
	if len(key) != 32 || string(g.Data["Other"]) != "kept" {
		t.Errorf("the Secret holds a user key of %d characters, Other %q", len(key), g.Data["Other"])
	}
	h.diff("generated user key in 3scale", key, userKey())

	// A resync writes nothing.
	writes := len(h.applicationWrites())
	h.update(auth, func() { auth.Annotations = map[string]string{"touch": "1"} })
	time.Sleep(2 * time.Second)
	h.diff("writes of a pass in sync", writes, len(h.applicationWrites()))

	h.delete(auth)
	h.waitGone(auth)
	h.diff("user key after the ApplicationAuth is deleted", key, userKey())
	for _, e := range append(h.events("auth1"), h.events("app1")...) {
		if strings.Contains(e, key) || strings.Contains(e, "second-key") || strings.Contains(e, "first-key") {
			t.Errorf("an event holds a key: %s", e)
		}
	}
}

// TestApplicationAuthAppKeysPruned: on an app ID and app key product, an ApplicationAuth with
// pruneApplicationKeys generates a key into its Secret, adds it and deletes the key 3scale made at
// creation; rotating the Secret's key replaces the key in 3scale (added, then the old deleted), so
// rotations never reach 3scale's limit of five keys. Without prune, keys are only added.
func TestApplicationAuthAppKeysPruned(t *testing.T) {
	h := newHarness(t)
	h.withApplications()
	h.setups = append(h.setups, capabilities.SetupApplicationAuth)
	h.pollInterval = time.Hour
	h.startManager()
	ctx := context.Background()

	acct := h.developerAccount()
	p := newPlansProduct("keys")
	p.Spec.Deployment = &capabilitiesv1beta1.ProductDeploymentSpec{ApicastHosted: &capabilitiesv1beta1.ApicastHostedSpec{
		Authentication: &capabilitiesv1beta1.AuthenticationSpec{AppKeyAppIDAuthentication: &capabilitiesv1beta1.AppKeyAppIDAuthenticationSpec{}},
	}}
	h.create(p)
	app := newApplication("keysapp", "acme", "keys", "basic")
	h.create(app)
	h.waitApplicationReady(app)
	h.waitAccountReady(acct)
	keys := func() []string {
		ks, err := h.tc.ListApplicationKeys(ctx, *acct.Status.ID, *app.Status.ID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, k := range ks {
			out = append(out, k.Value)
		}
		return out
	}
	if made := keys(); len(made) != 1 {
		t.Fatalf("3scale made %d keys for the new application, want 1", len(made))
	}

	h.create(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "appkeys"}})
	auth := &capabilitiesv1beta1.ApplicationAuth{
		ObjectMeta: metav1.ObjectMeta{Name: "auth-keys"},
		Spec: capabilitiesv1beta1.ApplicationAuthSpec{
			ApplicationCRName: "keysapp", AuthSecretRef: &corev1.LocalObjectReference{Name: "appkeys"},
			GenerateSecret: ptr(true), PruneApplicationKeys: ptr(true),
		},
	}
	h.create(auth)
	h.waitCondition(auth, authConditions(auth), external.TypeReady, metav1.ConditionTrue, "")
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "appkeys", Namespace: h.ns}}
	if err := h.get(s); err != nil {
		t.Fatal(err)
	}
	generated := string(s.Data["ApplicationKey"])
	if len(generated) != 32 || string(s.Data["ApplicationID"]) == "" {
		t.Fatalf("the Secret holds an ApplicationKey of %d characters and ApplicationID %q", len(generated), s.Data["ApplicationID"])
	}
	h.eventually("the made key pruned", func() error {
		if got := keys(); !slices.Equal(got, []string{generated}) {
			return fmt.Errorf("3scale holds %d keys (the generated one among them: %v)", len(got), slices.Contains(got, generated))
		}
		return nil
	})

	for i := range 6 { // more rotations than 3scale holds keys
		rotated := fmt.Sprintf("rotated-application-key-%04d", i)
		h.update(s, func() { s.Data = map[string][]byte{"ApplicationKey": []byte(rotated)} })
		h.eventually("rotated key "+rotated, func() error {
			if got := keys(); !slices.Equal(got, []string{rotated}) {
				return fmt.Errorf("3scale holds %d keys", len(got))
			}
			return nil
		})
	}

	// Without prune, a rotation adds the key and leaves the old one.
	h.update(auth, func() { auth.Spec.PruneApplicationKeys = nil })
	h.update(s, func() { s.Data = map[string][]byte{"ApplicationKey": []byte("kept-alongside-0001")} })
	h.eventually("key added without prune", func() error {
		if got := keys(); !slices.Equal(got, []string{"rotated-application-key-0005", "kept-alongside-0001"}) {
			return fmt.Errorf("3scale holds %d keys", len(got))
		}
		return nil
	})
}

// TestApplicationRestartMidCreate: an object marked create-pending (the operator stopped between
// creating its application and recording it) records the application it made, without a
// duplicate.
func TestApplicationRestartMidCreate(t *testing.T) {
	h := newHarness(t)
	h.withApplications()
	ctx := context.Background()
	acct := h.developerAccount()
	p := newPlansProduct("product1")
	h.create(p)
	stop := h.startManager()
	h.waitAccountReady(acct)
	h.waitProductSynced(p)
	stop()
	plan := h.planID(p, "basic")
	made, err := h.tc.CreateApplication(ctx, *acct.Status.ID, threescale.ApplicationParams{PlanID: &plan, Name: ptr("app1"), Description: ptr("app1 application")})
	if err != nil {
		t.Fatal(err)
	}
	app := newApplication("app1", "acme", "product1", "basic")
	app.Annotations = map[string]string{external.CreatePendingAnnotation: "2026-12-04T10:00:00Z"}
	h.create(app)
	h.srv.ResetCalls()
	h.startManager()
	h.waitApplicationReady(app)
	h.diff("applications created", 0, h.srv.CallCount("POST /admin/api/accounts/{account_id}/applications.json"))
	h.diff("recorded application", made.ID, *app.Status.ID)
	h.waitEvent(app.Name, "Normal Recovered")
}
