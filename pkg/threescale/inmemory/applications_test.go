package inmemory

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestApplications(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	base, _ := newProduct(t, c, "Pets")
	basic := newPlan(t, c, base, "Basic")
	premium := newPlan(t, c, base, "Premium", "approval_required", "true")
	ap, acctID := newBuyer(t, c, "Dev Corp", "dev")

	app := c.do(http.MethodPost, ap+"/applications.json", p("plan_id", idPath(basic), "name", "My App", "description", "d")).
		must(t, http.StatusCreated).obj(t, "application")
	if app["state"] != "live" || app["enabled"] != true || app["plan_id"] != float64(basic) || app["account_id"] != float64(acctID) {
		t.Errorf("app: %v", app)
	}
	if k, _ := app["user_key"].(string); len(k) != 32 {
		t.Errorf("user_key %q", app["user_key"])
	}
	if _, has := app["application_id"]; has {
		t.Errorf("API-key product shows application_id: %v", app)
	}
	appPath := ap + "/applications/" + idPath(id(t, app))

	steps := []struct{ event, state string }{{"suspend", "suspended"}, {"suspend", "suspended"}, {"resume", "live"}}
	for _, s := range steps {
		if got := c.do(http.MethodPut, appPath+"/"+s.event+".json", nil).must(t, http.StatusOK).obj(t, "application"); got["state"] != s.state {
			t.Errorf("after %s: %v", s.event, got["state"])
		}
	}
	pl := c.do(http.MethodPut, appPath+"/change_plan.json", p("plan_id", idPath(premium))).must(t, http.StatusOK).obj(t, "application_plan")
	if id(t, pl) != premium {
		t.Errorf("change_plan answered plan %v", pl)
	}
	if got := c.do(http.MethodGet, appPath+".json", nil).must(t, http.StatusOK).obj(t, "application"); got["plan_id"] != float64(premium) {
		t.Errorf("plan after change: %v", got["plan_id"])
	}
	other, _ := newProduct(t, c, "Other")
	c.do(http.MethodPut, appPath+"/change_plan.json", p("plan_id", idPath(newPlan(t, c, other, "Gold")))).must(t, http.StatusNotFound)

	if got := c.do(http.MethodPut, appPath+".json", p("name", "Renamed")).must(t, http.StatusOK).obj(t, "application"); got["name"] != "Renamed" {
		t.Errorf("updated: %v", got)
	}
	// A plan that requires approval makes pending applications; accept makes them live.
	pend := c.do(http.MethodPost, ap+"/applications.json", p("plan_id", idPath(premium), "name", "Second", "description", "d")).
		must(t, http.StatusCreated).obj(t, "application")
	if pend["state"] != "pending" {
		t.Errorf("app on approval plan: %v", pend["state"])
	}
	if got := c.do(http.MethodPut, ap+"/applications/"+idPath(id(t, pend))+"/accept.json", nil).must(t, http.StatusOK).obj(t, "application"); got["state"] != "live" {
		t.Errorf("accepted: %v", got["state"])
	}

	r := c.do(http.MethodPost, ap+"/applications.json", p("plan_id", idPath(basic), "user_key", app["user_key"].(string))).must(t, http.StatusUnprocessableEntity)
	want := map[string][]string{"name": {msgBlank}, "description": {msgBlank}, "user_key": {msgTaken}}
	if diff := cmp.Diff(want, r.errors(t)); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	c.do(http.MethodPost, ap+"/applications.json", p("plan_id", "999999", "name", "x", "description", "d")).must(t, http.StatusNotFound)

	// A plan with applications cannot be deleted.
	c.do(http.MethodDelete, base+"/application_plans/"+idPath(premium)+".json", nil).must(t, http.StatusForbidden)

	found := c.do(http.MethodGet, "/admin/api/applications/find.json", p("user_key", app["user_key"].(string))).must(t, http.StatusOK).obj(t, "application")
	if id(t, found) != id(t, app) {
		t.Errorf("find: %v", found)
	}
	if got := c.do(http.MethodGet, "/admin/api/applications.json", p("plan_id", idPath(premium))).must(t, http.StatusOK).items(t, "applications", "application"); len(got) != 2 {
		t.Errorf("apps on premium: %d", len(got))
	}
	if got := c.do(http.MethodGet, ap+"/applications.json", nil).must(t, http.StatusOK).items(t, "applications", "application"); len(got) != 2 {
		t.Errorf("apps of account: %d", len(got))
	}
	c.do(http.MethodDelete, appPath+".json", nil).must(t, http.StatusOK)
	c.do(http.MethodGet, appPath+".json", nil).must(t, http.StatusNotFound)
}

func TestApplicationKeys(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	svc := c.do(http.MethodPost, "/admin/api/services.json", p("name", "Pets", "backend_version", "2")).must(t, http.StatusCreated).obj(t, "service")
	base := "/admin/api/services/" + idPath(id(t, svc))
	plan := newPlan(t, c, base, "Basic")
	ap, _ := newBuyer(t, c, "Dev Corp", "dev")
	app := c.do(http.MethodPost, ap+"/applications.json", p("plan_id", idPath(plan), "name", "App", "description", "d", "application_id", "myappid")).
		must(t, http.StatusCreated).obj(t, "application")
	if app["application_id"] != "myappid" {
		t.Errorf("application_id: %v", app["application_id"])
	}
	if _, has := app["user_key"]; has {
		t.Errorf("app_id product shows user_key")
	}
	kp := ap + "/applications/" + idPath(id(t, app)) + "/keys"
	keys := c.do(http.MethodGet, kp+".json", nil).must(t, http.StatusOK).items(t, "keys", "key")
	if len(keys) != 1 {
		t.Fatalf("new app has %d keys, want one generated", len(keys))
	}
	c.do(http.MethodPost, kp+".json", p("key", "secret-1")).must(t, http.StatusCreated).obj(t, "application")
	c.do(http.MethodPost, kp+".json", p("key", "secret-1")).must(t, http.StatusUnprocessableEntity)
	for range 3 {
		c.do(http.MethodPost, kp+".json", nil).must(t, http.StatusCreated)
	}
	c.do(http.MethodPost, kp+".json", nil).must(t, http.StatusUnprocessableEntity) // a sixth key
	c.do(http.MethodDelete, kp+"/secret-1.json", nil).must(t, http.StatusOK)
	c.do(http.MethodDelete, kp+"/secret-1.json", nil).must(t, http.StatusNotFound)
	if got := c.do(http.MethodGet, kp+".json", nil).items(t, "keys", "key"); len(got) != 4 {
		t.Errorf("keys left: %d, want 4", len(got))
	}
}

func TestDeletingProductDeletesItsApplications(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	base, _ := newProduct(t, c, "Pets")
	plan := newPlan(t, c, base, "Basic")
	ap, _ := newBuyer(t, c, "Dev Corp", "dev")
	c.do(http.MethodPost, ap+"/applications.json", p("plan_id", idPath(plan), "name", "App", "description", "d")).must(t, http.StatusCreated)
	c.do(http.MethodDelete, base+".json", nil).must(t, http.StatusOK)
	if got := c.do(http.MethodGet, ap+"/applications.json", nil).items(t, "applications", "application"); len(got) != 0 {
		t.Errorf("%d applications left", len(got))
	}
	c.do(http.MethodGet, "/admin/api/application_plans/"+idPath(plan)+"/limits.json", nil).must(t, http.StatusNotFound)
}
