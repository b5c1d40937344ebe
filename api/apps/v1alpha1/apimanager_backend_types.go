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

	// redisImage is the image of the internal backend Redis.
	// Applies only to the internal backend Redis (externalComponents.backend.redis false); 3scale 2.16
	// and later recommend an external one.
	// +optional
	RedisImage *string `json:"redisImage,omitempty"`

	// redisPersistentVolumeClaim configures the volume of the internal backend Redis.
	// Applies only to the internal backend Redis (externalComponents.backend.redis false); 3scale 2.16
	// and later recommend an external one.
	// +optional
	RedisPersistentVolumeClaimSpec *BackendRedisPersistentVolumeClaimSpec `json:"redisPersistentVolumeClaim,omitempty"`

	// redisAffinity is the affinity of the internal backend Redis.
	// Applies only to the internal backend Redis (externalComponents.backend.redis false); 3scale 2.16
	// and later recommend an external one.
	// +optional
	RedisAffinity *corev1.Affinity `json:"redisAffinity,omitempty"`

	// redisTolerations are the tolerations of the internal backend Redis.
	// Applies only to the internal backend Redis (externalComponents.backend.redis false); 3scale 2.16
	// and later recommend an external one.
	// +optional
	RedisTolerations []corev1.Toleration `json:"redisTolerations,omitempty"`

	// redisResources are the compute resources of the internal backend Redis.
	// Applies only to the internal backend Redis (externalComponents.backend.redis false); 3scale 2.16
	// and later recommend an external one.
	// +optional
	RedisResources *corev1.ResourceRequirements `json:"redisResources,omitempty"`

	// redisPriorityClassName is the PriorityClass of the internal backend Redis.
	// Applies only to the internal backend Redis (externalComponents.backend.redis false); 3scale 2.16
	// and later recommend an external one.
	// +optional
	RedisPriorityClassName *string `json:"redisPriorityClassName,omitempty"`

	// redisTopologySpreadConstraints are the spread constraints of the internal backend Redis.
	// Applies only to the internal backend Redis (externalComponents.backend.redis false); 3scale 2.16
	// and later recommend an external one.
	// +optional
	RedisTopologySpreadConstraints []corev1.TopologySpreadConstraint `json:"redisTopologySpreadConstraints,omitempty"`

	// redisLabels are the pod labels of the internal backend Redis.
	// Applies only to the internal backend Redis (externalComponents.backend.redis false); 3scale 2.16
	// and later recommend an external one.
	// +optional
	RedisLabels map[string]string `json:"redisLabels,omitempty"`

	// redisAnnotations are the pod annotations of the internal backend Redis.
	// Applies only to the internal backend Redis (externalComponents.backend.redis false); 3scale 2.16
	// and later recommend an external one.
	// +optional
	RedisAnnotations map[string]string `json:"redisAnnotations,omitempty"`
}

// BackendRedisPersistentVolumeClaimSpec configures the volume of the internal backend Redis.
// Applies only to the internal backend Redis.
type BackendRedisPersistentVolumeClaimSpec struct {
	// storageClassName is the StorageClass of the volume.
	// Applies only to the internal backend Redis.
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
