package external

import (
	"strings"
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

// ignoreTransitions compares conditions regardless of their order and transition times.
var ignoreTransitions = cmp.Options{
	cmpopts.IgnoreFields(metav1.Condition{}, "LastTransitionTime"),
	cmpopts.SortSlices(func(a, b metav1.Condition) bool { return a.Type < b.Type }),
}

func TestSetConditions(t *testing.T) {
	const (
		yes = metav1.ConditionTrue
		no  = metav1.ConditionFalse
	)
	var (
		backendSet = ConditionSet{Synced: true}
		orphanSet  = ConditionSet{Synced: true, Waiting: TypeOrphan}
		waitingSet = ConditionSet{Waiting: TypeWaiting}
	)
	cases := map[string]struct {
		reason string
		o      outcome
		cs     ConditionSet
		want   []metav1.Condition
	}{
		"Synced": {
			reason: "In sync: Synced and Ready are True, the others False, Orphan included when the kind has it.",
			o:      outcome{synced: true},
			cs:     orphanSet,
			want: []metav1.Condition{
				cond(TypeSynced, yes, ReasonSynced, syncedMessage),
				cond(TypeReady, yes, ReasonSynced, syncedMessage),
				cond(TypeInvalid, no, ReasonValidSpec, ""),
				cond(TypeFailed, no, ReasonNoError, ""),
				cond(TypeOrphan, no, ReasonReferencesResolved, ""),
			},
		},
		"SyncedWithoutSyncedType": {
			reason: "A kind without Synced gets Ready alone, and its Waiting type False.",
			o:      outcome{synced: true},
			cs:     waitingSet,
			want: []metav1.Condition{
				cond(TypeReady, yes, ReasonSynced, syncedMessage),
				cond(TypeInvalid, no, ReasonValidSpec, ""),
				cond(TypeFailed, no, ReasonNoError, ""),
				cond(TypeWaiting, no, ReasonReferencesResolved, ""),
			},
		},
		"Invalid": {
			reason: "An invalid spec: Invalid True with the message, Synced and Ready False with the same.",
			o:      outcome{class: Invalid, reason: ReasonInvalidSpec, message: "bad"},
			cs:     backendSet,
			want: []metav1.Condition{
				cond(TypeSynced, no, ReasonInvalidSpec, "bad"),
				cond(TypeReady, no, ReasonInvalidSpec, "bad"),
				cond(TypeInvalid, yes, ReasonInvalidSpec, "bad"),
				cond(TypeFailed, no, ReasonNoError, ""),
			},
		},
		"Rejected": {
			reason: "A spec 3scale refused (422) is Invalid too, with 3scale's message, and not Failed.",
			o:      outcome{class: Rejected, reason: ReasonInvalidSpec, message: "System name has already been taken"},
			cs:     backendSet,
			want: []metav1.Condition{
				cond(TypeSynced, no, ReasonInvalidSpec, "System name has already been taken"),
				cond(TypeReady, no, ReasonInvalidSpec, "System name has already been taken"),
				cond(TypeInvalid, yes, ReasonInvalidSpec, "System name has already been taken"),
				cond(TypeFailed, no, ReasonNoError, ""),
			},
		},
		"WaitingWithOrphan": {
			reason: "A kind with Orphan reports waits there.",
			o:      outcome{class: Waiting, reason: "BackendNotFound", message: "backend b not found"},
			cs:     orphanSet,
			want: []metav1.Condition{
				cond(TypeSynced, no, "BackendNotFound", "backend b not found"),
				cond(TypeReady, no, "BackendNotFound", "backend b not found"),
				cond(TypeInvalid, no, ReasonValidSpec, ""),
				cond(TypeFailed, no, ReasonNoError, ""),
				cond(TypeOrphan, yes, "BackendNotFound", "backend b not found"),
			},
		},
		"WaitingWithWaitingType": {
			reason: "A kind whose set names Waiting reports waits there, and has no Synced.",
			o:      outcome{class: Waiting, reason: "AccountNotFound", message: "account a not found"},
			cs:     waitingSet,
			want: []metav1.Condition{
				cond(TypeReady, no, "AccountNotFound", "account a not found"),
				cond(TypeInvalid, no, ReasonValidSpec, ""),
				cond(TypeFailed, no, ReasonNoError, ""),
				cond(TypeWaiting, yes, "AccountNotFound", "account a not found"),
			},
		},
		"WaitingWithoutWaitingType": {
			reason: "A kind without a waiting type reports waits in Synced and Ready only, and is not Failed.",
			o:      outcome{class: Waiting, reason: ReasonWaiting, message: "in use"},
			cs:     backendSet,
			want: []metav1.Condition{
				cond(TypeSynced, no, ReasonWaiting, "in use"),
				cond(TypeReady, no, ReasonWaiting, "in use"),
				cond(TypeInvalid, no, ReasonValidSpec, ""),
				cond(TypeFailed, no, ReasonNoError, ""),
			},
		},
		"Unauthorized": {
			reason: "Refused credentials are Failed.",
			o:      outcome{class: Unauthorized, reason: ReasonUnauthorized, message: "refused"},
			cs:     backendSet,
			want: []metav1.Condition{
				cond(TypeSynced, no, ReasonUnauthorized, "refused"),
				cond(TypeReady, no, ReasonUnauthorized, "refused"),
				cond(TypeInvalid, no, ReasonValidSpec, ""),
				cond(TypeFailed, yes, ReasonUnauthorized, "refused"),
			},
		},
		"Conflict": {
			reason: "An entity another object manages is Failed with reason Conflict.",
			o:      outcome{class: Conflict, reason: ReasonConflict, message: "managed by Backend ns2/other"},
			cs:     backendSet,
			want: []metav1.Condition{
				cond(TypeSynced, no, ReasonConflict, "managed by Backend ns2/other"),
				cond(TypeReady, no, ReasonConflict, "managed by Backend ns2/other"),
				cond(TypeInvalid, no, ReasonValidSpec, ""),
				cond(TypeFailed, yes, ReasonConflict, "managed by Backend ns2/other"),
			},
		},
		"Transient": {
			reason: "A transient error that lasted is Failed.",
			o:      outcome{class: Transient, reason: ReasonSyncError, message: "503"},
			cs:     backendSet,
			want: []metav1.Condition{
				cond(TypeSynced, no, ReasonSyncError, "503"),
				cond(TypeReady, no, ReasonSyncError, "503"),
				cond(TypeInvalid, no, ReasonValidSpec, ""),
				cond(TypeFailed, yes, ReasonSyncError, "503"),
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			// Conditions of types the kind does not carry (left by an earlier version, or another
			// operator) must go.
			conds := []metav1.Condition{
				{Type: TypeSynced, Status: metav1.ConditionTrue, Reason: "Old"},
				{Type: TypeOrphan, Status: metav1.ConditionTrue, Reason: "Old"},
				{Type: TypeWaiting, Status: metav1.ConditionTrue, Reason: "Old"},
			}
			setConditions(&conds, 3, tc.o, tc.cs)
			if diff := cmp.Diff(tc.want, conds, ignoreTransitions); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestSetConditionsKeepsTransitionTime(t *testing.T) {
	old := metav1.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	conds := []metav1.Condition{{Type: TypeSynced, Status: metav1.ConditionTrue, Reason: ReasonSynced, LastTransitionTime: old}}
	setConditions(&conds, 4, outcome{synced: true}, ConditionSet{Synced: true})
	for _, c := range conds {
		if c.Type == TypeSynced && !c.LastTransitionTime.Equal(&old) {
			t.Errorf("Synced stayed True but its LastTransitionTime moved to %v", c.LastTransitionTime)
		}
		if c.ObservedGeneration != 4 {
			t.Errorf("%s observedGeneration = %d, want 4", c.Type, c.ObservedGeneration)
		}
	}
}

func TestSetConditionsBoundsMessages(t *testing.T) {
	long := strings.Repeat("x", maxMessage*2)
	var conds []metav1.Condition
	setConditions(&conds, 1, outcome{class: Transient, reason: ReasonSyncError, message: long}, ConditionSet{Synced: true})
	for _, c := range conds {
		if len(c.Message) > maxMessage+3 {
			t.Errorf("%s message is %d bytes, want at most %d", c.Type, len(c.Message), maxMessage+3)
		}
	}
}
