package inmemory

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const opListServices = "GET /admin/api/services.json"

func TestAuthentication(t *testing.T) {
	srv, tenant := NewTestServer(t)
	other, err := srv.CreateTenant("other")
	if err != nil {
		t.Fatal(err)
	}
	basic := func(user, pass string) func(*http.Request) {
		return func(r *http.Request) { r.SetBasicAuth(user, pass) }
	}
	tests := map[string]struct {
		url    string
		token  string
		setup  func(*http.Request)
		status int
	}{
		"token parameter":                {url: tenant.AdminURL, token: tenant.Token, status: http.StatusOK},
		"basic auth, token as password":  {url: tenant.AdminURL, setup: basic("", tenant.Token), status: http.StatusOK},
		"basic auth, token as user name": {url: tenant.AdminURL, setup: basic(tenant.Token, ""), status: http.StatusOK},
		"no token":                       {url: tenant.AdminURL, status: http.StatusForbidden},
		"wrong token":                    {url: tenant.AdminURL, token: "nope", status: http.StatusForbidden},
		"wrong basic auth":               {url: tenant.AdminURL, setup: basic("", "nope"), status: http.StatusForbidden},
		"another tenant's token":         {url: tenant.AdminURL, token: other.Token, status: http.StatusForbidden},
		"master token on a tenant":       {url: tenant.AdminURL, token: srv.MasterToken(), status: http.StatusForbidden},
		"master token on master":         {url: srv.MasterURL(), token: srv.MasterToken(), status: http.StatusOK},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			u := tc.url + "/admin/api/services.json"
			if tc.token != "" {
				u += "?access_token=" + tc.token
			}
			req, _ := http.NewRequest(http.MethodGet, u, nil)
			if tc.setup != nil {
				tc.setup(req)
			}
			r := newAPI(t, "", "").send(req)
			if r.Status != tc.status {
				t.Fatalf("status = %d, want %d (%s)", r.Status, tc.status, r.Raw)
			}
			if tc.status == http.StatusForbidden && r.Body["error"] != "Access denied" {
				t.Errorf("body = %s, want porta's {\"error\":\"Access denied\"}", r.Raw)
			}
		})
	}
}

func TestTokenInFormBody(t *testing.T) {
	_, tenant := NewTestServer(t)
	// api.do puts the token in the form body of a POST.
	newAPI(t, tenant.AdminURL, tenant.Token).do(http.MethodPost, "/admin/api/services.json", p("name", "Form")).must(t, http.StatusCreated)
}

func TestTenancyIsolation(t *testing.T) {
	srv, a := NewTestServer(t)
	b, err := srv.CreateTenant("b")
	if err != nil {
		t.Fatal(err)
	}
	if a.AdminURL == b.AdminURL || a.AdminURL == srv.MasterURL() {
		t.Fatalf("tenants share an admin URL: %q %q %q", a.AdminURL, b.AdminURL, srv.MasterURL())
	}
	ca, cb := newAPI(t, a.AdminURL, a.Token), newAPI(t, b.AdminURL, b.Token)
	svc := ca.do(http.MethodPost, "/admin/api/services.json", p("name", "Only A")).must(t, http.StatusCreated).obj(t, "service")
	// Same system name in another tenant is fine.
	cb.do(http.MethodPost, "/admin/api/services.json", p("name", "Only A")).must(t, http.StatusCreated)
	if got := cb.do(http.MethodGet, "/admin/api/services/"+idPath(id(t, svc))+".json", nil).Status; got != http.StatusNotFound {
		t.Errorf("tenant b reads tenant a's product: status %d, want 404", got)
	}
	if got := len(cb.do(http.MethodGet, "/admin/api/services.json", nil).items(t, "services", "service")); got != 1 {
		t.Errorf("tenant b lists %d products, want 1", got)
	}
	calls := srv.Calls()
	if calls[0].Tenant != a.ID || calls[1].Tenant != b.ID {
		t.Errorf("calls attributed to tenants %d, %d; want %d, %d", calls[0].Tenant, calls[1].Tenant, a.ID, b.ID)
	}
}

func TestUnknownPath(t *testing.T) {
	srv, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	for _, path := range []string{"/admin/api/nothing.json", "/admin/api/services.xml", "/admin/api/services"} {
		r := c.do(http.MethodGet, path, nil)
		if r.Status != http.StatusNotFound || r.Body["status"] != "Not found" {
			t.Errorf("GET %s = %d %s, want 404 {\"status\":\"Not found\"}", path, r.Status, r.Raw)
		}
	}
	if got := srv.CallCount(""); got != 3 {
		t.Errorf("unmatched calls counted %d, want 3", got)
	}
}

