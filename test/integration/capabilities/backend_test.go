package capabilities_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/threescale"
	"github.com/threescale-oss/operator/pkg/threescale/inmemory"
)

func ptr[T any](v T) *T { return &v }

// newBackend returns a Backend like the quickstart's backend1.
func newBackend(name string) *capabilitiesv1beta1.Backend {
	return &capabilitiesv1beta1.Backend{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: capabilitiesv1beta1.BackendSpec{
			Name:           "Operated " + name,
			SystemName:     name,
			Description:    "Pet store private API",
			PrivateBaseURL: "https://api.example.com",
			Metrics: map[string]capabilitiesv1beta1.MetricSpec{
				"hits":      {Name: "Hits", Unit: "hit", Description: "Number of API hits"},
				"bytes_out": {Name: "Bytes out", Unit: "byte"},
			},
			Methods: map[string]capabilitiesv1beta1.MethodSpec{
				"list_pets":  {Name: "List pets"},
				"create_pet": {Name: "Create a pet"},
			},
			MappingRules: []capabilitiesv1beta1.MappingRuleSpec{
				{HTTPMethod: "GET", Pattern: "/pets$", MetricMethodRef: "list_pets", Increment: 1},
				{HTTPMethod: "POST", Pattern: "/pets$", MetricMethodRef: "create_pet", Increment: 1},
			},
		},
	}
}

func backendConditions(b *capabilitiesv1beta1.Backend) func() []metav1.Condition {
	return func() []metav1.Condition { return b.Status.Conditions }
}

// waitSynced waits until b is Synced for its current generation.
func (h *harness) waitSynced(b *capabilitiesv1beta1.Backend) {
	h.t.Helper()
	h.waitCondition(b, backendConditions(b), external.TypeSynced, metav1.ConditionTrue, "")
	if c, desc := conditionOf(b.Status.Conditions, external.TypeReady); c == nil || c.Status != metav1.ConditionTrue {
		h.t.Errorf("Synced without Ready: %s", desc)
	}
}

// remoteBackend is what 3scale holds of a backend, in a form tests compare.
type remoteBackend struct {
	ID                                 int64
	Name, Description, PrivateEndpoint string
	// Metrics and Methods map system names to "friendly name|unit|description".
	Metrics, Methods map[string]string
	// Rules are "METHOD pattern metric delta last", in 3scale's order.
	Rules []string
}

// remote reads the backend systemName from 3scale; nil when there is none.
func (h *harness) remote(c *threescale.Client, systemName string) (*remoteBackend, error) {
	ctx := context.Background()
	all, err := c.ListBackends(ctx)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(all, func(b threescale.Backend) bool { return b.SystemName == systemName })
	if i < 0 {
		return nil, nil
	}
	b := all[i]
	r := &remoteBackend{ID: b.ID, Name: b.Name, Description: b.Description, PrivateEndpoint: b.PrivateEndpoint,
		Metrics: map[string]string{}, Methods: map[string]string{}}
	metrics, err := c.ListBackendMetrics(ctx, b.ID)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, m := range metrics {
		name := threescale.TrimBackendMetricSuffix(m.SystemName, b.ID)
		names[m.ID] = name
		if m.ParentID != 0 {
			r.Methods[name] = m.FriendlyName + "||" + m.Description
		} else {
			r.Metrics[name] = m.FriendlyName + "|" + m.Unit + "|" + m.Description
		}
	}
	rules, err := c.ListBackendMappingRules(ctx, b.ID)
	if err != nil {
		return nil, err
	}
	for _, rule := range rules {
		r.Rules = append(r.Rules, fmt.Sprintf("%s %s %s %d %v", rule.HTTPMethod, rule.Pattern, names[rule.MetricID], rule.Delta, rule.Last))
	}
	return r, nil
}

