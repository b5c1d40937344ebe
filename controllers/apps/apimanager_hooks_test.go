package apps

import (
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/threescale-oss/operator/pkg/apimanager/apply"
	"github.com/threescale-oss/operator/pkg/apimanager/render"
)

func desiredObject(kind, name, hook, hash string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion("v1")
	u.SetKind(kind)
	u.SetName(name)
	ann := map[string]string{apply.AppliedHashAnnotation: hash}
	if hook != "" {
		ann[render.SystemAppHookAnnotation] = hook
	}
	u.SetAnnotations(ann)
	return u
}

func job(conditions ...batchv1.JobConditionType) *batchv1.Job {
	j := &batchv1.Job{}
	for _, c := range conditions {
		j.Status.Conditions = append(j.Status.Conditions, batchv1.JobCondition{Type: c, Status: corev1.ConditionTrue, Reason: "R", Message: "m"})
	}
	return j
}

func TestPlanHooks(t *testing.T) {
	desired := []*unstructured.Unstructured{
		desiredObject("Job", "system-app-pre-1", render.SystemAppPreHook, "h"),
		desiredObject("Job", "system-app-post-1", render.SystemAppPostHook, "h"),
		desiredObject("Deployment", render.SystemAppName, "", "app-v2"),
		desiredObject("Deployment", "system-sidekiq", "", "s"),
	}
	appAt := func(hash string, mutate ...func(*appsv1.Deployment)) *appsv1.Deployment {
		d := liveDeployment(render.SystemAppName, mutate...)
		d.Annotations = map[string]string{apply.AppliedHashAnnotation: hash}
		return d
	}
	cases := map[string]struct {
		jobs        map[string]*batchv1.Job
		app         *appsv1.Deployment
		wantHold    []string
		wantWaiting bool
		wantFailed  string
	}{
		"fresh install: the pre hook runs first": {
			wantHold: []string{"Deployment/system-app", "Job/system-app-post-1"}, wantWaiting: true,
		},
		"pre hook running, previous version keeps serving": {
			jobs: map[string]*batchv1.Job{"system-app-pre-1": job()}, app: appAt("app-v1"),
			wantHold: []string{"Deployment/system-app", "Job/system-app-post-1"}, wantWaiting: true,
		},
		"pre hook failed": {
			jobs:     map[string]*batchv1.Job{"system-app-pre-1": job(batchv1.JobFailed)},
			wantHold: []string{"Deployment/system-app", "Job/system-app-post-1"}, wantWaiting: true,
			wantFailed: "Job system-app-pre-1 failed: R: m",
		},
		"pre hook done, system-app not yet rolled out": {
			jobs: map[string]*batchv1.Job{"system-app-pre-1": job(batchv1.JobComplete)}, app: appAt("app-v1"),
			wantHold: []string{"Job/system-app-post-1"},
		},
		"pre hook done, new version applied but starting": {
			jobs:     map[string]*batchv1.Job{"system-app-pre-1": job(batchv1.JobComplete)},
			app:      appAt("app-v2", func(d *appsv1.Deployment) { d.Status.UpdatedReplicas = 1 }),
			wantHold: []string{"Job/system-app-post-1"},
		},
		"system-app rolled out: the post hook runs": {
			jobs: map[string]*batchv1.Job{"system-app-pre-1": job(batchv1.JobComplete)}, app: appAt("app-v2"),
		},
		"post hook failed": {
			jobs: map[string]*batchv1.Job{"system-app-pre-1": job(batchv1.JobComplete), "system-app-post-1": job(batchv1.JobFailed)},
			app:  appAt("app-v2"), wantFailed: "Job system-app-post-1 failed: R: m",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			plan := planHooks(desired, tc.jobs, tc.app)
			var hold []string
			for k := range plan.Hold {
				hold = append(hold, k.String())
			}
			sort.Strings(hold)
			if diff := cmp.Diff(tc.wantHold, hold); diff != "" {
				t.Errorf("held (-want +got):\n%s", diff)
			}
			if (plan.Waiting != "") != tc.wantWaiting {
				t.Errorf("waiting = %q", plan.Waiting)
			}
			if plan.Failed != tc.wantFailed {
				t.Errorf("failed = %q, want %q", plan.Failed, tc.wantFailed)
			}
		})
	}
	if plan := planHooks(desired[3:], nil, nil); len(plan.Hold) != 0 || plan.Waiting != "" {
		t.Errorf("without hook Jobs nothing waits: %+v", plan)
	}
}
