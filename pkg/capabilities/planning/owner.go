package planning

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/threescale-oss/operator/pkg/threescale"
)

// An Owner is the product or backend whose metrics, methods and mapping rules a plan changes. It
// binds the 3scale calls for that kind of owner to the owner's ID, so that one planner serves both
// kinds. Fields are functions so that a caller (or a test) can replace one call.
type Owner struct {
	// Kind is "product" or "backend"; descriptions use it.
	Kind string
	// ID is the owner's 3scale ID.
	ID int64
	// SystemName returns the system name of an observed metric or method as resources spell it.
	SystemName func(m threescale.Metric) string

	// CreateMetric creates a metric of the owner.
	CreateMetric func(ctx context.Context, c *threescale.Client, p threescale.MetricParams) (*threescale.Metric, error)
	// UpdateMetric changes metric id of the owner.
	UpdateMetric func(ctx context.Context, c *threescale.Client, id int64, p threescale.MetricUpdateParams) error
	// DeleteMetric deletes metric id of the owner; a metric already gone is not an error.
	DeleteMetric func(ctx context.Context, c *threescale.Client, id int64) error

	// CreateMethod creates a method under the owner's hits metric hitsID.
	CreateMethod func(ctx context.Context, c *threescale.Client, hitsID int64, p threescale.MethodParams) (*threescale.Metric, error)
	// UpdateMethod changes method id under hitsID.
	UpdateMethod func(ctx context.Context, c *threescale.Client, hitsID, id int64, p threescale.MethodUpdateParams) error
	// DeleteMethod deletes method id under hitsID; a method already gone is not an error.
	DeleteMethod func(ctx context.Context, c *threescale.Client, hitsID, id int64) error

	// CreateMappingRule creates a mapping rule of the owner.
	CreateMappingRule func(ctx context.Context, c *threescale.Client, p threescale.MappingRuleParams) error
	// UpdateMappingRule changes mapping rule id of the owner.
	UpdateMappingRule func(ctx context.Context, c *threescale.Client, id int64, p threescale.MappingRuleParams) error
	// DeleteMappingRule deletes mapping rule id; a rule already gone is not an error.
	DeleteMappingRule func(ctx context.Context, c *threescale.Client, id int64) error
}

// ProductOwner returns the Owner of product id's metrics, methods and mapping rules.
//
// 3scale refuses to delete a metric or method that the product's latest deployed configuration
// (staging or production) still counts; it counts it until a new configuration is deployed and
// promoted. promote, when not nil, is the promotion the product's spec asks for: such a delete
// runs it and tries once more (by then the plan has moved every mapping rule off the metric).
// When nil, nothing is deployed behind the user's back: the delete fails with an error that
// wraps ErrUsedByDeployedConfig.
func ProductOwner(id int64, promote func(context.Context, *threescale.Client) error) Owner {
	return Owner{
		Kind:       "product",
		ID:         id,
		SystemName: func(m threescale.Metric) string { return m.SystemName },
		CreateMetric: func(ctx context.Context, c *threescale.Client, p threescale.MetricParams) (*threescale.Metric, error) {
			return c.CreateProductMetric(ctx, id, p)
		},
		UpdateMetric: func(ctx context.Context, c *threescale.Client, mid int64, p threescale.MetricUpdateParams) error {
			_, err := c.UpdateProductMetric(ctx, id, mid, p)
			return err
		},
		DeleteMetric: func(ctx context.Context, c *threescale.Client, mid int64) error {
			return promoteAndRetry(ctx, c, promote, func() error { return c.DeleteProductMetric(ctx, id, mid) })
		},
		CreateMethod: func(ctx context.Context, c *threescale.Client, hitsID int64, p threescale.MethodParams) (*threescale.Metric, error) {
			return c.CreateProductMethod(ctx, id, hitsID, p)
		},
		UpdateMethod: func(ctx context.Context, c *threescale.Client, hitsID, mid int64, p threescale.MethodUpdateParams) error {
			_, err := c.UpdateProductMethod(ctx, id, hitsID, mid, p)
			return err
		},
		DeleteMethod: func(ctx context.Context, c *threescale.Client, hitsID, mid int64) error {
			return promoteAndRetry(ctx, c, promote, func() error { return c.DeleteProductMethod(ctx, id, hitsID, mid) })
		},
		CreateMappingRule: func(ctx context.Context, c *threescale.Client, p threescale.MappingRuleParams) error {
			_, err := c.CreateProductMappingRule(ctx, id, p)
			return err
		},
		UpdateMappingRule: func(ctx context.Context, c *threescale.Client, rid int64, p threescale.MappingRuleParams) error {
			_, err := c.UpdateProductMappingRule(ctx, id, rid, p)
			return err
		},
		DeleteMappingRule: func(ctx context.Context, c *threescale.Client, rid int64) error {
			return ignoreNotFound(c.DeleteProductMappingRule(ctx, id, rid))
		},
	}
}

