package inmemory

func (st *store) metricInLatestConfigs(a *account, m *metric) bool { return false }

func (st *store) onMetricDeleted(a *account, m *metric) {
	for id, r := range a.mappingRules {
		if r.MetricID == m.id {
			delete(a.mappingRules, id)
			a.renumber(r.ownerType, r.ownerID, nil, 0)
		}
	}
}
