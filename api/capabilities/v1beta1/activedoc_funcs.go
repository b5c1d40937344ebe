package v1beta1

import "strings"

// SystemNameOrDefault returns spec.systemName, or when it is unset the default derived from
// spec.name: its ASCII letters and digits, in lower case, as the 3scale operator that Red Hat ships
// computes it.
func (a *ActiveDoc) SystemNameOrDefault() string {
	if a.Spec.SystemName != nil && *a.Spec.SystemName != "" {
		return *a.Spec.SystemName
	}
	return strings.ToLower(systemNameFrom(a.Spec.Name))
}
