package main

import (
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// leaderElectionRules are what the manager needs besides its controllers' rules: the Lease it
// elects a leader with and the Events it records. main.go declares them as RBAC markers too, so
// they are usually in manager-role already; they are added here so the bundle never depends on it.
var leaderElectionRules = []rbacv1.PolicyRule{
	{
		APIGroups: []string{"coordination.k8s.io"},
		Resources: []string{"leases"},
		Verbs:     []string{"get", "list", "watch", "create", "update", "patch", "delete"},
	},
	{APIGroups: []string{""}, Resources: []string{"events"}, Verbs: []string{"create", "patch"}},
	{APIGroups: []string{"events.k8s.io"}, Resources: []string{"events"}, Verbs: []string{"create", "patch"}},
}

// clusterScoped names the cluster-scoped resources, by API group, that an operator like this one
// may be granted. OLM turns a CSV's permissions into Roles in the target namespaces, where rules on
// cluster-scoped resources grant nothing; such rules go to clusterPermissions instead. A whole
// group marked "*" is cluster-scoped throughout.
var clusterScoped = map[string][]string{
	"":                             {"componentstatuses", "namespaces", "nodes", "persistentvolumes"},
	"admissionregistration.k8s.io": {"*"},
	"apiextensions.k8s.io":         {"customresourcedefinitions"},
	"apiregistration.k8s.io":       {"apiservices"},
	"authentication.k8s.io":        {"selfsubjectreviews", "tokenreviews"},
	"authorization.k8s.io":         {"selfsubjectaccessreviews", "selfsubjectrulesreviews", "subjectaccessreviews"},
	"certificates.k8s.io":          {"certificatesigningrequests"},
	"config.openshift.io":          {"*"},
	"console.openshift.io":         {"*"},
	"networking.k8s.io":            {"ingressclasses"},
	"rbac.authorization.k8s.io":    {"clusterrolebindings", "clusterroles"},
	"scheduling.k8s.io":            {"priorityclasses"},
	"storage.k8s.io":               {"csidrivers", "csinodes", "storageclasses", "volumeattachments"},
}

// isClusterScoped reports whether resource (possibly "name/subresource") of group is cluster-scoped.
func isClusterScoped(group, resource string) bool {
	resource, _, _ = strings.Cut(resource, "/")
	known := clusterScoped[group]
	return slices.Contains(known, "*") || slices.Contains(known, resource)
}

// splitRules sorts the manager's rules into namespaced ones (the CSV's permissions) and
// cluster-scoped ones (its clusterPermissions). A rule whose resources mix both scopes is split;
// non-resource URLs are cluster-wide by nature. Rules naming every resource ("*") stay namespaced:
// granting "*" cluster-wide is a decision for a human, not for a generator.
func splitRules(rules []rbacv1.PolicyRule) (namespaced, cluster []rbacv1.PolicyRule) {
	for _, rule := range rules {
		if len(rule.NonResourceURLs) > 0 {
			cluster = append(cluster, rule)
			continue
		}
		var ns, cl []string
		for _, resource := range rule.Resources {
			inCluster := slices.ContainsFunc(rule.APIGroups, func(group string) bool {
				return isClusterScoped(group, resource)
			})
			if inCluster {
				cl = append(cl, resource)
			} else {
				ns = append(ns, resource)
			}
		}
		if len(ns) > 0 {
			r := *rule.DeepCopy()
			r.Resources = ns
			namespaced = append(namespaced, r)
		}
		if len(cl) > 0 {
			r := *rule.DeepCopy()
			r.Resources = cl
			cluster = append(cluster, r)
		}
	}
	return namespaced, cluster
}

// covers reports whether rule grants verb on group/resource (wildcards included); rules limited to
// resourceNames cover nothing in general.
func covers(rule rbacv1.PolicyRule, group, resource, verb string) bool {
	if len(rule.ResourceNames) > 0 {
		return false
	}
	anyOf := func(list []string, want string) bool {
		return slices.Contains(list, want) || slices.Contains(list, rbacv1.ResourceAll)
	}
	return anyOf(rule.APIGroups, group) && anyOf(rule.Resources, resource) && anyOf(rule.Verbs, verb)
}

// withRules returns rules followed by the parts of extra that rules do not grant yet, so that
// merging the leader-election rules into manager-role's adds nothing twice. Each extra rule keeps
// only its missing verbs and is dropped when none is missing.
func withRules(rules, extra []rbacv1.PolicyRule) []rbacv1.PolicyRule {
	out := slices.Clone(rules)
	for _, add := range extra {
		var missing []string
		for _, verb := range add.Verbs {
			granted := true
			for _, group := range add.APIGroups {
				for _, resource := range add.Resources {
					if !slices.ContainsFunc(out, func(r rbacv1.PolicyRule) bool { return covers(r, group, resource, verb) }) {
						granted = false
					}
				}
			}
			if !granted {
				missing = append(missing, verb)
			}
		}
		if len(missing) > 0 {
			r := *add.DeepCopy()
			r.Verbs = missing
			out = append(out, r)
		}
	}
	return out
}
