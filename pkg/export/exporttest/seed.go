// Package exporttest seeds a 3scale tenant the way people fill one in the Admin Portal: for the
// tests of the export, which must read back every kind of entity.
package exporttest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// Seeded is what Seed created.
type Seeded struct {
	// Backends and Products are the system names created, in order.
	Backends, Products []string
	// ActiveDocs, Policies, Accounts, Users and Applications count the other entities.
	ActiveDocs, Policies, Accounts, Users, Applications int
}

// Seed creates backends and products in the tenant of c, straight through the admin API (not
// through the operator's planners), covering every sub-entity: metrics, methods and mapping
// rules of both; of products also the three authentication modes, both deployment options,
// gateway responses, security, OIDC flows, a policy chain, backend usages, application plans
// with limits and pricing rules on product and backend metrics. Every third backend has a
// system name that maps to the Kubernetes name of the one before ("backend_1" and "backend-1").
// stamped marks them managed by an operator, as the 3scale operator Red Hat ships does.
func Seed(ctx context.Context, c *threescale.Client, backends, products int, stamped bool) (*Seeded, error) {
	var annotations map[string]string
	if stamped {
		annotations = planning.ManagedBy
	}
	s := &Seeded{}
	var bs []seededBackend
	for i := range backends {
		systemName := fmt.Sprintf("backend_%d", i)
		if i%3 == 2 {
			systemName = fmt.Sprintf("backend-%d", i-1) // a collision with backend_(i-1)
		}
		b, err := c.CreateBackend(ctx, threescale.BackendParams{
			Name: ptr(fmt.Sprintf("Backend %d", i)), SystemName: ptr(systemName), Description: ptr("seeded backend"),
			PrivateEndpoint: ptr(fmt.Sprintf("https://backend-%d.example.com", i)), Annotations: annotations,
		})
		if err != nil {
			return nil, fmt.Errorf("backend %s: %w", systemName, err)
		}
		hits, err := hitsOf(c.ListBackendMetrics(ctx, b.ID))
		if err != nil {
			return nil, err
		}
		bytes, err := c.CreateBackendMetric(ctx, b.ID, threescale.MetricParams{FriendlyName: ptr("Bytes"), SystemName: ptr("bytes"), Unit: ptr("byte"), Description: ptr("bytes sent")})
		if err != nil {
			return nil, err
		}
		get, err := c.CreateBackendMethod(ctx, b.ID, hits, threescale.MethodParams{FriendlyName: ptr("Get item"), SystemName: ptr("get_item")})
		if err != nil {
			return nil, err
		}
		if err := rules(ctx, func(p threescale.MappingRuleParams) error {
			_, err := c.CreateBackendMappingRule(ctx, b.ID, p)
			return err
		}, get.ID, bytes.ID); err != nil {
			return nil, err
		}
		bs = append(bs, seededBackend{b.ID, bytes.ID})
		s.Backends = append(s.Backends, systemName)
	}
	var firstProduct, firstPlan int64
	for j := range products {
		systemName := fmt.Sprintf("product_%d", j)
		deployment := []string{"hosted", "self_managed"}[j%2]
		mode := []string{"1", "2", "oidc"}[j%3]
		p, err := c.CreateProduct(ctx, threescale.ProductParams{
			Name: ptr(fmt.Sprintf("Product %d", j)), SystemName: ptr(systemName), Description: ptr("seeded product"),
			DeploymentOption: ptr(deployment), BackendVersion: ptr(mode), Annotations: annotations,
		})
		if err != nil {
			return nil, fmt.Errorf("product %s: %w", systemName, err)
		}
		proxy := threescale.ProxyParams{
			CredentialsLocation: ptr("headers"), SecretToken: ptr(fmt.Sprintf("token-%d", j)), HostnameRewrite: ptr("internal.example.com"),
			ErrorStatusAuthFailed: ptrInt(401), ErrorAuthFailed: ptr("credentials refused"), ErrorHeadersAuthFailed: ptr("application/json"),
			ErrorStatusNoMatch: ptrInt(404), ErrorNoMatch: ptr("no mapping rule"),
		}
		switch mode {
		case "1":
			proxy.AuthUserKey = ptr("api-key")
		case "2":
			proxy.AuthAppID, proxy.AuthAppKey = ptr("app"), ptr("key")
		case "oidc":
			proxy.OIDCIssuerType, proxy.OIDCIssuerEndpoint = ptr("keycloak"), ptr("https://client:secret@sso.example.com/auth/realms/demo")
		}
		if deployment == "self_managed" {
			proxy.SandboxEndpoint = ptr(fmt.Sprintf("https://staging-%d.example.com:443", j))
			proxy.Endpoint = ptr(fmt.Sprintf("https://api-%d.example.com:443", j))
		}
		if _, err := c.UpdateProxy(ctx, p.ID, proxy); err != nil {
			return nil, err
		}
		if mode == "oidc" {
			yes, no := true, false
			if _, err := c.UpdateOIDCConfiguration(ctx, p.ID, threescale.OIDCConfigurationParams{
				StandardFlowEnabled: &yes, ImplicitFlowEnabled: &no, ServiceAccountsEnabled: &yes, DirectAccessGrantsEnabled: &no,
			}); err != nil {
				return nil, err
			}
		}
		headers, _ := json.Marshal(map[string]any{"request": []any{map[string]any{"op": "set", "header": "X-Seeded", "value": "yes"}}})
		if _, err := c.UpdatePolicyChain(ctx, p.ID, []threescale.PolicyConfig{
			{Name: "headers", Version: "builtin", Enabled: true, Configuration: headers},
			{Name: "apicast", Version: "builtin", Enabled: true, Configuration: json.RawMessage("{}")},
		}); err != nil {
			return nil, err
		}
		hits, err := hitsOf(c.ListProductMetrics(ctx, p.ID))
		if err != nil {
			return nil, err
		}
		calls, err := c.CreateProductMetric(ctx, p.ID, threescale.MetricParams{FriendlyName: ptr("Calls"), SystemName: ptr("calls"), Unit: ptr("call")})
		if err != nil {
			return nil, err
		}
		list, err := c.CreateProductMethod(ctx, p.ID, hits, threescale.MethodParams{FriendlyName: ptr("List"), SystemName: ptr("list"), Description: ptr("lists")})
		if err != nil {
			return nil, err
		}
		if err := rules(ctx, func(r threescale.MappingRuleParams) error {
			_, err := c.CreateProductMappingRule(ctx, p.ID, r)
			return err
		}, list.ID, calls.ID); err != nil {
			return nil, err
		}
		var used []seededBackend
		for k, path := range []string{"/v1", "/v2"} {
			if len(bs) == 0 {
				break
			}
			b := bs[(2*j+k)%len(bs)]
			if k == 1 && b == used[0] {
				break
			}
			if _, err := c.CreateBackendUsage(ctx, p.ID, threescale.BackendUsageParams{BackendID: &b.id, Path: ptr(path)}); err != nil {
				return nil, err
			}
			used = append(used, b)
		}
		basic, err := plans(ctx, c, p.ID, hits, list.ID, used)
		if err != nil {
			return nil, err
		}
		s.Products = append(s.Products, systemName)
		if j == 0 {
			firstProduct, firstPlan = p.ID, basic
		}
	}
	if products == 0 {
		return s, nil
	}
	return s, s.others(ctx, c, firstProduct, firstPlan)
}

