package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
)

// SystemSpec configures porta, the 3scale system: admin, developer and master portals, sidekiq,
// memcached, searchd and the file storage.
type SystemSpec struct {
	// image overrides the container image of system-app, system-sidekiq and their hook Jobs.
	// +optional
	Image *string `json:"image,omitempty"`

	// memcachedImage overrides the container image of system-memcache.
	// +optional
	MemcachedImage *string `json:"memcachedImage,omitempty"`

	// memcachedAffinity is the pod affinity of system-memcache.
	// +optional
	MemcachedAffinity *corev1.Affinity `json:"memcachedAffinity,omitempty"`

	// memcachedTolerations are the tolerations of system-memcache.
	// +optional
	MemcachedTolerations []corev1.Toleration `json:"memcachedTolerations,omitempty"`

	// memcachedResources are the compute resources of system-memcache; they replace the defaults
	// set by resourceRequirementsEnabled.
	// +optional
	MemcachedResources *corev1.ResourceRequirements `json:"memcachedResources,omitempty"`

	// memcachedPriorityClassName is the PriorityClass of system-memcache.
	// +optional
	MemcachedPriorityClassName *string `json:"memcachedPriorityClassName,omitempty"`

	// memcachedTopologySpreadConstraints spread the system-memcache pods among topology domains.
	// +optional
	MemcachedTopologySpreadConstraints []corev1.TopologySpreadConstraint `json:"memcachedTopologySpreadConstraints,omitempty"`

	// memcachedLabels are added to the system-memcache pods.
	// +optional
	MemcachedLabels map[string]string `json:"memcachedLabels,omitempty"`

	// memcachedAnnotations are added to the system-memcache pods.
	// +optional
	MemcachedAnnotations map[string]string `json:"memcachedAnnotations,omitempty"`

	// fileStorage is where system keeps uploaded files (developer portal CMS assets): a
	// ReadWriteMany PersistentVolumeClaim (the default) or an S3-compatible bucket. Only one of
	// persistentVolumeClaim and simpleStorageService may be set.
	// +optional
	FileStorageSpec *SystemFileStorageSpec `json:"fileStorage,omitempty"`

	// appSpec configures system-app (admin, developer and master portals).
	// +optional
	AppSpec *SystemAppSpec `json:"appSpec,omitempty"`

	// sidekiqSpec configures system-sidekiq, the background job processor of system.
	// +optional
	SidekiqSpec *SystemSidekiqSpec `json:"sidekiqSpec,omitempty"`

	// searchdSpec configures system-searchd, the Manticore search server of system.
	// +optional
	SearchdSpec *SystemSearchdSpec `json:"searchdSpec,omitempty"`

	// systemDatabaseTLSEnabled connects to the system database over TLS; the `system-database`
	// Secret must then hold `DB_SSL_CA`, `DB_SSL_CERT` and `DB_SSL_KEY`. Defaults to false.
	// +optional
	SystemDatabaseTLSEnabled *bool `json:"systemDatabaseTLSEnabled,omitempty"`

	// systemRedisTLSEnabled connects to the system Redis over TLS; the `system-redis` Secret must
	// then hold `REDIS_SSL_CA`, `REDIS_SSL_CERT` and `REDIS_SSL_KEY`. Defaults to false.
	// +optional
	SystemRedisTLSEnabled *bool `json:"systemRedisTLSEnabled,omitempty"`

	// database configures the internal system database: MySQL (the default) or PostgreSQL. Applies
	// only when externalComponents.system.database is false; 3scale 2.16 and later recommend an
	// external database.
	// +optional
	DatabaseSpec *SystemDatabaseSpec `json:"database,omitempty"`

	// sphinxSpec configured system-sphinx.
	// Deprecated: has no effect; use searchdSpec.
	// +optional
	SphinxSpec *SystemSphinxSpec `json:"sphinxSpec,omitempty"`

	// redisImage is the image of the internal system Redis.
	// Applies only to the internal system Redis (externalComponents.system.redis false); 3scale 2.16
	// and later recommend an external one.
	// +optional
	RedisImage *string `json:"redisImage,omitempty"`

	// redisPersistentVolumeClaim configures the volume of the internal system Redis.
	// Applies only to the internal system Redis (externalComponents.system.redis false); 3scale 2.16
	// and later recommend an external one.
	// +optional
	RedisPersistentVolumeClaimSpec *SystemRedisPersistentVolumeClaimSpec `json:"redisPersistentVolumeClaim,omitempty"`

	// redisAffinity is the affinity of the internal system Redis.
	// Applies only to the internal system Redis (externalComponents.system.redis false); 3scale 2.16
	// and later recommend an external one.
	// +optional
	RedisAffinity *corev1.Affinity `json:"redisAffinity,omitempty"`

	// redisTolerations are the tolerations of the internal system Redis.
	// Applies only to the internal system Redis (externalComponents.system.redis false); 3scale 2.16
	// and later recommend an external one.
	// +optional
	RedisTolerations []corev1.Toleration `json:"redisTolerations,omitempty"`

	// redisResources are the compute resources of the internal system Redis.
	// Applies only to the internal system Redis (externalComponents.system.redis false); 3scale 2.16
	// and later recommend an external one.
	// +optional
	RedisResources *corev1.ResourceRequirements `json:"redisResources,omitempty"`

	// redisPriorityClassName is the PriorityClass of the internal system Redis.
	// Applies only to the internal system Redis (externalComponents.system.redis false); 3scale 2.16
	// and later recommend an external one.
	// +optional
	RedisPriorityClassName *string `json:"redisPriorityClassName,omitempty"`

	// redisTopologySpreadConstraints are the spread constraints of the internal system Redis.
	// Applies only to the internal system Redis (externalComponents.system.redis false); 3scale 2.16
	// and later recommend an external one.
	// +optional
	RedisTopologySpreadConstraints []corev1.TopologySpreadConstraint `json:"redisTopologySpreadConstraints,omitempty"`

	// redisLabels are the pod labels of the internal system Redis.
	// Applies only to the internal system Redis (externalComponents.system.redis false); 3scale 2.16
	// and later recommend an external one.
	// +optional
	RedisLabels map[string]string `json:"redisLabels,omitempty"`

	// redisAnnotations are the pod annotations of the internal system Redis.
	// Applies only to the internal system Redis (externalComponents.system.redis false); 3scale 2.16
	// and later recommend an external one.
	// +optional
	RedisAnnotations map[string]string `json:"redisAnnotations,omitempty"`
}

