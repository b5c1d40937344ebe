package tenant

import (
	"errors"
	"fmt"
)

// A MissingSecretError says a Secret the lookup needs does not exist (yet). Creating it is enough
// to go on: controllers watch Secrets and retry.
type MissingSecretError struct {
	// Namespace and Name identify the Secret.
	Namespace, Name string
	// Purpose says why it was read, e.g. "spec.providerAccountRef".
	Purpose string
}

// Error implements error.
func (e *MissingSecretError) Error() string {
	return fmt.Sprintf("secret %s/%s (%s) not found", e.Namespace, e.Name, e.Purpose)
}

// A SecretKeyError says a Secret exists but one of its keys is missing, empty or unusable.
type SecretKeyError struct {
	// Namespace and Name identify the Secret.
	Namespace, Name string
	// Key is the key at fault.
	Key string
	// Problem says what is wrong with it, e.g. "is missing".
	Problem string
}

// Error implements error. It never quotes the value of the key.
func (e *SecretKeyError) Error() string {
	return fmt.Sprintf("key %q of secret %s/%s %s", e.Key, e.Namespace, e.Name, e.Problem)
}

// A NoProviderAccountError says the namespace offers no tenant at all: no providerAccountRef, no
// "threescale-provider-account" Secret and no APIManager.
type NoProviderAccountError struct {
	// Namespace is the namespace that was searched.
	Namespace string
}

// Error implements error.
func (e *NoProviderAccountError) Error() string {
	return fmt.Sprintf("no 3scale provider account in namespace %s: set spec.providerAccountRef, or create the secret %q with the keys %q and %q, or deploy an APIManager",
		e.Namespace, DefaultSecretName, AdminURLKey, TokenKey)
}

// IsMissing reports whether err says something the lookup needs does not exist yet (a Secret, or
// any provider account): the caller should wait for it rather than report a broken spec.
func IsMissing(err error) bool {
	var ms *MissingSecretError
	var np *NoProviderAccountError
	return errors.As(err, &ms) || errors.As(err, &np)
}

// IsBadSecret reports whether err says a Secret exists but its content cannot be used.
func IsBadSecret(err error) bool {
	var ke *SecretKeyError
	return errors.As(err, &ke)
}
