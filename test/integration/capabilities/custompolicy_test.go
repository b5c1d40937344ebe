package capabilities_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/controllers/capabilities"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/threescale"
)

func newCustomPolicy(name, policy, version string) *capabilitiesv1beta1.CustomPolicyDefinition {
	return &capabilitiesv1beta1.CustomPolicyDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: capabilitiesv1beta1.CustomPolicyDefinitionSpec{
			Name: policy, Version: version,
			Schema: capabilitiesv1beta1.CustomPolicySchemaSpec{
				Name: "Header adder", Version: version, Summary: "Adds a header to every upstream request",
				Description:   []string{"Adds the header named by `header`."},
				Schema:        "http://json-schema.org/draft-07/schema#",
				Configuration: runtime.RawExtension{Raw: []byte(`{"type":"object","properties":{"header":{"type":"string"}}}`)},
			},
		},
	}
}

func customPolicyConditions(p *capabilitiesv1beta1.CustomPolicyDefinition) func() []metav1.Condition {
	return func() []metav1.Condition { return p.Status.Conditions }
}

// registered returns the registry's policy id, its manifest decoded.
func (h *harness) registered(id int64) (*threescale.CustomPolicy, map[string]any) {
	h.t.Helper()
	cp, err := h.tc.GetCustomPolicy(context.Background(), id)
	if err != nil {
		h.t.Fatalf("policy %d: %v", id, err)
	}
	var m map[string]any
	if err := json.Unmarshal(cp.Schema, &m); err != nil {
		h.t.Fatal(err)
	}
	return cp, m
}

func TestCustomPolicyDefinitionLifecycle(t *testing.T) {
	h := newHarness(t)
	h.setups = append(h.setups, capabilities.SetupCustomPolicyDefinition)
	h.startManager()
	p := newCustomPolicy("header-adder", "header-adder", "0.0.1")
	h.create(p)
	h.waitCondition(p, customPolicyConditions(p), external.TypeReady, metav1.ConditionTrue, external.ReasonSynced)
	if p.Status.ID == nil || p.Status.ProviderAccountHost != h.tenant.AdminURL {
		t.Fatalf("status = %+v, want policyID and providerAccountHost %s", p.Status, h.tenant.AdminURL)
	}
	id := *p.Status.ID
	cp, m := h.registered(id)
	h.diff("registered policy", []any{"header-adder", "0.0.1", []any{"Adds the header named by `header`."}, "Adds a header to every upstream request"},
		[]any{cp.Name, cp.Version, m["description"], m["summary"]})
	h.waitEvent(p.Name, "Normal Created", fmt.Sprintf("created in 3scale with ID %d", id))

	// In sync: polls read the policy and write nothing.
	h.srv.ResetCalls()
	time.Sleep(3 * pollInterval)
	h.diff("writes of polls in sync", []string(nil), h.writes())

	// A spec change is one update.
	h.update(p, func() { p.Spec.Schema.Summary = "Adds a request header" })
	h.eventually("summary updated", func() error {
		if _, m := h.registered(id); m["summary"] != "Adds a request header" {
			return fmt.Errorf("summary %v", m["summary"])
		}
		return nil
	})
	h.waitCondition(p, customPolicyConditions(p), external.TypeReady, metav1.ConditionTrue, external.ReasonSynced)
	h.diff("writes of the change", []string{"PUT /admin/api/registry/policies/{id}.json"}, h.writes())

	// Drift made in 3scale is reverted.
	if _, err := h.tc.UpdateCustomPolicy(context.Background(), id, threescale.CustomPolicyParams{Schema: json.RawMessage(
		`{"name":"x","version":"0.0.1","summary":"changed by hand","configuration":{}}`)}); err != nil {
		t.Fatal(err)
	}
	h.eventually("drift reverted", func() error {
		if _, m := h.registered(id); m["summary"] != "Adds a request header" {
			return fmt.Errorf("summary %v", m["summary"])
		}
		return nil
	})

	// A schema 3scale refuses is Invalid with its message; fixing it recovers.
	h.update(p, func() { p.Spec.Schema.Version = "not a version" })
	c := h.waitCondition(p, customPolicyConditions(p), external.TypeInvalid, metav1.ConditionTrue, "")
	if c.Message == "" {
		t.Errorf("Invalid condition without a message")
	}
	h.update(p, func() { p.Spec.Schema.Version = "0.0.1" })
	h.waitCondition(p, customPolicyConditions(p), external.TypeReady, metav1.ConditionTrue, external.ReasonSynced)

	h.delete(p)
	h.waitGone(p)
	if _, err := h.tc.GetCustomPolicy(context.Background(), id); !threescale.IsNotFound(err) {
		t.Errorf("after deletion the registry still has policy %d (err %v)", id, err)
	}
}