// expected is what 3scale should hold for b once synced (the private endpoint as 3scale stores
// it, with its default port).
func expected(b *capabilitiesv1beta1.Backend, endpoint string) *remoteBackend {
	r := &remoteBackend{Name: b.Spec.Name, Description: b.Spec.Description, PrivateEndpoint: endpoint,
		Metrics: map[string]string{}, Methods: map[string]string{}}
	for name, m := range b.Spec.MetricsWithHits() {
		r.Metrics[name] = m.Name + "|" + m.Unit + "|" + m.Description
	}
	for name, m := range b.Spec.Methods {
		r.Methods[name] = m.Name + "||" + m.Description
	}
	for _, rule := range b.Spec.MappingRules {
		r.Rules = append(r.Rules, fmt.Sprintf("%s %s %s %d %v", rule.HTTPMethod, rule.Pattern, rule.MetricMethodRef, rule.Increment, rule.Last != nil && *rule.Last))
	}
	return r
}

// waitRemote waits until 3scale holds want for systemName (the ID is not compared).
func (h *harness) waitRemote(c *threescale.Client, systemName string, want *remoteBackend) *remoteBackend {
	h.t.Helper()
	var got *remoteBackend
	h.eventually("3scale backend "+systemName, func() error {
		var err error
		got, err = h.remote(c, systemName)
		if err != nil {
			return err
		}
		if got == nil {
			return fmt.Errorf("no backend %q in 3scale", systemName)
		}
		cp := *got
		cp.ID = 0
		if d := cmp.Diff(want, &cp); d != "" {
			return fmt.Errorf("-want, +got:\n%s", d)
		}
		return nil
	})
	return got
}

// TestBackendLifecycle creates a Backend, changes every kind of sub-entity, and deletes it.
func TestBackendLifecycle(t *testing.T) {
	h := newHarness(t)
	h.startManager()
	b := newBackend("backend1")
	h.create(b)
	h.waitSynced(b)
	got := h.waitRemote(h.tc, "backend1", expected(b, "https://api.example.com:443"))
	if b.Status.ID == nil || *b.Status.ID != got.ID {
		t.Errorf("status.backendId = %v, want %d", b.Status.ID, got.ID)
	}
	if b.Status.ProviderAccountHost != h.tenant.AdminURL || b.Status.ObservedGeneration != b.Generation {
		t.Errorf("status providerAccountHost/observedGeneration = %q/%d, want %q/%d", b.Status.ProviderAccountHost, b.Status.ObservedGeneration, h.tenant.AdminURL, b.Generation)
	}
	h.waitEvent(b.Name, "Normal Created", "created in 3scale with ID")

	// Every kind of change at once: attributes, a metric added and one changed, a method and its
	// rule removed, a rule changed, a rule inserted at the top.
	h.srv.ResetCalls()
	h.update(b, func() {
		b.Spec.Name, b.Spec.Description, b.Spec.PrivateBaseURL = "Renamed", "Changed", "https://pets.example.com:8443"
		b.Spec.Metrics["bytes_in"] = capabilitiesv1beta1.MetricSpec{Name: "Bytes in", Unit: "byte"}
		b.Spec.Metrics["bytes_out"] = capabilitiesv1beta1.MetricSpec{Name: "Bytes out", Unit: "kB", Description: "Outbound"}
		delete(b.Spec.Methods, "create_pet")
		b.Spec.Methods["list_pets"] = capabilitiesv1beta1.MethodSpec{Name: "List all pets", Description: "GET /pets"}
		b.Spec.MappingRules = []capabilitiesv1beta1.MappingRuleSpec{
			{HTTPMethod: "GET", Pattern: "/health$", MetricMethodRef: "hits", Increment: 1, Last: ptr(true)},
			{HTTPMethod: "GET", Pattern: "/pets$", MetricMethodRef: "list_pets", Increment: 2},
		}
	})
	h.waitSynced(b)
	h.waitRemote(h.tc, "backend1", expected(b, "https://pets.example.com:8443"))
	// The inserted rule is one creation: the rule after it is updated in place, not recreated.
	h.diff("mapping rule creations", 1, h.srv.CallCount("POST /admin/api/backend_apis/{backend_api_id}/mapping_rules.json"))
	h.diff("mapping rule deletions", 1, h.srv.CallCount("DELETE /admin/api/backend_apis/{backend_api_id}/mapping_rules/{id}.json"))
	h.waitEvent(b.Name, "Normal Updated", `update backend "backend1"`)

	h.delete(b)
	h.waitGone(b)
	if r, err := h.remote(h.tc, "backend1"); err != nil || r != nil {
		t.Errorf("after deletion 3scale holds %+v (err %v), want nothing", r, err)
	}
}

