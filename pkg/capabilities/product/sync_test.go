package product

import (
	"context"
	corev1 "k8s.io/api/core/v1"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/intstr"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/capabilities/promote"
	"github.com/threescale-oss/operator/pkg/threescale"
)

func backendSpec(prefix string) planning.Desired {
	return planning.Desired{
		Metrics: map[string]capabilitiesv1beta1.MetricSpec{prefix + "m": {Name: prefix + " metric", Unit: "1"}},
		Methods: map[string]capabilitiesv1beta1.MethodSpec{prefix + "get": {Name: prefix + " get"}},
		MappingRules: []capabilitiesv1beta1.MappingRuleSpec{
			{HTTPMethod: "GET", Pattern: "/" + prefix, MetricMethodRef: prefix + "get", Increment: 1},
		},
	}
}

// fullSpec is a product that uses every part of the spec but OIDC.
func fullSpec() capabilitiesv1beta1.ProductSpec {
	b1, b2 := "b1", "b2"
	return capabilitiesv1beta1.ProductSpec{
		Name:        "Pets API",
		SystemName:  "pets",
		Description: "Pets",
		Deployment: &capabilitiesv1beta1.ProductDeploymentSpec{ApicastSelfManaged: &capabilitiesv1beta1.ApicastSelfManagedSpec{
			StagingPublicBaseURL:    ptr("https://staging.pets.example.com"),
			ProductionPublicBaseURL: ptr("https://pets.example.com"),
			Authentication: &capabilitiesv1beta1.AuthenticationSpec{UserKeyAuthentication: &capabilitiesv1beta1.UserKeyAuthenticationSpec{
				Key: ptr("api-key"), CredentialsLoc: ptr("headers"),
				Security: &capabilitiesv1beta1.SecuritySpec{HostHeader: ptr("pets.internal"), SecretToken: ptr("s3cr3t")},
				GatewayResponse: &capabilitiesv1beta1.GatewayResponseSpec{
					ErrorStatusAuthFailed: ptr(int32(401)), ErrorAuthFailed: ptr("nope"), ErrorHeadersAuthFailed: ptr("application/json"),
					ErrorStatusLimitsExceeded: ptr(int32(420)), ErrorNoMatch: ptr("no rule"),
				},
			}},
		}},
		Metrics: map[string]capabilitiesv1beta1.MetricSpec{"bytes": {Name: "Bytes", Unit: "byte"}},
		Methods: map[string]capabilitiesv1beta1.MethodSpec{"list": {Name: "List"}, "create": {Name: "Create", Description: "new pet"}},
		MappingRules: []capabilitiesv1beta1.MappingRuleSpec{
			{HTTPMethod: "GET", Pattern: "/pets$", MetricMethodRef: "list", Increment: 1, Last: ptr(true)},
			{HTTPMethod: "POST", Pattern: "/pets", MetricMethodRef: "create", Increment: 1},
			{HTTPMethod: "GET", Pattern: "/", MetricMethodRef: "bytes", Increment: 3},
		},
		BackendUsages: map[string]capabilitiesv1beta1.BackendUsageSpec{"b1": {Path: "/v1"}, "b2": {Path: "/v2/"}},
		ApplicationPlans: map[string]capabilitiesv1beta1.ApplicationPlanSpec{
			"basic": {
				Published: ptr(true), SetupFee: ptr(intstr.FromString("10.50")), CostMonth: ptr(intstr.FromInt32(5)),
				Limits: []capabilitiesv1beta1.LimitSpec{
					{Period: "day", Value: 100, MetricMethodRef: capabilitiesv1beta1.MetricMethodRefSpec{SystemName: "hits"}},
					{Period: "minute", Value: 10, MetricMethodRef: capabilitiesv1beta1.MetricMethodRefSpec{SystemName: "list"}},
					{Period: "month", Value: 7, MetricMethodRef: capabilitiesv1beta1.MetricMethodRefSpec{SystemName: "b1m", BackendSystemName: &b1}},
					{Period: "hour", Value: 8, MetricMethodRef: capabilitiesv1beta1.MetricMethodRefSpec{SystemName: "b2get", BackendSystemName: &b2}},
				},
				PricingRules: []capabilitiesv1beta1.PricingRuleSpec{
					{From: 1, To: 100, PricePerUnit: intstr.FromString("0.05"), MetricMethodRef: capabilitiesv1beta1.MetricMethodRefSpec{SystemName: "hits"}},
					{From: 1, To: 10, PricePerUnit: intstr.FromInt32(1), MetricMethodRef: capabilitiesv1beta1.MetricMethodRefSpec{SystemName: "b2m", BackendSystemName: &b2}},
				},
			},
			"premium": {Name: ptr("Premium"), AppsRequireApproval: ptr(true), TrialPeriod: ptr(30)},
		},
		Policies: []capabilitiesv1beta1.PolicyConfig{
			{Name: "cors", Version: "builtin", Enabled: true, Configuration: raw(`{"allow_credentials": true}`)},
		},
	}
}

