// Package export reads a 3scale tenant and writes the capability objects that describe it:
// Backends and Products (with every sub-entity), ActiveDocs, CustomPolicyDefinitions,
// DeveloperAccounts, DeveloperUsers and Applications. Applied to a namespace whose operator
// points at the same tenant, they adopt what exists and write nothing: each exported object is
// checked with the operator's own planner against what was read, and whatever the planner would
// still change is reported instead of passed over in silence.
//
// Object names are Kubernetes names derived from 3scale system names (collisions get a numeric
// suffix); spec.systemName keeps the 3scale name. Values that are credentials 3scale returns
// (an OIDC issuer endpoint with its client secret) go into Secrets the export writes; values
// 3scale never returns (developer passwords) are referenced by Secrets the user creates, listed
// in the result.
package export
