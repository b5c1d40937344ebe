package apply

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
)

// writeCounter counts the writes a fake client receives.
type writeCounter struct{ applies, deletes int }

func newFakeApplier(t *testing.T, objs ...client.Object) (*Applier, *writeCounter) {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	counter := &writeCounter{}
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(objs...).
		WithInterceptorFuncs(interceptor.Funcs{
			Apply: func(ctx context.Context, c client.WithWatch, obj runtime.ApplyConfiguration, opts ...client.ApplyOption) error {
				counter.applies++
				return c.Apply(ctx, obj, opts...)
			},
			Delete: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.DeleteOption) error {
				counter.deletes++
				return c.Delete(ctx, obj, opts...)
			},
		}).Build()
	return &Applier{Client: c, Cache: c, Direct: c, Scheme: scheme,
		Uncached: map[schema.GroupKind]bool{{Kind: "Secret"}: true}}, counter
}

func TestApplySkipsUpToDateObjects(t *testing.T) {
	ctx := context.Background()
	a, writes := newFakeApplier(t)
	desired, err := Prepare(deployment(), owner)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name    string
		desired *appsv1.Deployment
		want    Outcome
		applies int
	}{
		{name: "first apply creates", desired: deployment(), want: Created, applies: 1},
		{name: "same object again writes nothing", desired: deployment(), want: Unchanged, applies: 1},
		{name: "a change is applied", desired: deployment(func(d *appsv1.Deployment) {
			d.Spec.Template.Spec.Containers[0].Image = "apicast:2"
		}), want: Updated, applies: 2},
		{name: "and is then up to date", desired: deployment(func(d *appsv1.Deployment) {
			d.Spec.Template.Spec.Containers[0].Image = "apicast:2"
		}), want: Unchanged, applies: 2},
	}
	for _, s := range steps {
		desired, err = Prepare(s.desired, owner)
		if err != nil {
			t.Fatal(err)
		}
		got, err := a.Apply(ctx, desired)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got != s.want || writes.applies != s.applies {
			t.Errorf("%s: outcome %v after %d applies, want %v after %d", s.name, got, writes.applies, s.want, s.applies)
		}
	}
	var live appsv1.Deployment
	if err := a.Cache.Get(ctx, client.ObjectKeyFromObject(desired), &live); err != nil {
		t.Fatal(err)
	}
	if live.Spec.Template.Spec.Containers[0].Image != "apicast:2" {
		t.Errorf("image = %q", live.Spec.Template.Spec.Containers[0].Image)
	}
}

func TestApplyReadsUncachedKindsDirectly(t *testing.T) {
	ctx := context.Background()
	a, _ := newFakeApplier(t)
	cacheReads := 0
	a.Cache = readerFunc(func(context.Context, client.ObjectKey, client.Object) error {
		cacheReads++
		return apierrors.NewNotFound(schema.GroupResource{}, "")
	})
	secret := &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: "system-seed", Namespace: "ns"},
		Data:       map[string][]byte{"A": []byte("1")},
	}
	desired, err := Prepare(secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []Outcome{Created, Unchanged} {
		got, err := a.Apply(ctx, desired)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("outcome %v, want %v", got, want)
		}
	}
	if cacheReads != 0 {
		t.Errorf("Secrets were read %d times from the cache", cacheReads)
	}
}

type readerFunc func(ctx context.Context, key client.ObjectKey, obj client.Object) error

func (f readerFunc) Get(ctx context.Context, key client.ObjectKey, obj client.Object, _ ...client.GetOption) error {
	return f(ctx, key, obj)
}

func (f readerFunc) List(context.Context, client.ObjectList, ...client.ListOption) error { return nil }

