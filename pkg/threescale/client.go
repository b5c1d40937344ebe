package threescale

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

// Defaults of a Client. They are exported so that callers (flags, docs) can show them.
const (
	// DefaultMaxInFlight bounds the calls one Client (one tenant) has in flight at once.
	DefaultMaxInFlight = 8
	// DefaultRequestTimeout bounds one HTTP attempt, so that a hung 3scale cannot block a
	// reconcile forever; the caller's context can only shorten it. Reads are bounded more
	// tightly still, by DefaultReadTimeout.
	DefaultRequestTimeout = 60 * time.Second
	// DefaultReadTimeout bounds one attempt of a read (GET), far below DefaultRequestTimeout: a
	// read that hangs is safe to give up on and send again (reads are idempotent, and the retry
	// policy retries timeouts of them), while a write that hangs may still be applied by 3scale,
	// so it is given the time it needs.
	DefaultReadTimeout = 10 * time.Second
	// PerPage is the page size used for every paginated list: 3scale's maximum.
	PerPage = 500
	// maxResponseBytes bounds what is read of one response body (ActiveDocs bodies and proxy
	// configs are the largest; both are far below this).
	maxResponseBytes = 64 << 20
)

// Client calls the admin API of one 3scale tenant (or the master account, for the Master API).
// It is safe for concurrent use; create one per tenant and reuse it.
type Client struct {
	base           *url.URL
	token          string
	http           *http.Client
	bounds         *Bounds
	retry          RetryPolicy
	requestTimeout time.Duration
	readTimeout    time.Duration
	metrics        *clientMetrics
	lookups        *lookups
}

// Option configures a Client in New.
type Option func(*config) error

type config struct {
	httpClient     *http.Client
	caBundle       []byte
	insecure       bool
	maxInFlight    int
	bounds         *Bounds
	retry          RetryPolicy
	requestTimeout time.Duration
	readTimeout    time.Duration
	registerer     prometheus.Registerer
	lookupWindow   time.Duration
}

// WithHTTPClient makes the Client send requests with c. Its Transport must be an *http.Transport
// (or nil) when WithCABundle or WithInsecureSkipVerify is also given: those options are applied
// to a clone of it, never to c itself.
func WithHTTPClient(c *http.Client) Option {
	return func(cfg *config) error {
		if c == nil {
			return errors.New("threescale: nil *http.Client")
		}
		cfg.httpClient = c
		return nil
	}
}

// WithCABundle makes the Client trust the PEM-encoded certificates in pem, in addition to the
// system's roots (3scale on OpenShift is often served with a cluster-internal CA).
func WithCABundle(pem []byte) Option {
	return func(cfg *config) error {
		if len(bytes.TrimSpace(pem)) == 0 {
			return errors.New("threescale: empty CA bundle")
		}
		cfg.caBundle = pem
		return nil
	}
}

// WithInsecureSkipVerify turns TLS certificate verification off. It exists only because the
// existing operator offers it (the insecure_skip_verify annotation); it must be asked for
// explicitly, and never happens by default.
func WithInsecureSkipVerify() Option {
	return func(cfg *config) error {
		cfg.insecure = true
		return nil
	}
}

// WithMaxInFlight bounds the calls this Client has in flight at once (default DefaultMaxInFlight).
// Callers waiting for a slot give up when their context ends.
func WithMaxInFlight(n int) Option {
	return func(cfg *config) error {
		if n < 1 {
			return fmt.Errorf("threescale: max in flight must be at least 1, got %d", n)
		}
		cfg.maxInFlight = n
		return nil
	}
}

// WithLookupWindow sets how long a lookup's list serves the lookups that follow it (default
// DefaultLookupWindow); 0 turns the sharing of lookups off.
func WithLookupWindow(d time.Duration) Option {
	return func(cfg *config) error {
		if d < 0 {
			return fmt.Errorf("threescale: negative lookup window %v", d)
		}
		cfg.lookupWindow = d
		return nil
	}
}

// WithRetryPolicy replaces DefaultRetryPolicy.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(cfg *config) error {
		if err := p.validate(); err != nil {
			return err
		}
		cfg.retry = p
		return nil
	}
}

// WithRequestTimeout bounds each HTTP attempt (default DefaultRequestTimeout); 0 means no bound
// other than the caller's context (and, for reads, the read timeout).
func WithRequestTimeout(d time.Duration) Option {
	return func(cfg *config) error {
		if d < 0 {
			return fmt.Errorf("threescale: negative request timeout %s", d)
		}
		cfg.requestTimeout = d
		return nil
	}
}

