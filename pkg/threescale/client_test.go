package threescale

// Tests of the HTTP behaviour of the Client (errors, retries, the in-flight bound, TLS, the
// token) against httptest servers with small handlers. They test HTTP behaviour, not 3scale:
// the entity tests run against the in-memory 3scale.

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

const testToken = "s3cr3t-t0ken-value"

// fastRetries keeps retry tests quick while still exercising backoff.
var fastRetries = RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 4 * time.Millisecond, MaxRetryAfter: 3 * time.Second}

func newTestClient(t *testing.T, url string, opts ...Option) *Client {
	t.Helper()
	opts = append([]Option{WithMetricsRegisterer(prometheus.NewRegistry()), WithRetryPolicy(fastRetries)}, opts...)
	c, err := New(url, testToken, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// serve starts an httptest server answering with h and stopped by the test.
func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func TestNewRejectsBadInput(t *testing.T) {
	cases := map[string]struct {
		url, token string
		opts       []Option
	}{
		"no scheme":             {url: "3scale-admin.example.com", token: testToken},
		"ftp scheme":            {url: "ftp://3scale-admin.example.com", token: testToken},
		"no host":               {url: "https://", token: testToken},
		"credentials":           {url: "https://user:" + testToken + "@example.com", token: testToken},
		"query":                 {url: "https://example.com/?access_token=" + testToken, token: testToken},
		"empty token":           {url: "https://example.com"},
		"zero in flight":        {url: "https://example.com", token: testToken, opts: []Option{WithMaxInFlight(0)}},
		"bad retry policy":      {url: "https://example.com", token: testToken, opts: []Option{WithRetryPolicy(RetryPolicy{})}},
		"empty CA bundle":       {url: "https://example.com", token: testToken, opts: []Option{WithCABundle(nil)}},
		"garbage CA bundle":     {url: "https://example.com", token: testToken, opts: []Option{WithCABundle([]byte("not a certificate"))}},
		"negative timeout":      {url: "https://example.com", token: testToken, opts: []Option{WithRequestTimeout(-time.Second)}},
		"negative read timeout": {url: "https://example.com", token: testToken, opts: []Option{WithReadTimeout(-time.Second)}},
		"nil http client":       {url: "https://example.com", token: testToken, opts: []Option{WithHTTPClient(nil)}},
		"TLS options on a custom round tripper": {url: "https://example.com", token: testToken, opts: []Option{
			WithHTTPClient(&http.Client{Transport: roundTripperFunc(http.DefaultTransport.RoundTrip)}), WithInsecureSkipVerify(),
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := New(tc.url, tc.token, append(tc.opts, WithMetricsRegisterer(prometheus.NewRegistry()))...)
			if err == nil {
				t.Fatal("New succeeded, want an error")
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error %q contains the token", err)
			}
		})
	}
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestAuthenticationNeverInURL(t *testing.T) {
	var gotQuery, gotBody, gotPassword string
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		_, gotPassword, _ = r.BasicAuth()
		gotQuery = r.URL.RawQuery
		_ = r.ParseForm()
		gotBody = r.PostForm.Encode()
		_, _ = fmt.Fprint(w, `{"service":{"id":7,"name":"n"}}`)
	})
	c := newTestClient(t, srv.URL)
	if _, err := c.GetProduct(t.Context(), 7); err != nil {
		t.Fatal(err)
	}
	if gotPassword != testToken {
		t.Errorf("basic auth password = %q, want the token", gotPassword)
	}
	if _, err := c.CreateProduct(t.Context(), ProductParams{Name: ptr("n")}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(gotQuery, testToken) || strings.Contains(gotBody, testToken) {
		t.Errorf("token sent outside basic auth: query %q body %q", gotQuery, gotBody)
	}
}

func TestErrorClassification(t *testing.T) {
	type classes struct {
		NotFound, Unprocessable, Unauthorized, Forbidden, TokenRefused, Conflict, Transient bool
		Fields                                                                              map[string][]string
		Message                                                                             string
	}
	cases := map[string]struct {
		status int
		body   string
		delete bool
		want   classes
	}{
		"404": {status: 404, body: `{"status":"Not found"}`, want: classes{NotFound: true, Message: "Not found"}},
		"422 with field errors": {status: 422, body: `{"errors":{"system_name":["has already been taken"],"name":["can't be blank"]}}`,
			want: classes{Unprocessable: true, Fields: map[string][]string{"system_name": {"has already been taken"}, "name": {"can't be blank"}}}},
		"422 with a bare message per field": {status: 422, body: `{"errors":{"state":"cannot transition"}}`,
			want: classes{Unprocessable: true, Fields: map[string][]string{"state": {"cannot transition"}}}},
		"403 wrong token": {status: 403, body: `{"error":"Access denied"}`,
			want: classes{Unauthorized: true, Forbidden: true, TokenRefused: true, Message: "Access denied"}},
		"403 token without the scope": {status: 403, body: `{"status":"Forbidden","error":"Your access token does not have the correct permissions"}`,
			want: classes{Unauthorized: true, Forbidden: true, TokenRefused: true, Message: "Your access token does not have the correct permissions"}},
		"403 user without the permission": {status: 403, body: `{"status":"Forbidden"}`,
			want: classes{Unauthorized: true, Forbidden: true, Message: "Forbidden"}},
		"403 bare (a plan limit)": {status: 403, want: classes{Unauthorized: true, Forbidden: true}},
		"401 plain text":          {status: 401, body: "unauthorized", want: classes{Unauthorized: true, TokenRefused: true, Message: "unauthorized"}},
		"403 refused deletion":    {status: 403, delete: true, body: `{"errors":{"base":["metric is used by a limit"]}}`, want: classes{Unprocessable: true, Fields: map[string][]string{"base": {"metric is used by a limit"}}}},
		"409 uniqueness race":     {status: 409, want: classes{Conflict: true}},
		"429":                     {status: 429, want: classes{Transient: true}},
		"500 html page":           {status: 500, body: "<html>oops</html>", want: classes{Transient: true}},
		"503 from a gateway":      {status: 503, body: "upstream unavailable", want: classes{Transient: true, Message: "upstream unavailable"}},
		"400 invalid parameter":   {status: 400, body: `{"error":"invalid environment"}`, want: classes{Message: "invalid environment"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = fmt.Fprint(w, tc.body)
			})
			c := newTestClient(t, srv.URL, WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
			var err error
			if tc.delete {
				err = c.DeleteProductMetric(t.Context(), 1, 2)
			} else {
				_, err = c.GetProduct(t.Context(), 1)
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %v (%T) is not an *APIError", err, err)
			}
			got := classes{
				NotFound: IsNotFound(err), Unprocessable: IsUnprocessable(err), Unauthorized: IsUnauthorized(err),
				Forbidden: IsForbidden(err), TokenRefused: IsTokenRefused(err),
				Conflict: IsConflict(err), Transient: IsTransient(err), Fields: FieldErrors(err), Message: apiErr.Message,
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("classification (-want +got):\n%s", diff)
			}
			if apiErr.StatusCode != tc.status {
				t.Errorf("StatusCode = %d, want %d", apiErr.StatusCode, tc.status)
			}
		})
	}
}

func TestAPIErrorString(t *testing.T) {
	const get = "3scale GET /admin/api/services/{id}.json (/admin/api/services/42.json): "
	cases := map[string]struct {
		status int
		body   string
		update bool
		want   string
	}{
		"422, with the token echoed": {status: 422, update: true,
			// A server that echoes what it was given must not make the token reach logs.
			body: fmt.Sprintf(`{"errors":{"name":["can't be blank"],"base":["token %s is read-only"]}}`, testToken),
			want: "3scale PUT /admin/api/services/{id}.json (/admin/api/services/42.json): 422 Unprocessable Entity: " +
				"base token [redacted] is read-only; name can't be blank"},
		"403 with 3scale's message": {status: 403, body: `{"error":"Access denied"}`,
			want: get + "403 Forbidden: forbidden: Access denied"},
		"403 about the token": {status: 403, body: `{"status":"Forbidden","error":"Your access token does not have the correct permissions"}`,
			want: get + "403 Forbidden: forbidden: Your access token does not have the correct permissions"},
		"403 saying only forbidden": {status: 403, body: `{"status":"Forbidden"}`, want: get + "403 Forbidden: Forbidden"},
		"403 without a body":        {status: 403, want: get + "403 Forbidden: forbidden"},
		"404":                       {status: 404, body: `{"status":"Not found"}`, want: get + "404 Not Found: Not found"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = fmt.Fprint(w, tc.body)
			})
			c := newTestClient(t, srv.URL)
			var err error
			if tc.update {
				_, err = c.UpdateProduct(t.Context(), 42, ProductUpdateParams{Name: ptr("")})
			} else {
				_, err = c.GetProduct(t.Context(), 42)
			}
			if err == nil || err.Error() != tc.want {
				t.Fatalf("Error() = %q, want %q", err, tc.want)
			}
			// Only 3scale's own words may blame the token: a 403 has other causes.
			if lower := strings.ToLower(err.Error()); !strings.Contains(strings.ToLower(tc.body), "access token") &&
				(strings.Contains(lower, "access token") || strings.Contains(lower, "token refused")) {
				t.Errorf("Error() = %q blames the token, 3scale did not", err)
			}
		})
	}
}

