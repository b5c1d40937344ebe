package inmemory

func (a *account) backendExists(id int64) bool { return false }

func (st *store) metricInLatestConfigs(a *account, m *metric) bool { return false }

func (st *store) onMetricDeleted(a *account, m *metric) {}
