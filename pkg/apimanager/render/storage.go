package render

import (
	corev1 "k8s.io/api/core/v1"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

// System file storage: where porta keeps the files uploaded through the developer portal CMS.
const (
	// systemStorageMountPath is where porta reads and writes uploaded files.
	systemStorageMountPath = "/opt/system/public/system"
	// systemStorageDefaultSize is the size of system-storage when the spec gives none, as in the
	// existing operator.
	systemStorageDefaultSize = "100Mi"
	// s3CredentialsVolume is the projected ServiceAccount token exchanged for AWS credentials (STS).
	s3CredentialsVolume = "s3-credentials"
	// s3TokenDir and s3TokenFile locate that token. The path is the one the 3scale documentation has
	// users write in AWS_WEB_IDENTITY_TOKEN_FILE; the operator sets the variable itself so that the
	// pods read the token where it is mounted, whatever the Secret says.
	s3TokenDir  = "/var/run/secrets/openshift/serviceaccount"
	s3TokenFile = "token"
	// s3TokenExpirationSeconds is the lifetime of the projected token; the kubelet renews it.
	s3TokenExpirationSeconds int64 = 3600
)

// Keys of the S3 configuration Secret the user provides (spec.system.fileStorage.simpleStorageService
// .configurationSecretRef).
const (
	awsBucketKey          = "AWS_BUCKET"
	awsRegionKey          = "AWS_REGION"
	awsAccessKeyIDKey     = "AWS_ACCESS_KEY_ID"
	awsSecretAccessKeyKey = "AWS_SECRET_ACCESS_KEY"
	awsRoleARNKey         = "AWS_ROLE_ARN"
	awsTokenFileKey       = "AWS_WEB_IDENTITY_TOKEN_FILE"
	awsProtocolKey        = "AWS_PROTOCOL"
	awsHostnameKey        = "AWS_HOSTNAME"
	awsPathStyleKey       = "AWS_PATH_STYLE"
)

// fileStorage is how system pods reach the file storage: a volume (PVC) or S3 settings.
type fileStorage struct {
	volumes []corev1.Volume
	// mounts are the mounts of a container that writes files; readOnlyMounts those of the
	// developer portal, which only serves them.
	mounts, readOnlyMounts []corev1.VolumeMount
	env                    []corev1.EnvVar
	// secret is the S3 configuration Secret, "" for a volume.
	secret string
}

// systemFileStorage returns the file storage of in's system pods.
func systemFileStorage(in *Inputs) fileStorage {
	apim := in.APIManager
	if !apim.IsS3Enabled() {
		vol := corev1.Volume{Name: SystemStoragePVC, VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: SystemStoragePVC},
		}}
		return fileStorage{
			volumes:        []corev1.Volume{vol},
			mounts:         []corev1.VolumeMount{{Name: SystemStoragePVC, MountPath: systemStorageMountPath}},
			readOnlyMounts: []corev1.VolumeMount{{Name: SystemStoragePVC, MountPath: systemStorageMountPath, ReadOnly: true}},
		}
	}
	secret := apim.Spec.System.FileStorageSpec.S3.ConfigurationSecretRef.Name
	fs := fileStorage{secret: secret, env: []corev1.EnvVar{
		envSecret(awsBucketKey, secret, awsBucketKey),
		envSecret(awsRegionKey, secret, awsRegionKey),
		envSecretOptional(awsProtocolKey, secret, awsProtocolKey),
		envSecretOptional(awsHostnameKey, secret, awsHostnameKey),
		envSecretOptional(awsPathStyleKey, secret, awsPathStyleKey),
	}}
	if !apim.IsS3STSEnabled() {
		fs.env = append(fs.env,
			envSecret(awsAccessKeyIDKey, secret, awsAccessKeyIDKey),
			envSecret(awsSecretAccessKeyKey, secret, awsSecretAccessKeyKey))
		return fs
	}
	expiration := s3TokenExpirationSeconds
	fs.volumes = []corev1.Volume{{Name: s3CredentialsVolume, VolumeSource: corev1.VolumeSource{
		Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{{
			ServiceAccountToken: &corev1.ServiceAccountTokenProjection{
				Audience:          apim.S3STSAudienceOrDefault(),
				ExpirationSeconds: &expiration,
				Path:              s3TokenFile,
			},
		}}},
	}}}
	mount := corev1.VolumeMount{Name: s3CredentialsVolume, MountPath: s3TokenDir, ReadOnly: true}
	fs.mounts = []corev1.VolumeMount{mount}
	fs.readOnlyMounts = []corev1.VolumeMount{mount}
	fs.env = append(fs.env,
		envSecret(awsRoleARNKey, secret, awsRoleARNKey),
		envValue(awsTokenFileKey, s3TokenDir+"/"+s3TokenFile))
	return fs
}

// systemStorageClaim returns the ReadWriteMany claim system-storage, or nil when files go to S3.
func systemStorageClaim(in *Inputs) *corev1.PersistentVolumeClaim {
	if in.APIManager.IsS3Enabled() {
		return nil
	}
	var pvc *appsv1alpha1.PVCGenericSpec
	if s := in.spec().System; s != nil && s.FileStorageSpec != nil {
		pvc = s.FileStorageSpec.PVC
	}
	return NewPersistentVolumeClaim(in, SystemStoragePVC, ComponentSystem, "app", corev1.ReadWriteMany, systemStorageDefaultSize, pvc)
}
