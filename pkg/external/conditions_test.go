package external

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// cond is a condition without its transition time, for comparison.
func cond(t string, s metav1.ConditionStatus, reason, msg string) metav1.Condition {
	return metav1.Condition{Type: t, Status: s, Reason: reason, Message: msg, ObservedGeneration: 3}
}

func TestSetConditions(t *testing.T) {
	const (
		yes = metav1.ConditionTrue
		no  = metav1.ConditionFalse
	)
	cases := map[string]struct {
		reason string
		o      outcome
		orphan bool
		want   []metav1.Condition
	}{
		"Synced": {
			reason: "In sync: Synced and Ready are True, the others False.",
			o:      outcome{synced: true},
			orphan: true,
			want: []metav1.Condition{
				cond(TypeSynced, yes, ReasonSynced, syncedMessage),
				cond(TypeReady, yes, ReasonSynced, syncedMessage),
				cond(TypeInvalid, no, ReasonValidSpec, ""),
				cond(TypeFailed, no, ReasonNoError, ""),
				cond(TypeOrphan, no, ReasonReferencesResolved, ""),
			},
		},
		"Invalid": {
			reason: "An invalid spec: Invalid True with the message, Synced False with the same.",
			o:      outcome{class: Invalid, reason: ReasonInvalidSpec, message: "bad"},
			want: []metav1.Condition{
				cond(TypeSynced, no, ReasonInvalidSpec, "bad"),
				cond(TypeReady, no, ReasonInvalidSpec, "bad"),
				cond(TypeInvalid, yes, ReasonInvalidSpec, "bad"),
				cond(TypeFailed, no, ReasonNoError, ""),
			},
		},
		"WaitingWithOrphan": {
			reason: "A kind with Orphan reports waits there.",
			o:      outcome{class: Waiting, reason: "BackendNotFound", message: "backend b not found"},
			orphan: true,
			want: []metav1.Condition{
				cond(TypeSynced, no, "BackendNotFound", "backend b not found"),
				cond(TypeReady, no, "BackendNotFound", "backend b not found"),
				cond(TypeInvalid, no, ReasonValidSpec, ""),
				cond(TypeFailed, no, ReasonNoError, ""),
				cond(TypeOrphan, yes, "BackendNotFound", "backend b not found"),
			},
		},
		"WaitingWithoutOrphan": {
			reason: "A kind without Orphan reports waits in Synced only, and is not Failed.",
			o:      outcome{class: Waiting, reason: ReasonWaiting, message: "in use"},
			want: []metav1.Condition{
				cond(TypeSynced, no, ReasonWaiting, "in use"),
				cond(TypeReady, no, ReasonWaiting, "in use"),
				cond(TypeInvalid, no, ReasonValidSpec, ""),
				cond(TypeFailed, no, ReasonNoError, ""),
			},
		},
		"Failed": {
			reason: "Refused credentials and transient errors are Failed.",
			o:      outcome{class: Unauthorized, reason: ReasonUnauthorized, message: "refused"},
			want: []metav1.Condition{
				cond(TypeSynced, no, ReasonUnauthorized, "refused"),
				cond(TypeReady, no, ReasonUnauthorized, "refused"),
				cond(TypeInvalid, no, ReasonValidSpec, ""),
				cond(TypeFailed, yes, ReasonUnauthorized, "refused"),
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			// A stale Orphan condition must go when the kind has none.
			conds := []metav1.Condition{{Type: TypeOrphan, Status: yes, Reason: "Old"}}
			setConditions(&conds, 3, tc.o, tc.orphan)
			if diff := cmp.Diff(tc.want, conds, cmpopts.IgnoreFields(metav1.Condition{}, "LastTransitionTime"),
				cmpopts.SortSlices(func(a, b metav1.Condition) bool { return a.Type < b.Type })); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestSetConditionsKeepsTransitionTime(t *testing.T) {
	old := metav1.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	conds := []metav1.Condition{{Type: TypeSynced, Status: metav1.ConditionTrue, Reason: ReasonSynced, LastTransitionTime: old}}
	setConditions(&conds, 4, outcome{synced: true}, false)
	for _, c := range conds {
		if c.Type == TypeSynced && !c.LastTransitionTime.Equal(&old) {
			t.Errorf("Synced stayed True but its LastTransitionTime moved to %v", c.LastTransitionTime)
		}
		if c.Type == TypeSynced && c.ObservedGeneration != 4 {
			t.Errorf("Synced observedGeneration = %d, want 4", c.ObservedGeneration)
		}
	}
}

func TestSetConditionsBoundsMessages(t *testing.T) {
	long := make([]byte, maxMessage*2)
	for i := range long {
		long[i] = 'x'
	}
	var conds []metav1.Condition
	setConditions(&conds, 1, outcome{class: Transient, reason: ReasonSyncError, message: string(long)}, false)
	for _, c := range conds {
		if len(c.Message) > maxMessage+3 {
			t.Errorf("%s message is %d bytes, want at most %d", c.Type, len(c.Message), maxMessage+3)
		}
	}
}