// others creates two ActiveDocs (one bound to productID), a custom policy, and two developer
// accounts, each with its admin and a member (one suspended) and an application on planID (one
// suspended).
func (s *Seeded) others(ctx context.Context, c *threescale.Client, productID, planID int64) error {
	yes := true
	spec := `{"openapi":"3.0.0","info":{"title":"Petstore","version":"1.0"},"paths":{}}`
	if _, err := c.CreateActiveDoc(ctx, threescale.ActiveDocParams{Name: ptr("Petstore"), SystemName: ptr("petstore"), ServiceID: &productID,
		Body: ptr(spec), Description: ptr("the pets"), Published: &yes}); err != nil {
		return err
	}
	if _, err := c.CreateActiveDoc(ctx, threescale.ActiveDocParams{Name: ptr("Notes"), SystemName: ptr("notes"),
		Body: ptr(`{"notes":"not an OpenAPI document"}`), SkipSwaggerValidations: &yes}); err != nil {
		return err
	}
	s.ActiveDocs = 2
	manifest := `{"name":"my-policy","version":"1.0.0","summary":"adds a header","$schema":"http://apicast.io/policy-v1.1/schema#manifest#",` +
		`"description":["First paragraph.","Second."],"configuration":{"type":"object","properties":{"header":{"type":"string"}}}}`
	if _, err := c.CreateCustomPolicy(ctx, threescale.CustomPolicyParams{Name: ptr("my-policy"), Version: ptr("1.0.0"), Schema: json.RawMessage(manifest)}); err != nil {
		return err
	}
	s.Policies = 1
	for i := range 2 {
		acct, err := c.Signup(ctx, threescale.SignupParams{OrgName: ptr(fmt.Sprintf("Dev Corp %d", i)), Username: ptr(fmt.Sprintf("dev%d", i)),
			Email: ptr(fmt.Sprintf("dev%d@example.com", i)), Password: ptr("seeded-password")})
		if err != nil {
			return err
		}
		member, err := c.CreateUser(ctx, acct.ID, threescale.UserParams{Username: ptr(fmt.Sprintf("member%d", i)),
			Email: ptr(fmt.Sprintf("member%d@example.com", i)), Password: ptr("seeded-password")})
		if err != nil {
			return err
		}
		if _, err := c.ActivateUser(ctx, acct.ID, member.ID); err != nil {
			return err
		}
		if i == 1 {
			if _, err := c.SuspendUser(ctx, acct.ID, member.ID); err != nil {
				return err
			}
		}
		app, err := c.CreateApplication(ctx, acct.ID, threescale.ApplicationParams{PlanID: &planID, Name: ptr(fmt.Sprintf("App %d", i)), Description: ptr("seeded")})
		if err != nil {
			return err
		}
		if i == 0 {
			if _, err := c.SuspendApplication(ctx, acct.ID, app.ID); err != nil {
				return err
			}
		}
		s.Accounts, s.Users, s.Applications = s.Accounts+1, s.Users+2, s.Applications+1
	}
	return nil
}

