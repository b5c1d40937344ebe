package v1alpha1

import "strings"

// Defaults applied in memory. The operator never writes them into the spec: a field left unset
// keeps following the default of the running operator.
const (
	// DefaultAppLabel is the default value of spec.appLabel.
	DefaultAppLabel = "3scale-api-management"
	// DefaultTenantName is the default value of spec.tenantName.
	DefaultTenantName = "3scale"
	// DefaultMasterSubdomain is the first label of the master portal host (MASTER_DOMAIN of the
	// system-seed Secret).
	DefaultMasterSubdomain = "master"
	// DefaultApicastManagementAPI is the default value of spec.apicast.managementAPI.
	DefaultApicastManagementAPI = "status"
	// DefaultApicastRegistryURL is the default value of spec.apicast.registryURL.
	DefaultApicastRegistryURL = "http://apicast-staging:8090/policies"
	// ApicastHTTPPort is the port on which APIcast serves plain HTTP; httpsPort must differ from it.
	ApicastHTTPPort int32 = 8080
	// DefaultApicastHTTPSPort is the HTTPS port of a gateway given a certificate but no httpsPort.
	DefaultApicastHTTPSPort int32 = 8443
	// DefaultS3STSAudience is the default audience of the projected token used for S3 STS.
	DefaultS3STSAudience = "openshift"
)

// boolOr returns *p, or def when p is nil.
func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

// stringOr returns *p, or def when p is nil.
func stringOr(p *string, def string) string {
	if p == nil {
		return def
	}
	return *p
}

// AppLabelOrDefault returns the value of the `app` label of the platform's objects.
func (a *APIManager) AppLabelOrDefault() string {
	return stringOr(a.Spec.AppLabel, DefaultAppLabel)
}

// TenantNameOrDefault returns the name of the default tenant.
func (a *APIManager) TenantNameOrDefault() string {
	return stringOr(a.Spec.TenantName, DefaultTenantName)
}

// ResourceRequirementsEnabledOrDefault reports whether containers get the default requests and limits.
func (a *APIManager) ResourceRequirementsEnabledOrDefault() bool {
	return boolOr(a.Spec.ResourceRequirementsEnabled, true)
}

// The host names below are the one place where the platform's public DNS names are derived from
// the spec. They are lower case because Route hosts must be, while DNS itself ignores case.

// wildcardDomain returns the wildcard domain in lower case.
func (a *APIManager) wildcardDomain() string {
	return strings.ToLower(a.Spec.WildcardDomain)
}

// subdomainHost returns `<label>.<wildcardDomain>` in lower case.
func (a *APIManager) subdomainHost(label string) string {
	return strings.ToLower(label) + "." + a.wildcardDomain()
}

// AdminPortalHost is the host of the default tenant's admin portal: `<tenant>-admin.<wildcardDomain>`.
func (a *APIManager) AdminPortalHost() string {
	return a.subdomainHost(a.TenantNameOrDefault() + "-admin")
}

// AdminURL is the URL of the default tenant's admin portal, which is also the base URL of its
// Account Management API: `https://<tenant>-admin.<wildcardDomain>`.
func (a *APIManager) AdminURL() string {
	return "https://" + a.AdminPortalHost()
}

// DeveloperPortalHost is the host of the default tenant's developer portal: `<tenant>.<wildcardDomain>`.
func (a *APIManager) DeveloperPortalHost() string {
	return a.subdomainHost(a.TenantNameOrDefault())
}

// MasterHost is the host of the master portal: `master.<wildcardDomain>`.
func (a *APIManager) MasterHost() string {
	return a.subdomainHost(DefaultMasterSubdomain)
}

// MasterURL is the URL of the master portal and of the Master API: `https://master.<wildcardDomain>`.
func (a *APIManager) MasterURL() string {
	return "https://" + a.MasterHost()
}

// BackendHost is the host of the backend-listener Route: `backend-<tenant>.<wildcardDomain>`.
func (a *APIManager) BackendHost() string {
	return a.subdomainHost("backend-" + a.TenantNameOrDefault())
}

