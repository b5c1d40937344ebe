package planning

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// A RulesPlan is what PlanMappingRules returns.
type RulesPlan struct {
	// Deletes remove the observed rules that match no rule of the resource. They run first.
	Deletes []Operation
	// Upserts update and create rules in the resource's order, after the metrics they count
	// exist.
	Upserts []Operation
}

// ruleKey is the identity of a mapping rule: what it matches.
func ruleKey(method, pattern string) string { return strings.ToUpper(method) + " " + pattern }

// PlanMappingRules plans the mapping rules of owner. desired is the resource's list, in order;
// observed is 3scale's list; metrics is the plan of the owner's metrics, which says what each
// rule's metric is called and will be called.
//
// Observed rules are matched to desired ones by (HTTP method, pattern), the n-th desired rule
// with a key to the n-th observed one by position; a desired rule left over takes the observed
// rule left over at the same index (an edited pattern is one update, not a delete and a create).
// Matched rules get the desired metric, delta and last; rules that must move to reach the
// resource's order get a position, except those of the longest run already in order, so that an
// insertion or a removal moves nothing else. It fails with an *InvalidError when a rule counts a
// metric or method the resource does not list.
func PlanMappingRules(owner Owner, desired []capabilitiesv1beta1.MappingRuleSpec, observed []threescale.MappingRule, metrics *MetricsPlan) (*RulesPlan, error) {
	for i, r := range desired {
		if !metrics.Desired[r.MetricMethodRef] {
			return nil, invalid(fmt.Sprintf("spec.mappingRules[%d].metricMethodRef", i), "unknown metric or method %q", r.MetricMethodRef)
		}
		if err := ValidatePattern(r.Pattern); err != nil {
			return nil, invalid(fmt.Sprintf("spec.mappingRules[%d].pattern", i), "%q: %v", r.Pattern, err)
		}
	}
	plan := &RulesPlan{}

	// Observed rules in 3scale's order. Rules counting a metric that Early deletes go with it, so
	// they are deleted explicitly and made again.
	obs := slices.Clone(observed)
	sort.SliceStable(obs, func(i, j int) bool {
		if obs[i].Position != obs[j].Position {
			return obs[i].Position < obs[j].Position
		}
		return obs[i].ID < obs[j].ID
	})
	var live []threescale.MappingRule
	for _, r := range obs {
		if metrics.Replaced[r.MetricID] {
			plan.Deletes = append(plan.Deletes, deleteRule(owner, r))
			continue
		}
		live = append(live, r)
	}

	// match[i] is the index in live of the rule matched to desired[i], or -1.
	match := make([]int, len(desired))
	taken := make([]bool, len(live))
	for i, d := range desired {
		match[i] = -1
		key := ruleKey(d.HTTPMethod, d.Pattern)
		for j, r := range live {
			if !taken[j] && ruleKey(r.HTTPMethod, r.Pattern) == key {
				match[i], taken[j] = j, true
				break
			}
		}
	}
	for i := range desired {
		if match[i] < 0 && i < len(live) && !taken[i] {
			match[i], taken[i] = i, true
		}
	}
	for j, r := range live {
		if !taken[j] {
			plan.Deletes = append(plan.Deletes, deleteRule(owner, r))
		}
	}

	// The matched rules in 3scale's order, as desired indexes; those of the longest increasing
	// run stay where they are.
	var order []int
	inverse := make([]int, len(live))
	for i := range inverse {
		inverse[i] = -1
	}
	for i, j := range match {
		if j >= 0 {
			inverse[j] = i
		}
	}
	for _, i := range inverse {
		if i >= 0 {
			order = append(order, i)
		}
	}
	stable := map[int]bool{}
	for _, i := range longestIncreasing(order) {
		stable[i] = true
	}

	// Walk the resource's list; sim is 3scale's list as the plan leaves it, as desired indexes.
	// A rule that is new or moves goes right after the rule before it in the resource, which is
	// in its final place already (by induction), so the list ends in the resource's order.
	sim := order
	for i, d := range desired {
		var at int64
		if match[i] < 0 || !stable[i] {
			sim = slices.DeleteFunc(sim, func(k int) bool { return k == i })
			idx := 0
			if i > 0 {
				idx = slices.Index(sim, i-1) + 1
			}
			sim = slices.Insert(sim, idx, i)
			at = int64(idx + 1)
		}
		if match[i] < 0 {
			plan.Upserts = append(plan.Upserts, createRule(owner, d, at, metrics.IDs))
			continue
		}
		if op, changed := updateRule(owner, d, live[match[i]], at, metrics); changed {
			plan.Upserts = append(plan.Upserts, op)
		}
	}
	return plan, nil
}