// A Result is what syncProduct did.
type Result struct {
	// Executed are the operations that ran, in order.
	Executed []planning.Operation
	// ProductID is the product's 3scale ID.
	ProductID int64
}

// syncProduct takes the product id (0: none yet) to d the way the loop's steps do (observe, create when
// missing, observe, execute the plan), to test that the planner converges; the loop itself is
// tested in package external and, with this kind, in the integration suite.
func syncProduct(ctx context.Context, c *threescale.Client, d *Desired, id int64, backends map[string]int64) (*Result, error) {
	res := &Result{ProductID: id}
	if id == 0 {
		op := createProduct(d, &res.ProductID)
		if err := op.Run(ctx, c); err != nil {
			return res, err
		}
		res.Executed = append(res.Executed, op)
	}
	o, err := Observe(ctx, c, d, res.ProductID, backends)
	if err != nil {
		return res, err
	}
	ops, err := Plan(d, o, backends)
	if err != nil {
		return res, err
	}
	n, err := planning.Execute(ctx, c, ops)
	res.Executed = append(res.Executed, ops[:n]...)
	return res, err
}

// syncStep syncs d and checks that a second observation plans nothing. It returns the result;
// e.calls holds the calls the sync made.
func (e *env) syncStep(t *testing.T, d *Desired, id int64, backends map[string]int64) *Result {
	t.Helper()
	ctx := context.Background()
	e.srv.ResetCalls()
	res, err := syncProduct(ctx, e.c, d, id, backends)
	e.calls = e.srv.Calls()
	if err != nil {
		t.Fatalf("Sync: %v (executed %v)", err, opsOf(res.Executed))
	}
	o, err := Observe(ctx, e.c, d, res.ProductID, backends)
	if err != nil {
		t.Fatalf("Observe: %v", err)
	}
	again, err := Plan(d, o, backends)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	if diff := cmp.Diff([]planning.Operation{}, opsOf(again)); diff != "" {
		t.Fatalf("the plan after a sync that executed %v is not empty: -want, +got:\n%s", opsOf(res.Executed), diff)
	}
	return res
}

