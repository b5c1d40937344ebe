package openapi

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/external"
)

func TestRender(t *testing.T) {
	res := Result{
		Backend: capabilitiesv1beta1.BackendSpec{Name: "B", PrivateBaseURL: "https://b"},
		Product: capabilitiesv1beta1.ProductSpec{Name: "P"},
	}
	o := &capabilitiesv1beta1.OpenAPI{ObjectMeta: metav1.ObjectMeta{Name: "pets", Namespace: "ns", Annotations: map[string]string{
		external.DeletionPolicyAnnotation: external.DeletionPolicyOrphan,
		external.PollIntervalAnnotation:   "1m",
		"unrelated":                       "x",
	}}}
	b, p := Render(o, res)
	wantMeta := metav1.ObjectMeta{Name: "pets", Namespace: "ns",
		Labels:      map[string]string{OpenAPILabel: "pets", managedByLabel: managedBy},
		Annotations: map[string]string{external.DeletionPolicyAnnotation: external.DeletionPolicyOrphan, external.PollIntervalAnnotation: "1m"}}
	if p == nil {
		t.Fatal("no Product")
	}
	if d := cmp.Diff(wantMeta, b.ObjectMeta); d != "" {
		t.Errorf("Backend metadata (-want +got):\n%s", d)
	}
	if d := cmp.Diff(wantMeta, p.ObjectMeta); d != "" {
		t.Errorf("Product metadata (-want +got):\n%s", d)
	}
	if b.Kind != capabilitiesv1beta1.BackendKind || p.Kind != capabilitiesv1beta1.ProductKind || b.APIVersion != "capabilities.3scale.net/v1beta1" {
		t.Errorf("type meta: %+v %+v", b.TypeMeta, p.TypeMeta)
	}
	if b.Spec.Name != "B" || p.Spec.Name != "P" {
		t.Errorf("specs: %+v %+v", b.Spec, p.Spec)
	}

	o.Spec.BackendOnly = true
	if _, p := Render(o, res); p != nil {
		t.Errorf("backendOnly rendered a Product: %+v", p)
	}
}

// TestCopiedAnnotationsAreTheLoops: the annotations copied are those the Product and Backend
// controllers read.
func TestCopiedAnnotationsAreTheLoops(t *testing.T) {
	want := []string{external.DeletionPolicyAnnotation, external.PollIntervalAnnotation, external.InsecureSkipVerifyAnnotation}
	if d := cmp.Diff(want, CopiedAnnotations); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
