package planning

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// hits is the system name of the metric every owner has and methods live under.
const hits = capabilitiesv1beta1.HitsMetricSystemName

// A MetricsPlan is what PlanMetrics returns: the operations on metrics and methods, in three
// groups that the caller places around its other operations (see the package documentation).
type MetricsPlan struct {
	// Early deletes entities whose system name or friendly name a desired entity needs; they run
	// before Upserts. What refers to them (mapping rules, limits) goes with them in 3scale and
	// must be created again: see Replaced.
	Early []Operation
	// Upserts create and update metrics, then methods; an entity that takes a friendly name
	// another one gives up comes after it, and names that move in a cycle go through a
	// temporary one (3scale checks uniqueness on every write).
	Upserts []Operation
	// Late deletes the methods, then the metrics, that the resource no longer lists. They run
	// after everything that could still use them was moved off them.
	Late []Operation
	// IDs resolves the system names of the owner's metrics and methods to their IDs; entities
	// that Upserts create are added when they run.
	IDs *IDs
	// Replaced holds the IDs of observed metrics and methods that Early deletes.
	Replaced map[int64]bool
	// Observed maps the IDs of the observed metrics and methods to their system names.
	Observed map[int64]string
	// Desired holds the system names of the desired metrics and methods.
	Desired map[string]bool
}

// metricWant is one desired metric or method.
type metricWant struct {
	name, friendly, unit, description string
	method                            bool
}

func (w metricWant) entity() string {
	if w.method {
		return EntityMethod
	}
	return EntityMetric
}

