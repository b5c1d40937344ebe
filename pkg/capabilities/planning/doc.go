// Package planning holds the pure planners that Product and Backend share: given what the custom
// resource asks for (desired) and what 3scale holds (observed), they return the ordered list of
// Operations that makes 3scale match the resource, and nothing when it already does.
//
// Planners never call 3scale. Each Operation carries a Run function that does its one write when
// the caller executes the plan (Execute); operations that refer to entities created earlier in
// the same plan (a mapping rule counting a new metric, a method under a new hits metric) resolve
// their IDs when they run, through IDs, so that one observation and one execution are enough.
//
// One planner serves both kinds of owner: an Owner binds the 3scale calls of a product or of a
// backend to its ID (ProductOwner, BackendOwner).
//
// Order matters to 3scale, and Plan (PlanOwner) returns operations in an order it accepts:
//  1. mapping rules that no longer belong are deleted, and so are entities whose system name or
//     friendly name a new entity needs (3scale keeps both unique per owner);
//  2. metrics are created and updated, then methods (they live under the hits metric); as 3scale
//     checks friendly names on every write, an entity that takes the friendly name another one
//     gives up comes after it, and names that move in a cycle (a swap) go through a temporary
//     name, so that the plan only grows when names move between entities;
//  3. mapping rules are updated and created in the resource's order, so that positions end up
//     as the list says, with as few moves as possible;
//  4. methods, then metrics, that the resource no longer lists are deleted last, once nothing
//     that the resource keeps uses them.
//
// Mapping rules are matched to the resource's rules by (HTTP method, pattern), not by position:
// inserting a rule creates one rule, and the rules after it are left alone (3scale shifts their
// positions itself).
package planning
