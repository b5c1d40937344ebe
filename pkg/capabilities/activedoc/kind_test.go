package activedoc

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/document"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/external/externaltest"
	"github.com/threescale-oss/operator/pkg/tenant"
	"github.com/threescale-oss/operator/pkg/threescale"
	"github.com/threescale-oss/operator/pkg/threescale/inmemory"
)

// env is an in-memory 3scale tenant with one product, a client of it, and the loop running
// ActiveDocs against it over a fake Kubernetes client that holds the tenant's Secret, a Product
// object synced to that product, and the Secret "doc" holding petstoreYAML.
type env struct {
	srv       *inmemory.Server
	c         *threescale.Client
	productID int64
	loop      *externaltest.Loop[*capabilitiesv1beta1.ActiveDoc]
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv, tn := inmemory.NewTestServer(t)
	c, err := threescale.New(tn.AdminURL, tn.Token, threescale.WithMetricsRegisterer(prometheus.NewRegistry()))
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.CreateProduct(context.Background(), threescale.ProductParams{Name: ptr("Pets"), SystemName: ptr("pets")})
	if err != nil {
		t.Fatal(err)
	}
	product := &capabilitiesv1beta1.Product{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "pets-product"},
		Spec:       capabilitiesv1beta1.ProductSpec{Name: "Pets", SystemName: "pets"},
		Status: capabilitiesv1beta1.ProductStatus{ID: &p.ID, ProviderAccountHost: tn.AdminURL, Conditions: []metav1.Condition{
			{Type: external.TypeSynced, Status: metav1.ConditionTrue, Reason: "Synced", LastTransitionTime: metav1.Now()},
		}},
	}
	objs := []client.Object{
		&corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: tenant.DefaultSecretName},
			Data:       map[string][]byte{tenant.AdminURLKey: []byte(tn.AdminURL), tenant.TokenKey: []byte(tn.Token)},
		},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "doc"}, Data: map[string][]byte{"petstore.yaml": []byte(petstoreYAML)}},
		product,
	}
	var k Kind
	kc := externaltest.NewClient(t, k, objs...)
	k = Kind{
		Products:  kc,
		Documents: document.Loader{Secrets: tenant.SecretReader{Metadata: kc, Reader: kc}},
		Tenants: external.Tenants{
			Resolver: tenant.Resolver{Reader: kc},
			Clients:  &tenant.Clients{Options: []threescale.Option{threescale.WithMetricsRegisterer(prometheus.NewRegistry())}},
		},
	}
	return &env{srv: srv, c: c, productID: p.ID, loop: externaltest.NewLoop(kc, external.Kind[*capabilitiesv1beta1.ActiveDoc](k), external.Options{})}
}

func sample() *capabilitiesv1beta1.ActiveDoc {
	return &capabilitiesv1beta1.ActiveDoc{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "pets-doc"},
		Spec: capabilitiesv1beta1.ActiveDocSpec{
			Name:                "Pets API",
			Description:         ptr("The pets"),
			Published:           ptr(true),
			ActiveDocOpenAPIRef: capabilitiesv1beta1.OpenAPIRefSpec{SecretRef: &corev1.ObjectReference{Name: "doc"}},
			ProductSystemName:   ptr("pets"),
		},
	}
}

// writes counts the 3scale calls since the last reset that are not reads.
func (e *env) writes() int {
	n := 0
	for _, c := range e.srv.Calls() {
		if c.Method != "GET" {
			n++
		}
	}
	return n
}

// pass runs one reconcile of a and returns the 3scale writes it made; want is the condition that
// must be True after it.
func (e *env) pass(t *testing.T, a *capabilitiesv1beta1.ActiveDoc, want string) int {
	t.Helper()
	e.srv.ResetCalls()
	_, _ = e.loop.Reconcile(t, a)
	if c := meta.FindStatusCondition(a.Status.Conditions, want); c == nil || c.Status != metav1.ConditionTrue {
		t.Fatalf("after a reconcile, %s = %+v; conditions %+v", want, c, a.Status.Conditions)
	}
	return e.writes()
}

func (e *env) update(t *testing.T, obj client.Object) {
	t.Helper()
	if err := e.loop.Client.Update(context.Background(), obj); err != nil {
		t.Fatal(err)
	}
}

