package apps

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/threescale-oss/operator/pkg/apimanager/apply"
	"github.com/threescale-oss/operator/pkg/apimanager/render"
)

// hookPlan says which objects wait for the hook Jobs of system-app. The pre hook migrates the
// database, so system-app must not start a new version before it completes; the post hook runs
// once that version serves.
type hookPlan struct {
	// Hold lists the objects not to apply in this pass. They stay desired: they are not pruned, and
	// a live system-app of the previous version keeps running.
	Hold map[apply.Key]bool
	// Waiting says why system-app is held, for the status; empty when it is not.
	Waiting string
	// Failed names a failed hook Job, for a Warning; empty when none failed.
	Failed string
	// Replace names the live hook Jobs of another pod template to delete: Job templates are
	// immutable, so the desired Job is created once the old one is gone (it is held meanwhile).
	Replace []string
}

// planHooks decides what waits for the hooks, given the prepared desired objects, the live hook
// Jobs by name and the live system-app Deployment (nil when absent):
//   - until the pre hook Job has completed, system-app and the post hook are held;
//   - until system-app runs the desired version (its applied hash is the desired one and it is
//     fully rolled out), the post hook is held.
//
// A live hook Job of another template (render.SystemAppHookTemplateAnnotation differs, or is
// missing on a Job the existing operator made) counts as done when it completed with the desired
// system image, and is then left as it is; otherwise it is replaced once it has finished (a
// running one is waited for: it may be migrating the database), and the new Job runs.
//
// A failed Job of the desired template is not retried by the operator: Kubernetes retries it up
// to its backoff limit; after that the user fixes the cause and deletes the Job, and the next
// reconcile creates it again.
func planHooks(desired []*unstructured.Unstructured, liveJobs map[string]*batchv1.Job, liveApp *appsv1.Deployment) hookPlan {
	var pre, post, app *unstructured.Unstructured
	for _, u := range desired {
		switch {
		case u.GetKind() == "Job" && u.GetAnnotations()[render.SystemAppHookAnnotation] == render.SystemAppPreHook:
			pre = u
		case u.GetKind() == "Job" && u.GetAnnotations()[render.SystemAppHookAnnotation] == render.SystemAppPostHook:
			post = u
		case u.GetKind() == "Deployment" && u.GetName() == render.SystemAppName:
			app = u
		}
	}
	plan := hookPlan{Hold: map[apply.Key]bool{}}
	hold := func(u *unstructured.Unstructured) {
		if u != nil {
			plan.Hold[apply.KeyOf(u)] = true
		}
	}
	if pre != nil {
		job, state := hookState(pre, liveJobs[pre.GetName()])
		switch state {
		case hookStale:
			// A previous template's Job: replace it. Nothing of the new version starts before
			// the new one completes.
			plan.Replace = append(plan.Replace, pre.GetName())
			hold(pre)
		case hookEquivalent, hookRunningStale:
			hold(pre)
		}
		if state == hookCurrent {
			if failed, msg := jobFailed(job); failed {
				plan.Failed = fmt.Sprintf("Job %s failed: %s", pre.GetName(), msg)
			}
		}
		if state != hookEquivalent && !(state == hookCurrent && jobComplete(job)) {
			hold(app)
			hold(post)
			plan.Waiting = "waiting for Job " + pre.GetName() + " to complete"
			return plan
		}
	}
	if post != nil && app != nil {
		rolledOut := liveApp != nil &&
			liveApp.Annotations[apply.AppliedHashAnnotation] == app.GetAnnotations()[apply.AppliedHashAnnotation] &&
			stateOf(liveApp) == stateReady
		if !rolledOut {
			hold(post)
		}
	}
	if post != nil {
		job, state := hookState(post, liveJobs[post.GetName()])
		switch {
		case state == hookEquivalent || state == hookRunningStale:
			hold(post)
		case state == hookStale && !plan.Hold[apply.KeyOf(post)]:
			// Replaced only when the new one may run: until then the old one's outcome stays
			// visible.
			plan.Replace = append(plan.Replace, post.GetName())
			hold(post)
		case state == hookCurrent && plan.Failed == "":
			if failed, msg := jobFailed(job); failed {
				plan.Failed = fmt.Sprintf("Job %s failed: %s", post.GetName(), msg)
			}
		}
	}
	return plan
}

// hookJobState is how a live hook Job relates to the desired one.
type hookJobState int

const (
	// hookCurrent: no live Job, or one of the desired template.
	hookCurrent hookJobState = iota
	// hookEquivalent: a Job of another template that completed with the desired system image.
	hookEquivalent
	// hookRunningStale: a Job of another template that has not finished.
	hookRunningStale
	// hookStale: a finished Job of another template, to replace.
	hookStale
)

// hookState returns the live Job (nil when absent) and how it relates to desired.
func hookState(desired *unstructured.Unstructured, live *batchv1.Job) (*batchv1.Job, hookJobState) {
	want := desired.GetAnnotations()[render.SystemAppHookTemplateAnnotation]
	if live == nil || live.Annotations[render.SystemAppHookTemplateAnnotation] == want {
		return live, hookCurrent
	}
	failed, _ := jobFailed(live)
	switch {
	case jobComplete(live) && jobImage(live) == desiredJobImage(desired):
		return live, hookEquivalent
	case !jobComplete(live) && !failed:
		return live, hookRunningStale
	default:
		return live, hookStale
	}
}

// jobImage returns the image of a Job's first container.
func jobImage(j *batchv1.Job) string {
	if c := j.Spec.Template.Spec.Containers; len(c) > 0 {
		return c[0].Image
	}
	return ""
}

// desiredJobImage returns the image of a prepared Job's first container.
func desiredJobImage(u *unstructured.Unstructured) string {
	containers, _, _ := unstructured.NestedSlice(u.Object, "spec", "template", "spec", "containers")
	if len(containers) == 0 {
		return ""
	}
	c, _ := containers[0].(map[string]any)
	image, _ := c["image"].(string)
	return image
}

// jobComplete reports whether a Job has completed successfully.
func jobComplete(j *batchv1.Job) bool {
	return j != nil && jobCondition(j, batchv1.JobComplete) != nil
}

// jobFailed reports whether a Job has failed for good, with the reason Kubernetes gives.
func jobFailed(j *batchv1.Job) (bool, string) {
	if j == nil {
		return false, ""
	}
	if c := jobCondition(j, batchv1.JobFailed); c != nil {
		return true, c.Reason + ": " + c.Message
	}
	return false, ""
}

func jobCondition(j *batchv1.Job, t batchv1.JobConditionType) *batchv1.JobCondition {
	for i := range j.Status.Conditions {
		if c := &j.Status.Conditions[i]; c.Type == t && c.Status == corev1.ConditionTrue {
			return c
		}
	}
	return nil
}
