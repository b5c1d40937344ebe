package threescale

// Behaviour of the Client against the in-memory 3scale over HTTP: every error type, pagination
// across pages, retries, the in-flight bound, hung requests. The server's per-operation counters
// (keyed like the operation table) show what the client really sent.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/threescale-oss/operator/pkg/threescale/inmemory"
)

func TestInMemoryErrorTypes(t *testing.T) {
	env := newTestEnv(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
	ctx, c := t.Context(), env.c
	p := got(c.CreateProduct(ctx, ProductParams{Name: ptr("Errors"), SystemName: ptr("errors")})).need(t, "create product")
	wrongToken, err := New(env.tenant.AdminURL, "not-"+env.tenant.Token, WithMetricsRegisterer(prometheus.NewRegistry()))
	if err != nil {
		t.Fatal(err)
	}

	type classes struct {
		NotFound, Unprocessable, Unauthorized, Transient bool
	}
	cases := map[string]struct {
		call  func() error
		want  classes
		field string // a field 3scale's message must be about
	}{
		"missing product": {call: func() error { _, err := c.GetProduct(ctx, 987654); return err }, want: classes{NotFound: true}},
		"missing parent":  {call: func() error { _, err := c.ListProductMetrics(ctx, 987654); return err }, want: classes{NotFound: true}},
		"blank name": {call: func() error { _, err := c.CreateProduct(ctx, ProductParams{Description: ptr("no name")}); return err },
			want: classes{Unprocessable: true}, field: "name"},
		"duplicate system name": {call: func() error {
			_, err := c.CreateProduct(ctx, ProductParams{Name: ptr("Errors again"), SystemName: ptr("errors")})
			return err
		}, want: classes{Unprocessable: true}, field: "system_name"},
		"wrong token": {call: func() error { _, err := wrongToken.ListProducts(ctx); return err }, want: classes{Unauthorized: true}},
		"tenant token on the Master API": {call: func() error {
			tc := got(New(env.srv.MasterURL(), env.tenant.Token, WithMetricsRegisterer(prometheus.NewRegistry()))).need(t, "client")
			_, err := tc.GetTenant(ctx, env.tenant.ID)
			return err
		}, want: classes{Unauthorized: true}},
		"server error": {call: func() error {
			env.srv.InjectFault(opGetProduct.Key, inmemory.Fault{Status: 503, Count: 1})
			_, err := c.GetProduct(ctx, p.ID)
			return err
		}, want: classes{Transient: true}},
		"rate limited": {call: func() error {
			env.srv.InjectFault(opGetProduct.Key, inmemory.Fault{Status: 429, Count: 1})
			_, err := c.GetProduct(ctx, p.ID)
			return err
		}, want: classes{Transient: true}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := tc.call()
			if err == nil {
				t.Fatal("call succeeded, want an error")
			}
			gotClasses := classes{
				NotFound: IsNotFound(err), Unprocessable: IsUnprocessable(err), Unauthorized: IsUnauthorized(err),
				Transient: IsTransient(err),
			}
			if diff := cmp.Diff(tc.want, gotClasses); diff != "" {
				t.Errorf("classification of %v (-want +got):\n%s", err, diff)
			}
			if msgs := FieldErrors(err)[tc.field]; tc.field != "" && len(msgs) == 0 {
				t.Errorf("no message about %s in %v", tc.field, FieldErrors(err))
			}
			for _, secret := range []string{env.tenant.Token, env.srv.MasterToken()} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q contains a token", err)
				}
			}
		})
	}
}