// TestCustomPolicyDefinitionAdoptsAndOrphans adopts a policy registered by hand with the same
// name and version, and leaves it in 3scale when deleted with the Orphan deletion policy.
func TestCustomPolicyDefinitionAdoptsAndOrphans(t *testing.T) {
	h := newHarness(t)
	h.setups = append(h.setups, capabilities.SetupCustomPolicyDefinition)
	name, version := "header-adder", "1.2.3"
	made, err := h.tc.CreateCustomPolicy(context.Background(), threescale.CustomPolicyParams{Name: &name, Version: &version,
		Schema: json.RawMessage(`{"name":"x","version":"1.2.3","summary":"by hand","configuration":{}}`)})
	if err != nil {
		t.Fatal(err)
	}
	h.startManager()
	p := newCustomPolicy("header-adder", name, version)
	p.Annotations = map[string]string{external.DeletionPolicyAnnotation: external.DeletionPolicyOrphan}
	h.create(p)
	h.waitCondition(p, customPolicyConditions(p), external.TypeReady, metav1.ConditionTrue, external.ReasonSynced)
	if p.Status.ID == nil || *p.Status.ID != made.ID {
		t.Fatalf("policyID = %v, want the adopted %d", p.Status.ID, made.ID)
	}
	h.waitEvent(p.Name, "Normal Adopted")
	if _, m := h.registered(made.ID); m["summary"] != "Adds a header to every upstream request" {
		t.Errorf("adopted policy's summary = %v, want the spec's", m["summary"])
	}
	h.delete(p)
	h.waitGone(p)
	if _, err := h.tc.GetCustomPolicy(context.Background(), made.ID); err != nil {
		t.Errorf("orphaned policy: %v, want it kept", err)
	}
}

// TestCustomPolicyDefinitionInUse deletes a policy a Product's chain uses: the deletion waits,
// naming the Product, until the Product drops the policy.
func TestCustomPolicyDefinitionInUse(t *testing.T) {
	h := newHarness(t)
	h.setups = append(h.setups, capabilities.SetupCustomPolicyDefinition)
	h.startManager()
	p := newCustomPolicy("header-adder", "header-adder", "0.0.1")
	h.create(p)
	h.waitCondition(p, customPolicyConditions(p), external.TypeReady, metav1.ConditionTrue, external.ReasonSynced)
	id := *p.Status.ID

	pr := newProduct("product1")
	pr.Spec.Policies = []capabilitiesv1beta1.PolicyConfig{
		{Name: "header-adder", Version: "0.0.1", Enabled: true, Configuration: &runtime.RawExtension{Raw: []byte(`{"header":"X-Test"}`)}},
		{Name: "apicast", Version: "builtin", Enabled: true, Configuration: &runtime.RawExtension{Raw: []byte(`{}`)}},
	}
	h.create(pr)
	h.waitCondition(pr, productConditions(pr), external.TypeSynced, metav1.ConditionTrue, external.ReasonSynced)

	h.delete(p)
	c := h.waitCondition(p, customPolicyConditions(p), external.TypeReady, metav1.ConditionFalse, "PolicyInUse")
	if want := `Product "product1"`; !strings.Contains(c.Message, want) {
		t.Errorf("condition message %q does not name %s", c.Message, want)
	}
	if _, err := h.tc.GetCustomPolicy(context.Background(), id); err != nil {
		t.Fatalf("policy in use was deleted: %v", err)
	}
	h.update(pr, func() { pr.Spec.Policies = pr.Spec.Policies[1:] })
	h.waitGone(p)
	if _, err := h.tc.GetCustomPolicy(context.Background(), id); !threescale.IsNotFound(err) {
		t.Errorf("after the Product dropped it the registry still has policy %d (err %v)", id, err)
	}
}
