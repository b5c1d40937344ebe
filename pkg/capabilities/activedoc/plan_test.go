package activedoc

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/threescale"
)

func TestPlan(t *testing.T) {
	body, err := ParseBody([]byte(petstoreYAML))
	if err != nil {
		t.Fatal(err)
	}
	other, err := ParseBody([]byte(`{"openapi":"3.1.0"}`))
	if err != nil {
		t.Fatal(err)
	}
	desired := func(change func(*Desired)) Desired {
		d := Desired{SystemName: "pets", Name: "Pets", Description: "d", Published: true, Body: body, ServiceID: 7}
		if change != nil {
			change(&d)
		}
		return d
	}
	have := func(change func(*threescale.ActiveDoc)) *threescale.ActiveDoc {
		a := &threescale.ActiveDoc{ID: 3, SystemName: "pets", Name: "Pets", Description: "d", Published: true, Body: petstoreJSON, ServiceID: ptr(int64(7))}
		if change != nil {
			change(a)
		}
		return a
	}
	cases := map[string]struct {
		reason string
		d      Desired
		have   *threescale.ActiveDoc
		want   []string
	}{
		"InSync": {
			reason: "Nothing differs: no write, although 3scale holds the document compacted and the spec has it in YAML.",
			d:      desired(nil), have: have(nil), want: []string{},
		},
		"Reformatted": {
			reason: "A body that differs only in formatting and key order is not written.",
			d:      desired(nil), have: have(func(a *threescale.ActiveDoc) {
				a.Body = "{\"info\": {\"version\": \"1.0.0\", \"title\": \"Petstore\"},\n\"openapi\": \"3.0.0\", \"paths\": {\"/a\": {}, \"/pets\": {\"get\": {\"operationId\": \"listPets\", \"responses\": {\"200\": {\"description\": \"ok\"}}}}}}"
			}),
			want: []string{},
		},
		"Body": {
			reason: "A new document is one update of the body.",
			d:      desired(func(d *Desired) { d.Body = other }), have: have(nil),
			want: []string{`update ActiveDoc "pets": body`},
		},
		"Attributes": {
			reason: "Every attribute that differs is in the one update, and only those.",
			d: desired(func(d *Desired) {
				d.Name, d.Description, d.Published, d.SkipSwaggerValidations = "Pets 2", "", false, true
			}),
			have: have(nil),
			want: []string{`update ActiveDoc "pets": name, description, published, skip swagger validations`},
		},
		"Bind": {
			reason: "An unbound ActiveDoc is bound to the product.",
			d:      desired(nil), have: have(func(a *threescale.ActiveDoc) { a.ServiceID = nil }),
			want: []string{`update ActiveDoc "pets": bind to product 7`},
		},
		"Rebind": {
			reason: "An ActiveDoc bound to another product is bound to the spec's.",
			d:      desired(nil), have: have(func(a *threescale.ActiveDoc) { a.ServiceID = ptr(int64(8)) }),
			want: []string{`update ActiveDoc "pets": bind to product 7`},
		},
		"Unbind": {
			reason: "Without productSystemName, a bound ActiveDoc is unbound.",
			d:      desired(func(d *Desired) { d.ServiceID = 0 }), have: have(nil),
			want: []string{`update ActiveDoc "pets": unbind from product`},
		},
		"StaysUnbound": {
			reason: "An unbound ActiveDoc without productSystemName needs nothing.",
			d:      desired(func(d *Desired) { d.ServiceID = 0 }), have: have(func(a *threescale.ActiveDoc) { a.ServiceID = nil }),
			want: []string{},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ops := Plan(tc.d, tc.have)
			if diff := cmp.Diff(tc.want, planning.Descriptions(ops)); diff != "" {
				t.Errorf("%s\nPlan (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}

func TestPlanSendsOnlyWhatDiffers(t *testing.T) {
	body, _ := ParseBody([]byte(`{"openapi":"3.0.0"}`))
	ops := Plan(Desired{SystemName: "s", Name: "N", Body: body}, &threescale.ActiveDoc{ID: 1, SystemName: "s", Name: "N", Body: `{"openapi":"3.0.0"}`, ServiceID: ptr(int64(2))})
	if len(ops) != 1 || ops[0].Verb != planning.VerbUpdate || ops[0].Entity != EntityActiveDoc || ops[0].Key != "s" {
		t.Fatalf("Plan = %+v", ops)
	}
}

func TestCreateParams(t *testing.T) {
	body, _ := ParseBody([]byte(`openapi: 3.0.0`))
	got := createParams(Desired{SystemName: "s", Name: "N", Description: "d", Published: true, Body: body, ServiceID: 4})
	want := threescale.ActiveDocParams{Name: ptr("N"), SystemName: ptr("s"), Body: ptr(`{"openapi":"3.0.0"}`), Description: ptr("d"),
		Published: ptr(true), SkipSwaggerValidations: ptr(false), ServiceID: ptr(int64(4))}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("createParams (-want +got):\n%s", diff)
	}
	if got := createParams(Desired{SystemName: "s", Name: "N", Body: body}); got.ServiceID != nil {
		t.Errorf("an unbound ActiveDoc is created with service_id %d", *got.ServiceID)
	}
}
