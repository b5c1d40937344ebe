// Package backup holds the backup and restore of an APIManager platform, in three layers:
//
//   - the plan (plan.go): pure functions that say which steps a backup or restore of a given
//     APIManager has (secrets and ConfigMaps, the APIManager, the system file storage, each internal
//     database), which are skipped and why, and how the steps advance from the facts the controller
//     observes (the state of each step's Job);
//   - the Jobs (jobs.go): pure functions that render each step's Job, ServiceAccount and Role. The
//     Jobs that move Kubernetes objects and files run the operator's own binary (see cli.go); the
//     database Jobs run the database's image and its own tools (mysqldump, pg_dump, redis-cli);
//   - the data movers (objects.go, files.go): the Go code those subcommands run.
//
// The backup volume is laid out as the 3scale operator Red Hat ships lays it out, so that the
// layouts stay readable by either: secrets/<name>.json, configmaps/<name>.json,
// apimanager/apimanager-backup.json, system-filestorage-pvc/, plus databases/ for the internal
// databases, which that operator does not back up.
package backup
