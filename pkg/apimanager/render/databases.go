package render

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

// Names of the internal databases. The Deployments, Services and claims keep the names of the
// templates and operator releases that deployed them (up to 3scale 2.15), so that data volumes of
// such installations can be bound again.
const (
	SystemMySQLName      = "system-mysql"
	SystemPostgreSQLName = "system-postgresql"
	SystemRedisName      = "system-redis"
	BackendRedisName     = "backend-redis"

	SystemMySQLPVC      = "mysql-storage"
	SystemPostgreSQLPVC = "postgresql-data"
	SystemRedisPVC      = "system-redis-storage"
	BackendRedisPVC     = "backend-redis-storage"

	// RedisConfigMap is the redis.conf shared by the internal system and backend Redis.
	RedisConfigMap      = "redis-config"
	mysqlMainConfigMap  = "mysql-main-conf"
	mysqlExtraConfigMap = "mysql-extra-conf"
)

// Ports, data directories and users of the database images (quay.io/sclorg).
const (
	mysqlPort      int32 = 3306
	postgresqlPort int32 = 5432
	redisPort      int32 = 6379

	mysqlDataDir      = "/var/lib/mysql/data"
	postgresqlDataDir = "/var/lib/pgsql/data"
	redisDataDir      = "/var/lib/redis/data"
	redisConfigDir    = "/etc/redis.d"

	mysqlUID      int64 = 27
	postgresqlUID int64 = 26
	redisUID      int64 = 1001

	databaseDefaultSize = "1Gi"
)

// redisConf makes Redis durable (append-only file plus snapshots) in its data volume. Protected
// mode is off because the Service is reached from other pods; only the namespace's pods use it.
const redisConf = `protected-mode no
port 6379
timeout 0
tcp-keepalive 300
daemonize no
supervised no
loglevel notice
databases 16
save 900 1
save 300 10
save 60 10000
stop-writes-on-bgsave-error yes
rdbcompression yes
rdbchecksum yes
dbfilename dump.rdb
appendonly yes
appendfilename "appendonly.aof"
appendfsync everysec
no-appendfsync-on-rewrite no
auto-aof-rewrite-percentage 100
auto-aof-rewrite-min-size 64mb
aof-load-truncated yes
lua-time-limit 5000
activerehashing no
aof-rewrite-incremental-fsync yes
dir /var/lib/redis/data
`

// Databases returns the databases the operator deploys because the spec does not mark them
// external: the system database (MySQL, or PostgreSQL when spec.system.database.postgresql is set),
// system Redis and backend Redis, each a single-pod Deployment with its Service and its own
// PersistentVolumeClaim. The zync database is rendered by Zync. External databases render nothing:
// the controller checks the user's Secrets instead. Their connection Secrets are generated like the
// other platform Secrets (see SecretValues).
//
// They are Deployments with the Recreate strategy and a separately rendered claim rather than
// StatefulSets: there is one pod per database, Recreate guarantees the old pod has released the
// ReadWriteOnce volume before the new one mounts it, the claims keep the names earlier 3scale
// releases gave them, their size can follow the spec (a StatefulSet's volumeClaimTemplates cannot
// change), and whether they outlive the APIManager is decided by
// spec.persistentVolumeClaimRetentionPolicy like every other data volume.
func Databases(in *Inputs) []client.Object {
	if !in.ok() {
		return nil
	}
	apim := in.APIManager
	var objs []client.Object
	if !apim.IsSystemDatabaseExternal() {
		if systemDatabaseIsPostgreSQL(apim) {
			objs = append(objs, systemPostgreSQL(in)...)
		} else {
			objs = append(objs, systemMySQL(in)...)
		}
	}
	systemRedis, backendRedis := !apim.IsSystemRedisExternal(), !apim.IsBackendRedisExternal()
	if systemRedis || backendRedis {
		component := ComponentSystem
		if !systemRedis {
			component = ComponentBackend
		}
		objs = append(objs, NewConfigMap(in, RedisConfigMap, component, "redis", map[string]string{"redis.conf": redisConf}))
	}
	if systemRedis {
		objs = append(objs, internalRedis(in, systemRedisDatabase(in))...)
	}
	if backendRedis {
		objs = append(objs, internalRedis(in, backendRedisDatabase(in))...)
	}
	return objs
}

