package inmemory

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestConcurrentUse drives every shared part of the server at once; run with -race.
func TestConcurrentUse(t *testing.T) {
	srv, tenant := NewTestServer(t)
	m := newAPI(t, srv.MasterURL(), srv.MasterToken())
	const workers, rounds = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds*4)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Only try: a goroutine other than the test's must not call t.Fatal.
			c := newAPI(t, tenant.AdminURL, tenant.Token)
			for i := range rounds {
				name := fmt.Sprintf("svc-%d-%d", w, i)
				if r, err := c.try(http.MethodPost, "/admin/api/services.json", p("name", name)); err != nil || r.Status != http.StatusCreated {
					errs <- fmt.Errorf("create %s: %v %d %s", name, err, r.Status, r.Raw)
					continue
				}
				if _, err := c.try(http.MethodGet, "/admin/api/services.json", p("per_page", "5")); err != nil {
					errs <- err
				}
				srv.InjectFault("GET /admin/api/backend_apis.json", Fault{Latency: time.Millisecond, Count: 1})
				if _, err := c.try(http.MethodGet, "/admin/api/backend_apis.json", nil); err != nil {
					errs <- err
				}
				_ = srv.CallCount(opListServices)
				_ = srv.Calls()
				if i == rounds/2 {
					r, err := m.try(http.MethodPost, "/master/api/providers.json", p("org_name", name, "username", "admin", "email", name+"@example.com", "password", "pw"))
					if err != nil || r.Status != http.StatusCreated {
						errs <- fmt.Errorf("tenant %s: %v %d %s", name, err, r.Status, r.Raw)
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	if got := len(c.do(http.MethodGet, "/admin/api/services.json", nil).items(t, "services", "service")); got != workers*rounds {
		t.Errorf("%d products, want %d", got, workers*rounds)
	}
	if got := srv.CallCount("POST /admin/api/services.json"); got != workers*rounds {
		t.Errorf("counted %d creates, want %d", got, workers*rounds)
	}
}