// TestBackendDriftReverted changes the backend in 3scale behind the operator's back, and checks
// that the next poll reverts it; and that polls of a backend in sync write nothing and read one
// list (or get) per collection.
func TestBackendDriftReverted(t *testing.T) {
	h := newHarness(t)
	h.startManager()
	b := newBackend("backend1")
	h.create(b)
	h.waitSynced(b)
	want := expected(b, "https://api.example.com:443")
	got := h.waitRemote(h.tc, "backend1", want)

	// Steady state: a few polls, no writes, three reads each.
	h.srv.ResetCalls()
	time.Sleep(3*pollInterval + pollInterval/2)
	calls := h.srv.Calls()
	h.diff("writes while in sync", []string(nil), h.writes())
	perOp := map[string]int{}
	for _, c := range calls {
		perOp[c.Op]++
	}
	polls := perOp["GET /admin/api/backend_apis/{id}.json"]
	if polls < 2 {
		t.Fatalf("%d polls in %v with a %v poll interval; calls %v", polls, 3*pollInterval, pollInterval, perOp)
	}
	h.diff("reads per poll", map[string]int{
		"GET /admin/api/backend_apis/{id}.json":                           polls,
		"GET /admin/api/backend_apis/{backend_api_id}/metrics.json":       polls,
		"GET /admin/api/backend_apis/{backend_api_id}/mapping_rules.json": polls,
	}, perOp)

	// Drift: an attribute, a rule and a metric changed by hand.
	ctx := context.Background()
	if _, err := h.tc.UpdateBackend(ctx, got.ID, threescale.BackendUpdateParams{Description: ptr("edited in the Admin Portal")}); err != nil {
		t.Fatal(err)
	}
	rules, _ := h.tc.ListBackendMappingRules(ctx, got.ID)
	if err := h.tc.DeleteBackendMappingRule(ctx, got.ID, rules[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.tc.CreateBackendMetric(ctx, got.ID, threescale.MetricParams{SystemName: ptr("extra"), FriendlyName: ptr("Extra"), Unit: ptr("1")}); err != nil {
		t.Fatal(err)
	}
	h.eventually("drift seen", func() error {
		if h.srv.CallCount("PUT /admin/api/backend_apis/{id}.json") == 0 {
			return fmt.Errorf("no update yet")
		}
		return nil
	})
	h.waitRemote(h.tc, "backend1", want)
	h.waitEvent(b.Name, "Normal Updated", `update backend "backend1": description`)
}

// TestBackendInvalid checks invalid specs: one the operator can tell without 3scale (no call is
// made), and one only 3scale refuses (its message reaches the condition and a Warning event).
func TestBackendInvalid(t *testing.T) {
	h := newHarness(t)
	h.startManager()

	b := newBackend("backend1")
	b.Spec.MappingRules[0].MetricMethodRef = "nope"
	h.create(b)
	c := h.waitCondition(b, backendConditions(b), external.TypeInvalid, metav1.ConditionTrue, external.ReasonInvalidSpec)
	if !strings.Contains(c.Message, `spec.mappingRules[0].metricMethodRef: unknown metric or method "nope"`) {
		t.Errorf("Invalid message = %q, want it to name the field and the metric", c.Message)
	}
	h.diff("3scale calls for a spec invalid on its face", 0, h.srv.CallCount(inmemory.AnyOperation))
	h.waitEvent(b.Name, "Warning InvalidSpec", `"nope"`)
	if b.Status.ObservedGeneration != b.Generation {
		t.Errorf("observedGeneration = %d, want %d: an invalid spec is final for its generation", b.Status.ObservedGeneration, b.Generation)
	}

	h.update(b, func() { b.Spec.MappingRules[0].MetricMethodRef = "list_pets" })
	h.waitSynced(b)
	h.waitCondition(b, backendConditions(b), external.TypeInvalid, metav1.ConditionFalse, "")

	// Only 3scale knows a private endpoint on loopback is refused.
	h.update(b, func() { b.Spec.PrivateBaseURL = "http://127.0.0.1:8080" })
	c = h.waitCondition(b, backendConditions(b), external.TypeInvalid, metav1.ConditionTrue, external.ReasonInvalidSpec)
	if !strings.Contains(c.Message, "private_endpoint cannot be a protected domain") {
		t.Errorf("Invalid message = %q, want 3scale's own message", c.Message)
	}
	h.waitEvent(b.Name, "Warning InvalidSpec", "private_endpoint cannot be a protected domain")
	if _, desc := conditionOf(b.Status.Conditions, external.TypeSynced); !strings.Contains(desc, "Synced=False") {
		t.Errorf("an invalid backend says %s", desc)
	}
}

// TestBackendDeletion covers every deletion path.
func TestBackendDeletion(t *testing.T) {
	t.Run("Orphan", func(t *testing.T) {
		h := newHarness(t)
		h.startManager()
		b := newBackend("backend1")
		b.Annotations = map[string]string{external.DeletionPolicyAnnotation: external.DeletionPolicyOrphan}
		h.create(b)
		h.waitSynced(b)
		h.delete(b)
		h.waitGone(b)
		if r, _ := h.remote(h.tc, "backend1"); r == nil {
			t.Error("the orphaned backend was deleted from 3scale")
		}
	})

	t.Run("AlreadyGoneIn3scale", func(t *testing.T) {
		h := newHarness(t)
		h.startManager()
		b := newBackend("backend1")
		h.create(b)
		h.waitSynced(b)
		if err := h.tc.DeleteBackend(context.Background(), *b.Status.ID); err != nil {
			t.Fatal(err)
		}
		h.delete(b)
		h.waitGone(b)
	})

	t.Run("TenantSecretGone", func(t *testing.T) {
		h := newHarness(t)
		h.startManager()
		b := newBackend("backend1")
		h.create(b)
		h.waitSynced(b)
		h.delete(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: h.ns, Name: "threescale-provider-account"}})
		h.delete(b)
		c := h.waitCondition(b, backendConditions(b), external.TypeSynced, metav1.ConditionFalse, external.ReasonProviderAccountNotFound)
		if !strings.Contains(c.Message, "capabilities.3scale.net/deletion-policy=Orphan") || !strings.Contains(c.Message, "threescale-provider-account") {
			t.Errorf("a deletion blocked by a missing secret says %q; want the secret and the way out", c.Message)
		}
		h.update(b, func() {
			b.Annotations = map[string]string{external.DeletionPolicyAnnotation: external.DeletionPolicyOrphan}
		})
		h.waitGone(b)
	})

	t.Run("UsedByProduct", func(t *testing.T) {
		h := newHarness(t)
		h.startManager()
		b := newBackend("backend1")
		h.create(b)
		h.waitSynced(b)
		// A Product object that uses the backend (its controller does not run here).
		p := &capabilitiesv1beta1.Product{
			ObjectMeta: metav1.ObjectMeta{Name: "product1"},
			Spec:       capabilitiesv1beta1.ProductSpec{Name: "Product 1", BackendUsages: map[string]capabilitiesv1beta1.BackendUsageSpec{"backend1": {Path: "/"}}},
		}
		h.create(p)
		h.delete(b)
		c := h.waitCondition(b, backendConditions(b), external.TypeSynced, metav1.ConditionFalse, "BackendInUse")
		if !strings.Contains(c.Message, `Product "product1"`) {
			t.Errorf("a deletion blocked by a product says %q; want the product named", c.Message)
		}
		h.diff("deletions sent while a product uses the backend", 0, h.srv.CallCount("DELETE /admin/api/backend_apis/{id}.json"))
		h.delete(p) // the Product watch brings the Backend back at once
		h.waitGone(b)
		if r, _ := h.remote(h.tc, "backend1"); r != nil {
			t.Error("the backend is still in 3scale")
		}
	})
}