// ApicastProductionHost is the host of the default tenant's production gateway Route:
// `api-<tenant>-apicast-production.<wildcardDomain>`.
func (a *APIManager) ApicastProductionHost() string {
	return a.subdomainHost("api-" + a.TenantNameOrDefault() + "-apicast-production")
}

// ApicastStagingHost is the host of the default tenant's staging gateway Route:
// `api-<tenant>-apicast-staging.<wildcardDomain>`.
func (a *APIManager) ApicastStagingHost() string {
	return a.subdomainHost("api-" + a.TenantNameOrDefault() + "-apicast-staging")
}

// ApicastManagementAPIOrDefault returns the APIcast management API scope.
func (a *APIManager) ApicastManagementAPIOrDefault() string {
	if a.Spec.Apicast == nil {
		return DefaultApicastManagementAPI
	}
	return stringOr(a.Spec.Apicast.ApicastManagementAPI, DefaultApicastManagementAPI)
}

// ApicastOpenSSLVerifyOrDefault reports whether APIcast verifies peers when downloading its configuration.
func (a *APIManager) ApicastOpenSSLVerifyOrDefault() bool {
	return a.Spec.Apicast != nil && boolOr(a.Spec.Apicast.OpenSSLVerify, false)
}

// ApicastResponseCodesOrDefault reports whether APIcast reports response codes to 3scale.
func (a *APIManager) ApicastResponseCodesOrDefault() bool {
	return a.Spec.Apicast == nil || boolOr(a.Spec.Apicast.IncludeResponseCodes, true)
}

// ApicastRegistryURLOrDefault returns the URL of the APIcast policy registry.
func (a *APIManager) ApicastRegistryURLOrDefault() string {
	if a.Spec.Apicast == nil {
		return DefaultApicastRegistryURL
	}
	return stringOr(a.Spec.Apicast.RegistryURL, DefaultApicastRegistryURL)
}

// HTTPSPortOrDefault returns the port on which the gateway serves HTTPS, or nil when TLS is off:
// httpsPort when set, else DefaultApicastHTTPSPort when a certificate Secret is set. It accepts a
// nil receiver (gateway not configured).
func (g *ApicastGatewaySpec) HTTPSPortOrDefault() *int32 {
	switch {
	case g == nil:
		return nil
	case g.HTTPSPort != nil:
		port := *g.HTTPSPort
		return &port
	case g.HTTPSCertificateSecretRef != nil:
		port := DefaultApicastHTTPSPort
		return &port
	default:
		return nil
	}
}

// OpenTelemetryEnabled reports whether the gateway exports OpenTelemetry traces. It accepts a nil receiver.
func (g *ApicastGatewaySpec) OpenTelemetryEnabled() bool {
	return g != nil && g.OpenTelemetry != nil && boolOr(g.OpenTelemetry.Enabled, false)
}

// OpenTracingEnabled reports whether the gateway uses the deprecated OpenTracing integration. It
// accepts a nil receiver.
func (g *ApicastGatewaySpec) OpenTracingEnabled() bool {
	return g != nil && g.OpenTracing != nil && boolOr(g.OpenTracing.Enabled, false)
}

// ApicastProductionGateway returns the gateway settings of apicast-production, or nil when unset.
func (a *APIManager) ApicastProductionGateway() *ApicastGatewaySpec {
	if a.Spec.Apicast == nil || a.Spec.Apicast.ProductionSpec == nil {
		return nil
	}
	return &a.Spec.Apicast.ProductionSpec.ApicastGatewaySpec
}

// ApicastStagingGateway returns the gateway settings of apicast-staging, or nil when unset.
func (a *APIManager) ApicastStagingGateway() *ApicastGatewaySpec {
	if a.Spec.Apicast == nil || a.Spec.Apicast.StagingSpec == nil {
		return nil
	}
	return &a.Spec.Apicast.StagingSpec.ApicastGatewaySpec
}

