package threescale

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// APIError is an HTTP error response from 3scale.
type APIError struct {
	// Operation is the operation key, e.g. "PUT /admin/api/services/{id}.json".
	Operation string
	// Path is the request path. Path parameters that are credentials (application keys) are left
	// as their template name.
	Path string
	// StatusCode is the HTTP status code.
	StatusCode int
	// Message is 3scale's error text: the "error" or "status" member of its JSON body, or a short
	// plain-text body.
	Message string
	// FieldErrors holds 3scale's per-field validation messages ({"errors": {"field": ["msg"]}}).
	// The field "base" carries messages about the object as a whole.
	FieldErrors map[string][]string
	// RetryAfter is the delay the Retry-After header asked for, if any.
	RetryAfter time.Duration
}

// Error describes the failure without any credential: the token is never part of a request URL,
// and any echo of it in a response body is redacted.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "3scale %s (%s): %d %s", e.Operation, e.Path, e.StatusCode, http.StatusText(e.StatusCode))
	if e.StatusCode == http.StatusForbidden && len(e.FieldErrors) == 0 && !strings.EqualFold(e.Message, "forbidden") {
		// A 403 has many causes in 3scale (a token without the scope, a read-only token, a user
		// without the permission, a plan limit reached); say what 3scale said, and nothing more.
		b.WriteString(": forbidden")
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if len(e.FieldErrors) > 0 {
		b.WriteString(": ")
		b.WriteString(formatFieldErrors(e.FieldErrors))
	}
	return b.String()
}