// TestTenantSecretRotation changes the provider-account Secret under a synced Backend: each change
// re-syncs it through the Secret watch, with the new credentials.
func TestTenantSecretRotation(t *testing.T) {
	h := newHarness(t)
	// Polls are too rare to matter here: every re-sync comes from the Secret watch.
	h.pollInterval = time.Hour
	h.startManager()
	b := newBackend("backend1")
	h.create(b)
	h.waitSynced(b)
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: h.ns, Name: "threescale-provider-account"}}

	// A wrong token: Failed, naming the secret and the key.
	h.update(secret, func() { secret.Data["token"] = []byte("revoked") })
	c := h.waitCondition(b, backendConditions(b), external.TypeFailed, metav1.ConditionTrue, external.ReasonUnauthorized)
	if !strings.Contains(c.Message, `threescale-provider-account key "token"`) {
		t.Errorf("Failed message = %q, want it to name the secret and key", c.Message)
	}
	h.waitEvent(b.Name, "Warning Unauthorized", "threescale-provider-account")

	// The right token again: Synced, without any spec change.
	h.update(secret, func() { secret.Data["token"] = []byte(h.tenant.Token) })
	h.waitSynced(b)
	h.waitCondition(b, backendConditions(b), external.TypeFailed, metav1.ConditionFalse, "")

	// Another tenant: the backend is made there, and the status follows.
	other, err := h.srv.CreateTenant("other")
	if err != nil {
		t.Fatal(err)
	}
	otherClient, err := threescale.New(other.AdminURL, other.Token)
	if err != nil {
		t.Fatal(err)
	}
	h.update(secret, func() {
		secret.Data["adminURL"], secret.Data["token"] = []byte(other.AdminURL), []byte(other.Token)
	})
	got := h.waitRemote(otherClient, "backend1", expected(b, "https://api.example.com:443"))
	h.eventually("status follows the new tenant", func() error {
		if err := h.get(b); err != nil {
			return err
		}
		if b.Status.ProviderAccountHost != other.AdminURL || b.Status.ID == nil || *b.Status.ID != got.ID {
			return fmt.Errorf("status host %q id %v, want %q %d", b.Status.ProviderAccountHost, b.Status.ID, other.AdminURL, got.ID)
		}
		return nil
	})
}

