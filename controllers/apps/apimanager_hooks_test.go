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
		ann[render.SystemAppHookTemplateAnnotation] = "t1"
		_ = unstructured.SetNestedSlice(u.Object, []any{map[string]any{"name": "c", "image": "porta:2"}},
			"spec", "template", "spec", "containers")
	}
	u.SetAnnotations(ann)
	return u
}

// job is a live hook Job of the desired template with the given conditions.
func job(conditions ...batchv1.JobConditionType) *batchv1.Job {
	j := staleJob("porta:2", conditions...)
	j.Annotations = map[string]string{render.SystemAppHookTemplateAnnotation: "t1"}
	return j
}

// staleJob is a live hook Job of another template (without the annotation, as the existing
// operator makes them) running image.
func staleJob(image string, conditions ...batchv1.JobConditionType) *batchv1.Job {
	j := &batchv1.Job{}
	j.Spec.Template.Spec.Containers = []corev1.Container{{Name: "c", Image: image}}
	for _, c := range conditions {
		j.Status.Conditions = append(j.Status.Conditions, batchv1.JobCondition{Type: c, Status: corev1.ConditionTrue, Reason: "R", Message: "m"})
	}
	return j
}

func TestPlanHooks(t *testing.T) {
	desired := []*unstructured.Unstructured{
		desiredObject("Job", "system-app-pre", render.SystemAppPreHook, "h"),
		desiredObject("Job", "system-app-post", render.SystemAppPostHook, "h"),
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
		wantReplace []string
	}{
		"fresh install: the pre hook runs first": {
			wantHold: []string{"Deployment/system-app", "Job/system-app-post"}, wantWaiting: true,
		},
		"pre hook running, previous version keeps serving": {
			jobs: map[string]*batchv1.Job{"system-app-pre": job()}, app: appAt("app-v1"),
			wantHold: []string{"Deployment/system-app", "Job/system-app-post"}, wantWaiting: true,
		},
		"pre hook failed": {
			jobs:     map[string]*batchv1.Job{"system-app-pre": job(batchv1.JobFailed)},
			wantHold: []string{"Deployment/system-app", "Job/system-app-post"}, wantWaiting: true,
			wantFailed: "Job system-app-pre failed: R: m",
		},
		"pre hook done, system-app not yet rolled out": {
			jobs: map[string]*batchv1.Job{"system-app-pre": job(batchv1.JobComplete)}, app: appAt("app-v1"),
			wantHold: []string{"Job/system-app-post"},
		},
		"pre hook done, new version applied but starting": {
			jobs:     map[string]*batchv1.Job{"system-app-pre": job(batchv1.JobComplete)},
			app:      appAt("app-v2", func(d *appsv1.Deployment) { d.Status.UpdatedReplicas = 1 }),
			wantHold: []string{"Job/system-app-post"},
		},
		"system-app rolled out: the post hook runs": {
			jobs: map[string]*batchv1.Job{"system-app-pre": job(batchv1.JobComplete)}, app: appAt("app-v2"),
		},
		"take-over at the same image: the completed hooks of the existing operator count as done": {
			jobs: map[string]*batchv1.Job{"system-app-pre": staleJob("porta:2", batchv1.JobComplete),
				"system-app-post": staleJob("porta:2", batchv1.JobComplete)},
			app:      appAt("app-v1"),
			wantHold: []string{"Job/system-app-post", "Job/system-app-pre"},
		},
		"take-over at the same image, system-app rolled out: nothing to run": {
			jobs: map[string]*batchv1.Job{"system-app-pre": staleJob("porta:2", batchv1.JobComplete),
				"system-app-post": staleJob("porta:2", batchv1.JobComplete)},
			app:      appAt("app-v2"),
			wantHold: []string{"Job/system-app-post", "Job/system-app-pre"},
		},
		"new image: the finished pre hook is replaced, nothing new starts before it reruns": {
			jobs: map[string]*batchv1.Job{"system-app-pre": staleJob("porta:1", batchv1.JobComplete),
				"system-app-post": staleJob("porta:1", batchv1.JobComplete)},
			app:         appAt("app-v1"),
			wantHold:    []string{"Deployment/system-app", "Job/system-app-post", "Job/system-app-pre"},
			wantWaiting: true, wantReplace: []string{"system-app-pre"},
		},
		"new image while the previous pre hook still runs: it is waited for": {
			jobs:     map[string]*batchv1.Job{"system-app-pre": staleJob("porta:1")},
			app:      appAt("app-v1"),
			wantHold: []string{"Deployment/system-app", "Job/system-app-post", "Job/system-app-pre"}, wantWaiting: true,
		},
		"previous pre hook failed: replaced by the new template": {
			jobs:     map[string]*batchv1.Job{"system-app-pre": staleJob("porta:2", batchv1.JobFailed)},
			wantHold: []string{"Deployment/system-app", "Job/system-app-post", "Job/system-app-pre"}, wantWaiting: true,
			wantReplace: []string{"system-app-pre"},
		},
		"new pre hook done, system-app starting: the old post hook stays until it may rerun": {
			jobs: map[string]*batchv1.Job{"system-app-pre": job(batchv1.JobComplete),
				"system-app-post": staleJob("porta:1", batchv1.JobComplete)},
			app:      appAt("app-v1"),
			wantHold: []string{"Job/system-app-post"},
		},
		"new version rolled out: the old post hook is replaced": {
			jobs: map[string]*batchv1.Job{"system-app-pre": job(batchv1.JobComplete),
				"system-app-post": staleJob("porta:1", batchv1.JobComplete)},
			app:         appAt("app-v2"),
			wantHold:    []string{"Job/system-app-post"},
			wantReplace: []string{"system-app-post"},
		},
		"post hook failed": {
			jobs: map[string]*batchv1.Job{"system-app-pre": job(batchv1.JobComplete), "system-app-post": job(batchv1.JobFailed)},
			app:  appAt("app-v2"), wantFailed: "Job system-app-post failed: R: m",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			plan := planHooks(desired, tc.jobs, tc.app)
			if diff := cmp.Diff(tc.wantReplace, plan.Replace); diff != "" {
				t.Errorf("replaced (-want +got):\n%s", diff)
			}
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
