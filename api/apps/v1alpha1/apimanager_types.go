package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Condition types of an APIManager. They keep the names the 3scale operator Red Hat ships uses, so
// `kubectl wait --for=condition=Available apimanager/<name>` and existing scripts keep working.
const (
	// APIManagerAvailableConditionType is True when every expected Deployment is available, every
	// default Route is admitted and every referenced Secret exists.
	APIManagerAvailableConditionType = "Available"
	// APIManagerReadyConditionType mirrors Available under the name generic tools (kstatus, Argo CD,
	// `kubectl wait --for=condition=Ready`) look for.
	APIManagerReadyConditionType = "Ready"
	// APIManagerDeploymentsAvailableConditionType is True when every expected Deployment exists, is
	// owned by this APIManager and reports Available.
	APIManagerDeploymentsAvailableConditionType = "DeploymentsAvailable"
	// APIManagerRoutesReadyConditionType is True when the default Routes (master, tenant admin and
	// developer portals, backend, APIcast staging and production) are admitted.
	APIManagerRoutesReadyConditionType = "RoutesReady"
	// APIManagerSecretsAvailableConditionType is True when every Secret the spec relies on exists
	// (system-database, system-redis, backend-redis and the Secrets referenced by APIcast settings).
	APIManagerSecretsAvailableConditionType = "SecretsAvailable"
	// APIManagerPreflightsConditionType reports the outcome of the checks run before installing or
	// upgrading (external database and Redis versions).
	APIManagerPreflightsConditionType = "Preflights"
	// APIManagerWarningConditionType is True when the spec uses a setting that works but deserves
	// attention (a deprecated field, HPA overriding replicas, ...). There is at most one such
	// condition; its message lists every warning.
	APIManagerWarningConditionType = "Warning"
)

// Condition reasons of an APIManager.
const (
	// APIManagerAvailableReason means every component of the platform is up.
	APIManagerAvailableReason = "Available"
	// APIManagerDeploymentsNotAvailableReason means at least one expected Deployment is missing or
	// not yet available.
	APIManagerDeploymentsNotAvailableReason = "DeploymentsNotAvailable"
	// APIManagerRoutesNotReadyReason means at least one default Route is missing or not admitted.
	APIManagerRoutesNotReadyReason = "RoutesNotReady"
	// APIManagerSecretsMissingReason means a Secret the spec relies on does not exist.
	APIManagerSecretsMissingReason = "SecretsMissing"
	// APIManagerInvalidSpecReason means the spec cannot be installed as written (for example a
	// referenced TLS Secret has the wrong type); the message says what to fix.
	APIManagerInvalidSpecReason = "InvalidSpec"
	// APIManagerPreflightsPassReason means the preflight checks succeeded.
	APIManagerPreflightsPassReason = "PreflightsPass"
	// APIManagerPreflightsFailedReason means a preflight check failed; the message names it.
	APIManagerPreflightsFailedReason = "PreflightsFailed"
	// APIManagerDeprecatedFieldReason means the spec sets a deprecated field.
	APIManagerDeprecatedFieldReason = "DeprecatedField"
	// APIManagerConfigurationWarningReason means the spec combines settings in a way that works but
	// is probably not what was meant (for example HPA together with a fixed replica count).
	APIManagerConfigurationWarningReason = "ConfigurationWarning"
)

// Annotations read or written on APIManager objects.
const (
	// ThreescaleVersionAnnotation records the 3scale release installed by this APIManager.
	ThreescaleVersionAnnotation = "apps.3scale.net/apimanager-threescale-version"
	// OperatorVersionAnnotation records the version of the operator that last reconciled it.
	OperatorVersionAnnotation = "apps.3scale.net/threescale-operator-version"
	// RequirementsConfirmedAnnotation records the resourceVersion of the requirements ConfigMap
	// whose preflight checks passed, so they are not run again.
	RequirementsConfirmedAnnotation = "apps.3scale.net/apimanager-confirmed-requirements-version"
	// DisableAsyncAnnotation, set to "true", runs backend in synchronous mode (and disables backend HPA).
	DisableAsyncAnnotation = "apps.3scale.net/disable-async"
	// DisableApicastServiceReconcilerAnnotation, set to "true", makes the APIcast Services create-only.
	DisableApicastServiceReconcilerAnnotation = "apps.3scale.net/disable-apicast-service-reconciler"
)

