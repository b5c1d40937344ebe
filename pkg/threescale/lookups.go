package threescale

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Shared lookups. Before it creates an entity, every object looks its collection up by natural
// key (crash safety: nothing is created twice). With many objects of a tenant applied at once,
// one list per object would cost the square of the tenant's size. A lookup (a context marked with
// WithSharedLookup, as external.FindID marks it) of a collection instead joins the list of it in
// flight on its Client, or takes one that ended less than DefaultLookupWindow ago.
//
// Such a result is never stale for this Client's own writes, the only ones a decision to create
// could duplicate: an entity this Client creates is added to it, one it deletes is removed, and
// any other write to the collection (an update; a create whose answer is not the listed type; a
// write while the list is in flight) makes every stored result of it unusable, so that the next
// lookup lists again. Writes by others (the admin portal, another token) are seen within the
// window; for products and backends 3scale refuses a second system name anyway.

// DefaultLookupWindow is how long a lookup result serves the lookups that follow it, for a
// collection whose keys 3scale keeps unique (system names): a lookup that misses an entity
// someone else created meanwhile leads to a create that 3scale refuses, after which the object
// looks again and finds it. Other collections (accounts, whose organization names 3scale does not
// keep unique) share results for ShortLookupWindow at most.
const DefaultLookupWindow = 30 * time.Second

// ShortLookupWindow bounds the sharing of lookups of collections without unique keys.
const ShortLookupWindow = 5 * time.Second

type sharedLookupKey struct{}

// WithSharedLookup marks ctx: the lists called with it are lookups, which may be shared.
func WithSharedLookup(ctx context.Context) context.Context {
	return context.WithValue(ctx, sharedLookupKey{}, true)
}

func isSharedLookup(ctx context.Context) bool {
	v, _ := ctx.Value(sharedLookupKey{}).(bool)
	return v
}

// lookups holds a Client's shared lookup results, by list call (operation, path and parameters).
type lookups struct {
	mu      sync.Mutex
	window  time.Duration
	entries map[string]*lookup
}

// lookup is one list call's result, shared while it is in flight and for the window after.
type lookup struct {
	collection string
	done       chan struct{}
	ended      time.Time // zero while in flight
	unusable   bool      // a write to the collection this result cannot account for
	value      any       // the []T the list answered, kept up to date with this Client's writes
	err        error
	// add and remove apply this Client's creates and deletes to value; nil when T cannot.
	add    func(created any) bool
	remove func(id int64) bool
}

// joinable tells whether e may serve a lookup that starts now.
func (e *lookup) joinable(now time.Time, window time.Duration) bool {
	return !e.unusable && (e.ended.IsZero() || (e.err == nil && now.Sub(e.ended) < window))
}

// sharedList is list for a lookup of a collection: it joins or reuses a result of the same call,
// or lists and shares the result.
func sharedList[T any](ctx context.Context, c *Client, op *operation, params any, args ...any) ([]T, error) {
	key, err := lookupKey(op, params, args)
	if err != nil {
		return nil, err
	}
	l := c.lookups
	window := l.window
	if !op.UniqueKeys {
		window = min(window, ShortLookupWindow)
	}
	l.mu.Lock()
	now := time.Now()
	for k, e := range l.entries { // drop the results no lookup may take any more
		if !e.ended.IsZero() && !e.joinable(now, l.window) {
			delete(l.entries, k)
		}
	}
	if e, ok := l.entries[key]; ok && e.joinable(now, window) {
		l.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return nil, &TransportError{Operation: op.Key, Err: ctx.Err()}
		}
		l.mu.Lock()
		items, ok := e.value.([]T)
		err := e.err
		items = slices.Clone(items)
		l.mu.Unlock()
		if err == nil && ok {
			c.metrics.lookups.WithLabelValues("shared").Inc()
			return items, nil
		}
		// The shared call failed (perhaps only its caller's context ended): list alone.
		return listAll[T](ctx, c, op, params, args...)
	}
	e := &lookup{collection: op.Collection, done: make(chan struct{})}
	e.add = func(created any) bool {
		v, ok := created.(*T)
		if !ok {
			return false
		}
		items, _ := e.value.([]T)
		e.value = append(slices.Clone(items), *v)
		return true
	}
	e.remove = func(id int64) bool {
		items, _ := e.value.([]T)
		kept := make([]T, 0, len(items))
		for _, it := range items {
			ider, ok := any(it).(interface{ EntityID() int64 })
			if !ok {
				return false
			}
			if ider.EntityID() != id {
				kept = append(kept, it)
			}
		}
		e.value = kept
		return true
	}
	if l.entries == nil {
		l.entries = map[string]*lookup{}
	}
	l.entries[key] = e
	l.mu.Unlock()

	c.metrics.lookups.WithLabelValues("listed").Inc()
	items, err := listAll[T](ctx, c, op, params, args...)
	l.mu.Lock()
	e.value, e.err, e.ended = items, err, time.Now()
	if err != nil {
		delete(l.entries, key)
	}
	close(e.done)
	l.mu.Unlock()
	return slices.Clone(items), err
}

// lookupKey identifies a list call: its operation, path and parameters.
func lookupKey(op *operation, params any, args []any) (string, error) {
	p, err := op.expand(args...)
	if err != nil {
		return "", err
	}
	values, err := op.encode(params)
	if err != nil {
		return "", err
	}
	return op.Key + " " + p.escaped + "?" + values.Encode(), nil
}

// wrote applies a write of op to the lookup results of its collection: a create with the
// created entity (nil when the answer is another type) adds it; a delete of id removes it;
// anything else, or what a result cannot apply, makes the results unusable. A result in flight
// cannot tell whether its list saw the write: unusable too.
func (c *Client) wrote(op *operation, created any, id int64) {
	if op.Collection == "" || op.Method == http.MethodGet {
		return
	}
	l := c.lookups
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range l.entries {
		if e.collection != op.Collection || e.unusable {
			continue
		}
		applied := false
		switch {
		case e.ended.IsZero() || e.err != nil:
		case op.Method == http.MethodPost && created != nil:
			applied = e.add(created)
		case op.Method == http.MethodDelete && id != 0:
			applied = e.remove(id)
		}
		e.unusable = !applied
	}
}
