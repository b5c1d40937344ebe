package threescale

import (
	"context"
	"sync"
	"testing"
	"time"
)

const listProducts = "GET /admin/api/services.json"

// TestSharedLookups: lookups of a collection share one list while it is in flight and for the
// window after; this Client's creates and deletes keep the shared result exact; an update, a
// failed create or the end of the window makes the next lookup list again; a list that is no
// lookup is never shared.
func TestSharedLookups(t *testing.T) {
	env := newTestEnv(t, WithLookupWindow(time.Hour))
	ctx := WithSharedLookup(t.Context())
	c := env.c
	names := func(ps []Product) map[string]bool {
		out := map[string]bool{}
		for _, p := range ps {
			out[p.SystemName] = true
		}
		return out
	}
	env.srv.ResetCalls()

	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := c.ListProducts(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := env.srv.CallCount(listProducts); n != 1 {
		t.Fatalf("20 concurrent lookups made %d lists, want 1", n)
	}

	made := got(c.CreateProduct(t.Context(), ProductParams{Name: ptr("Shared"), SystemName: ptr("shared")})).need(t, "create")
	ps := got(c.ListProducts(ctx)).need(t, "lookup after a create")
	if !names(ps)["shared"] {
		t.Errorf("the lookup after this Client's create misses it: %v", names(ps))
	}
	check(t, "delete", c.DeleteProduct(t.Context(), made.ID))
	ps = got(c.ListProducts(ctx)).need(t, "lookup after a delete")
	if names(ps)["shared"] {
		t.Errorf("the lookup after this Client's delete still shows it")
	}
	if n := env.srv.CallCount(listProducts); n != 1 {
		t.Fatalf("lookups after this Client's create and delete listed again (%d lists)", n)
	}

	if _, err := c.ListProducts(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := env.srv.CallCount(listProducts); n != 2 {
		t.Fatalf("a list that is no lookup was shared (%d lists)", n)
	}

	// A failed create may have happened all the same: the next lookup lists.
	if _, err := c.CreateProduct(t.Context(), ProductParams{Name: ptr("")}); err == nil {
		t.Fatal("a product without a name was created")
	}
	got(c.ListProducts(ctx)).need(t, "lookup after a failed create")
	if n := env.srv.CallCount(listProducts); n != 3 {
		t.Fatalf("the lookup after a failed create did not list (%d lists)", n)
	}

	// An update the result cannot apply: the next lookup lists.
	p := got(c.CreateProduct(t.Context(), ProductParams{Name: ptr("Kept"), SystemName: ptr("kept")})).need(t, "create")
	got(c.UpdateProduct(t.Context(), p.ID, ProductUpdateParams{Description: ptr("changed")})).need(t, "update")
	got(c.ListProducts(ctx)).need(t, "lookup after an update")
	if n := env.srv.CallCount(listProducts); n != 4 {
		t.Fatalf("the lookup after an update did not list (%d lists)", n)
	}
}

// TestSharedLookupWindow: a result older than the window serves no lookup.
func TestSharedLookupWindow(t *testing.T) {
	env := newTestEnv(t, WithLookupWindow(50*time.Millisecond))
	ctx := WithSharedLookup(context.Background())
	env.srv.ResetCalls()
	got(env.c.ListProducts(ctx)).need(t, "lookup")
	got(env.c.ListProducts(ctx)).need(t, "lookup within the window")
	time.Sleep(80 * time.Millisecond)
	got(env.c.ListProducts(ctx)).need(t, "lookup after the window")
	if n := env.srv.CallCount(listProducts); n != 2 {
		t.Fatalf("%d lists, want 2", n)
	}
}
