package planning

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// maxPatternLength is the longest pattern 3scale stores.
const maxPatternLength = 255

// patternVariable is a {variable} of a pattern, as 3scale's ProxyRule::PatternParser reads it.
var patternVariable = regexp.MustCompile(`\{([_\pL\pN]+)\}`)

// ValidatePattern checks a mapping rule pattern against the rules 3scale applies on every save
// (porta app/models/proxy_rule.rb: the pattern starts with "/", is at most 255 characters, names
// each variable once across path and query string, and uses no variable as a query-string key),
// so that a pattern 3scale would refuse is reported before anything is written. The finer URI
// grammar is left to 3scale, whose refusal the loop reports with its message.
func ValidatePattern(pattern string) error {
	if !strings.HasPrefix(pattern, "/") {
		return errors.New(`a pattern starts with "/"`)
	}
	if len(pattern) > maxPatternLength {
		return fmt.Errorf("a pattern has at most %d characters", maxPatternLength)
	}
	path, query, _ := strings.Cut(pattern, "?")
	seen := map[string]bool{}
	var repeated []string
	see := func(name string) {
		if seen[name] {
			repeated = append(repeated, name)
		}
		seen[name] = true
	}
	for _, m := range patternVariable.FindAllStringSubmatch(path, -1) {
		see(m[1])
	}
	if query != "" {
		for kv := range strings.SplitSeq(query, "&") {
			key, _, _ := strings.Cut(kv, "=")
			if patternVariable.MatchString(key) {
				return fmt.Errorf("variables cannot be query-string keys (%s)", key)
			}
			see(key)
		}
	}
	if len(repeated) > 0 {
		return fmt.Errorf("variable names cannot repeat (%s)", strings.Join(repeated, ", "))
	}
	return nil
}
