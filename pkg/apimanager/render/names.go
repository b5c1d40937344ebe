package render

// Names of the platform's workloads. They double as the names of their Services, PDBs, HPAs and
// PodMonitors, and as the value of the `deployment` pod label, exactly as in the 3scale operator Red
// Hat ships: users' NetworkPolicies, dashboards and scripts select on them.
const (
	ApicastStagingName    = "apicast-staging"
	ApicastProductionName = "apicast-production"
	BackendListenerName   = "backend-listener"
	BackendWorkerName     = "backend-worker"
	BackendCronName       = "backend-cron"
	SystemAppName         = "system-app"
	SystemSidekiqName     = "system-sidekiq"
	SystemMemcacheName    = "system-memcache"
	SystemSearchdName     = "system-searchd"
	ZyncName              = "zync"
	ZyncQueName           = "zync-que"
	ZyncDatabaseName      = "zync-database"
)

// Names of the ConfigMaps of the platform.
const (
	ApicastEnvironmentConfigMap = "apicast-environment"
	BackendEnvironmentConfigMap = "backend-environment"
	SystemEnvironmentConfigMap  = "system-environment"
	SystemConfigMap             = "system"
)

// Names of the Secrets of the platform. The user provides system-database, system-redis and
// backend-redis (and zync when its database is external); the operator generates the others once.
const (
	SystemSeedSecret          = "system-seed"
	SystemDatabaseSecret      = "system-database"
	SystemRedisSecret         = "system-redis"
	SystemAppSecret           = "system-app"
	SystemEventsHookSecret    = "system-events-hook"
	SystemMasterApicastSecret = "system-master-apicast"
	SystemMemcacheSecret      = "system-memcache"
	SystemRecaptchaSecret     = "system-recaptcha"
	SystemSMTPSecret          = "system-smtp"
	BackendRedisSecret        = "backend-redis"
	BackendInternalAPISecret  = "backend-internal-api"
	BackendListenerSecret     = "backend-listener"
	ZyncSecret                = "zync"
)

// Names of the ServiceAccounts and RBAC objects of the platform.
const (
	// DefaultServiceAccount runs every pod except zync-que; it carries spec.imagePullSecrets.
	DefaultServiceAccount = "amp"
	// ZyncQueServiceAccount runs zync-que, which creates Routes and needs its own Role.
	ZyncQueServiceAccount = "zync-que-sa"
	// ZyncQueRole is the Role of zync-que.
	ZyncQueRole = "zync-que-role"
	// ZyncQueRoleBinding binds ZyncQueRole to ZyncQueServiceAccount.
	ZyncQueRoleBinding = "zync-que-rolebinding"
)

// Names of the PersistentVolumeClaims of the platform.
const (
	// SystemStoragePVC holds system's uploaded files when S3 is not used.
	SystemStoragePVC = "system-storage"
	// SystemSearchdPVC holds the searchd (Manticore) index.
	SystemSearchdPVC = "system-searchd-manticore"
	// ZyncDatabasePVC holds the data of the internal zync PostgreSQL. The existing operator keeps
	// it on an emptyDir, which loses zync's state on every restart.
	ZyncDatabasePVC = "zync-database-data"
)

// Values of the threescale_component label.
const (
	ComponentApicast = "apicast"
	ComponentBackend = "backend"
	ComponentSystem  = "system"
	ComponentZync    = "zync"
)
