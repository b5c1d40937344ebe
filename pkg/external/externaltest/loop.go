// Package externaltest runs the capability loop of package external for tests of a kind: the
// real Reconciler, over controller-runtime's fake Kubernetes client, against whatever 3scale the
// kind connects to (the in-memory one in tests).
package externaltest

import (
	"context"
	"testing"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/threescale-oss/operator/api"
	"github.com/threescale-oss/operator/pkg/external"
)

// NewClient returns a fake client holding objs, with the status subresource of every kind of
// statusOf and the claim index of kind, as the manager's client has them.
func NewClient[T client.Object](t testing.TB, kind external.Kind[T], objs ...client.Object) client.WithWatch {
	t.Helper()
	s, err := api.NewScheme()
	if err != nil {
		t.Fatal(err)
	}
	return fake.NewClientBuilder().WithScheme(s).
		WithObjects(objs...).
		WithStatusSubresource(kind.New()).
		WithIndex(kind.New(), external.ClaimIndex, external.ClaimKeys(kind)).
		Build()
}

// A Loop reconciles objects of one kind with the real loop.
type Loop[T client.Object] struct {
	// Client is the fake Kubernetes client the loop reads and writes.
	Client client.Client
	// Reconciler is the loop.
	Reconciler *external.Reconciler[T]
}

// NewLoop returns the loop of kind over c.
func NewLoop[T client.Object](c client.Client, kind external.Kind[T], opts external.Options) *Loop[T] {
	return &Loop[T]{Client: c, Reconciler: external.NewReconciler(c, kind, nil, opts)}
}

// Reconcile creates obj when it does not exist yet, runs one reconcile of it, and reads it back
// into obj.
func (l *Loop[T]) Reconcile(t testing.TB, obj T) (ctrl.Result, error) {
	t.Helper()
	ctx := context.Background()
	key := client.ObjectKeyFromObject(obj)
	if err := l.Client.Get(ctx, key, obj.DeepCopyObject().(client.Object)); err != nil {
		if err := l.Client.Create(ctx, obj); err != nil {
			t.Fatalf("create %s: %v", key, err)
		}
	}
	res, err := l.Reconciler.Reconcile(ctx, ctrl.Request{NamespacedName: key})
	if gerr := l.Client.Get(ctx, key, obj); gerr != nil && !isNotFound(gerr) {
		t.Fatalf("get %s: %v", key, gerr)
	}
	return res, err
}

func isNotFound(err error) bool { return client.IgnoreNotFound(err) == nil }