func TestSensitivePathParameterHidden(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(404)
		_, _ = fmt.Fprint(w, `{"status":"Not found"}`)
	})
	c := newTestClient(t, srv.URL)
	err := c.DeleteApplicationKey(t.Context(), 1, 2, "app-key-secret")
	if !IsNotFound(err) {
		t.Fatalf("err = %v, want not found", err)
	}
	if strings.Contains(err.Error(), "app-key-secret") {
		t.Errorf("error %q shows the application key", err)
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	c = newTestClient(t, closed.URL, WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
	err = c.DeleteApplicationKey(t.Context(), 1, 2, "app-key-secret")
	if err == nil || strings.Contains(err.Error(), "app-key-secret") || strings.Contains(err.Error(), testToken) {
		t.Errorf("transport error %q shows a credential", err)
	}
}

func TestTransportErrors(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	slow := serve(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})

	t.Run("connection refused is transient", func(t *testing.T) {
		c := newTestClient(t, closedURL, WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
		_, err := c.ListProducts(t.Context())
		var te *TransportError
		if !errors.As(err, &te) || !IsTransient(err) {
			t.Fatalf("err = %v, want a transient *TransportError", err)
		}
		if strings.Contains(err.Error(), testToken) {
			t.Errorf("error %q contains the token", err)
		}
	})
	t.Run("request timeout is transient", func(t *testing.T) {
		c := newTestClient(t, slow.URL, WithRetryPolicy(RetryPolicy{MaxAttempts: 1}), WithRequestTimeout(50*time.Millisecond))
		_, err := c.ListProducts(t.Context())
		if !IsTransient(err) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want a transient deadline error", err)
		}
	})
	t.Run("cancelled context is not transient and not retried", func(t *testing.T) {
		c := newTestClient(t, slow.URL)
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(30*time.Millisecond, cancel)
		start := time.Now()
		_, err := c.ListProducts(ctx)
		if !errors.Is(err, context.Canceled) || IsTransient(err) {
			t.Fatalf("err = %v, want a non-transient context.Canceled", err)
		}
		if time.Since(start) > 2*time.Second {
			t.Errorf("cancellation took %s", time.Since(start))
		}
	})
}

