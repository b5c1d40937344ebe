package inmemory

import (
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// takeFaults draws n decisions of the fault of op, as n requests in a row would.
func takeFaults(s *Server, op string, n int) []faultAction {
	out := make([]faultAction, n)
	for i := range out {
		out[i] = s.takeFault(op)
	}
	return out
}

func TestFaultDecisions(t *testing.T) {
	const op, n = opListServices, 1000
	type tally struct{ hung, errs, served int }
	cases := map[string]struct {
		fault Fault
		// check judges the tally of n requests.
		check func(tally) bool
		want  string
	}{
		"Hang hangs every request": {fault: Fault{Hang: true},
			check: func(c tally) bool { return c.hung == n }, want: "all hung"},
		"Hang wins over ErrorRate": {fault: Fault{Hang: true, ErrorRate: 0.5},
			check: func(c tally) bool { return c.hung == n }, want: "all hung"},
		"HangRate hangs a fraction": {fault: Fault{HangRate: 0.05},
			check: func(c tally) bool { return c.hung >= 25 && c.hung <= 80 && c.errs == 0 }, want: "about 50 hung, no errors"},
		"HangRate 1 hangs every request": {fault: Fault{HangRate: 1},
			check: func(c tally) bool { return c.hung == n }, want: "all hung"},
		"HangRate then Status for the rest": {fault: Fault{HangRate: 0.1, Status: 503},
			check: func(c tally) bool { return c.hung >= 60 && c.hung <= 140 && c.hung+c.errs == n }, want: "about 100 hung, the rest 503"},
		"HangRate and ErrorRate never both": {fault: Fault{HangRate: 0.1, ErrorRate: 0.2},
			check: func(c tally) bool { return c.hung >= 60 && c.hung <= 140 && c.errs >= 120 && c.errs <= 250 }, want: "about 100 hung, about 180 errors"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := New(WithRandSeed(7))
			s.InjectFault(op, tc.fault)
			var c tally
			for _, a := range takeFaults(s, op, n) {
				switch {
				case a.hang && a.status != 0:
					t.Fatalf("a request both hangs and errs: %+v", a)
				case a.hang:
					c.hung++
				case a.status != 0:
					c.errs++
				default:
					c.served++
				}
			}
			if !tc.check(c) {
				t.Errorf("of %d requests %d hung, %d erred, %d were served; want %s", n, c.hung, c.errs, c.served, tc.want)
			}
		})
	}
}

func TestHangRateIsDeterministicWithASeed(t *testing.T) {
	const op = AnyOperation
	decide := func(seed uint64) []bool {
		s := New(WithRandSeed(seed))
		s.InjectFault(op, Fault{HangRate: 0.05})
		var hung []bool
		for _, a := range takeFaults(s, opListServices, 1000) {
			hung = append(hung, a.hang)
		}
		return hung
	}
	a, b, other := decide(1), decide(1), decide(2)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("request %d: the same seed decided differently", i)
		}
	}
	same := true
	for i := range a {
		same = same && a[i] == other[i]
	}
	if same {
		t.Error("seeds 1 and 2 hung the same requests; the seed is not used")
	}
}

func TestHangRateCountsOnlyHungRequests(t *testing.T) {
	const op = opListServices
	s := New(WithRandSeed(3))
	s.InjectFault(op, Fault{HangRate: 0.3, Count: 5})
	hung := 0
	for i := 0; i < 10000 && hung < 6; i++ {
		if s.takeFault(op).hang {
			hung++
		}
	}
	if hung != 5 {
		t.Errorf("%d requests hung, want Count = 5: spared requests must not use the fault up", hung)
	}
}

// TestHangRateOverHTTP sends 1000 requests with a short client timeout to a server where 5% of
// calls hang: the requests that time out are the ones the server leaves unanswered, as many as
// the seed decides.
func TestHangRateOverHTTP(t *testing.T) {
	const requests, workers, seed, rate = 1000, 32, 11, 0.05
	const clientTimeout = 500 * time.Millisecond
	srv, tenant := NewTestServer(t, WithRandSeed(seed))
	srv.InjectFault(opListServices, Fault{HangRate: rate})

	client := &http.Client{Timeout: clientTimeout}
	var timedOut atomic.Int32
	next := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range next {
				req, err := http.NewRequest(http.MethodGet, tenant.AdminURL+"/admin/api/services.json", nil)
				if err != nil {
					t.Error(err)
					return
				}
				req.SetBasicAuth("", tenant.Token)
				resp, err := client.Do(req)
				if err != nil {
					var te interface{ Timeout() bool }
					if !errors.As(err, &te) || !te.Timeout() {
						t.Errorf("request failed other than by timing out: %v", err)
					}
					timedOut.Add(1)
					continue
				}
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("status %d, want 200 for a request that does not hang", resp.StatusCode)
				}
			}
		})
	}
	for range requests {
		next <- struct{}{}
	}
	close(next)
	wg.Wait()

	calls := srv.Calls()
	unanswered := 0
	for _, c := range calls {
		if c.Status == 0 {
			unanswered++
		}
	}
	// The hangs the seed decides, drawn again on a server with the same seed: each request draws
	// once, so how many hang does not depend on the order in which they arrived.
	twin := New(WithRandSeed(seed))
	twin.InjectFault(opListServices, Fault{HangRate: rate})
	wantHung := 0
	for _, a := range takeFaults(twin, opListServices, len(calls)) {
		if a.hang {
			wantHung++
		}
	}
	if len(calls) != requests || unanswered != wantHung || int(timedOut.Load()) != unanswered {
		t.Errorf("server saw %d requests and left %d unanswered, %d timed out; want %d, %d (the seed's hangs), and the same",
			len(calls), unanswered, timedOut.Load(), requests, wantHung)
	}
	if wantHung < 25 || wantHung > 80 {
		t.Errorf("%d of %d requests hung, want about %.0f%%", wantHung, requests, rate*100)
	}
}
