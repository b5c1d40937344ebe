package tenant

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

// Names of the Secrets and keys the lookup reads.
const (
	// DefaultSecretName is the provider-account Secret used when spec.providerAccountRef is unset.
	DefaultSecretName = "threescale-provider-account"
	// AdminURLKey is the key of a provider-account Secret that holds the tenant's admin URL.
	AdminURLKey = "adminURL"
	// TokenKey is the key of a provider-account Secret that holds an access token of the tenant.
	TokenKey = "token"
	// SystemSeedSecretName is the Secret of an APIManager that holds its default tenant's token.
	SystemSeedSecretName = "system-seed"
	// SystemSeedTokenKey is the key of the system-seed Secret that holds that token.
	SystemSeedTokenKey = "ADMIN_ACCESS_TOKEN"
)

// SecretKey names one key of one Secret: where a credential was read from.
type SecretKey struct {
	// Namespace and Name identify the Secret.
	Namespace, Name string
	// Key is the key of the Secret.
	Key string
}

// String returns "namespace/name key <key>", the form condition messages use.
func (s SecretKey) String() string {
	return fmt.Sprintf("%s/%s key %q", s.Namespace, s.Name, s.Key)
}

// Credentials are what a client needs to reach one tenant, and where they came from.
type Credentials struct {
	// AdminURL is the tenant's admin portal URL, the base of its Account Management API.
	AdminURL string
	// Token is the Secret key the token was read from, named in messages when 3scale refuses it.
	Token SecretKey
	// InsecureSkipVerify turns TLS verification off; the caller sets it from the object's
	// insecure_skip_verify annotation, never the lookup.
	InsecureSkipVerify bool

	token string
}

// NewCredentials returns Credentials for adminURL and token, read from source.
func NewCredentials(adminURL, token string, source SecretKey) Credentials {
	return Credentials{AdminURL: adminURL, Token: source, token: token}
}

// AccessToken returns the token itself. Never log it.
func (c Credentials) AccessToken() string { return c.token }

// String describes the credentials without the token, so that %v and %+v are safe in logs.
func (c Credentials) String() string {
	return fmt.Sprintf("{adminURL: %s, token: secret %s}", c.AdminURL, c.Token)
}

// GoString is String, so that %#v is safe too.
func (c Credentials) GoString() string { return c.String() }

// A Resolver finds the tenant of a capability object.
type Resolver struct {
	// Reader reads Secrets and APIManagers. Controllers pass the manager's API reader, so that
	// Secrets are read on demand and never held in an informer cache.
	Reader client.Reader
}

// Resolve returns the credentials of the tenant for an object in namespace whose
// spec.providerAccountRef is ref (nil when unset).
func (r Resolver) Resolve(ctx context.Context, namespace string, ref *corev1.LocalObjectReference) (Credentials, error) {
	if ref != nil && ref.Name != "" {
		return r.fromProviderSecret(ctx, namespace, ref.Name, "spec.providerAccountRef")
	}
	creds, err := r.fromProviderSecret(ctx, namespace, DefaultSecretName, "default provider account")
	if err == nil || !IsMissing(err) {
		return creds, err
	}
	return r.fromAPIManager(ctx, namespace)
}

// SecretNames returns the names of the Secrets that Resolve may read for an object whose
// spec.providerAccountRef is ref: the ones whose change may change its tenant. Controllers index
// objects by them to map Secret events back to objects.
func SecretNames(ref *corev1.LocalObjectReference) []string {
	if ref != nil && ref.Name != "" {
		return []string{ref.Name}
	}
	return []string{DefaultSecretName, SystemSeedSecretName}
}

// SameProviderAccount tells whether two objects of one namespace, whose spec.providerAccountRef are
// a and b, belong to the same tenant: both name the same Secret, or neither names one.
func SameProviderAccount(a, b *corev1.LocalObjectReference) bool {
	name := func(r *corev1.LocalObjectReference) string {
		if r == nil {
			return ""
		}
		return r.Name
	}
	return name(a) == name(b)
}