func TestAttemptTimeout(t *testing.T) {
	cases := map[string]struct {
		op            *operation
		request, read time.Duration
		want          time.Duration
		wantBound     string
	}{
		"read, defaults":                   {op: opListProducts, request: DefaultRequestTimeout, read: DefaultReadTimeout, want: DefaultReadTimeout, wantBound: "read timeout"},
		"create, defaults":                 {op: opCreateProduct, request: DefaultRequestTimeout, read: DefaultReadTimeout, want: DefaultRequestTimeout, wantBound: "request timeout"},
		"update is a write":                {op: opUpdateProduct, request: time.Minute, read: time.Second, want: time.Minute, wantBound: "request timeout"},
		"delete is a write":                {op: opDeleteProductMetric, request: time.Minute, read: time.Second, want: time.Minute, wantBound: "request timeout"},
		"read, request timeout is shorter": {op: opGetProduct, request: time.Second, read: time.Minute, want: time.Second, wantBound: "request timeout"},
		"read, no read timeout":            {op: opGetProduct, request: time.Minute, want: time.Minute, wantBound: "request timeout"},
		"read, no request timeout":         {op: opGetProduct, read: time.Second, want: time.Second, wantBound: "read timeout"},
		"write, no request timeout":        {op: opCreateProduct, read: time.Second, want: 0, wantBound: "request timeout"},
		"read, neither":                    {op: opGetProduct, want: 0, wantBound: "request timeout"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := newTestClient(t, "https://example.com", WithRequestTimeout(tc.request), WithReadTimeout(tc.read))
			got, bound := c.attemptTimeout(tc.op)
			if got != tc.want || bound != tc.wantBound {
				t.Errorf("attemptTimeout(%s) = %s, %q, want %s, %q", tc.op.Key, got, bound, tc.want, tc.wantBound)
			}
		})
	}
}

