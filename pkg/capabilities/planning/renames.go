package planning

import (
	"context"
	"fmt"

	"github.com/threescale-oss/operator/pkg/threescale"
)

// An upsert is one creation or update of a metric or method, with what it does to friendly
// names, which 3scale keeps unique per owner (metrics and methods together, case-sensitively)
// and checks on every single write.
type upsert struct {
	op Operation
	// wants is the friendly name the operation sets; "" when it keeps the current one.
	wants string
	// holds is the friendly name the entity has now and the operation gives up; "" when it
	// creates the entity or keeps the name.
	holds string
	// needsHits says that the operation creates a method under a hits metric that an earlier
	// creation makes.
	needsHits bool
	// createsHits says that the operation creates the hits metric.
	createsHits bool
	// observed is the entity an update changes; temporary renames use it.
	observed threescale.Metric
	method   bool
	name     string
}

// orderUpserts returns the operations of ups in an order that 3scale accepts one write at a time:
// an operation that sets a friendly name another entity still holds runs after the operation
// that renames that entity. Otherwise the given order stays: when no friendly name moves between
// entities, the result is ups' operations as they are, with no extra write. When names move in a
// cycle (a swap, a rotation), the first entity of the cycle is first given a temporary friendly
// name, unique among taken (every friendly name observed or desired), and its real one last.
func orderUpserts(owner Owner, ups []upsert, taken map[string]bool) []Operation {
	holder := map[string]int{} // friendly name to the upsert giving it up
	hitsCreate := -1
	for i, u := range ups {
		if u.holds != "" {
			holder[u.holds] = i
		}
		if u.createsHits {
			hitsCreate = i
		}
	}
	done := make([]bool, len(ups))
	freed := make([]bool, len(ups)) // the upsert's held name is free: done, or renamed temporarily
	// blocker returns the upsert that must run before i, or -1.
	blocker := func(i int) int {
		if h, ok := holder[ups[i].wants]; ok && ups[i].wants != "" && h != i && !freed[h] {
			return h
		}
		if ups[i].needsHits && hitsCreate >= 0 && !done[hitsCreate] {
			return hitsCreate
		}
		return -1
	}
	var out []Operation
	for left := len(ups); left > 0; {
		next := -1
		for i := range ups {
			if !done[i] && blocker(i) < 0 {
				next = i
				break
			}
		}
		if next >= 0 {
			out = append(out, ups[next].op)
			done[next], freed[next] = true, true
			left--
			continue
		}
		// Every remaining upsert waits for another: following the waits from the first one
		// ends in a cycle of renames (a method creation waits for hits, never the reverse, and
		// a creation holds no name, so the cycle is made of updates). Free the name of its
		// first member with a temporary one.
		first := -1
		for i := range ups {
			if !done[i] {
				first = i
				break
			}
		}
		seen := map[int]bool{}
		at := first
		for !seen[at] {
			seen[at] = true
			at = blocker(at)
		}
		start := at
		for b := blocker(at); b != start; b = blocker(b) {
			at = min(at, b)
		}
		u := ups[at]
		out = append(out, temporaryRename(owner, u, uniqueFriendly(u.observed.ID, taken)))
		freed[at] = true
	}
	return out
}

// uniqueFriendly returns a friendly name for entity id that is not in taken, and adds it there.
// It is short (3scale allows 255 characters) and says why it is there, should a plan stop
// half-way and leave it for the next plan to replace.
func uniqueFriendly(id int64, taken map[string]bool) string {
	name := fmt.Sprintf("renaming %d", id)
	for n := 2; taken[name]; n++ {
		name = fmt.Sprintf("renaming %d (%d)", id, n)
	}
	taken[name] = true
	return name
}

// temporaryRename gives u's entity the friendly name tmp, so that another entity can take its
// current one; u's own operation gives it its final name later.
func temporaryRename(owner Owner, u upsert, tmp string) Operation {
	entity := EntityMetric
	if u.method {
		entity = EntityMethod
	}
	op := Operation{
		Verb: VerbUpdate, Entity: entity, Key: u.name,
		Description: owner.describe("update", entity, u.name) + ": temporary friendly name",
	}
	id, parent := u.observed.ID, u.observed.ParentID
	if u.method {
		op.Run = func(ctx context.Context, c *threescale.Client) error {
			return owner.UpdateMethod(ctx, c, parent, id, threescale.MethodUpdateParams{FriendlyName: &tmp})
		}
	} else {
		op.Run = func(ctx context.Context, c *threescale.Client) error {
			return owner.UpdateMetric(ctx, c, id, threescale.MetricUpdateParams{FriendlyName: &tmp})
		}
	}
	return op
}
