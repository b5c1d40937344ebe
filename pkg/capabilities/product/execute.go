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

// Sync observes, plans and executes. When the product did not exist, it creates it, then
// observes it again and configures it, so that a new product is complete in one call. It returns
// the operations executed, including those before an error.
func Sync(ctx context.Context, c *threescale.Client, d *Desired, id int64, backends map[string]int64) (*Result, error) {
	o, err := Observe(ctx, c, d, id, backends)
	if err != nil {
		return &Result{ProductID: id}, err
	}
	return syncObserved(ctx, c, d, o, backends)
}

// syncObserved is Sync from the observation o already made: the loop's Sync passes its Observe's,
// so that creating a product does not list the tenant's products a second time.
func syncObserved(ctx context.Context, c *threescale.Client, d *Desired, o *Observed, backends map[string]int64) (*Result, error) {
	res := &Result{Observed: o}
	if o.Product == nil {
		// Create it here rather than through Plan, to learn its ID without a second lookup.
		op := createProduct(d, &res.ProductID)
		if err := op.Run(ctx, c); err != nil {
			return res, fmt.Errorf("cannot %s: %w", op.Description, err)
		}
		res.Executed = append(res.Executed, op)
		var err error
		if o, err = Observe(ctx, c, d, res.ProductID, backends); err != nil {
			return res, err
		}
		res.Observed = o
		if o.Product == nil {
			return res, nil // deleted at once behind the operator's back: the next sync creates it
		}
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
