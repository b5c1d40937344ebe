package backup

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"path"

	"github.com/threescale-oss/operator/pkg/apimanager/render"
)

// Paths in the backup volume and in the Jobs' containers.
const (
	// MountPath is where the Jobs mount the backup claim.
	MountPath = "/backup"
	// SystemStorageMountPath is where the file storage Jobs mount the system-storage claim.
	SystemStorageMountPath = "/system-storage"

	SecretsDir       = "secrets"
	ConfigMapsDir    = "configmaps"
	APIManagerDir    = "apimanager"
	APIManagerFile   = "apimanager-backup.json"
	SystemStorageDir = "system-filestorage-pvc"
	DatabasesDir     = "databases"
)

// DatabaseFile returns the path, relative to the backup root, of the backup of the database of step.
func DatabaseFile(step string) string {
	switch step {
	case StepSystemRedis, StepBackendRedis:
		return path.Join(DatabasesDir, step+".rdb")
	default:
		return path.Join(DatabasesDir, step+".sql")
	}
}

// SecretsToBackUp are the Secrets a backup saves, the guide's table ("Data that is backed up"),
// in a fixed order. A Secret that does not exist (zync when zync is disabled) is left out.
var SecretsToBackUp = []string{
	render.SystemSMTPSecret, render.SystemSeedSecret, render.SystemDatabaseSecret, render.BackendInternalAPISecret,
	render.BackendRedisSecret, render.BackendListenerSecret, render.SystemEventsHookSecret, render.SystemAppSecret,
	render.SystemRecaptchaSecret, render.SystemRedisSecret, render.SystemMemcacheSecret, render.ZyncSecret,
	render.SystemMasterApicastSecret,
}

// ConfigMapsToBackUp are the ConfigMaps a backup saves.
var ConfigMapsToBackUp = []string{render.SystemEnvironmentConfigMap, render.ApicastEnvironmentConfigMap}

// DatabaseSecrets are the connection Secrets of the databases. A restore writes them only when the
// backed-up APIManager ran the database itself (the operator generated them); for an external
// database the user restores both the database and its Secret, as the guide says.
var DatabaseSecrets = []string{render.SystemDatabaseSecret, render.SystemRedisSecret, render.BackendRedisSecret}

// Annotations the backup controller writes on the backup claim. The first four are those the
// 3scale operator Red Hat ships writes.
const (
	APIManagerNameAnnotation       = "apiManagerName"
	APIManagerUIDAnnotation        = "apiManagerUID"
	APIManagerBackupNameAnnotation = "apiManagerBackupName"
	APIManagerBackupUIDAnnotation  = "apiManagerBackupUID"
	// ContentsAnnotation lists, comma-separated, the steps the backup ran successfully: a restore
	// reads it to know what the claim holds.
	ContentsAnnotation = "apps.3scale.net/backup-contents"
	// SystemStorageClaimAnnotation is the JSON of the access modes, storage class and size of the
	// backed-up system-storage claim, so a restore creates the claim the APIManager expects.
	SystemStorageClaimAnnotation = "apps.3scale.net/system-storage-claim"
)

// ClaimShape is what a restore needs to create the system-storage claim as the APIManager
// renders it (SystemStorageClaimAnnotation).
type ClaimShape struct {
	AccessModes      []corev1.PersistentVolumeAccessMode `json:"accessModes,omitempty"`
	StorageClassName *string                             `json:"storageClassName,omitempty"`
	Storage          resource.Quantity                   `json:"storage"`
}
