package apps

import (
	"context"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
	"github.com/threescale-oss/operator/pkg/apimanager/apply"
	"github.com/threescale-oss/operator/pkg/apimanager/inputs"
	"github.com/threescale-oss/operator/pkg/apimanager/render"
)

type allAPIs struct{}

func (allAPIs) Detect() (inputs.APIs, error) {
	return inputs.APIs{PodMonitors: true, PrometheusRules: true, GrafanaDashboards: true}, nil
}

// BenchmarkSteadyStateReconcile measures the CPU work of a reconcile that finds nothing to do, with
// monitoring on (the largest object set): gather from an in-memory client, render, prepare, and
// compare every object with itself as the live one. API round trips are not included (see the
// integration suite's resync report).
func BenchmarkSteadyStateReconcile(b *testing.B) {
	ctx := context.Background()
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		b.Fatal(err)
	}
	apim := &appsv1alpha1.APIManager{
		ObjectMeta: metav1.ObjectMeta{Name: "example", Namespace: "threescale", UID: "uid-1"},
		Spec: appsv1alpha1.APIManagerSpec{WildcardDomain: "example.com",
			Monitoring: &appsv1alpha1.MonitoringSpec{Enabled: true}},
	}
	g := &inputs.Gatherer{Reader: fake.NewClientBuilder().WithScheme(scheme).Build(), APIs: allAPIs{}}
	r := &APIManagerReconciler{Scheme: scheme}
	var objects int
	b.ReportAllocs()
	for b.Loop() {
		gathered, err := g.Gather(ctx, apim)
		if err != nil {
			b.Fatal(err)
		}
		rendered := render.All(gathered.Inputs)
		_ = inputs.MissingSecrets(inputs.SecretReferences(rendered), gathered.Inputs.Secrets)
		desired, err := r.prepare(apim, rendered, gathered.SecretVersions)
		if err != nil {
			b.Fatal(err)
		}
		for _, u := range desired {
			if !apply.UpToDate(u, u) {
				b.Fatalf("%s is not up to date with itself", apply.KeyOf(u))
			}
		}
		objects = len(desired)
	}
	b.ReportMetric(float64(objects), "objects")
}
