package render

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strconv"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

// Ports of system (porta), as in the existing operator: each portal listens on its own port and
// exports Prometheus metrics on another; the three Services all listen on 3000.
const (
	systemServicePort          int32 = 3000
	systemMasterPort           int32 = 3002
	systemProviderPort         int32 = 3000
	systemDeveloperPort        int32 = 3001
	systemMasterMetricsPort    int32 = 9395
	systemProviderMetricsPort  int32 = 9396
	systemDeveloperMetricsPort int32 = 9394
	systemSidekiqMetricsPort   int32 = 9394
)

// Names of the system containers and Services. The Service names are those zync, APIcast and
// users' scripts reach system by.
const (
	SystemMasterName    = "system-master"
	SystemProviderName  = "system-provider"
	SystemDeveloperName = "system-developer"
)

// Volumes and paths of the system pods.
const (
	systemConfigVolume   = "system-config"
	systemConfigDir      = "/opt/system-extra-configs"
	systemTmpVolume      = "system-tmp"
	systemRedisTLSVolume = "system-redis-tls"
	systemRedisTLSDir    = "/tls/system-redis"
	// Backend Redis is read by system too (to report usage); same file names as in the existing
	// operator.
	backendRedisTLSVolume = "backend-redis-tls"
	backendRedisTLSDir    = "/tls/backend-redis"
	// The database client certificates are copied from the Secret volume to an emptyDir by the
	// set-permissions init container: libpq refuses a key readable by others, and a Secret volume's
	// files belong to root while porta runs as an arbitrary user.
	systemDatabaseTLSVolume = "system-database-tls"
	systemDatabaseTLSDir    = "/tls/system-database"
	writableTLSVolume       = "writable-tls"
	writableTLSDir          = "/writable-tls"
)

// Annotations and values that mark the hook Jobs of system-app.
const (
	// SystemAppHookAnnotation is set on the system-app hook Jobs to SystemAppPreHook or
	// SystemAppPostHook. The controller applies the pre hook and waits for it to complete before
	// applying system-app, and applies the post hook once system-app is available.
	SystemAppHookAnnotation = "apimanager.apps.3scale.net/system-app-hook"
	// SystemAppHookTemplateAnnotation holds a hash of the hook Job's pod template. A live Job of the
	// same name with another hash (or none: one the existing operator made) is replaced once it has
	// finished, unless it completed with the desired system image: the hooks migrate and seed the
	// database for an image, and need not run again for it. So a new system image runs them
	// again, and taking over an installation at the same image does not.
	SystemAppHookTemplateAnnotation = "apimanager.apps.3scale.net/system-app-hook-template"
	// SystemAppPreHook runs `rake boot openshift:deploy` (database migrations and seeds).
	SystemAppPreHook = "pre"
	// SystemAppPostHook runs `rake boot openshift:post_deploy`.
	SystemAppPostHook = "post"
)

// SMTPFromAddressKey is the optional key of the system-smtp Secret that sets the sender of the
// emails system sends (NOREPLY_EMAIL).
const SMTPFromAddressKey = "from_address"

// System returns porta: the system-environment and system ConfigMaps, the system-app Deployment
// (master, provider and developer containers) with its three Services and its pre and post hook
// Jobs, system-sidekiq, the system-storage claim (unless files go to S3), and PDBs when enabled.
// memcached and searchd are rendered by Memcached and Searchd.
func System(in *Inputs) []client.Object {
	if !in.ok() {
		return nil
	}
	envData := systemEnvironmentData(in)
	configData := systemConfigData(in)
	pods := newSystemPods(in, envData)

	objs := []client.Object{
		NewConfigMap(in, SystemEnvironmentConfigMap, ComponentSystem, "environment", envData),
		NewConfigMap(in, SystemConfigMap, ComponentSystem, "config", configData),
		systemAppDeployment(in, pods, envData, configData),
		systemSidekiqDeployment(in, pods, envData, configData),
		NewService(in, SystemMasterName, ComponentSystem, "master-ui", SystemAppName,
			servicePort("http", systemServicePort, intstr.FromString("master"))),
		NewService(in, SystemProviderName, ComponentSystem, "provider-ui", SystemAppName,
			servicePort("http", systemServicePort, intstr.FromString("provider"))),
		NewService(in, SystemDeveloperName, ComponentSystem, "developer-ui", SystemAppName,
			servicePort("http", systemServicePort, intstr.FromString("developer"))),
		systemHookJob(in, pods, SystemAppPreHook),
		systemHookJob(in, pods, SystemAppPostHook),
	}
	if claim := systemStorageClaim(in); claim != nil {
		objs = append(objs, claim)
	}
	if in.APIManager.IsPDBEnabled() {
		objs = append(objs,
			NewPodDisruptionBudget(in, SystemAppName, ComponentSystem, "app"),
			NewPodDisruptionBudget(in, SystemSidekiqName, ComponentSystem, "sidekiq"))
	}
	return objs
}

