package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
)

// ApicastSpec configures the APIcast gateways.
type ApicastSpec struct {
	// managementAPI is the scope of the APIcast management API (APICAST_MANAGEMENT_API):
	// `disabled`, `status`, `policies` or `debug`. At least `status` is needed by the health checks.
	// Defaults to `status`.
	// +optional
	ApicastManagementAPI *string `json:"managementAPI,omitempty"`

	// openSSLVerify turns on OpenSSL peer verification when APIcast downloads its configuration
	// (OPENSSL_VERIFY). Defaults to false.
	// +optional
	OpenSSLVerify *bool `json:"openSSLVerify,omitempty"`

	// responseCodes turns on logging of response codes to 3scale (APICAST_RESPONSE_CODES).
	// Defaults to true.
	// +optional
	IncludeResponseCodes *bool `json:"responseCodes,omitempty"`

	// registryURL is the URL of the APIcast policy registry that system reads (APICAST_REGISTRY_URL).
	// Defaults to `http://apicast-staging:8090/policies`.
	// +optional
	RegistryURL *string `json:"registryURL,omitempty"`

	// image overrides the container image of both gateways.
	// +optional
	Image *string `json:"image,omitempty"`

	// productionSpec configures the apicast-production gateway.
	// +optional
	ProductionSpec *ApicastProductionSpec `json:"productionSpec,omitempty"`

	// stagingSpec configures the apicast-staging gateway.
	// +optional
	StagingSpec *ApicastStagingSpec `json:"stagingSpec,omitempty"`
}

// ApicastProductionSpec configures the apicast-production gateway.
type ApicastProductionSpec struct {
	// replicas is the number of apicast-production pods. Ignored when hpa is true. When unset, the
	// operator creates 1 replica and then leaves the count alone.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Replicas *int64 `json:"replicas,omitempty"`

	// resources are the compute resources of the gateway container; they replace the defaults set by
	// resourceRequirementsEnabled.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// workers is the number of nginx worker processes (APICAST_WORKERS). Defaults to a value
	// computed by APIcast from the available CPUs.
	// +optional
	// +kubebuilder:validation:Minimum=1
	Workers *int32 `json:"workers,omitempty"`

	// hpa creates a HorizontalPodAutoscaler for apicast-production (1 to 5 pods, 90% CPU and
	// memory); replicas is then ignored. Defaults to false.
	// +optional
	Hpa bool `json:"hpa,omitempty"`

	// ApicastGatewaySpec holds the gateway settings shared with staging.
	ApicastGatewaySpec `json:",inline"`
	// PodPlacementSpec holds the scheduling and metadata settings of the pods.
	PodPlacementSpec `json:",inline"`
}

// ApicastStagingSpec configures the apicast-staging gateway.
type ApicastStagingSpec struct {
	// replicas is the number of apicast-staging pods. When unset, the operator creates 1 replica
	// and then leaves the count alone.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Replicas *int64 `json:"replicas,omitempty"`

	// resources are the compute resources of the gateway container; they replace the defaults set by
	// resourceRequirementsEnabled.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// ApicastGatewaySpec holds the gateway settings shared with production.
	ApicastGatewaySpec `json:",inline"`
	// PodPlacementSpec holds the scheduling and metadata settings of the pods.
	PodPlacementSpec `json:",inline"`
}

