// Package capabilities holds the controllers of the capabilities.3scale.net kinds. Each is thin:
// the reconcile loop is pkg/external's, each kind's 3scale logic is in pkg/capabilities/<kind>,
// and this package wires them to the manager: watches, field indexes and RBAC.
package capabilities

import (
	"context"
	"fmt"
	"os"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/tenant"
)

// PollIntervalEnvVar sets the default poll interval of every capability object (a Go duration,
// e.g. "2m"); the capabilities.3scale.net/poll-interval annotation overrides it per object.
const PollIntervalEnvVar = "CAPABILITIES_POLL_INTERVAL"

// secretIndex indexes capability objects by the names of the Secrets their tenant may be read
// from (tenant.SecretNames), so that a Secret event finds the objects to sync again.
const secretIndex = "capabilities.3scale.net/provider-account-secret"

// DefaultMaxConcurrentReconciles is how many objects of one kind are reconciled at once. 3scale
// calls are bounded per tenant by the client, so this mostly overlaps tenants and waits.
const DefaultMaxConcurrentReconciles = 4

// Options tune the capability controllers.
type Options struct {
	// Loop tunes the reconcile loop (poll interval, jitter, wait interval).
	Loop external.Options
	// MaxConcurrentReconciles is per kind; DefaultMaxConcurrentReconciles when zero.
	MaxConcurrentReconciles int
	// Clients holds the 3scale clients, one per tenant, shared by every kind. Required.
	Clients *tenant.Clients
}

// sharedClients is the client cache of the controllers that Setups registers, so that Product and
// Backend of a tenant share its client and its bound on calls in flight.
var sharedClients = &tenant.Clients{}

// DefaultOptions returns the options of the controllers the operator registers: the shared client
// cache and the poll interval of PollIntervalEnvVar, if set.
func DefaultOptions() (Options, error) {
	opts := Options{Clients: sharedClients}
	if v := os.Getenv(PollIntervalEnvVar); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return Options{}, fmt.Errorf("%s=%q is not a positive duration", PollIntervalEnvVar, v)
		}
		opts.Loop.PollInterval = d
	}
	return opts, nil
}

func (o Options) maxConcurrent() int {
	if o.MaxConcurrentReconciles > 0 {
		return o.MaxConcurrentReconciles
	}
	return DefaultMaxConcurrentReconciles
}

// specOrAnnotationChanged lets through what may change the outcome of a reconcile: the spec
// (generation, which deletion bumps too) and the annotations (deletion policy, poll interval).
// Status writes, the loop's own, do not wake it again.
func specOrAnnotationChanged() builder.Predicates {
	return builder.WithPredicates(predicate.Or(predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))
}

// enqueueByIndex maps an object (a Secret, a Backend) to the objects of list's kind in its
// namespace whose index holds its name.
func enqueueByIndex(c client.Reader, list client.ObjectList, index string) handler.MapFunc {
	return func(ctx context.Context, o client.Object) []reconcile.Request {
		l, ok := list.DeepCopyObject().(client.ObjectList)
		if !ok {
			return nil
		}
		if err := c.List(ctx, l, client.InNamespace(o.GetNamespace()), client.MatchingFields{index: o.GetName()}); err != nil {
			log.FromContext(ctx).Error(err, "cannot list objects to sync again", "index", index, "name", o.GetName())
			return nil
		}
		var reqs []reconcile.Request
		_ = meta.EachListItem(l, func(item runtime.Object) error {
			if m, ok := item.(client.Object); ok {
				reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: m.GetNamespace(), Name: m.GetName()}})
			}
			return nil
		})
		return reqs
	}
}
