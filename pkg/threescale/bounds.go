package threescale

import (
	"context"
	"fmt"
	"math"
	"time"

	"golang.org/x/time/rate"
)

// Bounds are the limits one 3scale tenant is called within: calls in flight at once, and calls
// per second (a token bucket). Every Client of the tenant shares them (WithBounds), whatever
// token it holds, so that an operator of a shared 3scale can bound what the operator costs it.
// A Bounds is safe for concurrent use.
type Bounds struct {
	maxInFlight int
	sem         chan struct{}
	limiter     *rate.Limiter // nil: no bound on calls per second
}

// NewBounds returns bounds of maxInFlight calls at once (at least 1) and perSecond calls a
// second with bursts of burst (perSecond 0: no bound; burst 0: the next integer above perSecond).
func NewBounds(maxInFlight int, perSecond float64, burst int) (*Bounds, error) {
	switch {
	case maxInFlight < 1:
		return nil, fmt.Errorf("threescale: max in flight must be at least 1, got %d", maxInFlight)
	case perSecond < 0 || math.IsNaN(perSecond) || math.IsInf(perSecond, 0):
		return nil, fmt.Errorf("threescale: calls per second must be a positive number or 0 (no bound), got %v", perSecond)
	case burst < 0:
		return nil, fmt.Errorf("threescale: burst must not be negative, got %d", burst)
	}
	b := &Bounds{maxInFlight: maxInFlight, sem: make(chan struct{}, maxInFlight)}
	if perSecond > 0 {
		if burst == 0 {
			burst = int(math.Floor(perSecond)) + 1
		}
		b.limiter = rate.NewLimiter(rate.Limit(perSecond), burst)
	}
	return b, nil
}

// acquire waits for a call's turn: a token of the bucket, then a slot in flight. The waits are
// observed in m; release gives the slot back. An ended ctx stops the wait.
func (b *Bounds) acquire(ctx context.Context, m *clientMetrics) (release func(), err error) {
	if b.limiter != nil {
		start := time.Now()
		if err := b.limiter.Wait(ctx); err != nil {
			return nil, err
		}
		m.observeWait("rate", time.Since(start))
	}
	start := time.Now()
	select {
	case b.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	m.observeWait("in_flight", time.Since(start))
	return func() { <-b.sem }, nil
}

// WithBounds makes the Client call within b, shared with the other Clients given b (the tenant's),
// instead of a bound of its own. It overrides WithMaxInFlight.
func WithBounds(b *Bounds) Option {
	return func(cfg *config) error {
		if b == nil {
			return fmt.Errorf("threescale: nil Bounds")
		}
		cfg.bounds = b
		return nil
	}
}
