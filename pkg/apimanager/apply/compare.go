package apply

import (
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// UpToDate reports whether the live object already holds what applying desired would write, so the
// write can be skipped. desired must come from Prepare (it carries AppliedHashAnnotation).
//
// Two checks are needed, because each misses what the other catches:
//   - the applied hash on live must equal desired's: it changes whenever the desired object does,
//     including when a field is REMOVED from it (a pod label dropped from the spec), which no
//     comparison of desired against live can see;
//   - desired must be contained in live (Contains): that catches drift, someone editing or
//     removing a field the operator sets, which leaves the hash annotation untouched.
//
// Metadata is compared on what the operator sets: labels and annotations as subsets, and each
// desired owner reference present in live. resourceVersion, uid, managedFields and the rest are
// the server's.
func UpToDate(desired, live *unstructured.Unstructured) bool {
	if desired == nil || live == nil {
		return false
	}
	want := desired.GetAnnotations()[AppliedHashAnnotation]
	if want == "" || live.GetAnnotations()[AppliedHashAnnotation] != want {
		return false
	}
	if !mapContains(desired.GetLabels(), live.GetLabels()) ||
		!mapContains(desired.GetAnnotations(), live.GetAnnotations()) {
		return false
	}
	for _, d := range desired.GetOwnerReferences() {
		found := false
		for _, l := range live.GetOwnerReferences() {
			if l.UID == d.UID && l.APIVersion == d.APIVersion && l.Kind == d.Kind && l.Name == d.Name &&
				boolValue(l.Controller) == boolValue(d.Controller) &&
				boolValue(l.BlockOwnerDeletion) == boolValue(d.BlockOwnerDeletion) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return Contains(withoutMetadata(desired.Object), withoutMetadata(live.Object))
}

func boolValue(b *bool) bool { return b != nil && *b }

func mapContains(desired, live map[string]string) bool {
	for k, v := range desired {
		if lv, ok := live[k]; !ok || lv != v {
			return false
		}
	}
	return true
}

// withoutMetadata returns a shallow copy of obj without its metadata, which UpToDate compares on
// its own terms.
func withoutMetadata(obj map[string]any) map[string]any {
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		if k != "metadata" {
			out[k] = v
		}
	}
	return out
}

// Contains reports whether live holds every field of desired with an equal value; both are
// JSON-like values (what runtime.DefaultUnstructuredConverter produces). The rules:
//   - maps: every key of desired is in live with a contained value; live may have more keys
//     (defaults the API server filled in, fields other actors own);
//   - lists: element by element, in order; live may have extra trailing elements (an actor that
//     appends, such as OpenShift adding its registry pull Secret to a ServiceAccount), never fewer;
//   - nil, an empty map and an empty list in desired match an absent value: the converter emits
//     them for unset fields that the server then drops;
//   - quantities (resource requests and limits, storage sizes, HPA targets) compare by value, so
//     "1000m" equals "1" and "1Gi" equals "1024Mi";
//   - numbers compare by value whatever their Go type, so int64 3 equals float64 3.
func Contains(desired, live any) bool {
	return contains(desired, live, "", "")
}

func contains(desired, live any, parent, key string) bool {
	switch d := desired.(type) {
	case nil:
		return true
	case map[string]any:
		l, ok := live.(map[string]any)
		if !ok && live != nil {
			return false
		}
		for k, v := range d {
			if !contains(v, l[k], key, k) {
				return false
			}
		}
		return true
	case []any:
		l, ok := live.([]any)
		if !ok {
			return live == nil && len(d) == 0
		}
		if len(l) < len(d) {
			return false
		}
		for i := range d {
			// Elements of a list are named after the list for the quantity rule.
			if !contains(d[i], l[i], parent, key) {
				return false
			}
		}
		return true
	case string:
		l, ok := live.(string)
		if !ok {
			return false
		}
		if d == l {
			return true
		}
		return isQuantityField(parent, key) && quantitiesEqual(d, l)
	case bool:
		l, ok := live.(bool)
		return ok && l == d
	default:
		dn, dok := number(desired)
		ln, lok := number(live)
		if dok && lok {
			return dn == ln
		}
		return desired == live
	}
}

// number returns v as a float64 when it is one of the numeric types unstructured content holds.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	case int:
		return float64(n), true
	case float64:
		return n, true
	case float32:
		return float64(n), true
	}
	return 0, false
}

// quantityParents are the maps whose values are all resource.Quantity: ResourceLists of
// containers, PVCs, quotas and pod overhead.
var quantityParents = map[string]bool{
	"requests": true, "limits": true, "capacity": true, "hard": true, "allocatable": true, "overhead": true,
}

// isQuantityField reports whether the string at key (in the map named parent) is a
// resource.Quantity. Only those compare by value: an environment variable "1k" is not "1000".
func isQuantityField(parent, key string) bool {
	switch {
	case quantityParents[parent]:
		return true
	case key == "sizeLimit" || key == "averageValue":
		return true
	case key == "value" && parent == "target": // autoscaling/v2 MetricTarget.value
		return true
	}
	return false
}

func quantitiesEqual(a, b string) bool {
	qa, err := resource.ParseQuantity(a)
	if err != nil {
		return false
	}
	qb, err := resource.ParseQuantity(b)
	if err != nil {
		return false
	}
	return qa.Cmp(qb) == 0
}
