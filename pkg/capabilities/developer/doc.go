// Package developer is how DeveloperAccount and DeveloperUser custom resources become 3scale
// calls: developer (buyer) accounts of a tenant and their users.
//
// AccountKind and UserKind adapt the two kinds to the generic loop (pkg/external), which owns the
// finalizer, the deletion policy, the create-pending mark, adoption and the conditions.
//
// 3scale creates a developer account together with its first admin user (signup), so a
// DeveloperAccount that records no account yet waits (Waiting, reason WaitingForAdminUser) for a
// DeveloperUser of its namespace and provider account, with role admin, that references it; its
// username, email and password (from its Secret) go into the signup. A watch on DeveloperUsers
// wakes the account when that user appears. Once created, the account's org name and billing and
// charging flags are kept as the spec says (PlanAccount).
//
// A DeveloperUser waits (Orphan, reason DeveloperAccountNotReady) until its DeveloperAccount is
// Ready with an ID on the same tenant; a watch on DeveloperAccounts wakes it. It is found by
// username in that account (which adopts the admin user made by signup), else created there
// with the password of its Secret; then its username, email, role and state are kept as the spec
// says (PlanUser): pending users are activated, suspended ones unsuspended unless the spec
// suspends them. A user whose spec.developerAccountRef names another account is deleted from the
// old account before it is created in the new one.
//
// Deleting a DeveloperAccount deletes the account in 3scale (with its users) and then the
// DeveloperUser objects of its namespace that reference it (AccountKind.DeleteDependents, which
// the loop calls also when no account was recorded); with the deletion policy Orphan,
// both the account and the DeveloperUser objects are left alone. Deleting a DeveloperUser deletes
// the user from the account its status records; an account already gone means the user is too.
package developer
