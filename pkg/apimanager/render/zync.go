package render

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

// Zync ports and database settings, as in the existing operator (the zync Secret's default
// DATABASE_URL points to zync-database:5432/zync_production as user zync).
const (
	zyncPort           int32 = 8080
	zyncMetricsPort    int32 = 9393
	zyncQueMetricsPort int32 = 9394
	zyncDBPort         int32 = 5432
	zyncDBUser               = "zync"
	zyncDBName               = "zync_production"
	zyncDBDataDir            = "/var/lib/pgsql/data"
	zyncDBStorage            = "1Gi"
	zyncDBTLSDir             = "/tls/zync-database"
	zyncDBTLSVolume          = "zync-database-tls"
	// zyncPostgresUID is the user of the sclorg PostgreSQL images; see zyncDatabaseDeployment.
	zyncPostgresUID int64 = 26
)

// ZyncQueContainerName is the name of zync-que's container.
const ZyncQueContainerName = "que"

// Zync returns zync and zync-que (with zync-que's ServiceAccount, Role and RoleBinding: it creates
// the Routes of tenants and products), their PDBs when enabled, and the internal zync-database with
// its Service and PVC unless the zync database is external. Nothing when zync is disabled.
func Zync(in *Inputs) []client.Object {
	if !in.ok() || !in.APIManager.IsZyncEnabled() {
		return nil
	}
	var spec appsv1alpha1.ZyncSpec
	if in.spec().Zync != nil {
		spec = *in.spec().Zync
	}
	tls := zyncDatabaseTLSFiles(in)
	objs := []client.Object{
		zyncDeployment(in, spec.AppSpec, tls),
		NewService(in, ZyncName, ComponentZync, "zync", ZyncName,
			servicePort("8080-tcp", zyncPort, intstr.FromInt32(zyncPort))),
		zyncQueDeployment(in, spec.QueSpec, tls),
		newServiceAccount(in, ZyncQueServiceAccount, ComponentZync, "zync-que"),
		zyncQueRole(in),
		zyncQueRoleBinding(in),
	}
	if in.APIManager.IsPDBEnabled() {
		objs = append(objs,
			NewPodDisruptionBudget(in, ZyncName, ComponentZync, "zync"),
			NewPodDisruptionBudget(in, ZyncQueName, ComponentZync, "zync-que"))
	}
	if !in.APIManager.IsZyncDatabaseExternal() {
		objs = append(objs,
			zyncDatabaseDeployment(in, &spec),
			NewService(in, ZyncDatabaseName, ComponentZync, "database", ZyncDatabaseName,
				servicePort("postgresql", zyncDBPort, intstr.FromInt32(zyncDBPort))),
			NewPersistentVolumeClaim(in, ZyncDatabasePVC, ComponentZync, "database",
				corev1.ReadWriteOnce, zyncDBStorage, nil))
	}
	return objs
}

// zyncTLS holds the TLS files of zync's database connection.
type zyncTLS struct {
	volumes []corev1.Volume
	mounts  []corev1.VolumeMount
	env     []corev1.EnvVar
}

// zyncDatabaseTLSFiles returns the TLS settings of zync's database connection when
// zyncDatabaseTLSEnabled: the files of the zync Secret's DB_SSL_* keys that exist, and the SSL mode.
func zyncDatabaseTLSFiles(in *Inputs) zyncTLS {
	var t zyncTLS
	if !in.APIManager.IsZyncDatabaseTLSEnabled() {
		return t
	}
	t.env = append(t.env, envSecretOptional("DATABASE_SSL_MODE", ZyncSecret, "DATABASE_SSL_MODE"))
	keys := in.secretKeys(ZyncSecret)
	var items []corev1.KeyToPath
	for _, f := range []struct{ key, file, env string }{
		{"DB_SSL_CA", "ca.crt", "DATABASE_SSL_CA"},
		{"DB_SSL_CERT", "tls.crt", "DATABASE_SSL_CERT"},
		{"DB_SSL_KEY", "tls.key", "DATABASE_SSL_KEY"},
	} {
		if slices.Contains(keys, f.key) {
			items = append(items, corev1.KeyToPath{Key: f.key, Path: f.file})
			t.env = append(t.env, envValue(f.env, zyncDBTLSDir+"/"+f.file))
		}
	}
	if len(items) > 0 {
		v := secretVolume(zyncDBTLSVolume, ZyncSecret)
		v.Secret.Items = items
		t.volumes = []corev1.Volume{v}
		t.mounts = []corev1.VolumeMount{{Name: zyncDBTLSVolume, MountPath: zyncDBTLSDir, ReadOnly: true}}
	}
	return t
}

