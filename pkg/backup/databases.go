package backup

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/threescale-oss/operator/pkg/apimanager/render"
)

// The scripts the database Jobs run, in the database's own image (sh and its client tools). They
// read everything from the environment, so that the tests run exactly these against local servers:
// DB_HOST, DB_PORT, DB_USER, DB_NAME, DB_PASSWORD (DB_ROOT_PASSWORD for MySQL, whose dump needs
// root), BACKUP_DIR. Each writes its file under a temporary name and renames it once complete, so
// a half-written dump is never taken for a backup.
const (
	// MySQLDumpScript dumps the system database in one consistent transaction (InnoDB), with
	// routines, triggers and events, and a DROP DATABASE first, so loading it gives back exactly
	// this database even over one the platform has already seeded.
	MySQLDumpScript = `set -eu
mkdir -p -m 2770 "$BACKUP_DIR/databases"
export MYSQL_PWD="$DB_ROOT_PASSWORD"
mysqldump --single-transaction --routines --triggers --events --add-drop-database --databases "$DB_NAME" \
  -h "$DB_HOST" -P "$DB_PORT" -u root > "$BACKUP_DIR/databases/system-mysql.sql.partial"
mv "$BACKUP_DIR/databases/system-mysql.sql.partial" "$BACKUP_DIR/databases/system-mysql.sql"
`
	// MySQLLoadScript loads the dump.
	MySQLLoadScript = `set -eu
export MYSQL_PWD="$DB_ROOT_PASSWORD"
mysql -h "$DB_HOST" -P "$DB_PORT" -u root < "$BACKUP_DIR/databases/system-mysql.sql"
`
	// PostgreSQLDumpScript dumps a PostgreSQL database (pg_dump reads one snapshot) as SQL that
	// drops each object before creating it, without owners or grants, so it loads into the
	// database of the same name whoever owns it. DUMP_NAME is the file's base name.
	PostgreSQLDumpScript = `set -eu
mkdir -p -m 2770 "$BACKUP_DIR/databases"
export PGPASSWORD="$DB_PASSWORD"
pg_dump --clean --if-exists --no-owner --no-privileges -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "$DB_NAME" \
  -f "$BACKUP_DIR/databases/$DUMP_NAME.sql.partial"
mv "$BACKUP_DIR/databases/$DUMP_NAME.sql.partial" "$BACKUP_DIR/databases/$DUMP_NAME.sql"
`
	// PostgreSQLLoadScript loads the dump in one transaction, stopping at the first error.
	PostgreSQLLoadScript = `set -eu
export PGPASSWORD="$DB_PASSWORD"
psql -q -v ON_ERROR_STOP=1 --single-transaction -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "$DB_NAME" \
  -f "$BACKUP_DIR/databases/$DUMP_NAME.sql" > /dev/null
`
	// RedisDumpScript has the server write a fresh snapshot and streams it (the dump.rdb a SAVE
	// would write) to the backup: redis-cli --rdb.
	RedisDumpScript = `set -eu
mkdir -p -m 2770 "$BACKUP_DIR/databases"
redis-cli -h "$DB_HOST" -p "$DB_PORT" --rdb "$BACKUP_DIR/databases/$DUMP_NAME.rdb.partial" >/dev/null
mv "$BACKUP_DIR/databases/$DUMP_NAME.rdb.partial" "$BACKUP_DIR/databases/$DUMP_NAME.rdb"
`
	// RedisLoadScript loads a snapshot into a running Redis: a private redis-server started from
	// the snapshot migrates every key of every database, a hundred at a time (MIGRATE COPY REPLACE, with TTLs) to the
	// target, which is emptied first, so the target ends with exactly the backed-up keys. Keys
	// holding a newline are not supported (the platform writes none).
	RedisLoadScript = `set -eu
work=$(mktemp -d)
cp "$BACKUP_DIR/databases/$DUMP_NAME.rdb" "$work/dump.rdb"
redis-server --bind 127.0.0.1 --port "$SCRATCH_PORT" --dir "$work" --dbfilename dump.rdb --appendonly no --save "" \
  --daemonize yes --logfile "$work/redis.log" --pidfile "$work/redis.pid"
trap 'redis-cli -p "$SCRATCH_PORT" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
tries=0
until [ "$(redis-cli -p "$SCRATCH_PORT" ping 2>/dev/null)" = PONG ]; do
  tries=$((tries+1)); [ "$tries" -lt 600 ] || { cat "$work/redis.log" >&2; exit 1; }; sleep 0.1
done
[ "$(redis-cli -h "$DB_HOST" -p "$DB_PORT" flushall)" = OK ]
migrate() {
  mdb=$1; shift
  r=$(redis-cli -p "$SCRATCH_PORT" -n "$mdb" migrate "$DB_HOST" "$DB_PORT" "" "$mdb" 60000 copy replace keys "$@")
  [ "$r" = OK ] || [ "$r" = NOKEY ] || { echo "MIGRATE to $DB_HOST:$DB_PORT db $mdb: $r" >&2; exit 1; }
}
for db in $(redis-cli -p "$SCRATCH_PORT" info keyspace | sed -n 's/^db\([0-9]*\):.*/\1/p'); do
  redis-cli -p "$SCRATCH_PORT" -n "$db" --scan > "$work/keys"
  set --
  while IFS= read -r key; do
    set -- "$@" "$key"
    if [ $# -ge 100 ]; then migrate "$db" "$@"; set --; fi
  done < "$work/keys"
  if [ $# -gt 0 ]; then migrate "$db" "$@"; fi
done
`
)

