package threescale

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestMappingRules(t *testing.T) {
	env := newTestEnv(t)
	ctx, c := t.Context(), env.c
	p := got(c.CreateProduct(ctx, ProductParams{Name: ptr("Mapped")})).need(t, "create product")
	hits := findMetric(t, got(c.ListProductMetrics(ctx, p.ID)).need(t, "list metrics"), "hits")
	b := got(c.CreateBackend(ctx, BackendParams{Name: ptr("Mapped backend"), PrivateEndpoint: ptr("https://m.example.com:443")})).need(t, "create backend")
	bHits := findMetric(t, got(c.ListBackendMetrics(ctx, b.ID)).need(t, "list backend metrics"), BackendMetricSystemName("hits", b.ID))

	ignore := cmpopts.IgnoreFields(MappingRule{}, "ID", "Position", "CreatedAt", "UpdatedAt")
	cases := map[string]struct {
		create func(MappingRuleParams) (*MappingRule, error)
		update func(int64, MappingRuleParams) (*MappingRule, error)
		get    func(int64) (*MappingRule, error)
		list   func() ([]MappingRule, error)
		del    func(int64) error
		metric int64
	}{
		"product": {
			create: func(r MappingRuleParams) (*MappingRule, error) { return c.CreateProductMappingRule(ctx, p.ID, r) },
			update: func(id int64, r MappingRuleParams) (*MappingRule, error) {
				return c.UpdateProductMappingRule(ctx, p.ID, id, r)
			},
			get:    func(id int64) (*MappingRule, error) { return c.GetProductMappingRule(ctx, p.ID, id) },
			list:   func() ([]MappingRule, error) { return c.ListProductMappingRules(ctx, p.ID) },
			del:    func(id int64) error { return c.DeleteProductMappingRule(ctx, p.ID, id) },
			metric: hits.ID,
		},
		"backend": {
			create: func(r MappingRuleParams) (*MappingRule, error) { return c.CreateBackendMappingRule(ctx, b.ID, r) },
			update: func(id int64, r MappingRuleParams) (*MappingRule, error) {
				return c.UpdateBackendMappingRule(ctx, b.ID, id, r)
			},
			get:    func(id int64) (*MappingRule, error) { return c.GetBackendMappingRule(ctx, b.ID, id) },
			list:   func() ([]MappingRule, error) { return c.ListBackendMappingRules(ctx, b.ID) },
			del:    func(id int64) error { return c.DeleteBackendMappingRule(ctx, b.ID, id) },
			metric: bHits.ID,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := got(tc.create(MappingRuleParams{HTTPMethod: ptr("POST"), Pattern: ptr("/orders/{id}$"), Delta: ptr(int64(2)), MetricID: ptr(tc.metric), Last: ptr(true)})).need(t, "create")
			want := MappingRule{MetricID: tc.metric, HTTPMethod: "POST", Pattern: "/orders/{id}$", Delta: 2, Last: true}
			if diff := cmp.Diff(want, *r, ignore); diff != "" {
				t.Errorf("created rule (-want +got):\n%s", diff)
			}
			r = got(tc.update(r.ID, MappingRuleParams{HTTPMethod: ptr("PUT"), Last: ptr(false)})).need(t, "update")
			want.HTTPMethod, want.Last = "PUT", false
			if diff := cmp.Diff(want, *r, ignore); diff != "" {
				t.Errorf("updated rule (-want +got):\n%s", diff)
			}
			if g := got(tc.get(r.ID)).need(t, "get"); g.HTTPMethod != "PUT" {
				t.Errorf("get = %+v", g)
			}
			if _, err := tc.create(MappingRuleParams{HTTPMethod: ptr("GET"), Pattern: ptr("no-slash"), Delta: ptr(int64(1)), MetricID: ptr(tc.metric)}); !IsUnprocessable(err) {
				t.Errorf("pattern without a leading slash: %v, want unprocessable", err)
			}
			found := false
			for _, l := range got(tc.list()).need(t, "list") {
				found = found || l.ID == r.ID
			}
			if !found {
				t.Error("rule missing from the list")
			}
			check(t, "delete", tc.del(r.ID))
			if _, err := tc.get(r.ID); !IsNotFound(err) {
				t.Errorf("deleted rule: %v, want not found", err)
			}
		})
	}
}