// systemDatabaseIsPostgreSQL reports whether the internal system database is PostgreSQL rather than
// MySQL: spec.system.database.postgresql chooses it.
func systemDatabaseIsPostgreSQL(apim *appsv1alpha1.APIManager) bool {
	s := apim.Spec.System
	return s != nil && s.DatabaseSpec != nil && s.DatabaseSpec.PostgreSQL != nil
}

// database describes one internal database for the shared builders below.
type database struct {
	name, component, element, claim string
	image                           string
	port                            int32
	dataDir                         string
	uid                             int64
	pvc                             *appsv1alpha1.PVCGenericSpec
	placement                       *appsv1alpha1.PodPlacementSpec
	resources                       *corev1.ResourceRequirements
	defaults                        corev1.ResourceRequirements
	secrets                         []string
	// configData is the data of the ConfigMaps the pod reads, so that a change rolls it.
	configData []map[string]string
}

// databaseObjects returns the Service, claim and Deployment of db, whose pod runs container
// (to which it adds the port and the data mount) with the extra volumes.
func databaseObjects(in *Inputs, db database, container corev1.Container, volumes ...corev1.Volume) []client.Object {
	one := int32(1)
	container.Name = db.name
	container.Image = databaseImage(in, db.name, db.claim, db.image)
	container.ImagePullPolicy = corev1.PullIfNotPresent
	container.Ports = []corev1.ContainerPort{containerPort(db.element, db.port)}
	container.Resources = resources(in, db.resources, db.defaults)
	container.VolumeMounts = append([]corev1.VolumeMount{{Name: db.claim, MountPath: db.dataDir}}, container.VolumeMounts...)
	pod := corev1.PodSpec{
		Containers: []corev1.Container{container},
		Volumes: append([]corev1.Volume{{Name: db.claim, VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: db.claim},
		}}}, volumes...),
	}
	if !in.RoutesAvailable {
		// Off OpenShift nothing gives the pod a group allowed to write the volume: use the image's
		// own. On OpenShift the restricted SCC assigns one and rejects a fixed fsGroup.
		gid := db.uid
		pod.SecurityContext = &corev1.PodSecurityContext{FSGroup: &gid}
	}
	return []client.Object{
		NewService(in, db.name, db.component, db.element, db.name,
			servicePort(db.element, db.port, intstr.FromInt32(db.port))),
		NewPersistentVolumeClaim(in, db.claim, db.component, db.element, corev1.ReadWriteOnce, databaseDefaultSize, db.pvc),
		NewDeployment(in, Workload{
			Name: db.name, Component: db.component, Element: db.element,
			Placement: db.placement, Secrets: db.secrets, ConfigMapData: db.configData,
			Replicas: &one, Recreate: true,
		}, pod),
	}
}