// BackendOwner returns the Owner of backend id's metrics, methods and mapping rules. 3scale shows
// a backend's metric system names with the backend's ID as a suffix ("hits.42"); SystemName
// strips it.
func BackendOwner(id int64) Owner {
	return Owner{
		Kind:       "backend",
		ID:         id,
		SystemName: func(m threescale.Metric) string { return threescale.TrimBackendMetricSuffix(m.SystemName, id) },
		CreateMetric: func(ctx context.Context, c *threescale.Client, p threescale.MetricParams) (*threescale.Metric, error) {
			return c.CreateBackendMetric(ctx, id, p)
		},
		UpdateMetric: func(ctx context.Context, c *threescale.Client, mid int64, p threescale.MetricUpdateParams) error {
			_, err := c.UpdateBackendMetric(ctx, id, mid, p)
			return err
		},
		DeleteMetric: func(ctx context.Context, c *threescale.Client, mid int64) error {
			return ignoreNotFound(c.DeleteBackendMetric(ctx, id, mid))
		},
		CreateMethod: func(ctx context.Context, c *threescale.Client, hitsID int64, p threescale.MethodParams) (*threescale.Metric, error) {
			return c.CreateBackendMethod(ctx, id, hitsID, p)
		},
		UpdateMethod: func(ctx context.Context, c *threescale.Client, hitsID, mid int64, p threescale.MethodUpdateParams) error {
			_, err := c.UpdateBackendMethod(ctx, id, hitsID, mid, p)
			return err
		},
		DeleteMethod: func(ctx context.Context, c *threescale.Client, hitsID, mid int64) error {
			return ignoreNotFound(c.DeleteBackendMethod(ctx, id, hitsID, mid))
		},
		CreateMappingRule: func(ctx context.Context, c *threescale.Client, p threescale.MappingRuleParams) error {
			_, err := c.CreateBackendMappingRule(ctx, id, p)
			return err
		},
		UpdateMappingRule: func(ctx context.Context, c *threescale.Client, rid int64, p threescale.MappingRuleParams) error {
			_, err := c.UpdateBackendMappingRule(ctx, id, rid, p)
			return err
		},
		DeleteMappingRule: func(ctx context.Context, c *threescale.Client, rid int64) error {
			return ignoreNotFound(c.DeleteBackendMappingRule(ctx, id, rid))
		},
	}
}

// ignoreNotFound treats a 404 on delete as done: the entity is gone, which is what was asked
// (3scale deletes a metric's mapping rules, limits and pricing rules with it).
func ignoreNotFound(err error) error {
	if threescale.IsNotFound(err) {
		return nil
	}
	return err
}

// usedByLatestConfig reports 3scale's refusal to delete a metric or method that the latest
// gateway configuration counts.
func usedByLatestConfig(err error) bool {
	if !threescale.IsUnprocessable(err) {
		return false
	}
	for _, msgs := range threescale.FieldErrors(err) {
		for _, m := range msgs {
			if strings.Contains(m, "latest gateway configuration") {
				return true
			}
		}
	}
	return false
}

// ErrUsedByDeployedConfig says 3scale refused to delete a metric or method because the latest
// deployed configuration of its product still counts it.
var ErrUsedByDeployedConfig = errors.New("the product's latest deployed APIcast configuration (staging or production) still uses it")

// promoteAndRetry runs del; when 3scale refuses because the product's latest configuration uses
// the metric, it promotes (when promote is not nil) and runs del once more.
func promoteAndRetry(ctx context.Context, c *threescale.Client, promote func(context.Context, *threescale.Client) error, del func() error) error {
	err := del()
	if !usedByLatestConfig(err) {
		return ignoreNotFound(err)
	}
	if promote == nil {
		return fmt.Errorf("%w: %w", ErrUsedByDeployedConfig, err)
	}
	if perr := promote(ctx, c); perr != nil {
		return perr
	}
	return ignoreNotFound(del())
}

// ManagedBy is the annotation the 3scale operator that Red Hat ships puts on the products and
// backends it manages; keeping it lets users tell operator-managed entities in the Admin Portal,
// and marks what this operator created or adopted.
var ManagedBy = map[string]string{"managed_by": "operator"}

// Stamped tells whether annotations carry ManagedBy.
func Stamped(annotations map[string]string) bool {
	return annotations["managed_by"] == ManagedBy["managed_by"]
}
