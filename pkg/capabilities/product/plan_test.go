package product

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/intstr"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// The fixture: product 7 with hits (1), metric "m" (2), method "get" (3), one rule, backend "be"
// (ID 40, metric "bm" with ID 41) used at /be, plan "basic" (ID 50) with one limit and one pricing
// rule. tableSpec and tableObserved agree.
func tableSpec() capabilitiesv1beta1.ProductSpec {
	be := "be"
	return capabilitiesv1beta1.ProductSpec{
		Name: "Table", SystemName: "table", Description: "d",
		Deployment: &capabilitiesv1beta1.ProductDeploymentSpec{ApicastSelfManaged: &capabilitiesv1beta1.ApicastSelfManagedSpec{
			ProductionPublicBaseURL: ptr("https://api.example.com"),
			Authentication: &capabilitiesv1beta1.AuthenticationSpec{UserKeyAuthentication: &capabilitiesv1beta1.UserKeyAuthenticationSpec{
				Key: ptr("key"), Security: &capabilitiesv1beta1.SecuritySpec{SecretToken: ptr("tok")},
				GatewayResponse: &capabilitiesv1beta1.GatewayResponseSpec{ErrorStatusNoMatch: ptr(int32(404))},
			}},
		}},
		Metrics:       map[string]capabilitiesv1beta1.MetricSpec{"m": {Name: "M", Unit: "1"}},
		Methods:       map[string]capabilitiesv1beta1.MethodSpec{"get": {Name: "Get"}},
		MappingRules:  []capabilitiesv1beta1.MappingRuleSpec{{HTTPMethod: "GET", Pattern: "/", MetricMethodRef: "get", Increment: 1}},
		BackendUsages: map[string]capabilitiesv1beta1.BackendUsageSpec{"be": {Path: "/be/"}},
		ApplicationPlans: map[string]capabilitiesv1beta1.ApplicationPlanSpec{"basic": {
			Published: ptr(true), SetupFee: ptr(intstr.FromString("10")),
			Limits:       []capabilitiesv1beta1.LimitSpec{{Period: "day", Value: 5, MetricMethodRef: capabilitiesv1beta1.MetricMethodRefSpec{SystemName: "bm", BackendSystemName: &be}}},
			PricingRules: []capabilitiesv1beta1.PricingRuleSpec{{From: 1, To: 9, PricePerUnit: intstr.FromString("0.5"), MetricMethodRef: capabilitiesv1beta1.MetricMethodRefSpec{SystemName: "m"}}},
		}},
		Policies: []capabilitiesv1beta1.PolicyConfig{{Name: "cors", Version: "builtin", Enabled: true, Configuration: raw(`{"a": 1, "b": [true]}`)}},
	}
}

var tableBackends = map[string]int64{"be": 40}

func tableObserved() *Observed {
	return &Observed{
		Product: &threescale.Product{ID: 7, Name: "Table", SystemName: "table", Description: "d", DeploymentOption: "self_managed", BackendVersion: "1", Annotations: map[string]string{"managed_by": "operator"}},
		Proxy:   &threescale.Proxy{Endpoint: "https://api.example.com:443", AuthUserKey: "key", SecretToken: "tok", ErrorStatusNoMatch: 404, CredentialsLocation: "query"},
		Policies: []threescale.PolicyConfig{
			{Name: "cors", Version: "builtin", Enabled: true, Configuration: json.RawMessage(`{"b":[true],"a":1.0}`)},
			{Name: "apicast", Version: "builtin", Enabled: true, Configuration: json.RawMessage(`{}`)},
		},
		Metrics: []threescale.Metric{
			{ID: 1, SystemName: "hits", FriendlyName: "Hits", Unit: "hit", Description: "Number of API hits"},
			{ID: 2, SystemName: "m", FriendlyName: "M", Unit: "1"},
			{ID: 3, ParentID: 1, SystemName: "get", FriendlyName: "Get"},
		},
		MappingRules:  []threescale.MappingRule{{ID: 20, MetricID: 3, HTTPMethod: "GET", Pattern: "/", Delta: 1, Position: 1}},
		BackendUsages: []threescale.BackendUsage{{ID: 30, BackendID: 40, Path: "/be"}},
		Plans: []ObservedPlan{{
			Plan:         threescale.ApplicationPlan{ID: 50, Name: "basic", SystemName: "basic", State: "published", SetupFee: "10.00", CostPerMonth: "0.0"},
			Limits:       []threescale.Limit{{ID: 60, MetricID: 41, Period: "day", Value: 5}},
			PricingRules: []threescale.PricingRule{{ID: 70, MetricID: 2, Min: 1, Max: 9, CostPerUnit: "0.50"}},
		}},
		BackendMetrics: map[string][]threescale.Metric{"be": {{ID: 41, SystemName: "bm.40", FriendlyName: "BM", Unit: "1"}}},
	}
}