func TestReadTimeoutIsTransientAndRetried(t *testing.T) {
	var calls atomic.Int32
	hang := serve(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	c := newTestClient(t, hang.URL, WithReadTimeout(30*time.Millisecond))
	_, err := c.GetProduct(t.Context(), 1)
	var te *TransportError
	if !errors.As(err, &te) || !IsTransient(err) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v (%T), want a transient *TransportError that is a deadline", err, err)
	}
	if !strings.Contains(err.Error(), "read timeout of 30ms") {
		t.Errorf("Error() = %q, want it to name the read timeout", err)
	}
	if got := int(calls.Load()); got != fastRetries.MaxAttempts {
		t.Errorf("server saw %d calls, want %d: a timed-out read is retried", got, fastRetries.MaxAttempts)
	}
}

// flaky answers the first failures requests with status (and Retry-After), then 200.
type flaky struct {
	failures   int32
	status     int
	retryAfter string
	calls      atomic.Int32
	body       string
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := f.calls.Add(1)
	if n <= f.failures {
		if f.retryAfter != "" {
			w.Header().Set("Retry-After", f.retryAfter)
		}
		w.WriteHeader(f.status)
		return
	}
	if r.Method == http.MethodPost {
		w.WriteHeader(http.StatusCreated)
	}
	_, _ = fmt.Fprint(w, f.body)
}

func TestRetries(t *testing.T) {
	const product = `{"service":{"id":1,"name":"p"}}`
	cases := map[string]struct {
		failures   int32
		status     int
		retryAfter string
		post       bool
		wantCalls  int32
		wantErr    bool
		minElapsed time.Duration
	}{
		"GET retried through 503s":             {failures: 2, status: 503, wantCalls: 3},
		"GET gives up after MaxAttempts":       {failures: 100, status: 503, wantCalls: 4, wantErr: true},
		"GET not retried on 404":               {failures: 1, status: 404, wantCalls: 1, wantErr: true},
		"GET honours Retry-After":              {failures: 1, status: 429, retryAfter: "1", wantCalls: 2, minElapsed: time.Second},
		"GET does not wait a long Retry-After": {failures: 1, status: 429, retryAfter: "120", wantCalls: 1, wantErr: true},
		"POST not retried on 503":              {failures: 1, status: 503, post: true, wantCalls: 1, wantErr: true},
		"POST not retried on 502":              {failures: 1, status: 502, post: true, wantCalls: 1, wantErr: true},
		"POST retried on 429":                  {failures: 1, status: 429, post: true, wantCalls: 2},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h := &flaky{failures: tc.failures, status: tc.status, retryAfter: tc.retryAfter, body: product}
			srv := serve(t, h.ServeHTTP)
			c := newTestClient(t, srv.URL)
			before := testutil.ToFloat64(sharedMetrics.retries.WithLabelValues(opGetProduct.Key))
			start := time.Now()
			var err error
			if tc.post {
				_, err = c.CreateProduct(t.Context(), ProductParams{Name: ptr("p")})
			} else {
				_, err = c.GetProduct(t.Context(), 1)
			}
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error: %t", err, tc.wantErr)
			}
			if got := h.calls.Load(); got != tc.wantCalls {
				t.Errorf("server saw %d calls, want %d", got, tc.wantCalls)
			}
			if elapsed := time.Since(start); elapsed < tc.minElapsed {
				t.Errorf("took %s, want at least %s (Retry-After)", elapsed, tc.minElapsed)
			}
			if !tc.post {
				retries := testutil.ToFloat64(sharedMetrics.retries.WithLabelValues(opGetProduct.Key)) - before
				if want := float64(tc.wantCalls - 1); retries != want {
					t.Errorf("retries metric grew by %v, want %v", retries, want)
				}
			}
		})
	}
}

