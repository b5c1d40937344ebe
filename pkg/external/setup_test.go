package external

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/event"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
)

func TestUserAnnotationChanged(t *testing.T) {
	with := func(a map[string]string) *capabilitiesv1beta1.Backend {
		return &capabilitiesv1beta1.Backend{ObjectMeta: metav1.ObjectMeta{Annotations: a}}
	}
	cases := map[string]struct {
		reason   string
		old, new map[string]string
		want     bool
	}{
		"MarkSet":      {reason: "The loop's own mark does not wake the loop.", old: nil, new: map[string]string{CreatePendingAnnotation: "t"}, want: false},
		"MarkCleared":  {reason: "Nor does clearing it.", old: map[string]string{CreatePendingAnnotation: "t", "a": "b"}, new: map[string]string{"a": "b"}, want: false},
		"UserChanged":  {reason: "A user's annotation does.", old: map[string]string{DeletionPolicyAnnotation: DeletionPolicyDelete}, new: map[string]string{DeletionPolicyAnnotation: DeletionPolicyOrphan}, want: true},
		"UserAndMark":  {reason: "A user's change made with the mark there does.", old: map[string]string{CreatePendingAnnotation: "t"}, new: map[string]string{CreatePendingAnnotation: "t", PollIntervalAnnotation: "1m"}, want: true},
		"NothingAtAll": {reason: "No annotation change is no event.", want: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := userAnnotationChanged().Update(event.UpdateEvent{ObjectOld: with(tc.old), ObjectNew: with(tc.new)}); got != tc.want {
				t.Errorf("%s\nUpdate passes = %v, want %v", tc.reason, got, tc.want)
			}
		})
	}
}
