package backup

import (
	"fmt"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
	"github.com/threescale-oss/operator/pkg/apimanager/render"
)

// Names of the steps. A backup runs them in the order BackupSteps lists them, a restore in the
// order RestoreSteps lists them.
const (
	StepSecretsConfigMaps = "secrets-configmaps"
	StepAPIManager        = "apimanager"
	StepSystemStorage     = "system-storage"
	StepSystemMySQL       = "system-mysql"
	StepSystemPostgreSQL  = "system-postgresql"
	StepSystemRedis       = "system-redis"
	StepBackendRedis      = "backend-redis"
	StepZyncDatabase      = "zync-database"
	// StepWaitAvailable (restore only) waits for the restored APIManager to be Available; it has
	// no Job.
	StepWaitAvailable = "wait-available"
	// StepResyncDomains (restore only) has zync recreate the Routes of every domain.
	StepResyncDomains = "resync-domains"
)

// DatabaseSteps are the steps that move a database, in the order they run.
var DatabaseSteps = []string{StepSystemMySQL, StepSystemPostgreSQL, StepZyncDatabase, StepSystemRedis, StepBackendRedis}

// IsDatabaseStep reports whether step moves a database.
func IsDatabaseStep(step string) bool {
	for _, s := range DatabaseSteps {
		if s == step {
			return true
		}
	}
	return false
}

// Contents is what a backup holds, as far as a restore needs to know before reading it: which
// steps succeeded. The backup controller records it on the backup claim (see ContentsAnnotation).
type Contents struct {
	// Steps are the steps the backup ran successfully.
	Steps []string
}

// Has reports whether the backup holds the data of step.
func (c Contents) Has(step string) bool {
	for _, s := range c.Steps {
		if s == step {
			return true
		}
	}
	return false
}

// LegacyContents is what a backup written by the 3scale operator Red Hat ships holds (it records
// nothing on its claim): the objects, the APIManager and the file storage when it was a volume.
func LegacyContents() Contents {
	return Contents{Steps: []string{StepSecretsConfigMaps, StepAPIManager, StepSystemStorage}}
}

func pending(name, message string) appsv1alpha1.StepStatus {
	return appsv1alpha1.StepStatus{Name: name, State: appsv1alpha1.StepPending, Message: message}
}

func skipped(name, message string) appsv1alpha1.StepStatus {
	return appsv1alpha1.StepStatus{Name: name, State: appsv1alpha1.StepSkipped, Message: message}
}

// systemDatabaseIsPostgreSQL reports whether apim's internal system database is PostgreSQL
// (spec.system.database.postgresql), as the APIManager renderer decides it.
func systemDatabaseIsPostgreSQL(apim *appsv1alpha1.APIManager) bool {
	s := apim.Spec.System
	return s != nil && s.DatabaseSpec != nil && s.DatabaseSpec.PostgreSQL != nil
}

// BackupSteps returns the steps of a backup of apim, every one Pending or Skipped with the reason.
func BackupSteps(apim *appsv1alpha1.APIManager) []appsv1alpha1.StepStatus {
	steps := []appsv1alpha1.StepStatus{
		pending(StepSecretsConfigMaps, "the platform's Secrets and ConfigMaps, as manifests"),
		pending(StepAPIManager, fmt.Sprintf("the APIManager %s, as a manifest", apim.Name)),
	}
	if apim.IsS3Enabled() {
		steps = append(steps, skipped(StepSystemStorage, "system files are stored in S3, not in a volume: back up the bucket with your S3 provider's tools"))
	} else {
		steps = append(steps, pending(StepSystemStorage, "the files of the "+render.SystemStoragePVC+" volume"))
	}
	return append(steps, databaseSteps(apim, "dump", "back it up")...)
}

// databaseSteps lists the database steps of apim: pending for the internal databases, skipped for
// the external ones (their owner backs them up and restores them) and for the ones not deployed.
func databaseSteps(apim *appsv1alpha1.APIManager, verb, userVerb string) []appsv1alpha1.StepStatus {
	external := func(step, what string) appsv1alpha1.StepStatus {
		return skipped(step, what+" is external: "+userVerb+" with its provider's tools")
	}
	var steps []appsv1alpha1.StepStatus
	postgres := systemDatabaseIsPostgreSQL(apim)
	switch {
	case apim.IsSystemDatabaseExternal():
		steps = append(steps, external(StepSystemMySQL, "the system database"), skipped(StepSystemPostgreSQL, "the system database is external"))
	case postgres:
		steps = append(steps,
			skipped(StepSystemMySQL, "the internal system database is PostgreSQL"),
			pending(StepSystemPostgreSQL, "pg_dump/psql of the internal system PostgreSQL ("+verb+")"))
	default:
		steps = append(steps,
			pending(StepSystemMySQL, "mysqldump --single-transaction/mysql of the internal system MySQL ("+verb+")"),
			skipped(StepSystemPostgreSQL, "the internal system database is MySQL"))
	}
	switch {
	case !apim.IsZyncEnabled():
		steps = append(steps, skipped(StepZyncDatabase, "zync is disabled"))
	case apim.IsZyncDatabaseExternal():
		steps = append(steps, external(StepZyncDatabase, "the zync database"))
	default:
		steps = append(steps, pending(StepZyncDatabase, "pg_dump/psql of the internal zync PostgreSQL ("+verb+")"))
	}
	if apim.IsSystemRedisExternal() {
		steps = append(steps, external(StepSystemRedis, "the system Redis"))
	} else {
		steps = append(steps, pending(StepSystemRedis, "the snapshot (dump.rdb) of the internal system Redis ("+verb+")"))
	}
	if apim.IsBackendRedisExternal() {
		steps = append(steps, external(StepBackendRedis, "the backend Redis"))
	} else {
		steps = append(steps, pending(StepBackendRedis, "the snapshot (dump.rdb) of the internal backend Redis ("+verb+")"))
	}
	return steps
}

