package threescale

import (
	"testing"
)

func TestActiveDocs(t *testing.T) {
	env := newTestEnv(t)
	ctx, c := t.Context(), env.c
	p := got(c.CreateProduct(ctx, ProductParams{Name: ptr("Documented")})).need(t, "create product")
	doc := got(c.CreateActiveDoc(ctx, ActiveDocParams{
		Name: ptr("Echo spec"), ServiceID: ptr(p.ID), Body: ptr(testOpenAPI), Published: ptr(true),
	})).need(t, "create")
	if doc.SystemName != "echo_spec" || !doc.Published || doc.Body != testOpenAPI || doc.ServiceID == nil || *doc.ServiceID != p.ID {
		t.Errorf("ActiveDoc = %+v", doc)
	}
	if _, err := c.CreateActiveDoc(ctx, ActiveDocParams{Name: ptr("Broken"), Body: ptr("{not json")}); !IsUnprocessable(err) {
		t.Errorf("ActiveDoc with an invalid body: %v, want unprocessable", err)
	}
	doc = got(c.UpdateActiveDoc(ctx, doc.ID, ActiveDocUpdateParams{Published: ptr(false), Description: ptr("v2")})).need(t, "update")
	if doc.Published || doc.Description != "v2" {
		t.Errorf("updated ActiveDoc = %+v", doc)
	}
	// Unbinding sends a blank service_id, which porta reads as none; other fields stay.
	doc = got(c.UpdateActiveDoc(ctx, doc.ID, ActiveDocUpdateParams{ServiceID: Unbound()})).need(t, "unbind")
	if doc.ServiceID != nil || doc.Description != "v2" {
		t.Errorf("unbound ActiveDoc = %+v, want no service_id", doc)
	}
	if _, err := c.UpdateActiveDoc(ctx, doc.ID, ActiveDocUpdateParams{ServiceID: BindTo(p.ID + 1000)}); !IsUnprocessable(err) {
		t.Errorf("binding to an unknown product: %v, want unprocessable", err)
	}
	doc = got(c.UpdateActiveDoc(ctx, doc.ID, ActiveDocUpdateParams{ServiceID: BindTo(p.ID)})).need(t, "bind")
	if doc.ServiceID == nil || *doc.ServiceID != p.ID {
		t.Errorf("bound ActiveDoc = %+v, want service_id %d", doc, p.ID)
	}
	if docs := got(c.ListActiveDocs(ctx)).need(t, "list"); len(docs) != 1 || docs[0].ID != doc.ID {
		t.Errorf("ActiveDocs = %+v", docs)
	}
	check(t, "delete", c.DeleteActiveDoc(ctx, doc.ID))
	if _, err := c.GetActiveDoc(ctx, doc.ID); !IsNotFound(err) {
		t.Errorf("deleted ActiveDoc: %v, want not found", err)
	}
}
