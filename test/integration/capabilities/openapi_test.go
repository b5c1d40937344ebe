package capabilities_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
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

// petstore returns an OpenAPI 3.0 document titled title, with the operations ops ("verb path
// operationId" each).
func petstore(title string, ops ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "openapi: 3.0.3\ninfo:\n  title: %s\n  version: '1'\nservers:\n  - url: https://petstore.example.com/v1\npaths:\n", title)
	byPath := map[string][]string{}
	var paths []string
	for _, op := range ops {
		f := strings.Fields(op)
		if _, ok := byPath[f[1]]; !ok {
			paths = append(paths, f[1])
		}
		byPath[f[1]] = append(byPath[f[1]], op)
	}
	for _, p := range paths {
		fmt.Fprintf(&b, "  %s:\n", p)
		for _, op := range byPath[p] {
			f := strings.Fields(op)
			fmt.Fprintf(&b, "    %s:\n      operationId: %s\n", f[0], f[2])
			if strings.Contains(p, "{id}") {
				b.WriteString("      parameters:\n        - {name: id, in: path, required: true, schema: {type: string}}\n")
			}
			b.WriteString("      responses:\n        '200':\n          description: ok\n")
		}
	}
	return b.String()
}

func newOpenAPIHarness(t *testing.T) *harness {
	h := newHarness(t)
	h.setups = append(h.setups, capabilities.SetupOpenAPI)
	return h
}

func openAPIConditions(o *capabilitiesv1beta1.OpenAPI) func() []metav1.Condition {
	return func() []metav1.Condition { return o.Status.Conditions }
}

// remote is what 3scale holds for a product or backend: methods (system name) and rules
// ("VERB pattern -> method"), sorted.
type remote struct {
	Methods []string
	Rules   []string
}

// productInThreescale reads the methods and mapping rules of the product systemName.
func (h *harness) productInThreescale(systemName string) (remote, error) {
	ctx := context.Background()
	products, err := h.tc.ListProducts(ctx)
	if err != nil {
		return remote{}, err
	}
	for _, p := range products {
		if p.SystemName != systemName {
			continue
		}
		metrics, err := h.tc.ListProductMetrics(ctx, p.ID)
		if err != nil {
			return remote{}, err
		}
		rules, err := h.tc.ListProductMappingRules(ctx, p.ID)
		if err != nil {
			return remote{}, err
		}
		return describeRemote(metrics, rules), nil
	}
	return remote{}, fmt.Errorf("no product %q in 3scale", systemName)
}

// backendInThreescale reads the methods and mapping rules of the backend systemName.
func (h *harness) backendInThreescale(systemName string) (remote, error) {
	ctx := context.Background()
	backends, err := h.tc.ListBackends(ctx)
	if err != nil {
		return remote{}, err
	}
	for _, b := range backends {
		if b.SystemName != systemName {
			continue
		}
		metrics, err := h.tc.ListBackendMetrics(ctx, b.ID)
		if err != nil {
			return remote{}, err
		}
		rules, err := h.tc.ListBackendMappingRules(ctx, b.ID)
		if err != nil {
			return remote{}, err
		}
		return describeRemote(metrics, rules), nil
	}
	return remote{}, fmt.Errorf("no backend %q in 3scale", systemName)
}

func describeRemote(metrics []threescale.Metric, rules []threescale.MappingRule) remote {
	var out remote
	names := map[int64]string{}
	for _, m := range metrics {
		// Backend metrics' system names carry ".<backend id>" in 3scale.
		name, _, _ := strings.Cut(m.SystemName, ".")
		names[m.ID] = name
		if name != "hits" {
			out.Methods = append(out.Methods, name)
		}
	}
	for _, r := range rules {
		out.Rules = append(out.Rules, fmt.Sprintf("%s %s -> %s", r.HTTPMethod, r.Pattern, names[r.MetricID]))
	}
	slices.Sort(out.Methods)
	slices.Sort(out.Rules)
	return out
}

