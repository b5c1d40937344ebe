package threescale

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"
)

// RetryPolicy says how a Client retries calls that failed with a transient error (IsTransient).
//
// Idempotent operations (GET, PUT, DELETE, and the PATCH calls 3scale offers, which set fields)
// are retried on any transient error. Creations (POST) are retried only when 3scale provably did
// not process them: a 429, or a connection that was never established. A POST that timed out or
// got a 5xx may have created the object, so the caller (which looks objects up by system_name
// before creating them) decides.
type RetryPolicy struct {
	// MaxAttempts is the number of attempts in total, the first included; 1 disables retries.
	MaxAttempts int
	// BaseDelay is the backoff before the second attempt; it doubles each attempt.
	BaseDelay time.Duration
	// MaxDelay caps the backoff.
	MaxDelay time.Duration
	// MaxRetryAfter caps how long a Retry-After header may make the Client wait. A longer
	// Retry-After returns the error at once, so that the controller's work queue, not a blocked
	// worker, does the waiting.
	MaxRetryAfter time.Duration
}

// DefaultRetryPolicy returns the policy a Client uses unless WithRetryPolicy says otherwise:
// 4 attempts, 200ms doubling to at most 5s, Retry-After honoured up to 30s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 4, BaseDelay: 200 * time.Millisecond, MaxDelay: 5 * time.Second, MaxRetryAfter: 30 * time.Second}
}

func (p RetryPolicy) validate() error {
	switch {
	case p.MaxAttempts < 1:
		return fmt.Errorf("threescale: retry policy needs at least 1 attempt, got %d", p.MaxAttempts)
	case p.BaseDelay < 0 || p.MaxDelay < 0 || p.MaxRetryAfter < 0:
		return errors.New("threescale: retry policy delays must not be negative")
	case p.MaxDelay < p.BaseDelay:
		return errors.New("threescale: retry policy MaxDelay is below BaseDelay")
	}
	return nil
}

// next decides whether the call of op that failed with err on attempt (1-based) is retried, and
// after how long.
func (p RetryPolicy) next(op *operation, attempt int, err error) (time.Duration, bool) {
	if attempt >= p.MaxAttempts || !IsTransient(err) {
		return 0, false
	}
	if !op.Idempotent() && !notProcessed(err) {
		return 0, false
	}
	if e, ok := asAPIError(err); ok && e.RetryAfter > 0 {
		if e.RetryAfter > p.MaxRetryAfter {
			return 0, false
		}
		return e.RetryAfter, true
	}
	return p.backoff(attempt), true
}

// backoff is exponential with "equal jitter": half of the delay is fixed, half random, so that
// many workers retrying at once spread out, yet none retries immediately.
func (p RetryPolicy) backoff(attempt int) time.Duration {
	d := p.BaseDelay
	for i := 1; i < attempt && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, p.MaxDelay)
	if d <= 0 {
		return 0
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// notProcessed reports whether a failed request provably changed nothing in 3scale.
func notProcessed(err error) bool {
	if e, ok := asAPIError(err); ok {
		return e.StatusCode == http.StatusTooManyRequests
	}
	return notSent(err)
}
