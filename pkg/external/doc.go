// Package external is the one reconcile loop of every capability kind (Product, Backend, and the
// kinds that follow them): it mirrors a custom resource into a 3scale tenant the way
// crossplane-runtime's managed reconciler mirrors a managed resource into a cloud API.
//
// For each object the loop gets it, handles deletion (finalizer, orphan policy), adds its
// finalizer, checks the spec and its references (Kind.Check), resolves the tenant and a shared
// client (package tenant), observes 3scale (External.Observe, which never writes), executes the
// plan when 3scale differs (External.Sync), sets the conditions, emits events, writes the status
// with one patch, and polls again after a jittered interval, since 3scale cannot be watched.
// A kind supplies only its Kind adapter and its External.
//
// Errors are sorted once, by Classify: an invalid spec stops until the spec changes, a missing
// reference or secret waits, refused credentials fail naming the secret to fix, anything else
// is returned so that the work queue backs off.
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
//   - insecure_skip_verify: "true" turns TLS verification of the 3scale admin API off, as with
//     the 3scale operator that Red Hat ships. Avoid it; prefer a trusted certificate.
package external
