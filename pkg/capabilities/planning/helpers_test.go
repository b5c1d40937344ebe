package planning

import (
	"github.com/google/go-cmp/cmp/cmpopts"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// ignoreRun compares operations by their data; the convergence tests check what Run does.
var ignoreRun = cmpopts.IgnoreFields(Operation{}, "Run")

// opsOf strips plans to their data for comparison.
func opsOf(ops []Operation) []Operation {
	out := make([]Operation, 0, len(ops))
	for _, o := range ops {
		o.Run = nil
		out = append(out, o)
	}
	return out
}

func metric(id int64, name, friendly, unit, description string) threescale.Metric {
	return threescale.Metric{ID: id, SystemName: name, FriendlyName: friendly, Unit: unit, Description: description}
}

func method(id, parent int64, name, friendly, description string) threescale.Metric {
	return threescale.Metric{ID: id, ParentID: parent, SystemName: name, FriendlyName: friendly, Description: description}
}

// hitsObserved is the hits metric as 3scale creates it, with ID 1.
var hitsObserved = metric(1, "hits", "Hits", "hit", "Number of API hits")

func rule(id, metricID int64, method, pattern string, delta, position int64, last bool) threescale.MappingRule {
	return threescale.MappingRule{ID: id, MetricID: metricID, HTTPMethod: method, Pattern: pattern, Delta: delta, Position: position, Last: last}
}

func spec(method, pattern, ref string, inc int) capabilitiesv1beta1.MappingRuleSpec {
	return capabilitiesv1beta1.MappingRuleSpec{HTTPMethod: method, Pattern: pattern, MetricMethodRef: ref, Increment: inc}
}

func ptr[T any](v T) *T { return &v }

func op(verb Verb, entity, key, description string) Operation {
	return Operation{Verb: verb, Entity: entity, Key: key, Description: description}
}
