package product

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// usagePath is a backend usage path as 3scale stores it: with its leading slash, without a
// trailing one.
func usagePath(p string) string { return "/" + strings.Trim(strings.TrimSpace(p), "/") }

// planBackendUsages creates, updates and deletes backend usages so that the product uses exactly
// the backends of spec.backendUsages at their paths. Deletions come first, so that a path a
// removed backend held is free for a new one.
func planBackendUsages(d *Desired, observed []threescale.BackendUsage, backends map[string]int64, productID int64) ([]planning.Operation, error) {
	names := make([]string, 0, len(d.Spec.BackendUsages))
	for name := range d.Spec.BackendUsages {
		names = append(names, name)
	}
	sort.Strings(names)
	wanted := map[int64]string{}
	for _, name := range names {
		id, ok := backends[name]
		if !ok {
			return nil, &MissingBackendError{SystemName: name}
		}
		wanted[id] = name
	}
	byBackend := map[int64]threescale.BackendUsage{}
	var ops []planning.Operation
	for _, u := range observed {
		if _, ok := wanted[u.BackendID]; ok {
			if _, dup := byBackend[u.BackendID]; !dup {
				byBackend[u.BackendID] = u
				continue
			}
		}
		uid := u.ID
		ops = append(ops, planning.Operation{
			Verb: planning.VerbDelete, Entity: EntityBackendUsage, Key: fmt.Sprint(u.BackendID),
			Description: fmt.Sprintf("delete the usage of backend %d by product %d", u.BackendID, productID),
			Run: func(ctx context.Context, c *threescale.Client) error {
				return ignoreNotFound(c.DeleteBackendUsage(ctx, productID, uid))
			},
		})
	}
	for _, name := range names {
		bid := backends[name]
		path := usagePath(d.Spec.BackendUsages[name].Path)
		u, ok := byBackend[bid]
		switch {
		case !ok:
			ops = append(ops, planning.Operation{
				Verb: planning.VerbCreate, Entity: EntityBackendUsage, Key: name,
				Description: fmt.Sprintf("use backend %q at path %q in product %d", name, path, productID),
				Run: func(ctx context.Context, c *threescale.Client) error {
					_, err := c.CreateBackendUsage(ctx, productID, threescale.BackendUsageParams{BackendID: &bid, Path: &path})
					return err
				},
			})
		case usagePath(u.Path) != path:
			uid := u.ID
			ops = append(ops, planning.Operation{
				Verb: planning.VerbUpdate, Entity: EntityBackendUsage, Key: name,
				Description: fmt.Sprintf("move backend %q to path %q in product %d", name, path, productID),
				Run: func(ctx context.Context, c *threescale.Client) error {
					_, err := c.UpdateBackendUsage(ctx, productID, uid, threescale.BackendUsageUpdateParams{Path: &path})
					return err
				},
			})
		}
	}
	return ops, nil
}

// ignoreNotFound treats a 404 on delete as done.
func ignoreNotFound(err error) error {
	if threescale.IsNotFound(err) {
		return nil
	}
	return err
}
