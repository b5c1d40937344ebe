package v1alpha1

// PersistentVolumeClaimName is the name of the PersistentVolumeClaim a backup is written to: the
// name of the APIManagerBackup, as with the 3scale operator Red Hat ships, so existing restore
// manifests that name the claim keep working.
func (b *APIManagerBackup) PersistentVolumeClaimName() string {
	return b.Name
}
