package backend

import (
	"context"

	"golang.org/x/sync/errgroup"

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

// Observe reads what 3scale holds of the backend with ID id, if it is called systemName: the
// backend, then its metrics and its mapping rules, one list each, read concurrently. A backend
// that is gone, or that is another backend, is an empty Observed. It never writes.
func Observe(ctx context.Context, c *threescale.Client, systemName string, id int64) (*Observed, error) {
	b, err := c.GetBackend(ctx, id)
	switch {
	case threescale.IsNotFound(err):
		return &Observed{}, nil
	case err != nil:
		return nil, err
	case b.SystemName != systemName:
		return &Observed{}, nil
	}
	o := &Observed{Backend: b}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { o.Children.Metrics, err = c.ListBackendMetrics(gctx, b.ID); return })
	g.Go(func() (err error) { o.Children.MappingRules, err = c.ListBackendMappingRules(gctx, b.ID); return })
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return o, nil
}