// SystemFileStorageSpec is where system keeps uploaded files. At most one of
// persistentVolumeClaim and simpleStorageService may be set; when neither is, a
// PersistentVolumeClaim with default settings is used.
// +kubebuilder:validation:XValidation:rule="!(has(self.persistentVolumeClaim) && has(self.simpleStorageService))",message="fileStorage: set either persistentVolumeClaim or simpleStorageService, not both",fieldPath=".simpleStorageService"
type SystemFileStorageSpec struct {
	// persistentVolumeClaim configures the ReadWriteMany claim `system-storage` (100Mi by
	// default). Its StorageClass must provision ReadWriteMany volumes.
	// +optional
	PVC *PVCGenericSpec `json:"persistentVolumeClaim,omitempty"`

	// simpleStorageService stores the files in an S3-compatible bucket instead of a volume.
	// +optional
	S3 *SystemS3Spec `json:"simpleStorageService,omitempty"`

	// amazonSimpleStorageService configured S3 storage in releases before 2.6.
	// Deprecated: has no effect; use simpleStorageService.
	// +optional
	DeprecatedS3 *DeprecatedSystemS3Spec `json:"amazonSimpleStorageService,omitempty"`
}

// SystemS3Spec stores system files in an S3-compatible bucket.
type SystemS3Spec struct {
	// configurationSecretRef names the Secret with the bucket settings, created by the user before
	// the APIManager: `AWS_BUCKET` and `AWS_REGION`; `AWS_ACCESS_KEY_ID` and
	// `AWS_SECRET_ACCESS_KEY` (IAM) or `AWS_ROLE_ARN` and `AWS_WEB_IDENTITY_TOKEN_FILE` (STS);
	// optionally `AWS_PROTOCOL`, `AWS_HOSTNAME` and `AWS_PATH_STYLE` for S3-compatible providers.
	// +required
	ConfigurationSecretRef LocalSecretReference `json:"configurationSecretRef"`

	// sts authenticates with short-lived Secure Token Service credentials instead of IAM keys.
	// +optional
	STS *STSSpec `json:"sts,omitempty"`
}

// STSSpec configures S3 authentication through the AWS Secure Token Service.
type STSSpec struct {
	// enabled turns on STS authentication: pods get a projected ServiceAccount token. Defaults to
	// false (IAM keys).
	// +optional
	Enabled *bool `json:"enabled,omitempty"`

	// audience is the audience of the projected token. Defaults to `openshift`. Has no effect when
	// STS is not enabled.
	// +optional
	Audience *string `json:"audience,omitempty"`
}

// DeprecatedSystemS3Spec configured S3 storage in releases before 2.6.
// Deprecated: has no effect; use SystemS3Spec.
type DeprecatedSystemS3Spec struct {
	// awsBucket was the bucket name.
	// Deprecated: has no effect.
	// +required
	AWSBucket string `json:"awsBucket"`

	// awsRegion was the bucket region.
	// Deprecated: has no effect.
	// +required
	AWSRegion string `json:"awsRegion"`

	// awsCredentialsSecret named the Secret with the AWS keys.
	// Deprecated: has no effect.
	// +required
	AWSCredentials corev1.LocalObjectReference `json:"awsCredentialsSecret"`
}

