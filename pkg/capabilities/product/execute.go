package product

import (
	"context"
	"fmt"

	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// Execute runs ops in order and stops at the first error, which names the failed operation and
// wraps 3scale's error. done is how many operations succeeded.
func Execute(ctx context.Context, c *threescale.Client, ops []planning.Operation) (done int, err error) {
	return planning.Execute(ctx, c, ops)
}

// A Result is what Sync did.
type Result struct {
	// Observed is 3scale's product as last observed, before the last execution.
	Observed *Observed
	// Executed are the operations that ran, in order, across rounds.
	Executed []planning.Operation
	// ProductID is the product's 3scale ID, 0 when it does not exist (a failed creation).
	ProductID int64
}

// Sync observes, plans and executes. When the product did not exist, it runs a second round
// after creating it, so that the new product is configured in one call. It returns the
// operations executed, including those before an error.
func Sync(ctx context.Context, c *threescale.Client, d *Desired, id int64, backends map[string]int64) (*Result, error) {
	res := &Result{ProductID: id}
	for round := 0; round < 2; round++ {
		o, err := Observe(ctx, c, d, res.ProductID, backends)
		if err != nil {
			return res, err
		}
		res.Observed = o
		if o.Product == nil {
			// Create it here rather than through Plan, to learn its ID without a second lookup.
			op := createProduct(d, &res.ProductID)
			if err := op.Run(ctx, c); err != nil {
				return res, fmt.Errorf("cannot %s: %w", op.Description, err)
			}
			res.Executed = append(res.Executed, op)
			continue
		}
		res.ProductID = o.Product.ID
		ops, err := Plan(d, o, backends)
		if err != nil {
			return res, err
		}
		n, err := Execute(ctx, c, ops)
		res.Executed = append(res.Executed, ops[:n]...)
		return res, err
	}
	return res, nil
}