// APIManagerSpec is the desired 3scale platform.
type APIManagerSpec struct {
	// wildcardDomain is the root DNS domain of every 3scale route: the admin portal of the default
	// tenant is `<tenantName>-admin.<wildcardDomain>`, the master portal `master.<wildcardDomain>`.
	// It must be a DNS name that resolves to the cluster's router (for example `apps.example.com`).
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*$`
	WildcardDomain string `json:"wildcardDomain"`

	// appLabel is the value of the `app` label put on every object of the platform; it must be a
	// valid label value. Defaults to `3scale-api-management`.
	// +optional
	// +kubebuilder:default=3scale-api-management
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$`
	AppLabel *string `json:"appLabel,omitempty"`

	// tenantName is the name of the default tenant created at install time; its admin portal is
	// `<tenantName>-admin.<wildcardDomain>`. Defaults to `3scale`.
	// +optional
	// +kubebuilder:default="3scale"
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	TenantName *string `json:"tenantName,omitempty"`

	// imageStreamTagImportInsecure was used with OpenShift ImageStreams, which are no longer created.
	// Deprecated: has no effect; kept so that existing manifests still apply.
	// +optional
	ImageStreamTagImportInsecure *bool `json:"imageStreamTagImportInsecure,omitempty"`

	// resourceRequirementsEnabled, when true, gives every container the default CPU and memory
	// requests and limits of 3scale; false leaves them empty (for evaluation only). Per-component
	// `resources` fields override the defaults either way. Defaults to true.
	// +optional
	// +kubebuilder:default=true
	ResourceRequirementsEnabled *bool `json:"resourceRequirementsEnabled,omitempty"`

	// imagePullSecrets are added to the ServiceAccounts of the platform's pods. Pods must be
	// redeployed for a change to take effect.
	// +optional
	ImagePullSecrets []corev1.LocalObjectReference `json:"imagePullSecrets,omitempty"`

	// apicast configures the APIcast staging and production gateways.
	// +optional
	Apicast *ApicastSpec `json:"apicast,omitempty"`

	// backend configures apisonator: backend-listener, backend-worker and backend-cron.
	// +optional
	Backend *BackendSpec `json:"backend,omitempty"`

	// system configures porta (admin and developer portals, master portal, sidekiq), its file
	// storage, memcached and searchd.
	// +optional
	System *SystemSpec `json:"system,omitempty"`

	// zync configures zync and zync-que, which create the OpenShift Routes of tenants and products.
	// +optional
	Zync *ZyncSpec `json:"zync,omitempty"`

	// highAvailability marks the databases as external.
	// Deprecated: use externalComponents. `enabled: true` means system database, system Redis and
	// backend Redis are external; externalComponents takes precedence when both are set.
	// +optional
	HighAvailability *HighAvailabilitySpec `json:"highAvailability,omitempty"`

	// externalComponents says which databases are provided by the user instead of deployed by the
	// operator. Since 3scale 2.16 the system database, system Redis and backend Redis are always
	// external: their connection Secrets (system-database, system-redis, backend-redis) must exist.
	// +optional
	ExternalComponents *ExternalComponentsSpec `json:"externalComponents,omitempty"`

	// podDisruptionBudget configures PodDisruptionBudgets for the scalable components.
	// +optional
	PodDisruptionBudget *PodDisruptionBudgetSpec `json:"podDisruptionBudget,omitempty"`

	// monitoring configures PodMonitors, PrometheusRules and GrafanaDashboards for the platform.
	// +optional
	Monitoring *MonitoringSpec `json:"monitoring,omitempty"`

	// ingress configures how the platform is exposed on Kubernetes clusters that have no OpenShift
	// Routes: the operator then creates Ingress objects for the hosts 3scale needs (master, tenant
	// admin and developer portals, backend listener, APIcast staging and production). Ignored on
	// OpenShift, where Routes are created. This field is an addition of this operator; the existing
	// operator supports OpenShift only.
	// +optional
	Ingress *IngressSpec `json:"ingress,omitempty"`

	// persistentVolumeClaimRetentionPolicy says what happens to the PersistentVolumeClaims that hold
	// the platform's data (file storage, internal databases, searchd) when the APIManager is deleted:
	// Retain (the default) keeps them so that data survives a deletion by mistake; Delete removes
	// them with the APIManager.
	// +kubebuilder:validation:Enum=Retain;Delete
	// +optional
	PersistentVolumeClaimRetentionPolicy PVCRetentionPolicy `json:"persistentVolumeClaimRetentionPolicy,omitempty"`
}