// waitRemote waits until read returns want.
func (h *harness) waitThreescale(what string, read func() (remote, error), want remote) {
	h.t.Helper()
	h.eventually(what, func() error {
		got, err := read()
		if err != nil {
			return err
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("got %+v, want %+v", got, want)
		}
		return nil
	})
}

// TestOpenAPIFromSecret: a document in a Secret becomes a Product and a Backend that reach 3scale
// with the document's methods and rules; a change of the document costs 3scale only the writes it
// needs; re-reading an unchanged document costs none; deletion removes everything.
func TestOpenAPIFromSecret(t *testing.T) {
	h := newOpenAPIHarness(t)
	h.startManager()
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "petstore-doc"},
		StringData: map[string]string{"petstore.yaml": petstore("Petstore", "get /pets listPets", "post /pets createPet", "get /pets/{id} showPetById")}}
	h.create(secret)
	o := &capabilitiesv1beta1.OpenAPI{ObjectMeta: metav1.ObjectMeta{Name: "petstore", Annotations: map[string]string{external.DeletionPolicyAnnotation: external.DeletionPolicyDelete}},
		Spec: capabilitiesv1beta1.OpenAPISpec{OpenAPIRef: capabilitiesv1beta1.OpenAPIRefSpec{SecretRef: &corev1.ObjectReference{Name: secret.Name}}}}
	h.create(o)
	start := time.Now()
	h.waitCondition(o, openAPIConditions(o), capabilitiesv1beta1.OpenAPIReadyConditionType, metav1.ConditionTrue, capabilitiesv1beta1.OpenAPIReadyReason)
	t.Logf("Ready after %v, %d calls to 3scale (%d writes)", time.Since(start).Round(time.Millisecond), len(h.srv.Calls()), len(h.writes()))

	if o.Status.ProductResourceName == nil || o.Status.ProductResourceName.Name != "petstore" ||
		len(o.Status.BackendResourceNames) != 1 || o.Status.BackendResourceNames[0].Name != "petstore" || o.Status.ObservedGeneration != o.Generation {
		t.Errorf("status: %+v", o.Status)
	}
	p := &capabilitiesv1beta1.Product{ObjectMeta: metav1.ObjectMeta{Name: "petstore", Namespace: h.ns}}
	b := &capabilitiesv1beta1.Backend{ObjectMeta: metav1.ObjectMeta{Name: "petstore", Namespace: h.ns}}
	if err := h.get(p); err != nil {
		t.Fatal(err)
	}
	if err := h.get(b); err != nil {
		t.Fatal(err)
	}
	for _, obj := range []metav1.Object{p, b} {
		if ref := metav1.GetControllerOf(obj); ref == nil || ref.UID != o.UID || ref.Kind != "OpenAPI" {
			t.Errorf("%s: controller reference %+v, want the OpenAPI", obj.GetName(), ref)
		}
		if obj.GetAnnotations()[external.DeletionPolicyAnnotation] != external.DeletionPolicyDelete {
			t.Errorf("%s: the deletion policy annotation is not copied: %v", obj.GetName(), obj.GetAnnotations())
		}
	}
	h.waitThreescale("product in 3scale", func() (remote, error) { return h.productInThreescale("Petstore") }, remote{
		Methods: []string{"createpet", "listpets", "showpetbyid"},
		Rules:   []string{"GET /v1/pets$ -> listpets", "GET /v1/pets/{id}$ -> showpetbyid", "POST /v1/pets$ -> createpet"},
	})

	// A new operation: one method and one mapping rule more, nothing else.
	h.srv.ResetCalls()
	productGen := p.Generation
	h.update(secret, func() {
		secret.StringData = map[string]string{"petstore.yaml": petstore("Petstore", "get /pets listPets", "post /pets createPet", "get /pets/{id} showPetById", "delete /pets/{id} deletePet")}
	})
	h.waitThreescale("the new operation in 3scale", func() (remote, error) { return h.productInThreescale("Petstore") }, remote{
		Methods: []string{"createpet", "deletepet", "listpets", "showpetbyid"},
		Rules:   []string{"DELETE /v1/pets/{id}$ -> deletepet", "GET /v1/pets$ -> listpets", "GET /v1/pets/{id}$ -> showpetbyid", "POST /v1/pets$ -> createpet"},
	})
	h.eventually("the product synced for its new generation", func() error {
		if err := h.get(p); err != nil {
			return err
		}
		if p.Generation == productGen || p.Status.ObservedGeneration != p.Generation {
			return fmt.Errorf("generation %d, observed %d", p.Generation, p.Status.ObservedGeneration)
		}
		return nil
	})
	h.waitCondition(o, openAPIConditions(o), capabilitiesv1beta1.OpenAPIReadyConditionType, metav1.ConditionTrue, capabilitiesv1beta1.OpenAPIReadyReason)
	writes := h.writes()
	t.Logf("one operation added: %d calls, writes %q", len(h.srv.Calls()), writes)
	for _, w := range writes {
		if !strings.Contains(w, "method") && !strings.Contains(w, "mapping_rule") && !strings.Contains(w, "proxy_rule") {
			t.Errorf("a write the change does not need: %s", w)
		}
	}
	if len(writes) == 0 || len(writes) > 2 {
		t.Errorf("one operation added: %d writes %q, want a method and a mapping rule", len(writes), writes)
	}

	// The same document again (the Secret changes, its document does not): nothing is written,
	// neither to the cluster's Product nor to 3scale.
	h.srv.ResetCalls()
	productGen = p.Generation
	h.update(secret, func() { secret.Labels = map[string]string{"touched": "yes"} })
	time.Sleep(3 * time.Second) // the Secret event, the OpenAPI's pass and a poll of the Product
	if err := h.get(p); err != nil {
		t.Fatal(err)
	}
	if p.Generation != productGen {
		t.Errorf("the unchanged document changed the Product: generation %d, was %d", p.Generation, productGen)
	}
	if w := h.writes(); len(w) != 0 {
		t.Errorf("the unchanged document wrote to 3scale: %q", w)
	}

	// Deleting the OpenAPI deletes the Product and the Backend, and their 3scale entities.
	h.delete(o)
	h.waitGone(o)
	h.waitGone(p)
	h.waitGone(b)
	products, _ := h.tc.ListProducts(context.Background())
	backends, _ := h.tc.ListBackends(context.Background())
	for _, x := range products {
		if x.SystemName == "Petstore" {
			t.Errorf("product %q left in 3scale", x.SystemName)
		}
	}
	for _, x := range backends {
		if x.SystemName == "Petstore" {
			t.Errorf("backend %q left in 3scale", x.SystemName)
		}
	}
}

