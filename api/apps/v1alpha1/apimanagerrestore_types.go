package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// APIManagerRestoreSpec is the desired restore.
type APIManagerRestoreSpec struct {
	// restoreSource is where the backup is read from.
	// +required
	RestoreSource APIManagerRestoreSource `json:"restoreSource"`

	// overwrite lets the restore replace Secrets, ConfigMaps and the system-storage files that
	// already exist in the namespace. Without it, a restore that finds one of them fails and names
	// them.
	// +optional
	Overwrite *bool `json:"overwrite,omitempty"`
}

// APIManagerRestoreSource is where a backup is read from. Exactly one field must be set; a
// PersistentVolumeClaim written by an APIManagerBackup is the only source supported today.
// +kubebuilder:validation:XValidation:rule="has(self.persistentVolumeClaim)",message="restoreSource.persistentVolumeClaim is required: a PersistentVolumeClaim written by an APIManagerBackup is the only supported restore source",fieldPath=".persistentVolumeClaim"
type APIManagerRestoreSource struct {
	// persistentVolumeClaim reads the backup from a PersistentVolumeClaim.
	// +optional
	PersistentVolumeClaim *PersistentVolumeClaimRestoreSource `json:"persistentVolumeClaim,omitempty"`
}

// PersistentVolumeClaimRestoreSource names the PersistentVolumeClaim holding a backup.
type PersistentVolumeClaimRestoreSource struct {
	// claimSource names the claim, in the namespace of the APIManagerRestore: the
	// status.backupPersistentVolumeClaimName of the APIManagerBackup that wrote it.
	// +required
	ClaimSource corev1.PersistentVolumeClaimVolumeSource `json:"claimSource"`
}

// APIManagerRestoreStatus is the observed state of a restore.
type APIManagerRestoreStatus struct {
	// observedGeneration is the metadata.generation of the spec the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions describe the restore: Completed (and Ready, its alias) and Failed.
	// +optional
	// +listType=map
	// +listMapKey=type
	// +patchStrategy=merge
	// +patchMergeKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`

	// apiManagerToRestoreRef names the APIManager being restored.
	// +optional
	APIManagerToRestoreRef *corev1.LocalObjectReference `json:"apiManagerToRestoreRef,omitempty"`

	// completed is true when the restore has finished, cleanup included.
	// +optional
	Completed *bool `json:"completed,omitempty"`

	// mainStepsCompleted is true when the data has been restored; cleanup may still be running.
	// +optional
	MainStepsCompleted *bool `json:"mainStepsCompleted,omitempty"`

	// startTime is when the restore started (RFC 3339, UTC).
	// +optional
	StartTime *metav1.Time `json:"startTime,omitempty"`

	// completionTime is when the restore finished (RFC 3339, UTC).
	// +optional
	CompletionTime *metav1.Time `json:"completionTime,omitempty"`

	// startedGeneration is the metadata.generation of the spec the restore ran with. A restore runs
	// once: later spec edits change nothing (condition SpecChangeIgnored).
	// +optional
	StartedGeneration int64 `json:"startedGeneration,omitempty"`

	// currentStep is the step running now, the one that failed, or empty when the restore finished.
	// +optional
	CurrentStep string `json:"currentStep,omitempty"`

	// steps lists the restore's steps in the order they run, with their state.
	// +optional
	// +listType=map
	// +listMapKey=name
	Steps []StepStatus `json:"steps,omitempty"`
}

// APIManagerRestore restores, in a namespace without an APIManager, a platform backed up by an
// APIManagerBackup: its Secrets and ConfigMaps, the system file storage, the APIManager itself and
// then the internal databases the backup holds. External databases and their Secrets
// (system-database, system-redis, backend-redis) must be restored by the user first.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=apimanagerrestores,scope=Namespaced
// +kubebuilder:printcolumn:name="Completed",type=string,JSONPath=`.status.conditions[?(@.type=="Completed")].status`
// +kubebuilder:printcolumn:name="Failed",type=string,JSONPath=`.status.conditions[?(@.type=="Failed")].status`
// +kubebuilder:printcolumn:name="Step",type=string,JSONPath=`.status.currentStep`
// +kubebuilder:printcolumn:name="APIManager",type=string,JSONPath=`.status.apiManagerToRestoreRef.name`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type APIManagerRestore struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired restore.
	// +required
	Spec APIManagerRestoreSpec `json:"spec"`

	// status is the observed state of the restore, written by the operator.
	// +optional
	Status APIManagerRestoreStatus `json:"status,omitempty"`
}

// APIManagerRestoreList is a list of APIManagerRestore.
// +kubebuilder:object:root=true
type APIManagerRestoreList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []APIManagerRestore `json:"items"`
}

func init() {
	SchemeBuilder.Register(&APIManagerRestore{}, &APIManagerRestoreList{})
}
