package apps

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
	"github.com/threescale-oss/operator/pkg/backup"
)

// runStatus is the part of the status APIManagerBackup and APIManagerRestore share, pointed into
// the object's status so that one set of functions writes both.
type runStatus struct {
	generation        int64
	conditions        *[]metav1.Condition
	observed          *int64
	completed         *(*bool)
	mainStepsDone     *(*bool)
	completionTime    *(*metav1.Time)
	currentStep       *string
	steps             []appsv1alpha1.StepStatus
	startedGeneration int64
	what              string // "backup" or "restore", for messages
}

func (s runStatus) set(typ string, status metav1.ConditionStatus, reason, message string) {
	meta.SetStatusCondition(s.conditions, metav1.Condition{Type: typ, Status: status, Reason: reason, Message: message, ObservedGeneration: s.generation})
}

// waiting says the work has not started, and why.
func (s runStatus) waiting(reason, message string) {
	*s.observed = s.generation
	s.set(appsv1alpha1.CompletedConditionType, metav1.ConditionFalse, reason, message)
	s.set(appsv1alpha1.ReadyConditionType, metav1.ConditionFalse, reason, message)
	s.set(appsv1alpha1.FailedConditionType, metav1.ConditionFalse, reason, message)
	s.set(appsv1alpha1.SpecChangeIgnoredConditionType, metav1.ConditionFalse, appsv1alpha1.SpecUnchangedReason, "the "+s.what+" has not started")
}

// progress writes the conditions and fields of phase; now is the completion time when it ends.
func (s runStatus) progress(phase backup.Phase, now metav1.Time) {
	*s.observed = s.generation
	*s.currentStep = backup.Current(s.steps)
	f := false
	switch phase {
	case backup.PhaseRunning:
		msg := fmt.Sprintf("the %s runs step %s", s.what, *s.currentStep)
		*s.completed, *s.mainStepsDone = &f, &f
		s.set(appsv1alpha1.CompletedConditionType, metav1.ConditionFalse, appsv1alpha1.InProgressReason, msg)
		s.set(appsv1alpha1.ReadyConditionType, metav1.ConditionFalse, appsv1alpha1.InProgressReason, msg)
		s.set(appsv1alpha1.FailedConditionType, metav1.ConditionFalse, appsv1alpha1.InProgressReason, msg)
	case backup.PhaseSucceeded:
		t := true
		msg := fmt.Sprintf("the %s finished: %d steps succeeded, %d skipped", s.what, len(backup.Succeeded(s.steps)), len(s.steps)-len(backup.Succeeded(s.steps)))
		*s.completed, *s.mainStepsDone = &t, &t
		if *s.completionTime == nil {
			*s.completionTime = &now
		}
		s.set(appsv1alpha1.CompletedConditionType, metav1.ConditionTrue, appsv1alpha1.SucceededReason, msg)
		s.set(appsv1alpha1.ReadyConditionType, metav1.ConditionTrue, appsv1alpha1.SucceededReason, msg)
		s.set(appsv1alpha1.FailedConditionType, metav1.ConditionFalse, appsv1alpha1.SucceededReason, msg)
	case backup.PhaseFailed:
		msg := fmt.Sprintf("the %s failed", s.what)
		for _, st := range s.steps {
			if st.State == appsv1alpha1.StepFailed {
				msg = fmt.Sprintf("step %s failed: %s", st.Name, st.Message)
			}
		}
		*s.completed, *s.mainStepsDone = &f, &f
		if *s.completionTime == nil {
			*s.completionTime = &now
		}
		s.set(appsv1alpha1.CompletedConditionType, metav1.ConditionFalse, appsv1alpha1.JobFailedReason, msg)
		s.set(appsv1alpha1.ReadyConditionType, metav1.ConditionFalse, appsv1alpha1.JobFailedReason, msg)
		s.set(appsv1alpha1.FailedConditionType, metav1.ConditionTrue, appsv1alpha1.JobFailedReason, msg)
	}
	s.specChange()
}

// specChange says whether the spec changed since the work started: it is then ignored.
func (s runStatus) specChange() {
	if s.startedGeneration != 0 && s.generation != s.startedGeneration {
		s.set(appsv1alpha1.SpecChangeIgnoredConditionType, metav1.ConditionTrue, appsv1alpha1.OneShotReason,
			fmt.Sprintf("the %s runs once, with the spec of generation %d: later edits change nothing; create a new object to run again", s.what, s.startedGeneration))
		return
	}
	s.set(appsv1alpha1.SpecChangeIgnoredConditionType, metav1.ConditionFalse, appsv1alpha1.SpecUnchangedReason,
		fmt.Sprintf("the %s runs with the current spec", s.what))
}

// finished reports whether the work ended (Completed or Failed): then nothing runs again.
func finished(conditions []metav1.Condition) bool {
	return meta.IsStatusConditionTrue(conditions, appsv1alpha1.CompletedConditionType) ||
		meta.IsStatusConditionTrue(conditions, appsv1alpha1.FailedConditionType)
}

// Event reasons of APIManagerBackup and APIManagerRestore.
const (
	reasonStepStarted = "StepStarted"
	reasonStepFailed  = "StepFailed"
	reasonFinished    = "Finished"
)

// runEvents emits the events of a pass: the step started, or the end (success or failure) when
// the pass ended the run. wasFinished is whether the run had ended before the pass.
func runEvents(rec events.EventRecorder, obj runtime.Object, st runStatus, started string, wasFinished bool) {
	if rec == nil {
		return
	}
	if started != "" {
		rec.Eventf(obj, nil, corev1.EventTypeNormal, reasonStepStarted, "Start", "step %s started", started)
	}
	if wasFinished || !finished(*st.conditions) {
		return
	}
	for _, s := range st.steps {
		if s.State == appsv1alpha1.StepFailed {
			rec.Eventf(obj, nil, corev1.EventTypeWarning, reasonStepFailed, "Fail", "step %s failed: %s", s.Name, s.Message)
			return
		}
	}
	rec.Eventf(obj, nil, corev1.EventTypeNormal, reasonFinished, "Finish", "the %s finished", st.what)
}