// docServer serves a document that the test may change, with an ETag, as a web server would.
type docServer struct {
	mu   sync.Mutex
	doc  string
	gets int
	// down makes it answer 503.
	down bool
}

func (d *docServer) setDown(down bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.down = down
}

func (d *docServer) set(doc string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.doc = doc
}

func (d *docServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.gets++
	if d.down {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	}
	etag := fmt.Sprintf("%q", fmt.Sprint(len(d.doc), hashString(d.doc)))
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write([]byte(d.doc))
}

func hashString(s string) uint32 {
	var h uint32 = 2166136261
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}

// TestOpenAPIFromURL: a document at a URL (a loopback server) becomes a Product in 3scale, and a
// change of the document reaches 3scale at the next poll.
func TestOpenAPIFromURL(t *testing.T) {
	h := newOpenAPIHarness(t)
	ds := &docServer{doc: petstore("Petstore URL", "get /pets listPets")}
	srv := httptest.NewServer(ds)
	t.Cleanup(srv.Close)
	h.startManager()
	url := srv.URL + "/petstore.yaml"
	o := &capabilitiesv1beta1.OpenAPI{ObjectMeta: metav1.ObjectMeta{Name: "from-url"},
		Spec: capabilitiesv1beta1.OpenAPISpec{OpenAPIRef: capabilitiesv1beta1.OpenAPIRefSpec{URL: &url}, ProductSystemName: ptrTo("petstore_url")}}
	h.create(o)
	h.waitCondition(o, openAPIConditions(o), capabilitiesv1beta1.OpenAPIReadyConditionType, metav1.ConditionTrue, capabilitiesv1beta1.OpenAPIReadyReason)
	h.waitThreescale("product in 3scale", func() (remote, error) { return h.productInThreescale("petstore_url") }, remote{
		Methods: []string{"listpets"}, Rules: []string{"GET /v1/pets$ -> listpets"},
	})
	ds.set(petstore("Petstore URL", "get /pets listPets", "get /pets/{id} showPetById"))
	h.waitThreescale("the changed document in 3scale", func() (remote, error) { return h.productInThreescale("petstore_url") }, remote{
		Methods: []string{"listpets", "showpetbyid"}, Rules: []string{"GET /v1/pets$ -> listpets", "GET /v1/pets/{id}$ -> showpetbyid"},
	})

	// The server goes down: the object stays Ready (the generated objects serve the last
	// document) and says in Failed why the document is not re-read; it recovers by itself.
	h.waitProductSynced(&capabilitiesv1beta1.Product{ObjectMeta: metav1.ObjectMeta{Name: "from-url", Namespace: h.ns}})
	h.waitCondition(o, openAPIConditions(o), capabilitiesv1beta1.OpenAPIReadyConditionType, metav1.ConditionTrue, capabilitiesv1beta1.OpenAPIReadyReason)
	ds.setDown(true)
	c := h.waitCondition(o, openAPIConditions(o), capabilitiesv1beta1.OpenAPIFailedConditionType, metav1.ConditionTrue, capabilitiesv1beta1.OpenAPIFetchErrorReason)
	t.Logf("Failed: %s", c.Message)
	if r, desc := conditionOf(o.Status.Conditions, capabilitiesv1beta1.OpenAPIReadyConditionType); r == nil || r.Status != metav1.ConditionTrue {
		t.Errorf("a document server down turned Ready: %s", desc)
	}
	ds.setDown(false)
	h.waitCondition(o, openAPIConditions(o), capabilitiesv1beta1.OpenAPIFailedConditionType, metav1.ConditionFalse, "")
	h.delete(o)
	h.waitGone(o)
}