func TestRetryStopsAtCallerDeadline(t *testing.T) {
	h := &flaky{failures: 100, status: 429, retryAfter: "2"}
	srv := serve(t, h.ServeHTTP)
	c := newTestClient(t, srv.URL)
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.ListProducts(ctx)
	if !IsTransient(err) {
		t.Fatalf("err = %v, want the transient 429", err)
	}
	if time.Since(start) > 400*time.Millisecond || h.calls.Load() != 1 {
		t.Errorf("waited %s and made %d calls; a Retry-After beyond the deadline must return at once", time.Since(start), h.calls.Load())
	}
}

func TestInFlightBound(t *testing.T) {
	const limit, callers = 3, 12
	var current, peak atomic.Int32
	release := make(chan struct{})
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		n := current.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-release
		current.Add(-1)
		_, _ = fmt.Fprint(w, `{"service":{"id":1}}`)
	})
	// Cleanups run last-in first-out: release the handlers before the server waits for them,
	// so that a failing assertion cannot hang the test.
	var once sync.Once
	releaseAll := func() { once.Do(func() { close(release) }) }
	t.Cleanup(releaseAll)
	c := newTestClient(t, srv.URL, WithMaxInFlight(limit))

	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Go(func() {
			_, err := c.GetProduct(t.Context(), 1)
			errs <- err
		})
	}
	waitFor(t, func() bool { return current.Load() >= limit })
	time.Sleep(50 * time.Millisecond) // give any call beyond the bound the chance to arrive
	if got := current.Load(); got != limit {
		t.Errorf("%d calls in flight, want %d", got, limit)
	}
	releaseAll()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := peak.Load(); got != limit {
		t.Errorf("peak concurrency %d, want %d", got, limit)
	}
}

func TestWaitingForASlotHonoursContext(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() { close(release) }) // before the server's own cleanup waits for handlers
	c := newTestClient(t, srv.URL, WithMaxInFlight(1))
	go func() { _, _ = c.GetProduct(t.Context(), 1) }()
	waitFor(t, func() bool { return calls.Load() == 1 })

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := c.GetProduct(ctx, 2)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the caller's deadline", err)
	}
	if calls.Load() != 1 {
		t.Errorf("server saw %d calls; the waiting call must not have been sent", calls.Load())
	}
}

func TestTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprint(w, `{"services":[]}`)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is the point of one case
	srv.StartTLS()
	t.Cleanup(srv.Close)
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})

	cases := map[string]struct {
		opts    []Option
		wantErr bool
	}{
		"verification on by default": {wantErr: true},
		"CA bundle":                  {opts: []Option{WithCABundle(caPEM)}},
		"explicit insecure":          {opts: []Option{WithInsecureSkipVerify()}},
		"CA bundle on a custom client": {opts: []Option{
			WithHTTPClient(&http.Client{Timeout: time.Minute}), WithCABundle(caPEM),
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := newTestClient(t, srv.URL, tc.opts...)
			_, err := c.ListProducts(t.Context())
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error: %t", err, tc.wantErr)
			}
			if err != nil && IsTransient(err) {
				t.Errorf("certificate error %v classified transient; retrying cannot fix it", err)
			}
		})
	}
}

