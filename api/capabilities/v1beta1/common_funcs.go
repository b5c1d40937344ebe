package v1beta1

import "maps"

// HitsMetricSystemName is the system name of the metric that 3scale keeps in every product and
// backend; methods are counted under it.
const HitsMetricSystemName = "hits"

// DefaultHitsMetric returns the hits metric the operator uses when spec.metrics does not list it,
// with the friendly name, unit and description 3scale gives it.
func DefaultHitsMetric() MetricSpec {
	return MetricSpec{Name: "Hits", Unit: "hit", Description: "Number of API hits"}
}

// systemNameFrom returns name without the characters that are not ASCII letters or digits: the
// default system name, as the 3scale operator that Red Hat ships computes it (so that objects
// created by it and by this operator find the same 3scale entities).
func systemNameFrom(name string) string {
	out := make([]byte, 0, len(name))
	for i := 0; i < len(name); i++ {
		c := name[i]
		if ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') {
			out = append(out, c)
		}
	}
	return string(out)
}

// metricsWithHits returns a copy of metrics that contains the hits metric; a hits metric already
// there is kept as written. The argument is never modified, since it belongs to the object's spec.
func metricsWithHits(metrics map[string]MetricSpec) map[string]MetricSpec {
	out := make(map[string]MetricSpec, len(metrics)+1)
	maps.Copy(out, metrics)
	if _, ok := out[HitsMetricSystemName]; !ok {
		out[HitsMetricSystemName] = DefaultHitsMetric()
	}
	return out
}
