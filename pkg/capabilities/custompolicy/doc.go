// Package custompolicy mirrors CustomPolicyDefinition objects into the policy registry of their
// 3scale tenant: the kind's adapter to the generic loop of package external (find by name and
// version, observe, plan one update, create, delete), and what it takes to tell whether a
// Product's policy chain still uses a policy.
package custompolicy