// plans creates a published plan with limits and pricing rules on product and backend metrics,
// and a hidden one that requires approval; it returns the ID of the published one.
func plans(ctx context.Context, c *threescale.Client, productID, hits, list int64, used []seededBackend) (int64, error) {
	basic, err := c.CreateApplicationPlan(ctx, productID, threescale.ApplicationPlanParams{
		Name: ptr("Basic"), SystemName: ptr("basic"), SetupFee: ptr("10.50"), CostPerMonth: ptr("5"), StateEvent: ptr(threescale.PlanEventPublish),
	})
	if err != nil {
		return 0, err
	}
	if _, err := c.CreateLimit(ctx, basic.ID, hits, threescale.LimitParams{Period: "day", Value: 1000}); err != nil {
		return 0, err
	}
	if _, err := c.CreateLimit(ctx, basic.ID, list, threescale.LimitParams{Period: "minute", Value: 10}); err != nil {
		return 0, err
	}
	if _, err := c.CreatePricingRule(ctx, basic.ID, list, threescale.PricingRuleParams{Min: ptrInt64(1), Max: ptrInt64(100), CostPerUnit: ptr("0.05")}); err != nil {
		return 0, err
	}
	if len(used) > 0 {
		if _, err := c.CreateLimit(ctx, basic.ID, used[0].bytesID, threescale.LimitParams{Period: "month", Value: 5000}); err != nil {
			return 0, err
		}
		if _, err := c.CreatePricingRule(ctx, basic.ID, used[0].bytesID, threescale.PricingRuleParams{Min: ptrInt64(1), Max: ptrInt64(10), CostPerUnit: ptr("2")}); err != nil {
			return 0, err
		}
	}
	yes, trial := true, int64(30)
	_, err = c.CreateApplicationPlan(ctx, productID, threescale.ApplicationPlanParams{
		Name: ptr("Premium"), SystemName: ptr("premium"), ApprovalRequired: &yes, TrialPeriodDays: &trial, CostPerMonth: ptr("99.99"),
	})
	return basic.ID, err
}

// rules creates two mapping rules: GET /items (last) on method, POST /items counting 2 of metric.
func rules(_ context.Context, create func(threescale.MappingRuleParams) error, method, metric int64) error {
	last, one, two := true, int64(1), int64(2)
	if err := create(threescale.MappingRuleParams{HTTPMethod: ptr("GET"), Pattern: ptr("/items$"), Delta: &one, MetricID: &method, Last: &last}); err != nil {
		return err
	}
	return create(threescale.MappingRuleParams{HTTPMethod: ptr("POST"), Pattern: ptr("/items"), Delta: &two, MetricID: &metric})
}

// seededBackend is a backend and its bytes metric.
type seededBackend struct {
	id, bytesID int64
}

func hitsOf(ms []threescale.Metric, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	for _, m := range ms {
		if m.ParentID == 0 && (m.SystemName == "hits" || strings.HasPrefix(m.SystemName, "hits.")) {
			return m.ID, nil
		}
	}
	return 0, fmt.Errorf("no hits metric among %d", len(ms))
}

func ptr(s string) *string    { return &s }
func ptrInt(i int) *int       { return &i }
func ptrInt64(i int64) *int64 { return &i }
