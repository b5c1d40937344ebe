// Package watchnamespaces turns the operator's WATCH_NAMESPACE setting into the manager's cache
// configuration.
package watchnamespaces

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/controller-runtime/pkg/cache"
)

// EnvVar is the environment variable that names the namespaces the operator watches. OLM sets it
// from the OperatorGroup's target namespaces (a comma-separated list, or empty for all namespaces).
const EnvVar = "WATCH_NAMESPACE"

// Parse reads a WATCH_NAMESPACE value: empty (or only blanks) means every namespace and returns nil;
// otherwise a comma-separated list of namespace names, blanks around names ignored, duplicates
// merged. A name that is not a valid namespace name is an error, so a typo stops the operator at
// start-up instead of silently watching nothing.
func Parse(value string) (map[string]cache.Config, error) {
	if strings.TrimSpace(value) == "" {
		return nil, nil
	}
	namespaces := map[string]cache.Config{}
	for _, part := range strings.Split(value, ",") {
		name := strings.TrimSpace(part)
		if name == "" {
			continue
		}
		if errs := validation.IsDNS1123Label(name); len(errs) > 0 {
			return nil, fmt.Errorf("%s: %q is not a valid namespace name: %s", EnvVar, name, strings.Join(errs, "; "))
		}
		namespaces[name] = cache.Config{}
	}
	if len(namespaces) == 0 {
		return nil, nil
	}
	return namespaces, nil
}

// Names returns the namespace names of a Parse result, sorted, for logging; nil means all.
func Names(namespaces map[string]cache.Config) []string {
	names := make([]string, 0, len(namespaces))
	for name := range namespaces {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
