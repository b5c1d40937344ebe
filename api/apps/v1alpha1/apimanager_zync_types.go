package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
)

// ZyncSpec configures zync, which keeps the OpenShift Routes of 3scale in sync with its tenants,
// products and gateways.
type ZyncSpec struct {
	// enabled deploys zync, zync-que and (unless external) zync-database. When false, every zync
	// object is removed and the other zync settings are ignored; Routes must then be managed by
	// hand, and after turning zync back on they must be re-created by hand. Defaults to true.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`

	// image overrides the container image of zync and zync-que.
	// +optional
	Image *string `json:"image,omitempty"`

	// postgreSQLImage overrides the image of the internal zync-database. Has no effect when the zync
	// database is external.
	// +optional
	PostgreSQLImage *string `json:"postgreSQLImage,omitempty"`

	// databaseAffinity is the pod affinity of the internal zync-database.
	// +optional
	DatabaseAffinity *corev1.Affinity `json:"databaseAffinity,omitempty"`

	// databaseTolerations are the tolerations of the internal zync-database.
	// +optional
	DatabaseTolerations []corev1.Toleration `json:"databaseTolerations,omitempty"`

	// databaseResources are the compute resources of the internal zync-database; they replace the
	// defaults set by resourceRequirementsEnabled.
	// +optional
	DatabaseResources *corev1.ResourceRequirements `json:"databaseResources,omitempty"`

	// databasePriorityClassName is the PriorityClass of the internal zync-database.
	// +optional
	DatabasePriorityClassName *string `json:"databasePriorityClassName,omitempty"`

	// databaseTopologySpreadConstraints spread the internal zync-database pods among topology domains.
	// +optional
	DatabaseTopologySpreadConstraints []corev1.TopologySpreadConstraint `json:"databaseTopologySpreadConstraints,omitempty"`

	// databaseLabels are added to the internal zync-database pods.
	// +optional
	DatabaseLabels map[string]string `json:"databaseLabels,omitempty"`

	// databaseAnnotations are added to the internal zync-database pods.
	// +optional
	DatabaseAnnotations map[string]string `json:"databaseAnnotations,omitempty"`

	// appSpec configures the zync Deployment.
	// +optional
	AppSpec *ZyncAppSpec `json:"appSpec,omitempty"`

	// queSpec configures the zync-que Deployment, which creates the Routes.
	// +optional
	QueSpec *ZyncQueSpec `json:"queSpec,omitempty"`

	// zyncDatabaseTLSEnabled connects to the external zync database over TLS; the `zync` Secret
	// must then hold `DB_SSL_CA`, `DB_SSL_CERT` and `DB_SSL_KEY`. Defaults to false.
	// +optional
	ZyncDatabaseTLSEnabled *bool `json:"zyncDatabaseTLSEnabled,omitempty"`
}

// ZyncAppSpec configures the zync Deployment.
type ZyncAppSpec struct {
	// replicas is the number of zync pods. When unset, the operator creates 1 replica and then
	// leaves the count alone.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Replicas *int64 `json:"replicas,omitempty"`

	// resources are the compute resources of the zync container; they replace the defaults set by
	// resourceRequirementsEnabled.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// PodPlacementSpec holds the scheduling and metadata settings of the pods.
	PodPlacementSpec `json:",inline"`
}

// ZyncQueSpec configures the zync-que Deployment.
type ZyncQueSpec struct {
	// replicas is the number of zync-que pods. When unset, the operator creates 1 replica and then
	// leaves the count alone.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Replicas *int64 `json:"replicas,omitempty"`

	// resources are the compute resources of the zync-que container; they replace the defaults set
	// by resourceRequirementsEnabled.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// PodPlacementSpec holds the scheduling and metadata settings of the pods.
	PodPlacementSpec `json:",inline"`
}