// TestRestartMidSync is the state an operator killed between creating the entity in 3scale and
// recording its ID leaves (the object marked create-pending, no ID, the entity in 3scale), for a
// Backend and a Product: the next operator records the entity instead of creating a duplicate.
func TestRestartMidSync(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	pending := map[string]string{external.CreatePendingAnnotation: "2026-12-04T10:00:00Z"}
	made, err := h.tc.CreateBackend(ctx, threescale.BackendParams{Name: ptr("Backend 1"), SystemName: ptr("backend1"), PrivateEndpoint: ptr("https://api.example.com")})
	if err != nil {
		t.Fatal(err)
	}
	madeProduct, err := h.tc.CreateProduct(ctx, threescale.ProductParams{Name: ptr("Product 1"), SystemName: ptr("product1")})
	if err != nil {
		t.Fatal(err)
	}
	b := newBackend("backend1")
	b.Annotations = pending
	h.create(b)
	p := newProduct("product1")
	p.Annotations = pending
	h.create(p)
	h.srv.ResetCalls()
	h.startManager()
	h.waitSynced(b)
	h.waitCondition(p, productConditions(p), external.TypeSynced, metav1.ConditionTrue, "")
	h.diff("backend creations", 0, h.srv.CallCount("POST /admin/api/backend_apis.json"))
	h.diff("product creations", 0, h.srv.CallCount("POST /admin/api/services.json"))
	h.diff("recorded backend", made.ID, *b.Status.ID)
	h.diff("recorded product", madeProduct.ID, *p.Status.ID)
	h.waitEvent(b.Name, "Normal Recovered")
	h.waitEvent(p.Name, "Normal Recovered")
	h.diff("create-pending marks left", "", b.Annotations[external.CreatePendingAnnotation]+p.Annotations[external.CreatePendingAnnotation])
}
