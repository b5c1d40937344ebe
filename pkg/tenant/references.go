package tenant

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// AllowReferencesFromAnnotation, on a Secret, lists the namespaces (comma-separated, or "*" for
// all) whose capability objects may reference it. Without it, a Secret is referenced only from its
// own namespace: an object must not make the operator read a Secret its author cannot read, and
// push its content into 3scale where that author could read it back. It plays the part of Gateway
// API's ReferenceGrant, on the Secret itself.
const AllowReferencesFromAnnotation = "capabilities.3scale.net/allow-references-from"

// A SecretReader is the one place where capability objects read the Secrets they reference.
type SecretReader struct {
	// Metadata reads Secret metadata; controllers give it the manager's client, whose cache
	// holds Secret metadata only (the controllers watch Secrets by metadata), so that the opt-in
	// of a Secret in another namespace is checked without reading the Secret.
	Metadata client.Reader
	// Reader reads Secrets on demand; controllers give it the manager's API reader, so that
	// Secret data is never cached.
	Reader client.Reader
}

// A ReferenceNotAllowedError says an object references a Secret of another namespace that does
// not allow it. The Secret was not read.
type ReferenceNotAllowedError struct {
	// From is the namespace of the referencing object.
	From string
	// Secret is the referenced Secret.
	Secret types.NamespacedName
	// Field is the referencing field, e.g. "spec.policies[0].configurationRef".
	Field string
}

// Error implements error.
func (e *ReferenceNotAllowedError) Error() string {
	return fmt.Sprintf("%s references secret %s, in another namespace, which does not allow references from namespace %s: use a secret of namespace %s, or annotate the secret with %s=%s",
		e.Field, e.Secret, e.From, e.From, AllowReferencesFromAnnotation, e.From)
}

// IsNotAllowed reports whether err is or wraps a *ReferenceNotAllowedError.
func IsNotAllowed(err error) bool {
	var e *ReferenceNotAllowedError
	return errors.As(err, &e)
}

// Value returns key of the Secret ref (namespace defaulting to from) that field of an object of
// namespace from references. A Secret of another namespace is read only when it allows from
// (AllowReferencesFromAnnotation). A Secret or key that does not exist (yet) is a
// *MissingSecretError or *SecretKeyError.
func (r SecretReader) Value(ctx context.Context, from string, ref corev1.SecretReference, field, key string) (string, error) {
	data, nn, err := r.Data(ctx, from, ref, field)
	if err != nil {
		return "", err
	}
	v, ok := data[key]
	if !ok || len(v) == 0 {
		return "", &SecretKeyError{Namespace: nn.Namespace, Name: nn.Name, Key: key, Problem: "is missing or empty"}
	}
	return string(v), nil
}

// Data returns all the data of the Secret ref (namespace defaulting to from) that field of an
// object of namespace from references, and the Secret's full name, for callers that do not know
// its keys (a document is a Secret's one value, whatever its key). The rules of Value apply: a
// Secret of another namespace is read only when it allows from, a missing one is a
// *MissingSecretError.
func (r SecretReader) Data(ctx context.Context, from string, ref corev1.SecretReference, field string) (map[string][]byte, types.NamespacedName, error) {
	nn := types.NamespacedName{Namespace: ref.Namespace, Name: ref.Name}
	if nn.Namespace == "" {
		nn.Namespace = from
	}
	if nn.Namespace != from {
		allowed, err := r.allows(ctx, nn, from)
		if err != nil {
			return nil, nn, err
		}
		if !allowed {
			return nil, nn, &ReferenceNotAllowedError{From: from, Secret: nn, Field: field}
		}
	}
	var s corev1.Secret
	err := r.Reader.Get(ctx, nn, &s)
	switch {
	case apierrors.IsNotFound(err):
		return nil, nn, &MissingSecretError{Namespace: nn.Namespace, Name: nn.Name, Purpose: field}
	case err != nil:
		return nil, nn, fmt.Errorf("cannot read secret %s (%s): %w", nn, field, err)
	}
	return s.Data, nn, nil
}

// allows tells whether the Secret nn allows references from namespace from, reading its metadata
// only. A Secret that does not exist allows nothing (yet): it is waited for.
func (r SecretReader) allows(ctx context.Context, nn types.NamespacedName, from string) (bool, error) {
	var m metav1.PartialObjectMetadata
	m.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	err := r.Metadata.Get(ctx, nn, &m)
	if err != nil && !apierrors.IsNotFound(err) && r.Reader != nil {
		// The cache does not cover that namespace (the operator watches only some): ask the API
		// server for the metadata alone, which still does not read the Secret's data.
		err = r.Reader.Get(ctx, nn, &m)
	}
	switch {
	case apierrors.IsNotFound(err):
		return false, &MissingSecretError{Namespace: nn.Namespace, Name: nn.Name, Purpose: "a reference from namespace " + from}
	case err != nil:
		return false, fmt.Errorf("cannot read the metadata of secret %s: %w", nn, err)
	}
	return AllowsNamespace(m.GetAnnotations()[AllowReferencesFromAnnotation], from), nil
}

// AllowsNamespace tells whether the value of AllowReferencesFromAnnotation allows namespace ns.
func AllowsNamespace(value, ns string) bool {
	return slices.ContainsFunc(strings.Split(value, ","), func(s string) bool {
		s = strings.TrimSpace(s)
		return s == "*" || s == ns
	})
}