// RestoreSteps returns the steps of a restore of a backup that holds contents, every one Pending or
// Skipped with the reason. The objects and files come first, then the APIManager, whose platform
// must be Available before the databases it runs can be loaded; zync's domains are resynchronised
// last, from the restored system database.
func RestoreSteps(contents Contents) []appsv1alpha1.StepStatus {
	steps := []appsv1alpha1.StepStatus{
		pending(StepSecretsConfigMaps, "the platform's Secrets and ConfigMaps (not the connection Secrets of external databases)"),
	}
	if contents.Has(StepSystemStorage) {
		steps = append(steps, pending(StepSystemStorage, "the files of the "+render.SystemStoragePVC+" volume, into a new claim"))
	} else {
		steps = append(steps, skipped(StepSystemStorage, "the backup holds no file storage (S3, or not backed up)"))
	}
	steps = append(steps,
		pending(StepAPIManager, "create the APIManager from the backup"),
		pending(StepWaitAvailable, "wait until the APIManager is Available"))
	for _, db := range DatabaseSteps {
		if contents.Has(db) {
			steps = append(steps, pending(db, "load the "+db+" backup into the new database"))
		} else {
			steps = append(steps, skipped(db, "the backup holds no "+db+" data (external, not deployed, or not backed up)"))
		}
	}
	return append(steps, pending(StepResyncDomains, "have zync recreate the Routes of every domain (rake zync:resync:domains)"))
}

// JobFacts is what the controller observed about the Job (or the wait) of one step.
type JobFacts struct {
	// Exists is true when the step's Job exists (for a wait step: when the wait has begun).
	Exists bool
	// Succeeded and Failed are the Job's terminal conditions.
	Succeeded, Failed bool
	// Message is the failure message: the pod's termination message when there is one, else the
	// Job's Failed condition message.
	Message string
}

// Phase is where a backup or restore stands after Advance.
type Phase string

// Phases of a backup or restore.
const (
	PhaseRunning   Phase = "Running"
	PhaseSucceeded Phase = "Succeeded"
	PhaseFailed    Phase = "Failed"
)

// Advance updates steps from facts (by step name) and says what to do next: the phase, and in
// PhaseRunning the index of the step to start when its Job does not exist yet (-1 when the current
// step's Job runs and there is nothing to start). Steps run one at a time in their order; skipped
// steps are passed. A failed step fails the whole; steps after it stay Pending. steps is not
// modified.
func Advance(steps []appsv1alpha1.StepStatus, facts map[string]JobFacts) ([]appsv1alpha1.StepStatus, Phase, int) {
	out := make([]appsv1alpha1.StepStatus, len(steps))
	copy(out, steps)
	for i := range out {
		s := &out[i]
		switch s.State {
		case appsv1alpha1.StepSkipped, appsv1alpha1.StepSucceeded:
			continue
		case appsv1alpha1.StepFailed:
			return out, PhaseFailed, -1
		}
		f := facts[s.Name]
		switch {
		case f.Failed:
			s.State, s.Message = appsv1alpha1.StepFailed, f.Message
			return out, PhaseFailed, -1
		case f.Succeeded:
			s.State = appsv1alpha1.StepSucceeded
			continue
		case f.Exists:
			s.State = appsv1alpha1.StepRunning
			return out, PhaseRunning, -1
		default:
			s.State = appsv1alpha1.StepRunning
			return out, PhaseRunning, i
		}
	}
	return out, PhaseSucceeded, -1
}

// Current returns the name of the step that runs or failed, "" when none does.
func Current(steps []appsv1alpha1.StepStatus) string {
	for _, s := range steps {
		if s.State == appsv1alpha1.StepRunning || s.State == appsv1alpha1.StepFailed {
			return s.Name
		}
	}
	return ""
}

// Succeeded returns the names of the steps that succeeded, for Contents.
func Succeeded(steps []appsv1alpha1.StepStatus) []string {
	var names []string
	for _, s := range steps {
		if s.State == appsv1alpha1.StepSucceeded {
			names = append(names, s.Name)
		}
	}
	return names
}
