package capabilities_test

import (
	"fmt"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/external"
)

// TestManyObjectsAtOnce: 50 Backends and 50 Products with distinct names, and 2 more Products
// with one system name, created at once (as `kubectl apply -f dir/` does). Their crash-safe
// lookups share the lists of the tenant's collections: a handful of lists of each collection,
// not one per object. Nothing is created twice: 50 backends and 51 products in 3scale, and of
// the two Products naming one system name, one is Synced and the other says it cannot have it.
func TestManyObjectsAtOnce(t *testing.T) {
	const n = 50
	h := newHarness(t)
	h.startManager()
	h.srv.ResetCalls()
	var backends []*capabilitiesv1beta1.Backend
	var products []*capabilitiesv1beta1.Product
	for i := range n {
		b := newBackend(fmt.Sprintf("many-b%d", i))
		backends = append(backends, b)
		p := newProduct(fmt.Sprintf("many-p%d", i))
		p.Spec.BackendUsages = map[string]capabilitiesv1beta1.BackendUsageSpec{b.Spec.SystemName: {Path: "/"}}
		products = append(products, p)
	}
	twinA, twinB := newProduct("twin-a"), newProduct("twin-b")
	twinA.Spec.SystemName, twinB.Spec.SystemName = "twin", "twin"
	for i := range n {
		h.create(backends[i])
		h.create(products[i])
	}
	h.create(twinA)
	h.create(twinB)
	for i := range n {
		h.waitSynced(backends[i])
		h.waitProductSynced(products[i])
	}
	h.eventually("one twin Synced, the other refused", func() error {
		var synced, refused int
		for _, p := range []*capabilitiesv1beta1.Product{twinA, twinB} {
			if err := h.get(p); err != nil {
				return err
			}
			c, _ := conditionOf(p.Status.Conditions, external.TypeSynced)
			switch {
			case c != nil && c.Status == metav1.ConditionTrue && c.ObservedGeneration == p.Generation:
				synced++
			case c != nil && c.Status == metav1.ConditionFalse:
				refused++
			}
		}
		if synced != 1 || refused != 1 {
			return fmt.Errorf("%d twins Synced, %d refused", synced, refused)
		}
		return nil
	})

	ctx := t.Context()
	bs, err := h.tc.ListBackends(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := h.tc.ListProducts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h.diff("backends in 3scale", n, len(bs))
	h.diff("products in 3scale", n+1, len(ps))
	lists := map[string]int{
		"backends": h.srv.CallCount("GET /admin/api/backend_apis.json"),
		"products": h.srv.CallCount("GET /admin/api/services.json"),
	}
	t.Logf("lists of each collection for %d objects of each kind created at once: %v", n, lists)
	for what, count := range lists {
		if count > 10 {
			t.Errorf("%d lists of the %s for %d objects created at once, want a handful", count, what, n)
		}
	}
}
