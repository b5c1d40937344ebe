package external

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/threescale-oss/operator/pkg/tenant"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// Tenants is the default way of connecting: the tenant resolution of package tenant (the
// provider-account Secret, else the APIManager's default tenant) and a client per tenant shared
// by every kind.
type Tenants struct {
	// Resolver finds an object's tenant. Controllers give it the manager's API reader, so that
	// Secrets are read on demand and never held in an informer cache.
	Resolver tenant.Resolver
	// Clients holds one 3scale client per tenant, shared by every kind.
	Clients *tenant.Clients
}

// ConnectTenant resolves the tenant of obj (spec.providerAccountRef ref), gets its client, and
// returns the External open makes of it. The External's errors name the Secret of the token when
// 3scale refuses it.
func ConnectTenant[T client.Object](ctx context.Context, t Tenants, obj T, ref *corev1.LocalObjectReference, open func(*threescale.Client) External[T]) (External[T], error) {
	creds, err := t.Resolver.Resolve(ctx, obj.GetNamespace(), ref)
	if err != nil {
		return nil, err
	}
	creds.InsecureSkipVerify = obj.GetAnnotations()[InsecureSkipVerifyAnnotation] == "true"
	c, err := t.Clients.For(creds)
	if err != nil {
		return nil, err
	}
	return credentialsExternal[T]{External: open(c), token: creds.Token}, nil
}

// credentialsExternal names the Secret that holds the token when 3scale refuses a call, so that
// the Failed condition says what to fix.
type credentialsExternal[T client.Object] struct {
	External[T]
	token tenant.SecretKey
}

// ExplainCredentials says which Secret to fix when 3scale refused the credentials: a 401, or a
// 403 whose message is about the token, refused the token itself; any other 403 is a call the
// token may not make (3scale's message says why).
func ExplainCredentials(err error, token tenant.SecretKey) error {
	if err == nil || Classify(err) != Unauthorized {
		return err
	}
	if !threescale.IsTokenRefused(err) {
		return fmt.Errorf("3scale forbids this call with the access token of secret %s (does it have read-write access to the Account Management API?): %w", token, err)
	}
	return fmt.Errorf("3scale refused the access token of secret %s: %w", token, err)
}

func (e credentialsExternal[T]) Find(ctx context.Context, obj T) (int64, error) {
	id, err := e.External.Find(ctx, obj)
	return id, ExplainCredentials(err, e.token)
}

func (e credentialsExternal[T]) Observe(ctx context.Context, obj T, id int64) (Observation, error) {
	o, err := e.External.Observe(ctx, obj, id)
	return o, ExplainCredentials(err, e.token)
}

func (e credentialsExternal[T]) Create(ctx context.Context, obj T) (int64, error) {
	id, err := e.External.Create(ctx, obj)
	return id, ExplainCredentials(err, e.token)
}

func (e credentialsExternal[T]) Delete(ctx context.Context, obj T, id int64) error {
	return ExplainCredentials(e.External.Delete(ctx, obj, id), e.token)
}

// Explain names the Secret of the token in err when 3scale refused it (for errors of the plan's
// operations, which run outside the External's methods).
func (e credentialsExternal[T]) Explain(err error) error {
	if x, ok := e.External.(explainer); ok {
		err = x.Explain(err)
	}
	return ExplainCredentials(err, e.token)
}

// explainer is an External that can say more about an error of its plan's operations; a kind's
// External may implement it to turn its operations' errors into the loop's classes.
type explainer interface{ Explain(error) error }
