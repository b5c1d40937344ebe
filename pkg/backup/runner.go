package backup

import (
	"context"
	"fmt"
	"os"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

// CreateStepObjects creates the objects of a step (ServiceAccount, Role, RoleBinding, then the
// Job), each unless it exists: they are named after the owner's UID and the step, so a second
// reconcile finds them and creates nothing.
func CreateStepObjects(ctx context.Context, c client.Client, objs []client.Object, job *batchv1.Job) error {
	for _, o := range append(objs, job) {
		if err := c.Create(ctx, o); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("cannot create %s %s: %w", o.GetObjectKind().GroupVersionKind().Kind, o.GetName(), err)
		}
	}
	return nil
}

// maxMessage bounds the failure message copied from a pod into a status.
const maxMessage = 1024

// StepJobFacts observes the Jobs of the steps that have one: jobs reads Jobs (the cache), pods
// reads the pods of a failed Job (uncached, once per failure) for their termination message.
func StepJobFacts(ctx context.Context, jobs, pods client.Reader, ns, kind string, uid types.UID, steps []appsv1alpha1.StepStatus) (map[string]JobFacts, error) {
	facts := map[string]JobFacts{}
	for _, s := range steps {
		if s.State != appsv1alpha1.StepRunning && s.State != appsv1alpha1.StepPending {
			continue
		}
		name := JobName(kind, s.Name, uid)
		job := &batchv1.Job{}
		if err := jobs.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, job); err != nil {
			if apierrors.IsNotFound(err) {
				continue
			}
			return nil, fmt.Errorf("cannot read Job %s: %w", name, err)
		}
		f := JobFacts{Exists: true}
		for _, c := range job.Status.Conditions {
			if c.Status != corev1.ConditionTrue {
				continue
			}
			switch c.Type {
			case batchv1.JobComplete:
				f.Succeeded = true
			case batchv1.JobFailed:
				f.Failed = true
				f.Message = fmt.Sprintf("Job %s failed (%s: %s)", name, c.Reason, c.Message)
			}
		}
		if f.Failed {
			msg, err := podMessage(ctx, pods, ns, name)
			if err != nil {
				return nil, err
			}
			if msg != "" {
				f.Message = fmt.Sprintf("Job %s failed: %s", name, msg)
			}
		}
		facts[s.Name] = f
	}
	return facts, nil
}

// podMessage returns the termination message of the failed container of a pod of the Job (the
// tail of its log when it wrote none), with its exit code.
func podMessage(ctx context.Context, pods client.Reader, ns, job string) (string, error) {
	list := &corev1.PodList{}
	if err := pods.List(ctx, list, client.InNamespace(ns), client.MatchingLabels{batchv1.JobNameLabel: job}); err != nil {
		return "", fmt.Errorf("cannot list the pods of Job %s: %w", job, err)
	}
	for _, p := range list.Items {
		for _, cs := range append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
			t := cs.State.Terminated
			if t == nil {
				t = cs.LastTerminationState.Terminated
			}
			if t == nil || t.ExitCode == 0 {
				continue
			}
			msg := strings.TrimSpace(t.Message)
			if msg == "" {
				msg = t.Reason
			}
			if len(msg) > maxMessage {
				msg = "..." + msg[len(msg)-maxMessage:]
			}
			return fmt.Sprintf("pod %s container %s exited with code %d: %s", p.Name, cs.Name, t.ExitCode, msg), nil
		}
	}
	return "", nil
}

// serviceAccountNamespaceFile holds the namespace of a pod's ServiceAccount.
const serviceAccountNamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"

// OwnImage returns the operator's own image: RELATED_IMAGE_OPERATOR from env when set, else the
// image of the container named manager (or the first) of the operator's pod, found by its host
// name in the namespace of its ServiceAccount.
func OwnImage(ctx context.Context, pods client.Reader, env map[string]string) (string, error) {
	if img := env[OperatorImageEnv]; img != "" {
		return img, nil
	}
	ns, err := os.ReadFile(serviceAccountNamespaceFile)
	if err != nil {
		return "", fmt.Errorf("the operator's own image is unknown: %s is not set and the operator does not run in a pod", OperatorImageEnv)
	}
	host, err := os.Hostname()
	if err != nil {
		return "", err
	}
	pod := &corev1.Pod{}
	if err := pods.Get(ctx, client.ObjectKey{Namespace: strings.TrimSpace(string(ns)), Name: host}, pod); err != nil {
		return "", fmt.Errorf("the operator's own image is unknown: set %s (cannot read the operator's pod: %w)", OperatorImageEnv, err)
	}
	for _, c := range pod.Spec.Containers {
		if c.Name == "manager" {
			return c.Image, nil
		}
	}
	return pod.Spec.Containers[0].Image, nil
}