// systemEnvironmentData is the data of the system-environment ConfigMap; every key becomes an
// environment variable of the system pods.
func systemEnvironmentData(in *Inputs) map[string]string {
	data := map[string]string{
		"RAILS_ENV":              "production",
		"FORCE_SSL":              "true",
		"THREESCALE_SUPERDOMAIN": in.spec().WildcardDomain,
		"PROVIDER_PLAN":          "enterprise",
		"APICAST_REGISTRY_URL":   in.APIManager.ApicastRegistryURLOrDefault(),
		"RAILS_LOG_TO_STDOUT":    "true",
		"RAILS_LOG_LEVEL":        "info",
		"THINKING_SPHINX_PORT":   strconv.Itoa(int(searchdPort)),
		"THREESCALE_SANDBOX_PROXY_OPENSSL_VERIFY_MODE": "VERIFY_NONE",
		"SSL_CERT_DIR": "/etc/pki/tls/certs",
	}
	if in.APIManager.IsS3Enabled() {
		data["FILE_UPLOAD_STORAGE"] = "s3"
	}
	return data
}

// systemConfigData is the data of the `system` ConfigMap, mounted at /opt/system-extra-configs:
// how system reaches zync, its rolling-update flags and its service discovery settings.
func systemConfigData(in *Inputs) map[string]string {
	zyncEndpoint := ""
	if in.APIManager.IsZyncEnabled() {
		zyncEndpoint = "http://zync:8080"
	}
	return map[string]string{
		"zync.yml": "production:\n" +
			"  endpoint: '" + zyncEndpoint + "'\n" +
			"  authentication:\n" +
			"    token: \"<%= ENV.fetch('ZYNC_AUTHENTICATION_TOKEN', '') %>\"\n" +
			"  connect_timeout: 5\n" +
			"  send_timeout: 5\n" +
			"  receive_timeout: 10\n" +
			"  root_url:\n",
		"rolling_updates.yml": "production: {}\n",
		// File.exist? rather than the File.exists? of the existing operator's template: Ruby 3.2
		// removed the latter.
		"service_discovery.yml": "production:\n" +
			"  enabled: <%= cluster_token_file_exists = File.exist?(cluster_token_file_path = '/var/run/secrets/kubernetes.io/serviceaccount/token') %>\n" +
			"  server_scheme: 'https'\n" +
			"  server_host: 'kubernetes.default.svc.cluster.local'\n" +
			"  server_port: 443\n" +
			"  bearer_token: \"<%= File.read(cluster_token_file_path) if cluster_token_file_exists %>\"\n" +
			"  authentication_method: service_account\n" +
			"  oauth_server_type: builtin\n" +
			"  client_id:\n" +
			"  client_secret:\n" +
			"  timeout: 1\n" +
			"  open_timeout: 1\n" +
			"  max_retry: 5\n" +
			"  verify_ssl: <%= OpenSSL::SSL::VERIFY_NONE %>\n",
	}
}

// systemPods gathers what every system pod (app, sidekiq, hooks) shares.
type systemPods struct {
	// env is the environment every system container reads.
	env []corev1.EnvVar
	// redisEnv is the part of env that reaches system Redis (sidekiq's init container needs it).
	redisEnv []corev1.EnvVar
	storage  fileStorage
	// volumes are the pod volumes besides the file storage; mounts their mounts in a container.
	volumes []corev1.Volume
	mounts  []corev1.VolumeMount
	// redisMounts are the mounts needed to reach system Redis.
	redisMounts []corev1.VolumeMount
	// initContainers run before every system container (database certificate permissions).
	initContainers []corev1.Container
	// secrets are the Secrets every system pod reads.
	secrets []string
}