func TestInMemoryPaginationAcrossPages(t *testing.T) {
	env := newTestEnv(t)
	ctx, c := t.Context(), env.c
	const n = 2*PerPage + 3
	want := map[int64]bool{}
	for i := range n {
		b := got(c.CreateBackend(ctx, BackendParams{
			Name: ptr(fmt.Sprintf("Backend %04d", i)), PrivateEndpoint: ptr("https://b.example.com:443"),
		})).need(t, "create backend")
		want[b.ID] = true
	}
	env.srv.ResetCalls()
	all, err := c.ListBackends(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != n {
		t.Fatalf("listed %d backends, want %d", len(all), n)
	}
	for _, b := range all {
		if !want[b.ID] {
			t.Errorf("backend %d listed twice or unknown", b.ID)
		}
		delete(want, b.ID)
	}
	if calls := env.srv.CallCount(opListBackends.Key); calls != 3 {
		t.Errorf("%d list calls for %d backends, want 3 pages of %d", calls, n, PerPage)
	}

	// Another tenant sees none of them.
	other := got(env.srv.CreateTenant("other")).need(t, "create tenant")
	oc := got(New(other.AdminURL, other.Token, WithMetricsRegisterer(prometheus.NewRegistry()))).need(t, "client")
	if list, err := oc.ListBackends(ctx); err != nil || len(list) != 0 {
		t.Errorf("other tenant lists %d backends (%v), want none", len(list), err)
	}
}

func TestInMemoryRetries(t *testing.T) {
	cases := map[string]struct {
		fault      inmemory.Fault
		post       bool
		wantCalls  int
		wantErr    bool
		minElapsed time.Duration
	}{
		"GET through two 503s":   {fault: inmemory.Fault{Status: 503, Count: 2}, wantCalls: 3},
		"GET through a 429":      {fault: inmemory.Fault{Status: 429, RetryAfter: time.Second, Count: 1}, wantCalls: 2, minElapsed: time.Second},
		"GET gives up":           {fault: inmemory.Fault{Status: 500}, wantCalls: fastRetries.MaxAttempts, wantErr: true},
		"POST not retried (503)": {fault: inmemory.Fault{Status: 503, Count: 1}, post: true, wantCalls: 1, wantErr: true},
		"POST retried on 429":    {fault: inmemory.Fault{Status: 429, Count: 1}, post: true, wantCalls: 2},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			env := newTestEnv(t)
			ctx, c := t.Context(), env.c
			p := got(c.CreateProduct(ctx, ProductParams{Name: ptr("Retried")})).need(t, "create product")
			op := opGetProduct
			if tc.post {
				op = opCreateProduct
			}
			env.srv.ResetCalls()
			env.srv.InjectFault(op.Key, tc.fault)
			start := time.Now()
			var err error
			if tc.post {
				_, err = c.CreateProduct(ctx, ProductParams{Name: ptr("Second")})
			} else {
				_, err = c.GetProduct(ctx, p.ID)
			}
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error: %t", err, tc.wantErr)
			}
			if calls := env.srv.CallCount(op.Key); calls != tc.wantCalls {
				t.Errorf("server counted %d calls of %s, want %d", calls, op.Key, tc.wantCalls)
			}
			if elapsed := time.Since(start); elapsed < tc.minElapsed {
				t.Errorf("took %s, want at least the Retry-After %s", elapsed, tc.minElapsed)
			}
			if tc.post {
				env.srv.ClearFaults()
				products := got(c.ListProducts(ctx)).need(t, "list products")
				wantProducts := 1
				if !tc.wantErr {
					wantProducts = 2
				}
				if len(products) != wantProducts {
					t.Errorf("%d products exist, want %d (a refused POST creates nothing, a retried one creates one)", len(products), wantProducts)
				}
			}
		})
	}
}

func TestInMemoryInFlightBound(t *testing.T) {
	const limit, callers, latency = 2, 8, 100 * time.Millisecond
	env := newTestEnv(t, WithMaxInFlight(limit))
	ctx, c := t.Context(), env.c
	p := got(c.CreateProduct(ctx, ProductParams{Name: ptr("Bounded")})).need(t, "create product")
	env.srv.InjectFault(opGetProduct.Key, inmemory.Fault{Latency: latency})

	// Watch the server's request log for requests in progress (status 0).
	var peak atomic.Int32
	stop := make(chan struct{})
	var watcher sync.WaitGroup
	watcher.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			var inProgress int32
			for _, call := range env.srv.Calls() {
				if call.Op == opGetProduct.Key && call.Status == 0 {
					inProgress++
				}
			}
			if inProgress > peak.Load() {
				peak.Store(inProgress)
			}
			time.Sleep(time.Millisecond)
		}
	})

	start := time.Now()
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			if _, err := c.GetProduct(ctx, p.ID); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stop)
	watcher.Wait()

	if minimum := latency * callers / limit; elapsed < minimum {
		t.Errorf("%d calls of %s each took %s with %d in flight; want at least %s", callers, latency, elapsed, limit, minimum)
	}
	if got := peak.Load(); got != limit {
		t.Errorf("server saw at most %d requests at once, want %d", got, limit)
	}
}