func TestPrune(t *testing.T) {
	const ownerUID = types.UID("uid-1")
	selector := map[string]string{"app.kubernetes.io/instance": "example"}
	ref := func(uid types.UID) []metav1.OwnerReference {
		yes := true
		return []metav1.OwnerReference{{APIVersion: "apps.3scale.net/v1alpha1", Kind: "APIManager", Name: "example", UID: uid, Controller: &yes}}
	}
	cm := func(name string, labels map[string]string, owners []metav1.OwnerReference) client.Object {
		return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", Labels: labels, OwnerReferences: owners}}
	}
	secret := func(name string, owners []metav1.OwnerReference) client.Object {
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", Labels: selector, OwnerReferences: owners}}
	}
	a, writes := newFakeApplier(t,
		cm("desired", selector, ref(ownerUID)),
		cm("stale", selector, ref(ownerUID)),
		cm("other-owner", selector, ref("uid-2")),
		cm("not-labelled", nil, ref(ownerUID)),
		cm("no-owner", selector, nil),
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "other-ns", Namespace: "other", Labels: selector, OwnerReferences: ref(ownerUID)}},
		secret("zync", ref(ownerUID)),
		secret("system-seed", nil),
	)
	keep := map[Key]bool{{GroupKind: schema.GroupKind{Kind: "ConfigMap"}, Name: "desired"}: true}
	kinds := []schema.GroupVersionKind{{Version: "v1", Kind: "ConfigMap"}, {Version: "v1", Kind: "Secret"}}
	deleted, err := a.Prune(context.Background(), "ns", selector, ownerUID, kinds, keep)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, k := range deleted {
		names = append(names, k.String())
	}
	sort.Strings(names)
	if diff := cmp.Diff([]string{"ConfigMap/stale", "Secret/zync"}, names); diff != "" {
		t.Errorf("deleted (-want +got):\n%s", diff)
	}
	if writes.deletes != 2 {
		t.Errorf("%d deletes, want 2", writes.deletes)
	}
	var left corev1.ConfigMapList
	if err := a.Cache.List(context.Background(), &left); err != nil {
		t.Fatal(err)
	}
	if len(left.Items) != 5 {
		t.Errorf("%d ConfigMaps left, want 5", len(left.Items))
	}
}

func TestNewObject(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	configMap := corev1.SchemeGroupVersion.WithKind("ConfigMap")
	route := schema.GroupVersionKind{Group: "route.openshift.io", Version: "v1", Kind: "Route"}
	cases := map[string]struct {
		reason string
		scheme *runtime.Scheme
		gvk    schema.GroupVersionKind
		want   string // the Go type of the object
	}{
		"Typed":        {reason: "A kind the scheme knows is typed.", scheme: scheme, gvk: configMap, want: "*v1.ConfigMap"},
		"Unregistered": {reason: "A kind the scheme does not know is unstructured.", scheme: scheme, gvk: route, want: "*unstructured.Unstructured"},
		"NoScheme":     {reason: "Without a scheme every kind is unstructured.", gvk: configMap, want: "*unstructured.Unstructured"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := NewObject(tc.scheme, tc.gvk)
			if diff := cmp.Diff(tc.want, fmt.Sprintf("%T", got)); diff != "" {
				t.Errorf("%s\ntype: -want, +got:\n%s", tc.reason, diff)
			}
			if u, ok := got.(*unstructured.Unstructured); ok && u.GroupVersionKind() != tc.gvk {
				t.Errorf("%s\nunstructured kind = %v, want %v", tc.reason, u.GroupVersionKind(), tc.gvk)
			}
		})
	}
}

// TestReleaseOwner: a claim the existing operator made is owned by the APIManager; with the Retain
// policy the owner reference to the APIManager goes, others stay, and a second call writes nothing.
func TestReleaseOwner(t *testing.T) {
	apim := metav1.OwnerReference{APIVersion: "apps.3scale.net/v1alpha1", Kind: "APIManager", Name: "a", UID: "apim-uid", Controller: ptrTo(true)}
	other := metav1.OwnerReference{APIVersion: "v1", Kind: "ConfigMap", Name: "keep", UID: "other-uid"}
	pvc := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "system-storage",
		OwnerReferences: []metav1.OwnerReference{apim, other}}}
	a, _ := newFakeApplier(t, pvc)
	desired := &unstructured.Unstructured{}
	desired.SetAPIVersion("v1")
	desired.SetKind("PersistentVolumeClaim")
	desired.SetNamespace("ns")
	desired.SetName("system-storage")
	ctx := context.Background()
	released, err := a.ReleaseOwner(ctx, desired, "apim-uid")
	if err != nil || !released {
		t.Fatalf("ReleaseOwner = %v, %v", released, err)
	}
	var live corev1.PersistentVolumeClaim
	if err := a.Client.Get(ctx, client.ObjectKeyFromObject(pvc), &live); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]metav1.OwnerReference{other}, live.OwnerReferences); diff != "" {
		t.Errorf("owners (-want +got):\n%s", diff)
	}
	if released, err := a.ReleaseOwner(ctx, desired, "apim-uid"); err != nil || released {
		t.Errorf("second ReleaseOwner = %v, %v; want nothing to do", released, err)
	}
	desired.SetName("absent")
	if released, err := a.ReleaseOwner(ctx, desired, "apim-uid"); err != nil || released {
		t.Errorf("ReleaseOwner of an absent object = %v, %v", released, err)
	}
}

func ptrTo[T any](v T) *T { return &v }