// newSystemPods computes the shared parts of the system pods.
func newSystemPods(in *Inputs, envData map[string]string) systemPods {
	apim := in.APIManager
	p := systemPods{storage: systemFileStorage(in)}
	p.volumes = []corev1.Volume{{Name: systemConfigVolume, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
		LocalObjectReference: corev1.LocalObjectReference{Name: SystemConfigMap},
		Items: []corev1.KeyToPath{
			{Key: "zync.yml", Path: "zync.yml"},
			{Key: "rolling_updates.yml", Path: "rolling_updates.yml"},
			{Key: "service_discovery.yml", Path: "service_discovery.yml"},
		},
	}}}}
	p.mounts = []corev1.VolumeMount{{Name: systemConfigVolume, MountPath: systemConfigDir, ReadOnly: true}}

	keys := make([]string, 0, len(envData))
	for k := range envData {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p.env = append(p.env, envConfigMap(k, SystemEnvironmentConfigMap, k))
	}
	p.env = append(p.env,
		envSecret("DATABASE_URL", SystemDatabaseSecret, "URL"),
		envSecret("MASTER_DOMAIN", SystemSeedSecret, "MASTER_DOMAIN"),
		envSecret("MASTER_USER", SystemSeedSecret, "MASTER_USER"),
		envSecret("MASTER_PASSWORD", SystemSeedSecret, "MASTER_PASSWORD"),
		envSecret("ADMIN_ACCESS_TOKEN", SystemSeedSecret, "ADMIN_ACCESS_TOKEN"),
		envSecret("USER_LOGIN", SystemSeedSecret, "ADMIN_USER"),
		envSecret("USER_PASSWORD", SystemSeedSecret, "ADMIN_PASSWORD"),
		envSecret("USER_EMAIL", SystemSeedSecret, "ADMIN_EMAIL"),
		envSecret("TENANT_NAME", SystemSeedSecret, "TENANT_NAME"),
		envValue("THINKING_SPHINX_ADDRESS", SystemSearchdName),
		envSecret("EVENTS_SHARED_SECRET", SystemEventsHookSecret, "PASSWORD"),
		envSecret("RECAPTCHA_PUBLIC_KEY", SystemRecaptchaSecret, "PUBLIC_KEY"),
		envSecret("RECAPTCHA_PRIVATE_KEY", SystemRecaptchaSecret, "PRIVATE_KEY"),
		envSecret("SECRET_KEY_BASE", SystemAppSecret, "SECRET_KEY_BASE"),
		envSecret("MEMCACHE_SERVERS", SystemMemcacheSecret, "SERVERS"),
	)

	// System Redis. Optional keys are read with optional references, so a user Secret without them
	// works without the operator writing into it (the existing operator adds them, empty).
	p.redisEnv = []corev1.EnvVar{
		envSecret("REDIS_URL", SystemRedisSecret, "URL"),
		envSecretOptional("REDIS_SENTINEL_HOSTS", SystemRedisSecret, "SENTINEL_HOSTS"),
		envSecretOptional("REDIS_SENTINEL_ROLE", SystemRedisSecret, "SENTINEL_ROLE"),
		envSecretOptional("REDIS_USERNAME", SystemRedisSecret, "REDIS_USERNAME"),
		envSecretOptional("REDIS_PASSWORD", SystemRedisSecret, "REDIS_PASSWORD"),
		envSecretOptional("REDIS_SENTINEL_USERNAME", SystemRedisSecret, "REDIS_SENTINEL_USERNAME"),
		envSecretOptional("REDIS_SENTINEL_PASSWORD", SystemRedisSecret, "REDIS_SENTINEL_PASSWORD"),
	}
	redisTLS := redisTLSFiles(in, apim.IsSystemRedisTLSEnabled(), SystemRedisSecret, systemRedisTLSVolume, systemRedisTLSDir, "system-redis", "REDIS")
	p.redisEnv = append(p.redisEnv, redisTLS.env...)
	p.redisMounts = redisTLS.mounts
	p.env = append(p.env, p.redisEnv...)
	p.volumes = append(p.volumes, redisTLS.volumes...)
	p.mounts = append(p.mounts, redisTLS.mounts...)

	// Backend Redis (storage), read by system to show usage.
	p.env = append(p.env,
		envSecret("BACKEND_REDIS_URL", BackendRedisSecret, "REDIS_STORAGE_URL"),
		envSecretOptional("BACKEND_REDIS_SENTINEL_HOSTS", BackendRedisSecret, "REDIS_STORAGE_SENTINEL_HOSTS"),
		envSecretOptional("BACKEND_REDIS_SENTINEL_ROLE", BackendRedisSecret, "REDIS_STORAGE_SENTINEL_ROLE"),
		envSecretOptional("BACKEND_REDIS_USERNAME", BackendRedisSecret, "REDIS_STORAGE_USERNAME"),
		envSecretOptional("BACKEND_REDIS_PASSWORD", BackendRedisSecret, "REDIS_STORAGE_PASSWORD"),
		envSecretOptional("BACKEND_REDIS_SENTINEL_USERNAME", BackendRedisSecret, "REDIS_STORAGE_SENTINEL_USERNAME"),
		envSecretOptional("BACKEND_REDIS_SENTINEL_PASSWORD", BackendRedisSecret, "REDIS_STORAGE_SENTINEL_PASSWORD"),
	)
	backendTLS := redisTLSFiles(in, apim.IsBackendRedisTLSEnabled(), BackendRedisSecret, backendRedisTLSVolume, backendRedisTLSDir, "backend-redis", "BACKEND_REDIS")
	p.env = append(p.env, backendTLS.env...)
	p.volumes = append(p.volumes, backendTLS.volumes...)
	p.mounts = append(p.mounts, backendTLS.mounts...)

	p.env = append(p.env,
		envSecret("BACKEND_URL", BackendListenerSecret, "service_endpoint"),
		envSecret("BACKEND_PUBLIC_URL", BackendListenerSecret, "route_endpoint"),
		envSecret("SMTP_ADDRESS", SystemSMTPSecret, "address"),
		envSecret("SMTP_USER_NAME", SystemSMTPSecret, "username"),
		envSecret("SMTP_PASSWORD", SystemSMTPSecret, "password"),
		envSecret("SMTP_DOMAIN", SystemSMTPSecret, "domain"),
		envSecret("SMTP_PORT", SystemSMTPSecret, "port"),
		envSecret("SMTP_AUTHENTICATION", SystemSMTPSecret, "authentication"),
		envSecret("SMTP_OPENSSL_VERIFY_MODE", SystemSMTPSecret, "openssl.verify.mode"),
		envSecretOptional("NOREPLY_EMAIL", SystemSMTPSecret, SMTPFromAddressKey),
		envSecret("APICAST_ACCESS_TOKEN", SystemMasterApicastSecret, "ACCESS_TOKEN"),
	)
	p.secrets = []string{
		SystemDatabaseSecret, SystemSeedSecret, SystemEventsHookSecret, SystemRecaptchaSecret,
		SystemAppSecret, SystemMemcacheSecret, SystemRedisSecret, BackendRedisSecret,
		BackendListenerSecret, SystemSMTPSecret, SystemMasterApicastSecret, BackendInternalAPISecret,
	}
	if apim.IsZyncEnabled() {
		p.env = append(p.env, envSecret("ZYNC_AUTHENTICATION_TOKEN", ZyncSecret, "ZYNC_AUTHENTICATION_TOKEN"))
		p.secrets = append(p.secrets, ZyncSecret)
	}
	p.env = append(p.env,
		envSecret("CONFIG_INTERNAL_API_USER", BackendInternalAPISecret, "username"),
		envSecret("CONFIG_INTERNAL_API_PASSWORD", BackendInternalAPISecret, "password"),
	)
	p.env = append(p.env, p.storage.env...)
	if p.storage.secret != "" {
		p.secrets = append(p.secrets, p.storage.secret)
	}

	dbTLS := systemDatabaseTLSFiles(in)
	p.env = append(p.env, dbTLS.env...)
	p.volumes = append(p.volumes, dbTLS.volumes...)
	p.mounts = append(p.mounts, dbTLS.mounts...)
	p.initContainers = dbTLS.initContainers
	return p
}

