package render

import (
	"crypto/sha256"
	"encoding/hex"
	"path"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

// APIcast ports, as in the existing operator.
const (
	apicastManagementPort int32 = 8090
	apicastMetricsPort    int32 = 9421
)

// Where APIcast finds the files the spec points it to. APIcast loads every policy under
// policies/<name>/<version> and every environment file listed in APICAST_ENVIRONMENT.
const (
	apicastPoliciesDir       = "/opt/app-root/src/policies"
	apicastEnvironmentsDir   = "/opt/app-root/src/environments"
	apicastTLSDir            = "/var/run/secrets/tls"
	apicastOpenTracingDir    = "/opt/app-root/src/tracing-configs"
	apicastOpenTelemetryDir  = "/opt/app-root/src/otel-configs"
	apicastOpenTracingKey    = "config"
	apicastTLSVolume         = "https-certificates"
	apicastOpenTracingVolume = "tracing-config-volume"
	apicastOTelVolume        = "otel-volume"
)

// gateway gathers what differs between apicast-staging and apicast-production, so that one builder
// renders both.
type gateway struct {
	name, element string
	// deploymentEnv is THREESCALE_DEPLOYMENT_ENV: staging or production.
	deploymentEnv string
	// loader and cache are APICAST_CONFIGURATION_LOADER and APICAST_CONFIGURATION_CACHE: staging
	// loads each product's configuration lazily and never caches it, so edits show at once.
	loader, cache string
	spec          *appsv1alpha1.ApicastGatewaySpec
	placement     *appsv1alpha1.PodPlacementSpec
	replicas      *int64
	resources     *corev1.ResourceRequirements
	hpa           bool
	workers       *int32
	defaults      corev1.ResourceRequirements
	// waitForSystem adds an init container that waits for system-master: production loads its whole
	// configuration at boot and would otherwise start empty.
	waitForSystem bool
}

// apicastGateways returns the staging and production gateways of in.
func apicastGateways(in *Inputs) []gateway {
	staging := gateway{
		name: ApicastStagingName, element: "staging", deploymentEnv: "staging", loader: "lazy", cache: "0",
		spec:     in.APIManager.ApicastStagingGateway(),
		defaults: requirements("50m", "64Mi", "100m", "128Mi"),
	}
	if a := in.spec().Apicast; a != nil && a.StagingSpec != nil {
		s := a.StagingSpec
		staging.placement, staging.replicas, staging.resources = &s.PodPlacementSpec, s.Replicas, s.Resources
	}
	production := gateway{
		name: ApicastProductionName, element: "production", deploymentEnv: "production", loader: "boot", cache: "300",
		spec:          in.APIManager.ApicastProductionGateway(),
		defaults:      requirements("500m", "64Mi", "1000m", "128Mi"),
		waitForSystem: true,
	}
	if a := in.spec().Apicast; a != nil && a.ProductionSpec != nil {
		p := a.ProductionSpec
		production.placement, production.replicas, production.resources = &p.PodPlacementSpec, p.Replicas, p.Resources
		production.hpa, production.workers = p.Hpa, p.Workers
		if p.Hpa {
			// An HPA scales on utilization of the requests; requests equal to limits make that
			// utilization mean what it says.
			production.defaults = requirements("1000m", "128Mi", "1000m", "128Mi")
		}
	}
	return []gateway{staging, production}
}

// Apicast returns the APIcast staging and production gateways: the apicast-environment ConfigMap,
// a Deployment and Service each, the production HPA when asked, and PDBs when enabled.
func Apicast(in *Inputs) []client.Object {
	if !in.ok() {
		return nil
	}
	envData := apicastEnvironmentData(in)
	objs := []client.Object{NewConfigMap(in, ApicastEnvironmentConfigMap, ComponentApicast, "environment", envData)}
	for _, g := range apicastGateways(in) {
		objs = append(objs, apicastDeployment(in, g, envData), apicastService(in, g))
		if g.hpa {
			objs = append(objs, NewHorizontalPodAutoscaler(in, g.name, ComponentApicast, g.element))
		}
		if in.APIManager.IsPDBEnabled() {
			objs = append(objs, NewPodDisruptionBudget(in, g.name, ComponentApicast, g.element))
		}
	}
	return objs
}

// apicastEnvironmentData is the data of the apicast-environment ConfigMap, shared by both gateways.
func apicastEnvironmentData(in *Inputs) map[string]string {
	return map[string]string{
		"APICAST_MANAGEMENT_API": in.APIManager.ApicastManagementAPIOrDefault(),
		"OPENSSL_VERIFY":         strconv.FormatBool(in.APIManager.ApicastOpenSSLVerifyOrDefault()),
		"APICAST_RESPONSE_CODES": strconv.FormatBool(in.APIManager.ApicastResponseCodesOrDefault()),
	}
}

// apicastService exposes the gateway, management and metrics ports, and HTTPS when enabled.
func apicastService(in *Inputs, g gateway) *corev1.Service {
	ports := []corev1.ServicePort{
		servicePort("gateway", appsv1alpha1.ApicastHTTPPort, intstr.FromInt32(appsv1alpha1.ApicastHTTPPort)),
		servicePort("management", apicastManagementPort, intstr.FromInt32(apicastManagementPort)),
		servicePort("metrics", apicastMetricsPort, intstr.FromInt32(apicastMetricsPort)),
	}
	if p := g.spec.HTTPSPortOrDefault(); p != nil {
		ports = append(ports, servicePort("httpsproxy", *p, intstr.FromInt32(*p)))
	}
	return NewService(in, g.name, ComponentApicast, g.element, g.name, ports...)
}

// apicastDeployment renders one gateway's Deployment.
func apicastDeployment(in *Inputs, g gateway, envData map[string]string) client.Object {
	files := apicastFiles(in, g)
	ports := []corev1.ContainerPort{
		containerPort("proxy", appsv1alpha1.ApicastHTTPPort),
		containerPort("management", apicastManagementPort),
		containerPort("metrics", apicastMetricsPort),
	}
	if p := g.spec.HTTPSPortOrDefault(); p != nil {
		ports = append(ports, containerPort("httpsproxy", *p))
	}
	container := corev1.Container{
		Name:            g.name,
		Image:           in.Images.Apicast,
		ImagePullPolicy: corev1.PullIfNotPresent,
		Ports:           ports,
		Env:             append(apicastEnv(g), files.env...),
		Resources:       resources(in, g.resources, g.defaults),
		VolumeMounts:    files.mounts,
		LivenessProbe:   httpProbe("/status/live", apicastManagementPort, 10, 5, 10),
		ReadinessProbe:  httpProbe("/status/ready", apicastManagementPort, 15, 5, 30),
	}
	pod := corev1.PodSpec{Containers: []corev1.Container{container}, Volumes: files.volumes}
	if g.waitForSystem {
		pod.InitContainers = []corev1.Container{{
			Name:    "system-master-svc",
			Image:   in.Images.Apicast,
			Command: []string{"sh", "-c", "until $(curl --output /dev/null --silent --fail --head http://system-master:3000/status); do sleep $SLEEP_SECONDS; done"},
			Env:     []corev1.EnvVar{envValue("SLEEP_SECONDS", "1")},
		}}
	}
	return NewDeployment(in, Workload{
		Name: g.name, Component: ComponentApicast, Element: g.element,
		Placement:      g.placement,
		Secrets:        append([]string{SystemMasterApicastSecret, BackendListenerSecret}, files.secrets...),
		ConfigMapData:  []map[string]string{envData},
		Replicas:       replicas(g.replicas, g.hpa),
		PodAnnotations: prometheusAnnotations(apicastMetricsPort),
	}, pod)
}

// apicastEnv returns the environment of a gateway that does not depend on mounted files.
func apicastEnv(g gateway) []corev1.EnvVar {
	env := []corev1.EnvVar{
		envSecret("THREESCALE_PORTAL_ENDPOINT", SystemMasterApicastSecret, "PROXY_CONFIGS_ENDPOINT"),
		envSecret("BACKEND_ENDPOINT_OVERRIDE", BackendListenerSecret, "service_endpoint"),
		envConfigMap("APICAST_MANAGEMENT_API", ApicastEnvironmentConfigMap, "APICAST_MANAGEMENT_API"),
		envConfigMap("OPENSSL_VERIFY", ApicastEnvironmentConfigMap, "OPENSSL_VERIFY"),
		envConfigMap("APICAST_RESPONSE_CODES", ApicastEnvironmentConfigMap, "APICAST_RESPONSE_CODES"),
		envValue("APICAST_EXTENDED_METRICS", "true"),
		envValue("APICAST_CONFIGURATION_LOADER", g.loader),
		envValue("APICAST_CONFIGURATION_CACHE", g.cache),
		envValue("THREESCALE_DEPLOYMENT_ENV", g.deploymentEnv),
	}
	if g.workers != nil {
		env = append(env, envValue("APICAST_WORKERS", strconv.Itoa(int(*g.workers))))
	}
	s := g.spec
	if s == nil {
		return env
	}
	optional := func(name string, v *string) {
		if v != nil && *v != "" {
			env = append(env, envValue(name, *v))
		}
	}
	optional("APICAST_LOG_LEVEL", s.LogLevel)
	optional("ALL_PROXY", s.AllProxy)
	optional("HTTP_PROXY", s.HTTPProxy)
	optional("HTTPS_PROXY", s.HTTPSProxy)
	optional("NO_PROXY", s.NoProxy)
	if s.ServiceCacheSize != nil {
		env = append(env, envValue("APICAST_SERVICE_CACHE_SIZE", strconv.Itoa(int(*s.ServiceCacheSize))))
	}
	if p := s.HTTPSPortOrDefault(); p != nil {
		env = append(env, envValue("APICAST_HTTPS_PORT", strconv.Itoa(int(*p))))
	}
	if s.HTTPSVerifyDepth != nil {
		env = append(env, envValue("APICAST_HTTPS_VERIFY_DEPTH", strconv.FormatInt(*s.HTTPSVerifyDepth, 10)))
	}
	return env
}

// apicastMounts are the volumes, mounts, environment variables and Secrets that come with the files
// a gateway's spec points to.
type apicastMounts struct {
	volumes []corev1.Volume
	mounts  []corev1.VolumeMount
	env     []corev1.EnvVar
	secrets []string
}

func (m *apicastMounts) add(volume corev1.Volume, mountPath string, secret string) {
	m.volumes = append(m.volumes, volume)
	m.mounts = append(m.mounts, corev1.VolumeMount{Name: volume.Name, MountPath: mountPath, ReadOnly: true})
	m.secrets = append(m.secrets, secret)
}

// apicastFiles returns the Secret volumes of a gateway: its TLS certificate, tracing configuration,
// custom policies and custom environments.
func apicastFiles(in *Inputs, g gateway) apicastMounts {
	var m apicastMounts
	s := g.spec
	if s == nil {
		return m
	}
	if ref := s.HTTPSCertificateSecretRef; ref != nil && ref.Name != "" {
		m.add(secretVolume(apicastTLSVolume, ref.Name), apicastTLSDir, ref.Name)
		m.env = append(m.env,
			envValue("APICAST_HTTPS_CERTIFICATE", path.Join(apicastTLSDir, corev1.TLSCertKey)),
			envValue("APICAST_HTTPS_CERTIFICATE_KEY", path.Join(apicastTLSDir, corev1.TLSPrivateKeyKey)))
	}
	if s.OpenTracingEnabled() {
		m.env = append(m.env, envValue("OPENTRACING_TRACER", "jaeger"))
		if ref := s.OpenTracing.TracingConfigSecretRef; ref != nil && ref.Name != "" {
			v := secretVolume(apicastOpenTracingVolume, ref.Name)
			v.Secret.Items = []corev1.KeyToPath{{Key: apicastOpenTracingKey, Path: apicastOpenTracingKey}}
			m.add(v, apicastOpenTracingDir, ref.Name)
			m.env = append(m.env, envValue("OPENTRACING_CONFIG", path.Join(apicastOpenTracingDir, apicastOpenTracingKey)))
		}
	}
	if s.OpenTelemetryEnabled() {
		m.env = append(m.env, envValue("OPENTELEMETRY", "1"))
		if ref := s.OpenTelemetry.TracingConfigSecretRef; ref != nil && ref.Name != "" {
			m.add(secretVolume(apicastOTelVolume, ref.Name), apicastOpenTelemetryDir, ref.Name)
			if key := openTelemetryKey(in, s.OpenTelemetry); key != "" {
				m.env = append(m.env, envValue("OPENTELEMETRY_CONFIG", path.Join(apicastOpenTelemetryDir, key)))
			}
		}
	}
	for _, p := range s.CustomPolicies {
		if p.SecretRef == nil || p.SecretRef.Name == "" {
			continue
		}
		m.add(secretVolume(shortName("policy", p.Name+"/"+p.Version), p.SecretRef.Name),
			path.Join(apicastPoliciesDir, p.Name, p.Version), p.SecretRef.Name)
	}
	var envFiles []string
	for _, e := range s.CustomEnvironments {
		if e.SecretRef == nil || e.SecretRef.Name == "" {
			continue
		}
		dir := path.Join(apicastEnvironmentsDir, e.SecretRef.Name)
		m.add(secretVolume(shortName("custom-env", e.SecretRef.Name), e.SecretRef.Name), dir, e.SecretRef.Name)
		for _, k := range in.secretKeys(e.SecretRef.Name) {
			envFiles = append(envFiles, path.Join(dir, k))
		}
	}
	if len(envFiles) > 0 {
		sort.Strings(envFiles)
		m.env = append(m.env, envValue("APICAST_ENVIRONMENT", strings.Join(envFiles, ":")))
	}
	return m
}

// openTelemetryKey returns the key of the OpenTelemetry Secret holding the configuration: the
// spec's, else the first key of the Secret in lexicographic order, else "" when the Secret is not
// known yet (the status then reports it missing).
func openTelemetryKey(in *Inputs, o *appsv1alpha1.OpenTelemetrySpec) string {
	if o.TracingConfigSecretKey != nil && *o.TracingConfigSecretKey != "" {
		return *o.TracingConfigSecretKey
	}
	if keys := in.secretKeys(o.TracingConfigSecretRef.Name); len(keys) > 0 {
		return keys[0]
	}
	return ""
}

// shortName returns `<prefix>-<10 hex digits of sha256(s)>`: a stable volume name (a DNS label of
// at most 63 characters) for user-chosen strings of any length and alphabet.
func shortName(prefix, s string) string {
	sum := sha256.Sum256([]byte(s))
	return prefix + "-" + hex.EncodeToString(sum[:5])
}
