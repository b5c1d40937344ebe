package product

import (
	"context"
	"fmt"
	"math/big"
	"sort"

	"k8s.io/apimachinery/pkg/util/intstr"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// plansPlan is the plan of application plans, limits and pricing rules, in two groups: deletions
// (run before metrics change) and creations and updates (run once metrics and backend usages
// exist).
type plansPlan struct {
	deletes, upserts []planning.Operation
}

// metricRef is a limit's or pricing rule's metric: a name that identifies it in comparisons
// ("m1", or "backend/m1" for a backend's), and how to get its ID when the operation runs.
type metricRef struct {
	key     string
	resolve func() (int64, error)
}

// refResolver turns metricMethodRefs into metricRefs, and observed metric IDs into keys.
type refResolver struct {
	d        *Desired
	metrics  *planning.MetricsPlan
	backend  map[string]map[string]int64 // backend system name -> metric name -> ID
	observed map[int64]string            // metric ID -> key, for the product's and backends' metrics
}

func newRefResolver(d *Desired, o *Observed, backends map[string]int64, metrics *planning.MetricsPlan) *refResolver {
	r := &refResolver{d: d, metrics: metrics, backend: map[string]map[string]int64{}, observed: map[int64]string{}}
	for id, name := range metrics.Observed {
		if !metrics.Replaced[id] {
			r.observed[id] = name
		}
	}
	for b, ms := range o.BackendMetrics {
		bid, ok := backends[b]
		if !ok {
			continue
		}
		owner := planning.BackendOwner(bid)
		byName := map[string]int64{}
		for _, m := range ms {
			name := owner.SystemName(m)
			byName[name] = m.ID
			r.observed[m.ID] = b + "/" + name
		}
		r.backend[b] = byName
	}
	return r
}

// ref resolves a metricMethodRef of field. An unknown metric or backend is invalid, naming it.
func (r *refResolver) ref(field string, ref capabilitiesv1beta1.MetricMethodRefSpec) (metricRef, error) {
	name := ref.SystemName
	if ref.BackendSystemName == nil {
		if !r.metrics.Desired[name] {
			return metricRef{}, &planning.InvalidError{Field: field, Message: fmt.Sprintf("unknown metric or method %q", name)}
		}
		ids := r.metrics.IDs
		return metricRef{key: name, resolve: func() (int64, error) { return ids.Resolve(planning.EntityMetric, name) }}, nil
	}
	b := *ref.BackendSystemName
	if _, used := r.d.Spec.BackendUsages[b]; !used {
		return metricRef{}, &planning.InvalidError{Field: field, Message: fmt.Sprintf("backend %q is not in spec.backendUsages", b)}
	}
	id, ok := r.backend[b][name]
	if !ok {
		return metricRef{}, &planning.InvalidError{Field: field, Message: fmt.Sprintf("unknown metric or method %q of backend %q", name, b)}
	}
	return metricRef{key: b + "/" + name, resolve: func() (int64, error) { return id, nil }}, nil
}

// planApplicationPlans creates, updates and deletes application plans, their limits and their
// pricing rules. Plans, limits and pricing rules that the resource does not list are deleted;
// plans customized for a single application are left alone.
func planApplicationPlans(d *Desired, o *Observed, backends map[string]int64, metrics *planning.MetricsPlan, productID int64) (*plansPlan, error) {
	out := &plansPlan{}
	refs := newRefResolver(d, o, backends, metrics)
	names := make([]string, 0, len(d.Spec.ApplicationPlans))
	for name := range d.Spec.ApplicationPlans {
		names = append(names, name)
	}
	sort.Strings(names)

	observed := map[string]*ObservedPlan{}
	for i := range o.Plans {
		p := &o.Plans[i]
		if p.Plan.Custom {
			continue
		}
		if _, wanted := d.Spec.ApplicationPlans[p.Plan.SystemName]; wanted && observed[p.Plan.SystemName] == nil {
			observed[p.Plan.SystemName] = p
			continue
		}
		pid, key := p.Plan.ID, p.Plan.SystemName
		out.deletes = append(out.deletes, planning.Operation{
			Verb: planning.VerbDelete, Entity: EntityPlan, Key: key,
			Description: describe("delete", EntityPlan, key, productID),
			Run: func(ctx context.Context, c *threescale.Client) error {
				return ignoreNotFound(c.DeleteApplicationPlan(ctx, productID, pid))
			},
		})
	}

	for _, name := range names {
		spec := d.Spec.ApplicationPlans[name]
		var planID func() (int64, error)
		have := observed[name]
		if have == nil {
			ids := planning.NewIDs()
			out.upserts = append(out.upserts, createPlan(name, spec, ids, productID))
			planID = func() (int64, error) { return ids.Resolve(EntityPlan, name) }
			have = &ObservedPlan{}
		} else {
			if op, ok := updatePlan(name, spec, have.Plan, productID); ok {
				out.upserts = append(out.upserts, op)
			}
			id := have.Plan.ID
			planID = func() (int64, error) { return id, nil }
		}
		field := "spec.applicationPlans." + name
		del, up, err := planLimits(field, name, spec.Limits, have.Limits, refs, planID, productID)
		if err != nil {
			return nil, err
		}
		out.deletes, out.upserts = append(out.deletes, del...), append(out.upserts, up...)
		del, up, err = planPricingRules(field, name, spec.PricingRules, have.PricingRules, refs, planID, productID)
		if err != nil {
			return nil, err
		}
		out.deletes, out.upserts = append(out.deletes, del...), append(out.upserts, up...)
	}
	return out, nil
}

// planState is the 3scale state the spec asks for.
func planState(spec capabilitiesv1beta1.ApplicationPlanSpec) string {
	if spec.IsPublished() {
		return threescale.PlanStatePublished
	}
	return threescale.PlanStateHidden
}

func stateEvent(state string) string {
	if state == threescale.PlanStatePublished {
		return threescale.PlanEventPublish
	}
	return threescale.PlanEventHide
}

// amount is the decimal text of an optional amount of the spec; unset is 0.
func amount(v *intstr.IntOrString) string {
	if v == nil {
		return "0"
	}
	return v.String()
}

// sameAmount compares decimals by value ("10" equals "10.00" and 10.0).
func sameAmount(a, b string) bool {
	if a == "" {
		a = "0"
	}
	if b == "" {
		b = "0"
	}
	ra, okA := new(big.Rat).SetString(a)
	rb, okB := new(big.Rat).SetString(b)
	if !okA || !okB {
		return a == b
	}
	return ra.Cmp(rb) == 0
}

func createPlan(name string, spec capabilitiesv1beta1.ApplicationPlanSpec, ids *planning.IDs, productID int64) planning.Operation {
	systemName, display := name, spec.NameOrDefault(name)
	approval := spec.AppsRequireApproval != nil && *spec.AppsRequireApproval
	trial := int64(0)
	if spec.TrialPeriod != nil {
		trial = int64(*spec.TrialPeriod)
	}
	setup, cost := amount(spec.SetupFee), amount(spec.CostMonth)
	event := stateEvent(planState(spec))
	params := threescale.ApplicationPlanParams{
		Name: &display, SystemName: &systemName, ApprovalRequired: &approval, TrialPeriodDays: &trial,
		SetupFee: &setup, CostPerMonth: &cost, StateEvent: &event,
	}
	return planning.Operation{
		Verb: planning.VerbCreate, Entity: EntityPlan, Key: name,
		Description: describe("create", EntityPlan, name, productID),
		Run: func(ctx context.Context, c *threescale.Client) error {
			p, err := c.CreateApplicationPlan(ctx, productID, params)
			if err != nil {
				return err
			}
			ids.Set(name, p.ID)
			return nil
		},
	}
}

func updatePlan(name string, spec capabilitiesv1beta1.ApplicationPlanSpec, have threescale.ApplicationPlan, productID int64) (planning.Operation, bool) {
	var params threescale.ApplicationPlanUpdateParams
	var changed []string
	if display := spec.NameOrDefault(name); have.Name != display {
		params.Name, changed = &display, append(changed, "name")
	}
	if approval := spec.AppsRequireApproval != nil && *spec.AppsRequireApproval; have.ApprovalRequired != approval {
		params.ApprovalRequired, changed = &approval, append(changed, "approval")
	}
	trial := int64(0)
	if spec.TrialPeriod != nil {
		trial = int64(*spec.TrialPeriod)
	}
	if have.TrialPeriodDays != trial {
		params.TrialPeriodDays, changed = &trial, append(changed, "trial period")
	}
	if setup := amount(spec.SetupFee); !sameAmount(setup, string(have.SetupFee)) {
		params.SetupFee, changed = &setup, append(changed, "setup fee")
	}
	if cost := amount(spec.CostMonth); !sameAmount(cost, string(have.CostPerMonth)) {
		params.CostPerMonth, changed = &cost, append(changed, "monthly cost")
	}
	if state := planState(spec); have.State != state {
		event := stateEvent(state)
		params.StateEvent, changed = &event, append(changed, "state")
	}
	if len(changed) == 0 {
		return planning.Operation{}, false
	}
	id := have.ID
	return planning.Operation{
		Verb: planning.VerbUpdate, Entity: EntityPlan, Key: name,
		Description: withChanges(describe("update", EntityPlan, name, productID), changed),
		Run: func(ctx context.Context, c *threescale.Client) error {
			_, err := c.UpdateApplicationPlan(ctx, productID, id, params)
			return err
		},
	}, true
}

// planLimits makes a plan's limits those of the spec: one limit per (metric, period), whose value
// is updated in place.
func planLimits(field, plan string, desired []capabilitiesv1beta1.LimitSpec, observed []threescale.Limit, refs *refResolver, planID func() (int64, error), productID int64) (deletes, upserts []planning.Operation, err error) {
	type want struct {
		ref   metricRef
		limit capabilitiesv1beta1.LimitSpec
	}
	wants := map[string]want{}
	var order []string
	for i, l := range desired {
		ref, err := refs.ref(fmt.Sprintf("%s.limits[%d].metricMethodRef", field, i), l.MetricMethodRef)
		if err != nil {
			return nil, nil, err
		}
		key := ref.key + " " + l.Period
		if _, dup := wants[key]; dup {
			return nil, nil, &planning.InvalidError{
				Field:   fmt.Sprintf("%s.limits[%d]", field, i),
				Message: fmt.Sprintf("a second limit of %q per %s; a plan has one limit per metric and period", ref.key, l.Period),
			}
		}
		wants[key] = want{ref, l}
		order = append(order, key)
	}
	have := map[string]threescale.Limit{}
	for _, l := range observed {
		name, known := refs.observed[l.MetricID]
		key := name + " " + l.Period
		if _, wanted := wants[key]; known && wanted {
			if _, dup := have[key]; !dup {
				have[key] = l
				continue
			}
		}
		if !known && refs.metrics.Replaced[l.MetricID] {
			continue // goes with its metric
		}
		lid, mid := l.ID, l.MetricID
		label := fmt.Sprintf("%s per %s", orID(name, known, mid), l.Period)
		deletes = append(deletes, planning.Operation{
			Verb: planning.VerbDelete, Entity: EntityLimit, Key: plan + ": " + label,
			Description: fmt.Sprintf("delete limit of %s of application plan %q of product %d", label, plan, productID),
			Run: func(ctx context.Context, c *threescale.Client) error {
				pid, err := planID()
				if err != nil {
					return err
				}
				return ignoreNotFound(c.DeleteLimit(ctx, pid, mid, lid))
			},
		})
	}
	for _, key := range order {
		w := wants[key]
		label := fmt.Sprintf("%s per %s", w.ref.key, w.limit.Period)
		// 3scale stores a negative limit as 0: compare and write what it stores, or every
		// poll would rewrite it (Warnings says so to the user).
		params := threescale.LimitParams{Period: w.limit.Period, Value: max(w.limit.Value, 0)}
		h, ok := have[key]
		switch {
		case !ok:
			upserts = append(upserts, planning.Operation{
				Verb: planning.VerbCreate, Entity: EntityLimit, Key: plan + ": " + label,
				Description: fmt.Sprintf("create limit of %s of application plan %q of product %d", label, plan, productID),
				Run: func(ctx context.Context, c *threescale.Client) error {
					pid, mid, err := ids(planID, w.ref.resolve)
					if err != nil {
						return err
					}
					_, err = c.CreateLimit(ctx, pid, mid, params)
					return err
				},
			})
		case h.Value != params.Value:
			lid, mid := h.ID, h.MetricID
			upserts = append(upserts, planning.Operation{
				Verb: planning.VerbUpdate, Entity: EntityLimit, Key: plan + ": " + label,
				Description: fmt.Sprintf("update limit of %s of application plan %q of product %d: value", label, plan, productID),
				Run: func(ctx context.Context, c *threescale.Client) error {
					pid, err := planID()
					if err != nil {
						return err
					}
					_, err = c.UpdateLimit(ctx, pid, mid, lid, params)
					return err
				},
			})
		}
	}
	return deletes, upserts, nil
}

// planPricingRules makes a plan's pricing rules those of the spec. 3scale cannot update a pricing
// rule, so a changed price is a deletion (first, so that ranges never overlap) and a creation.
func planPricingRules(field, plan string, desired []capabilitiesv1beta1.PricingRuleSpec, observed []threescale.PricingRule, refs *refResolver, planID func() (int64, error), productID int64) (deletes, upserts []planning.Operation, err error) {
	type want struct {
		ref  metricRef
		rule capabilitiesv1beta1.PricingRuleSpec
	}
	wants := map[string]want{}
	var order []string
	for i, r := range desired {
		ref, err := refs.ref(fmt.Sprintf("%s.pricingRules[%d].metricMethodRef", field, i), r.MetricMethodRef)
		if err != nil {
			return nil, nil, err
		}
		key := fmt.Sprintf("%s %d-%d", ref.key, r.From, r.To)
		if _, dup := wants[key]; dup {
			return nil, nil, &planning.InvalidError{
				Field:   fmt.Sprintf("%s.pricingRules[%d]", field, i),
				Message: fmt.Sprintf("a second pricing rule of %q from %d to %d", ref.key, r.From, r.To),
			}
		}
		wants[key] = want{ref, r}
		order = append(order, key)
	}
	kept := map[string]bool{}
	for _, r := range observed {
		name, known := refs.observed[r.MetricID]
		key := fmt.Sprintf("%s %d-%d", name, r.Min, r.Max)
		if w, wanted := wants[key]; known && wanted && !kept[key] && sameAmount(w.rule.PricePerUnit.String(), string(r.CostPerUnit)) {
			kept[key] = true
			continue
		}
		if !known && refs.metrics.Replaced[r.MetricID] {
			continue // goes with its metric
		}
		rid, mid := r.ID, r.MetricID
		label := fmt.Sprintf("%s from %d to %d", orID(name, known, mid), r.Min, r.Max)
		deletes = append(deletes, planning.Operation{
			Verb: planning.VerbDelete, Entity: EntityPricingRule, Key: plan + ": " + label,
			Description: fmt.Sprintf("delete pricing rule of %s of application plan %q of product %d", label, plan, productID),
			Run: func(ctx context.Context, c *threescale.Client) error {
				pid, err := planID()
				if err != nil {
					return err
				}
				return ignoreNotFound(c.DeletePricingRule(ctx, pid, mid, rid))
			},
		})
	}
	for _, key := range order {
		if kept[key] {
			continue
		}
		w := wants[key]
		label := fmt.Sprintf("%s from %d to %d", w.ref.key, w.rule.From, w.rule.To)
		from, to, price := w.rule.From, w.rule.To, w.rule.PricePerUnit.String()
		upserts = append(upserts, planning.Operation{
			Verb: planning.VerbCreate, Entity: EntityPricingRule, Key: plan + ": " + label,
			Description: fmt.Sprintf("create pricing rule of %s of application plan %q of product %d", label, plan, productID),
			Run: func(ctx context.Context, c *threescale.Client) error {
				pid, mid, err := ids(planID, w.ref.resolve)
				if err != nil {
					return err
				}
				_, err = c.CreatePricingRule(ctx, pid, mid, threescale.PricingRuleParams{Min: &from, Max: &to, CostPerUnit: &price})
				return err
			},
		})
	}
	return deletes, upserts, nil
}

func ids(plan, metric func() (int64, error)) (int64, int64, error) {
	pid, err := plan()
	if err != nil {
		return 0, 0, err
	}
	mid, err := metric()
	return pid, mid, err
}

func orID(name string, known bool, id int64) string {
	if known {
		return name
	}
	return fmt.Sprintf("metric %d", id)
}