// PlanMetrics plans the metrics and methods of owner: metrics and methods are what the resource
// lists (the hits metric is added when it is missing), observed is the owner's metric list as
// 3scale returns it (methods included). It fails with an *InvalidError when a system name is
// both a metric and a method.
func PlanMetrics(owner Owner, metrics map[string]capabilitiesv1beta1.MetricSpec, methods map[string]capabilitiesv1beta1.MethodSpec, observed []threescale.Metric) (*MetricsPlan, error) {
	wants, err := desiredMetrics(metrics, methods)
	if err != nil {
		return nil, err
	}
	p := &MetricsPlan{IDs: NewIDs(), Replaced: map[int64]bool{}, Observed: map[int64]string{}, Desired: map[string]bool{}}
	friendlies := map[string]bool{}
	for _, w := range wants {
		p.Desired[w.name] = true
		friendlies[w.friendly] = true
	}

	// Observed entities, in a stable order (3scale lists them by ID).
	obs := slices.Clone(observed)
	sort.SliceStable(obs, func(i, j int) bool { return obs[i].ID < obs[j].ID })
	// Entities by (system name, is a method): 3scale keeps names unique per owner, but an owner
	// changed by hand may hold a metric and a method of one name; the one of the right kind wins.
	type kindName struct {
		name   string
		method bool
	}
	byName := map[kindName]threescale.Metric{}
	var hitsID int64
	for _, m := range obs {
		name := owner.SystemName(m)
		p.Observed[m.ID] = name
		if m.ParentID == 0 && name == hits {
			hitsID = m.ID
		}
		if k := (kindName{name, m.ParentID != 0}); byName[k].ID == 0 {
			byName[k] = m
		}
	}

	matched := map[int64]bool{}
	for _, w := range wants {
		m, ok := byName[kindName{w.name, w.method}]
		if !ok {
			continue
		}
		matched[m.ID] = true
		p.IDs.Set(w.name, m.ID)
	}

	// Deletions: early when a desired entity needs the name, late otherwise. A method goes with
	// its metric, so it needs no deletion of its own when its parent is deleted.
	for _, m := range obs {
		if matched[m.ID] {
			continue
		}
		name := owner.SystemName(m)
		if m.ParentID == 0 && name == hits {
			continue // 3scale never deletes hits; the match above keeps it
		}
		op := deleteMetric(owner, m, name)
		if p.Desired[name] || friendlies[m.FriendlyName] {
			p.Replaced[m.ID] = true
			p.Early = append(p.Early, op)
			continue
		}
		p.Late = append(p.Late, op)
	}
	// Methods before metrics, so that a metric is never deleted under its methods' feet.
	slices.SortStableFunc(p.Late, func(a, b Operation) int {
		return boolInt(a.Entity == EntityMetric) - boolInt(b.Entity == EntityMetric)
	})

	// Creations and updates: metrics first (methods need hits), each group by name, then
	// reordered where friendly names move between entities.
	var ups []upsert
	for _, w := range wants {
		m, ok := byName[kindName{w.name, w.method}]
		if ok && matched[m.ID] {
			if op, changed := updateMetric(owner, w, m); changed {
				u := upsert{op: op, observed: m, method: w.method, name: w.name}
				if m.FriendlyName != w.friendly {
					u.wants, u.holds = w.friendly, m.FriendlyName
				}
				ups = append(ups, u)
			}
			continue
		}
		ups = append(ups, upsert{
			op: createMetric(owner, w, hitsID, p.IDs), wants: w.friendly, method: w.method, name: w.name,
			needsHits: w.method && hitsID == 0, createsHits: !w.method && w.name == hits,
		})
	}
	taken := maps.Clone(friendlies)
	for _, m := range obs {
		taken[m.FriendlyName] = true
	}
	p.Upserts = orderUpserts(owner, ups, taken)
	return p, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// desiredMetrics returns the desired metrics (hits included) sorted by name, then the desired
// methods sorted by name.
func desiredMetrics(metrics map[string]capabilitiesv1beta1.MetricSpec, methods map[string]capabilitiesv1beta1.MethodSpec) ([]metricWant, error) {
	var out []metricWant
	for name, m := range metrics {
		out = append(out, metricWant{name: name, friendly: m.Name, unit: m.Unit, description: m.Description})
	}
	if _, ok := metrics[hits]; !ok {
		h := capabilitiesv1beta1.DefaultHitsMetric()
		out = append(out, metricWant{name: hits, friendly: h.Name, unit: h.Unit, description: h.Description})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	nMetrics := len(out)
	for name, m := range methods {
		if name == hits {
			return nil, invalid("spec.methods", "%q is the hits metric and cannot be a method", name)
		}
		if _, clash := metrics[name]; clash {
			return nil, invalid("spec.methods", "%q is both a metric and a method; system names must be unique", name)
		}
		out = append(out, metricWant{name: name, friendly: m.Name, description: m.Description, method: true})
	}
	sort.Slice(out[nMetrics:], func(i, j int) bool { return out[nMetrics+i].name < out[nMetrics+j].name })
	// 3scale keeps friendly names unique per owner too; say so now rather than after a 422.
	seen := map[string]string{}
	for _, w := range out {
		if other, dup := seen[w.friendly]; dup && w.friendly != "" {
			return nil, invalid("spec", "%q and %q have the same friendly name %q; friendly names must be unique", other, w.name, w.friendly)
		}
		seen[w.friendly] = w.name
	}
	return out, nil
}

func (o Owner) describe(verb, entity, key string) string {
	return fmt.Sprintf("%s %s %q of %s %d", verb, entity, key, o.Kind, o.ID)
}

func createMetric(owner Owner, w metricWant, hitsID int64, ids *IDs) Operation {
	op := Operation{Verb: VerbCreate, Entity: w.entity(), Key: w.name, Description: owner.describe("create", w.entity(), w.name)}
	name, friendly, unit, description := w.name, w.friendly, w.unit, w.description
	if !w.method {
		op.Run = func(ctx context.Context, c *threescale.Client) error {
			m, err := owner.CreateMetric(ctx, c, threescale.MetricParams{SystemName: &name, FriendlyName: &friendly, Unit: &unit, Description: &description})
			if err != nil {
				return err
			}
			ids.Set(name, m.ID)
			return nil
		}
		return op
	}
	op.Run = func(ctx context.Context, c *threescale.Client) error {
		parent := hitsID
		if parent == 0 {
			var err error
			if parent, err = ids.Resolve(EntityMetric, hits); err != nil {
				return err
			}
		}
		m, err := owner.CreateMethod(ctx, c, parent, threescale.MethodParams{SystemName: &name, FriendlyName: &friendly, Description: &description})
		if err != nil {
			return err
		}
		ids.Set(name, m.ID)
		return nil
	}
	return op
}

// updateMetric returns the update that makes m as w says, and whether anything differs.
func updateMetric(owner Owner, w metricWant, m threescale.Metric) (Operation, bool) {
	var changed []string
	var friendly, unit, description *string
	if m.FriendlyName != w.friendly {
		friendly, changed = &w.friendly, append(changed, "friendly name")
	}
	if !w.method && m.Unit != w.unit {
		unit, changed = &w.unit, append(changed, "unit")
	}
	if m.Description != w.description {
		description, changed = &w.description, append(changed, "description")
	}
	if len(changed) == 0 {
		return Operation{}, false
	}
	op := Operation{
		Verb: VerbUpdate, Entity: w.entity(), Key: w.name,
		Description: owner.describe("update", w.entity(), w.name) + ": " + strings.Join(changed, ", "),
	}
	id, parent := m.ID, m.ParentID
	if w.method {
		op.Run = func(ctx context.Context, c *threescale.Client) error {
			return owner.UpdateMethod(ctx, c, parent, id, threescale.MethodUpdateParams{FriendlyName: friendly, Description: description})
		}
	} else {
		op.Run = func(ctx context.Context, c *threescale.Client) error {
			return owner.UpdateMetric(ctx, c, id, threescale.MetricUpdateParams{FriendlyName: friendly, Unit: unit, Description: description})
		}
	}
	return op, true
}

func deleteMetric(owner Owner, m threescale.Metric, name string) Operation {
	entity := EntityMetric
	if m.ParentID != 0 {
		entity = EntityMethod
	}
	op := Operation{Verb: VerbDelete, Entity: entity, Key: name, Description: owner.describe("delete", entity, name)}
	id, parent := m.ID, m.ParentID
	if parent != 0 {
		op.Run = func(ctx context.Context, c *threescale.Client) error { return owner.DeleteMethod(ctx, c, parent, id) }
	} else {
		op.Run = func(ctx context.Context, c *threescale.Client) error { return owner.DeleteMetric(ctx, c, id) }
	}
	return op
}