// IsZyncEnabled reports whether zync is deployed (the default).
func (a *APIManager) IsZyncEnabled() bool {
	return a.Spec.Zync == nil || boolOr(a.Spec.Zync.Enabled, true)
}

// IsPDBEnabled reports whether PodDisruptionBudgets are created.
func (a *APIManager) IsPDBEnabled() bool {
	return a.Spec.PodDisruptionBudget != nil && a.Spec.PodDisruptionBudget.Enabled
}

// IsMonitoringEnabled reports whether monitoring objects are created.
func (a *APIManager) IsMonitoringEnabled() bool {
	return a.Spec.Monitoring != nil && a.Spec.Monitoring.Enabled
}

// IsPrometheusRulesEnabled reports whether alerting PrometheusRules are created.
func (a *APIManager) IsPrometheusRulesEnabled() bool {
	return a.IsMonitoringEnabled() && boolOr(a.Spec.Monitoring.EnablePrometheusRules, true)
}

// IsS3Enabled reports whether system files are stored in S3 instead of a volume.
func (a *APIManager) IsS3Enabled() bool {
	return a.Spec.System != nil && a.Spec.System.FileStorageSpec != nil && a.Spec.System.FileStorageSpec.S3 != nil
}

// IsS3STSEnabled reports whether S3 is reached with STS credentials instead of IAM keys.
func (a *APIManager) IsS3STSEnabled() bool {
	if !a.IsS3Enabled() {
		return false
	}
	sts := a.Spec.System.FileStorageSpec.S3.STS
	return sts != nil && boolOr(sts.Enabled, false)
}

// S3STSAudienceOrDefault returns the audience of the projected token used for S3 STS.
func (a *APIManager) S3STSAudienceOrDefault() string {
	if !a.IsS3Enabled() || a.Spec.System.FileStorageSpec.S3.STS == nil {
		return DefaultS3STSAudience
	}
	return stringOr(a.Spec.System.FileStorageSpec.S3.STS.Audience, DefaultS3STSAudience)
}

// externalComponents returns the effective external components: spec.externalComponents when
// set, else the mapping of the deprecated spec.highAvailability, else nil (nothing external).
func (a *APIManager) externalComponents() *ExternalComponentsSpec {
	if a.Spec.ExternalComponents != nil {
		return a.Spec.ExternalComponents
	}
	ha := a.Spec.HighAvailability
	if ha == nil || !ha.Enabled {
		return nil
	}
	yes := true
	e := &ExternalComponentsSpec{
		System:  &ExternalSystemComponents{Redis: &yes, Database: &yes},
		Backend: &ExternalBackendComponents{Redis: &yes},
	}
	if boolOr(ha.ExternalZyncDatabaseEnabled, false) {
		e.Zync = &ExternalZyncComponents{Database: &yes}
	}
	return e
}

// IsSystemDatabaseExternal reports whether the system database is provided by the user.
func (a *APIManager) IsSystemDatabaseExternal() bool {
	e := a.externalComponents()
	return e != nil && e.System != nil && boolOr(e.System.Database, false)
}

// IsSystemRedisExternal reports whether the system Redis is provided by the user.
func (a *APIManager) IsSystemRedisExternal() bool {
	e := a.externalComponents()
	return e != nil && e.System != nil && boolOr(e.System.Redis, false)
}

// IsBackendRedisExternal reports whether the backend Redis is provided by the user.
func (a *APIManager) IsBackendRedisExternal() bool {
	e := a.externalComponents()
	return e != nil && e.Backend != nil && boolOr(e.Backend.Redis, false)
}

// IsZyncDatabaseExternal reports whether the zync database is provided by the user.
func (a *APIManager) IsZyncDatabaseExternal() bool {
	e := a.externalComponents()
	return e != nil && e.Zync != nil && boolOr(e.Zync.Database, false)
}

