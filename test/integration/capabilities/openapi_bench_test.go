package capabilities_test

import (
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/controllers/capabilities"
	"github.com/threescale-oss/operator/pkg/threescale/inmemory"
)

// benchOperations is the size of the document of BenchmarkOpenAPI: 25 paths of 2 operations.
const benchOperations = 50

// benchDocument returns a document of n operations (n/2 paths, GET and DELETE each), plus extra.
func benchDocument(n int, extra ...string) string {
	var ops []string
	for i := range n / 2 {
		ops = append(ops, fmt.Sprintf("get /things%d/{id} getThing%d", i, i), fmt.Sprintf("delete /things%d/{id} deleteThing%d", i, i))
	}
	return petstore("Bench", append(ops, extra...)...)
}

// BenchmarkOpenAPI measures what an OpenAPI object of 50 operations costs 3scale (each call
// answered after 20 ms): from empty to Ready, a re-read of the unchanged document, one operation
// added.
//
//	KUBEBUILDER_ASSETS=... go test ./test/integration/capabilities/ -run '^$' -bench BenchmarkOpenAPI -benchtime 1x
func BenchmarkOpenAPI(b *testing.B) {
	setup := func(b *testing.B) (*harness, *corev1.Secret, *capabilitiesv1beta1.OpenAPI) {
		h := newHarness(b, inmemory.WithLatency(benchLatency))
		h.pollInterval = time.Hour
		h.setups = append(h.setups, capabilities.SetupOpenAPI)
		h.startManager()
		s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "bench-doc"}, StringData: map[string]string{"doc.yaml": benchDocument(benchOperations)}}
		o := &capabilitiesv1beta1.OpenAPI{ObjectMeta: metav1.ObjectMeta{Name: "bench"},
			Spec: capabilitiesv1beta1.OpenAPISpec{OpenAPIRef: capabilitiesv1beta1.OpenAPIRefSpec{SecretRef: &corev1.ObjectReference{Name: s.Name}}}}
		return h, s, o
	}
	ready := func(h *harness, o *capabilitiesv1beta1.OpenAPI) {
		h.waitCondition(o, openAPIConditions(o), capabilitiesv1beta1.OpenAPIReadyConditionType, metav1.ConditionTrue, capabilitiesv1beta1.OpenAPIReadyReason)
	}
	b.Run("FromEmptyToReady", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			h, s, o := setup(b)
			h.srv.ResetCalls()
			b.StartTimer()
			h.create(s)
			h.create(o)
			ready(h, o)
			b.StopTimer()
			report(b, h.srv.Calls())
		}
	})
	b.Run("UnchangedDocument", func(b *testing.B) {
		h, s, o := setup(b)
		h.create(s)
		h.create(o)
		ready(h, o)
		e := &benchEnv{harness: h}
		e.settle()
		b.ResetTimer()
		for i := range b.N {
			h.srv.ResetCalls()
			h.update(s, func() { s.Labels = map[string]string{"touch": fmt.Sprint(i)} })
			b.StopTimer()
			e.settle()
			report(b, h.srv.Calls())
			if w := h.writes(); len(w) != 0 {
				b.Errorf("an unchanged document wrote to 3scale: %q", w)
			}
			b.StartTimer()
		}
	})
	b.Run("OneOperationAdded", func(b *testing.B) {
		h, s, o := setup(b)
		h.create(s)
		h.create(o)
		ready(h, o)
		e := &benchEnv{harness: h}
		e.settle()
		b.ResetTimer()
		for i := range b.N {
			h.srv.ResetCalls()
			op := fmt.Sprintf("post /added%d addThing%d", i, i)
			h.update(s, func() { s.StringData = map[string]string{"doc.yaml": benchDocument(benchOperations, op)} })
			h.waitThreescale("the added operation in 3scale", func() (remote, error) {
				r, err := h.productInThreescale("Bench")
				if err == nil && len(r.Rules) != benchOperations+1 {
					return r, fmt.Errorf("%d rules", len(r.Rules))
				}
				return remote{}, err
			}, remote{})
			b.StopTimer()
			e.settle()
			report(b, h.srv.Calls())
			if w := h.writes(); len(w) != 2 {
				b.Errorf("one operation added took %d writes, want 2 (a method, a mapping rule): %q", len(w), w)
			}
			b.StartTimer()
		}
	})
}
