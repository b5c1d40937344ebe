package render

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

// Inputs is everything a renderer may depend on. The controller gathers it once per reconcile
// (reading Secrets, discovering optional APIs, reading RELATED_IMAGE_* variables); renderers only read
// it. The JSON tags let golden-test variants be written as YAML files.
type Inputs struct {
	// APIManager is the platform to render. Its spec is never modified: defaults are read through
	// the *OrDefault and Is* methods of the API type.
	APIManager *appsv1alpha1.APIManager `json:"apiManager"`

	// Images are the container images, resolved by ResolveImages.
	Images Images `json:"images,omitempty"`

	// Secrets describes the Secrets of the namespace that the platform reads (user-provided and
	// generated), by name. A Secret absent from the map does not exist (yet).
	Secrets map[string]SecretInfo `json:"secrets,omitempty"`

	// SecretData holds the values of the platform Secrets the operator generates (system-seed,
	// system-app, ...), by Secret name then key, after the controller filled in missing keys.
	// Secrets(in) renders them from here; no other renderer reads values.
	SecretData map[string]map[string]string `json:"secretData,omitempty"`

	// RunningDatabases describes the live Deployments of DatabaseDeployments, by name; an absent
	// entry does not exist. A database whose data is of another major version than its desired
	// image keeps its running image (see DatabaseHold).
	RunningDatabases map[string]RunningWorkload `json:"runningDatabases,omitempty"`

	// Tenants are the tenants (Tenant objects of the namespace whose master URL is this platform's)
	// whose portals get Ingresses off OpenShift, sorted by name.
	Tenants []TenantPortals `json:"tenants,omitempty"`

	// RoutesAvailable is true when the cluster serves route.openshift.io/v1 (OpenShift).
	RoutesAvailable bool `json:"routesAvailable,omitempty"`
	// PodMonitorAvailable is true when the cluster serves monitoring.coreos.com/v1 PodMonitors.
	PodMonitorAvailable bool `json:"podMonitorAvailable,omitempty"`
	// PrometheusRuleAvailable is true when the cluster serves monitoring.coreos.com/v1 PrometheusRules.
	PrometheusRuleAvailable bool `json:"prometheusRuleAvailable,omitempty"`
	// GrafanaDashboardAvailable is true when the cluster serves grafana.integreatly.org/v1beta1
	// GrafanaDashboards.
	GrafanaDashboardAvailable bool `json:"grafanaDashboardAvailable,omitempty"`
	// GrafanaDashboardV4Available is true when the cluster serves grafana-operator v4's
	// integreatly.org/v1alpha1 GrafanaDashboards. They are rendered only when v5's are not served.
	GrafanaDashboardV4Available bool `json:"grafanaDashboardV4Available,omitempty"`
}

// TenantPortals are the public hosts of a tenant's portals.
type TenantPortals struct {
	// Name is the Tenant object's name.
	Name string `json:"name"`
	// AdminHost is the host of its admin portal, from the adminURL of its tenant Secret.
	AdminHost string `json:"adminHost"`
	// DeveloperHost is the host of its developer portal: the admin host without its -admin suffix;
	// empty when the admin host does not follow 3scale's naming.
	DeveloperHost string `json:"developerHost,omitempty"`
}

// SecretInfo is what renderers may know about an existing Secret: enough to roll pods when its data
// changes and to list its keys, never its values.
type SecretInfo struct {
	// Hash is HashSecretData of the Secret's data.
	Hash string `json:"hash,omitempty"`
	// Keys are the Secret's data keys in lexicographic order (custom APIcast environments mount one
	// file per key; the OpenTelemetry configuration defaults to the first key).
	Keys []string `json:"keys,omitempty"`
}

// NewSecretInfo describes a Secret's data for Inputs.Secrets.
func NewSecretInfo(data map[string][]byte) SecretInfo {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return SecretInfo{Hash: HashSecretData(data), Keys: keys}
}

