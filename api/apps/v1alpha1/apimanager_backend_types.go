package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
)

// BackendSpec configures apisonator, the 3scale backend.
type BackendSpec struct {
	// image overrides the container image of backend-listener, backend-worker and backend-cron.
	// +optional
	Image *string `json:"image,omitempty"`

	// listenerSpec configures backend-listener, the API that APIcast and system call.
	// +optional
	ListenerSpec *BackendListenerSpec `json:"listenerSpec,omitempty"`

	// workerSpec configures backend-worker, which processes the reported traffic.
	// +optional
	WorkerSpec *BackendWorkerSpec `json:"workerSpec,omitempty"`

	// cronSpec configures backend-cron, which reschedules failed jobs.
	// +optional
	CronSpec *BackendCronSpec `json:"cronSpec,omitempty"`

	// backendRedisTLSEnabled connects to the backend storage Redis over TLS; the `backend-redis`
	// Secret must then hold `REDIS_SSL_CA`, `REDIS_SSL_CERT` and `REDIS_SSL_KEY`. Defaults to false.
	// +optional
	BackendRedisTLSEnabled *bool `json:"backendRedisTLSEnabled,omitempty"`

	// queuesRedisTLSEnabled connects to the backend queues Redis over TLS; the `backend-redis`
	// Secret must then hold `REDIS_SSL_QUEUES_CA`, `REDIS_SSL_QUEUES_CERT` and
	// `REDIS_SSL_QUEUES_KEY`. Defaults to false.
	// +optional
	QueuesRedisTLSEnabled *bool `json:"queuesRedisTLSEnabled,omitempty"`

	// redisImage was the image of the internal backend Redis.
	// Deprecated: has no effect; backend Redis is always external since 3scale 2.16.
	// +optional
	RedisImage *string `json:"redisImage,omitempty"`

	// redisPersistentVolumeClaim configured the volume of the internal backend Redis.
	// Deprecated: has no effect; backend Redis is always external since 3scale 2.16.
	// +optional
	RedisPersistentVolumeClaimSpec *BackendRedisPersistentVolumeClaimSpec `json:"redisPersistentVolumeClaim,omitempty"`

	// redisAffinity was the affinity of the internal backend Redis.
	// Deprecated: has no effect; backend Redis is always external since 3scale 2.16.
	// +optional
	RedisAffinity *corev1.Affinity `json:"redisAffinity,omitempty"`

	// redisTolerations were the tolerations of the internal backend Redis.
	// Deprecated: has no effect; backend Redis is always external since 3scale 2.16.
	// +optional
	RedisTolerations []corev1.Toleration `json:"redisTolerations,omitempty"`

	// redisResources were the compute resources of the internal backend Redis.
	// Deprecated: has no effect; backend Redis is always external since 3scale 2.16.
	// +optional
	RedisResources *corev1.ResourceRequirements `json:"redisResources,omitempty"`

	// redisPriorityClassName was the PriorityClass of the internal backend Redis.
	// Deprecated: has no effect; backend Redis is always external since 3scale 2.16.
	// +optional
	RedisPriorityClassName *string `json:"redisPriorityClassName,omitempty"`

	// redisTopologySpreadConstraints were the spread constraints of the internal backend Redis.
	// Deprecated: has no effect; backend Redis is always external since 3scale 2.16.
	// +optional
	RedisTopologySpreadConstraints []corev1.TopologySpreadConstraint `json:"redisTopologySpreadConstraints,omitempty"`

	// redisLabels were the pod labels of the internal backend Redis.
	// Deprecated: has no effect; backend Redis is always external since 3scale 2.16.
	// +optional
	RedisLabels map[string]string `json:"redisLabels,omitempty"`

	// redisAnnotations were the pod annotations of the internal backend Redis.
	// Deprecated: has no effect; backend Redis is always external since 3scale 2.16.
	// +optional
	RedisAnnotations map[string]string `json:"redisAnnotations,omitempty"`
}

// BackendRedisPersistentVolumeClaimSpec configured the volume of the internal backend Redis.
// Deprecated: has no effect.
type BackendRedisPersistentVolumeClaimSpec struct {
	// storageClassName was the StorageClass of the volume.
	// Deprecated: has no effect.
	// +optional
	StorageClassName *string `json:"storageClassName,omitempty"`
}

// BackendListenerSpec configures backend-listener.
type BackendListenerSpec struct {
	// replicas is the number of backend-listener pods. Ignored when hpa is true. When unset, the
	// operator creates 1 replica and then leaves the count alone.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Replicas *int64 `json:"replicas,omitempty"`

	// resources are the compute resources of the listener container; they replace the defaults set
	// by resourceRequirementsEnabled.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// hpa creates a HorizontalPodAutoscaler for backend-listener (1 to 5 pods, 90% CPU and memory);
	// replicas is then ignored. Needs backend in async mode (the default). Defaults to false.
	// +optional
	Hpa bool `json:"hpa,omitempty"`

	// PodPlacementSpec holds the scheduling and metadata settings of the pods.
	PodPlacementSpec `json:",inline"`
}

// BackendWorkerSpec configures backend-worker.
type BackendWorkerSpec struct {
	// replicas is the number of backend-worker pods. Ignored when hpa is true. When unset, the
	// operator creates 1 replica and then leaves the count alone.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Replicas *int64 `json:"replicas,omitempty"`

	// resources are the compute resources of the worker container; they replace the defaults set by
	// resourceRequirementsEnabled.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// hpa creates a HorizontalPodAutoscaler for backend-worker (1 to 5 pods, 90% CPU and memory);
	// replicas is then ignored. Needs backend in async mode (the default). Defaults to false.
	// +optional
	Hpa bool `json:"hpa,omitempty"`

	// PodPlacementSpec holds the scheduling and metadata settings of the pods.
	PodPlacementSpec `json:",inline"`
}

// BackendCronSpec configures backend-cron.
type BackendCronSpec struct {
	// replicas is the number of backend-cron pods. When unset, the operator creates 1 replica and
	// then leaves the count alone.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Replicas *int64 `json:"replicas,omitempty"`

	// resources are the compute resources of the cron container; they replace the defaults set by
	// resourceRequirementsEnabled.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// PodPlacementSpec holds the scheduling and metadata settings of the pods.
	PodPlacementSpec `json:",inline"`
}