func TestInMemoryHungRequestAndCancellation(t *testing.T) {
	env := newTestEnv(t, WithRequestTimeout(time.Minute))
	ctx, c := t.Context(), env.c
	env.srv.InjectFault(opListProducts.Key, inmemory.Fault{Hang: true})

	callCtx, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.ListProducts(callCtx)
	if !errors.Is(err, context.DeadlineExceeded) || !IsTransient(err) {
		t.Fatalf("err = %v, want a transient deadline error", err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("a hung call returned after %s, want about the caller's 150ms", elapsed)
	}

	// The per-attempt timeout bounds a hang even when the caller set no deadline.
	short := got(New(env.tenant.AdminURL, env.tenant.Token, WithMetricsRegisterer(prometheus.NewRegistry()),
		WithRequestTimeout(100*time.Millisecond), WithRetryPolicy(RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))).need(t, "client")
	env.srv.ResetCalls()
	if _, err := short.ListProducts(ctx); !IsTransient(err) {
		t.Fatalf("err = %v, want a transient timeout", err)
	}
	if calls := env.srv.CallCount(opListProducts.Key); calls != 2 {
		t.Errorf("server counted %d calls, want 2 (a timed-out GET is retried)", calls)
	}
}

func TestInMemoryHungReadAndWriteTimeouts(t *testing.T) {
	const readTimeout, requestTimeout, attempts = 50 * time.Millisecond, 400 * time.Millisecond, 3
	retries := RetryPolicy{MaxAttempts: attempts, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}
	env := newTestEnv(t, WithReadTimeout(readTimeout), WithRequestTimeout(requestTimeout), WithRetryPolicy(retries))
	ctx, c := t.Context(), env.c

	t.Run("a hung read gives up after the read timeout of each attempt", func(t *testing.T) {
		env.srv.ResetCalls()
		env.srv.InjectFault(opListProducts.Key, inmemory.Fault{Hang: true})
		defer env.srv.ClearFaults()
		start := time.Now()
		_, err := c.ListProducts(ctx)
		elapsed := time.Since(start)
		if !IsTransient(err) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "read timeout") {
			t.Fatalf("err = %v, want a transient read timeout", err)
		}
		if calls := env.srv.CallCount(opListProducts.Key); calls != attempts {
			t.Errorf("server counted %d calls, want %d: a timed-out read is retried", calls, attempts)
		}
		// About readTimeout × attempts; the request timeout alone would make it 1.2s.
		if elapsed < readTimeout*attempts || elapsed >= requestTimeout*attempts {
			t.Errorf("gave up after %s, want about %s (%d attempts of %s)", elapsed, readTimeout*attempts, attempts, readTimeout)
		}
	})

	t.Run("a hung write is bounded by the request timeout and not resent", func(t *testing.T) {
		env.srv.ResetCalls()
		env.srv.InjectFault(opCreateProduct.Key, inmemory.Fault{Hang: true})
		defer env.srv.ClearFaults()
		start := time.Now()
		_, err := c.CreateProduct(ctx, ProductParams{Name: ptr("Hung")})
		elapsed := time.Since(start)
		if !IsTransient(err) || !strings.Contains(err.Error(), "request timeout") {
			t.Fatalf("err = %v, want a transient request timeout", err)
		}
		if calls := env.srv.CallCount(opCreateProduct.Key); calls != 1 {
			t.Errorf("server counted %d calls, want 1: a POST that timed out may have been processed", calls)
		}
		if elapsed < requestTimeout || elapsed > requestTimeout+2*time.Second {
			t.Errorf("gave up after %s, want about the request timeout %s", elapsed, requestTimeout)
		}
	})

	t.Run("the caller's deadline wins over the read timeout", func(t *testing.T) {
		long := got(New(env.tenant.AdminURL, env.tenant.Token, WithMetricsRegisterer(prometheus.NewRegistry()),
			WithReadTimeout(time.Minute), WithRetryPolicy(retries))).need(t, "client")
		env.srv.ResetCalls()
		env.srv.InjectFault(opListProducts.Key, inmemory.Fault{Hang: true})
		defer env.srv.ClearFaults()
		callCtx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := long.ListProducts(callCtx)
		if !errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "read timeout") {
			t.Fatalf("err = %v, want the caller's deadline", err)
		}
		if elapsed := time.Since(start); elapsed > 2*time.Second {
			t.Errorf("returned after %s, want about the caller's 100ms", elapsed)
		}
		if calls := env.srv.CallCount(opListProducts.Key); calls != 1 {
			t.Errorf("server counted %d calls, want 1: nothing is retried past the caller's deadline", calls)
		}
	})
}
