package external

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Condition types the loop sets. They are those of the 3scale operator that Red Hat ships
// (scripts run `kubectl wait --for=condition=Synced`), plus Ready for generic tools.
const (
	// TypeSynced is True when 3scale matches the spec of the observed generation.
	TypeSynced = "Synced"
	// TypeReady mirrors TypeSynced, for tools (Argo CD, kstatus) that only look at Ready.
	TypeReady = "Ready"
	// TypeInvalid is True when the spec cannot be applied as written.
	TypeInvalid = "Invalid"
	// TypeFailed is True when the last attempt failed for a reason that may pass or that needs
	// new credentials.
	TypeFailed = "Failed"
	// TypeOrphan is True when the object waits for something it references. Only kinds whose
	// ConditionSet names it carry it.
	TypeOrphan = "Orphan"
	// TypeWaiting is True when the object waits for something else to happen first; the
	// condition type of the kinds whose ConditionSet names it.
	TypeWaiting = "Waiting"
)

// A ConditionSet is the condition types a kind carries, besides Ready, Invalid and Failed, which
// every kind has. They are those of the 3scale operator that Red Hat ships, so that existing
// scripts keep waiting on them.
type ConditionSet struct {
	// Synced says the kind carries Synced (Product, Backend), which Ready mirrors.
	Synced bool
	// Waiting is the type that is True while the object waits for something (TypeOrphan,
	// TypeWaiting), or empty when the kind has none.
	Waiting string
}

// Condition reasons the loop sets. Kinds add their own reasons to WaitingError.
const (
	// ReasonSynced says 3scale matches the spec.
	ReasonSynced = "Synced"
	// ReasonInvalidSpec says the spec cannot be applied as written.
	ReasonInvalidSpec = "InvalidSpec"
	// ReasonSyncError says talking to 3scale failed.
	ReasonSyncError = "SyncError"
	// ReasonUnauthorized says 3scale refused the credentials, or the tenant Secret is unusable.
	ReasonUnauthorized = "Unauthorized"
	// ReasonWaiting says the object waits for something else to happen first.
	ReasonWaiting = "Waiting"
	// ReasonConflict says another object already manages the entity.
	ReasonConflict = "Conflict"
	// ReasonProviderAccountNotFound says the tenant Secret (or any tenant) does not exist yet.
	ReasonProviderAccountNotFound = "ProviderAccountNotFound"
	// ReasonValidSpec is the reason of Invalid=False.
	ReasonValidSpec = "ValidSpec"
	// ReasonNoError is the reason of Failed=False.
	ReasonNoError = "NoError"
	// ReasonReferencesResolved is the reason of Orphan=False.
	ReasonReferencesResolved = "ReferencesResolved"
)

// maxMessage bounds condition messages well below the API's limit (32768): 3scale's field errors
// can be long, and a status is read by humans.
const maxMessage = 4096

// syncedMessage is the message of Synced=True.
const syncedMessage = "3scale matches the spec"

// An outcome is what one reconcile concluded: the facts the conditions are computed from.
type outcome struct {
	// class is the Class of the error; ignored when synced.
	class Class
	// synced is true when 3scale matches the spec.
	synced bool
	// outOfSync is true when an observed object differs from 3scale (message says how).
	outOfSync bool
	// reason and message describe the error.
	reason, message string
}

// setConditions sets every condition of the kind from o, each with generation as its
// observedGeneration. Every type is set on every visit (False when it does not apply), so that
// `kubectl wait` and humans see the whole picture; LastTransitionTime changes only with Status.
func setConditions(conds *[]metav1.Condition, generation int64, o outcome, cs ConditionSet) {
	set := func(t string, s metav1.ConditionStatus, reason, msg string) {
		if len(msg) > maxMessage {
			msg = msg[:maxMessage] + "..."
		}
		meta.SetStatusCondition(conds, metav1.Condition{Type: t, Status: s, Reason: reason, Message: msg, ObservedGeneration: generation})
	}
	invalid, failed, waiting := metav1.ConditionFalse, metav1.ConditionFalse, metav1.ConditionFalse
	reason, msg := o.reason, o.message
	switch {
	case o.synced:
		reason, msg = ReasonSynced, syncedMessage
	case o.outOfSync:
		reason = ReasonOutOfSync
	case o.class == Invalid, o.class == Rejected:
		invalid = metav1.ConditionTrue
	case o.class == Waiting:
		waiting = metav1.ConditionTrue
	default:
		failed = metav1.ConditionTrue
	}
	status := metav1.ConditionFalse
	if o.synced {
		status = metav1.ConditionTrue
	}
	if cs.Synced {
		set(TypeSynced, status, reason, msg)
	} else {
		meta.RemoveStatusCondition(conds, TypeSynced)
	}
	set(TypeReady, status, reason, msg)
	if invalid == metav1.ConditionTrue {
		set(TypeInvalid, invalid, reason, msg)
	} else {
		set(TypeInvalid, invalid, ReasonValidSpec, "")
	}
	if failed == metav1.ConditionTrue {
		set(TypeFailed, failed, reason, msg)
	} else {
		set(TypeFailed, failed, ReasonNoError, "")
	}
	for _, t := range []string{TypeOrphan, TypeWaiting} {
		switch {
		case t != cs.Waiting:
			meta.RemoveStatusCondition(conds, t)
		case waiting == metav1.ConditionTrue:
			set(t, waiting, reason, msg)
		default:
			set(t, waiting, ReasonReferencesResolved, "")
		}
	}
}