func ptrTo[T any](v T) *T { return &v }

// TestOpenAPIBackendOnly: two documents in backendOnly mode give two Backends, which one Product
// written by the user composes.
func TestOpenAPIBackendOnly(t *testing.T) {
	h := newOpenAPIHarness(t)
	h.startManager()
	for _, d := range []struct{ name, doc string }{
		{"pets", petstore("Pets", "get /pets listPets", "post /pets createPet")},
		{"stores", petstore("Stores", "get /stores listStores")},
	} {
		h.create(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: d.name + "-doc"}, StringData: map[string]string{"doc.yaml": d.doc}})
		h.create(&capabilitiesv1beta1.OpenAPI{ObjectMeta: metav1.ObjectMeta{Name: d.name},
			Spec: capabilitiesv1beta1.OpenAPISpec{BackendOnly: true, OpenAPIRef: capabilitiesv1beta1.OpenAPIRefSpec{SecretRef: &corev1.ObjectReference{Name: d.name + "-doc"}}}})
	}
	p := &capabilitiesv1beta1.Product{ObjectMeta: metav1.ObjectMeta{Name: "shop"}, Spec: capabilitiesv1beta1.ProductSpec{
		Name: "Shop",
		BackendUsages: map[string]capabilitiesv1beta1.BackendUsageSpec{
			"Pets": {Path: "/pets-api"}, "Stores": {Path: "/stores-api"},
		},
	}}
	h.create(p)
	h.waitProductSynced(p)
	for _, name := range []string{"pets", "stores"} {
		o := &capabilitiesv1beta1.OpenAPI{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: h.ns}}
		h.waitCondition(o, openAPIConditions(o), capabilitiesv1beta1.OpenAPIReadyConditionType, metav1.ConditionTrue, capabilitiesv1beta1.OpenAPIReadyReason)
		if o.Status.ProductResourceName != nil {
			t.Errorf("%s: backendOnly generated a Product: %+v", name, o.Status.ProductResourceName)
		}
		var products capabilitiesv1beta1.ProductList
		if err := k8s.List(context.Background(), &products); err != nil {
			t.Fatal(err)
		}
		for _, x := range products.Items {
			if x.Namespace == h.ns && x.Name != "shop" {
				t.Errorf("backendOnly generated Product %s", x.Name)
			}
		}
	}
	h.waitThreescale("backend Pets", func() (remote, error) { return h.backendInThreescale("Pets") }, remote{
		Methods: []string{"createpet", "listpets"}, Rules: []string{"GET /v1/pets$ -> listpets", "POST /v1/pets$ -> createpet"},
	})
	h.waitThreescale("backend Stores", func() (remote, error) { return h.backendInThreescale("Stores") }, remote{
		Methods: []string{"liststores"}, Rules: []string{"GET /v1/stores$ -> liststores"},
	})
	usages, err := h.productUsages("Shop")
	if err != nil {
		t.Fatal(err)
	}
	h.diff("backend usages of the composed product", []string{"/pets-api", "/stores-api"}, usages)

	// Deleting an OpenAPI object whose Backend the Product still uses waits, and says so, until
	// the Product stops using it.
	pets := &capabilitiesv1beta1.OpenAPI{ObjectMeta: metav1.ObjectMeta{Name: "pets", Namespace: h.ns}}
	h.delete(pets)
	h.eventually("the deletion waits for the Product", func() error {
		if err := h.get(pets); err != nil {
			return err
		}
		c, desc := conditionOf(pets.Status.Conditions, capabilitiesv1beta1.OpenAPIReadyConditionType)
		if c == nil || c.Reason != "Deleting" || !strings.Contains(c.Message, "Backend pets") {
			return fmt.Errorf("%s", desc)
		}
		t.Logf("deleting: %s", c.Message)
		return nil
	})
	h.update(p, func() { delete(p.Spec.BackendUsages, "Pets") })
	h.waitGone(pets)
	if _, err := h.backendInThreescale("Pets"); err == nil {
		t.Error("backend Pets is still in 3scale")
	}
}

