package product

import (
	"fmt"
	"maps"
	"slices"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// Validate checks d against what the Product and the Backends it references declare, without
// 3scale: metric and method names, the metrics and methods that mapping rules, limits and pricing
// rules name, mapping rule patterns, one limit per metric and period. It plans d against a
// product that has nothing yet, whose backends have exactly the metrics and methods their
// Backend objects declare (they are Synced, so 3scale has those). A *planning.InvalidError names
// the field at fault.
func Validate(d *Desired, backends map[string]*capabilitiesv1beta1.Backend) error {
	o := &Observed{Product: &threescale.Product{}, BackendMetrics: map[string][]threescale.Metric{}}
	ids := map[string]int64{}
	next := int64(0)
	for _, name := range slices.Sorted(maps.Keys(backends)) {
		next++
		ids[name] = next
		var ms []threescale.Metric
		for metric := range backends[name].Spec.MetricsWithHits() {
			next++
			ms = append(ms, threescale.Metric{ID: next, SystemName: metric})
		}
		for method := range backends[name].Spec.Methods {
			next++
			ms = append(ms, threescale.Metric{ID: next, SystemName: method})
		}
		o.BackendMetrics[name] = ms
	}
	_, err := Plan(d, o, ids)
	return err
}

// Warnings says where p's spec cannot mean what it says, because 3scale stores another value.
func Warnings(s *capabilitiesv1beta1.ProductSpec) []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(s.ApplicationPlans)) {
		for i, l := range s.ApplicationPlans[name].Limits {
			if l.Value < 0 {
				out = append(out, fmt.Sprintf("spec.applicationPlans.%s.limits[%d].value is %d: 3scale stores a negative limit as 0, which blocks every call; the operator keeps it at 0", name, i, l.Value))
			}
		}
	}
	return out
}