// zyncEnv is the environment shared by zync and zync-que.
func zyncEnv(tls zyncTLS) []corev1.EnvVar {
	env := []corev1.EnvVar{
		envValue("RAILS_LOG_TO_STDOUT", "true"),
		envValue("RAILS_ENV", "production"),
		envSecret("DATABASE_URL", ZyncSecret, "DATABASE_URL"),
		envSecret("SECRET_KEY_BASE", ZyncSecret, "SECRET_KEY_BASE"),
		envSecret("ZYNC_AUTHENTICATION_TOKEN", ZyncSecret, "ZYNC_AUTHENTICATION_TOKEN"),
		envFieldRef("POD_NAME", "metadata.name"),
		envFieldRef("POD_NAMESPACE", "metadata.namespace"),
	}
	return append(env, tls.env...)
}

func zyncDeployment(in *Inputs, spec *appsv1alpha1.ZyncAppSpec, tls zyncTLS) client.Object {
	var placement *appsv1alpha1.PodPlacementSpec
	var count *int64
	var override *corev1.ResourceRequirements
	if spec != nil {
		placement, count, override = &spec.PodPlacementSpec, spec.Replicas, spec.Resources
	}
	container := corev1.Container{
		Name:  ZyncName,
		Image: in.Images.Zync, ImagePullPolicy: corev1.PullIfNotPresent,
		Ports: []corev1.ContainerPort{
			containerPort("http", zyncPort),
			containerPort("metrics", zyncMetricsPort),
		},
		Env:            zyncEnv(tls),
		Resources:      resources(in, override, requirements("150m", "250M", "1", "512Mi")),
		VolumeMounts:   tls.mounts,
		LivenessProbe:  httpProbe("/status/live", zyncPort, 10, 60, 10),
		ReadinessProbe: httpProbe("/status/ready", zyncPort, 30, 10, 10),
	}
	// zync fails on start while its database is unreachable or not migrated; the init container
	// waits (and migrates) first.
	waitForDB := corev1.Container{
		Name:  "zync-db-svc",
		Image: in.Images.Zync, ImagePullPolicy: corev1.PullIfNotPresent,
		Command:      []string{"bash", "-c", `bundle exec sh -c "until rake boot:db; do sleep $SLEEP_SECONDS; done"`},
		Env:          append([]corev1.EnvVar{envValue("SLEEP_SECONDS", "1"), envSecret("DATABASE_URL", ZyncSecret, "DATABASE_URL")}, tls.env...),
		VolumeMounts: tls.mounts,
	}
	return NewDeployment(in, Workload{
		Name: ZyncName, Component: ComponentZync, Element: "zync",
		Placement: placement, Secrets: []string{ZyncSecret}, Replicas: replicas(count, false),
		PodAnnotations: prometheusAnnotations(zyncMetricsPort),
	}, corev1.PodSpec{
		InitContainers: []corev1.Container{waitForDB},
		Containers:     []corev1.Container{container},
		Volumes:        tls.volumes,
	})
}

func zyncQueDeployment(in *Inputs, spec *appsv1alpha1.ZyncQueSpec, tls zyncTLS) client.Object {
	var placement *appsv1alpha1.PodPlacementSpec
	var count *int64
	var override *corev1.ResourceRequirements
	if spec != nil {
		placement, count, override = &spec.PodPlacementSpec, spec.Replicas, spec.Resources
	}
	container := corev1.Container{
		// "que", as in the existing operator: `kubectl logs -c que`, `oc set env -c que` and
		// users' strategic-merge patches name it.
		Name:  ZyncQueContainerName,
		Image: in.Images.Zync, ImagePullPolicy: corev1.PullIfNotPresent,
		Command:       []string{"/usr/bin/bash", "-c", "bundle exec rake 'que[--worker-count 10]'"},
		Ports:         []corev1.ContainerPort{containerPort("metrics", zyncQueMetricsPort)},
		Env:           zyncEnv(tls),
		Resources:     resources(in, override, requirements("250m", "250M", "1", "512Mi")),
		VolumeMounts:  tls.mounts,
		LivenessProbe: httpProbe("/metrics", zyncQueMetricsPort, 10, 60, 10),
	}
	return NewDeployment(in, Workload{
		Name: ZyncQueName, Component: ComponentZync, Element: "zync-que",
		Placement: placement, Secrets: []string{ZyncSecret}, Replicas: replicas(count, false),
		ServiceAccount: ZyncQueServiceAccount,
		// The port zync-que serves its metrics on. The existing operator announces zync's 9393,
		// where nothing listens in a zync-que pod.
		PodAnnotations: prometheusAnnotations(zyncQueMetricsPort),
	}, corev1.PodSpec{Containers: []corev1.Container{container}, Volumes: tls.volumes})
}

