package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Condition types of APIManagerBackup and APIManagerRestore. Both run once: they end either
// Completed or Failed.
const (
	// CompletedConditionType is True when the backup or restore has finished successfully.
	CompletedConditionType = "Completed"
	// FailedConditionType is True when the backup or restore stopped on an error it cannot
	// recover from; the message says what failed.
	FailedConditionType = "Failed"
	// ReadyConditionType mirrors Completed under the name generic tools (kstatus, Argo CD,
	// `kubectl wait --for=condition=Ready`) look for.
	ReadyConditionType = "Ready"
)

// Condition reasons of APIManagerBackup and APIManagerRestore.
const (
	// InProgressReason means the backup or restore is running; the message names the current step.
	InProgressReason = "InProgress"
	// SucceededReason means the backup or restore finished successfully.
	SucceededReason = "Succeeded"
	// JobFailedReason means one of the Jobs doing the work failed; the message names it.
	JobFailedReason = "JobFailed"
	// APIManagerNotFoundReason means the APIManager to back up could not be determined: there is
	// none, or several and apiManagerName is not set.
	APIManagerNotFoundReason = "APIManagerNotFound"
	// APIManagerAlreadyExistsReason means a restore was asked in a namespace that already has an
	// APIManager.
	APIManagerAlreadyExistsReason = "APIManagerAlreadyExists"
)

// APIManagerBackupSpec is the desired backup.
type APIManagerBackupSpec struct {
	// apiManagerName is the name of the APIManager to back up, in the same namespace. When unset,
	// the only APIManager of the namespace is backed up; the backup fails if there is none or
	// more than one.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	APIManagerName *string `json:"apiManagerName,omitempty"`

	// backupDestination is where the backup is written.
	// +required
	BackupDestination APIManagerBackupDestination `json:"backupDestination"`
}

// APIManagerBackupDestination is where a backup is written. Exactly one field must be set; a
// PersistentVolumeClaim is the only destination supported today.
// +kubebuilder:validation:XValidation:rule="has(self.persistentVolumeClaim)",message="backupDestination.persistentVolumeClaim is required: a PersistentVolumeClaim is the only supported backup destination",fieldPath=".persistentVolumeClaim"
type APIManagerBackupDestination struct {
	// persistentVolumeClaim writes the backup to a new PersistentVolumeClaim named after the
	// APIManagerBackup.
	// +optional
	PersistentVolumeClaim *PersistentVolumeClaimBackupDestination `json:"persistentVolumeClaim,omitempty"`
}

// PersistentVolumeClaimBackupDestination configures the PersistentVolumeClaim a backup is written
// to. Either give its size (resources, and optionally storageClass) or bind it to an existing
// PersistentVolume (volumeName).
// +kubebuilder:validation:XValidation:rule="has(self.resources) || has(self.volumeName)",message="persistentVolumeClaim: set resources.requests (the size of the backup volume) or volumeName (an existing PersistentVolume)",fieldPath=".resources"
type PersistentVolumeClaimBackupDestination struct {
	// resources is the size of the claim. It must hold the Secrets, ConfigMaps, the APIManager and
	// the system file storage. Ignored by Kubernetes when volumeName is set.
	// +optional
	Resources *PersistentVolumeClaimResources `json:"resources,omitempty"`

	// volumeName binds the claim to this existing PersistentVolume (a PersistentVolume name, not a
	// claim name).
	// +optional
	// +kubebuilder:validation:MinLength=1
	VolumeName *string `json:"volumeName,omitempty"`

	// storageClass is the StorageClass of the claim. Defaults to the cluster's default
	// StorageClass. Ignored when volumeName is set.
	// +optional
	StorageClass *string `json:"storageClass,omitempty"`
}

// APIManagerBackupStatus is the observed state of a backup.
type APIManagerBackupStatus struct {
	// observedGeneration is the metadata.generation of the spec the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions describe the backup: Completed (and Ready, its alias) and Failed.
	// +optional
	// +listType=map
	// +listMapKey=type
	// +patchStrategy=merge
	// +patchMergeKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`

	// completed is true when the backup has finished, cleanup included.
	// +optional
	Completed *bool `json:"completed,omitempty"`

	// mainStepsCompleted is true when the data has been copied; cleanup may still be running.
	// +optional
	MainStepsCompleted *bool `json:"mainStepsCompleted,omitempty"`

	// apiManagerSourceName is the name of the APIManager that was backed up.
	// +optional
	APIManagerSourceName *string `json:"apiManagerSourceName,omitempty"`

	// startTime is when the backup started (RFC 3339, UTC).
	// +optional
	StartTime *metav1.Time `json:"startTime,omitempty"`

	// completionTime is when the backup finished (RFC 3339, UTC).
	// +optional
	CompletionTime *metav1.Time `json:"completionTime,omitempty"`

	// backupPersistentVolumeClaimName is the name of the PersistentVolumeClaim holding the backup;
	// give it to an APIManagerRestore as restoreSource.persistentVolumeClaim.claimSource.claimName.
	// +optional
	BackupPersistentVolumeClaimName *string `json:"backupPersistentVolumeClaimName,omitempty"`

	// startedGeneration is the metadata.generation of the spec the backup ran with. A backup runs
	// once: later spec edits change nothing (condition SpecChangeIgnored).
	// +optional
	StartedGeneration int64 `json:"startedGeneration,omitempty"`

	// currentStep is the step running now, the one that failed, or empty when the backup finished.
	// +optional
	CurrentStep string `json:"currentStep,omitempty"`

	// steps lists the backup's steps in the order they run, with their state.
	// +optional
	// +listType=map
	// +listMapKey=name
	Steps []StepStatus `json:"steps,omitempty"`
}

// APIManagerBackup backs up the APIManager of its namespace to a PersistentVolumeClaim: the
// APIManager itself, its Secrets and ConfigMaps, the system file storage when it is a volume, and
// the databases the APIManager runs itself (system MySQL or PostgreSQL, system and backend Redis,
// zync PostgreSQL). External databases must be backed up by their owner.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=apimanagerbackups,scope=Namespaced
// +kubebuilder:printcolumn:name="Completed",type=string,JSONPath=`.status.conditions[?(@.type=="Completed")].status`
// +kubebuilder:printcolumn:name="Failed",type=string,JSONPath=`.status.conditions[?(@.type=="Failed")].status`
// +kubebuilder:printcolumn:name="Step",type=string,JSONPath=`.status.currentStep`
// +kubebuilder:printcolumn:name="PVC",type=string,JSONPath=`.status.backupPersistentVolumeClaimName`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type APIManagerBackup struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired backup.
	// +required
	Spec APIManagerBackupSpec `json:"spec"`

	// status is the observed state of the backup, written by the operator.
	// +optional
	Status APIManagerBackupStatus `json:"status,omitempty"`
}

// APIManagerBackupList is a list of APIManagerBackup.
// +kubebuilder:object:root=true
type APIManagerBackupList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []APIManagerBackup `json:"items"`
}

func init() {
	SchemeBuilder.Register(&APIManagerBackup{}, &APIManagerBackupList{})
}
