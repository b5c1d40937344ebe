package document

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/tenant"
)

// ReasonSecretNotFound is the condition reason of an object waiting for the Secret that holds its
// document.
const ReasonSecretNotFound = "SecretNotFound"

// A Document is the content of a document reference.
type Document struct {
	// Content is the document as stored (JSON or YAML), not parsed.
	Content []byte
	// Hash is a stable hash of Content ("sha256:" and the hex digest): equal hashes mean equal
	// bytes, so a caller that remembers the hash it last used can skip parsing and planning.
	Hash string
	// Source says where the document came from, for messages: "secret ns/name (key k)" or the
	// URL (without its password).
	Source string
	// NotModified is true when the URL answered 304 to the conditional request: Content is what
	// the Fetcher last fetched from it (for any object), unchanged since.
	NotModified bool
}

// Hash returns the hash of content that Document.Hash holds.
func Hash(content []byte) string {
	sum := sha256.Sum256(content)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// A Loader loads the documents of capability objects. Its zero value is not usable: Secrets is
// required, and Fetcher is required to load URLs.
type Loader struct {
	// Secrets reads the Secrets documents are stored in.
	Secrets tenant.SecretReader
	// Fetcher fetches the documents at URLs; share one between kinds, so that its cache (one
	// entry per URL) serves every object that references the same URL.
	Fetcher *Fetcher
}

// Load returns the document ref references, for an object of namespace ns; field names ref in
// messages (e.g. "spec.openapiRef").
func (l Loader) Load(ctx context.Context, ns string, ref capabilitiesv1beta1.OpenAPIRefSpec, field string) (Document, error) {
	switch {
	case ref.SecretRef != nil && ref.URL != nil:
		return Document{}, external.Invalidf("%s: set secretRef or url, not both", field)
	case ref.SecretRef != nil:
		return l.fromSecret(ctx, ns, *ref.SecretRef, field+".secretRef")
	case ref.URL != nil:
		if l.Fetcher == nil {
			return Document{}, errors.New("document: no Fetcher to load URLs with")
		}
		return l.Fetcher.Fetch(ctx, *ref.URL)
	}
	return Document{}, external.Invalidf("%s: set secretRef or url", field)
}

// fromSecret returns the one value of the Secret ref, whatever its key: the existing operator
// reads it so, and users name the key after the file they created the Secret from.
func (l Loader) fromSecret(ctx context.Context, ns string, ref corev1.ObjectReference, field string) (Document, error) {
	if ref.Name == "" {
		return Document{}, external.Invalidf("%s: name is required", field)
	}
	data, nn, err := l.Secrets.Data(ctx, ns, corev1.SecretReference{Namespace: ref.Namespace, Name: ref.Name}, field)
	if tenant.IsMissing(err) {
		// Waiting, with a reason of its own: left as it is, the loop would say the provider
		// account is missing.
		return Document{}, &external.WaitingError{Reason: ReasonSecretNotFound,
			Message: fmt.Sprintf("%s: secret %s, which holds the document, not found", field, nn)}
	}
	if err != nil {
		return Document{}, err
	}
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	switch len(keys) {
	case 0:
		return Document{}, external.Invalidf("%s: secret %s has no value; it must hold exactly one key, whose value is the document", field, nn)
	case 1:
	default:
		return Document{}, external.Invalidf("%s: secret %s has %d keys (%s); it must hold exactly one key, whose value is the document",
			field, nn, len(keys), strings.Join(keys, ", "))
	}
	content := data[keys[0]]
	if len(content) == 0 {
		return Document{}, external.Invalidf("%s: key %q of secret %s is empty; its value must be the document", field, keys[0], nn)
	}
	return Document{Content: content, Hash: Hash(content), Source: fmt.Sprintf("secret %s (key %s)", nn, keys[0])}, nil
}
