package threescale

import (
	"testing"
)

func TestApplicationsAndKeys(t *testing.T) {
	env := newTestEnv(t)
	ctx, c := t.Context(), env.c
	p := got(c.CreateProduct(ctx, ProductParams{Name: ptr("Keyed"), BackendVersion: ptr(BackendVersionAppID)})).need(t, "create product")
	basic := got(c.CreateApplicationPlan(ctx, p.ID, ApplicationPlanParams{Name: ptr("Basic"), StateEvent: ptr(PlanEventPublish)})).need(t, "plan")
	gold := got(c.CreateApplicationPlan(ctx, p.ID, ApplicationPlanParams{Name: ptr("Gold"), ApprovalRequired: ptr(true)})).need(t, "plan")
	acct := got(c.Signup(ctx, SignupParams{OrgName: ptr("Devs"), Username: ptr("dev"), Email: ptr("dev@example.com"), Password: ptr("pa55word!")})).need(t, "signup")

	app := got(c.CreateApplication(ctx, acct.ID, ApplicationParams{
		PlanID: ptr(basic.ID), Name: ptr("Mobile"), Description: ptr("the app"), ApplicationID: ptr("mobile-app"), ApplicationKey: ptr("mobile-key-1"),
	})).need(t, "create application")
	if app.State != ApplicationStateLive || app.PlanID != basic.ID || app.ServiceID != p.ID || app.AccountID != acct.ID || app.ApplicationID != "mobile-app" {
		t.Errorf("application = %+v", app)
	}
	keys := got(c.ListApplicationKeys(ctx, acct.ID, app.ID)).need(t, "list keys")
	if len(keys) != 1 || keys[0].Value != "mobile-key-1" {
		t.Errorf("keys = %+v", keys)
	}
	got(c.CreateApplicationKey(ctx, acct.ID, app.ID, "mobile-key-2")).need(t, "add key")
	check(t, "remove key", c.DeleteApplicationKey(ctx, acct.ID, app.ID, "mobile-key-1"))
	keys = got(c.ListApplicationKeys(ctx, acct.ID, app.ID)).need(t, "list keys")
	if len(keys) != 1 || keys[0].Value != "mobile-key-2" {
		t.Errorf("keys after rotation = %+v", keys)
	}

	plan := got(c.ChangeApplicationPlan(ctx, acct.ID, app.ID, gold.ID)).need(t, "change plan")
	if plan.ID != gold.ID {
		t.Errorf("change plan answered plan %d, want %d", plan.ID, gold.ID)
	}
	app = got(c.SuspendApplication(ctx, acct.ID, app.ID)).need(t, "suspend")
	if app.State != ApplicationStateSuspended {
		t.Errorf("suspended state = %q", app.State)
	}
	app = got(c.ResumeApplication(ctx, acct.ID, app.ID)).need(t, "resume")
	if app.State != ApplicationStateLive || app.PlanID != gold.ID {
		t.Errorf("resumed application = %+v, want live on gold", app)
	}
	app = got(c.UpdateApplication(ctx, acct.ID, app.ID, ApplicationUpdateParams{Name: ptr("Mobile v2")})).need(t, "update")
	if app.Name != "Mobile v2" {
		t.Errorf("updated application = %+v", app)
	}

	pending := got(c.CreateApplication(ctx, acct.ID, ApplicationParams{PlanID: ptr(gold.ID), Name: ptr("Web"), Description: ptr("d")})).need(t, "create pending")
	if pending.State != ApplicationStatePending {
		t.Errorf("application on a plan requiring approval: state %q, want pending", pending.State)
	}
	pending = got(c.AcceptApplication(ctx, acct.ID, pending.ID)).need(t, "accept")
	if pending.State != ApplicationStateLive {
		t.Errorf("accepted state = %q", pending.State)
	}
	if apps := got(c.ListApplications(ctx, ApplicationFilter{ServiceID: ptr(p.ID)})).need(t, "list"); len(apps) != 2 {
		t.Errorf("applications of the product = %d, want 2", len(apps))
	}
	if apps := got(c.ListAccountApplications(ctx, acct.ID)).need(t, "list of account"); len(apps) != 2 {
		t.Errorf("applications of the account = %d, want 2", len(apps))
	}
	check(t, "delete", c.DeleteApplication(ctx, acct.ID, app.ID))
	if _, err := c.GetApplication(ctx, acct.ID, app.ID); !IsNotFound(err) {
		t.Errorf("deleted application: %v, want not found", err)
	}
}
