package external

import (
	"context"

	"github.com/threescale-oss/operator/pkg/threescale"
)

// FindID returns the ID of the first entity of list's answer that matches, 0 when none does: the
// natural-key lookup of External.Find, one paginated list of the collection. It is the one place
// kinds look entities up by key, so that sharing those lists between objects of a tenant is one
// change.
func FindID[E any](ctx context.Context, list func(context.Context) ([]E, error), matches func(E) bool, id func(E) int64) (int64, error) {
	// A lookup: the objects of a tenant applied at once share the lists of its collections.
	all, err := list(threescale.WithSharedLookup(ctx))
	if err != nil {
		return 0, err
	}
	for _, e := range all {
		if matches(e) {
			return id(e), nil
		}
	}
	return 0, nil
}

// A Keyed entity has a natural key (a system name) and an ID.
type Keyed interface {
	Key() string
	EntityID() int64
}

// FindByKey returns the ID of the entity of list's answer whose natural key is key, 0 when none.
func FindByKey[E Keyed](ctx context.Context, list func(context.Context) ([]E, error), key string) (int64, error) {
	return FindID(ctx, list, func(e E) bool { return e.Key() == key }, E.EntityID)
}
