package apps

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/threescale-oss/operator/api"
	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
	"github.com/threescale-oss/operator/pkg/apimanager/apply"
	"github.com/threescale-oss/operator/pkg/apimanager/inputs"
	"github.com/threescale-oss/operator/pkg/apimanager/render"
)

// allAPIs says the cluster serves every optional monitoring API, so that the platform holds the
// largest object set.
type allAPIs struct{}

func (allAPIs) Detect() (inputs.APIs, error) {
	return inputs.APIs{PodMonitors: true, PrometheusRules: true, GrafanaDashboards: true}, nil
}

// BenchmarkSteadyStateReconcile measures a resync when nothing changed: one full Reconcile of an
// APIManager (monitoring on, the largest object set) against a cluster that already holds its
// whole platform, as the periodic resync or an unrelated watch event runs it.
//
// The cluster is controller-runtime's fake client. Before the timer starts, the APIManager is
// reconciled until a reconcile writes nothing, with what kube-controller-manager would do in
// between: hook Jobs complete, Deployments roll out. By then every rendered object exists (the
// system-app hooks held none back) and the APIManager is Available, which the benchmark checks.
//
// b.Loop starts the timer after that setup. Each timed iteration counts the calls the reconciler
// makes, by the way they reach the API server in a real manager:
//   - writes/op: creates, updates, patches, applies and deletes, status included. A resync of an
//     unchanged platform must write nothing; any write fails the benchmark and is listed.
//   - api-reads/op: GETs and LISTs that go to the API server (the uncached reader: the Secrets).
//   - cache-reads/op: reads served by the informer cache, which cost no API round trip.
//
// Run it with:
//
//	go test ./controllers/apps/ -run '^$' -bench SteadyStateReconcile -benchtime 3x
func BenchmarkSteadyStateReconcile(b *testing.B) {
	ctx := context.Background()
	c := newSteadyCluster(b)
	req := ctrl.Request{NamespacedName: types.NamespacedName{Namespace: c.apim.Namespace, Name: c.apim.Name}}

	c.calls.reset()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.reconciler.Reconcile(ctx, req); err != nil {
			b.Fatalf("reconcile: %v", err)
		}
	}
	n := float64(b.N)
	if len(c.calls.writeLog) > 0 {
		b.Errorf("a resync of an unchanged platform wrote %d times in %d resyncs:\n%s",
			len(c.calls.writeLog), b.N, strings.Join(c.calls.writeLog, "\n"))
	}
	b.ReportMetric(float64(len(c.calls.writeLog))/n, "writes/op")
	b.ReportMetric(float64(c.calls.apiReads)/n, "api-reads/op")
	b.ReportMetric(float64(c.calls.cacheReads)/n, "cache-reads/op")
	b.ReportMetric(float64(c.objects), "objects")
}

// steadyCluster is a fake cluster that holds the whole platform of one APIManager, and the
// reconciler wired to it.
type steadyCluster struct {
	apim       *appsv1alpha1.APIManager
	reconciler *APIManagerReconciler
	// calls counts what the reconciler does to the cluster.
	calls *callCounter
	// objects is the number of objects the platform is made of.
	objects int
}

