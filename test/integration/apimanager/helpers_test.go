package apimanager

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
	"github.com/threescale-oss/operator/pkg/apimanager/inputs"
	"github.com/threescale-oss/operator/pkg/apimanager/render"
)

const apimName = "example"

// namespace creates a namespace for one test. envtest cannot delete namespaces, so each test gets
// a fresh one; the test's APIManager is deleted at the end so that it stops being reconciled.
func namespace(t *testing.T) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "apim-"}}
	if err := k8s.Create(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = k8s.Delete(context.Background(), &appsv1alpha1.APIManager{ObjectMeta: metav1.ObjectMeta{Name: apimName, Namespace: ns.Name}})
	})
	return ns.Name
}

// newAPIManager returns an APIManager named apimName in ns, with monitoring off and internal
// databases unless mutated.
func newAPIManager(ns string, mutate ...func(*appsv1alpha1.APIManager)) *appsv1alpha1.APIManager {
	a := &appsv1alpha1.APIManager{
		ObjectMeta: metav1.ObjectMeta{Name: apimName, Namespace: ns},
		Spec:       appsv1alpha1.APIManagerSpec{WildcardDomain: "example.com"},
	}
	for _, f := range mutate {
		f(a)
	}
	return a
}

func create(t *testing.T, obj client.Object) {
	t.Helper()
	if err := k8s.Create(context.Background(), obj); err != nil {
		t.Fatal(err)
	}
}

// updateAPIManager changes the APIManager's spec or metadata, retrying on conflicts.
func updateAPIManager(t *testing.T, ns string, mutate func(*appsv1alpha1.APIManager)) {
	t.Helper()
	eventually(t, 10*time.Second, func() error {
		a := getAPIManager(t, ns)
		mutate(a)
		return k8s.Update(context.Background(), a)
	})
}

func getAPIManager(t *testing.T, ns string) *appsv1alpha1.APIManager {
	t.Helper()
	a := &appsv1alpha1.APIManager{}
	if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: apimName}, a); err != nil {
		t.Fatal(err)
	}
	return a
}

// touch changes an annotation of the APIManager, which makes the controller reconcile it without
// any change to the platform, and waits until it has.
func touch(t *testing.T, ns string) {
	t.Helper()
	before := reconciles()
	updateAPIManager(t, ns, func(a *appsv1alpha1.APIManager) {
		if a.Annotations == nil {
			a.Annotations = map[string]string{}
		}
		a.Annotations["test.3scale.net/touched"] = time.Now().Format(time.RFC3339Nano)
	})
	eventually(t, 30*time.Second, func() error {
		if reconciles() <= before {
			return fmt.Errorf("no reconcile yet")
		}
		return nil
	})
	settle(t)
}

// eventually retries f every 100ms until it returns nil, failing the test with f's last error
// after timeout.
func eventually(t *testing.T, timeout time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var err error
	for {
		if err = f(); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %v", timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// condition returns the named condition of the APIManager, nil when absent.
func condition(t *testing.T, ns, typ string) *metav1.Condition {
	t.Helper()
	return meta.FindStatusCondition(getAPIManager(t, ns).Status.Conditions, typ)
}

// waitCondition waits until the condition has the status and its message contains every part.
func waitCondition(t *testing.T, ns, typ string, status metav1.ConditionStatus, parts ...string) *metav1.Condition {
	t.Helper()
	var c *metav1.Condition
	eventually(t, 60*time.Second, func() error {
		c = condition(t, ns, typ)
		if c == nil || c.Status != status {
			return fmt.Errorf("condition %s = %+v, want status %s", typ, c, status)
		}
		for _, p := range parts {
			if !strings.Contains(c.Message, p) {
				return fmt.Errorf("condition %s message %q lacks %q", typ, c.Message, p)
			}
		}
		return nil
	})
	return c
}

// hookJob waits for the system-app hook Job of the phase and returns it.
func hookJob(t *testing.T, ns, phase string) *batchv1.Job {
	t.Helper()
	var found *batchv1.Job
	eventually(t, 60*time.Second, func() error {
		var jobs batchv1.JobList
		if err := k8s.List(context.Background(), &jobs, client.InNamespace(ns)); err != nil {
			return err
		}
		for i := range jobs.Items {
			if jobs.Items[i].Annotations[render.SystemAppHookAnnotation] == phase {
				found = &jobs.Items[i]
				return nil
			}
		}
		return fmt.Errorf("no %s hook Job", phase)
	})
	return found
}

// completeJob marks a Job as succeeded, as the Job controller would (envtest runs none).
func completeJob(t *testing.T, job *batchv1.Job) {
	t.Helper()
	eventually(t, 10*time.Second, func() error {
		var j batchv1.Job
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(job), &j); err != nil {
			return err
		}
		now := metav1.Now()
		j.Status.StartTime = &now
		j.Status.CompletionTime = &now
		j.Status.Succeeded = 1
		j.Status.Conditions = []batchv1.JobCondition{
			{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue, LastTransitionTime: now, LastProbeTime: now},
			{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, LastTransitionTime: now, LastProbeTime: now},
		}
		return k8s.Status().Update(context.Background(), &j)
	})
}

// markAvailable makes every Deployment of ns report its current spec fully rolled out and
// available, as the Deployment controller would once the pods are ready (envtest runs no
// controllers and no kubelets). Deployments already in that state are left alone.
func markAvailable(t *testing.T, ns string) {
	t.Helper()
	var list appsv1.DeploymentList
	if err := k8s.List(context.Background(), &list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	for i := range list.Items {
		d := &list.Items[i]
		replicas := int32(1)
		if d.Spec.Replicas != nil {
			replicas = *d.Spec.Replicas
		}
		s := &d.Status
		if s.ObservedGeneration == d.Generation && s.AvailableReplicas == replicas && s.UpdatedReplicas == replicas &&
			len(s.Conditions) > 0 {
			continue
		}
		now := metav1.Now()
		d.Status = appsv1.DeploymentStatus{
			ObservedGeneration: d.Generation, Replicas: replicas, UpdatedReplicas: replicas,
			ReadyReplicas: replicas, AvailableReplicas: replicas,
			Conditions: []appsv1.DeploymentCondition{{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue,
				Reason: "MinimumReplicasAvailable", LastUpdateTime: now, LastTransitionTime: now}},
		}
		if err := k8s.Status().Update(context.Background(), d); err != nil && !apierrors.IsConflict(err) {
			t.Fatal(err)
		}
	}
}

// install creates apim and plays the cluster's part until it is Available: completes the pre hook
// Job, makes the Deployments available, completes the post hook Job.
func install(t *testing.T, apim *appsv1alpha1.APIManager) {
	t.Helper()
	create(t, apim)
	ns := apim.Namespace
	completeJob(t, hookJob(t, ns, render.SystemAppPreHook))
	eventually(t, 60*time.Second, func() error {
		return k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: render.SystemAppName}, &appsv1.Deployment{})
	})
	settle(t)
	markAvailable(t, ns)
	completeJob(t, hookJob(t, ns, render.SystemAppPostHook))
	eventually(t, 60*time.Second, func() error {
		markAvailable(t, ns)
		c := condition(t, ns, appsv1alpha1.APIManagerAvailableConditionType)
		if c == nil || c.Status != metav1.ConditionTrue {
			return fmt.Errorf("not available: %+v", c)
		}
		return nil
	})
	settle(t)
}

