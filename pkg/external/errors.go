package external

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/tenant"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// An InvalidError says the spec cannot be applied as written. The loop reports it in the Invalid
// condition and does not retry until the spec changes.
type InvalidError struct {
	// Message says what is wrong, naming the field or reference at fault.
	Message string
	// Recheck says the fault lies outside the cluster and may be fixed there without the spec
	// changing (a URL that answers 404, a document too large): the error is Rejected rather than
	// Invalid, so the object is tried again at the poll interval. No watch would bring it back.
	Recheck bool
}

// Error implements error.
func (e *InvalidError) Error() string { return e.Message }

// Invalidf returns an *InvalidError with a formatted message.
func Invalidf(format string, args ...any) error {
	return &InvalidError{Message: fmt.Sprintf(format, args...)}
}

// A WaitingError says the object waits for something outside it: a referenced object that does
// not exist or is not synced yet, or an entity that must go first. The loop reports it (in the
// Orphan condition when the kind has one) and tries again after a short delay; watches usually
// bring it back sooner.
type WaitingError struct {
	// Reason is the CamelCase condition reason, e.g. "BackendNotFound"; ReasonWaiting when empty.
	Reason string
	// Message says what is awaited, naming it.
	Message string
	// After overrides the loop's delay before trying again, when positive.
	After time.Duration
}

// Error implements error.
func (e *WaitingError) Error() string { return e.Message }

// Waitingf returns a *WaitingError with reason and a formatted message.
func Waitingf(reason, format string, args ...any) error {
	return &WaitingError{Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// A ConflictError says that another object already manages the entity this object would
// manage. The loop reports it as Failed with reason Conflict and writes nothing to the entity.
type ConflictError struct {
	// Holder names the object that manages the entity, as "Kind namespace/name".
	Holder string
	// Entity names the entity, e.g. "3scale entity 42 of https://t-admin.example.com".
	Entity string
}

// Error implements error.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("%s is already managed by %s; this object makes no change to it until %s is deleted (or changes its spec)", e.Entity, e.Holder, e.Holder)
}

// A Class is what the loop does about an error.
type Class int

const (
	// Transient errors may pass by themselves (3scale unreachable, 5xx, 429, timeouts, and
	// anything not known to be permanent): Failed, and the error goes back to the work queue,
	// which backs off.
	Transient Class = iota
	// Invalid errors need a spec change (an *InvalidError, found without calling 3scale):
	// Invalid, a Warning event, and no retry until the spec changes.
	Invalid
	// Rejected errors are a spec 3scale refused (a 422 or 400): Invalid with 3scale's message, a
	// Warning event, and a retry at the poll interval, since 3scale may accept the same spec
	// later (a name still held by an entity it deletes in the background).
	Rejected
	// Waiting errors need something else to happen first (a *WaitingError, a missing tenant
	// Secret, a deletion 3scale refuses for now): Orphan or waiting, retried after a short delay.
	Waiting
	// Unauthorized errors need new credentials (3scale answered 401 or 403, or the tenant Secret
	// is unusable): Failed with a message naming the Secret; retried at the poll interval and
	// whenever the Secret changes.
	Unauthorized
	// Stale is a write to the Kubernetes API from a stale copy (409): requeued at once, without
	// a condition or event, since it says nothing about the object.
	Stale
	// Conflict is an entity another object manages (a *ConflictError): Failed with reason
	// Conflict, retried at the poll interval.
	Conflict
)

// String returns the class name.
func (c Class) String() string {
	switch c {
	case Transient:
		return "Transient"
	case Invalid:
		return "Invalid"
	case Rejected:
		return "Rejected"
	case Waiting:
		return "Waiting"
	case Unauthorized:
		return "Unauthorized"
	case Stale:
		return "Stale"
	case Conflict:
		return "Conflict"
	}
	return fmt.Sprintf("Class(%d)", int(c))
}

// Classify sorts err into the Class that says what the loop does about it. It is the only place
// that decides, so every capability kind treats the same failure the same way.
func Classify(err error) Class {
	var invalid *InvalidError
	var waiting *WaitingError
	var api *threescale.APIError
	var conflict *ConflictError
	switch {
	case errors.As(err, &conflict):
		return Conflict
	case errors.As(err, &invalid) && invalid.Recheck:
		return Rejected
	case errors.As(err, &invalid), planning.IsInvalid(err), tenant.IsNotAllowed(err):
		return Invalid
	case errors.As(err, &waiting), tenant.IsMissing(err):
		return Waiting
	case tenant.IsBadSecret(err):
		return Unauthorized
	case apierrors.IsConflict(err):
		return Stale
	case !errors.As(err, &api):
		return Transient
	}
	switch {
	case api.StatusCode == http.StatusUnprocessableEntity, api.StatusCode == http.StatusBadRequest:
		return Rejected
	case threescale.IsUnprocessable(err):
		// A 403 with field errors is a deletion 3scale refuses while something still uses the
		// entity (a limit of a plan, a product using a backend): that other thing has to change
		// first, and may well change without this spec changing.
		return Waiting
	case threescale.IsUnauthorized(err):
		return Unauthorized
	}
	return Transient
}

// asWaiting returns the *WaitingError err is or wraps, or nil.
func asWaiting(err error) *WaitingError {
	var w *WaitingError
	if errors.As(err, &w) {
		return w
	}
	return nil
}

// waitingReason is the condition reason of a Waiting error.
func waitingReason(err error) string {
	if w := asWaiting(err); w != nil && w.Reason != "" {
		return w.Reason
	}
	if tenant.IsMissing(err) {
		return ReasonProviderAccountNotFound
	}
	return ReasonWaiting
}
