package threescale

import (
	"encoding/json"
	"testing"
)

func TestCustomPolicies(t *testing.T) {
	env := newTestEnv(t)
	ctx, c := t.Context(), env.c
	pol := got(c.CreateCustomPolicy(ctx, CustomPolicyParams{
		Name: ptr("contract-policy"), Version: ptr("0.1.0"), Schema: json.RawMessage(testPolicySchema),
	})).need(t, "create")
	if pol.Name != "contract-policy" || pol.Version != "0.1.0" || pol.Summary != "A policy of the contract test" {
		t.Errorf("policy = %+v, want the summary read from the schema", pol)
	}
	var schema map[string]any
	if err := json.Unmarshal(pol.Schema, &schema); err != nil || schema["name"] != "contract-policy" {
		t.Errorf("schema = %s (%v), want the manifest back as JSON", pol.Schema, err)
	}
	if _, err := c.CreateCustomPolicy(ctx, CustomPolicyParams{Name: ptr("contract-policy"), Version: ptr("0.1.0"), Schema: json.RawMessage(testPolicySchema)}); !IsUnprocessable(err) {
		t.Errorf("same name and version twice: %v, want unprocessable", err)
	}
	pol = got(c.UpdateCustomPolicy(ctx, pol.ID, CustomPolicyParams{Version: ptr("0.2.0")})).need(t, "update")
	if pol.Version != "0.2.0" {
		t.Errorf("updated policy = %+v", pol)
	}
	if list := got(c.ListCustomPolicies(ctx)).need(t, "list"); len(list) != 1 || list[0].ID != pol.ID {
		t.Errorf("policies = %+v", list)
	}
	check(t, "delete", c.DeleteCustomPolicy(ctx, pol.ID))
	if _, err := c.GetCustomPolicy(ctx, pol.ID); !IsNotFound(err) {
		t.Errorf("deleted policy: %v, want not found", err)
	}
}