// IsBackendRedisTLSEnabled reports whether backend connects to its storage Redis over TLS.
func (a *APIManager) IsBackendRedisTLSEnabled() bool {
	return a.Spec.Backend != nil && boolOr(a.Spec.Backend.BackendRedisTLSEnabled, false)
}

// IsQueuesRedisTLSEnabled reports whether backend connects to its queues Redis over TLS.
func (a *APIManager) IsQueuesRedisTLSEnabled() bool {
	return a.Spec.Backend != nil && boolOr(a.Spec.Backend.QueuesRedisTLSEnabled, false)
}

// IsSystemDatabaseTLSEnabled reports whether system connects to its database over TLS.
func (a *APIManager) IsSystemDatabaseTLSEnabled() bool {
	return a.Spec.System != nil && boolOr(a.Spec.System.SystemDatabaseTLSEnabled, false)
}

// IsSystemRedisTLSEnabled reports whether system connects to its Redis over TLS.
func (a *APIManager) IsSystemRedisTLSEnabled() bool {
	return a.Spec.System != nil && boolOr(a.Spec.System.SystemRedisTLSEnabled, false)
}

// IsZyncDatabaseTLSEnabled reports whether zync connects to its database over TLS.
func (a *APIManager) IsZyncDatabaseTLSEnabled() bool {
	return a.Spec.Zync != nil && boolOr(a.Spec.Zync.ZyncDatabaseTLSEnabled, false)
}

// DeprecatedFieldsInUse returns the paths of the deprecated fields set in the spec, in a fixed
// order, so the status can warn about them. Setting them is harmless: most have no effect.
func (a *APIManager) DeprecatedFieldsInUse() []string {
	var paths []string
	add := func(set bool, path string) {
		if set {
			paths = append(paths, path)
		}
	}
	s := &a.Spec
	add(s.ImageStreamTagImportInsecure != nil, "spec.imageStreamTagImportInsecure")
	add(s.HighAvailability != nil, "spec.highAvailability")
	for _, gw := range []struct {
		path string
		spec *ApicastGatewaySpec
	}{
		{"spec.apicast.productionSpec", a.ApicastProductionGateway()},
		{"spec.apicast.stagingSpec", a.ApicastStagingGateway()},
	} {
		add(gw.spec != nil && gw.spec.OpenTracing != nil, gw.path+".openTracing")
	}
	if b := s.Backend; b != nil {
		add(b.RedisImage != nil || b.RedisPersistentVolumeClaimSpec != nil || b.RedisAffinity != nil ||
			b.RedisTolerations != nil || b.RedisResources != nil || b.RedisPriorityClassName != nil ||
			b.RedisTopologySpreadConstraints != nil || b.RedisLabels != nil || b.RedisAnnotations != nil,
			"spec.backend.redis*")
	}
	if sys := s.System; sys != nil {
		add(sys.RedisImage != nil || sys.RedisPersistentVolumeClaimSpec != nil || sys.RedisAffinity != nil ||
			sys.RedisTolerations != nil || sys.RedisResources != nil || sys.RedisPriorityClassName != nil ||
			sys.RedisTopologySpreadConstraints != nil || sys.RedisLabels != nil || sys.RedisAnnotations != nil,
			"spec.system.redis*")
		add(sys.DatabaseSpec != nil, "spec.system.database")
		add(sys.SphinxSpec != nil, "spec.system.sphinxSpec")
		add(sys.FileStorageSpec != nil && sys.FileStorageSpec.DeprecatedS3 != nil,
			"spec.system.fileStorage.amazonSimpleStorageService")
	}
	return paths
}

// PVCRetentionPolicyOrDefault returns spec.persistentVolumeClaimRetentionPolicy, Retain when unset.
func (a *APIManager) PVCRetentionPolicyOrDefault() PVCRetentionPolicy {
	if a.Spec.PersistentVolumeClaimRetentionPolicy == "" {
		return PVCRetentionPolicyRetain
	}
	return a.Spec.PersistentVolumeClaimRetentionPolicy
}