func TestCallLogAndCounters(t *testing.T) {
	srv, tenant := NewTestServer(t)
	c := newAPI(t, tenant.AdminURL, tenant.Token)
	svc := c.do(http.MethodPost, "/admin/api/services.json", p("name", "One")).must(t, http.StatusCreated).obj(t, "service")
	sid := idPath(id(t, svc))
	c.do(http.MethodGet, "/admin/api/services.json", nil)
	c.do(http.MethodGet, "/admin/api/services.json", nil)
	c.do(http.MethodGet, "/admin/api/services/"+sid+"/metrics.json", nil)
	c.do(http.MethodGet, "/admin/api/services/999999.json", nil)

	want := []Call{
		{Op: "POST /admin/api/services.json", Method: "POST", Path: "/admin/api/services.json", Tenant: tenant.ID, Status: 201},
		{Op: opListServices, Method: "GET", Path: "/admin/api/services.json", Tenant: tenant.ID, Status: 200},
		{Op: opListServices, Method: "GET", Path: "/admin/api/services.json", Tenant: tenant.ID, Status: 200},
		{Op: "GET /admin/api/services/{service_id}/metrics.json", Method: "GET", Path: "/admin/api/services/" + sid + "/metrics.json", Tenant: tenant.ID, Status: 200},
		{Op: "GET /admin/api/services/{id}.json", Method: "GET", Path: "/admin/api/services/999999.json", Tenant: tenant.ID, Status: 404},
	}
	if diff := cmp.Diff(want, srv.Calls()); diff != "" {
		t.Errorf("Calls() mismatch (-want +got):\n%s", diff)
	}
	if got := srv.CallCount(opListServices); got != 2 {
		t.Errorf("CallCount(list) = %d, want 2", got)
	}
	if got := srv.CallCount("*"); got != 5 {
		t.Errorf("CallCount(*) = %d, want 5", got)
	}
	for _, c := range srv.Calls() {
		if strings.Contains(c.Path, tenant.Token) {
			t.Errorf("call log holds the token: %+v", c)
		}
	}
	srv.ResetCalls()
	if got := len(srv.Calls()); got != 0 || srv.CallCount(opListServices) != 0 {
		t.Errorf("after ResetCalls: %d calls, %d counted", got, srv.CallCount(opListServices))
	}
}

