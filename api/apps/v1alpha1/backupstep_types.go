package v1alpha1

// StepState is the state of one step of a backup or restore.
// +kubebuilder:validation:Enum=Pending;Running;Succeeded;Failed;Skipped
type StepState string

// States of a backup or restore step.
const (
	// StepPending: the step has not started; it waits for the steps before it.
	StepPending StepState = "Pending"
	// StepRunning: the step's Job (or wait) is under way.
	StepRunning StepState = "Running"
	// StepSucceeded: the step finished successfully.
	StepSucceeded StepState = "Succeeded"
	// StepFailed: the step failed; the backup or restore stopped there.
	StepFailed StepState = "Failed"
	// StepSkipped: the step does not apply to this platform; the message says why.
	StepSkipped StepState = "Skipped"
)

// StepStatus is the progress of one step of a backup or restore.
type StepStatus struct {
	// name identifies the step, for example secrets-configmaps, system-storage or system-mysql.
	// +required
	Name string `json:"name"`

	// state is Pending, Running, Succeeded, Failed or Skipped.
	// +required
	State StepState `json:"state"`

	// job is the name of the Job that does the step's work, when it has one.
	// +optional
	Job string `json:"job,omitempty"`

	// message says what the step does, why it was skipped, or why it failed.
	// +optional
	Message string `json:"message,omitempty"`
}

// More condition types and reasons of APIManagerBackup and APIManagerRestore.
const (
	// SpecChangeIgnoredConditionType is True when the spec was edited after the backup or restore
	// started: both run once with the spec they started with.
	SpecChangeIgnoredConditionType = "SpecChangeIgnored"

	// OneShotReason explains SpecChangeIgnored.
	OneShotReason = "OneShot"
	// SpecUnchangedReason means the spec is the one the backup or restore started with.
	SpecUnchangedReason = "SpecUnchanged"
	// ClaimConflictReason means the backup PersistentVolumeClaim exists and was not created for
	// this backup.
	ClaimConflictReason = "ClaimConflict"
	// ClaimNotFoundReason means the restore source claim does not exist (yet).
	ClaimNotFoundReason = "ClaimNotFound"
	// NotStartedReason means the work has not started; the message says what it waits for.
	NotStartedReason = "NotStarted"
)