// systemMySQL is the internal MySQL system database. Its credentials come from the generated
// system-database Secret, so they are never written in the Deployment.
func systemMySQL(in *Inputs) []client.Object {
	db := database{
		name: SystemMySQLName, component: ComponentSystem, element: "mysql", claim: SystemMySQLPVC,
		image: in.Images.SystemMySQL, port: mysqlPort, dataDir: mysqlDataDir, uid: mysqlUID,
		defaults: requirements("250m", "512Mi", "", "2Gi"),
		secrets:  []string{SystemDatabaseSecret},
	}
	if s := in.spec().System; s != nil && s.DatabaseSpec != nil && s.DatabaseSpec.MySQL != nil {
		m := s.DatabaseSpec.MySQL
		db.pvc, db.placement, db.resources = m.PersistentVolumeClaimSpec, &m.PodPlacementSpec, m.Resources
	}
	container := corev1.Container{
		Env: []corev1.EnvVar{
			envSecret("MYSQL_USER", SystemDatabaseSecret, "DB_USER"),
			envSecret("MYSQL_PASSWORD", SystemDatabaseSecret, "DB_PASSWORD"),
			envSecret("MYSQL_DATABASE", SystemDatabaseSecret, "DB_NAME"),
			envSecret("MYSQL_ROOT_PASSWORD", SystemDatabaseSecret, "DB_ROOT_PASSWORD"),
			envValue("MYSQL_LOWER_CASE_TABLE_NAMES", "1"),
			envValue("MYSQL_DEFAULTS_FILE", "/etc/my-extra/my.cnf"),
		},
		VolumeMounts: []corev1.VolumeMount{
			{Name: mysqlExtraConfigMap, MountPath: "/etc/my-extra.d", ReadOnly: true},
			{Name: mysqlMainConfigMap, MountPath: "/etc/my-extra", ReadOnly: true},
		},
		LivenessProbe: tcpProbe(mysqlPort, 30, 5, 10),
		ReadinessProbe: execProbe([]string{"/bin/sh", "-i", "-c",
			`MYSQL_PWD="$MYSQL_PASSWORD" mysql -h 127.0.0.1 -u "$MYSQL_USER" -D "$MYSQL_DATABASE" -e 'SELECT 1'`}, 10, 5, 30),
	}
	configVolume := func(name string) corev1.Volume {
		return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: name},
		}}}
	}
	mainConf := map[string]string{"my.cnf": "!include /etc/my.cnf\n!includedir /etc/my-extra.d\n"}
	// porta's schema is utf8; mysql2 before 0.5 cannot speak caching_sha2_password.
	extraConf := map[string]string{
		"mysql-charset.cnf": "[client]\ndefault-character-set = utf8\n\n[mysql]\ndefault-character-set = utf8\n\n" +
			"[mysqld]\ncharacter-set-server = utf8\ncollation-server = utf8_unicode_ci\n",
		"mysql-default-authentication-plugin.cnf": "[mysqld]\ndefault_authentication_plugin=mysql_native_password\n",
	}
	db.configData = []map[string]string{mainConf, extraConf}
	objs := []client.Object{
		NewConfigMap(in, mysqlMainConfigMap, ComponentSystem, "mysql", mainConf),
		NewConfigMap(in, mysqlExtraConfigMap, ComponentSystem, "mysql", extraConf),
	}
	return append(objs, databaseObjects(in, db, container, configVolume(mysqlExtraConfigMap), configVolume(mysqlMainConfigMap))...)
}

// systemPostgreSQL is the internal PostgreSQL system database.
func systemPostgreSQL(in *Inputs) []client.Object {
	db := database{
		name: SystemPostgreSQLName, component: ComponentSystem, element: "postgresql", claim: SystemPostgreSQLPVC,
		image: in.Images.SystemPostgreSQL, port: postgresqlPort, dataDir: postgresqlDataDir, uid: postgresqlUID,
		defaults: requirements("250m", "512Mi", "", "2Gi"),
		secrets:  []string{SystemDatabaseSecret},
	}
	if s := in.spec().System; s != nil && s.DatabaseSpec != nil && s.DatabaseSpec.PostgreSQL != nil {
		p := s.DatabaseSpec.PostgreSQL
		db.pvc, db.placement, db.resources = p.PersistentVolumeClaimSpec, &p.PodPlacementSpec, p.Resources
	}
	container := corev1.Container{
		Env: []corev1.EnvVar{
			envSecret("POSTGRESQL_USER", SystemDatabaseSecret, "DB_USER"),
			envSecret("POSTGRESQL_PASSWORD", SystemDatabaseSecret, "DB_PASSWORD"),
			envSecret("POSTGRESQL_DATABASE", SystemDatabaseSecret, "DB_NAME"),
		},
		LivenessProbe: tcpProbe(postgresqlPort, 30, 5, 10),
		ReadinessProbe: execProbe([]string{"/bin/sh", "-i", "-c",
			`PGPASSWORD="$POSTGRESQL_PASSWORD" psql -h 127.0.0.1 -U "$POSTGRESQL_USER" -q -d "$POSTGRESQL_DATABASE" -c 'SELECT 1'`}, 10, 5, 30),
	}
	return databaseObjects(in, db, container)
}

