// Package product is how a Product custom resource becomes 3scale calls: Observe reads what 3scale
// holds of the product (never writing), Plan compares it with the resource and returns the
// ordered operations that make 3scale match it (a pure function), and Execute runs them.
//
// The generic reconcile loop (pkg/external) drives the three steps through Kind, this package's
// adapter, as it drives Backend's through pkg/capabilities/backend. Kind waits (Orphan) until the
// Backends the resource references are synced, and NewDesired reads the few values the resource
// keeps in Secrets (the OIDC issuer endpoint, policy configurations) once, so that Plan stays pure.
//
// A product that does not exist yet is planned as a single creation: 3scale gives a new product
// its hits metric, a default mapping rule and proxy defaults, which the next observation reads
// (Sync does both rounds at once). Observe finds a product by the ID the resource's status
// records, else by system name, so a restart between the creation and the status update never
// creates a second product.
package product
