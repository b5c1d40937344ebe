package v1alpha1

// ClaimName is the name of the PersistentVolumeClaim a restore reads from, or "" when the source
// is not a PersistentVolumeClaim.
func (r *APIManagerRestore) ClaimName() string {
	if r.Spec.RestoreSource.PersistentVolumeClaim == nil {
		return ""
	}
	return r.Spec.RestoreSource.PersistentVolumeClaim.ClaimSource.ClaimName
}