// systemRedisDatabase describes the internal system Redis; the spec.system.redis* fields, which
// have no other use since system Redis became external in 3scale 2.16, configure it.
func systemRedisDatabase(in *Inputs) database {
	db := database{
		name: SystemRedisName, component: ComponentSystem, element: "redis", claim: SystemRedisPVC,
		image: in.Images.SystemRedis,
	}
	if s := in.spec().System; s != nil {
		db.resources = s.RedisResources
		db.placement = &appsv1alpha1.PodPlacementSpec{
			Affinity: s.RedisAffinity, Tolerations: s.RedisTolerations, PriorityClassName: s.RedisPriorityClassName,
			TopologySpreadConstraints: s.RedisTopologySpreadConstraints, Labels: s.RedisLabels, Annotations: s.RedisAnnotations,
		}
		if c := s.RedisPersistentVolumeClaimSpec; c != nil {
			db.pvc = &appsv1alpha1.PVCGenericSpec{StorageClassName: c.StorageClassName}
		}
	}
	return db
}

// backendRedisDatabase describes the internal backend Redis (storage and queues in two logical
// databases), configured by the spec.backend.redis* fields.
func backendRedisDatabase(in *Inputs) database {
	db := database{
		name: BackendRedisName, component: ComponentBackend, element: "redis", claim: BackendRedisPVC,
		image: in.Images.BackendRedis,
	}
	if b := in.spec().Backend; b != nil {
		db.resources = b.RedisResources
		db.placement = &appsv1alpha1.PodPlacementSpec{
			Affinity: b.RedisAffinity, Tolerations: b.RedisTolerations, PriorityClassName: b.RedisPriorityClassName,
			TopologySpreadConstraints: b.RedisTopologySpreadConstraints, Labels: b.RedisLabels, Annotations: b.RedisAnnotations,
		}
		if c := b.RedisPersistentVolumeClaimSpec; c != nil {
			db.pvc = &appsv1alpha1.PVCGenericSpec{StorageClassName: c.StorageClassName}
		}
	}
	return db
}

// internalRedis returns the objects of an internal Redis described by db.
func internalRedis(in *Inputs, db database) []client.Object {
	db.port, db.dataDir, db.uid = redisPort, redisDataDir, redisUID
	db.defaults = requirements("150m", "256Mi", "500m", "32Gi")
	db.configData = []map[string]string{{"redis.conf": redisConf}}
	container := corev1.Container{
		Command: []string{"redis-server", redisConfigDir + "/redis.conf", "--daemonize", "no"},
		VolumeMounts: []corev1.VolumeMount{
			{Name: RedisConfigMap, MountPath: redisConfigDir, ReadOnly: true},
		},
		LivenessProbe:  tcpProbe(redisPort, 10, 5, 10),
		ReadinessProbe: execProbe([]string{"sh", "-c", "redis-cli -h 127.0.0.1 ping | grep -q PONG"}, 10, 5, 10),
	}
	config := corev1.Volume{Name: RedisConfigMap, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
		LocalObjectReference: corev1.LocalObjectReference{Name: RedisConfigMap},
		Items:                []corev1.KeyToPath{{Key: "redis.conf", Path: "redis.conf"}},
	}}}
	return databaseObjects(in, db, container, config)
}
