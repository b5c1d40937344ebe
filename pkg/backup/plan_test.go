package backup

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

// states returns "name=State" for each step, the shape the tables compare.
func states(steps []appsv1alpha1.StepStatus) []string {
	var out []string
	for _, s := range steps {
		out = append(out, s.Name+"="+string(s.State))
	}
	return out
}

func apimanager(mutate ...func(*appsv1alpha1.APIManager)) *appsv1alpha1.APIManager {
	a := &appsv1alpha1.APIManager{ObjectMeta: metav1.ObjectMeta{Name: "example"}, Spec: appsv1alpha1.APIManagerSpec{WildcardDomain: "example.com"}}
	for _, f := range mutate {
		f(a)
	}
	return a
}

func TestBackupSteps(t *testing.T) {
	yes, no := true, false
	cases := map[string]struct {
		apim *appsv1alpha1.APIManager
		want []string
	}{
		"internal databases and a volume (the documentation's sample)": {
			apim: apimanager(),
			want: []string{"secrets-configmaps=Pending", "apimanager=Pending", "system-storage=Pending",
				"system-mysql=Pending", "system-postgresql=Skipped", "zync-database=Pending", "system-redis=Pending", "backend-redis=Pending"},
		},
		"internal PostgreSQL system database": {
			apim: apimanager(func(a *appsv1alpha1.APIManager) {
				a.Spec.System = &appsv1alpha1.SystemSpec{DatabaseSpec: &appsv1alpha1.SystemDatabaseSpec{PostgreSQL: &appsv1alpha1.SystemPostgreSQLSpec{}}}
			}),
			want: []string{"secrets-configmaps=Pending", "apimanager=Pending", "system-storage=Pending",
				"system-mysql=Skipped", "system-postgresql=Pending", "zync-database=Pending", "system-redis=Pending", "backend-redis=Pending"},
		},
		"external databases, S3, zync off": {
			apim: apimanager(func(a *appsv1alpha1.APIManager) {
				a.Spec.ExternalComponents = &appsv1alpha1.ExternalComponentsSpec{
					System:  &appsv1alpha1.ExternalSystemComponents{Redis: &yes, Database: &yes},
					Backend: &appsv1alpha1.ExternalBackendComponents{Redis: &yes},
				}
				a.Spec.System = &appsv1alpha1.SystemSpec{FileStorageSpec: &appsv1alpha1.SystemFileStorageSpec{
					S3: &appsv1alpha1.SystemS3Spec{ConfigurationSecretRef: appsv1alpha1.LocalSecretReference{Name: "s3"}}}}
				a.Spec.Zync = &appsv1alpha1.ZyncSpec{Enabled: &no}
			}),
			want: []string{"secrets-configmaps=Pending", "apimanager=Pending", "system-storage=Skipped",
				"system-mysql=Skipped", "system-postgresql=Skipped", "zync-database=Skipped", "system-redis=Skipped", "backend-redis=Skipped"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := BackupSteps(tc.apim)
			if diff := cmp.Diff(tc.want, states(got)); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
			}
			for _, s := range got {
				if s.Message == "" {
					t.Errorf("step %s has no message", s.Name)
				}
			}
		})
	}
}

func TestBackupStepsSayWhyExternalIsSkipped(t *testing.T) {
	yes := true
	steps := BackupSteps(apimanager(func(a *appsv1alpha1.APIManager) {
		a.Spec.ExternalComponents = &appsv1alpha1.ExternalComponentsSpec{Backend: &appsv1alpha1.ExternalBackendComponents{Redis: &yes}}
	}))
	for _, s := range steps {
		if s.Name == StepBackendRedis {
			if s.Message != "the backend Redis is external: back it up with its provider's tools" {
				t.Errorf("message = %q", s.Message)
			}
			return
		}
	}
	t.Fatal("no backend-redis step")
}

