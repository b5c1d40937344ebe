// Package promote deploys a product's APIcast configuration to staging and promotes it to
// production: the one place that decides, from 3scale's configuration versions and status codes
// (never from error messages), what a promotion does. ProxyConfigPromote objects and the
// declarative promotion of Products both use it.
package promote

import (
	"context"
	"fmt"

	"github.com/threescale-oss/operator/pkg/threescale"
)

// Versions are the versions of a product's latest configuration in each environment; 0 when
// nothing was deployed there.
type Versions struct {
	Staging, Production int64
}

// A Result is what a promotion found and did.
type Result struct {
	// Before and After are the versions before and after the promotion.
	Before, After Versions
}

// Deployed tells whether staging got a new version: the product's configuration had changed.
func (r Result) Deployed() bool { return r.After.Staging != r.Before.Staging }

// Promoted tells whether production got a new version.
func (r Result) Promoted() bool { return r.After.Production != r.Before.Production }

// Message says what happened, in words fit for a condition or an event.
func (r Result) Message(production bool) string {
	var s string
	if r.Deployed() {
		s = fmt.Sprintf("deployed the product's configuration to staging as version %d", r.After.Staging)
	} else {
		s = fmt.Sprintf("staging already holds the product's latest configuration (version %d)", r.After.Staging)
	}
	switch {
	case !production:
	case r.Promoted():
		s += fmt.Sprintf("; promoted version %d to production", r.After.Production)
	default:
		s += fmt.Sprintf("; production already holds version %d", r.After.Production)
	}
	return s
}

// Latest returns the version of product's latest configuration in environment (a
// threescale.Environment* value), 0 when nothing was deployed there: 3scale answers 404.
func Latest(ctx context.Context, c *threescale.Client, product int64, environment string) (int64, error) {
	pc, err := c.GetLatestProxyConfig(ctx, product, environment)
	switch {
	case threescale.IsNotFound(err):
		return 0, nil
	case err != nil:
		return 0, err
	}
	return pc.Version, nil
}

// Promote deploys product's current configuration to staging (3scale makes a new version only
// when the configuration changed) and, when production is true, promotes the latest staging
// version to production unless production holds it already. It is idempotent: running it
// again after a crash changes nothing more. It costs three calls for staging (latest, deploy,
// latest) and one or two more for production.
func Promote(ctx context.Context, c *threescale.Client, product int64, production bool) (Result, error) {
	var r Result
	var err error
	if r.Before.Staging, err = Latest(ctx, c, product, threescale.EnvironmentSandbox); err != nil {
		return r, err
	}
	if _, err := c.DeployProxy(ctx, product); err != nil {
		return r, fmt.Errorf("cannot deploy product %d to staging: %w", product, err)
	}
	if r.After.Staging, err = Latest(ctx, c, product, threescale.EnvironmentSandbox); err != nil {
		return r, err
	}
	if r.After.Staging == 0 {
		return r, &NothingDeployedError{Product: product}
	}
	if !production {
		return r, nil
	}
	if r.Before.Production, err = Latest(ctx, c, product, threescale.EnvironmentProduction); err != nil {
		return r, err
	}
	r.After.Production = r.Before.Production
	if r.Before.Production == r.After.Staging {
		return r, nil
	}
	pc, err := c.PromoteProxyConfig(ctx, product, threescale.EnvironmentSandbox, r.After.Staging, threescale.EnvironmentProduction)
	if err != nil {
		return r, fmt.Errorf("cannot promote version %d of product %d to production: %w", r.After.Staging, product, err)
	}
	r.After.Production = pc.Version
	return r, nil
}

// A NothingDeployedError says 3scale holds no staging configuration of the product even after a
// deploy: 3scale builds none for a product without a backend.
type NothingDeployedError struct {
	Product int64
}

// Error implements error.
func (e *NothingDeployedError) Error() string {
	return fmt.Sprintf("3scale holds no staging configuration of product %d after deploying it; a product needs at least one backend (spec.backendUsages) before its configuration can be deployed", e.Product)
}
