package inmemory

import (
	"maps"
	"regexp"
	"strconv"
	"strings"
)

// setString sets *dst to parameter name when the request sent it.
func setString(q *request, name string, dst *string) {
	if q.has(name) {
		*dst = q.get(name)
	}
}

// setBool sets *dst to parameter name when the request sent it, cast the way Rails casts
// booleans: "0", "f", "false", "off" (any case) are false, anything else is true, and an
// empty value leaves the field alone.
func setBool(q *request, name string, dst *bool) {
	if !q.has(name) {
		return
	}
	switch v := strings.ToLower(q.get(name)); v {
	case "":
	case "0", "f", "false", "off", "no", "n":
		*dst = false
	default:
		*dst = true
	}
}

// setInt sets *dst to parameter name when the request sent it; a value that is not an
// integer is a validation error of the field.
func setInt(q *request, name string, dst *int64, errs fieldErrors) fieldErrors {
	if !q.has(name) {
		return errs
	}
	v, err := strconv.ParseInt(strings.TrimSpace(q.get(name)), 10, 64)
	if err != nil {
		return errs.add(name, "is not a number")
	}
	*dst = v
	return errs
}

// applyAnnotations merges the annotations[key]=value parameters into current, as porta's
// annotations do: a blank value removes the annotation.
func applyAnnotations(q *request, current map[string]string) map[string]string {
	out := cloneMap(current)
	for k, vs := range q.form {
		key, ok := strings.CutPrefix(k, "annotations[")
		if !ok || !strings.HasSuffix(key, "]") || len(vs) == 0 {
			continue
		}
		key = strings.TrimSuffix(key, "]")
		if vs[0] == "" {
			delete(out, key)
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[key] = vs[0]
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return nil
	}
	return maps.Clone(m)
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// validateSystemName applies porta's system_name validations: present, of word characters,
// dashes and slashes, and not taken in its collection.
func validateSystemName(errs fieldErrors, name string, taken func(string) bool) fieldErrors {
	switch {
	case name == "":
		return errs.add("system_name", msgBlank)
	case !validSystemName(name):
		return errs.add("system_name", msgInvalid)
	case taken(name):
		return errs.add("system_name", msgTaken)
	}
	return errs
}

var emailRex = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

// validEmail is a plausibility check of an email address, like porta's format validation.
func validEmail(s string) bool { return emailRex.MatchString(s) }
