package export

import (
	"strconv"
	"strings"
)

// maxNameLength keeps names usable as label values and in generated Secret names (a DNS label).
const maxNameLength = 63

// names hands out Kubernetes object names, unique per kind.
type names struct {
	taken map[string]map[string]bool // kind -> name -> taken
}

func newNames() *names { return &names{taken: map[string]map[string]bool{}} }

// next returns a name for an object of kind derived from base (a system name): lower case,
// runs of characters a name cannot hold turned into one "-", trimmed to 63 characters; a name
// already handed out for kind gets "-2", "-3"... An empty result becomes fallback.
func (n *names) next(kind, base, fallback string) string {
	name := kubeName(base)
	if name == "" {
		name = fallback
	}
	taken := n.taken[kind]
	if taken == nil {
		taken = map[string]bool{}
		n.taken[kind] = taken
	}
	candidate := name
	for i := 2; taken[candidate]; i++ {
		suffix := "-" + strconv.Itoa(i)
		candidate = strings.TrimRight(truncate(name, maxNameLength-len(suffix)), "-") + suffix
	}
	taken[candidate] = true
	return candidate
}

// kubeName turns s into a DNS label: [a-z0-9-], starting and ending alphanumeric.
func kubeName(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	return strings.TrimRight(truncate(b.String(), maxNameLength), "-")
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
