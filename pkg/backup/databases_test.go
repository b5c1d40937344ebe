package backup

// These tests run the exact scripts of the database Jobs (MySQLDumpScript, ...) against real
// servers started from the Debian packages (mariadb-server, postgresql, redis-server): seed data,
// back up, restore into an empty server (and over a server already seeded differently, as a
// restore finds the platform's fresh database), compare. A missing package skips its test with a
// loud message.

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// requireBinaries skips the test, loudly, when a server's package is not installed.
func requireBinaries(t *testing.T, pkg string, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if _, err := exec.LookPath(p); err != nil {
			msg := fmt.Sprintf("\n%s\n!!! SKIPPED: %s not found: install the Debian package %s to run the real-server test %s\n%s\n",
				strings.Repeat("!", 100), p, pkg, t.Name(), strings.Repeat("!", 100))
			fmt.Fprint(os.Stderr, msg)
			t.Skip(msg)
		}
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// asServerUser runs cmd as nobody when the test runs as root: PostgreSQL refuses to run as root.
func asServerUser(cmd *exec.Cmd) *exec.Cmd {
	if os.Geteuid() != 0 {
		return cmd
	}
	return exec.Command("setpriv", append([]string{"--reuid=65534", "--regid=65534", "--clear-groups", cmd.Path}, cmd.Args[1:]...)...)
}

func run(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %v\n%s", cmd.Args, err, out)
	}
	return string(out)
}

// start starts a server and stops it when the test ends.
func start(t *testing.T, cmd *exec.Cmd, log string) {
	t.Helper()
	f, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		f.Close()
	})
}

func waitUntil(t *testing.T, what, log string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			data, _ := os.ReadFile(log)
			t.Fatalf("%s did not start:\n%s", what, data)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// script runs a Job's script with env, as the Job's container does.
func script(t *testing.T, body string, env map[string]string) (string, error) {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", body)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// jobEnv returns the environment DatabaseContainer gives step's container, with the host, port and
// backup folder of the test and the Secret values in secrets.
func jobEnv(t *testing.T, kind, step, port, dir string, secrets map[string]string) map[string]string {
	t.Helper()
	c, err := DatabaseContainer(kind, step, testImages)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, e := range c.Env {
		if e.ValueFrom != nil {
			v, ok := secrets[e.ValueFrom.SecretKeyRef.Key]
			if !ok {
				t.Fatalf("no test value for %s (Secret %s key %s)", e.Name, e.ValueFrom.SecretKeyRef.Name, e.ValueFrom.SecretKeyRef.Key)
			}
			env[e.Name] = v
			continue
		}
		env[e.Name] = e.Value
	}
	env["DB_HOST"], env["DB_PORT"], env["BACKUP_DIR"] = "127.0.0.1", port, dir
	return env
}

// jobScript returns the script DatabaseContainer gives step's container.
func jobScript(t *testing.T, kind, step string) string {
	t.Helper()
	c, err := DatabaseContainer(kind, step, testImages)
	if err != nil {
		t.Fatal(err)
	}
	return c.Command[2]
}

// --- PostgreSQL ---

const pgBin = "/usr/lib/postgresql/15/bin"

// startPostgreSQL starts an empty PostgreSQL with the user and database the sclorg image creates
// from POSTGRESQL_USER/POSTGRESQL_DATABASE, and returns its port.
func startPostgreSQL(t *testing.T, user, password, db string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		run(t, exec.Command("chown", "65534:65534", dir))
	}
	data := filepath.Join(dir, "data")
	run(t, asServerUser(exec.Command(pgBin+"/initdb", "-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256")))
	port := freePort(t)
	// password auth for TCP: the scripts authenticate with PGPASSWORD, as in the cluster
	hba := "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
	if err := os.WriteFile(filepath.Join(data, "pg_hba.conf"), []byte(hba), 0o600); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		run(t, exec.Command("chown", "65534:65534", filepath.Join(data, "pg_hba.conf")))
	}
	start(t, asServerUser(exec.Command(pgBin+"/postgres", "-D", data, "-p", port, "-k", dir, "-c", "listen_addresses=127.0.0.1")), filepath.Join(dir, "log"))
	psql := func(sql string) *exec.Cmd {
		return asServerUser(exec.Command(pgBin+"/psql", "-h", dir, "-p", port, "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", sql))
	}
	waitUntil(t, "PostgreSQL", filepath.Join(dir, "log"), func() bool { return psql("SELECT 1").Run() == nil })
	run(t, psql(fmt.Sprintf("CREATE USER %s WITH PASSWORD '%s'", user, strings.ReplaceAll(password, "'", "''"))))
	run(t, psql(fmt.Sprintf("CREATE DATABASE %s OWNER %s", db, user)))
	return port
}