// podFiles are the volumes, mounts, environment variables and init containers that come with a set
// of files a container reads.
type podFiles struct {
	volumes        []corev1.Volume
	mounts         []corev1.VolumeMount
	env            []corev1.EnvVar
	initContainers []corev1.Container
}

// redisTLSFiles returns the TLS settings of a Redis client in system: <prefix>_SSL, and the CA and
// client certificate files when the Secret holds them (keys REDIS_SSL_CA, REDIS_SSL_CERT,
// REDIS_SSL_KEY), mounted from the Secret under dir as <file>-ca.crt, <file>-client.crt and
// <file>-private.key, as in the existing operator.
func redisTLSFiles(in *Inputs, enabled bool, secret, volume, dir, file, prefix string) podFiles {
	if !enabled {
		return podFiles{env: []corev1.EnvVar{envValue(prefix+"_SSL", "0")}}
	}
	f := podFiles{env: []corev1.EnvVar{envValue(prefix+"_SSL", "1")}}
	keys := keySet(in.secretKeys(secret))
	var items []corev1.KeyToPath
	if keys["REDIS_SSL_CA"] {
		items = append(items, corev1.KeyToPath{Key: "REDIS_SSL_CA", Path: file + "-ca.crt"})
		f.env = append(f.env, envValue(prefix+"_CA_FILE", dir+"/"+file+"-ca.crt"))
	}
	if keys["REDIS_SSL_CERT"] && keys["REDIS_SSL_KEY"] {
		items = append(items,
			corev1.KeyToPath{Key: "REDIS_SSL_CERT", Path: file + "-client.crt"},
			corev1.KeyToPath{Key: "REDIS_SSL_KEY", Path: file + "-private.key"})
		f.env = append(f.env,
			envValue(prefix+"_CLIENT_CERT", dir+"/"+file+"-client.crt"),
			envValue(prefix+"_PRIVATE_KEY", dir+"/"+file+"-private.key"))
	}
	if len(items) == 0 {
		// TLS with the system's trusted CAs and no client certificate: nothing to mount (a
		// Secret volume without items would expose the connection URL and password as files).
		return f
	}
	v := secretVolume(volume, secret)
	v.Secret.Items = items
	f.volumes = []corev1.Volume{v}
	f.mounts = []corev1.VolumeMount{{Name: volume, MountPath: dir, ReadOnly: true}}
	return f
}