func (r Resolver) fromProviderSecret(ctx context.Context, namespace, name, purpose string) (Credentials, error) {
	secret, err := r.secret(ctx, namespace, name, purpose)
	if err != nil {
		return Credentials{}, err
	}
	adminURL, err := value(secret, AdminURLKey)
	if err != nil {
		return Credentials{}, err
	}
	if err := checkAdminURL(adminURL); err != nil {
		return Credentials{}, &SecretKeyError{Namespace: namespace, Name: name, Key: AdminURLKey, Problem: err.Error()}
	}
	token, err := value(secret, TokenKey)
	if err != nil {
		return Credentials{}, err
	}
	return NewCredentials(adminURL, token, SecretKey{Namespace: namespace, Name: name, Key: TokenKey}), nil
}

func (r Resolver) fromAPIManager(ctx context.Context, namespace string) (Credentials, error) {
	var list appsv1alpha1.APIManagerList
	err := r.Reader.List(ctx, &list, client.InNamespace(namespace))
	if err != nil && !meta.IsNoMatchError(err) { // no APIManager CRD: a capabilities-only install
		return Credentials{}, fmt.Errorf("cannot list APIManagers in namespace %s: %w", namespace, err)
	}
	if len(list.Items) == 0 {
		return Credentials{}, &NoProviderAccountError{Namespace: namespace}
	}
	// A namespace holds one APIManager; should there be more, the oldest wins so that the choice
	// does not change from one reconcile to the next.
	apim := slices.MinFunc(list.Items, func(a, b appsv1alpha1.APIManager) int {
		if c := a.CreationTimestamp.Compare(b.CreationTimestamp.Time); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	secret, err := r.secret(ctx, namespace, SystemSeedSecretName, "APIManager "+apim.Name)
	if err != nil {
		return Credentials{}, err
	}
	token, err := value(secret, SystemSeedTokenKey)
	if err != nil {
		return Credentials{}, err
	}
	return NewCredentials(apim.AdminURL(), token,
		SecretKey{Namespace: namespace, Name: SystemSeedSecretName, Key: SystemSeedTokenKey}), nil
}

func (r Resolver) secret(ctx context.Context, namespace, name, purpose string) (*corev1.Secret, error) {
	var s corev1.Secret
	err := r.Reader.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, &s)
	switch {
	case apierrors.IsNotFound(err):
		return nil, &MissingSecretError{Namespace: namespace, Name: name, Purpose: purpose}
	case err != nil:
		return nil, fmt.Errorf("cannot read secret %s/%s: %w", namespace, name, err)
	}
	return &s, nil
}

// value returns the trimmed value of key: a token pasted with a trailing newline ("echo token |
// base64") is a common mistake that 3scale would answer with 403.
func value(s *corev1.Secret, key string) (string, error) {
	raw, ok := s.Data[key]
	if !ok {
		if v, ok2 := s.StringData[key]; ok2 { // only set on objects not read back from the API
			raw, ok = []byte(v), true
		}
	}
	if !ok {
		return "", &SecretKeyError{Namespace: s.Namespace, Name: s.Name, Key: key, Problem: "is missing"}
	}
	v := strings.TrimSpace(string(raw))
	if v == "" {
		return "", &SecretKeyError{Namespace: s.Namespace, Name: s.Name, Key: key, Problem: "is empty"}
	}
	return v, nil
}

// checkAdminURL reports why u cannot be an admin URL. The message never quotes u, which may be a
// token pasted in the wrong key.
func checkAdminURL(u string) error {
	parsed, err := url.Parse(u)
	switch {
	case err != nil:
		return errors.New("is not a URL")
	case parsed.Scheme != "http" && parsed.Scheme != "https":
		return errors.New("is not an http or https URL")
	case parsed.Host == "":
		return errors.New("has no host")
	case parsed.User != nil:
		return errors.New("must not contain credentials")
	}
	return nil
}
