package capabilities_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/controllers/capabilities"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// petsYAML is the document of the ActiveDoc tests; petsJSON is the same document as compact
// JSON, keys in another order.
const petsYAML = `openapi: 3.0.0
info:
  title: Pets
  version: 1.0.0
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        "200":
          description: the pets
`

const petsJSON = `{"paths":{"/pets":{"get":{"responses":{"200":{"description":"the pets"}},"operationId":"listPets"}}},"info":{"version":"1.0.0","title":"Pets"},"openapi":"3.0.0"}`

// newActiveDoc returns an ActiveDoc whose document is the Secret secret, bound to productSystemName
// (none when empty).
func newActiveDoc(name, secret, productSystemName string) *capabilitiesv1beta1.ActiveDoc {
	a := &capabilitiesv1beta1.ActiveDoc{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: capabilitiesv1beta1.ActiveDocSpec{
			Name:                "Pets API",
			SystemName:          ptr(name),
			Description:         ptr("All the pets"),
			Published:           ptr(true),
			ActiveDocOpenAPIRef: capabilitiesv1beta1.OpenAPIRefSpec{SecretRef: &corev1.ObjectReference{Name: secret}},
		},
	}
	if productSystemName != "" {
		a.Spec.ProductSystemName = ptr(productSystemName)
	}
	return a
}

func docSecret(name, key, content string) *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name}, StringData: map[string]string{key: content}}
}

func activeDocConditions(a *capabilitiesv1beta1.ActiveDoc) func() []metav1.Condition {
	return func() []metav1.Condition { return a.Status.Conditions }
}

// waitActiveDocReady waits until a is Ready for its current generation, with no other condition
// True.
func (h *harness) waitActiveDocReady(a *capabilitiesv1beta1.ActiveDoc) {
	h.t.Helper()
	h.waitCondition(a, activeDocConditions(a), external.TypeReady, metav1.ConditionTrue, "")
	for _, t := range []string{external.TypeInvalid, external.TypeOrphan, external.TypeFailed} {
		if c, desc := conditionOf(a.Status.Conditions, t); c == nil || c.Status != metav1.ConditionFalse {
			h.t.Errorf("Ready ActiveDoc: %s", desc)
		}
	}
}

// activeDocSetups are the controllers the ActiveDoc tests run: Products are bound to.
func (h *harness) withActiveDocs() {
	h.setups = append(h.setups, capabilities.SetupActiveDoc)
}

// remoteDoc reads the ActiveDoc a records from 3scale.
func (h *harness) remoteDoc(a *capabilitiesv1beta1.ActiveDoc) (*threescale.ActiveDoc, error) {
	if err := h.get(a); err != nil {
		return nil, err
	}
	if a.Status.ID == nil {
		return nil, fmt.Errorf("no ID recorded")
	}
	return h.tc.GetActiveDoc(context.Background(), *a.Status.ID)
}

// sameJSON tells whether two JSON texts hold the same data.
func sameJSON(a, b string) bool {
	var x, y any
	return json.Unmarshal([]byte(a), &x) == nil && json.Unmarshal([]byte(b), &y) == nil && reflect.DeepEqual(x, y)
}

// waitPasses waits until the ActiveDoc id has been read n more times: n more passes of its
// controller have run, the last ones after whatever the test changed before calling it.
func (h *harness) waitPasses(id int64, n int) {
	h.t.Helper()
	op := "GET /admin/api/active_docs/{id}.json"
	start := h.srv.CallCount(op)
	h.eventually(fmt.Sprintf("%d more reads of ActiveDoc %d", n, id), func() error {
		if got := h.srv.CallCount(op) - start; got < n {
			return fmt.Errorf("%d reads", got)
		}
		return nil
	})
}