func (e *env) remote(t *testing.T, a *capabilitiesv1beta1.ActiveDoc) *threescale.ActiveDoc {
	t.Helper()
	d, err := e.c.GetActiveDoc(context.Background(), *a.Status.ID)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestSync creates an ActiveDoc bound to its product from a YAML Secret, then checks the cost of
// a resync (one read, no write), of a reformatted document (no write), of drift (one write), of
// unbinding and binding (one write each).
func TestSync(t *testing.T) {
	e := newEnv(t)
	a := sample()
	if n := e.pass(t, a, external.TypeReady); n != 1 || a.Status.ID == nil {
		t.Fatalf("first pass: %d writes, ID %v; want one creation recorded", n, a.Status.ID)
	}
	var ops []string
	for _, c := range e.srv.Calls() {
		ops = append(ops, c.Op)
	}
	// Find by system name (one list), create, observe the new ActiveDoc.
	if diff := cmp.Diff([]string{"GET /admin/api/active_docs.json", "POST /admin/api/active_docs.json", "GET /admin/api/active_docs/{id}.json"}, ops); diff != "" {
		t.Errorf("3scale calls of the creating pass (-want +got):\n%s", diff)
	}
	got := e.remote(t, a)
	if got.SystemName != "petsapi" || got.Name != "Pets API" || !got.Published || got.ServiceID == nil || *got.ServiceID != e.productID ||
		!strings.HasPrefix(got.Body, `{"openapi":"3.0.0","info"`) {
		t.Errorf("created ActiveDoc = %+v", got)
	}
	if a.Status.ProductResourceName == nil || a.Status.ProductResourceName.Name != "pets-product" {
		t.Errorf("status.productResourceName = %v, want pets-product", a.Status.ProductResourceName)
	}

	if n := e.pass(t, a, external.TypeReady); n != 0 || len(e.srv.Calls()) != 1 {
		t.Errorf("resync: %d writes, %d calls; want 0 and 1 (one GET)", n, len(e.srv.Calls()))
	}

	// The same document as compact JSON, under another key.
	var s corev1.Secret
	if err := e.loop.Client.Get(context.Background(), client.ObjectKey{Namespace: "ns", Name: "doc"}, &s); err != nil {
		t.Fatal(err)
	}
	s.Data = map[string][]byte{"petstore.json": []byte(petstoreJSON)}
	e.update(t, &s)
	if n := e.pass(t, a, external.TypeReady); n != 0 {
		t.Errorf("a reformatted document made %d writes, want 0", n)
	}

	// Drift in 3scale.
	if _, err := e.c.UpdateActiveDoc(context.Background(), *a.Status.ID, threescale.ActiveDocUpdateParams{
		Published: ptr(false), Body: ptr(`{"openapi":"3.0.0"}`), ServiceID: threescale.Unbound(),
	}); err != nil {
		t.Fatal(err)
	}
	if n := e.pass(t, a, external.TypeReady); n != 1 {
		t.Errorf("drift reverted with %d writes, want 1", n)
	}
	if got := e.remote(t, a); !got.Published || got.ServiceID == nil || !strings.Contains(got.Body, "listPets") {
		t.Errorf("after drift: %+v", got)
	}

	// Unbind, then bind again.
	a.Spec.ProductSystemName = nil
	e.update(t, a)
	if n := e.pass(t, a, external.TypeReady); n != 1 {
		t.Errorf("unbinding took %d writes, want 1", n)
	}
	if got := e.remote(t, a); got.ServiceID != nil || a.Status.ProductResourceName != nil {
		t.Errorf("unbound: service_id %v, productResourceName %v; want none", got.ServiceID, a.Status.ProductResourceName)
	}
	a.Spec.ProductSystemName = ptr("pets")
	e.update(t, a)
	if n := e.pass(t, a, external.TypeReady); n != 1 {
		t.Errorf("binding took %d writes, want 1", n)
	}
	if got := e.remote(t, a); got.ServiceID == nil || *got.ServiceID != e.productID {
		t.Errorf("bound: service_id %v, want %d", got.ServiceID, e.productID)
	}
}

// TestWaitsAndRefuses checks what is known before 3scale is called: a missing Product or Secret
// is waited for (Orphan), a Secret with several values or a document that is no API description
// is Invalid; none of them writes.
func TestWaitsAndRefuses(t *testing.T) {
	cases := map[string]struct {
		reason     string
		change     func(*capabilitiesv1beta1.ActiveDoc)
		secret     map[string][]byte
		want       string
		wantReason string
		wantIn     string
	}{
		"NoProduct": {
			reason: "A product that does not exist yet is waited for.",
			change: func(a *capabilitiesv1beta1.ActiveDoc) { a.Spec.ProductSystemName = ptr("cats") },
			want:   external.TypeOrphan, wantReason: capabilitiesv1beta1.ActiveDocMissingProductReason, wantIn: `"cats"`,
		},
		"OtherTenantsProduct": {
			reason: "A Product of another provider account is not this ActiveDoc's.",
			change: func(a *capabilitiesv1beta1.ActiveDoc) {
				a.Spec.ProviderAccountRef = &corev1.LocalObjectReference{Name: tenant.DefaultSecretName}
			},
			want: external.TypeOrphan, wantReason: capabilitiesv1beta1.ActiveDocMissingProductReason,
		},
		"NoSecret": {
			reason: "A document Secret that does not exist yet is waited for.",
			change: func(a *capabilitiesv1beta1.ActiveDoc) { a.Spec.ActiveDocOpenAPIRef.SecretRef.Name = "nope" },
			want:   external.TypeOrphan, wantReason: document.ReasonSecretNotFound, wantIn: "ns/nope",
		},
		"SeveralKeys": {
			reason: "A Secret with several values is invalid, naming its keys.",
			secret: map[string][]byte{"a.yaml": []byte("openapi: 3.0.0"), "b.yaml": []byte("openapi: 3.0.0")},
			want:   external.TypeInvalid, wantReason: external.ReasonInvalidSpec, wantIn: "a.yaml, b.yaml",
		},
		"NotADescription": {
			reason: "A document with no openapi or swagger key is refused before 3scale refuses it.",
			secret: map[string][]byte{"doc": []byte("title: nothing")},
			want:   external.TypeInvalid, wantReason: external.ReasonInvalidSpec, wantIn: "skipSwaggerValidations",
		},
		"Unparsable": {
			reason: "A document that does not parse is invalid, with the parser's message.",
			secret: map[string][]byte{"doc": []byte("openapi: [3")},
			want:   external.TypeInvalid, wantReason: external.ReasonInvalidSpec, wantIn: "neither JSON nor YAML",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			if tc.secret != nil {
				var s corev1.Secret
				if err := e.loop.Client.Get(context.Background(), client.ObjectKey{Namespace: "ns", Name: "doc"}, &s); err != nil {
					t.Fatal(err)
				}
				s.Data = tc.secret
				e.update(t, &s)
			}
			a := sample()
			if tc.change != nil {
				tc.change(a)
			}
			if n := e.pass(t, a, tc.want); n != 0 {
				t.Errorf("%s\n%d writes, want 0", tc.reason, n)
			}
			c := meta.FindStatusCondition(a.Status.Conditions, tc.want)
			if c.Reason != tc.wantReason || !strings.Contains(c.Message, tc.wantIn) {
				t.Errorf("%s\n%s = %s: %q; want reason %s saying %q", tc.reason, tc.want, c.Reason, c.Message, tc.wantReason, tc.wantIn)
			}
		})
	}
}