// systemDatabaseTLSFiles returns the TLS settings of the system database connection when
// spec.system.systemDatabaseTLSEnabled: DATABASE_SSL_MODE from the Secret, and the CA and client
// certificate (keys DB_SSL_CA, DB_SSL_CERT, DB_SSL_KEY) copied with private permissions by the
// set-permissions init container.
func systemDatabaseTLSFiles(in *Inputs) podFiles {
	if !in.APIManager.IsSystemDatabaseTLSEnabled() {
		return podFiles{}
	}
	f := podFiles{env: []corev1.EnvVar{
		envSecretOptional("DATABASE_SSL_MODE", SystemDatabaseSecret, "DATABASE_SSL_MODE"),
		// The PEM contents, as the existing operator exposes them too.
		envSecretOptional("DB_SSL_CA", SystemDatabaseSecret, "DB_SSL_CA"),
		envSecretOptional("DB_SSL_CERT", SystemDatabaseSecret, "DB_SSL_CERT"),
		envSecretOptional("DB_SSL_KEY", SystemDatabaseSecret, "DB_SSL_KEY"),
	}}
	keys := keySet(in.secretKeys(SystemDatabaseSecret))
	var items []corev1.KeyToPath
	if keys["DB_SSL_CA"] {
		items = append(items, corev1.KeyToPath{Key: "DB_SSL_CA", Path: "ca.crt"})
		f.env = append(f.env, envValue("DATABASE_SSL_CA", writableTLSDir+"/ca.crt"))
	}
	if keys["DB_SSL_CERT"] && keys["DB_SSL_KEY"] {
		items = append(items,
			corev1.KeyToPath{Key: "DB_SSL_CERT", Path: "tls.crt"},
			corev1.KeyToPath{Key: "DB_SSL_KEY", Path: "tls.key"})
		f.env = append(f.env,
			envValue("DATABASE_SSL_CERT", writableTLSDir+"/tls.crt"),
			envValue("DATABASE_SSL_KEY", writableTLSDir+"/tls.key"))
	}
	if len(items) == 0 {
		return f
	}
	v := secretVolume(systemDatabaseTLSVolume, SystemDatabaseSecret)
	v.Secret.Items = items
	f.volumes = []corev1.Volume{v, {Name: writableTLSVolume, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}
	f.mounts = []corev1.VolumeMount{{Name: writableTLSVolume, MountPath: writableTLSDir, ReadOnly: true}}
	f.initContainers = []corev1.Container{{
		Name:            "set-permissions",
		Image:           in.Images.System,
		ImagePullPolicy: corev1.PullIfNotPresent,
		Command:         []string{"sh", "-c", "cp " + systemDatabaseTLSDir + "/* " + writableTLSDir + "/ && chmod 0600 " + writableTLSDir + "/*"},
		VolumeMounts: []corev1.VolumeMount{
			{Name: systemDatabaseTLSVolume, MountPath: systemDatabaseTLSDir, ReadOnly: true},
			{Name: writableTLSVolume, MountPath: writableTLSDir},
		},
	}}
	return f
}

// keySet turns a key list into a set.
func keySet(keys []string) map[string]bool {
	s := make(map[string]bool, len(keys))
	for _, k := range keys {
		s[k] = true
	}
	return s
}

// systemAppContainer describes one of the three portals of system-app.
type systemAppContainer struct {
	name, portName, metricsPortName string
	// tenantMode is TENANT_MODE (master or provider); the developer portal has none.
	tenantMode        string
	port, metricsPort int32
	resources         *corev1.ResourceRequirements
	// readOnlyStorage: the developer portal only serves uploaded files.
	readOnlyStorage bool
}

// systemAppDeployment renders system-app: the master, provider (admin portal) and developer portal
// containers, each with its own port, metrics port and resources.
func systemAppDeployment(in *Inputs, p systemPods, envData, configData map[string]string) client.Object {
	var app *appsv1alpha1.SystemAppSpec
	if s := in.spec().System; s != nil {
		app = s.AppSpec
	}
	var master, provider, developer *corev1.ResourceRequirements
	var replicasSpec *int64
	if app != nil {
		master, provider, developer = app.MasterContainerResources, app.ProviderContainerResources, app.DeveloperContainerResources
		replicasSpec = app.Replicas
	}
	containers := []systemAppContainer{
		{name: SystemMasterName, portName: "master", metricsPortName: "master-metrics", tenantMode: "master",
			port: systemMasterPort, metricsPort: systemMasterMetricsPort, resources: master},
		{name: SystemProviderName, portName: "provider", metricsPortName: "prov-metrics", tenantMode: "provider",
			port: systemProviderPort, metricsPort: systemProviderMetricsPort, resources: provider},
		{name: SystemDeveloperName, portName: "developer", metricsPortName: "dev-metrics",
			port: systemDeveloperPort, metricsPort: systemDeveloperMetricsPort, resources: developer, readOnlyStorage: true},
	}
	pod := corev1.PodSpec{
		InitContainers: p.initContainers,
		Volumes:        append(append([]corev1.Volume(nil), p.volumes...), p.storage.volumes...),
	}
	for _, c := range containers {
		args := []string{"env"}
		if c.tenantMode != "" {
			args = append(args, "TENANT_MODE="+c.tenantMode)
		}
		args = append(args, "PORT="+strconv.Itoa(int(c.port)), "container-entrypoint", "bundle", "exec", "unicorn", "-c", "config/unicorn.rb")
		storageMounts := p.storage.mounts
		if c.readOnlyStorage {
			storageMounts = p.storage.readOnlyMounts
		}
		env := append(append([]corev1.EnvVar(nil), p.env...),
			envValue("PROMETHEUS_EXPORTER_PORT", strconv.Itoa(int(c.metricsPort))),
			envSecret("USER_SESSION_TTL", SystemAppSecret, "USER_SESSION_TTL"))
		pod.Containers = append(pod.Containers, corev1.Container{
			Name:            c.name,
			Image:           in.Images.System,
			ImagePullPolicy: corev1.PullIfNotPresent,
			Args:            args,
			Ports:           []corev1.ContainerPort{containerPort(c.portName, c.port), containerPort(c.metricsPortName, c.metricsPort)},
			Env:             env,
			Resources:       resources(in, c.resources, requirements("50m", "600Mi", "1000m", "800Mi")),
			VolumeMounts:    append(append([]corev1.VolumeMount(nil), storageMounts...), p.mounts...),
			LivenessProbe:   systemLivenessProbe(c.port),
			ReadinessProbe:  systemReadinessProbe(c.port),
		})
	}
	var placement *appsv1alpha1.PodPlacementSpec
	if app != nil {
		placement = &app.PodPlacementSpec
	}
	return NewDeployment(in, Workload{
		Name: SystemAppName, Component: ComponentSystem, Element: "app",
		Placement:     placement,
		Secrets:       p.secrets,
		ConfigMapData: []map[string]string{envData, configData},
		Replicas:      replicas(replicasSpec, false),
	}, pod)
}

// systemLivenessProbe checks that a portal accepts connections; porta boots slowly, hence the long
// failure budget, as in the existing operator.
func systemLivenessProbe(port int32) *corev1.Probe {
	p := tcpProbe(port, 40, 10, 10)
	p.FailureThreshold = 40
	return p
}

// systemReadinessProbe asks a portal for /check.txt as if through the TLS-terminating router (porta
// redirects plain HTTP to HTTPS).
func systemReadinessProbe(port int32) *corev1.Probe {
	p := httpProbe("/check.txt", port, 60, 10, 30)
	p.HTTPGet.HTTPHeaders = []corev1.HTTPHeader{{Name: "X-Forwarded-Proto", Value: "https"}}
	p.FailureThreshold = 10
	return p
}

// systemSidekiqDeployment renders system-sidekiq, the background job processor. Its init container
// waits for system Redis and for system-master, whose database migrations must have run.
func systemSidekiqDeployment(in *Inputs, p systemPods, envData, configData map[string]string) client.Object {
	var sidekiq *appsv1alpha1.SystemSidekiqSpec
	if s := in.spec().System; s != nil {
		sidekiq = s.SidekiqSpec
	}
	var override *corev1.ResourceRequirements
	var replicasSpec *int64
	var placement *appsv1alpha1.PodPlacementSpec
	if sidekiq != nil {
		override, replicasSpec, placement = sidekiq.Resources, sidekiq.Replicas, &sidekiq.PodPlacementSpec
	}
	tmp := corev1.Volume{Name: systemTmpVolume, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory}}}
	mounts := append(append([]corev1.VolumeMount(nil), p.storage.mounts...), corev1.VolumeMount{Name: systemTmpVolume, MountPath: "/tmp"})
	mounts = append(mounts, p.mounts...)
	liveness := tcpProbe(systemSidekiqMetricsPort, 40, 10, 10)
	liveness.FailureThreshold = 40
	waitFor := corev1.Container{
		Name:            "check-svc",
		Image:           in.Images.System,
		ImagePullPolicy: corev1.PullIfNotPresent,
		Command: []string{"bash", "-c",
			"bundle exec sh -c \"until rake boot:redis && curl --output /dev/null --silent --fail --head http://system-master:3000/status; do sleep $SLEEP_SECONDS; done\""},
		Env:          append(append([]corev1.EnvVar(nil), p.redisEnv...), envValue("SLEEP_SECONDS", "1")),
		VolumeMounts: p.redisMounts,
	}
	pod := corev1.PodSpec{
		InitContainers: append(append([]corev1.Container(nil), p.initContainers...), waitFor),
		Containers: []corev1.Container{{
			Name:            SystemSidekiqName,
			Image:           in.Images.System,
			ImagePullPolicy: corev1.PullIfNotPresent,
			Args:            []string{"rake", "sidekiq:worker", "RAILS_MAX_THREADS=25"},
			Ports:           []corev1.ContainerPort{containerPort("metrics", systemSidekiqMetricsPort)},
			Env:             append(append([]corev1.EnvVar(nil), p.env...), envValue("PROMETHEUS_EXPORTER_PORT", strconv.Itoa(int(systemSidekiqMetricsPort)))),
			Resources:       resources(in, override, requirements("100m", "500Mi", "1000m", "2Gi")),
			VolumeMounts:    mounts,
			LivenessProbe:   liveness,
		}},
		Volumes: append(append(append([]corev1.Volume(nil), p.volumes...), tmp), p.storage.volumes...),
	}
	return NewDeployment(in, Workload{
		Name: SystemSidekiqName, Component: ComponentSystem, Element: "sidekiq",
		Placement:     placement,
		Secrets:       p.secrets,
		ConfigMapData: []map[string]string{envData, configData},
		Replicas:      replicas(replicasSpec, false),
	}, pod)
}

