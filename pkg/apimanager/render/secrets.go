package render

import (
	"net/url"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

// Lengths of the generated secret values. They are longer than the existing operator's (which uses
// 8 characters for the master access token) because nothing limits them and they guard the whole
// platform.
const (
	generatedTokenLength    = 32
	generatedPasswordLength = 32
	// generatedKeyBaseLength is the length of Rails' SECRET_KEY_BASE (128 hex digits in Rails).
	generatedKeyBaseLength = 128
)

// Default values of the generated Secrets, as in the existing operator. Internal URLs name the
// platform's Services, which live in the same namespace.
const (
	defaultMasterUser       = "master"
	defaultAdminUser        = "admin"
	internalAPIDefaultUser  = "3scale_api_user"
	systemMasterInternalURL = "http://system-master:3000"
	backendListenerLocalURL = "http://backend-listener:3000"
	systemMemcacheServers   = "system-memcache:11211"
	systemDatabaseName      = "system"
	systemMySQLUser         = "mysql"
	systemPostgreSQLUser    = "system"
	systemRedisInternalURL  = "redis://system-redis:6379/1"
	backendStorageRedisURL  = "redis://backend-redis:6379/0"
	backendQueuesRedisURL   = "redis://backend-redis:6379/1"
)

// secretKey is one key of a generated Secret and how its value is made when the key is missing.
type secretKey struct {
	key string
	// value returns the default; it may read the keys of the same Secret filled before it (so
	// PROXY_CONFIGS_ENDPOINT embeds the final ACCESS_TOKEN) and the keys that already exist (so
	// DB_NAME and DB_ROOT_PASSWORD come from the URL the existing operator wrote), and call gen for
	// random values. A nil value marks an optional key: kept when present, never created.
	value func(filled map[string]string, gen func(n int) string) string
}

// generatedSecret is a Secret the operator creates and fills, in the order its keys are listed.
type generatedSecret struct {
	name string
	keys []secretKey
}

func fixed(v string) func(map[string]string, func(int) string) string {
	return func(map[string]string, func(int) string) string { return v }
}

func random(n int) func(map[string]string, func(int) string) string {
	return func(_ map[string]string, gen func(int) string) string { return gen(n) }
}

// generatedSecrets lists the Secrets the operator owns for apim, in a fixed order so that a
// deterministic generator yields deterministic values. Secrets the user provides (external
// databases) are absent: the operator never writes them.
func generatedSecrets(apim *appsv1alpha1.APIManager) []generatedSecret {
	secrets := []generatedSecret{
		{name: SystemSeedSecret, keys: []secretKey{
			{"MASTER_DOMAIN", fixed(appsv1alpha1.DefaultMasterSubdomain)},
			{"MASTER_ACCESS_TOKEN", random(generatedTokenLength)},
			{"MASTER_USER", fixed(defaultMasterUser)},
			{"MASTER_PASSWORD", random(generatedPasswordLength)},
			{"ADMIN_ACCESS_TOKEN", random(generatedTokenLength)},
			{"ADMIN_USER", fixed(defaultAdminUser)},
			{"ADMIN_PASSWORD", random(generatedPasswordLength)},
			{"ADMIN_EMAIL", fixed("")},
			{"TENANT_NAME", fixed(apim.TenantNameOrDefault())},
		}},
		{name: SystemAppSecret, keys: []secretKey{
			{"SECRET_KEY_BASE", random(generatedKeyBaseLength)},
			{"USER_SESSION_TTL", fixed("")},
		}},
		{name: SystemEventsHookSecret, keys: []secretKey{
			{"URL", fixed(systemMasterInternalURL + "/master/events/import")},
			{"PASSWORD", random(generatedPasswordLength)},
		}},
		{name: SystemMasterApicastSecret, keys: []secretKey{
			{"ACCESS_TOKEN", random(generatedTokenLength)},
			{"PROXY_CONFIGS_ENDPOINT", func(f map[string]string, _ func(int) string) string {
				u := url.URL{Scheme: "http", User: url.User(f["ACCESS_TOKEN"]), Host: "system-master:3000", Path: "/master/api/proxy/configs"}
				return u.String()
			}},
		}},
		{name: SystemMemcacheSecret, keys: []secretKey{
			{"SERVERS", fixed(systemMemcacheServers)},
		}},
		{name: SystemRecaptchaSecret, keys: []secretKey{
			{"PUBLIC_KEY", fixed("")},
			{"PRIVATE_KEY", fixed("")},
		}},
		{name: SystemSMTPSecret, keys: []secretKey{
			{"address", fixed("")},
			{"username", fixed("")},
			{"password", fixed("")},
			{"domain", fixed("")},
			{"port", fixed("")},
			{"authentication", fixed("")},
			{"openssl.verify.mode", fixed("")},
			{SMTPFromAddressKey, nil},
		}},
		{name: BackendInternalAPISecret, keys: []secretKey{
			{"username", fixed(internalAPIDefaultUser)},
			{"password", random(generatedPasswordLength)},
		}},
		{name: BackendListenerSecret, keys: []secretKey{
			{"service_endpoint", fixed(backendListenerLocalURL)},
			{"route_endpoint", fixed("https://" + apim.BackendHost())},
		}},
	}
	if apim.IsZyncEnabled() {
		zync := generatedSecret{name: ZyncSecret, keys: []secretKey{
			{"SECRET_KEY_BASE", random(generatedKeyBaseLength)},
			{"ZYNC_AUTHENTICATION_TOKEN", random(generatedTokenLength)},
		}}
		if apim.IsZyncDatabaseExternal() {
			// The user gives the connection; the controller reports missing keys by name.
			zync.keys = append(zync.keys, secretKey{"DATABASE_URL", nil}, secretKey{"ZYNC_DATABASE_PASSWORD", nil})
		} else {
			zync.keys = append(zync.keys,
				secretKey{"ZYNC_DATABASE_PASSWORD", random(generatedPasswordLength)},
				secretKey{"DATABASE_URL", func(f map[string]string, _ func(int) string) string {
					return postgresURL(zyncDBUser, f["ZYNC_DATABASE_PASSWORD"], ZyncDatabaseName+":"+strconv.Itoa(int(zyncDBPort)), zyncDBName)
				}})
		}
		zync.keys = append(zync.keys, databaseTLSKeys()...)
		secrets = append(secrets, zync)
	}
	return append(secrets, internalDatabaseSecrets(apim)...)
}

// internalDatabaseSecrets lists the connection Secrets of the databases the operator deploys. For
// external databases the user writes them and the operator only reads them.
func internalDatabaseSecrets(apim *appsv1alpha1.APIManager) []generatedSecret {
	var secrets []generatedSecret
	if !apim.IsSystemDatabaseExternal() {
		db := generatedSecret{name: SystemDatabaseSecret}
		// The existing operator's system-database Secret of an internal database holds DB_USER,
		// DB_PASSWORD and URL only: the database name is the URL's path, and MySQL's root password
		// the URL's password. Those are read from it, so that taking over its data changes no
		// password.
		if systemDatabaseIsPostgreSQL(apim) {
			db.keys = []secretKey{
				{"DB_NAME", databaseNameFromURL},
				{"DB_USER", fixed(systemPostgreSQLUser)},
				{"DB_PASSWORD", random(generatedPasswordLength)},
				{"URL", func(f map[string]string, _ func(int) string) string {
					return postgresURL(f["DB_USER"], f["DB_PASSWORD"], SystemPostgreSQLName, f["DB_NAME"])
				}},
			}
		} else {
			db.keys = []secretKey{
				{"DB_NAME", databaseNameFromURL},
				{"DB_USER", fixed(systemMySQLUser)},
				{"DB_PASSWORD", random(generatedPasswordLength)},
				{"DB_ROOT_PASSWORD", rootPasswordFromURL},
				// porta's deploy task creates and migrates the schema, which needs root, as in the
				// templates 3scale shipped with an internal MySQL.
				{"URL", func(f map[string]string, _ func(int) string) string {
					u := url.URL{Scheme: "mysql2", User: url.UserPassword("root", f["DB_ROOT_PASSWORD"]),
						Host: SystemMySQLName, Path: "/" + f["DB_NAME"]}
					return u.String()
				}},
			}
		}
		secrets = append(secrets, db)
	}
	if !apim.IsSystemRedisExternal() {
		secrets = append(secrets, generatedSecret{name: SystemRedisSecret, keys: []secretKey{
			{"URL", fixed(systemRedisInternalURL)},
		}})
	}
	if !apim.IsBackendRedisExternal() {
		secrets = append(secrets, generatedSecret{name: BackendRedisSecret, keys: []secretKey{
			{"REDIS_STORAGE_URL", fixed(backendStorageRedisURL)},
			{"REDIS_QUEUES_URL", fixed(backendQueuesRedisURL)},
		}})
	}
	return secrets
}

// databaseNameFromURL is the default of DB_NAME: the path of an existing URL, else "system".
func databaseNameFromURL(filled map[string]string, _ func(int) string) string {
	if u, err := url.Parse(filled["URL"]); err == nil && filled["URL"] != "" {
		if name := strings.TrimPrefix(u.Path, "/"); name != "" {
			return name
		}
	}
	return systemDatabaseName
}

// rootPasswordFromURL is the default of DB_ROOT_PASSWORD: the password of an existing URL that
// connects as root (the existing operator's MySQL), else a new random one.
func rootPasswordFromURL(filled map[string]string, gen func(int) string) string {
	if u, err := url.Parse(filled["URL"]); err == nil && filled["URL"] != "" && u.User != nil && u.User.Username() == "root" {
		if pw, ok := u.User.Password(); ok && pw != "" {
			return pw
		}
	}
	return gen(generatedPasswordLength)
}

// databaseTLSKeys are the optional TLS keys of a database connection Secret, kept when present.
func databaseTLSKeys() []secretKey {
	return []secretKey{{"DATABASE_SSL_MODE", nil}, {"DB_SSL_CA", nil}, {"DB_SSL_CERT", nil}, {"DB_SSL_KEY", nil}}
}

// postgresURL builds a postgresql:// URL, escaping the credentials.
func postgresURL(user, password, host, database string) string {
	u := url.URL{Scheme: "postgresql", User: url.UserPassword(user, password), Host: host, Path: "/" + database}
	return u.String()
}

// SecretValues returns the data of every Secret the operator generates for apim, by Secret name then
// key: each key keeps its existing value (a value the user wrote always wins) and only missing keys
// get their default or a value from generate, which must return n random URL-safe characters
// ([A-Za-z0-9]: some values are embedded in URLs). existing holds the current data of the Secrets
// of the namespace by name (a missing Secret is a nil entry). Keys this operator does not manage are
// left out: the apply step only writes the keys it returns, so they stay untouched. The controller
// stores the result in Inputs.SecretData and writes the Secrets it rendered from there; generate is
// called only for missing keys, in a fixed order, so a deterministic generator gives a
// deterministic result.
func SecretValues(apim *appsv1alpha1.APIManager, existing map[string]map[string][]byte, generate func(n int) string) map[string]map[string]string {
	if apim == nil {
		return nil
	}
	out := map[string]map[string]string{}
	for _, s := range generatedSecrets(apim) {
		current := existing[s.name]
		filled := make(map[string]string, len(s.keys))
		// The existing values first, so that a default may be derived from a key listed after it.
		for _, k := range s.keys {
			if v, ok := current[k.key]; ok {
				filled[k.key] = string(v)
			}
		}
		for _, k := range s.keys {
			if _, ok := current[k.key]; ok {
				continue
			}
			if k.value == nil {
				continue
			}
			filled[k.key] = k.value(filled, generate)
		}
		out[s.name] = filled
	}
	return out
}

// GeneratedSecretNames returns the names of the Secrets SecretValues fills for apim, in render
// order. The controller reads these Secrets before rendering.
func GeneratedSecretNames(apim *appsv1alpha1.APIManager) []string {
	if apim == nil {
		return nil
	}
	var names []string
	for _, s := range generatedSecrets(apim) {
		names = append(names, s.name)
	}
	return names
}

// Secrets renders the Secrets the operator generates, from the values the controller put in
// in.SecretData (see SecretValues). A Secret with no entry there is not rendered: the renderer never
// invents values.
func Secrets(in *Inputs) []client.Object {
	if !in.ok() {
		return nil
	}
	var objs []client.Object
	for _, name := range GeneratedSecretNames(in.APIManager) {
		values, ok := in.SecretData[name]
		if !ok {
			continue
		}
		data := make(map[string][]byte, len(values))
		for k, v := range values {
			data[k] = []byte(v)
		}
		objs = append(objs, &corev1.Secret{
			TypeMeta:   typeMeta("v1", "Secret"),
			ObjectMeta: objectMeta(in, name, secretComponent(name), strings.TrimPrefix(name, secretComponent(name)+"-")),
			Type:       corev1.SecretTypeOpaque,
			Data:       data,
		})
	}
	return objs
}

// secretComponent returns the threescale_component of a generated Secret.
func secretComponent(name string) string {
	switch name {
	case BackendInternalAPISecret, BackendListenerSecret, BackendRedisSecret:
		return ComponentBackend
	case ZyncSecret:
		return ComponentZync
	default:
		return ComponentSystem
	}
}