// scratchRedisPort is the port of the private redis-server of RedisLoadScript, inside the Job's pod.
const scratchRedisPort = "6390"

func envValue(name, value string) corev1.EnvVar { return corev1.EnvVar{Name: name, Value: value} }

func envSecret(name, secret, key string) corev1.EnvVar {
	return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: secret}, Key: key,
	}}}
}

// DatabaseContainer returns the container of the database step of a backup (dump) or restore
// (load): the database's image running the script above, its connection taken from the Service
// and the connection Secret the APIManager renderer gives the database.
func DatabaseContainer(kind, step string, images render.Images) (corev1.Container, error) {
	c := corev1.Container{Name: step, ImagePullPolicy: corev1.PullIfNotPresent}
	env := []corev1.EnvVar{envValue("BACKUP_DIR", MountPath)}
	dump := kind == KindBackup
	pick := func(dumpScript, loadScript string) string {
		if dump {
			return dumpScript
		}
		return loadScript
	}
	switch step {
	case StepSystemMySQL:
		c.Image = images.SystemMySQL
		env = append(env, envValue("DB_HOST", render.SystemMySQLName), envValue("DB_PORT", mysqlPort),
			envSecret("DB_NAME", render.SystemDatabaseSecret, "DB_NAME"),
			envSecret("DB_ROOT_PASSWORD", render.SystemDatabaseSecret, "DB_ROOT_PASSWORD"))
		c.Command = []string{"/bin/sh", "-c", pick(MySQLDumpScript, MySQLLoadScript)}
	case StepSystemPostgreSQL:
		c.Image = images.SystemPostgreSQL
		env = append(env, envValue("DB_HOST", render.SystemPostgreSQLName), envValue("DB_PORT", postgresqlPort),
			envValue("DUMP_NAME", step),
			envSecret("DB_NAME", render.SystemDatabaseSecret, "DB_NAME"),
			envSecret("DB_USER", render.SystemDatabaseSecret, "DB_USER"),
			envSecret("DB_PASSWORD", render.SystemDatabaseSecret, "DB_PASSWORD"))
		c.Command = []string{"/bin/sh", "-c", pick(PostgreSQLDumpScript, PostgreSQLLoadScript)}
	case StepZyncDatabase:
		c.Image = images.ZyncPostgreSQL
		env = append(env, envValue("DB_HOST", render.ZyncDatabaseName), envValue("DB_PORT", postgresqlPort),
			envValue("DUMP_NAME", step), envValue("DB_NAME", zyncDatabaseName), envValue("DB_USER", zyncDatabaseUser),
			envSecret("DB_PASSWORD", render.ZyncSecret, "ZYNC_DATABASE_PASSWORD"))
		c.Command = []string{"/bin/sh", "-c", pick(PostgreSQLDumpScript, PostgreSQLLoadScript)}
	case StepSystemRedis, StepBackendRedis:
		c.Image, env = images.SystemRedis, append(env, envValue("DB_HOST", render.SystemRedisName))
		if step == StepBackendRedis {
			c.Image, env = images.BackendRedis, append(env[:1], envValue("DB_HOST", render.BackendRedisName))
		}
		env = append(env, envValue("DB_PORT", redisPort), envValue("DUMP_NAME", step), envValue("SCRATCH_PORT", scratchRedisPort))
		c.Command = []string{"/bin/sh", "-c", pick(RedisDumpScript, RedisLoadScript)}
	default:
		return c, fmt.Errorf("%q is not a database step", step)
	}
	c.Env = env
	return c, nil
}