// WithReadTimeout bounds each HTTP attempt of a read (GET) (default DefaultReadTimeout); 0 leaves
// reads bounded by the request timeout only. The request timeout bounds reads too: a read attempt
// ends at the shorter of the two.
func WithReadTimeout(d time.Duration) Option {
	return func(cfg *config) error {
		if d < 0 {
			return fmt.Errorf("threescale: negative read timeout %s", d)
		}
		cfg.readTimeout = d
		return nil
	}
}

// WithMetricsRegisterer registers the client metrics with r instead of controller-runtime's
// metrics.Registry. Registering the same registerer from many clients is fine.
func WithMetricsRegisterer(r prometheus.Registerer) Option {
	return func(cfg *config) error {
		if r == nil {
			return errors.New("threescale: nil metrics registerer")
		}
		cfg.registerer = r
		return nil
	}
}

// New returns a Client for the 3scale admin portal at adminURL (e.g.
// "https://3scale-admin.apps.example.com"), authenticated with token.
func New(adminURL, token string, opts ...Option) (*Client, error) {
	// Errors about the URL never quote it: a misplaced token (?access_token=...) would leak.
	base, err := url.Parse(strings.TrimSuffix(adminURL, "/"))
	switch {
	case err != nil:
		return nil, errors.New("threescale: admin URL does not parse")
	case base.Scheme != "http" && base.Scheme != "https":
		return nil, errors.New("threescale: admin URL must be http or https")
	case base.Host == "":
		return nil, errors.New("threescale: admin URL has no host")
	case base.User != nil:
		return nil, errors.New("threescale: admin URL must not contain credentials")
	case base.RawQuery != "" || base.ForceQuery || base.Fragment != "":
		return nil, errors.New("threescale: admin URL must not have a query or fragment")
	}
	if token == "" {
		return nil, errors.New("threescale: empty access token")
	}

	cfg := config{
		maxInFlight:    DefaultMaxInFlight,
		retry:          DefaultRetryPolicy(),
		requestTimeout: DefaultRequestTimeout,
		readTimeout:    DefaultReadTimeout,
		registerer:     metrics.Registry,
		lookupWindow:   DefaultLookupWindow,
	}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.bounds == nil {
		if cfg.bounds, err = NewBounds(cfg.maxInFlight, 0, 0); err != nil {
			return nil, err
		}
	}
	cfg.maxInFlight = cfg.bounds.maxInFlight
	hc, err := cfg.buildHTTPClient()
	if err != nil {
		return nil, err
	}
	m, err := registerMetrics(cfg.registerer)
	if err != nil {
		return nil, err
	}
	return &Client{
		base:           base,
		token:          token,
		http:           hc,
		bounds:         cfg.bounds,
		retry:          cfg.retry,
		requestTimeout: cfg.requestTimeout,
		readTimeout:    cfg.readTimeout,
		metrics:        m,
		lookups:        &lookups{window: cfg.lookupWindow},
	}, nil
}

// AdminURL returns the admin URL the Client talks to.
func (c *Client) AdminURL() string { return c.base.String() }

func (cfg *config) buildHTTPClient() (*http.Client, error) {
	needTLS := cfg.caBundle != nil || cfg.insecure
	if cfg.httpClient != nil && !needTLS {
		return cfg.httpClient, nil
	}
	var transport *http.Transport
	switch {
	case cfg.httpClient == nil || cfg.httpClient.Transport == nil:
		transport = http.DefaultTransport.(*http.Transport).Clone()
	default:
		t, ok := cfg.httpClient.Transport.(*http.Transport)
		if !ok {
			return nil, fmt.Errorf("threescale: cannot apply TLS options to transport %T", cfg.httpClient.Transport)
		}
		transport = t.Clone()
	}
	// Keep as many idle connections as calls may be in flight, so that a busy tenant does not
	// open and close a TLS connection per call.
	transport.MaxIdleConnsPerHost = cfg.maxInFlight
	tlsConfig := transport.TLSClientConfig
	if tlsConfig == nil {
		tlsConfig = &tls.Config{}
	}
	tlsConfig = tlsConfig.Clone()
	tlsConfig.MinVersion = tls.VersionTLS12
	if cfg.caBundle != nil {
		pool, ok := RootsWith(cfg.caBundle)
		if !ok {
			return nil, errors.New("threescale: CA bundle contains no PEM certificate")
		}
		tlsConfig.RootCAs = pool
	}
	if cfg.insecure {
		tlsConfig.InsecureSkipVerify = true //nolint:gosec // only when the user asked for it explicitly
	}
	transport.TLSClientConfig = tlsConfig

	hc := &http.Client{Transport: transport}
	if cfg.httpClient != nil {
		copied := *cfg.httpClient
		copied.Transport = transport
		hc = &copied
	}
	return hc, nil
}

// opKey is the context key under which call records the operation of an outgoing request, so
// that a RoundTripper (the contract test's recorder) can tell which operation it sees.
type opKey struct{}

