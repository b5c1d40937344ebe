package v1beta1

// SystemNameOrDefault returns spec.systemName, or when it is empty the default derived from
// spec.name (its ASCII letters and digits).
func (b *Backend) SystemNameOrDefault() string {
	if b.Spec.SystemName != "" {
		return b.Spec.SystemName
	}
	return systemNameFrom(b.Spec.Name)
}

// MetricsWithHits returns the backend's metrics with the hits metric added when spec.metrics does not
// list it. The spec is not modified.
func (s *BackendSpec) MetricsWithHits() map[string]MetricSpec {
	return metricsWithHits(s.Metrics)
}