// newSteadyCluster installs the platform of an APIManager in a fake cluster and returns it once
// settled: a reconcile writes nothing and the APIManager is Available.
func newSteadyCluster(tb testing.TB) *steadyCluster {
	tb.Helper()
	ctx := context.Background()
	scheme, err := api.NewScheme()
	if err != nil {
		tb.Fatal(err)
	}
	apim := &appsv1alpha1.APIManager{
		ObjectMeta: metav1.ObjectMeta{Name: "example", Namespace: "threescale", UID: "uid-1", Generation: 1,
			CreationTimestamp: metav1.NewTime(time.Unix(1_700_000_000, 0))},
		Spec: appsv1alpha1.APIManagerSpec{WildcardDomain: "example.com",
			Monitoring: &appsv1alpha1.MonitoringSpec{Enabled: true}},
	}
	// The fake client registers the unstructured kinds it meets in its scheme; the reconciler's
	// must stay as the manager's, or it would read monitoring kinds as empty unstructured objects.
	clusterScheme, err := api.NewScheme()
	if err != nil {
		tb.Fatal(err)
	}
	cluster := fake.NewClientBuilder().
		WithScheme(clusterScheme).
		WithRESTMapper(benchRESTMapper(scheme)).
		WithStatusSubresource(&appsv1alpha1.APIManager{}, &appsv1.Deployment{}, &batchv1.Job{}).
		WithObjects(apim).
		Build()

	calls := &callCounter{}
	cached := &countingClient{Client: cluster, calls: calls, reads: &calls.cacheReads}
	direct := &countingClient{Client: cluster, calls: calls, reads: &calls.apiReads}
	gatherer := &inputs.Gatherer{Reader: direct, APIs: allAPIs{}}
	r := &APIManagerReconciler{
		Client:   cached,
		Scheme:   scheme,
		Gatherer: gatherer,
		Applier: &apply.Applier{
			Client:   cached,
			Cache:    cached,
			Direct:   direct,
			Uncached: map[schema.GroupKind]bool{secretGVK.GroupKind(): true},
			Scheme:   scheme,
		},
		Now: func() time.Time { return time.Unix(1_800_000_000, 0) },
	}
	req := ctrl.Request{NamespacedName: client.ObjectKeyFromObject(apim)}

	// Install, then let the platform run, until a reconcile finds nothing to write.
	const maxPasses = 10
	settled := false
	for pass := 0; pass < maxPasses && !settled; pass++ {
		calls.reset()
		if _, err := r.Reconcile(ctx, req); err != nil {
			tb.Fatalf("reconcile pass %d: %v", pass+1, err)
		}
		settled = len(calls.writeLog) == 0
		if err := runPlatform(ctx, cluster, apim.Namespace); err != nil {
			tb.Fatal(err)
		}
	}
	if !settled {
		tb.Fatalf("the platform did not settle in %d reconciles; the last one wrote:\n%s",
			maxPasses, strings.Join(calls.writeLog, "\n"))
	}

	// Every rendered object is in the cluster, and the APIManager says so.
	live := &appsv1alpha1.APIManager{}
	if err := cluster.Get(ctx, req.NamespacedName, live); err != nil {
		tb.Fatal(err)
	}
	gathered, err := gatherer.Gather(ctx, live)
	if err != nil {
		tb.Fatal(err)
	}
	desired, err := r.prepare(live, render.All(gathered.Inputs), gathered.SecretVersions)
	if err != nil {
		tb.Fatal(err)
	}
	for _, u := range desired {
		obj, err := r.Applier.Live(ctx, u.GroupVersionKind(), client.ObjectKeyFromObject(u))
		if err != nil {
			tb.Fatal(err)
		}
		if obj == nil {
			tb.Fatalf("%s is not in the cluster after the platform settled", apply.KeyOf(u))
		}
	}
	if !meta.IsStatusConditionTrue(live.Status.Conditions, appsv1alpha1.APIManagerAvailableConditionType) {
		tb.Fatalf("the APIManager is not Available after the platform settled: %+v", live.Status.Conditions)
	}
	return &steadyCluster{apim: live, reconciler: r, calls: calls, objects: len(desired)}
}

// runPlatform does what kube-controller-manager would do to the platform's workloads: every Job
// completes and every Deployment rolls out. It writes to the cluster directly, not through the
// reconciler's counted client.
func runPlatform(ctx context.Context, cluster client.Client, namespace string) error {
	var jobs batchv1.JobList
	if err := cluster.List(ctx, &jobs, client.InNamespace(namespace)); err != nil {
		return err
	}
	for i := range jobs.Items {
		j := &jobs.Items[i]
		if jobComplete(j) {
			continue
		}
		now := metav1.NewTime(time.Unix(1_700_000_100, 0))
		j.Status.Succeeded = 1
		j.Status.StartTime, j.Status.CompletionTime = &now, &now
		j.Status.Conditions = append(j.Status.Conditions,
			batchv1.JobCondition{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue},
			batchv1.JobCondition{Type: batchv1.JobComplete, Status: corev1.ConditionTrue})
		if err := cluster.Status().Update(ctx, j); err != nil {
			return fmt.Errorf("cannot complete Job %s: %w", j.Name, err)
		}
	}
	var deployments appsv1.DeploymentList
	if err := cluster.List(ctx, &deployments, client.InNamespace(namespace)); err != nil {
		return err
	}
	for i := range deployments.Items {
		d := &deployments.Items[i]
		if stateOf(d) == stateReady {
			continue
		}
		replicas := ptr.Deref(d.Spec.Replicas, 1)
		d.Status = appsv1.DeploymentStatus{
			ObservedGeneration: d.Generation,
			Replicas:           replicas, UpdatedReplicas: replicas, ReadyReplicas: replicas, AvailableReplicas: replicas,
			Conditions: []appsv1.DeploymentCondition{
				{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Reason: "MinimumReplicasAvailable"},
				{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: "NewReplicaSetAvailable"},
			},
		}
		if err := cluster.Status().Update(ctx, d); err != nil {
			return fmt.Errorf("cannot roll out Deployment %s: %w", d.Name, err)
		}
	}
	return nil
}

