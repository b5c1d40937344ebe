package apply

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestPrepare(t *testing.T) {
	d := deployment()
	u, err := Prepare(d, owner)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := u.Object["status"]; ok {
		t.Error("status must not be applied")
	}
	if _, ok := u.Object["metadata"].(map[string]any)["creationTimestamp"]; ok {
		t.Error("null creationTimestamp must be dropped, or the operator would own it")
	}
	tmpl := u.Object["spec"].(map[string]any)["template"].(map[string]any)["metadata"].(map[string]any)
	if _, ok := tmpl["creationTimestamp"]; ok {
		t.Error("nested nulls must be dropped too")
	}
	if diff := cmp.Diff([]metav1.OwnerReference{*owner}, u.GetOwnerReferences()); diff != "" {
		t.Errorf("owner references (-want +got):\n%s", diff)
	}
	if u.GetAnnotations()[AppliedHashAnnotation] == "" {
		t.Error("no applied hash")
	}
	if d.Annotations != nil {
		t.Error("Prepare must not modify the rendered object")
	}

	again, err := Prepare(deployment(), owner)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(u.Object, again.Object); diff != "" {
		t.Errorf("Prepare is not deterministic (-first +second):\n%s", diff)
	}
}

func TestPrepareHash(t *testing.T) {
	hash := func(t *testing.T, mutate func(*corev1.Secret), ref *metav1.OwnerReference) string {
		t.Helper()
		s := &corev1.Secret{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
			ObjectMeta: metav1.ObjectMeta{Name: "system-seed", Namespace: "ns"},
			Data:       map[string][]byte{"A": []byte("1")},
		}
		if mutate != nil {
			mutate(s)
		}
		u, err := Prepare(s, ref)
		if err != nil {
			t.Fatal(err)
		}
		if rv := u.GetResourceVersion(); rv != s.ResourceVersion {
			t.Errorf("resourceVersion = %q, want the precondition %q kept", rv, s.ResourceVersion)
		}
		return u.GetAnnotations()[AppliedHashAnnotation]
	}
	base := hash(t, nil, owner)
	cases := map[string]struct {
		mutate   func(*corev1.Secret)
		ref      *metav1.OwnerReference
		sameHash bool
	}{
		"resourceVersion is a precondition, not content": {
			mutate: func(s *corev1.Secret) { s.ResourceVersion = "7" }, ref: owner, sameHash: true,
		},
		"a stale hash annotation is ignored": {
			mutate:   func(s *corev1.Secret) { s.Annotations = map[string]string{AppliedHashAnnotation: "old"} },
			ref:      owner,
			sameHash: true,
		},
		"data changed":            {mutate: func(s *corev1.Secret) { s.Data["A"] = []byte("2") }, ref: owner},
		"key added":               {mutate: func(s *corev1.Secret) { s.Data["B"] = []byte("") }, ref: owner},
		"owner reference dropped": {ref: nil},
		"label added":             {mutate: func(s *corev1.Secret) { s.Labels = map[string]string{"a": "b"} }, ref: owner},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := hash(t, tc.mutate, tc.ref)
			if (got == base) != tc.sameHash {
				t.Errorf("hash equal to the base: %v, want %v", got == base, tc.sameHash)
			}
		})
	}
}

func TestPrepareRejects(t *testing.T) {
	if _, err := Prepare(nil, nil); err == nil {
		t.Error("nil object accepted")
	}
	if _, err := Prepare(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "x"}}, nil); err == nil {
		t.Error("object without apiVersion and kind accepted")
	}
}
