package render

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/utils/ptr"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

func TestDatabasesObjects(t *testing.T) {
	mysql := []string{
		"ConfigMap/mysql-main-conf", "ConfigMap/mysql-extra-conf",
		"Service/system-mysql", "PersistentVolumeClaim/mysql-storage", "Deployment/system-mysql",
	}
	postgres := []string{"Service/system-postgresql", "PersistentVolumeClaim/postgresql-data", "Deployment/system-postgresql"}
	systemRedis := []string{"Service/system-redis", "PersistentVolumeClaim/system-redis-storage", "Deployment/system-redis"}
	backendRedis := []string{"Service/backend-redis", "PersistentVolumeClaim/backend-redis-storage", "Deployment/backend-redis"}
	join := func(parts ...[]string) []string {
		var out []string
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	yes := ptr.To(true)
	cases := map[string]struct {
		reason string
		spec   appsv1alpha1.APIManagerSpec
		want   []string
	}{
		"Internal": {reason: "MySQL and both Redis by default",
			want: join(mysql, []string{"ConfigMap/redis-config"}, systemRedis, backendRedis)},
		"PostgreSQL": {reason: "spec.system.database.postgresql chooses PostgreSQL",
			spec: appsv1alpha1.APIManagerSpec{System: &appsv1alpha1.SystemSpec{DatabaseSpec: &appsv1alpha1.SystemDatabaseSpec{
				PostgreSQL: &appsv1alpha1.SystemPostgreSQLSpec{}}}},
			want: join(postgres, []string{"ConfigMap/redis-config"}, systemRedis, backendRedis)},
		"External": {reason: "external databases render nothing",
			spec: appsv1alpha1.APIManagerSpec{ExternalComponents: &appsv1alpha1.ExternalComponentsSpec{
				System:  &appsv1alpha1.ExternalSystemComponents{Database: yes, Redis: yes},
				Backend: &appsv1alpha1.ExternalBackendComponents{Redis: yes},
			}}},
		"OnlyBackendRedis": {reason: "each database is external or not on its own",
			spec: appsv1alpha1.APIManagerSpec{ExternalComponents: &appsv1alpha1.ExternalComponentsSpec{
				System: &appsv1alpha1.ExternalSystemComponents{Database: yes, Redis: yes},
			}},
			want: join([]string{"ConfigMap/redis-config"}, backendRedis)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, names(Databases(newTestInputs(tc.spec)))); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
	if Databases(nil) != nil || Databases(&Inputs{}) != nil {
		t.Error("Databases of a nil input must be nil")
	}
}

// TestDatabasesCredentialsFromSecret checks that no password is written in a Deployment: the
// database images read them from the generated system-database Secret.
func TestDatabasesCredentialsFromSecret(t *testing.T) {
	cases := map[string]struct {
		spec        appsv1alpha1.APIManagerSpec
		passwordEnv string
	}{
		"mysql": {passwordEnv: "MYSQL_PASSWORD"},
		"postgresql": {passwordEnv: "POSTGRESQL_PASSWORD", spec: appsv1alpha1.APIManagerSpec{System: &appsv1alpha1.SystemSpec{
			DatabaseSpec: &appsv1alpha1.SystemDatabaseSpec{PostgreSQL: &appsv1alpha1.SystemPostgreSQLSpec{}}}}},
	}
	for name, tc := range cases {
		spec := tc.spec
		d := deployment(t, Databases(newTestInputs(spec)), "system-"+name)
		c := d.Spec.Template.Spec.Containers[0]
		secretKeys := map[string]string{}
		for _, e := range c.Env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				if e.ValueFrom.SecretKeyRef.Name != SystemDatabaseSecret {
					t.Errorf("%s: %s read from %s", name, e.Name, e.ValueFrom.SecretKeyRef.Name)
				}
				secretKeys[e.Name] = e.ValueFrom.SecretKeyRef.Key
			}
		}
		if secretKeys[tc.passwordEnv] != "DB_PASSWORD" {
			t.Errorf("%s: password not read from the Secret: %v", name, secretKeys)
		}
		if d.Spec.Strategy.Type != "Recreate" || d.Spec.Replicas == nil || *d.Spec.Replicas != 1 {
			t.Errorf("%s: strategy %s replicas %v, want one pod replaced (RWO volume)", name, d.Spec.Strategy.Type, d.Spec.Replicas)
		}
		if d.Spec.Template.Annotations[SecretsHashAnnotation] == SecretsHash(newTestInputs(spec)) {
			t.Errorf("%s: the pod template does not follow system-database", name)
		}
	}
}