// productUsages returns the paths of the backend usages of the product systemName, sorted.
func (h *harness) productUsages(systemName string) ([]string, error) {
	ctx := context.Background()
	products, err := h.tc.ListProducts(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range products {
		if p.SystemName == systemName {
			us, err := h.tc.ListBackendUsages(ctx, p.ID)
			if err != nil {
				return nil, err
			}
			var out []string
			for _, u := range us {
				out = append(out, u.Path)
			}
			slices.Sort(out)
			return out, nil
		}
	}
	return nil, fmt.Errorf("no product %q", systemName)
}

// TestOpenAPIInvalidDocument: a document that does not parse is Invalid with the parser's message
// and location, and nothing is generated; fixing the document recovers.
func TestOpenAPIInvalidDocument(t *testing.T) {
	h := newOpenAPIHarness(t)
	h.startManager()
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "broken"},
		StringData: map[string]string{"doc.yaml": "openapi: 3.0.3\ninfo:\n  title: [broken\n"}}
	h.create(secret)
	o := &capabilitiesv1beta1.OpenAPI{ObjectMeta: metav1.ObjectMeta{Name: "broken"},
		Spec: capabilitiesv1beta1.OpenAPISpec{OpenAPIRef: capabilitiesv1beta1.OpenAPIRefSpec{SecretRef: &corev1.ObjectReference{Name: secret.Name}}}}
	h.create(o)
	c := h.waitCondition(o, openAPIConditions(o), capabilitiesv1beta1.OpenAPIInvalidConditionType, metav1.ConditionTrue, capabilitiesv1beta1.OpenAPIInvalidDocumentReason)
	if !strings.Contains(c.Message, "line") || !strings.Contains(c.Message, "broken") {
		t.Errorf("Invalid message %q does not say where", c.Message)
	}
	t.Logf("Invalid: %s", c.Message)
	if r, _ := conditionOf(o.Status.Conditions, capabilitiesv1beta1.OpenAPIReadyConditionType); r == nil || r.Status != metav1.ConditionFalse {
		t.Errorf("Ready: %+v", r)
	}
	var products capabilitiesv1beta1.ProductList
	if err := k8s.List(context.Background(), &products); err != nil {
		t.Fatal(err)
	}
	for _, x := range products.Items {
		if x.Namespace == h.ns {
			t.Errorf("an invalid document generated Product %s", x.Name)
		}
	}
	h.update(secret, func() { secret.StringData = map[string]string{"doc.yaml": petstore("Fixed", "get /pets listPets")} })
	h.waitCondition(o, openAPIConditions(o), capabilitiesv1beta1.OpenAPIReadyConditionType, metav1.ConditionTrue, capabilitiesv1beta1.OpenAPIReadyReason)
	if c, desc := conditionOf(o.Status.Conditions, capabilitiesv1beta1.OpenAPIInvalidConditionType); c == nil || c.Status != metav1.ConditionFalse {
		t.Errorf("fixed document: %s", desc)
	}
	h.delete(o)
	h.waitGone(o)
}

