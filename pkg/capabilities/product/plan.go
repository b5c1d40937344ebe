package product

import (
	"context"
	"fmt"
	"strings"

	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/capabilities/promote"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// Entities of the operations Plan returns, besides those of package planning.
const (
	// EntityProduct is the product (service) itself.
	EntityProduct = "product"
	// EntityProxy is the product's gateway settings.
	EntityProxy = "proxy"
	// EntityOIDC is the product's OIDC flows.
	EntityOIDC = "OIDC configuration"
	// EntityPolicyChain is the product's APIcast policy chain.
	EntityPolicyChain = "policy chain"
	// EntityBackendUsage is a backend used by the product.
	EntityBackendUsage = "backend usage"
	// EntityPlan is an application plan of the product.
	EntityPlan = "application plan"
	// EntityLimit is a limit of an application plan.
	EntityLimit = "limit"
	// EntityPricingRule is a pricing rule of an application plan.
	EntityPricingRule = "pricing rule"
	// EntityConfiguration is the product's APIcast configuration in staging and production.
	EntityConfiguration = "APIcast configuration"
)

// Plan returns the operations that make the product o as d says, in an order 3scale accepts, or
// nothing when they match. backends maps backend system names to 3scale IDs; a backend of
// backendUsages that is not there is a *MissingBackendError. A limit, pricing rule or mapping rule
// naming an unknown metric, or a spec 3scale cannot hold, is a *planning.InvalidError. Plan is
// pure: it reads its arguments only, and its operations do their writes when executed.
//
// The order is: the product's attributes, its proxy and OIDC flows; deletions of mapping rules,
// plans, limits and pricing rules that go; metrics and methods that must go first; backend usages;
// metrics and methods; mapping rules; plans, limits and pricing rules; the policy chain; the
// promotion spec.promoteTo asks for, when anything changed (or it is owed); last, deletions of
// metrics and methods nothing uses any more, which 3scale accepts only once the deployed
// configuration no longer uses them.
func Plan(d *Desired, o *Observed, backends map[string]int64) ([]planning.Operation, error) {
	if o.Product == nil {
		return []planning.Operation{createProduct(d, nil)}, nil
	}
	id := o.Product.ID
	var head []planning.Operation
	if op, ok := planAttributes(d, o.Product); ok {
		head = append(head, op)
	}
	if op, ok := planProxy(d, o.Proxy, id); ok {
		head = append(head, op)
	}
	if op, ok := planOIDC(d, o.OIDC, id); ok {
		head = append(head, op)
	}

	usageOps, err := planBackendUsages(d, o.BackendUsages, backends, id)
	if err != nil {
		return nil, err
	}
	owner := planning.ProductOwner(id, d.promote(id))
	metrics, err := planning.PlanMetrics(owner, d.Spec.MetricsWithHits(), d.Spec.Methods, o.Metrics)
	if err != nil {
		return nil, err
	}
	rules, err := planning.PlanMappingRules(owner, d.Spec.MappingRules, o.MappingRules, metrics)
	if err != nil {
		return nil, err
	}
	plans, err := planApplicationPlans(d, o, backends, metrics, id)
	if err != nil {
		return nil, err
	}

	ops := head
	ops = append(ops, rules.Deletes...)
	ops = append(ops, plans.deletes...)
	ops = append(ops, metrics.Early...)
	ops = append(ops, usageOps...)
	ops = append(ops, metrics.Upserts...)
	ops = append(ops, rules.Upserts...)
	ops = append(ops, plans.upserts...)
	if op, ok := planPolicies(d, o.Policies, id); ok {
		ops = append(ops, op)
	}
	if d.Promotion != nil && (len(ops) > 0 || len(metrics.Late) > 0 || d.Promotion.Owed) {
		ops = append(ops, promotion(d, id))
	}
	ops = append(ops, metrics.Late...)
	return ops, nil
}

// PlanPlans returns the operations on the application plans, limits and pricing rules of the
// product o (read by ObservePlans), in Plan's order, and the promotion spec.promoteTo asks for
// when anything changes: what a change of its Backends' metrics and methods alone may require.
// ok is false when the product's own metrics and methods differ from d too: Plan must then plan
// the whole product. Like Plan, it is pure.
func PlanPlans(d *Desired, o *Observed, backends map[string]int64) (ops []planning.Operation, ok bool, err error) {
	if o.Product == nil {
		return nil, false, nil
	}
	id := o.Product.ID
	owner := planning.ProductOwner(id, d.promote(id))
	metrics, err := planning.PlanMetrics(owner, d.Spec.MetricsWithHits(), d.Spec.Methods, o.Metrics)
	if err != nil {
		return nil, false, err
	}
	if len(metrics.Early)+len(metrics.Upserts)+len(metrics.Late) > 0 {
		return nil, false, nil
	}
	plans, err := planApplicationPlans(d, o, backends, metrics, id)
	if err != nil {
		return nil, false, err
	}
	ops = append(plans.deletes, plans.upserts...)
	if d.Promotion != nil && (len(ops) > 0 || d.Promotion.Owed) {
		ops = append(ops, promotion(d, id))
	}
	return ops, true, nil
}

// promotion deploys the product's configuration to staging, and promotes it to production when
// asked.
func promotion(d *Desired, productID int64) planning.Operation {
	where := "staging"
	if d.Promotion.Production {
		where = "staging and production"
	}
	return planning.Operation{
		Verb: planning.VerbUpdate, Entity: EntityConfiguration, Key: d.SystemName,
		Description: fmt.Sprintf("promote the configuration of product %d to %s", productID, where),
		Run:         d.promote(productID),
	}
}

// promote returns the promotion of product productID that d asks for, recording its versions;
// nil when d asks for none.
func (d *Desired) promote(productID int64) func(context.Context, *threescale.Client) error {
	if d.Promotion == nil {
		return nil
	}
	return func(ctx context.Context, c *threescale.Client) error {
		r, err := promote.Promote(ctx, c, productID, d.Promotion.Production)
		if err != nil {
			return err
		}
		d.Promotion.Done(r)
		return nil
	}
}

func describe(verb, entity, key string, productID int64) string {
	if key == "" {
		return fmt.Sprintf("%s %s of product %d", verb, entity, productID)
	}
	return fmt.Sprintf("%s %s %q of product %d", verb, entity, key, productID)
}

func withChanges(s string, changed []string) string {
	return s + ": " + strings.Join(changed, ", ")
}

// createProduct creates the product, and records its ID in created when created is not nil.
// Observe looked it up by system name first, so a product created before a crash is found
// instead of created twice.
func createProduct(d *Desired, created *int64) planning.Operation {
	name, systemName, description := d.Spec.Name, d.SystemName, d.Spec.Description
	params := threescale.ProductParams{Name: &name, SystemName: &systemName, Description: &description, Annotations: planning.ManagedBy}
	if v := d.Spec.DeploymentOption(); v != "" {
		params.DeploymentOption = &v
	}
	if v := d.Spec.Authentication().Mode(); v != "" {
		params.BackendVersion = &v
	}
	return planning.Operation{
		Verb: planning.VerbCreate, Entity: EntityProduct, Key: systemName,
		Description: fmt.Sprintf("create product %q", systemName),
		Run: func(ctx context.Context, c *threescale.Client) error {
			p, err := c.CreateProduct(ctx, params)
			if err == nil && created != nil {
				*created = p.ID
			}
			return err
		},
	}
}

// planAttributes updates the product's name, description, deployment option and authentication
// mode (backend_version). Deployment and authentication are left alone when the spec does not
// set them.
func planAttributes(d *Desired, p *threescale.Product) (planning.Operation, bool) {
	var params threescale.ProductUpdateParams
	var changed []string
	if name := d.Spec.Name; p.Name != name {
		params.Name, changed = &name, append(changed, "name")
	}
	if desc := d.Spec.Description; p.Description != desc {
		params.Description, changed = &desc, append(changed, "description")
	}
	if v := d.Spec.DeploymentOption(); v != "" && p.DeploymentOption != v {
		params.DeploymentOption, changed = &v, append(changed, "deployment option")
	}
	if v := d.Spec.Authentication().Mode(); v != "" && p.BackendVersion != v {
		params.BackendVersion, changed = &v, append(changed, "authentication mode")
	}
	if !planning.Stamped(p.Annotations) {
		params.Annotations, changed = planning.ManagedBy, append(changed, "annotations")
	}
	if len(changed) == 0 {
		return planning.Operation{}, false
	}
	id := p.ID
	return planning.Operation{
		Verb: planning.VerbUpdate, Entity: EntityProduct, Key: d.SystemName,
		Description: withChanges(fmt.Sprintf("update product %q", d.SystemName), changed),
		Run: func(ctx context.Context, c *threescale.Client) error {
			_, err := c.UpdateProduct(ctx, id, params)
			return err
		},
	}, true
}