func TestFaults(t *testing.T) {
	t.Run("status with Retry-After, Count", func(t *testing.T) {
		srv, tenant := NewTestServer(t)
		c := newAPI(t, tenant.AdminURL, tenant.Token)
		srv.InjectFault(opListServices, Fault{Status: 429, RetryAfter: 1500 * time.Millisecond, Count: 2})
		for i := range 2 {
			r := c.do(http.MethodGet, "/admin/api/services.json", nil)
			if r.Status != 429 || r.Header.Get("Retry-After") != "2" {
				t.Fatalf("request %d: %d Retry-After %q, want 429 and 2", i, r.Status, r.Header.Get("Retry-After"))
			}
		}
		c.do(http.MethodGet, "/admin/api/services.json", nil).must(t, http.StatusOK)
		// Faults act before authentication, like a gateway in front of 3scale.
		srv.InjectFault(opListServices, Fault{Status: 503})
		if got := newAPI(t, tenant.AdminURL, "").do(http.MethodGet, "/admin/api/services.json", nil).Status; got != 503 {
			t.Errorf("status = %d, want 503", got)
		}
		// Other operations are not affected.
		c.do(http.MethodPost, "/admin/api/services.json", p("name", "xx")).must(t, http.StatusCreated)
		srv.ClearFaults()
		c.do(http.MethodGet, "/admin/api/services.json", nil).must(t, http.StatusOK)
	})
	t.Run("429 without RetryAfter says 1", func(t *testing.T) {
		srv, tenant := NewTestServer(t)
		srv.InjectFault("*", Fault{Status: 429})
		r := newAPI(t, tenant.AdminURL, tenant.Token).do(http.MethodGet, "/admin/api/services.json", nil)
		if r.Status != 429 || r.Header.Get("Retry-After") != "1" {
			t.Errorf("got %d Retry-After %q", r.Status, r.Header.Get("Retry-After"))
		}
	})
	t.Run("operation fault wins over *", func(t *testing.T) {
		srv, tenant := NewTestServer(t)
		srv.InjectFault("*", Fault{Status: 500})
		srv.InjectFault(opListServices, Fault{Status: 502})
		c := newAPI(t, tenant.AdminURL, tenant.Token)
		if got := c.do(http.MethodGet, "/admin/api/services.json", nil).Status; got != 502 {
			t.Errorf("list status = %d, want 502", got)
		}
		if got := c.do(http.MethodPost, "/admin/api/services.json", p("name", "xx")).Status; got != 500 {
			t.Errorf("create status = %d, want 500", got)
		}
	})
	t.Run("error rate", func(t *testing.T) {
		srv, tenant := NewTestServer(t, WithRandSeed(7))
		srv.InjectFault(opListServices, Fault{ErrorRate: 0.5})
		c := newAPI(t, tenant.AdminURL, tenant.Token)
		fails := 0
		for range 200 {
			switch r := c.do(http.MethodGet, "/admin/api/services.json", nil); r.Status {
			case 500:
				fails++
			case 200:
			default:
				t.Fatalf("unexpected status %d", r.Status)
			}
		}
		if fails < 60 || fails > 140 {
			t.Errorf("%d of 200 failed with ErrorRate 0.5", fails)
		}
	})
	t.Run("error rate with Count counts only errors", func(t *testing.T) {
		srv, tenant := NewTestServer(t, WithRandSeed(1))
		srv.InjectFault(opListServices, Fault{ErrorRate: 0.3, Status: 503, Count: 3})
		c := newAPI(t, tenant.AdminURL, tenant.Token)
		fails := 0
		for range 100 {
			if c.do(http.MethodGet, "/admin/api/services.json", nil).Status == 503 {
				fails++
			}
		}
		if fails != 3 {
			t.Errorf("%d injected errors, want exactly Count = 3", fails)
		}
	})
	t.Run("latency", func(t *testing.T) {
		srv, tenant := NewTestServer(t)
		srv.InjectFault(opListServices, Fault{Latency: 150 * time.Millisecond, Count: 1})
		c := newAPI(t, tenant.AdminURL, tenant.Token)
		start := time.Now()
		c.do(http.MethodGet, "/admin/api/services.json", nil).must(t, http.StatusOK)
		if d := time.Since(start); d < 150*time.Millisecond {
			t.Errorf("took %v, want at least 150ms", d)
		}
	})
	t.Run("hang until the client gives up", func(t *testing.T) {
		srv, tenant := NewTestServer(t)
		srv.InjectFault(opListServices, Fault{Hang: true})
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, tenant.AdminURL+"/admin/api/services.json?access_token="+tenant.Token, nil)
		if _, err := http.DefaultClient.Do(req); err == nil {
			t.Fatal("hung request returned")
		}
		if got := srv.CallCount(opListServices); got != 1 {
			t.Errorf("hung request counted %d times, want 1", got)
		}
	})
	t.Run("Close unblocks hung requests", func(t *testing.T) {
		srv, tenant := NewTestServer(t)
		srv.InjectFault("*", Fault{Hang: true})
		done := make(chan error, 1)
		go func() {
			_, err := http.Get(tenant.AdminURL + "/admin/api/services.json?access_token=" + tenant.Token)
			done <- err
		}()
		for srv.CallCount("*") == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		closed := make(chan struct{})
		go func() { srv.Close(); close(closed) }()
		select {
		case <-closed:
		case <-time.After(5 * time.Second):
			t.Fatal("Close did not return with a hung request")
		}
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("hung request not released by Close")
		}
	})
}

func TestWithLatency(t *testing.T) {
	_, tenant := NewTestServer(t, WithLatency(100*time.Millisecond))
	start := time.Now()
	newAPI(t, tenant.AdminURL, tenant.Token).do(http.MethodGet, "/admin/api/services.json", nil).must(t, http.StatusOK)
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("took %v, want at least 100ms", d)
	}
}

func TestLifecycle(t *testing.T) {
	s := New()
	if s.MasterURL() != "" {
		t.Errorf("MasterURL before Start = %q", s.MasterURL())
	}
	if s.MasterToken() == "" {
		t.Error("no master token")
	}
	if _, err := s.CreateTenant("early"); err == nil {
		t.Error("CreateTenant before Start succeeded")
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err == nil {
		t.Error("second Start succeeded")
	}
	tn, err := s.CreateTenant("late")
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s.Close() // idempotent
	if _, err := http.Get(tn.AdminURL + "/admin/api/services.json"); err == nil {
		t.Error("tenant listener still answers after Close")
	}
	if _, err := s.CreateTenant("after"); err == nil {
		t.Error("CreateTenant after Close succeeded")
	}
}

func TestSystemNameFrom(t *testing.T) {
	tests := map[string]string{
		"My API":          "my_api",
		"  Hello, World!": "hello_world",
		"Crème brûlée":    "creme_brulee",
		"already_snake":   "already_snake",
		"a--b__c":         "a_b__c",
		"Ünïcödé 2":       "unicode_2",
		"!!!":             "",
	}
	for in, want := range tests {
		if got := systemNameFrom(in); got != want {
			t.Errorf("systemNameFrom(%q) = %q, want %q", in, got, want)
		}
	}
}