func lastOf(d capabilitiesv1beta1.MappingRuleSpec) bool { return d.Last != nil && *d.Last }

func createRule(owner Owner, d capabilitiesv1beta1.MappingRuleSpec, position int64, ids *IDs) Operation {
	key := ruleKey(d.HTTPMethod, d.Pattern)
	method, pattern, ref := strings.ToUpper(d.HTTPMethod), d.Pattern, d.MetricMethodRef
	delta, last := int64(d.Increment), lastOf(d)
	return Operation{
		Verb: VerbCreate, Entity: EntityMappingRule, Key: key,
		Description: fmt.Sprintf("%s at position %d", owner.describe("create", EntityMappingRule, key), position),
		Run: func(ctx context.Context, c *threescale.Client) error {
			metricID, err := ids.Resolve(EntityMetric, ref)
			if err != nil {
				return err
			}
			return owner.CreateMappingRule(ctx, c, threescale.MappingRuleParams{
				HTTPMethod: &method, Pattern: &pattern, Delta: &delta, MetricID: &metricID, Last: &last, Position: &position,
			})
		},
	}
}

// updateRule returns the update that makes r as d says, moved to position when it is not 0, and
// whether anything differs.
func updateRule(owner Owner, d capabilitiesv1beta1.MappingRuleSpec, r threescale.MappingRule, position int64, metrics *MetricsPlan) (Operation, bool) {
	var p threescale.MappingRuleParams
	var changed []string
	method, pattern := strings.ToUpper(d.HTTPMethod), d.Pattern
	if strings.ToUpper(r.HTTPMethod) != method {
		p.HTTPMethod, changed = &method, append(changed, "http method")
	}
	if r.Pattern != pattern {
		p.Pattern, changed = &pattern, append(changed, "pattern")
	}
	ref := d.MetricMethodRef
	if name, ok := metrics.Observed[r.MetricID]; !ok || name != ref {
		changed = append(changed, "metric")
	}
	if delta := int64(d.Increment); r.Delta != delta {
		p.Delta, changed = &delta, append(changed, "delta")
	}
	if last := lastOf(d); r.Last != last {
		p.Last, changed = &last, append(changed, "last")
	}
	if position != 0 {
		p.Position, changed = &position, append(changed, fmt.Sprintf("position %d", position))
	}
	if len(changed) == 0 {
		return Operation{}, false
	}
	key := ruleKey(d.HTTPMethod, d.Pattern)
	setMetric := slices.Contains(changed, "metric")
	id := r.ID
	return Operation{
		Verb: VerbUpdate, Entity: EntityMappingRule, Key: key,
		Description: owner.describe("update", EntityMappingRule, key) + ": " + strings.Join(changed, ", "),
		Run: func(ctx context.Context, c *threescale.Client) error {
			params := p
			if setMetric {
				metricID, err := metrics.IDs.Resolve(EntityMetric, ref)
				if err != nil {
					return err
				}
				params.MetricID = &metricID
			}
			return owner.UpdateMappingRule(ctx, c, id, params)
		},
	}, true
}

func deleteRule(owner Owner, r threescale.MappingRule) Operation {
	key := ruleKey(r.HTTPMethod, r.Pattern)
	id := r.ID
	return Operation{
		Verb: VerbDelete, Entity: EntityMappingRule, Key: key,
		Description: owner.describe("delete", EntityMappingRule, key),
		Run:         func(ctx context.Context, c *threescale.Client) error { return owner.DeleteMappingRule(ctx, c, id) },
	}
}

// longestIncreasing returns the values of the longest strictly increasing subsequence of seq
// (the first one found, for determinism), in O(n log n).
func longestIncreasing(seq []int) []int {
	if len(seq) == 0 {
		return nil
	}
	tails := []int{}              // tails[k]: index in seq of the smallest tail of a run of length k+1
	prev := make([]int, len(seq)) // prev[i]: index in seq of the element before seq[i] in its run
	for i, v := range seq {
		k := sort.Search(len(tails), func(k int) bool { return seq[tails[k]] >= v })
		if k > 0 {
			prev[i] = tails[k-1]
		} else {
			prev[i] = -1
		}
		if k == len(tails) {
			tails = append(tails, i)
		} else {
			tails[k] = i
		}
	}
	out := make([]int, len(tails))
	for i, k := len(tails)-1, tails[len(tails)-1]; i >= 0; i, k = i-1, prev[k] {
		out[i] = seq[k]
	}
	return out
}
