package render

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

func TestDatabaseMajor(t *testing.T) {
	cases := map[string]struct{ engine, major string }{
		"quay.io/sclorg/postgresql-10-c8s":            {"PostgreSQL", "10"},
		"quay.io/sclorg/postgresql-15-c8s":            {"PostgreSQL", "15"},
		"registry.redhat.io/rhel8/postgresql-12:1-54": {"PostgreSQL", "12"},
		"postgres:15.4":                               {"PostgreSQL", "15"},
		"quay.io/sclorg/mysql-80-c8s":                 {"MySQL", "80"},
		"registry.redhat.io/rhscl/mysql-57-rhel7":     {"MySQL", "57"},
		"mysql:8.0":                  {"MySQL", "80"},
		"quay.io/sclorg/redis-7-c8s": {},
		"example.com/db@sha256:0123": {},
	}
	for image, want := range cases {
		engine, major, ok := databaseMajor(image)
		if ok != (want.engine != "") || engine != want.engine || major != want.major {
			t.Errorf("databaseMajor(%q) = %q %q %v, want %q %q", image, engine, major, ok, want.engine, want.major)
		}
	}
}

func TestDatabaseUpgradeHeld(t *testing.T) {
	postgres := appsv1alpha1.APIManagerSpec{System: &appsv1alpha1.SystemSpec{DatabaseSpec: &appsv1alpha1.SystemDatabaseSpec{
		PostgreSQL: &appsv1alpha1.SystemPostgreSQLSpec{}}}}
	pg10 := "quay.io/sclorg/postgresql-10-c8s"
	cases := map[string]struct {
		reason  string
		spec    appsv1alpha1.APIManagerSpec
		running map[string]RunningWorkload
		// want is the image of each database Deployment rendered; held those whose upgrade is held.
		want map[string]string
		held []string
	}{
		"FreshInstall": {
			reason: "nothing runs: the default images",
			spec:   postgres,
			want:   map[string]string{SystemPostgreSQLName: DefaultImages().SystemPostgreSQL, ZyncDatabaseName: DefaultImages().ZyncPostgreSQL},
		},
		"TakeOverPostgreSQL10": {
			reason: "the 2.15 operator's PostgreSQL 10 on postgresql-data keeps running; its zync database was on an emptyDir, so zync's gets the new version on its new claim",
			spec:   postgres,
			running: map[string]RunningWorkload{
				SystemPostgreSQLName: {Image: pg10, Claims: []string{SystemPostgreSQLPVC}},
				ZyncDatabaseName:     {Image: pg10},
			},
			want: map[string]string{SystemPostgreSQLName: pg10, ZyncDatabaseName: DefaultImages().ZyncPostgreSQL},
			held: []string{SystemPostgreSQLName},
		},
		"SameMajor": {
			reason:  "a new build of the same major version is rolled out",
			running: map[string]RunningWorkload{SystemMySQLName: {Image: "registry.redhat.io/rhel8/mysql-80:1-1", Claims: []string{SystemMySQLPVC}}},
			want:    map[string]string{SystemMySQLName: DefaultImages().SystemMySQL, ZyncDatabaseName: DefaultImages().ZyncPostgreSQL},
		},
		"MySQL57": {
			reason:  "MySQL 5.7 data is not upgraded unasked",
			running: map[string]RunningWorkload{SystemMySQLName: {Image: "registry.redhat.io/rhscl/mysql-57-rhel7", Claims: []string{SystemMySQLPVC}}},
			want:    map[string]string{SystemMySQLName: "registry.redhat.io/rhscl/mysql-57-rhel7", ZyncDatabaseName: DefaultImages().ZyncPostgreSQL},
			held:    []string{SystemMySQLName},
		},
		"UnknownImage": {
			reason:  "an image whose version cannot be read is replaced as the spec says",
			running: map[string]RunningWorkload{SystemMySQLName: {Image: "example.com/db@sha256:0123", Claims: []string{SystemMySQLPVC}}},
			want:    map[string]string{SystemMySQLName: DefaultImages().SystemMySQL, ZyncDatabaseName: DefaultImages().ZyncPostgreSQL},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := newTestInputs(tc.spec)
			in.RunningDatabases = tc.running
			got := map[string]string{}
			for _, o := range All(in) {
				if d, ok := o.(*appsv1.Deployment); ok && (strings.HasSuffix(d.Name, "-database") ||
					d.Name == SystemMySQLName || d.Name == SystemPostgreSQLName) {
					got[d.Name] = d.Spec.Template.Spec.Containers[0].Image
				}
			}
			for n, image := range tc.want {
				if got[n] != image {
					t.Errorf("%s: %s runs %q, want %q", tc.reason, n, got[n], image)
				}
			}
			var held []string
			for _, h := range DatabaseHolds(in) {
				held = append(held, h.Deployment)
				if !strings.Contains(h.Message(), "delete Deployment "+h.Deployment) || !strings.Contains(h.Message(), h.Running) {
					t.Errorf("%s: message %q does not say how to upgrade", tc.reason, h.Message())
				}
			}
			if strings.Join(held, ",") != strings.Join(tc.held, ",") {
				t.Errorf("%s: held %v, want %v", tc.reason, held, tc.held)
			}
		})
	}
}