// operationFromRequest returns the operation key call attached to r, if any.
func operationFromRequest(r *http.Request) (string, bool) {
	k, ok := r.Context().Value(opKey{}).(string)
	return k, ok
}

// call is the one place that speaks HTTP: it expands op's path with args, encodes params (a value
// of op's params type, or nil), sends the request with retries, and returns the body of a 2xx
// response. page > 0 asks for that page of a paginated list, PerPage items long.
func (c *Client) call(ctx context.Context, op *operation, args []any, params any, page int) ([]byte, error) {
	p, err := op.expand(args...)
	if err != nil {
		return nil, err
	}
	values, err := op.encode(params)
	if err != nil {
		return nil, err
	}
	if page > 0 {
		values.Set("page", fmt.Sprint(page))
		values.Set("per_page", fmt.Sprint(PerPage))
	}

	log := logr.FromContextOrDiscard(ctx).WithValues("operation", op.Key, "path", p.display)
	for attempt := 1; ; attempt++ {
		body, err := c.attempt(ctx, op, p, values)
		if err == nil {
			return body, nil
		}
		if ctx.Err() != nil {
			return nil, err
		}
		wait, retry := c.retry.next(op, attempt, err)
		if !retry {
			return nil, err
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return nil, err // waiting would outlive the caller; let its work queue back off
		}
		c.metrics.retries.WithLabelValues(op.Key).Inc()
		log.V(1).Info("retrying 3scale call", "attempt", attempt, "wait", wait.String(), "error", err.Error())
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, err
		case <-t.C:
		}
	}
}

// attempt sends one HTTP request within the tenant's bounds: a token of its calls per second,
// and a slot of its calls in flight.
func (c *Client) attempt(ctx context.Context, op *operation, p expandedPath, values url.Values) ([]byte, error) {
	release, err := c.bounds.acquire(ctx, c.metrics)
	if err != nil {
		return nil, &TransportError{Operation: op.Key, Path: p.display, Err: err}
	}
	defer release()

	callerCtx := ctx
	timeout, bound := c.attemptTimeout(op)
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	// failed names a timeout of this attempt as such, so that the error says which bound ran out
	// rather than a bare "context deadline exceeded". The caller's own deadline or cancellation
	// is left as it is: that one ends the call, not just the attempt.
	failed := func(err error) *TransportError {
		te := newTransportError(op, p, err)
		if timeout > 0 && callerCtx.Err() == nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			te.Err = &attemptTimeoutError{bound: bound, after: timeout, cause: te.Err}
		}
		return te
	}
	req, err := c.newRequest(context.WithValue(ctx, opKey{}, op.Key), op, p, values)
	if err != nil {
		return nil, err
	}

	c.metrics.inFlight.Inc()
	defer c.metrics.inFlight.Dec()
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		c.metrics.observe(op.Key, "error", time.Since(start))
		return nil, failed(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	c.metrics.observe(op.Key, strconv.Itoa(resp.StatusCode), time.Since(start))
	if err != nil {
		return nil, failed(err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, newAPIError(op, p, resp, body, c.token)
	}
	return body, nil
}

// attemptTimeout is the bound of one attempt of op, and the option it comes from: a read (GET)
// ends at the shorter of the read and the request timeout, anything else at the request timeout.
// 0 means no bound but the caller's context.
func (c *Client) attemptTimeout(op *operation) (time.Duration, string) {
	d, bound := c.requestTimeout, "request timeout"
	if op.Method == http.MethodGet && c.readTimeout > 0 && (d == 0 || c.readTimeout < d) {
		d, bound = c.readTimeout, "read timeout"
	}
	return d, bound
}

func (c *Client) newRequest(ctx context.Context, op *operation, p expandedPath, values url.Values) (*http.Request, error) {
	// p.escaped is escaped segment by segment already; base has no query (checked in New).
	target := c.base.String() + p.escaped
	var body io.Reader
	if op.Method == http.MethodGet || op.Method == http.MethodDelete {
		if q := values.Encode(); q != "" {
			target += "?" + q
		}
	} else {
		body = strings.NewReader(values.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, op.Method, target, body)
	if err != nil {
		return nil, newTransportError(op, p, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "threescale-oss-operator")
	// The token travels as the basic-auth password (3scale accepts it there), so that it is
	// never part of a URL, and so never of an error message that quotes one.
	req.SetBasicAuth("", c.token)
	return req, nil
}

// RootsWith returns the system's root certificates plus the PEM certificates of bundle: the
// trust of every TLS connection the operator makes when it is given a CA bundle (to 3scale, to
// document URLs). ok is false when bundle holds no certificate.
func RootsWith(bundle []byte) (pool *x509.CertPool, ok bool) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	return pool, pool.AppendCertsFromPEM(bundle)
}