// PVCRetentionPolicy says whether data PersistentVolumeClaims outlive their APIManager.
type PVCRetentionPolicy string

const (
	// PVCRetentionPolicyRetain keeps data PersistentVolumeClaims when the APIManager is deleted.
	PVCRetentionPolicyRetain PVCRetentionPolicy = "Retain"
	// PVCRetentionPolicyDelete deletes data PersistentVolumeClaims with the APIManager.
	PVCRetentionPolicyDelete PVCRetentionPolicy = "Delete"
)

// IngressSpec configures the Ingress objects created on clusters without OpenShift Routes.
type IngressSpec struct {
	// ingressClassName is the IngressClass of every Ingress the operator creates; empty uses the
	// cluster's default IngressClass.
	// +kubebuilder:validation:MaxLength=253
	// +optional
	IngressClassName *string `json:"ingressClassName,omitempty"`

	// annotations are added to every Ingress the operator creates, for example a cert-manager
	// issuer or controller-specific settings.
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`

	// tlsSecretRef names a Secret of type kubernetes.io/tls in the APIManager's namespace whose
	// certificate covers the wildcard domain; when set, every Ingress terminates TLS with it.
	// +optional
	TLSSecretRef *corev1.LocalObjectReference `json:"tlsSecretRef,omitempty"`
}

// HighAvailabilitySpec is the deprecated way to mark databases as external.
type HighAvailabilitySpec struct {
	// enabled marks the system database, system Redis and backend Redis as external.
	// Deprecated: use externalComponents.
	// +optional
	Enabled bool `json:"enabled,omitempty"`

	// externalZyncDatabaseEnabled also marks the zync database as external; it only takes effect
	// when enabled is true.
	// Deprecated: use externalComponents.zync.database.
	// +optional
	ExternalZyncDatabaseEnabled *bool `json:"externalZyncDatabaseEnabled,omitempty"`
}

// ExternalComponentsSpec says which databases are provided by the user.
type ExternalComponentsSpec struct {
	// system lists the external databases of system.
	// +optional
	System *ExternalSystemComponents `json:"system,omitempty"`

	// backend lists the external databases of backend.
	// +optional
	Backend *ExternalBackendComponents `json:"backend,omitempty"`

	// zync lists the external databases of zync.
	// +optional
	Zync *ExternalZyncComponents `json:"zync,omitempty"`
}

// ExternalSystemComponents lists the external databases of system.
type ExternalSystemComponents struct {
	// redis, when true, uses the Redis given by the `system-redis` Secret (key `URL`). Defaults to false.
	// +optional
	Redis *bool `json:"redis,omitempty"`

	// database, when true, uses the MySQL, PostgreSQL or Oracle database given by the
	// `system-database` Secret (key `URL`). Defaults to false.
	// +optional
	Database *bool `json:"database,omitempty"`
}

// ExternalBackendComponents lists the external databases of backend.
type ExternalBackendComponents struct {
	// redis, when true, uses the Redis instances given by the `backend-redis` Secret (keys
	// `REDIS_STORAGE_URL` and `REDIS_QUEUES_URL`). Defaults to false.
	// +optional
	Redis *bool `json:"redis,omitempty"`
}

// ExternalZyncComponents lists the external databases of zync.
type ExternalZyncComponents struct {
	// database, when true, uses the PostgreSQL database given by the `zync` Secret (keys
	// `DATABASE_URL` and `ZYNC_DATABASE_PASSWORD`) instead of deploying zync-database.
	// Defaults to false.
	// +optional
	Database *bool `json:"database,omitempty"`
}

// PodDisruptionBudgetSpec configures PodDisruptionBudgets.
type PodDisruptionBudgetSpec struct {
	// enabled creates a PodDisruptionBudget allowing at most one unavailable pod for each scalable
	// component (APIcast, backend, system app and sidekiq, zync); databases are excluded. It only
	// protects components with more than one replica. Defaults to false.
	// +optional
	Enabled bool `json:"enabled,omitempty"`
}

// MonitoringSpec configures the monitoring objects of the platform.
type MonitoringSpec struct {
	// enabled creates PodMonitors and GrafanaDashboards (and PrometheusRules, see
	// enablePrometheusRules) when their CRDs are installed. Defaults to false.
	// +optional
	Enabled bool `json:"enabled,omitempty"`

	// enablePrometheusRules creates the 3scale alerting PrometheusRules when monitoring is enabled.
	// Defaults to true.
	// +optional
	EnablePrometheusRules *bool `json:"enablePrometheusRules,omitempty"`
}

// PersistentVolumeClaimResources is the requested size of a PersistentVolumeClaim.
type PersistentVolumeClaimResources struct {
	// requests is the storage size requested for the claim, for example `2Gi`.
	// +required
	Requests resource.Quantity `json:"requests"`
}

// PVCGenericSpec configures a PersistentVolumeClaim created by the operator.
type PVCGenericSpec struct {
	// storageClassName is the StorageClass of the claim. Defaults to the cluster's default
	// StorageClass.
	// +optional
	StorageClassName *string `json:"storageClassName,omitempty"`

	// resources is the minimum size of the volume. Ignored when volumeName is set. Can only be
	// changed after installation when the StorageClass allows volume expansion.
	// +optional
	Resources *PersistentVolumeClaimResources `json:"resources,omitempty"`

	// volumeName binds the claim to this existing PersistentVolume.
	// +optional
	VolumeName *string `json:"volumeName,omitempty"`
}

// LocalSecretReference names a Secret in the namespace of the APIManager.
type LocalSecretReference struct {
	// name is the name of the Secret.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
}

// PodPlacementSpec holds the scheduling and metadata settings shared by the pods of a component.
type PodPlacementSpec struct {
	// affinity is the pod affinity of the component's pods.
	// +optional
	Affinity *corev1.Affinity `json:"affinity,omitempty"`

	// tolerations let the component's pods run on nodes with matching taints.
	// +optional
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`

	// priorityClassName is the PriorityClass of the component's pods.
	// +optional
	PriorityClassName *string `json:"priorityClassName,omitempty"`

	// topologySpreadConstraints spread the component's pods among the given topology domains.
	// +optional
	TopologySpreadConstraints []corev1.TopologySpreadConstraint `json:"topologySpreadConstraints,omitempty"`

	// labels are added to the component's pods.
	// +optional
	Labels map[string]string `json:"labels,omitempty"`

	// annotations are added to the component's pods.
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`
}

// DeploymentStatus lists the platform's Deployments by state.
type DeploymentStatus struct {
	// ready lists the Deployments whose pods are all ready.
	// +optional
	Ready []string `json:"ready,omitempty"`

	// starting lists the Deployments that are rolling out or scaling up.
	// +optional
	Starting []string `json:"starting,omitempty"`

	// stopped lists the Deployments scaled to zero or missing.
	// +optional
	Stopped []string `json:"stopped,omitempty"`
}

// APIManagerStatus is the observed state of the platform.
type APIManagerStatus struct {
	// observedGeneration is the metadata.generation of the spec the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions describe the platform: Available (and Ready, its alias), DeploymentsAvailable,
	// RoutesReady, SecretsAvailable, Preflights and Warning.
	// +optional
	// +listType=map
	// +listMapKey=type
	// +patchStrategy=merge
	// +patchMergeKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`

	// deployments lists the platform's Deployments by state.
	// +optional
	Deployments DeploymentStatus `json:"deployments,omitempty"`
}

// APIManager installs a complete 3scale API Management platform in its namespace: the APIcast
// gateways, backend, system, zync and their supporting services. One APIManager per namespace.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=apimanagers,scope=Namespaced
// +kubebuilder:printcolumn:name="Available",type=string,JSONPath=`.status.conditions[?(@.type=="Available")].status`
// +kubebuilder:printcolumn:name="Wildcard Domain",type=string,JSONPath=`.spec.wildcardDomain`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type APIManager struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired platform.
	// +required
	Spec APIManagerSpec `json:"spec"`

	// status is the observed state of the platform, written by the operator.
	// +optional
	Status APIManagerStatus `json:"status,omitempty"`
}

// APIManagerList is a list of APIManager.
// +kubebuilder:object:root=true
type APIManagerList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []APIManager `json:"items"`
}

func init() {
	SchemeBuilder.Register(&APIManager{}, &APIManagerList{})
}
