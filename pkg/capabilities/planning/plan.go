package planning

import (
	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// Desired is what a resource asks of an owner's metrics, methods and mapping rules.
type Desired struct {
	// Metrics by system name; hits is added when missing.
	Metrics map[string]capabilitiesv1beta1.MetricSpec
	// Methods (under hits) by system name.
	Methods map[string]capabilitiesv1beta1.MethodSpec
	// MappingRules in order.
	MappingRules []capabilitiesv1beta1.MappingRuleSpec
}

// Observed is what 3scale holds of an owner's metrics, methods and mapping rules.
type Observed struct {
	// Metrics is the owner's metric list, methods included, as 3scale returns it.
	Metrics []threescale.Metric
	// MappingRules is the owner's mapping rule list.
	MappingRules []threescale.MappingRule
}

// PlanOwner plans an owner's metrics, methods and mapping rules in the order 3scale accepts (see
// the package documentation). An empty plan means they are in sync.
func PlanOwner(owner Owner, desired Desired, observed Observed) ([]Operation, error) {
	metrics, err := PlanMetrics(owner, desired.Metrics, desired.Methods, observed.Metrics)
	if err != nil {
		return nil, err
	}
	rules, err := PlanMappingRules(owner, desired.MappingRules, observed.MappingRules, metrics)
	if err != nil {
		return nil, err
	}
	var ops []Operation
	ops = append(ops, rules.Deletes...)
	ops = append(ops, metrics.Early...)
	ops = append(ops, metrics.Upserts...)
	ops = append(ops, rules.Upserts...)
	ops = append(ops, metrics.Late...)
	return ops, nil
}