func formatFieldErrors(fe map[string][]string) string {
	fields := make([]string, 0, len(fe))
	for f := range fe {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	parts := make([]string, 0, len(fields))
	for _, f := range fields {
		parts = append(parts, fmt.Sprintf("%s %s", f, strings.Join(fe[f], ", ")))
	}
	return strings.Join(parts, "; ")
}

// TransportError is a call that produced no HTTP response: connection refused or reset, DNS
// failure, TLS failure, timeout, or a context that ended.
type TransportError struct {
	// Operation is the operation key.
	Operation string
	// Path is the request path, as in APIError.
	Path string
	// Err is the cause, stripped of the *url.Error wrapper (whose text repeats the full URL).
	Err error
}

// Error implements error.
func (e *TransportError) Error() string {
	return fmt.Sprintf("3scale %s (%s): %v", e.Operation, e.Path, e.Err)
}

// Unwrap returns the cause, so that errors.Is(err, context.DeadlineExceeded) works.
func (e *TransportError) Unwrap() error { return e.Err }

// attemptTimeoutError is one HTTP attempt that outlived its bound (the read or the request
// timeout) while the caller was still waiting. It is a context.DeadlineExceeded, so IsTransient
// counts it and the retry policy sends a timed-out read again; a timed-out POST is not resent,
// since 3scale may have processed it.
type attemptTimeoutError struct {
	bound string // "read timeout" or "request timeout"
	after time.Duration
	cause error
}

func (e *attemptTimeoutError) Error() string {
	return fmt.Sprintf("no answer within the %s of %s", e.bound, e.after)
}

// Is makes errors.Is(err, context.DeadlineExceeded) hold whatever the transport returned.
func (e *attemptTimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// Timeout marks the error as a timeout for callers that look for net.Error.
func (e *attemptTimeoutError) Timeout() bool { return true }

func (e *attemptTimeoutError) Unwrap() error { return e.cause }

func newTransportError(op *operation, p expandedPath, err error) *TransportError {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &TransportError{Operation: op.Key, Path: p.display, Err: err}
}

// errorBody covers the error shapes 3scale answers with: {"errors": {...}} from validations,
// {"error": "..."} from render_error, {"status": "Not found"} from a missing record.
type errorBody struct {
	Errors json.RawMessage `json:"errors"`
	Error  string          `json:"error"`
	Status string          `json:"status"`
}

func newAPIError(op *operation, p expandedPath, resp *http.Response, body []byte, token string) *APIError {
	e := &APIError{Operation: op.Key, Path: p.display, StatusCode: resp.StatusCode}
	e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())

	var eb errorBody
	if json.Unmarshal(body, &eb) == nil {
		e.Message = firstNonEmpty(eb.Error, eb.Status)
		e.FieldErrors = parseFieldErrors(eb.Errors)
	} else if text := strings.TrimSpace(string(body)); text != "" && !strings.HasPrefix(text, "<") {
		// A short plain-text body ("unauthorized" from the Master API); HTML error pages of a
		// proxy in front of 3scale say nothing the status code does not.
		e.Message = truncate(text, 200)
	}
	e.Message = redact(e.Message, token)
	for f, msgs := range e.FieldErrors {
		for i := range msgs {
			msgs[i] = redact(msgs[i], token)
		}
		e.FieldErrors[f] = msgs
	}
	return e
}

// parseFieldErrors reads 3scale's "errors" member: an object of field to messages (a message may
// also be a bare string), or, from a few endpoints, a list of messages about the whole object.
func parseFieldErrors(raw json.RawMessage) map[string][]string {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var byField map[string]json.RawMessage
	if json.Unmarshal(raw, &byField) == nil {
		out := make(map[string][]string, len(byField))
		for f, v := range byField {
			var msgs []string
			if json.Unmarshal(v, &msgs) != nil {
				var one string
				if json.Unmarshal(v, &one) != nil {
					one = string(v)
				}
				msgs = []string{one}
			}
			out[f] = msgs
		}
		return out
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil && len(list) > 0 {
		return map[string][]string{"base": list}
	}
	return nil
}

func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func redact(s, token string) string {
	if token == "" || s == "" {
		return s
	}
	return strings.ReplaceAll(s, token, "[redacted]")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func asAPIError(err error) (*APIError, bool) {
	var e *APIError
	ok := errors.As(err, &e)
	return e, ok
}

// IsNotFound reports whether 3scale answered 404: the object (or its parent) does not exist.
func IsNotFound(err error) bool {
	e, ok := asAPIError(err)
	return ok && e.StatusCode == http.StatusNotFound
}

// IsUnprocessable reports whether 3scale refused the request as invalid: a 422 with per-field
// messages, or a refused deletion (3scale answers a DELETE its validations refuse with 403 and the
// same {"errors": ...} body, e.g. deleting a metric that a limit still uses).
func IsUnprocessable(err error) bool {
	e, ok := asAPIError(err)
	if !ok {
		return false
	}
	return e.StatusCode == http.StatusUnprocessableEntity ||
		(e.StatusCode == http.StatusForbidden && len(e.FieldErrors) > 0)
}

// FieldErrors returns 3scale's per-field messages of an unprocessable error, or nil.
func FieldErrors(err error) map[string][]string {
	if e, ok := asAPIError(err); ok {
		return e.FieldErrors
	}
	return nil
}

// IsUnauthorized reports whether 3scale refused the credentials: 401, or 403 for a token that is
// wrong, lacks a scope, or is read-only. A 403 carrying field errors is a refused deletion
// (IsUnprocessable), not a credentials problem. It is IsForbidden or a 401; IsTokenRefused is
// narrower, and says whether another token could help.
func IsUnauthorized(err error) bool {
	e, ok := asAPIError(err)
	if !ok {
		return false
	}
	return e.StatusCode == http.StatusUnauthorized ||
		(e.StatusCode == http.StatusForbidden && len(e.FieldErrors) == 0)
}

// IsForbidden reports whether 3scale answered 403 for any reason other than failed validations
// (IsUnprocessable): a token that is refused or lacks a scope or write access, a user without the
// permission, a feature the account's plan does not include.
func IsForbidden(err error) bool {
	e, ok := asAPIError(err)
	return ok && e.StatusCode == http.StatusForbidden && len(e.FieldErrors) == 0
}

// IsTokenRefused reports whether 3scale refused the access token itself: a 401, or a 403 whose
// message is about the token. Other 403s (IsForbidden) are about what the token's user may do,
// or what the account may have, and a new token would not help.
//
// 3scale/porta answers:
//   - 401 "unauthorized" (plain text) from the Master API for a missing or wrong token
//     (app/controllers/master/api/providers_controller.rb, authenticate_access_token);
//   - 403 {"error":"Access denied"} from provider_required when no account matches the token
//     (app/lib/filters/provider_required.rb); force_provider_or_master_domain answers the same to a
//     request on a host that is no admin domain, which no token can fix, but the two cannot be told
//     apart;
//   - 403 {"error":"Your access token does not have the correct permissions"} for a token without
//     the scope or, on a write, without read-write permission
//     (app/lib/api_authentication/by_access_token.rb, show_access_key_permission_error).
//
// Whereas 403 {"status":"Forbidden"} (CanCan::AccessDenied, app/controllers/concerns/error_handling.rb)
// and a bare 403 (e.g. services_controller.rb when the plan allows no more services) are not about
// the token.
func IsTokenRefused(err error) bool {
	e, ok := asAPIError(err)
	if !ok {
		return false
	}
	switch {
	case e.StatusCode == http.StatusUnauthorized:
		return true
	case e.StatusCode != http.StatusForbidden || len(e.FieldErrors) > 0:
		return false
	}
	msg := strings.ToLower(e.Message)
	return msg == "access denied" || strings.Contains(msg, "access token")
}

// IsConflict reports whether 3scale answered 409: a uniqueness race in its database (two
// concurrent creates of the same system_name).
func IsConflict(err error) bool {
	e, ok := asAPIError(err)
	return ok && e.StatusCode == http.StatusConflict
}

// IsTransient reports whether err may go away by itself: 5xx, 429, timeouts and connection errors.
// A caller's cancelled context is not transient; a deadline that passed is.
func IsTransient(err error) bool {
	if err == nil {
		return false
	}
	if e, ok := asAPIError(err); ok {
		return e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
	}
	if errors.Is(err, context.Canceled) {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var te *TransportError
	if !errors.As(err, &te) {
		return false
	}
	// A certificate 3scale's CA bundle does not vouch for will not become valid by retrying.
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	if errors.As(err, &certErr) || errors.As(err, &unknownCA) || errors.As(err, &hostErr) {
		return false
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return true
	}
	var opErr *net.OpError
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &opErr), errors.As(err, &dnsErr):
		return true
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	}
	// TLS and certificate failures, malformed URLs and the like do not heal by retrying.
	return false
}

// notSent reports whether err proves the request never reached 3scale (the connection was never
// established), so that even a non-idempotent call may be sent again.
func notSent(err error) bool {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr)
}