// TestOpenAPIConflictAndUnmapped: a Product the user wrote under the name the OpenAPI object
// would generate is left alone (Failed, Conflict); what the document says that cannot be mapped
// is reported in an event and in the Ready message; the deletion-policy annotation carries over,
// so Orphan keeps the 3scale product when everything is deleted.
func TestOpenAPIConflictAndUnmapped(t *testing.T) {
	h := newOpenAPIHarness(t)
	h.startManager()
	users := &capabilitiesv1beta1.Product{ObjectMeta: metav1.ObjectMeta{Name: "taken"}, Spec: capabilitiesv1beta1.ProductSpec{Name: "Users own"}}
	h.create(users)
	doc := petstore("Unmapped", "get /pets listPets") + "      security:\n        - {}\n"
	h.create(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "doc"}, StringData: map[string]string{"doc.yaml": doc}})
	taken := &capabilitiesv1beta1.OpenAPI{ObjectMeta: metav1.ObjectMeta{Name: "taken"},
		Spec: capabilitiesv1beta1.OpenAPISpec{OpenAPIRef: capabilitiesv1beta1.OpenAPIRefSpec{SecretRef: &corev1.ObjectReference{Name: "doc"}}}}
	h.create(taken)
	c := h.waitCondition(taken, openAPIConditions(taken), capabilitiesv1beta1.OpenAPIFailedConditionType, metav1.ConditionTrue, "Conflict")
	t.Logf("Failed: %s", c.Message)
	if err := h.get(users); err != nil {
		t.Fatal(err)
	}
	if users.Spec.Name != "Users own" || metav1.GetControllerOf(users) != nil {
		t.Errorf("the user's Product was changed: %+v", users)
	}

	o := &capabilitiesv1beta1.OpenAPI{ObjectMeta: metav1.ObjectMeta{Name: "kept", Annotations: map[string]string{external.DeletionPolicyAnnotation: external.DeletionPolicyOrphan}},
		Spec: capabilitiesv1beta1.OpenAPISpec{ProductSystemName: ptrTo("kept"), OpenAPIRef: capabilitiesv1beta1.OpenAPIRefSpec{SecretRef: &corev1.ObjectReference{Name: "doc"}}}}
	h.create(o)
	ready := h.waitCondition(o, openAPIConditions(o), capabilitiesv1beta1.OpenAPIReadyConditionType, metav1.ConditionTrue, capabilitiesv1beta1.OpenAPIReadyReason)
	if !strings.Contains(ready.Message, "operation-level security is not mapped") {
		t.Errorf("Ready message does not report what is not mapped: %q", ready.Message)
	}
	h.waitEvent("kept", "Warning Unmapped", "operation-level security")
	h.delete(o)
	h.waitGone(o)
	h.waitGone(&capabilitiesv1beta1.Product{ObjectMeta: metav1.ObjectMeta{Name: "kept", Namespace: h.ns}})
	if _, err := h.productInThreescale("kept"); err != nil {
		t.Errorf("deletion-policy Orphan on the OpenAPI object: %v", err)
	}
}