// zyncQueRole lets zync-que read the platform's workloads (to find the owner of the Routes it
// creates) and manage Routes, including custom hosts.
func zyncQueRole(in *Inputs) *rbacv1.Role {
	read := []string{"get", "list"}
	return &rbacv1.Role{
		TypeMeta:   typeMeta("rbac.authorization.k8s.io/v1", "Role"),
		ObjectMeta: objectMeta(in, ZyncQueRole, ComponentZync, "zync-que"),
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{"apps"}, Resources: []string{"deployments", "replicasets"}, Verbs: read},
			{APIGroups: []string{""}, Resources: []string{"pods", "replicationcontrollers"}, Verbs: read},
			{APIGroups: []string{"route.openshift.io"}, Resources: []string{"routes"},
				Verbs: []string{"get", "list", "create", "update", "patch", "delete"}},
			{APIGroups: []string{"route.openshift.io"}, Resources: []string{"routes/status"}, Verbs: []string{"get"}},
			{APIGroups: []string{"route.openshift.io"}, Resources: []string{"routes/custom-host"}, Verbs: []string{"create"}},
		},
	}
}

func zyncQueRoleBinding(in *Inputs) *rbacv1.RoleBinding {
	return &rbacv1.RoleBinding{
		TypeMeta:   typeMeta("rbac.authorization.k8s.io/v1", "RoleBinding"),
		ObjectMeta: objectMeta(in, ZyncQueRoleBinding, ComponentZync, "zync-que"),
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: ZyncQueRole},
		Subjects: []rbacv1.Subject{{
			Kind: rbacv1.ServiceAccountKind, Name: ZyncQueServiceAccount, Namespace: in.namespace(),
		}},
	}
}

// zyncDatabaseDeployment is the internal PostgreSQL of zync, on its own PVC: the existing operator
// keeps it on an emptyDir, so every restart of the pod loses zync's state.
func zyncDatabaseDeployment(in *Inputs, spec *appsv1alpha1.ZyncSpec) client.Object {
	placement := &appsv1alpha1.PodPlacementSpec{
		Affinity:                  spec.DatabaseAffinity,
		Tolerations:               spec.DatabaseTolerations,
		PriorityClassName:         spec.DatabasePriorityClassName,
		TopologySpreadConstraints: spec.DatabaseTopologySpreadConstraints,
		Labels:                    spec.DatabaseLabels,
		Annotations:               spec.DatabaseAnnotations,
	}
	one := int32(1)
	container := corev1.Container{
		Name:  "postgresql",
		Image: databaseImage(in, ZyncDatabaseName, ZyncDatabasePVC, in.Images.ZyncPostgreSQL), ImagePullPolicy: corev1.PullIfNotPresent,
		Ports: []corev1.ContainerPort{containerPort("postgresql", zyncDBPort)},
		Env: []corev1.EnvVar{
			envValue("POSTGRESQL_USER", zyncDBUser),
			envSecret("POSTGRESQL_PASSWORD", ZyncSecret, "ZYNC_DATABASE_PASSWORD"),
			envValue("POSTGRESQL_DATABASE", zyncDBName),
		},
		Resources:     resources(in, spec.DatabaseResources, requirements("50m", "250M", "250m", "2G")),
		VolumeMounts:  []corev1.VolumeMount{{Name: "zync-database-data", MountPath: zyncDBDataDir}},
		LivenessProbe: tcpProbe(zyncDBPort, 30, 1, 10),
		ReadinessProbe: execProbe([]string{"/bin/sh", "-i", "-c",
			"psql -h 127.0.0.1 -U " + zyncDBUser + " -q -d " + zyncDBName + " -c 'SELECT 1'"}, 5, 1, 10),
	}
	pod := corev1.PodSpec{
		Containers: []corev1.Container{container},
		Volumes: []corev1.Volume{{Name: "zync-database-data", VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: ZyncDatabasePVC},
		}}},
	}
	if !in.RoutesAvailable {
		// Off OpenShift nothing assigns the pod a group that may write the volume; give it the
		// image's postgres group. On OpenShift the restricted SCC assigns one and would reject a
		// fixed fsGroup outside the namespace's range.
		gid := zyncPostgresUID
		pod.SecurityContext = &corev1.PodSecurityContext{FSGroup: &gid}
	}
	return NewDeployment(in, Workload{
		Name: ZyncDatabaseName, Component: ComponentZync, Element: "database",
		Placement: placement, Secrets: []string{ZyncSecret}, Replicas: &one, Recreate: true,
	}, pod)
}