func op(verb planning.Verb, entity, key, description string) planning.Operation {
	return planning.Operation{Verb: verb, Entity: entity, Key: key, Description: description}
}

func TestPlan(t *testing.T) {
	type want struct {
		ops            []planning.Operation
		invalid        bool
		missingBackend bool
	}
	cases := map[string]struct {
		reason   string
		spec     func(s *capabilitiesv1beta1.ProductSpec)
		observed func(o *Observed)
		want     want
	}{
		"InSync": {
			reason: "A product as the spec says needs nothing: endpoints compare with their default port, paths without their trailing slash, amounts and JSON by value.",
		},
		"Absent": {
			reason:   "A product that does not exist is created, alone: its collections are planned once it exists.",
			observed: func(o *Observed) { *o = Observed{} },
			want:     want{ops: []planning.Operation{op(planning.VerbCreate, EntityProduct, "table", `create product "table"`)}},
		},
		"Attributes": {
			reason: "Name, description, deployment option and authentication mode are one update.",
			spec: func(s *capabilitiesv1beta1.ProductSpec) {
				s.Name, s.Description = "New", "new"
				s.Deployment = &capabilitiesv1beta1.ProductDeploymentSpec{ApicastHosted: &capabilitiesv1beta1.ApicastHostedSpec{
					Authentication: &capabilitiesv1beta1.AuthenticationSpec{AppKeyAppIDAuthentication: &capabilitiesv1beta1.AppKeyAppIDAuthenticationSpec{}},
				}}
			},
			want: want{ops: []planning.Operation{
				op(planning.VerbUpdate, EntityProduct, "table", `update product "table": name, description, deployment option, authentication mode`),
			}},
		},
		"UnsetDeploymentLeftAlone": {
			reason: "Without spec.deployment, 3scale's deployment, authentication and proxy settings are kept.",
			spec:   func(s *capabilitiesv1beta1.ProductSpec) { s.Deployment = nil },
		},
		"ManagedByAnnotationRestored": {
			reason:   "The managed_by annotation is put back when it is missing.",
			observed: func(o *Observed) { o.Product.Annotations = nil },
			want: want{ops: []planning.Operation{
				op(planning.VerbUpdate, EntityProduct, "table", `update product "table": annotations`),
			}},
		},
		"ProxyFields": {
			reason: "Changed proxy settings are one update naming the fields, never their values.",
			observed: func(o *Observed) {
				o.Proxy.SecretToken, o.Proxy.AuthUserKey, o.Proxy.ErrorStatusNoMatch, o.Proxy.Endpoint = "old", "user_key", 400, "https://other.example.com:443"
			},
			want: want{ops: []planning.Operation{
				op(planning.VerbUpdate, EntityProxy, "", `update proxy of product 7: endpoint, auth_user_key, secret_token, error_status_no_match`),
			}},
		},
		"OIDC": {
			reason: "Switching to OIDC sets the mode, the issuer and its type, and the flows.",
			spec: func(s *capabilitiesv1beta1.ProductSpec) {
				s.Deployment.ApicastSelfManaged.Authentication = &capabilitiesv1beta1.AuthenticationSpec{OIDC: &capabilitiesv1beta1.OIDCSpec{
					IssuerType: "rest", IssuerEndpoint: "https://sso.example.com",
					AuthenticationFlow: &capabilitiesv1beta1.OIDCAuthenticationFlowSpec{ImplicitFlowEnabled: true},
				}}
			},
			observed: func(o *Observed) { o.OIDC = &threescale.OIDCConfiguration{ID: 9, StandardFlowEnabled: true} },
			want: want{ops: []planning.Operation{
				op(planning.VerbUpdate, EntityProduct, "table", `update product "table": authentication mode`),
				op(planning.VerbUpdate, EntityProxy, "", `update proxy of product 7: oidc_issuer_endpoint, oidc_issuer_type`),
				op(planning.VerbUpdate, EntityOIDC, "", `update OIDC configuration of product 7`),
			}},
		},
		"PolicyChain": {
			reason:   "A policy chain that differs is replaced whole, after everything else but late deletions.",
			observed: func(o *Observed) { o.Policies = o.Policies[1:] },
			want:     want{ops: []planning.Operation{op(planning.VerbUpdate, EntityPolicyChain, "", `update policy chain of product 7`)}},
		},
		"MissingBackend": {
			reason: "A backend usage naming a backend without a 3scale ID waits for it.",
			spec: func(s *capabilitiesv1beta1.ProductSpec) {
				s.BackendUsages["nope"] = capabilitiesv1beta1.BackendUsageSpec{Path: "/n"}
			},
			want: want{missingBackend: true},
		},
		"BackendUsagePathAndRemoval": {
			reason: "A moved usage is updated; a usage the spec no longer lists is deleted before the others change.",
			spec: func(s *capabilitiesv1beta1.ProductSpec) {
				s.BackendUsages["be"] = capabilitiesv1beta1.BackendUsageSpec{Path: "/v2"}
			},
			observed: func(o *Observed) {
				o.BackendUsages = append(o.BackendUsages, threescale.BackendUsage{ID: 31, BackendID: 99, Path: "/x"})
			},
			want: want{ops: []planning.Operation{
				op(planning.VerbDelete, EntityBackendUsage, "99", `delete the usage of backend 99 by product 7`),
				op(planning.VerbUpdate, EntityBackendUsage, "be", `move backend "be" to path "/v2" in product 7`),
			}},
		},
		"PlanAttributes": {
			reason: "Each plan attribute that differs is named in one update; state changes by event.",
			spec: func(s *capabilitiesv1beta1.ProductSpec) {
				p := s.ApplicationPlans["basic"]
				p.Name, p.AppsRequireApproval, p.TrialPeriod, p.SetupFee, p.CostMonth, p.Published = ptr("Basic"), ptr(true), ptr(3), ptr(intstr.FromInt32(11)), ptr(intstr.FromString("0.99")), nil
				s.ApplicationPlans["basic"] = p
			},
			want: want{ops: []planning.Operation{
				op(planning.VerbUpdate, EntityPlan, "basic", `update application plan "basic" of product 7: name, approval, trial period, setup fee, monthly cost, state`),
			}},
		},
		"PlanCreatedAndDeleted": {
			reason: "A new plan is created before its limits; a plan the spec no longer lists is deleted early; custom plans are left alone.",
			spec: func(s *capabilitiesv1beta1.ProductSpec) {
				s.ApplicationPlans["gold"] = capabilitiesv1beta1.ApplicationPlanSpec{
					Limits: []capabilitiesv1beta1.LimitSpec{{Period: "month", Value: 1, MetricMethodRef: capabilitiesv1beta1.MetricMethodRefSpec{SystemName: "hits"}}},
				}
			},
			observed: func(o *Observed) {
				o.Plans = append(o.Plans,
					ObservedPlan{Plan: threescale.ApplicationPlan{ID: 51, SystemName: "old"}},
					ObservedPlan{Plan: threescale.ApplicationPlan{ID: 52, SystemName: "custom", Custom: true}})
			},
			want: want{ops: []planning.Operation{
				op(planning.VerbDelete, EntityPlan, "old", `delete application plan "old" of product 7`),
				op(planning.VerbCreate, EntityPlan, "gold", `create application plan "gold" of product 7`),
				op(planning.VerbCreate, EntityLimit, "gold: hits per month", `create limit of hits per month of application plan "gold" of product 7`),
			}},
		},
		"LimitValueUpdatedOthersDeleted": {
			reason: "A limit whose value changed is updated in place; one the spec no longer lists is deleted.",
			spec: func(s *capabilitiesv1beta1.ProductSpec) {
				p := s.ApplicationPlans["basic"]
				p.Limits = []capabilitiesv1beta1.LimitSpec{{Period: "day", Value: 6, MetricMethodRef: p.Limits[0].MetricMethodRef}}
				s.ApplicationPlans["basic"] = p
			},
			observed: func(o *Observed) {
				o.Plans[0].Limits = append(o.Plans[0].Limits, threescale.Limit{ID: 61, MetricID: 2, Period: "hour", Value: 1})
			},
			want: want{ops: []planning.Operation{
				op(planning.VerbDelete, EntityLimit, "basic: m per hour", `delete limit of m per hour of application plan "basic" of product 7`),
				op(planning.VerbUpdate, EntityLimit, "basic: be/bm per day", `update limit of be/bm per day of application plan "basic" of product 7: value`),
			}},
		},
		"PricingRuleNewPrice": {
			reason: "3scale cannot update a pricing rule: a new price is a deletion, early, and a creation.",
			spec: func(s *capabilitiesv1beta1.ProductSpec) {
				s.ApplicationPlans["basic"].PricingRules[0].PricePerUnit = intstr.FromString("0.6")
			},
			want: want{ops: []planning.Operation{
				op(planning.VerbDelete, EntityPricingRule, "basic: m from 1 to 9", `delete pricing rule of m from 1 to 9 of application plan "basic" of product 7`),
				op(planning.VerbCreate, EntityPricingRule, "basic: m from 1 to 9", `create pricing rule of m from 1 to 9 of application plan "basic" of product 7`),
			}},
		},
		"LimitUnknownMetric": {
			reason: "A limit naming a metric the product does not have is invalid.",
			spec: func(s *capabilitiesv1beta1.ProductSpec) {
				s.ApplicationPlans["basic"].Limits[0].MetricMethodRef = capabilitiesv1beta1.MetricMethodRefSpec{SystemName: "nope"}
			},
			want: want{invalid: true},
		},
		"LimitUnknownBackendMetric": {
			reason: "A limit naming a metric its backend does not have is invalid.",
			spec: func(s *capabilitiesv1beta1.ProductSpec) {
				s.ApplicationPlans["basic"].Limits[0].MetricMethodRef.SystemName = "nope"
			},
			want: want{invalid: true},
		},
		"LimitBackendNotUsed": {
			reason: "A limit on a backend the product does not use is invalid.",
			spec: func(s *capabilitiesv1beta1.ProductSpec) {
				s.ApplicationPlans["basic"].Limits[0].MetricMethodRef.BackendSystemName = ptr("other")
			},
			want: want{invalid: true},
		},
		"DuplicateLimit": {
			reason: "Two limits of one metric and period are invalid.",
			spec: func(s *capabilitiesv1beta1.ProductSpec) {
				p := s.ApplicationPlans["basic"]
				p.Limits = append(p.Limits, p.Limits[0])
				s.ApplicationPlans["basic"] = p
			},
			want: want{invalid: true},
		},
		"OrderOfEverything": {
			reason: "Rules and limits go before the metrics they use; new metrics before the rules and limits that use them.",
			spec: func(s *capabilitiesv1beta1.ProductSpec) {
				delete(s.Metrics, "m")
				s.Metrics["n"] = capabilitiesv1beta1.MetricSpec{Name: "N", Unit: "1"}
				s.MappingRules[0].MetricMethodRef = "n"
				s.ApplicationPlans["basic"].PricingRules[0].MetricMethodRef.SystemName = "n"
			},
			want: want{ops: []planning.Operation{
				op(planning.VerbDelete, EntityPricingRule, "basic: m from 1 to 9", `delete pricing rule of m from 1 to 9 of application plan "basic" of product 7`),
				op(planning.VerbCreate, planning.EntityMetric, "n", `create metric "n" of product 7`),
				op(planning.VerbUpdate, planning.EntityMappingRule, "GET /", `update mapping rule "GET /" of product 7: metric`),
				op(planning.VerbCreate, EntityPricingRule, "basic: n from 1 to 9", `create pricing rule of n from 1 to 9 of application plan "basic" of product 7`),
				op(planning.VerbDelete, planning.EntityMetric, "m", `delete metric "m" of product 7`),
			}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := tableSpec()
			if tc.spec != nil {
				tc.spec(&s)
			}
			o := tableObserved()
			if tc.observed != nil {
				tc.observed(o)
			}
			got, err := Plan(desiredOf(t, s, nil), o, tableBackends)
			switch {
			case tc.want.invalid:
				if !planning.IsInvalid(err) {
					t.Fatalf("\n%s\nPlan(...): want an InvalidError, got %v", tc.reason, err)
				}
				return
			case tc.want.missingBackend:
				if !IsMissingBackend(err) {
					t.Fatalf("\n%s\nPlan(...): want a MissingBackendError, got %v", tc.reason, err)
				}
				return
			case err != nil:
				t.Fatalf("\n%s\nPlan(...): %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.want.ops, got, ignoreRun, cmp.Comparer(func(a, b []planning.Operation) bool {
				return len(a) == 0 && len(b) == 0 || cmp.Equal(a, b, ignoreRun)
			})); diff != "" {
				t.Errorf("\n%s\nPlan(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestInvalidLimitNamesTheMetric(t *testing.T) {
	s := tableSpec()
	s.ApplicationPlans["basic"].Limits[0].MetricMethodRef = capabilitiesv1beta1.MetricMethodRefSpec{SystemName: "nope"}
	_, err := Plan(desiredOf(t, s, nil), tableObserved(), tableBackends)
	want := `spec.applicationPlans.basic.limits[0].metricMethodRef: unknown metric or method "nope"`
	if err == nil || err.Error() != want {
		t.Errorf("Plan(...): error %v, want %s", err, want)
	}
}
