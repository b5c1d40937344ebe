// Package tenant mirrors Tenant objects (capabilities.3scale.net/v1alpha1) into 3scale through the
// master API: a tenant is signed up with its admin user, its from/support/finance-support emails
// and site access code are kept as the spec says, and its admin portal URL and access token are
// written into the tenant Secret, which other kinds use as their providerAccountRef.
//
// 3scale shows a tenant's access token once, in the answer to the signup: the Secret is written in
// the pass that created the tenant, and the Secret is owned by the Tenant object (when the Tenant
// made it). A token later lost from the Secret, or refused by 3scale, is replaced by a new one
// created with the tenant's provider key, which the master account can read.
package tenant