// SystemAppSpec configures system-app.
type SystemAppSpec struct {
	// replicas is the number of system-app pods. When unset, the operator creates 1 replica and
	// then leaves the count alone.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Replicas *int64 `json:"replicas,omitempty"`

	// masterContainerResources are the compute resources of the system-master container.
	// +optional
	MasterContainerResources *corev1.ResourceRequirements `json:"masterContainerResources,omitempty"`

	// providerContainerResources are the compute resources of the system-provider container
	// (admin portal).
	// +optional
	ProviderContainerResources *corev1.ResourceRequirements `json:"providerContainerResources,omitempty"`

	// developerContainerResources are the compute resources of the system-developer container
	// (developer portal).
	// +optional
	DeveloperContainerResources *corev1.ResourceRequirements `json:"developerContainerResources,omitempty"`

	// PodPlacementSpec holds the scheduling and metadata settings of the pods.
	PodPlacementSpec `json:",inline"`
}

// SystemSidekiqSpec configures system-sidekiq.
type SystemSidekiqSpec struct {
	// replicas is the number of system-sidekiq pods. When unset, the operator creates 1 replica and
	// then leaves the count alone.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Replicas *int64 `json:"replicas,omitempty"`

	// resources are the compute resources of the sidekiq container; they replace the defaults set
	// by resourceRequirementsEnabled.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// PodPlacementSpec holds the scheduling and metadata settings of the pods.
	PodPlacementSpec `json:",inline"`
}

// SystemSearchdSpec configures system-searchd (always one replica).
type SystemSearchdSpec struct {
	// image overrides the container image of system-searchd.
	// +optional
	Image *string `json:"image,omitempty"`

	// resources are the compute resources of the searchd container; they replace the defaults set
	// by resourceRequirementsEnabled.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// persistentVolumeClaim configures the ReadWriteOnce claim `system-searchd-manticore` holding
	// the search index (1Gi by default).
	// +optional
	PVC *PVCGenericSpec `json:"persistentVolumeClaim,omitempty"`

	// PodPlacementSpec holds the scheduling and metadata settings of the pods.
	PodPlacementSpec `json:",inline"`
}

// SystemSphinxSpec configured system-sphinx, replaced by searchd.
// Deprecated: has no effect; use SystemSearchdSpec.
type SystemSphinxSpec struct {
	// affinity was the pod affinity of system-sphinx.
	// Deprecated: has no effect.
	// +optional
	Affinity *corev1.Affinity `json:"affinity,omitempty"`

	// tolerations were the tolerations of system-sphinx.
	// Deprecated: has no effect.
	// +optional
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`

	// resources were the compute resources of system-sphinx.
	// Deprecated: has no effect.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// priorityClassName was the PriorityClass of system-sphinx.
	// Deprecated: has no effect.
	// +optional
	PriorityClassName *string `json:"priorityClassName,omitempty"`

	// topologySpreadConstraints were the spread constraints of system-sphinx.
	// Deprecated: has no effect.
	// +optional
	TopologySpreadConstraints []corev1.TopologySpreadConstraint `json:"topologySpreadConstraints,omitempty"`
}

// SystemRedisPersistentVolumeClaimSpec configures the volume of the internal system Redis.
// Applies only to the internal database.
type SystemRedisPersistentVolumeClaimSpec struct {
	// storageClassName is the StorageClass of the volume.
	// Applies only to the internal database.
	// +optional
	StorageClassName *string `json:"storageClassName,omitempty"`
}

// SystemDatabaseSpec configures an internal system database.
// Applies only when externalComponents.system.database is false.
type SystemDatabaseSpec struct {
	// mysql configures an internal MySQL database.
	// Applies only to the internal database.
	// +optional
	MySQL *SystemMySQLSpec `json:"mysql,omitempty"`

	// postgresql configures an internal PostgreSQL database.
	// Applies only to the internal database.
	// +optional
	PostgreSQL *SystemPostgreSQLSpec `json:"postgresql,omitempty"`
}

// SystemMySQLSpec configures an internal MySQL system database.
// Applies only to the internal database.
type SystemMySQLSpec struct {
	// image is the MySQL image.
	// Applies only to the internal database.
	// +optional
	Image *string `json:"image,omitempty"`

	// persistentVolumeClaim configures the MySQL volume.
	// Applies only to the internal database.
	// +optional
	PersistentVolumeClaimSpec *PVCGenericSpec `json:"persistentVolumeClaim,omitempty"`

	// resources are the compute resources of MySQL.
	// Applies only to the internal database.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// PodPlacementSpec holds the scheduling and metadata settings of the pods.
	// Applies only to the internal database.
	PodPlacementSpec `json:",inline"`
}

// SystemPostgreSQLSpec configures an internal PostgreSQL system database.
// Applies only to the internal database.
type SystemPostgreSQLSpec struct {
	// image is the PostgreSQL image.
	// Applies only to the internal database.
	// +optional
	Image *string `json:"image,omitempty"`

	// persistentVolumeClaim configures the PostgreSQL volume.
	// Applies only to the internal database.
	// +optional
	PersistentVolumeClaimSpec *PVCGenericSpec `json:"persistentVolumeClaim,omitempty"`

	// resources are the compute resources of PostgreSQL.
	// Applies only to the internal database.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// PodPlacementSpec holds the scheduling and metadata settings of the pods.
	// Applies only to the internal database.
	PodPlacementSpec `json:",inline"`
}
