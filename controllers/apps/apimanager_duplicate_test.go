package apps

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

func apiManagerAt(name string, created int64) appsv1alpha1.APIManager {
	return appsv1alpha1.APIManager{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns",
		CreationTimestamp: metav1.NewTime(time.Unix(created, 0))}}
}

func TestNamespaceOwner(t *testing.T) {
	deleting := apiManagerAt("old", 100)
	deleting.DeletionTimestamp = &metav1.Time{Time: time.Unix(300, 0)}
	cases := map[string]struct {
		self appsv1alpha1.APIManager
		all  []appsv1alpha1.APIManager
		want string
	}{
		"alone":                      {self: apiManagerAt("a", 100), all: []appsv1alpha1.APIManager{apiManagerAt("a", 100)}, want: ""},
		"list without self":          {self: apiManagerAt("a", 100), all: nil, want: ""},
		"younger others":             {self: apiManagerAt("a", 100), all: []appsv1alpha1.APIManager{apiManagerAt("b", 200), apiManagerAt("a", 100), apiManagerAt("c", 101)}, want: ""},
		"an older one":               {self: apiManagerAt("a", 200), all: []appsv1alpha1.APIManager{apiManagerAt("a", 200), apiManagerAt("z", 100)}, want: "z"},
		"the oldest of several":      {self: apiManagerAt("a", 300), all: []appsv1alpha1.APIManager{apiManagerAt("y", 200), apiManagerAt("a", 300), apiManagerAt("z", 100), apiManagerAt("x", 250)}, want: "z"},
		"same second, name wins":     {self: apiManagerAt("b", 100), all: []appsv1alpha1.APIManager{apiManagerAt("b", 100), apiManagerAt("a", 100)}, want: "a"},
		"same second, self first":    {self: apiManagerAt("a", 100), all: []appsv1alpha1.APIManager{apiManagerAt("b", 100), apiManagerAt("a", 100)}, want: ""},
		"an older one being deleted": {self: apiManagerAt("new", 200), all: []appsv1alpha1.APIManager{deleting}, want: "old"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, namespaceOwner(&tc.self, tc.all)); diff != "" {
				t.Errorf("namespaceOwner (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNamespaceOwnerIsAntisymmetric(t *testing.T) {
	// Whatever the order of the list, exactly one of two APIManagers owns the namespace.
	pairs := [][2]appsv1alpha1.APIManager{
		{apiManagerAt("a", 100), apiManagerAt("b", 200)},
		{apiManagerAt("b", 100), apiManagerAt("a", 200)},
		{apiManagerAt("a", 100), apiManagerAt("b", 100)},
	}
	for _, p := range pairs {
		all := []appsv1alpha1.APIManager{p[1], p[0]}
		owners := 0
		for i := range p {
			if namespaceOwner(&p[i], all) == "" {
				owners++
			}
		}
		if owners != 1 {
			t.Errorf("%s and %s: %d owners, want 1", p[0].Name, p[1].Name, owners)
		}
	}
}

func TestDuplicateStatus(t *testing.T) {
	earlier := metav1.NewTime(time.Unix(1000, 0))
	now := metav1.NewTime(time.Unix(2000, 0))
	current := appsv1alpha1.APIManagerStatus{
		ObservedGeneration: 1,
		Conditions: []metav1.Condition{
			{Type: appsv1alpha1.APIManagerWarningConditionType, Status: metav1.ConditionFalse, Reason: reasonNoWarning, LastTransitionTime: earlier},
			{Type: appsv1alpha1.APIManagerAvailableConditionType, Status: metav1.ConditionFalse, Reason: "Other", LastTransitionTime: earlier},
		},
	}
	got := duplicateStatus(current, "first", 2, now)

	msg := meta.FindStatusCondition(got.Conditions, appsv1alpha1.APIManagerAvailableConditionType).Message
	for _, part := range []string{"APIManager first", "delete one of them"} {
		if !strings.Contains(msg, part) {
			t.Errorf("message %q lacks %q", msg, part)
		}
	}
	want := appsv1alpha1.APIManagerStatus{
		ObservedGeneration: 1, // nothing was done for generation 2
		Conditions: []metav1.Condition{
			current.Conditions[0],
			// The status did not change: the transition time stays.
			{Type: appsv1alpha1.APIManagerAvailableConditionType, Status: metav1.ConditionFalse, Reason: reasonDuplicateAPIManager,
				Message: msg, ObservedGeneration: 2, LastTransitionTime: earlier},
			{Type: appsv1alpha1.APIManagerReadyConditionType, Status: metav1.ConditionFalse, Reason: reasonDuplicateAPIManager,
				Message: msg, ObservedGeneration: 2, LastTransitionTime: now},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("duplicateStatus (-want +got):\n%s", diff)
	}
	if current.Conditions[1].Reason != "Other" {
		t.Error("duplicateStatus modified its argument")
	}
	// Reconciling again changes nothing, so the status is not written again.
	if diff := cmp.Diff(got, duplicateStatus(got, "first", 2, metav1.NewTime(time.Unix(3000, 0)))); diff != "" {
		t.Errorf("second pass (-first +second):\n%s", diff)
	}
}