func pgQuery(t *testing.T, port, user, password, db, sql string) string {
	t.Helper()
	cmd := exec.Command(pgBin+"/psql", "-h", "127.0.0.1", "-p", port, "-U", user, "-d", db, "-At", "-v", "ON_ERROR_STOP=1", "-c", sql)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+password)
	return run(t, cmd)
}

// pgCheck sums up the seeded data, the sequence included.
const pgCheck = "SELECT count(*), sum(tenant_id), md5(string_agg(state, ',' ORDER BY id)) FROM integrations; " +
	"SELECT md5(string_agg(data::text, ',' ORDER BY id)) FROM entries; SELECT last_value FROM integrations_id_seq; " +
	"SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'public';"

func TestPostgreSQLBackupAndRestoreWithTheJobScripts(t *testing.T) {
	t.Parallel()
	requireBinaries(t, "postgresql-15", pgBin+"/initdb", pgBin+"/postgres", "pg_dump", "psql")
	for _, step := range []string{StepZyncDatabase, StepSystemPostgreSQL} {
		t.Run(step, func(t *testing.T) {
			user, db, password := "zync", "zync_production", "s3cr3t'pw"
			secrets := map[string]string{"ZYNC_DATABASE_PASSWORD": password}
			if step == StepSystemPostgreSQL {
				user, db = "system", "system"
				secrets = map[string]string{"DB_USER": user, "DB_NAME": db, "DB_PASSWORD": password}
			}
			src := startPostgreSQL(t, user, password, db)
			seed := `CREATE TABLE integrations (id bigserial PRIMARY KEY, tenant_id bigint NOT NULL, state text, created_at timestamptz DEFAULT now());
CREATE INDEX ON integrations (tenant_id);
CREATE TABLE entries (id serial PRIMARY KEY, integration_id bigint REFERENCES integrations(id), data jsonb);
INSERT INTO integrations (tenant_id, state) SELECT i % 7, 'state-' || i FROM generate_series(1, 500) i;
INSERT INTO entries (integration_id, data) SELECT i, jsonb_build_object('n', i, 'quote', 'it''s') FROM generate_series(1, 500) i;`
			pgQuery(t, src, user, password, db, seed)
			dir := t.TempDir()
			if out, err := script(t, jobScript(t, KindBackup, step), jobEnv(t, KindBackup, step, src, dir, secrets)); err != nil {
				t.Fatalf("dump: %v\n%s", err, out)
			}
			if _, err := os.Stat(filepath.Join(dir, DatabaseFile(step))); err != nil {
				t.Fatalf("no dump file: %v", err)
			}
			// An empty server, then one the platform already seeded with other rows.
			for _, preseed := range []string{"", "CREATE TABLE integrations (id bigserial PRIMARY KEY, tenant_id bigint); INSERT INTO integrations (tenant_id) VALUES (42);"} {
				dst := startPostgreSQL(t, user, password, db)
				if preseed != "" {
					pgQuery(t, dst, user, password, db, preseed)
				}
				if out, err := script(t, jobScript(t, KindRestore, step), jobEnv(t, KindRestore, step, dst, dir, secrets)); err != nil {
					t.Fatalf("load: %v\n%s", err, out)
				}
				if got, want := pgQuery(t, dst, user, password, db, pgCheck), pgQuery(t, src, user, password, db, pgCheck); got != want {
					t.Errorf("restored (preseed %q):\n%s\nwant:\n%s", preseed, got, want)
				}
			}
		})
	}
}

// --- MariaDB (MySQL) ---