func TestRestoreSteps(t *testing.T) {
	got := states(RestoreSteps(Contents{Steps: []string{StepSecretsConfigMaps, StepAPIManager, StepSystemStorage, StepSystemMySQL, StepBackendRedis}}))
	want := []string{"secrets-configmaps=Pending", "system-storage=Pending", "apimanager=Pending", "wait-available=Pending",
		"system-mysql=Pending", "system-postgresql=Skipped", "zync-database=Skipped", "system-redis=Skipped", "backend-redis=Pending",
		"resync-domains=Pending"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	legacy := states(RestoreSteps(LegacyContents()))
	if legacy[1] != "system-storage=Pending" || legacy[4] != "system-mysql=Skipped" {
		t.Errorf("legacy steps = %v", legacy)
	}
}

func TestAdvance(t *testing.T) {
	steps := []appsv1alpha1.StepStatus{
		{Name: "a", State: appsv1alpha1.StepPending},
		{Name: "b", State: appsv1alpha1.StepSkipped},
		{Name: "c", State: appsv1alpha1.StepPending},
	}
	cases := map[string]struct {
		steps     []appsv1alpha1.StepStatus
		facts     map[string]JobFacts
		want      []string
		wantPhase Phase
		wantStart int
	}{
		"nothing started: start the first": {
			steps: steps, want: []string{"a=Running", "b=Skipped", "c=Pending"}, wantPhase: PhaseRunning, wantStart: 0,
		},
		"first Job runs: nothing to start": {
			steps: steps, facts: map[string]JobFacts{"a": {Exists: true}},
			want: []string{"a=Running", "b=Skipped", "c=Pending"}, wantPhase: PhaseRunning, wantStart: -1,
		},
		"first succeeded: the skipped one is passed, start the third": {
			steps: steps, facts: map[string]JobFacts{"a": {Exists: true, Succeeded: true}},
			want: []string{"a=Succeeded", "b=Skipped", "c=Running"}, wantPhase: PhaseRunning, wantStart: 2,
		},
		"all succeeded": {
			steps: steps, facts: map[string]JobFacts{"a": {Exists: true, Succeeded: true}, "c": {Exists: true, Succeeded: true}},
			want: []string{"a=Succeeded", "b=Skipped", "c=Succeeded"}, wantPhase: PhaseSucceeded, wantStart: -1,
		},
		"first failed: stop, the rest stays pending": {
			steps: steps, facts: map[string]JobFacts{"a": {Exists: true, Failed: true, Message: "boom"}},
			want: []string{"a=Failed", "b=Skipped", "c=Pending"}, wantPhase: PhaseFailed, wantStart: -1,
		},
		"a step recorded failed stays failed whatever the facts": {
			steps: []appsv1alpha1.StepStatus{{Name: "a", State: appsv1alpha1.StepFailed}, {Name: "c", State: appsv1alpha1.StepPending}},
			facts: map[string]JobFacts{"a": {Exists: true, Succeeded: true}},
			want:  []string{"a=Failed", "c=Pending"}, wantPhase: PhaseFailed, wantStart: -1,
		},
		"a step recorded succeeded stays so when its Job is gone": {
			steps: []appsv1alpha1.StepStatus{{Name: "a", State: appsv1alpha1.StepSucceeded}, {Name: "c", State: appsv1alpha1.StepRunning}},
			facts: map[string]JobFacts{"c": {Exists: true}},
			want:  []string{"a=Succeeded", "c=Running"}, wantPhase: PhaseRunning, wantStart: -1,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			before := states(tc.steps)
			got, phase, start := Advance(tc.steps, tc.facts)
			if diff := cmp.Diff(tc.want, states(got)); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
			}
			if phase != tc.wantPhase || start != tc.wantStart {
				t.Errorf("phase, start = %s, %d; want %s, %d", phase, start, tc.wantPhase, tc.wantStart)
			}
			if diff := cmp.Diff(before, states(tc.steps)); diff != "" {
				t.Errorf("Advance modified its input:\n%s", diff)
			}
		})
	}
	failed, _, _ := Advance(steps, map[string]JobFacts{"a": {Exists: true, Failed: true, Message: "mysqldump: Access denied"}})
	if failed[0].Message != "mysqldump: Access denied" || Current(failed) != "a" {
		t.Errorf("failed step = %+v, current %q", failed[0], Current(failed))
	}
}
