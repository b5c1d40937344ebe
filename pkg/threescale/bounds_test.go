package threescale

import (
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestNewBoundsRefusesNonsense(t *testing.T) {
	for name, args := range map[string]struct {
		inFlight int
		rate     float64
		burst    int
	}{"NoSlot": {0, 0, 0}, "NegativeRate": {1, -1, 0}, "NegativeBurst": {1, 1, -1}} {
		if _, err := NewBounds(args.inFlight, args.rate, args.burst); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestBoundsSharedByClients: two Clients of one tenant sharing its Bounds together make no more
// calls a second than the bound, and the waits are observed.
func TestBoundsSharedByClients(t *testing.T) {
	env := newTestEnv(t)
	bounds, err := NewBounds(8, 10, 1)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	var clients []*Client
	for range 2 {
		c, err := New(env.tenant.AdminURL, env.tenant.Token, WithBounds(bounds), WithMetricsRegisterer(reg))
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	before := testutil.CollectAndCount(sharedMetrics.waits)
	start := time.Now()
	var wg sync.WaitGroup
	for _, c := range clients {
		for range 5 {
			wg.Go(func() {
				if _, err := c.ListProducts(t.Context()); err != nil {
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
	// 10 calls at 10 a second with a burst of 1: the first at once, the last 0.9 s later.
	if d := time.Since(start); d < 850*time.Millisecond {
		t.Errorf("10 calls took %v, faster than 10 a second allows", d)
	}
	if after := testutil.CollectAndCount(sharedMetrics.waits); after < before || after == 0 {
		t.Errorf("no bound wait observed (%d series)", after)
	}
}