// startMariaDB starts an empty MariaDB whose root user has password, reachable over TCP, and
// returns its port.
func startMariaDB(t *testing.T, password string) string {
	t.Helper()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	args := []string{"--no-defaults", "--datadir=" + data, "--auth-root-authentication-method=normal", "--skip-test-db"}
	if os.Geteuid() == 0 {
		args = append(args, "--user=root")
	}
	run(t, exec.Command("mariadb-install-db", args...))
	port, sock := freePort(t), filepath.Join(dir, "sock")
	serverArgs := []string{"--no-defaults", "--datadir=" + data, "--port=" + port, "--socket=" + sock, "--bind-address=127.0.0.1",
		"--pid-file=" + filepath.Join(dir, "pid"), "--skip-log-bin", "--lower-case-table-names=1"}
	if os.Geteuid() == 0 {
		serverArgs = append(serverArgs, "--user=root")
	}
	start(t, exec.Command("mariadbd", serverArgs...), filepath.Join(dir, "log"))
	waitUntil(t, "MariaDB", filepath.Join(dir, "log"), func() bool {
		return exec.Command("mysql", "--no-defaults", "-S", sock, "-u", "root", "-e", "SELECT 1").Run() == nil
	})
	run(t, exec.Command("mysql", "--no-defaults", "-S", sock, "-u", "root", "-e",
		fmt.Sprintf("CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'; ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY '%[1]s'; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; ALTER USER 'root'@'localhost' IDENTIFIED BY '%[1]s';", password)))
	return port
}

func mysqlQuery(t *testing.T, port, password, sql string) string {
	t.Helper()
	cmd := exec.Command("mysql", "--no-defaults", "-h", "127.0.0.1", "-P", port, "-u", "root", "-N", "-B", "-e", sql)
	cmd.Env = append(os.Environ(), "MYSQL_PWD="+password)
	return run(t, cmd)
}

