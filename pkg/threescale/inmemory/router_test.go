package inmemory

import (
	"net/http"
	"testing"
)

// TestNestedEntityUnderAnotherParent holds the lookups of nested paths (byIDWhere) to porta's
// answer: an entity that exists is still not found under a parent it does not belong to.
func TestNestedEntityUnderAnotherParent(t *testing.T) {
	_, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	alpha, _ := newProduct(t, c, "Alpha")
	beta, _ := newProduct(t, c, "Beta")
	plan := newPlan(t, c, alpha, "Basic")
	buyerA, _ := newBuyer(t, c, "Org A", "alice")
	buyerB, _ := newBuyer(t, c, "Org B", "bob")
	user := id(t, c.do(http.MethodPost, buyerA+"/users.json", p("username", "carol", "email", "carol@example.com")).
		must(t, http.StatusCreated).obj(t, "user"))

	cases := map[string]struct {
		reason string
		path   string
		want   int
	}{
		"PlanOfItsProduct": {
			reason: "A plan is found under its own product.",
			path:   alpha + "/application_plans/" + idPath(plan) + ".json",
			want:   http.StatusOK,
		},
		"PlanOfAnotherProduct": {
			reason: "A plan is not found under another product.",
			path:   beta + "/application_plans/" + idPath(plan) + ".json",
			want:   http.StatusNotFound,
		},
		"UserOfItsAccount": {
			reason: "A user is found under its own developer account.",
			path:   buyerA + "/users/" + idPath(user) + ".json",
			want:   http.StatusOK,
		},
		"UserOfAnotherAccount": {
			reason: "A user is not found under another developer account.",
			path:   buyerB + "/users/" + idPath(user) + ".json",
			want:   http.StatusNotFound,
		},
		"NotAnID": {
			reason: "A path parameter that is not a positive integer is not found.",
			path:   alpha + "/application_plans/0.json",
			want:   http.StatusNotFound,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := c.do(http.MethodGet, tc.path, nil).Status; got != tc.want {
				t.Errorf("%s\nGET %s = %d, want %d", tc.reason, tc.path, got, tc.want)
			}
		})
	}
}