// managedKinds are the kinds the controller may write, for listing what exists.
var managedKinds = []schema.GroupVersionKind{
	{Version: "v1", Kind: "ConfigMap"}, {Version: "v1", Kind: "PersistentVolumeClaim"},
	{Version: "v1", Kind: "Secret"}, {Version: "v1", Kind: "Service"}, {Version: "v1", Kind: "ServiceAccount"},
	{Group: "apps", Version: "v1", Kind: "Deployment"}, {Group: "batch", Version: "v1", Kind: "Job"},
	{Group: "autoscaling", Version: "v2", Kind: "HorizontalPodAutoscaler"},
	{Group: "policy", Version: "v1", Kind: "PodDisruptionBudget"},
	{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "Role"},
	{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "RoleBinding"},
	{Group: "networking.k8s.io", Version: "v1", Kind: "Ingress"},
	inputs.RouteGVK, inputs.PodMonitorGVK, inputs.PrometheusRuleGVK, inputs.GrafanaDashboardGVK,
}

// liveObjects returns every object of ns carrying the APIManager's instance label, by
// "Kind/name", with its resourceVersion.
func liveObjects(t *testing.T, ns string) map[string]*unstructured.Unstructured {
	t.Helper()
	out := map[string]*unstructured.Unstructured{}
	for _, gvk := range managedKinds {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		if err := k8s.List(context.Background(), list, client.InNamespace(ns),
			client.MatchingLabels{render.LabelK8sInstance: apimName}); err != nil {
			t.Fatalf("list %s: %v", gvk.Kind, err)
		}
		for i := range list.Items {
			out[gvk.Kind+"/"+list.Items[i].GetName()] = &list.Items[i]
		}
	}
	return out
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// expectedObjects renders apim the way the controller does, from the cluster as it is now, and
// returns the "Kind/name" of every object.
func expectedObjects(t *testing.T, ns string, apis inputs.APIs) map[string]bool {
	t.Helper()
	g := &inputs.Gatherer{Reader: k8s, APIs: fixedAPIs(apis), Generate: func(n int) string {
		t.Fatal("every Secret should exist by now")
		return ""
	}}
	gathered, err := g.Gather(context.Background(), getAPIManager(t, ns))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, o := range render.All(gathered.Inputs) {
		out[o.GetObjectKind().GroupVersionKind().Kind+"/"+o.GetName()] = true
	}
	return out
}

type fixedAPIs inputs.APIs

func (f fixedAPIs) Detect() (inputs.APIs, error) { return inputs.APIs(f), nil }

// secret reads a Secret.
func secret(t *testing.T, ns, name string) *corev1.Secret {
	t.Helper()
	s := &corev1.Secret{}
	if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, s); err != nil {
		t.Fatal(err)
	}
	return s
}

// podTemplateHashes returns the secrets-hash annotation of every Deployment of ns.
func podTemplateHashes(t *testing.T, ns string) map[string]string {
	t.Helper()
	var list appsv1.DeploymentList
	if err := k8s.List(context.Background(), &list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range list.Items {
		out[d.Name] = d.Spec.Template.Annotations[render.SecretsHashAnnotation]
	}
	return out
}

// deploymentsReading returns the Deployments of ns whose pods read the Secret.
func deploymentsReading(t *testing.T, ns, secretName string) []string {
	t.Helper()
	var list appsv1.DeploymentList
	if err := k8s.List(context.Background(), &list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := range list.Items {
		for _, r := range inputs.SecretReferences([]client.Object{&list.Items[i]}) {
			if r.Secret == secretName {
				out = append(out, list.Items[i].Name)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

func controlledByAPIManager(obj metav1.Object, apim *appsv1alpha1.APIManager) bool {
	ref := metav1.GetControllerOf(obj)
	return ref != nil && ref.UID == apim.UID && ref.Kind == "APIManager"
}