// TestActiveDocLifecycle syncs an ActiveDoc from a YAML Secret bound to a Product, then changes
// its spec, reformats its document (no write), drifts it in 3scale (reverted), unbinds and
// rebinds it, and deletes it.
func TestActiveDocLifecycle(t *testing.T) {
	h := newHarness(t)
	h.withActiveDocs()
	h.startManager()
	p := newProduct("pets")
	h.create(p)
	h.waitProductSynced(p)
	secret := docSecret("pets-doc", "pets.yaml", petsYAML)
	h.create(secret)
	a := newActiveDoc("petsdoc", "pets-doc", "pets")
	h.create(a)
	h.waitActiveDocReady(a)

	got, err := h.remoteDoc(a)
	if err != nil {
		t.Fatal(err)
	}
	if got.SystemName != "petsdoc" || got.Name != "Pets API" || got.Description != "All the pets" || !got.Published ||
		got.ServiceID == nil || *got.ServiceID != *p.Status.ID || !sameJSON(got.Body, petsJSON) {
		t.Errorf("3scale holds %+v", got)
	}
	if a.Status.ProductResourceName == nil || a.Status.ProductResourceName.Name != "pets" || a.Status.ProviderAccountHost != h.tenant.AdminURL {
		t.Errorf("status = %+v", a.Status)
	}
	h.diff("writes to create", 1, h.srv.CallCount("POST /admin/api/active_docs.json"))
	id := *a.Status.ID

	t.Run("Update", func(t *testing.T) {
		h.update(a, func() { a.Spec.Description = ptr("Only some pets"); a.Spec.Published = ptr(false) })
		h.waitActiveDocReady(a)
		got, err := h.remoteDoc(a)
		if err != nil || got.Description != "Only some pets" || got.Published {
			t.Errorf("after update: %+v, %v", got, err)
		}
	})

	t.Run("FormattingOnlyWritesNothing", func(t *testing.T) {
		h.srv.ResetCalls()
		h.update(secret, func() { secret.StringData = nil; secret.Data = map[string][]byte{"pets.json": []byte(petsJSON)} })
		h.waitPasses(id, 2)
		h.diff("writes after reformatting the document", []string(nil), h.writes())
	})

	t.Run("DocumentChange", func(t *testing.T) {
		h.srv.ResetCalls()
		changed := strings.Replace(petsJSON, "listPets", "listAllPets", 1)
		h.update(secret, func() { secret.Data = map[string][]byte{"pets.json": []byte(changed)} })
		h.eventually("new document in 3scale", func() error {
			got, err := h.remoteDoc(a)
			if err != nil || !sameJSON(got.Body, changed) {
				return fmt.Errorf("body %.80q, %v", got.Body, err)
			}
			return nil
		})
		h.waitPasses(id, 2)
		h.diff("writes after changing the document", []string{"PUT /admin/api/active_docs/{id}.json"}, h.writes())
	})

	t.Run("DriftReverted", func(t *testing.T) {
		if _, err := h.tc.UpdateActiveDoc(context.Background(), id, threescale.ActiveDocUpdateParams{
			Name: ptr("renamed by hand"), Published: ptr(true), ServiceID: threescale.Unbound(),
		}); err != nil {
			t.Fatal(err)
		}
		h.eventually("drift reverted", func() error {
			got, err := h.remoteDoc(a)
			if err != nil || got.Name != "Pets API" || got.Published || got.ServiceID == nil {
				return fmt.Errorf("3scale holds %+v, %v", got, err)
			}
			return nil
		})
	})

	t.Run("UnbindAndBind", func(t *testing.T) {
		h.update(a, func() { a.Spec.ProductSystemName = nil })
		h.waitActiveDocReady(a)
		h.eventually("unbound", func() error {
			got, err := h.remoteDoc(a)
			if err != nil || got.ServiceID != nil || a.Status.ProductResourceName != nil {
				return fmt.Errorf("3scale holds service %v (%v), status product %v", got.ServiceID, err, a.Status.ProductResourceName)
			}
			return nil
		})
		h.update(a, func() { a.Spec.ProductSystemName = ptr("pets") })
		h.waitActiveDocReady(a)
		h.eventually("bound", func() error {
			got, err := h.remoteDoc(a)
			if err != nil || got.ServiceID == nil || *got.ServiceID != *p.Status.ID {
				return fmt.Errorf("3scale holds service %v (%v)", got.ServiceID, err)
			}
			return nil
		})
	})

	t.Run("Delete", func(t *testing.T) {
		h.delete(a)
		h.waitGone(a)
		if _, err := h.tc.GetActiveDoc(context.Background(), id); !threescale.IsNotFound(err) {
			t.Errorf("the ActiveDoc is still in 3scale: %v", err)
		}
		h.waitEvent("petsdoc", "Deleted", fmt.Sprint(id))
	})
}

// TestActiveDocWaitsForProduct creates an ActiveDoc before its Product: it is Orphan and writes
// nothing; the Product's sync wakes it (the retry delay is an hour, so only the watch can).
func TestActiveDocWaitsForProduct(t *testing.T) {
	h := newHarness(t)
	h.withActiveDocs()
	h.waitInterval = time.Hour
	h.startManager()
	h.create(docSecret("pets-doc", "doc", petsYAML))
	a := newActiveDoc("petsdoc", "pets-doc", "pets")
	h.create(a)
	c := h.waitCondition(a, activeDocConditions(a), external.TypeOrphan, metav1.ConditionTrue, capabilitiesv1beta1.ActiveDocMissingProductReason)
	if !strings.Contains(c.Message, `"pets"`) {
		t.Errorf("Orphan message %q does not name the product", c.Message)
	}
	h.diff("writes of an orphan ActiveDoc", []string(nil), h.writes())

	p := newProduct("pets")
	h.create(p)
	h.waitProductSynced(p)
	h.waitActiveDocReady(a)
	got, err := h.remoteDoc(a)
	if err != nil || got.ServiceID == nil || *got.ServiceID != *p.Status.ID {
		t.Errorf("3scale holds %+v, %v; want it bound to product %v", got, err, p.Status.ID)
	}
}