// TestDelete checks that deleting the object deletes the ActiveDoc, unless the deletion policy
// says to orphan it, and never waits for the document.
func TestDelete(t *testing.T) {
	for name, orphan := range map[string]bool{"Delete": false, "Orphan": true} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			a := sample()
			e.pass(t, a, external.TypeReady)
			id := *a.Status.ID
			if orphan {
				a.Annotations = map[string]string{external.DeletionPolicyAnnotation: external.DeletionPolicyOrphan}
				e.update(t, a)
			}
			// The document's Secret goes first: deleting must not need it.
			if err := e.loop.Client.Delete(context.Background(), &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "doc"}}); err != nil {
				t.Fatal(err)
			}
			if err := e.loop.Client.Delete(context.Background(), a); err != nil {
				t.Fatal(err)
			}
			if _, err := e.loop.Reconcile(t, a); err != nil {
				t.Fatal(err)
			}
			_, err := e.c.GetActiveDoc(context.Background(), id)
			if gone := threescale.IsNotFound(err); gone == orphan {
				t.Errorf("ActiveDoc gone = %v (%v), want %v", gone, err, !orphan)
			}
			if err := e.loop.Client.Get(context.Background(), client.ObjectKeyFromObject(a), a); client.IgnoreNotFound(err) != nil || err == nil {
				t.Errorf("the object is still there (finalizers %v)", a.Finalizers)
			}
		})
	}
}