// HashSecretData returns a hex SHA-256 of a Secret's data that does not depend on map order. Keys
// and values are length-prefixed so that moving bytes between a key and its value changes the hash.
func HashSecretData(data map[string][]byte) string {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	var lenBuf [8]byte
	writeField := func(b []byte) {
		n := uint64(len(b))
		for i := range lenBuf {
			lenBuf[i] = byte(n >> (8 * i))
		}
		h.Write(lenBuf[:])
		h.Write(b)
	}
	for _, k := range keys {
		writeField([]byte(k))
		writeField(data[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ok reports whether in can be rendered at all: renderers return nothing rather than panic on a
// nil input.
func (in *Inputs) ok() bool {
	return in != nil && in.APIManager != nil
}

// namespace is the namespace of every rendered object: the APIManager's.
func (in *Inputs) namespace() string {
	return in.APIManager.Namespace
}

// spec is a shortcut to the APIManager's spec.
func (in *Inputs) spec() *appsv1alpha1.APIManagerSpec {
	return &in.APIManager.Spec
}

// secretKeys returns the data keys of the named Secret, nil when it does not exist.
func (in *Inputs) secretKeys(name string) []string {
	return in.Secrets[name].Keys
}

// asyncDisabled reports whether backend runs in synchronous mode (annotation
// apps.3scale.net/disable-async: "true"), which also turns off backend HPAs.
func (in *Inputs) asyncDisabled() bool {
	return in.APIManager.Annotations[appsv1alpha1.DisableAsyncAnnotation] == "true"
}

// Images are the container images of the platform.
type Images struct {
	Apicast          string `json:"apicast,omitempty"`
	Backend          string `json:"backend,omitempty"`
	System           string `json:"system,omitempty"`
	Searchd          string `json:"searchd,omitempty"`
	Memcached        string `json:"memcached,omitempty"`
	Zync             string `json:"zync,omitempty"`
	ZyncPostgreSQL   string `json:"zyncPostgreSQL,omitempty"`
	SystemMySQL      string `json:"systemMySQL,omitempty"`
	SystemPostgreSQL string `json:"systemPostgreSQL,omitempty"`
	SystemRedis      string `json:"systemRedis,omitempty"`
	BackendRedis     string `json:"backendRedis,omitempty"`
	OCCli            string `json:"ocCli,omitempty"`
}

// Environment variables that override the default images, as in the 3scale operator Red Hat ships
// (OLM sets them from the CSV's relatedImages for disconnected installs). The database images have no
// counterpart there, because it no longer deploys databases; ours are named the same way.
const (
	RelatedImageApicastEnv          = "RELATED_IMAGE_APICAST"
	RelatedImageBackendEnv          = "RELATED_IMAGE_BACKEND"
	RelatedImageSystemEnv           = "RELATED_IMAGE_SYSTEM"
	RelatedImageSearchdEnv          = "RELATED_IMAGE_SYSTEM_SEARCHD"
	RelatedImageMemcachedEnv        = "RELATED_IMAGE_SYSTEM_MEMCACHED"
	RelatedImageZyncEnv             = "RELATED_IMAGE_ZYNC"
	RelatedImageZyncPostgreSQLEnv   = "RELATED_IMAGE_ZYNC_POSTGRESQL"
	RelatedImageSystemMySQLEnv      = "RELATED_IMAGE_SYSTEM_MYSQL"
	RelatedImageSystemPostgreSQLEnv = "RELATED_IMAGE_SYSTEM_POSTGRESQL"
	RelatedImageSystemRedisEnv      = "RELATED_IMAGE_SYSTEM_REDIS"
	RelatedImageBackendRedisEnv     = "RELATED_IMAGE_BACKEND_REDIS"
	RelatedImageOCCliEnv            = "RELATED_IMAGE_OC_CLI"
)

// DefaultImages returns the images used when neither a RELATED_IMAGE_* variable nor the spec names
// one. memcached is 1.6: the 1.5 line the existing operator uses is no longer maintained.
func DefaultImages() Images {
	return Images{
		Apicast:          "quay.io/3scale/apicast:latest",
		Backend:          "quay.io/3scale/apisonator:latest",
		System:           "quay.io/3scale/porta:latest",
		Searchd:          "quay.io/3scale/searchd:latest",
		Memcached:        "mirror.gcr.io/library/memcached:1.6",
		Zync:             "quay.io/3scale/zync:latest",
		ZyncPostgreSQL:   "quay.io/sclorg/postgresql-15-c8s",
		SystemMySQL:      "quay.io/sclorg/mysql-80-c8s",
		SystemPostgreSQL: "quay.io/sclorg/postgresql-15-c8s",
		SystemRedis:      "quay.io/sclorg/redis-7-c8s",
		BackendRedis:     "quay.io/sclorg/redis-7-c8s",
		OCCli:            "quay.io/openshift/origin-cli:4.7",
	}
}

// ResolveImages returns the images of apim: the spec's override when set, else the value of the
// RELATED_IMAGE_* variable in env when non-empty, else the default. env is passed in (the caller
// reads the process environment) so that this stays pure. The internal database images have no spec
// override: the fields that once held them (spec.system.database.*.image, spec.*.redisImage) are
// documented as having no effect.
func ResolveImages(apim *appsv1alpha1.APIManager, env map[string]string) Images {
	d := DefaultImages()
	pick := func(spec *string, envName, def string) string {
		if spec != nil && *spec != "" {
			return *spec
		}
		if v := env[envName]; v != "" {
			return v
		}
		return def
	}
	var s appsv1alpha1.APIManagerSpec
	if apim != nil {
		s = apim.Spec
	}
	var apicast, backend, system, searchd, memcached, zync, zyncPG *string
	// Images of the internal databases, honoured when those databases are internal.
	var backendRedis, systemRedis, systemMySQL, systemPostgreSQL *string
	if s.Apicast != nil {
		apicast = s.Apicast.Image
	}
	if s.Backend != nil {
		backend = s.Backend.Image
		backendRedis = s.Backend.RedisImage
	}
	if s.System != nil {
		system = s.System.Image
		memcached = s.System.MemcachedImage
		systemRedis = s.System.RedisImage
		if db := s.System.DatabaseSpec; db != nil {
			if db.MySQL != nil {
				systemMySQL = db.MySQL.Image
			}
			if db.PostgreSQL != nil {
				systemPostgreSQL = db.PostgreSQL.Image
			}
		}
		if s.System.SearchdSpec != nil {
			searchd = s.System.SearchdSpec.Image
		}
	}
	if s.Zync != nil {
		zync = s.Zync.Image
		zyncPG = s.Zync.PostgreSQLImage
	}
	return Images{
		Apicast:          pick(apicast, RelatedImageApicastEnv, d.Apicast),
		Backend:          pick(backend, RelatedImageBackendEnv, d.Backend),
		System:           pick(system, RelatedImageSystemEnv, d.System),
		Searchd:          pick(searchd, RelatedImageSearchdEnv, d.Searchd),
		Memcached:        pick(memcached, RelatedImageMemcachedEnv, d.Memcached),
		Zync:             pick(zync, RelatedImageZyncEnv, d.Zync),
		ZyncPostgreSQL:   pick(zyncPG, RelatedImageZyncPostgreSQLEnv, d.ZyncPostgreSQL),
		SystemMySQL:      pick(systemMySQL, RelatedImageSystemMySQLEnv, d.SystemMySQL),
		SystemPostgreSQL: pick(systemPostgreSQL, RelatedImageSystemPostgreSQLEnv, d.SystemPostgreSQL),
		SystemRedis:      pick(systemRedis, RelatedImageSystemRedisEnv, d.SystemRedis),
		BackendRedis:     pick(backendRedis, RelatedImageBackendRedisEnv, d.BackendRedis),
		OCCli:            pick(nil, RelatedImageOCCliEnv, d.OCCli),
	}
}