// TestActiveDocOrphanDeletionPolicy deletes an ActiveDoc annotated to orphan its 3scale
// ActiveDoc: the object goes, the ActiveDoc stays.
func TestActiveDocOrphanDeletionPolicy(t *testing.T) {
	h := newHarness(t)
	h.withActiveDocs()
	h.startManager()
	h.create(docSecret("pets-doc", "doc", petsJSON))
	a := newActiveDoc("petsdoc", "pets-doc", "")
	a.Annotations = map[string]string{external.DeletionPolicyAnnotation: external.DeletionPolicyOrphan}
	h.create(a)
	h.waitActiveDocReady(a)
	id := *a.Status.ID
	h.delete(a)
	h.waitGone(a)
	if got, err := h.tc.GetActiveDoc(context.Background(), id); err != nil || got.SystemName != "petsdoc" {
		t.Errorf("the orphaned ActiveDoc: %+v, %v; want it left in 3scale", got, err)
	}
}

// TestActiveDocInvalid refuses a Secret with several values before calling 3scale, naming its
// keys; fixing the Secret syncs the ActiveDoc through the Secret watch.
func TestActiveDocInvalid(t *testing.T) {
	h := newHarness(t)
	h.withActiveDocs()
	h.startManager()
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "pets-doc"}, StringData: map[string]string{"a.yaml": petsYAML, "b.json": petsJSON}}
	h.create(secret)
	a := newActiveDoc("petsdoc", "pets-doc", "")
	h.create(a)
	c := h.waitCondition(a, activeDocConditions(a), external.TypeInvalid, metav1.ConditionTrue, external.ReasonInvalidSpec)
	if !strings.Contains(c.Message, "a.yaml, b.json") {
		t.Errorf("Invalid message %q does not list the keys", c.Message)
	}
	h.diff("writes of an invalid ActiveDoc", []string(nil), h.writes())
	h.update(secret, func() { secret.StringData = nil; secret.Data = map[string][]byte{"b.json": []byte(petsJSON)} })
	h.waitActiveDocReady(a)
}

// activeDocServer serves one document with an ETag, answers conditional requests, and counts what it
// answered.
type activeDocServer struct {
	mu                sync.Mutex
	body              string
	full, notModified int
}

func (d *activeDocServer) set(body string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.body = body
}

func (d *activeDocServer) counts() (full, notModified int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.full, d.notModified
}

func (d *activeDocServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	defer d.mu.Unlock()
	etag := fmt.Sprintf(`"%d-%d"`, len(d.body), strings.Count(d.body, "a"))
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		d.notModified++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	d.full++
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write([]byte(d.body))
}

// TestActiveDocFromURL syncs an ActiveDoc whose document is served by a loopback server: every
// poll re-reads it with a conditional request (a 304, and no 3scale write), and a changed
// document reaches 3scale with one write.
func TestActiveDocFromURL(t *testing.T) {
	h := newHarness(t)
	h.withActiveDocs()
	docs := &activeDocServer{body: petsYAML}
	srv := httptest.NewServer(docs)
	defer srv.Close()
	h.startManager()
	a := newActiveDoc("petsdoc", "", "")
	a.Spec.ActiveDocOpenAPIRef = capabilitiesv1beta1.OpenAPIRefSpec{URL: ptr(srv.URL + "/pets.yaml")}
	h.create(a)
	h.waitActiveDocReady(a)
	id := *a.Status.ID

	h.srv.ResetCalls()
	h.waitPasses(id, 3)
	full, notModified := docs.counts()
	if full != 1 || notModified < 2 {
		t.Errorf("the document server answered %d full and %d not-modified requests, want 1 and at least 2", full, notModified)
	}
	h.diff("writes of polls of an unchanged document", []string(nil), h.writes())

	changed := strings.Replace(petsYAML, "listPets", "listAllPets", 1)
	docs.set(changed)
	h.eventually("new document in 3scale", func() error {
		got, err := h.remoteDoc(a)
		if err != nil || !strings.Contains(got.Body, "listAllPets") {
			return fmt.Errorf("3scale holds %.80q, %v", got.Body, err)
		}
		return nil
	})
	h.waitPasses(id, 2)
	h.diff("writes after the document changed", []string{"PUT /admin/api/active_docs/{id}.json"}, h.writes())
}
