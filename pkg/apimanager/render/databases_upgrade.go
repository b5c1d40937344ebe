package render

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

// RunningWorkload is what renderers may know of a live Deployment: its image and the claims its
// pods mount. The controller gathers it for the internal PostgreSQL and MySQL databases.
type RunningWorkload struct {
	// Image is the image of the container named after the Deployment (else of the first one).
	Image string `json:"image"`
	// Claims are the PersistentVolumeClaims its pod template mounts.
	Claims []string `json:"claims,omitempty"`
}

// A DatabaseHold is an internal database that keeps running the image it runs, because the
// desired image is another major version of the same server than the one whose data sits in its
// claim. PostgreSQL refuses to start on the data of another major version, and MySQL upgrades or
// refuses (a downgrade) in place without a backup: neither is something to do unasked. A taken over
// 3scale 2.15 installation runs PostgreSQL 10, for instance, where this operator deploys 15.
type DatabaseHold struct {
	// Deployment and Claim name the database and its data.
	Deployment, Claim string
	// Engine is "PostgreSQL" or "MySQL".
	Engine string
	// Running and Desired are the images, RunningMajor and DesiredMajor their major versions.
	Running, Desired, RunningMajor, DesiredMajor string
}

// Message explains the hold and how to upgrade, for the Warning condition.
func (h DatabaseHold) Message() string {
	return fmt.Sprintf("%s keeps running %s (%s %s) on its data in PersistentVolumeClaim %s instead of %s (%s %s): "+
		"%s data cannot change major version in place. To upgrade, back the database up, move the data to %s %s "+
		"(dump and restore into the claim), then delete Deployment %s so that it is created again with the new image; "+
		"or set the database image in the spec to keep %s %s (see \"Switching from the 3scale operator\" in the README)",
		h.Deployment, h.Running, h.Engine, h.RunningMajor, h.Claim, h.Desired, h.Engine, h.DesiredMajor,
		h.Engine, h.Engine, h.DesiredMajor, h.Deployment, h.Engine, h.RunningMajor)
}

// databaseVersion matches the server and major version in the repository name of an image:
// quay.io/sclorg/postgresql-15-c8s, registry.redhat.io/rhel8/mysql-80, postgres:15, mysql:8.0.
var databaseVersion = regexp.MustCompile(`^(postgresql|postgres|mysql)(?:-(\d+)|:(\d+))`)

// databaseMajor returns the server ("PostgreSQL" or "MySQL") and major version of image, and false
// when the image name does not tell them.
func databaseMajor(image string) (engine, major string, ok bool) {
	name := image
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	m := databaseVersion.FindStringSubmatch(name)
	if m == nil {
		return "", "", false
	}
	engine = "MySQL"
	if strings.HasPrefix(m[1], "postgres") {
		engine = "PostgreSQL"
	}
	major = m[2] + m[3]
	if engine == "MySQL" && len(major) == 1 {
		// mysql:8.0 and mysql-80 name the same line.
		if rest := strings.TrimPrefix(name, m[0]); strings.HasPrefix(rest, ".") && len(rest) > 1 {
			major += rest[1:2]
		}
	}
	return engine, major, true
}

// databaseHold returns the hold of the database deployment, whose data is in claim and whose
// desired image is desired, or nil when the desired image may run: no live Deployment, a live one
// that does not mount the claim (the existing operator kept zync's database on an emptyDir), or
// images whose versions cannot be told apart or are the same major version.
func databaseHold(in *Inputs, deployment, claim, desired string) *DatabaseHold {
	live, ok := in.RunningDatabases[deployment]
	if !ok || live.Image == "" || live.Image == desired || !slices.Contains(live.Claims, claim) {
		return nil
	}
	runEngine, runMajor, ok1 := databaseMajor(live.Image)
	wantEngine, wantMajor, ok2 := databaseMajor(desired)
	if !ok1 || !ok2 || runEngine != wantEngine || runMajor == wantMajor {
		return nil
	}
	return &DatabaseHold{
		Deployment: deployment, Claim: claim, Engine: runEngine,
		Running: live.Image, Desired: desired, RunningMajor: runMajor, DesiredMajor: wantMajor,
	}
}

// databaseImage returns the image to run for a database: the running one when its upgrade is held.
func databaseImage(in *Inputs, deployment, claim, desired string) string {
	if h := databaseHold(in, deployment, claim, desired); h != nil {
		return h.Running
	}
	return desired
}

// DatabaseHolds returns the internal databases that keep their running image (see DatabaseHold),
// for the status.
func DatabaseHolds(in *Inputs) []DatabaseHold {
	if !in.ok() {
		return nil
	}
	var out []DatabaseHold
	for _, name := range DatabaseDeployments(in.APIManager) {
		var h *DatabaseHold
		switch name {
		case SystemPostgreSQLName:
			h = databaseHold(in, name, SystemPostgreSQLPVC, in.Images.SystemPostgreSQL)
		case SystemMySQLName:
			h = databaseHold(in, name, SystemMySQLPVC, in.Images.SystemMySQL)
		case ZyncDatabaseName:
			h = databaseHold(in, name, ZyncDatabasePVC, in.Images.ZyncPostgreSQL)
		}
		if h != nil {
			out = append(out, *h)
		}
	}
	return out
}

// DatabaseDeployments returns the Deployments of the internal PostgreSQL and MySQL databases apim
// renders, whose running image and claims the controller gathers into Inputs.RunningDatabases.
func DatabaseDeployments(apim *appsv1alpha1.APIManager) []string {
	if apim == nil {
		return nil
	}
	var out []string
	if !apim.IsSystemDatabaseExternal() {
		if systemDatabaseIsPostgreSQL(apim) {
			out = append(out, SystemPostgreSQLName)
		} else {
			out = append(out, SystemMySQLName)
		}
	}
	if apim.IsZyncEnabled() && !apim.IsZyncDatabaseExternal() {
		out = append(out, ZyncDatabaseName)
	}
	return out
}