func TestPaginationFollowsPages(t *testing.T) {
	cases := map[string]struct {
		total    int
		metadata bool
		// pageSize is how many items the server puts on a page; PerPage when 0.
		pageSize  int
		wantItems int // total when 0 and total > 0
		wantCalls int
	}{
		"empty":                            {total: 0, wantCalls: 1},
		"empty, metadata":                  {total: 0, metadata: true, wantCalls: 1},
		"one short page":                   {total: 7, wantCalls: 1},
		"three pages":                      {total: 1234, wantCalls: 3},
		"three pages, metadata":            {total: 1234, metadata: true, wantCalls: 3},
		"exactly one full page":            {total: 500, wantCalls: 2},
		"exactly one full page, metadata":  {total: 500, metadata: true, wantCalls: 1},
		"exactly two full pages, metadata": {total: 1000, metadata: true, wantCalls: 2},
		// A short page before the last must not end the list when total_pages says more follow.
		"short pages, metadata": {total: 250, pageSize: 100, metadata: true, wantCalls: 3},
		// Without metadata the first short page is taken for the last.
		"short pages, no metadata": {total: 250, pageSize: 100, wantItems: 100, wantCalls: 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var calls atomic.Int32
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				var page, perPage int
				_, _ = fmt.Sscan(r.URL.Query().Get("page"), &page)
				_, _ = fmt.Sscan(r.URL.Query().Get("per_page"), &perPage)
				if perPage != PerPage || page < 1 {
					http.Error(w, "bad pagination", http.StatusBadRequest)
					return
				}
				size := perPage
				if tc.pageSize > 0 {
					size = tc.pageSize
				}
				var items []string
				for i := (page-1)*size + 1; i <= min(page*size, tc.total); i++ {
					items = append(items, fmt.Sprintf(`{"backend_api":{"id":%d}}`, i))
				}
				meta := ""
				if tc.metadata {
					meta = fmt.Sprintf(`,"metadata":{"per_page":%d,"total_entries":%d,"total_pages":%d,"current_page":%d}`,
						size, tc.total, (tc.total+size-1)/size, page)
				}
				_, _ = fmt.Fprintf(w, `{"backend_apis":[%s]%s}`, strings.Join(items, ","), meta)
			})
			c := newTestClient(t, srv.URL)
			got, err := c.ListBackends(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			want := tc.total
			if tc.wantItems > 0 {
				want = tc.wantItems
			}
			if len(got) != want {
				t.Fatalf("got %d backends, want %d", len(got), want)
			}
			for i, b := range got {
				if b.ID != int64(i+1) {
					t.Fatalf("backend %d has ID %d: pages out of order or repeated", i, b.ID)
				}
			}
			if int(calls.Load()) != tc.wantCalls {
				t.Errorf("%d calls, want %d", calls.Load(), tc.wantCalls)
			}
		})
	}
}

func TestUnexpectedEnvelopeIsAnError(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprint(w, `{"id":1,"name":"unwrapped"}`)
	})
	c := newTestClient(t, srv.URL)
	if _, err := c.GetProduct(t.Context(), 1); err == nil || !strings.Contains(err.Error(), `no "service" member`) {
		t.Errorf("err = %v, want a missing envelope error", err)
	}
}

func TestMetrics(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/2.json") {
			w.WriteHeader(404)
			return
		}
		_, _ = fmt.Fprint(w, `{"service":{"id":1}}`)
	})
	reg := prometheus.NewRegistry()
	c := newTestClient(t, srv.URL, WithMetricsRegisterer(reg))
	// A second client on the same registry must not fail to register.
	_ = newTestClient(t, srv.URL, WithMetricsRegisterer(reg))

	ok := sharedMetrics.requests.WithLabelValues(opGetProduct.Key, "200")
	notFound := sharedMetrics.requests.WithLabelValues(opGetProduct.Key, "404")
	okBefore, nfBefore := testutil.ToFloat64(ok), testutil.ToFloat64(notFound)
	if _, err := c.GetProduct(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	_, _ = c.GetProduct(t.Context(), 2)
	if got := testutil.ToFloat64(ok) - okBefore; got != 1 {
		t.Errorf("200 counter grew by %v, want 1", got)
	}
	if got := testutil.ToFloat64(notFound) - nfBefore; got != 1 {
		t.Errorf("404 counter grew by %v, want 1", got)
	}
	if got := testutil.ToFloat64(sharedMetrics.inFlight); got != 0 {
		t.Errorf("in-flight gauge is %v after the calls, want 0", got)
	}
	n, err := testutil.GatherAndCount(reg, MetricRequestsTotal, MetricRequestDuration, MetricInFlight)
	if err != nil || n == 0 {
		t.Errorf("registry exposes %d series (%v), want the client metrics", n, err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if strings.Contains(mf.String(), testToken) {
			t.Errorf("metric %s contains the token", mf.GetName())
		}
	}
}

func TestDefaultRegistererIsControllerRuntimes(t *testing.T) {
	// Building clients against the default registry many times must work (one per tenant).
	for range 3 {
		if _, err := New("https://example.com", testToken); err != nil {
			t.Fatal(err)
		}
	}
	n, err := testutil.GatherAndCount(metrics.Registry, MetricInFlight)
	if err != nil || n != 1 {
		t.Errorf("controller-runtime's registry has %d %s series (%v), want 1", n, MetricInFlight, err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 5s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func ptr[T any](v T) *T { return &v }