// TestSyncConverges takes a product from nothing through changes, drift made behind the
// operator's back and removals, against the in-memory 3scale: each sync leaves nothing to plan,
// and each step makes the writes it should and no other.
func TestSyncConverges(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	backends := map[string]int64{"b1": e.backend(t, "b1", backendSpec("b1")), "b2": e.backend(t, "b2", backendSpec("b2"))}
	spec := fullSpec()

	// From nothing.
	res := e.syncStep(t, desiredOf(t, spec, nil), 0, backends)
	id := res.ProductID
	if id == 0 {
		t.Fatal("no product ID after the first sync")
	}
	px, err := e.c.GetProxy(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	gotProxy := []any{px.SecretToken, px.HostnameRewrite, px.AuthUserKey, px.CredentialsLocation, px.ErrorStatusAuthFailed, px.ErrorStatusLimitsExceeded, px.ErrorNoMatch, px.Endpoint}
	wantProxy := []any{"s3cr3t", "pets.internal", "api-key", "headers", 401, 420, "no rule", "https://pets.example.com:443"}
	if diff := cmp.Diff(wantProxy, gotProxy); diff != "" {
		t.Errorf("proxy after the first sync: -want, +got:\n%s", diff)
	}
	plans, err := e.c.ListApplicationPlans(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	type planView struct {
		System, Name, State string
		Approval            bool
		Trial               int64
	}
	var gotPlans []planView
	for _, p := range plans {
		gotPlans = append(gotPlans, planView{p.SystemName, p.Name, p.State, p.ApprovalRequired, p.TrialPeriodDays})
	}
	wantPlans := []planView{{"basic", "basic", "published", false, 0}, {"premium", "Premium", "hidden", true, 30}}
	if diff := cmp.Diff(wantPlans, gotPlans); diff != "" {
		t.Errorf("plans after the first sync: -want, +got:\n%s", diff)
	}
	chain, err := e.c.GetPolicyChain(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(chain) != 2 || chain[0].Name != "cors" || chain[1].Name != "apicast" {
		t.Errorf("policy chain after the first sync: %+v, want cors then apicast", chain)
	}

	t.Run("NoChange", func(t *testing.T) {
		res := e.syncStep(t, desiredOf(t, spec, nil), id, backends)
		calls := e.calls
		if len(res.Executed) != 0 || writes(calls) != 0 {
			t.Errorf("a resync with nothing changed executed %v (%d writes)", planning.Descriptions(res.Executed), writes(calls))
		}
		for op, n := range readsByOp(calls) {
			// Limits and pricing rules are one list per plan; everything else one list.
			max := 1
			if op == "GET /admin/api/application_plans/{application_plan_id}/limits.json" || op == "GET /admin/api/application_plans/{application_plan_id}/pricing_rules.json" || op == "GET /admin/api/backend_apis/{backend_api_id}/metrics.json" {
				max = 2
			}
			if n > max {
				t.Errorf("%d reads of %s, want at most %d", n, op, max)
			}
		}
	})

	t.Run("OneMappingRuleChanged", func(t *testing.T) {
		spec.MappingRules[1].Increment = 2
		res := e.syncStep(t, desiredOf(t, spec, nil), id, backends)
		want := []string{`update mapping rule "POST /pets" of product ` + itoa(id) + `: delta`}
		if diff := cmp.Diff(want, planning.Descriptions(res.Executed)); diff != "" {
			t.Errorf("executed: -want, +got:\n%s", diff)
		}
		if n := writes(e.calls); n != 1 {
			t.Errorf("%d writes, want 1", n)
		}
	})

	t.Run("SwitchToOIDC", func(t *testing.T) {
		spec.Deployment.ApicastSelfManaged.Authentication = &capabilitiesv1beta1.AuthenticationSpec{OIDC: &capabilitiesv1beta1.OIDCSpec{
			IssuerType:         "keycloak",
			IssuerEndpointRef:  &corev1SecretRef{Name: "issuer"},
			AuthenticationFlow: &capabilitiesv1beta1.OIDCAuthenticationFlowSpec{ServiceAccountsEnabled: true, StandardFlowEnabled: false},
			CredentialsLoc:     ptr("authorization"),
		}}
		secret := func(_ context.Context, ref corev1.SecretReference, _, key string) (string, error) {
			ns, name := namespaceOr(ref.Namespace), ref.Name
			if ns != "ns" || name != "issuer" || key != "issuerEndpoint" {
				t.Errorf("read key %q of Secret %s/%s", key, ns, name)
			}
			return "https://client:secret@sso.example.com/auth/realms/pets", nil
		}
		res := e.syncStep(t, desiredOf(t, spec, secret), id, backends)
		want := []string{
			`update product "pets": authentication mode`,
			`update proxy of product ` + itoa(id) + `: oidc_issuer_endpoint, oidc_issuer_type, credentials_location`,
			`update OIDC configuration of product ` + itoa(id),
		}
		if diff := cmp.Diff(want, planning.Descriptions(res.Executed)); diff != "" {
			t.Errorf("executed: -want, +got:\n%s", diff)
		}
		spec.Deployment.ApicastSelfManaged.Authentication = fullSpec().Deployment.ApicastSelfManaged.Authentication
		e.syncStep(t, desiredOf(t, spec, nil), id, backends)
	})

	t.Run("PolicyFromSecret", func(t *testing.T) {
		spec.Policies[0].ConfigurationRef = &corev1SecretRefNS{Name: "cors"}
		secret := func(_ context.Context, ref corev1.SecretReference, _, key string) (string, error) {
			return `{"allow_origin": "*"}`, nil
		}
		res := e.syncStep(t, desiredOf(t, spec, secret), id, backends)
		if diff := cmp.Diff([]string{`update policy chain of product ` + itoa(id)}, planning.Descriptions(res.Executed)); diff != "" {
			t.Errorf("executed: -want, +got:\n%s", diff)
		}
		chain, err := e.c.GetPolicyChain(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !sameJSON(chain[0].Configuration, []byte(`{"allow_credentials": true, "allow_origin": "*"}`)) {
			t.Errorf("cors configuration %s, want the spec's merged with the Secret's", chain[0].Configuration)
		}
		spec.Policies[0].ConfigurationRef = nil
		e.syncStep(t, desiredOf(t, spec, nil), id, backends)
	})

	t.Run("DriftReverted", func(t *testing.T) {
		o, err := Observe(ctx, e.c, desiredOf(t, spec, nil), id, backends)
		if err != nil {
			t.Fatal(err)
		}
		basic := o.Plans[0]
		// Changes made in the Admin Portal.
		mustDo(t, func() error {
			_, err := e.c.UpdateApplicationPlan(ctx, id, basic.Plan.ID, threescale.ApplicationPlanUpdateParams{Name: ptr("Renamed")})
			return err
		})
		mustDo(t, func() error {
			l := basic.Limits[0]
			return e.c.DeleteLimit(ctx, basic.Plan.ID, l.MetricID, l.ID)
		})
		mustDo(t, func() error {
			_, err := e.c.UpdateProxy(ctx, id, threescale.ProxyParams{ErrorNoMatch: ptr("changed")})
			return err
		})
		mustDo(t, func() error {
			_, err := e.c.CreateProductMetric(ctx, id, threescale.MetricParams{FriendlyName: ptr("Rogue"), SystemName: ptr("rogue"), Unit: ptr("1")})
			return err
		})
		mustDo(t, func() error {
			_, err := e.c.UpdateBackendUsage(ctx, id, o.BackendUsages[0].ID, threescale.BackendUsageUpdateParams{Path: ptr("/elsewhere")})
			return err
		})
		res := e.syncStep(t, desiredOf(t, spec, nil), id, backends)
		if len(res.Executed) != 5 {
			t.Errorf("reverting 5 changes executed %v", planning.Descriptions(res.Executed))
		}
	})

	t.Run("Removals", func(t *testing.T) {
		delete(spec.ApplicationPlans, "premium")
		delete(spec.BackendUsages, "b2")
		basic := spec.ApplicationPlans["basic"]
		basic.Limits = basic.Limits[:2]
		basic.PricingRules = basic.PricingRules[:1]
		spec.ApplicationPlans["basic"] = basic
		delete(spec.Methods, "create")
		spec.MappingRules = spec.MappingRules[:1]
		// The latest deployed configuration counts the method: 3scale deletes it only after a
		// promotion, which spec.promoteTo asks for and the plan runs first.
		d := desiredOf(t, spec, nil)
		var promoted promote.Result
		d.Promotion = &Promotion{Done: func(r promote.Result) { promoted = r }}
		res := e.syncStep(t, d, id, backends)
		if promoted.After.Staging == 0 {
			t.Errorf("promotion recorded %+v, want a staging version", promoted)
		}
		want := []string{
			`delete mapping rule "POST /pets" of product ` + itoa(id),
			`delete mapping rule "GET /" of product ` + itoa(id),
			`delete application plan "premium" of product ` + itoa(id),
			// Limits of backends no limit refers to any more are named by metric ID: their
			// backends' metrics are not read.
			`delete limit of metric ` + itoa(metricIDOf(t, e, backends["b1"], "b1m")) + ` per month of application plan "basic" of product ` + itoa(id),
			`delete limit of metric ` + itoa(metricIDOf(t, e, backends["b2"], "b2get")) + ` per hour of application plan "basic" of product ` + itoa(id),
			`delete pricing rule of metric ` + itoa(metricIDOf(t, e, backends["b2"], "b2m")) + ` from 1 to 10 of application plan "basic" of product ` + itoa(id),
			`delete the usage of backend ` + itoa(backends["b2"]) + ` by product ` + itoa(id),
			`promote the configuration of product ` + itoa(id) + ` to staging`,
			`delete method "create" of product ` + itoa(id),
		}
		if diff := cmp.Diff(want, planning.Descriptions(res.Executed)); diff != "" {
			t.Errorf("executed: -want, +got:\n%s", diff)
		}
	})

	// A product deleted behind the operator's back, and a restart before the status records the
	// ID, are the loop's business: pkg/external and test/integration/capabilities test them.
}

func mustDo(t *testing.T, f func() error) {
	t.Helper()
	if err := f(); err != nil {
		t.Fatal(err)
	}
}

func metricIDOf(t *testing.T, e *env, backendID int64, name string) int64 {
	t.Helper()
	ms, err := e.c.ListBackendMetrics(context.Background(), backendID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if threescale.TrimBackendMetricSuffix(m.SystemName, backendID) == name {
			return m.ID
		}
	}
	t.Fatalf("no metric %q in backend %d", name, backendID)
	return 0
}
