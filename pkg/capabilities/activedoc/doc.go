// Package activedoc is how an ActiveDoc custom resource becomes 3scale calls: an OpenAPI document
// published (or not) in the Developer Portal, optionally bound to a product.
//
// Kind adapts ActiveDoc to the generic loop (pkg/external), which owns the finalizer, the
// deletion policy, the create-pending mark and the conditions. Connect reads what a sync needs:
// the document (a Secret's one value, or a URL, through pkg/document), parsed from JSON or YAML,
// and the 3scale ID of the Product of spec.productSystemName, which must be Synced first
// (Orphan until then; a watch on Products wakes the ActiveDoc). Observe reads the ActiveDoc by
// the ID in the status (one GET) and Plan, a pure function, returns the one update that makes it
// match, with only the fields that differ. The document is compared as data: reformatting it, or
// switching between JSON and YAML, writes nothing. Removing spec.productSystemName unbinds the
// ActiveDoc (a blank service_id, as porta reads it).
package activedoc
