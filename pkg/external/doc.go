// Package external is the one reconcile loop of every capability kind (Product, Backend, and the
// kinds that follow them): it mirrors a custom resource into a 3scale tenant the way
// crossplane-runtime's managed reconciler mirrors a managed resource into a cloud API.
//
// A kind supplies a Kind (its conditions, status fields, local checks, and how it connects) and an
// External per reconcile (Find by natural key, Observe and plan, Create, Delete): see kind.go.
// The loop owns everything else, once for all kinds:
//
//   - ownership: which entity an object manages (the ID its status records; after a crash, the one
//     its create-pending mark says it made; else an existing one it adopts visibly), and that no
//     two objects manage one entity (claims.go);
//   - the finalizer and the deletion policy, with optimistic locking (a kind whose objects own
//     other objects by reference deletes them too, as a DependentsDeleter);
//   - executing the plan the kind returns, after creating the entity when needed;
//   - conditions, events, the one status patch, polling, the per-reconcile deadline;
//   - the controller wiring (Setup): indexes, Secret metadata watch, reference watches.
//
// Errors are sorted once, by Classify: an invalid spec stops until the spec changes, a 3scale
// refusal is retried at the poll interval, a missing reference or secret waits, refused
// credentials fail naming the secret to fix, a conflict fails naming the other object, anything
// else is returned so that the work queue backs off, without touching the conditions of a synced
// object until it lasts past the poll interval.
//
// # Annotations users may set on a capability object
//
//   - capabilities.3scale.net/deletion-policy: "Delete" (the default) deletes the 3scale entity
//     when the object is deleted; "Orphan" leaves it in 3scale. Setting "Orphan" is also how to
//     release an object whose deletion waits for a tenant Secret that is gone for good:
//     kubectl annotate backend/x capabilities.3scale.net/deletion-policy=Orphan
//   - capabilities.3scale.net/poll-interval: how often 3scale is read again to revert changes
//     made behind the operator's back, as a Go duration ("90s", "10m"); at least 5s. Defaults to
//     the operator's setting.
//   - capabilities.3scale.net/create-pending: set by the loop itself around a creation; do not
//     set it by hand.
//   - insecure_skip_verify: "true" turns TLS verification of the 3scale admin API off, as with
//     the 3scale operator that Red Hat ships. Avoid it; prefer a trusted certificate.
package external
