package apply

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

func TestContains(t *testing.T) {
	type m = map[string]any
	type l = []any
	cases := map[string]struct {
		desired, live any
		want          bool
	}{
		"equal scalars":                {desired: "a", live: "a", want: true},
		"different strings":            {desired: "a", live: "b", want: false},
		"nil desired matches anything": {desired: nil, live: "x", want: true},
		"scalar missing in live":       {desired: m{"a": "x"}, live: m{}, want: false},
		"live has extra keys":          {desired: m{"a": "x"}, live: m{"a": "x", "b": "y"}, want: true},
		"nested map drift":             {desired: m{"a": m{"b": int64(1)}}, live: m{"a": m{"b": int64(2)}}, want: false},
		"empty map matches absent":     {desired: m{"resources": m{}}, live: m{}, want: true},
		"empty list matches absent":    {desired: m{"env": l{}}, live: m{}, want: true},
		"map against a scalar":         {desired: m{"a": m{"b": "c"}}, live: m{"a": "c"}, want: false},
		"list against a map":           {desired: m{"a": l{"x"}}, live: m{"a": m{}}, want: false},
		"lists equal":                  {desired: l{"a", "b"}, live: l{"a", "b"}, want: true},
		"list order matters":           {desired: l{"a", "b"}, live: l{"b", "a"}, want: false},
		"live list shorter":            {desired: l{"a", "b"}, live: l{"a"}, want: false},
		"live list has trailing extra": {desired: l{"a"}, live: l{"a", "dockercfg"}, want: true},
		"list elements are subsets": {
			desired: l{m{"name": "A", "value": "1"}},
			live:    l{m{"name": "A", "value": "1", "extra": true}}, want: true,
		},
		"list element drift": {
			desired: l{m{"name": "A", "value": "1"}},
			live:    l{m{"name": "A", "value": "2"}}, want: false,
		},
		"int and float of the same value": {desired: int64(3), live: float64(3), want: true},
		"int and float differ":            {desired: int64(3), live: float64(3.5), want: false},
		"number against a string":         {desired: int64(3), live: "3", want: false},
		"bool equal":                      {desired: false, live: false, want: true},
		"bool absent in live":             {desired: m{"a": false}, live: m{}, want: false},
		"cpu quantities compare by value": {
			desired: m{"resources": m{"limits": m{"cpu": "1000m", "memory": "1Gi"}}},
			live:    m{"resources": m{"limits": m{"cpu": "1", "memory": "1024Mi"}}}, want: true,
		},
		"requests differ by value": {
			desired: m{"requests": m{"cpu": "500m"}},
			live:    m{"requests": m{"cpu": "1"}}, want: false,
		},
		"storage request": {
			desired: m{"resources": m{"requests": m{"storage": "1Gi"}}},
			live:    m{"resources": m{"requests": m{"storage": "1073741824"}}}, want: true,
		},
		"emptyDir size limit": {desired: m{"sizeLimit": "1G"}, live: m{"sizeLimit": "1000M"}, want: true},
		"HPA target value": {
			desired: m{"target": m{"value": "2k"}}, live: m{"target": m{"value": "2000"}}, want: true,
		},
		"an env var is not a quantity": {
			desired: l{m{"name": "N", "value": "1k"}}, live: l{m{"name": "N", "value": "1000"}}, want: false,
		},
		"unparsable quantity": {desired: m{"limits": m{"cpu": "lots"}}, live: m{"limits": m{"cpu": "1"}}, want: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := Contains(tc.desired, tc.live); got != tc.want {
				t.Errorf("Contains(%v, %v) = %v, want %v", tc.desired, tc.live, got, tc.want)
			}
		})
	}
}

// deployment is a small rendered Deployment; mutate edits a copy.
func deployment(mutate ...func(*appsv1.Deployment)) *appsv1.Deployment {
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "apicast-staging", Namespace: "ns", Labels: map[string]string{"app": "3scale"}},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"deployment": "apicast-staging"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"deployment": "apicast-staging", "team": "a"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name:  "apicast",
					Image: "quay.io/3scale/apicast:latest",
					Env:   []corev1.EnvVar{{Name: "A", Value: "1"}},
					Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{
						corev1.ResourceCPU: resource.MustParse("1000m"),
					}},
				}}},
			},
		},
	}
	for _, f := range mutate {
		f(d)
	}
	return d
}

var owner = ControllerReference(&metav1.ObjectMeta{Name: "example", UID: types.UID("uid-1")},
	"apps.3scale.net/v1alpha1", "APIManager")