func TestMySQLBackupAndRestoreWithTheJobScripts(t *testing.T) {
	t.Parallel()
	requireBinaries(t, "mariadb-server", "mariadb-install-db", "mariadbd", "mysqldump", "mysql")
	const password = "r00t pw"
	secrets := map[string]string{"DB_NAME": "system", "DB_ROOT_PASSWORD": password}
	src := startMariaDB(t, password)
	mysqlQuery(t, src, password, `CREATE DATABASE system CHARACTER SET utf8 COLLATE utf8_unicode_ci; USE system;
CREATE TABLE accounts (id bigint AUTO_INCREMENT PRIMARY KEY, org_name varchar(255), provider tinyint(1), created_at datetime) ENGINE=InnoDB;
CREATE TABLE services (id bigint AUTO_INCREMENT PRIMARY KEY, account_id bigint, name varchar(255), KEY idx_account (account_id)) ENGINE=InnoDB;
INSERT INTO accounts (org_name, provider, created_at) VALUES ('Master', 1, '2024-01-01 00:00:00'), ('Provider ''Acme''', 1, '2024-02-02 10:00:00'), ('Dév ünïcode', 0, NULL);
INSERT INTO services (account_id, name) VALUES (2, 'api'), (2, 'echo'), (3, 'x');
CREATE TRIGGER services_name BEFORE INSERT ON services FOR EACH ROW SET NEW.name = LOWER(NEW.name);`)
	dir := t.TempDir()
	if out, err := script(t, jobScript(t, KindBackup, StepSystemMySQL), jobEnv(t, KindBackup, StepSystemMySQL, src, dir, secrets)); err != nil {
		t.Fatalf("dump: %v\n%s", err, out)
	}
	dump, err := os.ReadFile(filepath.Join(dir, DatabaseFile(StepSystemMySQL)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(dump), "DROP DATABASE IF EXISTS `system`") {
		t.Errorf("the dump does not drop the database first")
	}
	const check = "USE system; SELECT id, org_name, provider, created_at FROM accounts ORDER BY id; SELECT * FROM services ORDER BY id; SELECT TRIGGER_NAME, EVENT_MANIPULATION, ACTION_TIMING, ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = 'system'; SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA='system' ORDER BY TABLE_NAME;"
	want := mysqlQuery(t, src, password, check)
	for _, preseed := range []string{"", "CREATE DATABASE system; CREATE TABLE system.accounts (id int PRIMARY KEY, stale int); INSERT INTO system.accounts VALUES (99, 1); CREATE TABLE system.leftover (id int);"} {
		dst := startMariaDB(t, password)
		if preseed != "" {
			mysqlQuery(t, dst, password, preseed)
		}
		if out, err := script(t, jobScript(t, KindRestore, StepSystemMySQL), jobEnv(t, KindRestore, StepSystemMySQL, dst, dir, secrets)); err != nil {
			t.Fatalf("load: %v\n%s", err, out)
		}
		if got := mysqlQuery(t, dst, password, check); got != want {
			t.Errorf("restored (preseed %q):\n%s\nwant:\n%s", preseed, got, want)
		}
		if got := mysqlQuery(t, dst, password, "SHOW TABLES FROM system"); got != "accounts\nservices\n" {
			t.Errorf("tables after the restore = %q: the backed-up database must be restored exactly", got)
		}
	}
}

// --- Redis ---

func startRedis(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	port := freePort(t)
	start(t, exec.Command("redis-server", "--bind", "127.0.0.1", "--port", port, "--dir", dir, "--appendonly", "yes", "--save", "900 1"), filepath.Join(dir, "log"))
	waitUntil(t, "Redis", filepath.Join(dir, "log"), func() bool {
		out, _ := exec.Command("redis-cli", "-p", port, "ping").Output()
		return strings.TrimSpace(string(out)) == "PONG"
	})
	return port
}

func redisCLI(t *testing.T, port string, args ...string) string {
	t.Helper()
	return run(t, exec.Command("redis-cli", append([]string{"-p", port}, args...)...))
}

// redisContent lists every key of databases 0 to 3 with its type, a digest of its value and
// whether it expires.
func redisContent(t *testing.T, port string) string {
	t.Helper()
	var b strings.Builder
	for db := 0; db < 4; db++ {
		n := strconv.Itoa(db)
		keys := strings.Fields(redisCLI(t, port, "-n", n, "--scan"))
		sortStrings(keys)
		for _, k := range keys {
			ttl, _ := strconv.Atoi(strings.TrimSpace(redisCLI(t, port, "-n", n, "ttl", k)))
			fmt.Fprintf(&b, "%d %s %s %s expires=%v\n", db, k, strings.TrimSpace(redisCLI(t, port, "-n", n, "type", k)),
				strings.TrimSpace(redisCLI(t, port, "-n", n, "debug", "digest-value", k)), ttl > 0)
		}
	}
	return b.String()
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func TestRedisBackupAndRestoreWithTheJobScripts(t *testing.T) {
	t.Parallel()
	requireBinaries(t, "redis-server", "redis-server", "redis-cli")
	src := startRedis(t)
	// backend-redis: storage in db 0, queues in db 1 (the guide: both must be restored together)
	redisCLI(t, src, "-n", "0", "set", "service/id:2/provider_key", "abc")
	redisCLI(t, src, "-n", "0", "hset", "stats/{service:2}/metric:7/day:20240101", "v", "12", "w", "3")
	redisCLI(t, src, "-n", "0", "sadd", "services_set", "2", "3", "5")
	redisCLI(t, src, "-n", "0", "zadd", "z", "1", "a", "2", "b")
	redisCLI(t, src, "-n", "0", "set", "with space key", "v", "EX", "3600")
	for i := 0; i < 250; i++ {
		redisCLI(t, src, "-n", "1", "rpush", "resque:queue:priority", fmt.Sprintf(`{"class":"Job","args":[%d]}`, i))
		if i%10 == 0 {
			redisCLI(t, src, "-n", "1", "set", fmt.Sprintf("lock:%d", i), "1")
		}
	}
	want := redisContent(t, src)
	dir := t.TempDir()
	for _, step := range []string{StepBackendRedis, StepSystemRedis} {
		if out, err := script(t, jobScript(t, KindBackup, step), jobEnv(t, KindBackup, step, src, dir, nil)); err != nil {
			t.Fatalf("%s dump: %v\n%s", step, err, out)
		}
	}
	dst := startRedis(t)
	redisCLI(t, dst, "-n", "0", "set", "stale-key-of-a-fresh-platform", "x")
	env := jobEnv(t, KindRestore, StepBackendRedis, dst, dir, nil)
	env["SCRATCH_PORT"] = freePort(t)
	if out, err := script(t, jobScript(t, KindRestore, StepBackendRedis), env); err != nil {
		t.Fatalf("load: %v\n%s", err, out)
	}
	if got := redisContent(t, dst); got != want {
		t.Errorf("restored:\n%s\nwant:\n%s", got, want)
	}
	if ttl := strings.TrimSpace(redisCLI(t, dst, "-n", "0", "ttl", "with space key")); ttl == "-1" || ttl == "-2" {
		t.Errorf("the TTL was lost: %s", ttl)
	}
}