// TestOpenAPIDocumentSource: a Secret that does not exist yet makes the object wait, and its
// creation syncs it at once; a Secret with several values is Invalid and the message lists them.
func TestOpenAPIDocumentSource(t *testing.T) {
	h := newOpenAPIHarness(t)
	h.waitInterval = time.Minute // only the Secret watch can bring the object back in time
	h.startManager()
	o := &capabilitiesv1beta1.OpenAPI{ObjectMeta: metav1.ObjectMeta{Name: "later"},
		Spec: capabilitiesv1beta1.OpenAPISpec{OpenAPIRef: capabilitiesv1beta1.OpenAPIRefSpec{SecretRef: &corev1.ObjectReference{Name: "later-doc"}}}}
	h.create(o)
	c := h.waitCondition(o, openAPIConditions(o), capabilitiesv1beta1.OpenAPIReadyConditionType, metav1.ConditionFalse, "SecretNotFound")
	t.Logf("Ready: %s", c.Message)
	h.create(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "later-doc"}, StringData: map[string]string{"doc.yaml": petstore("Later", "get /pets listPets")}})
	h.waitCondition(o, openAPIConditions(o), capabilitiesv1beta1.OpenAPIReadyConditionType, metav1.ConditionTrue, capabilitiesv1beta1.OpenAPIReadyReason)

	h.create(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "two-docs"}, StringData: map[string]string{"a.yaml": "x", "b.yaml": "y"}})
	two := &capabilitiesv1beta1.OpenAPI{ObjectMeta: metav1.ObjectMeta{Name: "two"},
		Spec: capabilitiesv1beta1.OpenAPISpec{OpenAPIRef: capabilitiesv1beta1.OpenAPIRefSpec{SecretRef: &corev1.ObjectReference{Name: "two-docs"}}}}
	h.create(two)
	c = h.waitCondition(two, openAPIConditions(two), capabilitiesv1beta1.OpenAPIInvalidConditionType, metav1.ConditionTrue, capabilitiesv1beta1.OpenAPIFetchErrorReason)
	if !strings.Contains(c.Message, "a.yaml") || !strings.Contains(c.Message, "b.yaml") {
		t.Errorf("Invalid message does not list the keys: %q", c.Message)
	}
}

// TestOpenAPISwitchToBackendOnly: turning backendOnly on deletes the generated Product (and its
// 3scale product) and moves the operations to the Backend.
func TestOpenAPISwitchToBackendOnly(t *testing.T) {
	h := newOpenAPIHarness(t)
	h.startManager()
	h.create(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "doc"}, StringData: map[string]string{"doc.yaml": petstore("Switch", "get /pets listPets")}})
	o := &capabilitiesv1beta1.OpenAPI{ObjectMeta: metav1.ObjectMeta{Name: "switch"},
		Spec: capabilitiesv1beta1.OpenAPISpec{OpenAPIRef: capabilitiesv1beta1.OpenAPIRefSpec{SecretRef: &corev1.ObjectReference{Name: "doc"}}}}
	h.create(o)
	h.waitCondition(o, openAPIConditions(o), capabilitiesv1beta1.OpenAPIReadyConditionType, metav1.ConditionTrue, capabilitiesv1beta1.OpenAPIReadyReason)
	h.update(o, func() { o.Spec.BackendOnly = true })
	h.waitGone(&capabilitiesv1beta1.Product{ObjectMeta: metav1.ObjectMeta{Name: "switch", Namespace: h.ns}})
	h.waitCondition(o, openAPIConditions(o), capabilitiesv1beta1.OpenAPIReadyConditionType, metav1.ConditionTrue, capabilitiesv1beta1.OpenAPIReadyReason)
	if o.Status.ProductResourceName != nil {
		t.Errorf("backendOnly status names a Product: %+v", o.Status.ProductResourceName)
	}
	h.waitThreescale("operations on the backend", func() (remote, error) { return h.backendInThreescale("Switch") }, remote{
		Methods: []string{"listpets"}, Rules: []string{"GET /v1/pets$ -> listpets"},
	})
	if _, err := h.productInThreescale("Switch"); err == nil {
		t.Error("the generated product is still in 3scale")
	}
}
