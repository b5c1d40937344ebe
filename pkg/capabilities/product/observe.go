package product

import (
	"context"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// Observed is what 3scale holds of a product.
type Observed struct {
	// Product is nil when the product does not exist; the other fields are then empty.
	Product *threescale.Product
	// Proxy holds the gateway settings.
	Proxy *threescale.Proxy
	// OIDC holds the OIDC flows; read only when the resource asks for OIDC.
	OIDC *threescale.OIDCConfiguration
	// Policies is the policy chain.
	Policies []threescale.PolicyConfig
	// Metrics holds the product's metrics and methods.
	Metrics []threescale.Metric
	// MappingRules holds the product's mapping rules.
	MappingRules []threescale.MappingRule
	// BackendUsages holds the backends the product uses.
	BackendUsages []threescale.BackendUsage
	// Plans holds the application plans, with their limits and pricing rules.
	Plans []ObservedPlan
	// BackendMetrics holds, by backend system name, the metrics and methods of the backends
	// that limits and pricing rules of the resource refer to.
	BackendMetrics map[string][]threescale.Metric
}

// ObservedPlan is an application plan with its limits and pricing rules.
type ObservedPlan struct {
	// Plan is the application plan.
	Plan threescale.ApplicationPlan
	// Limits are the plan's limits, on every metric.
	Limits []threescale.Limit
	// PricingRules are the plan's pricing rules, on every metric.
	PricingRules []threescale.PricingRule
}

// Observe reads what 3scale holds of the product with ID id (nothing when it is gone), then each
// of its collections with one list. backends maps backend system names to 3scale IDs;
// the metrics of those that limits and pricing rules refer to are read too. Observe never writes.
// Independent reads run concurrently (the client bounds what is in flight per tenant).
func Observe(ctx context.Context, c *threescale.Client, d *Desired, id int64, backends map[string]int64) (*Observed, error) {
	return observe(ctx, c, d, id, backends, true)
}

// ObservePlans reads what PlanPlans needs: the product (nothing when it is gone), its metrics and
// methods, the metrics of the backends that limits and pricing rules refer to, and the
// application plans with their limits and pricing rules; not the gateway settings, policy chain,
// mapping rules or backend usages. It never writes.
func ObservePlans(ctx context.Context, c *threescale.Client, d *Desired, id int64, backends map[string]int64) (*Observed, error) {
	return observe(ctx, c, d, id, backends, false)
}

func observe(ctx context.Context, c *threescale.Client, d *Desired, id int64, backends map[string]int64, full bool) (*Observed, error) {
	o := &Observed{BackendMetrics: map[string][]threescale.Metric{}}
	p, err := c.GetProduct(ctx, id)
	switch {
	case threescale.IsNotFound(err):
		return o, nil
	case err != nil:
		return nil, err
	}
	o.Product = p

	g, ctx := errgroup.WithContext(ctx)
	if full {
		g.Go(func() (err error) { o.Proxy, err = c.GetProxy(ctx, p.ID); return })
		if d.Spec.Authentication().Mode() == capabilitiesv1beta1.AuthenticationModeOIDC {
			g.Go(func() (err error) { o.OIDC, err = c.GetOIDCConfiguration(ctx, p.ID); return })
		}
		g.Go(func() (err error) { o.Policies, err = c.GetPolicyChain(ctx, p.ID); return })
		g.Go(func() (err error) { o.MappingRules, err = c.ListProductMappingRules(ctx, p.ID); return })
		g.Go(func() (err error) { o.BackendUsages, err = c.ListBackendUsages(ctx, p.ID); return })
	}
	g.Go(func() (err error) { o.Metrics, err = c.ListProductMetrics(ctx, p.ID); return })
	var mu sync.Mutex
	for _, name := range metricBackends(d.Spec) {
		bid, ok := backends[name]
		if !ok {
			continue // Plan says which backend is missing
		}
		g.Go(func() error {
			ms, err := c.ListBackendMetrics(ctx, bid)
			mu.Lock()
			o.BackendMetrics[name] = ms
			mu.Unlock()
			return err
		})
	}
	g.Go(func() error {
		plans, err := c.ListApplicationPlans(ctx, p.ID)
		if err != nil {
			return err
		}
		o.Plans = make([]ObservedPlan, len(plans))
		pg, ctx := errgroup.WithContext(ctx)
		for i, pl := range plans {
			o.Plans[i].Plan = pl
			pg.Go(func() (err error) { o.Plans[i].Limits, err = c.ListPlanLimits(ctx, pl.ID); return })
			pg.Go(func() (err error) { o.Plans[i].PricingRules, err = c.ListPlanPricingRules(ctx, pl.ID); return })
		}
		return pg.Wait()
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return o, nil
}

// metricBackends returns the system names of the backends whose metrics limits and pricing rules
// refer to, sorted.
func metricBackends(s *capabilitiesv1beta1.ProductSpec) []string {
	var names []string
	for _, p := range s.ApplicationPlans {
		for _, l := range p.Limits {
			if b := l.MetricMethodRef.BackendSystemName; b != nil {
				names = append(names, *b)
			}
		}
		for _, r := range p.PricingRules {
			if b := r.MetricMethodRef.BackendSystemName; b != nil {
				names = append(names, *b)
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}
