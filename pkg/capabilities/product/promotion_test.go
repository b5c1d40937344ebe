package product

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
)

// TestPlanPromotion places the promotion spec.promoteTo asks for: none when nothing changes and
// the status records the versions asked for; after every other write and before the deletions
// of metrics and methods otherwise.
func TestPlanPromotion(t *testing.T) {
	for name, tc := range map[string]struct {
		promoteTo         string
		staging, prodVers int64
		change            func(*capabilitiesv1beta1.ProductSpec)
		want              []string
	}{
		"UnsetNeverPromotes": {
			change: func(s *capabilitiesv1beta1.ProductSpec) { s.Description = "new" },
			want:   []string{`update product "table": description`},
		},
		"NothingChangedNothingPromoted": {
			promoteTo: capabilitiesv1beta1.PromoteToProduction, staging: 3, prodVers: 3,
			want: []string{},
		},
		"JustEnabledIsOwed": {
			promoteTo: capabilitiesv1beta1.PromoteToStaging,
			want:      []string{"promote the configuration of product 7 to staging"},
		},
		"ProductionAddedIsOwed": {
			promoteTo: capabilitiesv1beta1.PromoteToProduction, staging: 3,
			want: []string{"promote the configuration of product 7 to staging and production"},
		},
		"AfterTheChange": {
			promoteTo: capabilitiesv1beta1.PromoteToStaging, staging: 3,
			change: func(s *capabilitiesv1beta1.ProductSpec) { s.Description = "new" },
			want:   []string{`update product "table": description`, "promote the configuration of product 7 to staging"},
		},
		"BeforeDeletingAMethodTheConfigurationUses": {
			promoteTo: capabilitiesv1beta1.PromoteToProduction, staging: 3, prodVers: 3,
			change: func(s *capabilitiesv1beta1.ProductSpec) {
				delete(s.Methods, "get")
				s.MappingRules[0].MetricMethodRef = "hits"
			},
			want: []string{
				`update mapping rule "GET /" of product 7: metric`,
				"promote the configuration of product 7 to staging and production",
				`delete method "get" of product 7`,
			},
		},
	} {
		t.Run(name, func(t *testing.T) {
			p := &capabilitiesv1beta1.Product{Spec: tableSpec()}
			p.Spec.PromoteTo = tc.promoteTo
			p.Status.StagingVersion, p.Status.ProductionVersion = tc.staging, tc.prodVers
			if tc.change != nil {
				tc.change(&p.Spec)
			}
			d := desiredOf(t, p.Spec, noSecrets)
			d.Promotion = promotionOf(p)
			ops, err := Plan(d, tableObserved(), tableBackends)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, planning.Descriptions(ops)); diff != "" {
				t.Errorf("plan: -want +got\n%s", diff)
			}
		})
	}
}
