package external

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// ClaimIndex is the field index, on every capability kind, of the entities the objects record
// (ClaimKeys): two objects never manage one entity, whatever their namespaces.
const ClaimIndex = "capabilities.3scale.net/claim"

// claimKey identifies one entity: its ID where it lives.
func claimKey(location string, id int64) string {
	return strings.TrimSuffix(location, "/") + "#" + strconv.FormatInt(id, 10)
}

// ClaimKeys returns the index keys of the entity obj's status records, for the ClaimIndex of
// kind.
func ClaimKeys[T client.Object](kind Kind[T]) func(client.Object) []string {
	return func(o client.Object) []string {
		obj, ok := o.(T)
		if !ok {
			return nil
		}
		st := kind.Status(obj)
		id := st.current()
		if id == nil {
			return nil
		}
		loc := ""
		if st.Location != nil {
			loc = *st.Location
		}
		return []string{claimKey(loc, *id)}
	}
}

// checkClaim returns a *ConflictError when another object manages the entity id that p's object
// would manage. recorded says p's object records it already: then, when two objects record one
// entity (possible with objects from before this rule), the older one keeps it. An entity no
// object records yet is held in memory by the first object to take it, until its status says so.
func (r *Reconciler[T]) checkClaim(ctx context.Context, p *pass[T], id int64, recorded bool) error {
	key := claimKey(p.location, id)
	entity := fmt.Sprintf("the 3scale entity with ID %d at %s", id, p.location)
	var holder client.Object
	// A status that records an ID without a location is trusted for any location (KnownID), so
	// its claim counts here too.
	for _, k := range []string{key, claimKey("", id)} {
		list := r.kind.NewList()
		if err := r.client.List(ctx, list, client.MatchingFields{ClaimIndex: k}); err != nil {
			return fmt.Errorf("cannot list the objects that manage %s: %w", entity, err)
		}
		holder = r.olderHolder(p, list, recorded, holder)
	}
	if holder != nil {
		return &ConflictError{Holder: describeObject(holder), Entity: entity}
	}
	if h, ok := r.claims.take(key, p.obj); !ok {
		return &ConflictError{Holder: h, Entity: entity}
	}
	return nil
}

// olderHolder returns, of holder and the objects of list other than p's, the one that keeps the
// entity (see checkClaim), or nil.
func (r *Reconciler[T]) olderHolder(p *pass[T], list client.ObjectList, recorded bool, holder client.Object) client.Object {
	_ = meta.EachListItem(list, func(item runtime.Object) error {
		other, ok := item.(client.Object)
		if !ok || other.GetUID() == p.obj.GetUID() || (recorded && older(p.obj, other)) {
			return nil
		}
		if holder == nil || older(other, holder) {
			holder = other
		}
		return nil
	})
	return holder
}

// older tells whether a was created before b (by name when at the same second).
func older(a, b client.Object) bool {
	ta, tb := a.GetCreationTimestamp(), b.GetCreationTimestamp()
	if !ta.Equal(&tb) {
		return ta.Before(&tb)
	}
	return a.GetNamespace()+"/"+a.GetName() < b.GetNamespace()+"/"+b.GetName()
}

func describeObject(o client.Object) string {
	kind := o.GetObjectKind().GroupVersionKind().Kind
	if kind == "" {
		kind = strings.TrimPrefix(fmt.Sprintf("%T", o), "*v1beta1.")
	}
	return fmt.Sprintf("%s %s/%s", kind, o.GetNamespace(), o.GetName())
}

// claims holds, in memory, the entities objects took but may not have recorded in their status
// yet (or that the cache does not show yet), so that two workers never adopt one entity at once.
type claims struct {
	mu    sync.Mutex
	byKey map[string]claimant
	byUID map[types.UID]string
}

type claimant struct {
	uid  types.UID
	name string
}

func newClaims() *claims {
	return &claims{byKey: map[string]claimant{}, byUID: map[types.UID]string{}}
}

// take holds key for obj unless another object holds it; it returns that object's description.
func (c *claims) take(key string, obj client.Object) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h, ok := c.byKey[key]; ok && h.uid != obj.GetUID() {
		return h.name, false
	}
	c.holdLocked(key, obj)
	return "", true
}

// hold holds key for obj (an entity it just created).
func (c *claims) hold(key string, obj client.Object) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.holdLocked(key, obj)
}

func (c *claims) holdLocked(key string, obj client.Object) {
	if old, ok := c.byUID[obj.GetUID()]; ok && old != key {
		delete(c.byKey, old)
	}
	c.byKey[key] = claimant{uid: obj.GetUID(), name: describeObject(obj)}
	c.byUID[obj.GetUID()] = key
}

// release lets go of what obj holds (it is gone).
func (c *claims) release(obj client.Object) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if key, ok := c.byUID[obj.GetUID()]; ok {
		delete(c.byKey, key)
		delete(c.byUID, obj.GetUID())
	}
}
