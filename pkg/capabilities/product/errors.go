package product

import (
	"errors"
	"fmt"
)

// A MissingBackendError says that backendUsages names a backend that has no 3scale ID yet: its
// Backend object does not exist or is not synced. The product waits for it (the Orphan
// condition).
type MissingBackendError struct {
	// SystemName is the backend's system name, as backendUsages spells it.
	SystemName string
}

// Error implements error.
func (e *MissingBackendError) Error() string {
	return fmt.Sprintf("backend %q of spec.backendUsages is not synced in 3scale yet", e.SystemName)
}

// IsMissingBackend reports whether err is or wraps a *MissingBackendError.
func IsMissingBackend(err error) bool {
	var e *MissingBackendError
	return errors.As(err, &e)
}