// ApicastGatewaySpec holds the gateway settings shared by apicast-staging and apicast-production.
type ApicastGatewaySpec struct {
	// logLevel is the log level of the OpenResty logs (APICAST_LOG_LEVEL).
	// +optional
	// +kubebuilder:validation:Enum=debug;info;notice;warn;error;crit;alert;emerg
	LogLevel *string `json:"logLevel,omitempty"`

	// customPolicies are custom APIcast policies loaded by the gateway. Each (name, version) pair
	// must be unique.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:XValidation:rule="self.all(p, self.exists_one(q, q.name == p.name && q.version == p.version))",message="customPolicies: each (name, version) pair must be unique; remove or rename the duplicate entry"
	CustomPolicies []CustomPolicySpec `json:"customPolicies,omitempty"`

	// openTracing configures OpenTracing.
	// Deprecated: use openTelemetry.
	// +optional
	OpenTracing *APIcastOpenTracingSpec `json:"openTracing,omitempty"`

	// openTelemetry configures OpenTelemetry tracing of the gateway.
	// +optional
	OpenTelemetry *OpenTelemetrySpec `json:"openTelemetry,omitempty"`

	// customEnvironments are Secrets whose keys are Lua environment files loaded by the gateway
	// (APICAST_ENVIRONMENT). Each Secret may be listed only once.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:XValidation:rule="self.all(e, self.exists_one(f, f.secretRef.name == e.secretRef.name))",message="customEnvironments: each secretRef.name must be listed only once; remove the duplicate entry"
	CustomEnvironments []CustomEnvironmentSpec `json:"customEnvironments,omitempty"`

	// httpsPort is the port on which the gateway serves HTTPS (APICAST_HTTPS_PORT). Setting it, or
	// httpsCertificateSecretRef, turns on TLS; plain HTTP keeps working on 8080. Defaults to 8443
	// when httpsCertificateSecretRef is set. Must not be 8080.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	// +kubebuilder:validation:XValidation:rule="self != 8080",message="httpsPort must not be 8080, the plain HTTP port of APIcast; use another port such as 8443"
	HTTPSPort *int32 `json:"httpsPort,omitempty"`

	// httpsVerifyDepth is the maximum length of the client certificate chain
	// (APICAST_HTTPS_VERIFY_DEPTH).
	// +optional
	// +kubebuilder:validation:Minimum=0
	HTTPSVerifyDepth *int64 `json:"httpsVerifyDepth,omitempty"`

	// httpsCertificateSecretRef names a `kubernetes.io/tls` Secret (keys `tls.crt` and `tls.key`)
	// with the certificate the gateway serves. When unset and httpsPort is set, APIcast uses a
	// certificate bundled in its image.
	// +optional
	HTTPSCertificateSecretRef *LocalSecretReference `json:"httpsCertificateSecretRef,omitempty"`

	// allProxy is the HTTP(S) proxy used when no protocol-specific proxy is set (ALL_PROXY), as
	// `<scheme>://<host>:<port>`. Proxy authentication is not supported.
	// +optional
	AllProxy *string `json:"allProxy,omitempty"`

	// httpProxy is the proxy used to reach HTTP services (HTTP_PROXY), as `<scheme>://<host>:<port>`.
	// +optional
	HTTPProxy *string `json:"httpProxy,omitempty"`

	// httpsProxy is the proxy used to reach HTTPS services (HTTPS_PROXY), as
	// `<scheme>://<host>:<port>`.
	// +optional
	HTTPSProxy *string `json:"httpsProxy,omitempty"`

	// noProxy is a comma-separated list of host and domain names not to proxy (NO_PROXY); `*`
	// disables the proxy.
	// +optional
	NoProxy *string `json:"noProxy,omitempty"`

	// serviceCacheSize is the number of products the gateway keeps in its internal cache
	// (APICAST_SERVICE_CACHE_SIZE).
	// +optional
	// +kubebuilder:validation:Minimum=0
	ServiceCacheSize *int32 `json:"serviceCacheSize,omitempty"`
}

// CustomPolicySpec is a custom APIcast policy loaded from a Secret.
type CustomPolicySpec struct {
	// name is the name of the policy, as in its `apicast-policy.json`.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	Name string `json:"name"`

	// version is the version of the policy, as in its `apicast-policy.json`.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	Version string `json:"version"`

	// secretRef names the Secret holding the policy: `init.lua`, `apicast-policy.json` and any
	// other Lua file the policy needs.
	// +required
	SecretRef *LocalSecretReference `json:"secretRef"`
}

// CustomEnvironmentSpec is a Secret of APIcast Lua environment files.
type CustomEnvironmentSpec struct {
	// secretRef names the Secret; each of its keys is one environment file.
	// +required
	SecretRef *LocalSecretReference `json:"secretRef"`
}

// APIcastOpenTracingSpec configures OpenTracing.
// Deprecated: use OpenTelemetrySpec.
type APIcastOpenTracingSpec struct {
	// enabled turns on OpenTracing. Defaults to false.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`

	// tracingLibrary is the tracer to load; only `jaeger` is supported. Defaults to `jaeger`.
	// +optional
	// +kubebuilder:validation:Enum=jaeger
	TracingLibrary *string `json:"tracingLibrary,omitempty"`

	// tracingConfigSecretRef names a Secret whose `config` key holds the tracer configuration.
	// Defaults to the configuration bundled with the tracing library.
	// +optional
	TracingConfigSecretRef *LocalSecretReference `json:"tracingConfigSecretRef,omitempty"`
}

// OpenTelemetrySpec configures OpenTelemetry tracing of a gateway (OTLP over gRPC).
type OpenTelemetrySpec struct {
	// enabled turns on OpenTelemetry tracing. Defaults to false.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`

	// tracingConfigSecretRef names a Secret holding the configuration of the nginx OpenTelemetry
	// module (https://github.com/open-telemetry/opentelemetry-cpp-contrib/tree/main/instrumentation/nginx).
	// +optional
	TracingConfigSecretRef *LocalSecretReference `json:"tracingConfigSecretRef,omitempty"`

	// tracingConfigSecretKey is the key of that Secret holding the configuration. Defaults to the
	// first key in lexicographic order.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]+$`
	TracingConfigSecretKey *string `json:"tracingConfigSecretKey,omitempty"`
}