// benchRESTMapper maps the kinds of scheme and the optional monitoring kinds, which the scheme
// does not know (they are read and applied as unstructured objects), all namespaced.
func benchRESTMapper(scheme *runtime.Scheme) meta.RESTMapper {
	m := meta.NewDefaultRESTMapper(nil)
	for gvk := range scheme.AllKnownTypes() {
		m.Add(gvk, meta.RESTScopeNamespace)
	}
	for _, gvk := range (inputs.APIs{Routes: true, PodMonitors: true, PrometheusRules: true, GrafanaDashboards: true}).GVKs() {
		m.Add(gvk, meta.RESTScopeNamespace)
		m.Add(gvk.GroupVersion().WithKind(gvk.Kind+"List"), meta.RESTScopeNamespace)
	}
	return m
}

// callCounter counts the calls a reconciler makes to the cluster.
type callCounter struct {
	// apiReads are the GETs and LISTs that reach the API server; cacheReads those served by the
	// informer cache in a real manager.
	apiReads, cacheReads int
	// writeLog describes each write, in order.
	writeLog []string
}

func (c *callCounter) reset() { *c = callCounter{} }

// write logs a write of obj, a client.Object or an apply configuration.
func (c *callCounter) write(verb string, obj any) {
	var kind, name string
	switch o := obj.(type) {
	case client.Object:
		kind, name = o.GetObjectKind().GroupVersionKind().Kind, o.GetName()
		if kind == "" { // typed objects often have no TypeMeta
			kind = fmt.Sprintf("%T", o)
		}
	case interface {
		GetKind() *string
		GetName() *string
	}:
		kind, name = ptr.Deref(o.GetKind(), ""), ptr.Deref(o.GetName(), "")
	default:
		kind = fmt.Sprintf("%T", o)
	}
	c.writeLog = append(c.writeLog, verb+" "+kind+"/"+name)
}

// countingClient is a client whose reads count as reads (cache or API reads, depending on the
// role it plays) and whose writes are logged.
type countingClient struct {
	client.Client
	calls *callCounter
	reads *int
}

func (c *countingClient) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	*c.reads++
	return c.Client.Get(ctx, key, obj, opts...)
}

func (c *countingClient) List(ctx context.Context, list client.ObjectList, opts ...client.ListOption) error {
	*c.reads++
	return c.Client.List(ctx, list, opts...)
}

func (c *countingClient) Create(ctx context.Context, obj client.Object, opts ...client.CreateOption) error {
	c.calls.write("create", obj)
	return c.Client.Create(ctx, obj, opts...)
}

func (c *countingClient) Update(ctx context.Context, obj client.Object, opts ...client.UpdateOption) error {
	c.calls.write("update", obj)
	return c.Client.Update(ctx, obj, opts...)
}

func (c *countingClient) Patch(ctx context.Context, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
	c.calls.write("patch", obj)
	return c.Client.Patch(ctx, obj, patch, opts...)
}

func (c *countingClient) Apply(ctx context.Context, obj runtime.ApplyConfiguration, opts ...client.ApplyOption) error {
	c.calls.write("apply", obj)
	return c.Client.Apply(ctx, obj, opts...)
}

func (c *countingClient) Delete(ctx context.Context, obj client.Object, opts ...client.DeleteOption) error {
	c.calls.write("delete", obj)
	return c.Client.Delete(ctx, obj, opts...)
}

func (c *countingClient) DeleteAllOf(ctx context.Context, obj client.Object, opts ...client.DeleteAllOfOption) error {
	c.calls.write("deletecollection", obj)
	return c.Client.DeleteAllOf(ctx, obj, opts...)
}

func (c *countingClient) Status() client.SubResourceWriter {
	return &countingStatus{SubResourceWriter: c.Client.Status(), calls: c.calls}
}

// countingStatus logs the status writes of a countingClient.
type countingStatus struct {
	client.SubResourceWriter
	calls *callCounter
}

func (s *countingStatus) Create(ctx context.Context, obj client.Object, sub client.Object, opts ...client.SubResourceCreateOption) error {
	s.calls.write("create status", obj)
	return s.SubResourceWriter.Create(ctx, obj, sub, opts...)
}

func (s *countingStatus) Update(ctx context.Context, obj client.Object, opts ...client.SubResourceUpdateOption) error {
	s.calls.write("update status", obj)
	return s.SubResourceWriter.Update(ctx, obj, opts...)
}

func (s *countingStatus) Patch(ctx context.Context, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
	s.calls.write("patch status", obj)
	return s.SubResourceWriter.Patch(ctx, obj, patch, opts...)
}

func (s *countingStatus) Apply(ctx context.Context, obj runtime.ApplyConfiguration, opts ...client.SubResourceApplyOption) error {
	s.calls.write("apply status", obj)
	return s.SubResourceWriter.Apply(ctx, obj, opts...)
}