// liveFrom returns what the API server would answer after applying desired: the same content
// with defaults filled in, and mutated by others (drift) when mutate is given.
func liveFrom(t *testing.T, desired *unstructured.Unstructured, mutate func(*appsv1.Deployment)) *unstructured.Unstructured {
	t.Helper()
	var d appsv1.Deployment
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(desired.Object, &d); err != nil {
		t.Fatal(err)
	}
	// Server-side defaults and metadata.
	d.UID = "live-uid"
	d.ResourceVersion = "42"
	d.Generation = 3
	d.Spec.Replicas = ptr.To[int32](1)
	d.Spec.RevisionHistoryLimit = ptr.To[int32](10)
	d.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyAlways
	d.Spec.Template.Spec.Containers[0].TerminationMessagePath = "/dev/termination-log"
	d.Spec.Template.Spec.Containers[0].Resources.Limits[corev1.ResourceCPU] = resource.MustParse("1")
	d.Labels["added-by-someone"] = "x"
	d.Status.Replicas = 1
	if mutate != nil {
		mutate(&d)
	}
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&d)
	if err != nil {
		t.Fatal(err)
	}
	return &unstructured.Unstructured{Object: content}
}

func TestUpToDate(t *testing.T) {
	cases := map[string]struct {
		// desired is rendered now; applied is what was applied last time (nil: desired).
		desired, applied *appsv1.Deployment
		// drift edits the live object after the last apply.
		drift func(*appsv1.Deployment)
		// noOwner prepares without an owner reference.
		noOwner bool
		want    bool
	}{
		"unchanged, with server defaults": {desired: deployment(), want: true},
		"image changed in the spec": {
			desired: deployment(func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "apicast:2" }),
			applied: deployment(), want: false,
		},
		"a pod label removed from the spec": {
			desired: deployment(func(d *appsv1.Deployment) { delete(d.Spec.Template.Labels, "team") }),
			applied: deployment(), want: false,
		},
		"an env var removed from the spec": {
			desired: deployment(func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Env = nil }),
			applied: deployment(), want: false,
		},
		"drift: someone changed the image": {
			desired: deployment(),
			drift:   func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "evil" },
			want:    false,
		},
		"drift: someone removed a label we set": {
			desired: deployment(), drift: func(d *appsv1.Deployment) { delete(d.Labels, "app") }, want: false,
		},
		"drift: someone removed the hash annotation": {
			desired: deployment(),
			drift:   func(d *appsv1.Deployment) { delete(d.Annotations, AppliedHashAnnotation) },
			want:    false,
		},
		"drift: the owner reference was removed": {
			desired: deployment(), drift: func(d *appsv1.Deployment) { d.OwnerReferences = nil }, want: false,
		},
		"another owner reference added by someone": {
			desired: deployment(),
			drift: func(d *appsv1.Deployment) {
				d.OwnerReferences = append([]metav1.OwnerReference{{APIVersion: "v1", Kind: "X", Name: "x", UID: "x"}}, d.OwnerReferences...)
			},
			want: true,
		},
		"an HPA scaled the Deployment the operator leaves replicas to": {
			desired: deployment(), drift: func(d *appsv1.Deployment) { d.Spec.Replicas = ptr.To[int32](4) }, want: true,
		},
		"the operator owns replicas and someone scaled": {
			desired: deployment(func(d *appsv1.Deployment) { d.Spec.Replicas = ptr.To[int32](2) }),
			drift:   func(d *appsv1.Deployment) { d.Spec.Replicas = ptr.To[int32](4) },
			want:    false,
		},
		"annotation added by someone": {
			desired: deployment(),
			drift:   func(d *appsv1.Deployment) { d.Annotations["deployment.kubernetes.io/revision"] = "3" },
			want:    true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ref := owner
			if tc.noOwner {
				ref = nil
			}
			desired, err := Prepare(tc.desired, ref)
			if err != nil {
				t.Fatal(err)
			}
			applied := desired
			if tc.applied != nil {
				if applied, err = Prepare(tc.applied, ref); err != nil {
					t.Fatal(err)
				}
			}
			live := liveFrom(t, applied, tc.drift)
			if got := UpToDate(desired, live); got != tc.want {
				t.Errorf("UpToDate = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestUpToDateNil(t *testing.T) {
	d, err := Prepare(deployment(), owner)
	if err != nil {
		t.Fatal(err)
	}
	if UpToDate(d, nil) || UpToDate(nil, d) {
		t.Error("a missing object is never up to date")
	}
	noHash := d.DeepCopy()
	noHash.SetAnnotations(nil)
	if UpToDate(noHash, d) {
		t.Error("a desired object without a hash (not from Prepare) must be applied")
	}
}