// systemHookJob renders the pre or post hook Job of system-app. It runs in the system image with the
// environment and volumes of system-master, on the nodes system-app may run on.
func systemHookJob(in *Inputs, p systemPods, phase string) client.Object {
	base := SystemAppName + "-" + phase
	command := "bundle exec rake boot openshift:deploy"
	env := append([]corev1.EnvVar(nil), p.env...)
	if phase == SystemAppPreHook {
		env = append(env, envSecret("MASTER_ACCESS_TOKEN", SystemSeedSecret, "MASTER_ACCESS_TOKEN"))
	} else {
		command = "bundle exec rake boot openshift:post_deploy"
	}
	env = append(env, envSecretOptional("ORACLE_SYSTEM_PASSWORD", SystemDatabaseSecret, "ORACLE_SYSTEM_PASSWORD"))

	var override *corev1.ResourceRequirements
	var placement appsv1alpha1.PodPlacementSpec
	if s := in.spec().System; s != nil && s.AppSpec != nil {
		override = s.AppSpec.MasterContainerResources
		placement = *s.AppSpec.PodPlacementSpec.DeepCopy()
	}
	pod := corev1.PodSpec{
		RestartPolicy:      corev1.RestartPolicyNever,
		ServiceAccountName: DefaultServiceAccount,
		InitContainers:     p.initContainers,
		Containers: []corev1.Container{{
			Name:            base,
			Image:           in.Images.System,
			ImagePullPolicy: corev1.PullIfNotPresent,
			Command:         []string{"bash", "-c", command},
			Env:             env,
			Resources:       resources(in, override, requirements("50m", "600Mi", "1000m", "800Mi")),
			VolumeMounts:    append(append([]corev1.VolumeMount(nil), p.storage.mounts...), p.mounts...),
		}},
		Volumes:     append(append([]corev1.Volume(nil), p.volumes...), p.storage.volumes...),
		Affinity:    placement.Affinity,
		Tolerations: placement.Tolerations,
	}
	if placement.PriorityClassName != nil {
		pod.PriorityClassName = *placement.PriorityClassName
	}
	// Neither the `deployment` label nor the element of system-app's pods: the system Services and
	// selectors of system-app's pods (PodMonitors, NetworkPolicies) must not pick hook pods.
	template := corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: mergeLabels(placement.Labels, Labels(in, ComponentSystem, "app-hook", base))},
		Spec:       pod,
	}
	// The Job is named system-app-pre or system-app-post and labelled element `app`, as in the
	// existing operator: runbooks read `oc logs job/system-app-pre`. Its template is immutable, so
	// the controller replaces the Job when SystemAppHookTemplateAnnotation changes (see the
	// annotation).
	meta := objectMeta(in, base, ComponentSystem, "app")
	meta.Annotations = map[string]string{
		SystemAppHookAnnotation:         phase,
		SystemAppHookTemplateAnnotation: templateHash(template),
	}
	// No ttlSecondsAfterFinished: a finished Job that disappeared would be rendered, created and run
	// again.
	return &batchv1.Job{
		TypeMeta:   typeMeta("batch/v1", "Job"),
		ObjectMeta: meta,
		Spec:       batchv1.JobSpec{Template: template},
	}
}

// templateHash returns 10 hex digits of a hash of a pod template. Job templates are immutable, so a
// Job whose template changes must be replaced; the hash tells the controller when.
func templateHash(t corev1.PodTemplateSpec) string {
	// Marshalling a typed struct cannot fail, and its map keys are sorted: the hash is stable.
	b, _ := json.Marshal(t)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:5])
}
