package render

import (
	"path"
	"slices"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

// Backend (apisonator) ports, as in the existing operator.
const (
	backendListenerPort        int32 = 3000
	backendListenerMetricsPort int32 = 9394
	backendWorkerMetricsPort   int32 = 9421
)

// backendRedisTLS describes how one of backend's Redis connections (storage or queues) reads its
// TLS files from the backend-redis Secret.
type backendRedisTLS struct {
	// envPrefix is CONFIG_REDIS (storage) or CONFIG_QUEUES.
	envPrefix string
	volume    string
	dir       string
	// ca, cert and key map a key of the backend-redis Secret to the file it becomes.
	ca, cert, key corev1.KeyToPath
}

var (
	backendStorageTLS = backendRedisTLS{
		envPrefix: "CONFIG_REDIS", volume: "backend-redis-tls", dir: "/tls/backend-redis",
		ca:   corev1.KeyToPath{Key: "REDIS_SSL_CA", Path: "backend-redis-ca.crt"},
		cert: corev1.KeyToPath{Key: "REDIS_SSL_CERT", Path: "backend-redis-client.crt"},
		key:  corev1.KeyToPath{Key: "REDIS_SSL_KEY", Path: "backend-redis-private.key"},
	}
	backendQueuesTLS = backendRedisTLS{
		envPrefix: "CONFIG_QUEUES", volume: "queues-redis-tls", dir: "/tls/backend-queues",
		ca:   corev1.KeyToPath{Key: "REDIS_SSL_QUEUES_CA", Path: "backend-redis-queues-ca.crt"},
		cert: corev1.KeyToPath{Key: "REDIS_SSL_QUEUES_CERT", Path: "backend-redis-queues-client.crt"},
		key:  corev1.KeyToPath{Key: "REDIS_SSL_QUEUES_KEY", Path: "backend-redis-queues-private.key"},
	}
)

// backendTLSFiles are the TLS volumes, mounts and environment of backend's Redis connections.
type backendTLSFiles struct {
	volumes []corev1.Volume
	mounts  []corev1.VolumeMount
	env     []corev1.EnvVar
}

// backendRedisTLSFiles returns the TLS settings of the connections that have TLS on. Only the files
// present in backend-redis are mounted: a CA alone gives one-way TLS, a certificate with its key
// mutual TLS; a certificate without its key is ignored, as Redis clients cannot use it.
func backendRedisTLSFiles(in *Inputs) backendTLSFiles {
	var f backendTLSFiles
	keys := in.secretKeys(BackendRedisSecret)
	for _, c := range []struct {
		on  bool
		tls backendRedisTLS
	}{
		{in.APIManager.IsBackendRedisTLSEnabled(), backendStorageTLS},
		{in.APIManager.IsQueuesRedisTLSEnabled(), backendQueuesTLS},
	} {
		if !c.on {
			continue
		}
		t := c.tls
		f.env = append(f.env, envValue(t.envPrefix+"_SSL", "1"))
		var items []corev1.KeyToPath
		if slices.Contains(keys, t.ca.Key) {
			items = append(items, t.ca)
			f.env = append(f.env, envValue(t.envPrefix+"_CA_FILE", path.Join(t.dir, t.ca.Path)))
		}
		if slices.Contains(keys, t.cert.Key) && slices.Contains(keys, t.key.Key) {
			items = append(items, t.cert, t.key)
			f.env = append(f.env,
				envValue(t.envPrefix+"_CERT", path.Join(t.dir, t.cert.Path)),
				envValue(t.envPrefix+"_PRIVATE_KEY", path.Join(t.dir, t.key.Path)))
		}
		if len(items) == 0 {
			continue
		}
		v := secretVolume(t.volume, BackendRedisSecret)
		v.Secret.Items = items
		f.volumes = append(f.volumes, v)
		f.mounts = append(f.mounts, corev1.VolumeMount{Name: t.volume, MountPath: t.dir, ReadOnly: true})
	}
	return f
}

// backendRedisEnv is the Redis configuration every backend container reads from backend-redis. The
// optional keys are optional references rather than keys the operator adds to the user's Secret,
// which the existing operator does (and which makes it write to Secrets it does not own).
func backendRedisEnv() []corev1.EnvVar {
	return []corev1.EnvVar{
		envSecret("CONFIG_REDIS_PROXY", BackendRedisSecret, "REDIS_STORAGE_URL"),
		envSecretOptional("CONFIG_REDIS_SENTINEL_HOSTS", BackendRedisSecret, "REDIS_STORAGE_SENTINEL_HOSTS"),
		envSecretOptional("CONFIG_REDIS_SENTINEL_ROLE", BackendRedisSecret, "REDIS_STORAGE_SENTINEL_ROLE"),
		envSecret("CONFIG_QUEUES_MASTER_NAME", BackendRedisSecret, "REDIS_QUEUES_URL"),
		envSecretOptional("CONFIG_QUEUES_SENTINEL_HOSTS", BackendRedisSecret, "REDIS_QUEUES_SENTINEL_HOSTS"),
		envSecretOptional("CONFIG_QUEUES_SENTINEL_ROLE", BackendRedisSecret, "REDIS_QUEUES_SENTINEL_ROLE"),
		envSecretOptional("CONFIG_REDIS_USERNAME", BackendRedisSecret, "REDIS_STORAGE_USERNAME"),
		envSecretOptional("CONFIG_REDIS_PASSWORD", BackendRedisSecret, "REDIS_STORAGE_PASSWORD"),
		envSecretOptional("CONFIG_REDIS_SENTINEL_USERNAME", BackendRedisSecret, "REDIS_STORAGE_SENTINEL_USERNAME"),
		envSecretOptional("CONFIG_REDIS_SENTINEL_PASSWORD", BackendRedisSecret, "REDIS_STORAGE_SENTINEL_PASSWORD"),
		envSecretOptional("CONFIG_QUEUES_USERNAME", BackendRedisSecret, "REDIS_QUEUES_USERNAME"),
		envSecretOptional("CONFIG_QUEUES_PASSWORD", BackendRedisSecret, "REDIS_QUEUES_PASSWORD"),
		envSecretOptional("CONFIG_QUEUES_SENTINEL_USERNAME", BackendRedisSecret, "REDIS_QUEUES_SENTINEL_USERNAME"),
		envSecretOptional("CONFIG_QUEUES_SENTINEL_PASSWORD", BackendRedisSecret, "REDIS_QUEUES_SENTINEL_PASSWORD"),
		envConfigMap("RACK_ENV", BackendEnvironmentConfigMap, "RACK_ENV"),
	}
}

// backendAsyncEnv selects the asynchronous Redis driver unless the disable-async annotation is set.
func backendAsyncEnv(in *Inputs) corev1.EnvVar {
	if in.asyncDisabled() {
		return envValue("CONFIG_REDIS_ASYNC", "0")
	}
	return envValue("CONFIG_REDIS_ASYNC", "1")
}

// backendPart gathers the settings of one backend Deployment.
type backendPart struct {
	name, element string
	placement     *appsv1alpha1.PodPlacementSpec
	replicas      *int64
	resources     *corev1.ResourceRequirements
	hpa           bool
}

// backendParts returns the listener, worker and cron settings of in. HPA needs the asynchronous
// driver; with async disabled the hpa flags are ignored (the status warns about it).
func backendParts(in *Inputs) (listener, worker, cron backendPart) {
	listener = backendPart{name: BackendListenerName, element: "listener"}
	worker = backendPart{name: BackendWorkerName, element: "worker"}
	cron = backendPart{name: BackendCronName, element: "cron"}
	b := in.spec().Backend
	if b == nil {
		return listener, worker, cron
	}
	hpaAllowed := !in.asyncDisabled()
	if s := b.ListenerSpec; s != nil {
		listener.placement, listener.replicas, listener.resources, listener.hpa = &s.PodPlacementSpec, s.Replicas, s.Resources, s.Hpa && hpaAllowed
	}
	if s := b.WorkerSpec; s != nil {
		worker.placement, worker.replicas, worker.resources, worker.hpa = &s.PodPlacementSpec, s.Replicas, s.Resources, s.Hpa && hpaAllowed
	}
	if s := b.CronSpec; s != nil {
		cron.placement, cron.replicas, cron.resources = &s.PodPlacementSpec, s.Replicas, s.Resources
	}
	return listener, worker, cron
}

// Backend returns apisonator: the backend-environment ConfigMap, the listener Deployment and
// Service, the worker and cron Deployments, their HPAs when asked and PDBs when enabled. The
// backend Route or Ingress belongs to Exposure, the backend Secrets to Secrets.
func Backend(in *Inputs) []client.Object {
	if !in.ok() {
		return nil
	}
	envData := map[string]string{"RACK_ENV": "production"}
	listener, worker, cron := backendParts(in)
	tls := backendRedisTLSFiles(in)
	objs := []client.Object{
		NewConfigMap(in, BackendEnvironmentConfigMap, ComponentBackend, "environment", envData),
		backendListenerDeployment(in, listener, tls, envData),
		NewService(in, BackendListenerName, ComponentBackend, listener.element, BackendListenerName,
			servicePort("http", backendListenerPort, intstr.FromInt32(backendListenerPort))),
		backendWorkerDeployment(in, worker, tls, envData),
		backendCronDeployment(in, cron, tls, envData),
	}
	for _, p := range []backendPart{listener, worker, cron} {
		if p.hpa {
			objs = append(objs, NewHorizontalPodAutoscaler(in, p.name, ComponentBackend, p.element))
		}
	}
	if in.APIManager.IsPDBEnabled() {
		for _, p := range []backendPart{listener, worker, cron} {
			objs = append(objs, NewPodDisruptionBudget(in, p.name, ComponentBackend, p.element))
		}
	}
	return objs
}

// backendWorkload returns the Workload of a backend part; every part reads backend-redis.
func backendWorkload(p backendPart, envData map[string]string, secrets ...string) Workload {
	return Workload{
		Name: p.name, Component: ComponentBackend, Element: p.element,
		Placement:     p.placement,
		Secrets:       append([]string{BackendRedisSecret}, secrets...),
		ConfigMapData: []map[string]string{envData},
		Replicas:      replicas(p.replicas, p.hpa),
	}
}

// hpaResources returns def, or requests raised to the limits when an HPA scales the Deployment:
// utilization is measured against requests, so they must be what a pod really gets.
func hpaResources(hpa bool, def corev1.ResourceRequirements) corev1.ResourceRequirements {
	if !hpa {
		return def
	}
	return corev1.ResourceRequirements{Requests: def.Limits.DeepCopy(), Limits: def.Limits.DeepCopy()}
}

func backendListenerDeployment(in *Inputs, p backendPart, tls backendTLSFiles, envData map[string]string) client.Object {
	args := []string{"bin/3scale_backend"}
	env := append(backendRedisEnv(),
		envValue("PUMA_WORKERS", "16"),
		envSecret("CONFIG_INTERNAL_API_USER", BackendInternalAPISecret, "username"),
		envSecret("CONFIG_INTERNAL_API_PASSWORD", BackendInternalAPISecret, "password"),
		envValue("CONFIG_LISTENER_PROMETHEUS_METRICS_PORT", strconv.Itoa(int(backendListenerMetricsPort))),
		envValue("CONFIG_LISTENER_PROMETHEUS_METRICS_ENABLED", "true"),
		backendAsyncEnv(in),
	)
	if !in.asyncDisabled() {
		// The asynchronous driver needs the falcon server, with one process.
		args = append(args, "-s", "falcon")
		env = append(env, envValue("LISTENER_WORKERS", "1"))
	}
	args = append(args, "start", "-e", "production", "-p", strconv.Itoa(int(backendListenerPort)), "-x", "/dev/stdout")
	container := corev1.Container{
		Name:  BackendListenerName,
		Image: in.Images.Backend, ImagePullPolicy: corev1.PullIfNotPresent,
		Args: args,
		Ports: []corev1.ContainerPort{
			containerPort("http", backendListenerPort),
			containerPort("metrics", backendListenerMetricsPort),
		},
		Env:            append(env, tls.env...),
		Resources:      resources(in, p.resources, hpaResources(p.hpa, requirements("500m", "550Mi", "1000m", "700Mi"))),
		VolumeMounts:   tls.mounts,
		LivenessProbe:  tcpProbe(backendListenerPort, 30, 1, 10),
		ReadinessProbe: httpProbe("/status", backendListenerPort, 30, 5, 10),
	}
	return NewDeployment(in, backendWorkload(p, envData, BackendInternalAPISecret),
		corev1.PodSpec{Containers: []corev1.Container{container}, Volumes: tls.volumes})
}

// backendWaitForRedis is the init container of worker and cron: they fail on start while Redis is
// unreachable, so they wait for its storage and queues first.
func backendWaitForRedis(in *Inputs, tls backendTLSFiles) corev1.Container {
	return corev1.Container{
		Name:  "backend-redis-svc",
		Image: in.Images.Backend, ImagePullPolicy: corev1.PullIfNotPresent,
		Command: []string{"/opt/app/entrypoint.sh", "sh", "-c",
			"until rake connectivity:redis_storage_queue_check; do sleep $SLEEP_SECONDS; done"},
		Env:          append(append(backendRedisEnv(), envValue("SLEEP_SECONDS", "1")), tls.env...),
		VolumeMounts: tls.mounts,
	}
}

func backendWorkerDeployment(in *Inputs, p backendPart, tls backendTLSFiles, envData map[string]string) client.Object {
	env := append(backendRedisEnv(),
		envSecret("CONFIG_EVENTS_HOOK", SystemEventsHookSecret, "URL"),
		envSecret("CONFIG_EVENTS_HOOK_SHARED_SECRET", SystemEventsHookSecret, "PASSWORD"),
		envValue("CONFIG_WORKER_PROMETHEUS_METRICS_PORT", strconv.Itoa(int(backendWorkerMetricsPort))),
		envValue("CONFIG_WORKER_PROMETHEUS_METRICS_ENABLED", "true"),
		backendAsyncEnv(in),
	)
	container := corev1.Container{
		Name:  BackendWorkerName,
		Image: in.Images.Backend, ImagePullPolicy: corev1.PullIfNotPresent,
		Args:          []string{"bin/3scale_backend_worker", "run"},
		Ports:         []corev1.ContainerPort{containerPort("metrics", backendWorkerMetricsPort)},
		Env:           append(env, tls.env...),
		Resources:     resources(in, p.resources, hpaResources(p.hpa, requirements("150m", "50Mi", "1000m", "300Mi"))),
		VolumeMounts:  tls.mounts,
		LivenessProbe: httpProbe("/metrics", backendWorkerMetricsPort, 10, 3, 15),
	}
	return NewDeployment(in, backendWorkload(p, envData, SystemEventsHookSecret), corev1.PodSpec{
		InitContainers: []corev1.Container{backendWaitForRedis(in, tls)},
		Containers:     []corev1.Container{container},
		Volumes:        tls.volumes,
	})
}

func backendCronDeployment(in *Inputs, p backendPart, tls backendTLSFiles, envData map[string]string) client.Object {
	container := corev1.Container{
		Name:  BackendCronName,
		Image: in.Images.Backend, ImagePullPolicy: corev1.PullIfNotPresent,
		// backend-cron serves nothing to probe; the file tells the liveness probe it got started.
		Args:          []string{"sh", "-c", "touch /tmp/healthy && exec backend-cron"},
		Env:           append(backendRedisEnv(), tls.env...),
		Resources:     resources(in, p.resources, requirements("100m", "100Mi", "500m", "500Mi")),
		VolumeMounts:  tls.mounts,
		LivenessProbe: execProbe([]string{"cat", "/tmp/healthy"}, 10, 1, 10),
	}
	return NewDeployment(in, backendWorkload(p, envData), corev1.PodSpec{
		InitContainers: []corev1.Container{backendWaitForRedis(in, tls)},
		Containers:     []corev1.Container{container},
		Volumes:        tls.volumes,
	})
}
