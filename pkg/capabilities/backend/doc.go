// Package backend is how a Backend custom resource becomes 3scale calls: Observe reads what 3scale
// holds of the backend (never writing), Plan compares it with the resource and returns the ordered
// operations that make 3scale match it (a pure function), and the generic loop (pkg/external)
// executes them through Kind, this package's adapter.
//
// Observe finds the backend by the ID in the resource's status when that ID belongs to the same
// tenant, else by system name in one paginated list, so an operator killed between creating the
// backend and writing its ID never creates a second one. A backend that does not exist is planned
// as one creation; Sync then observes the new backend's metrics (3scale gives it "hits") and
// plans the rest in the same pass.
//
// Metrics, methods and mapping rules are planned by pkg/capabilities/planning, shared with Product.
package backend
