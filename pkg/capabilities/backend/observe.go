package backend

import (
	"context"
	"sync"

	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// Observed is what 3scale holds of a backend.
type Observed struct {
	// Backend is nil when the backend does not exist; Children is then empty.
	Backend *threescale.Backend
	// Children holds the backend's metrics (methods included) and mapping rules.
	Children planning.Observed
}

// Observe reads what 3scale holds of the backend systemName: the backend with ID id when id is
// not 0 and it is that backend, else the one found by system name in one paginated list; then
// its metrics and its mapping rules, one list each, read concurrently. It never writes.
func Observe(ctx context.Context, c *threescale.Client, systemName string, id int64) (*Observed, error) {
	b, err := find(ctx, c, systemName, id)
	if err != nil || b == nil {
		return &Observed{}, err
	}
	o := &Observed{Backend: b}
	var wg sync.WaitGroup
	var metricsErr, rulesErr error
	wg.Go(func() { o.Children.Metrics, metricsErr = c.ListBackendMetrics(ctx, b.ID) })
	wg.Go(func() { o.Children.MappingRules, rulesErr = c.ListBackendMappingRules(ctx, b.ID) })
	wg.Wait()
	if metricsErr != nil {
		return nil, metricsErr
	}
	if rulesErr != nil {
		return nil, rulesErr
	}
	return o, nil
}

// find returns the backend with ID id if it exists and is called systemName, else the backend
// called systemName, else nil.
func find(ctx context.Context, c *threescale.Client, systemName string, id int64) (*threescale.Backend, error) {
	if id != 0 {
		b, err := c.GetBackend(ctx, id)
		switch {
		case err == nil && b.SystemName == systemName:
			return b, nil
		case err != nil && !threescale.IsNotFound(err):
			return nil, err
		}
		// Deleted behind the operator's back, or the ID of another backend: search by name.
	}
	all, err := c.ListBackends(ctx)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].SystemName == systemName {
			return &all[i], nil
		}
	}
	return nil, nil
}