func TestDatabasesSpecSettings(t *testing.T) {
	fast := "fast"
	size := resource.MustParse("10Gi")
	mem := resource.MustParse("4Gi")
	spec := appsv1alpha1.APIManagerSpec{
		System: &appsv1alpha1.SystemSpec{
			DatabaseSpec: &appsv1alpha1.SystemDatabaseSpec{MySQL: &appsv1alpha1.SystemMySQLSpec{
				PersistentVolumeClaimSpec: &appsv1alpha1.PVCGenericSpec{
					StorageClassName: &fast,
					Resources:        &appsv1alpha1.PersistentVolumeClaimResources{Requests: size},
				},
				PodPlacementSpec: appsv1alpha1.PodPlacementSpec{PriorityClassName: ptr.To("db")},
			}},
			RedisPersistentVolumeClaimSpec: &appsv1alpha1.SystemRedisPersistentVolumeClaimSpec{StorageClassName: &fast},
			RedisResources:                 &corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceMemory: mem}},
		},
		Backend: &appsv1alpha1.BackendSpec{RedisTolerations: []corev1.Toleration{{Key: "redis", Operator: corev1.TolerationOpExists}}},
	}
	in := newTestInputs(spec)
	in.RoutesAvailable = true
	objs := Databases(in)
	claims := map[string]string{}
	for _, o := range objs {
		if c, ok := o.(*corev1.PersistentVolumeClaim); ok {
			q := c.Spec.Resources.Requests[corev1.ResourceStorage]
			claims[c.Name] = ptr.Deref(c.Spec.StorageClassName, "<default>") + " " + q.String() + " " + string(c.Spec.AccessModes[0])
		}
	}
	want := map[string]string{
		SystemMySQLPVC:  "fast 10Gi ReadWriteOnce",
		SystemRedisPVC:  "fast 1Gi ReadWriteOnce",
		BackendRedisPVC: "<default> 1Gi ReadWriteOnce",
	}
	if diff := cmp.Diff(want, claims); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}
	if got := deployment(t, objs, SystemMySQLName).Spec.Template.Spec.PriorityClassName; got != "db" {
		t.Errorf("mysql priority class %q", got)
	}
	if got := deployment(t, objs, SystemRedisName).Spec.Template.Spec.Containers[0].Resources.Limits[corev1.ResourceMemory]; got.String() != "4Gi" {
		t.Errorf("system redis memory limit %s, want the spec's 4Gi", got.String())
	}
	if got := deployment(t, objs, BackendRedisName).Spec.Template.Spec.Tolerations; len(got) != 1 || got[0].Key != "redis" {
		t.Errorf("backend redis tolerations %v", got)
	}
	if sc := deployment(t, objs, SystemMySQLName).Spec.Template.Spec.SecurityContext; sc != nil {
		t.Errorf("on OpenShift the SCC assigns the fsGroup; got %v", sc)
	}
}

func TestDatabasesFSGroupOffOpenShift(t *testing.T) {
	objs := Databases(newTestInputs(appsv1alpha1.APIManagerSpec{}))
	want := map[string]int64{SystemMySQLName: 27, SystemRedisName: 1001, BackendRedisName: 1001}
	for name, gid := range want {
		sc := deployment(t, objs, name).Spec.Template.Spec.SecurityContext
		if sc == nil || sc.FSGroup == nil || *sc.FSGroup != gid {
			t.Errorf("%s: security context %v, want fsGroup %d", name, sc, gid)
		}
	}
}

// TestRedisConfigRolls checks that a change of redis.conf would roll the Redis pods: the
// configuration is part of their template's hash.
func TestRedisConfigRolls(t *testing.T) {
	d := deployment(t, Databases(newTestInputs(appsv1alpha1.APIManagerSpec{})), SystemRedisName)
	if got, want := d.Spec.Template.Annotations[ConfigMapsHashAnnotation], ConfigMapsHash(map[string]string{"redis.conf": redisConf}); got != want {
		t.Errorf("configmaps hash %q, want %q", got, want)
	}
}
