package inmemory

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"
)

// Option configures a Server made by New.
type Option func(*config)

type config struct {
	latency    time.Duration
	masterAddr string
	seed       uint64
	seeded     bool
}

// WithLatency adds d to every request, the way a real 3scale answers in tens to hundreds of
// milliseconds; benchmarks use it to make call counts visible as wall time.
func WithLatency(d time.Duration) Option {
	return func(c *config) { c.latency = d }
}

// WithMasterAddr makes Start listen for the master account on addr (host:port) instead of a
// random loopback port; the standalone command uses it.
func WithMasterAddr(addr string) Option {
	return func(c *config) { c.masterAddr = addr }
}

// WithRandSeed makes fault injection by ErrorRate and HangRate deterministic: the same seed and
// the same requests, in the same order, meet the same faults.
func WithRandSeed(seed uint64) Option {
	return func(c *config) { c.seed, c.seeded = seed, true }
}

// Tenant is a provider account of the server, as a client needs it: its admin URL (its own
// listener) and an access token of its admin user.
type Tenant struct {
	ID       int64
	Name     string
	AdminURL string
	Token    string
}

// Server is an in-memory 3scale. Make it with New, start it with Start, stop it with Close.
// Its methods are safe for concurrent use.
type Server struct {
	cfg   config
	store *store
	mux   *http.ServeMux
	// ops are the operation keys of the routes, set once by New.
	ops []string

	// done is closed by Close so that hung and delayed requests return.
	done      chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup

	mu        sync.Mutex // guards the fields below
	started   bool
	closed    bool
	masterURL string
	servers   []*http.Server
	faults    map[string]*Fault
	calls     []Call
	callGen   uint64
	counts    map[string]int
	rng       *rand.Rand
}

// New returns a Server that is not yet listening. It already holds the master account and its
// token.
func New(opts ...Option) *Server {
	cfg := config{masterAddr: "127.0.0.1:0"}
	for _, o := range opts {
		o(&cfg)
	}
	seed := cfg.seed
	if !cfg.seeded {
		seed = rand.Uint64()
	}
	s := &Server{
		cfg:    cfg,
		store:  newStore(),
		done:   make(chan struct{}),
		faults: map[string]*Fault{},
		counts: map[string]int{},
		rng:    rand.New(rand.NewPCG(seed, seed^0x5ca1e)),
	}
	s.mux = s.routes()
	return s
}

// Start listens for the master account (on 127.0.0.1:0 unless WithMasterAddr says otherwise).
func (s *Server) Start() error {
	s.mu.Lock()
	if s.started || s.closed {
		s.mu.Unlock()
		return errors.New("inmemory: server already started or closed")
	}
	s.started = true
	s.mu.Unlock()

	ln, err := net.Listen("tcp", s.cfg.masterAddr)
	if err != nil {
		return fmt.Errorf("inmemory: cannot listen for master: %w", err)
	}
	url := "http://" + ln.Addr().String()
	s.store.mu.Lock()
	s.store.master.AdminDomain = ln.Addr().String()
	s.store.mu.Unlock()
	s.mu.Lock()
	s.masterURL = url
	s.mu.Unlock()
	s.serve(ln, s.store.master.ID)
	return nil
}

// serve answers requests on ln as the provider account id, until Close.
func (s *Server) serve(ln net.Listener, account int64) {
	srv := &http.Server{
		Handler:           s.listenerHandler(account),
		ReadHeaderTimeout: 10 * time.Second,
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ln.Close()
		return
	}
	s.servers = append(s.servers, srv)
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		_ = srv.Serve(ln) // returns http.ErrServerClosed after Close
	}()
}

// Close stops every listener and unblocks requests that hang or wait. It is safe to call more
// than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		s.mu.Lock()
		s.closed = true
		servers := s.servers
		s.servers = nil
		s.mu.Unlock()
		for _, srv := range servers {
			_ = srv.Close()
		}
		s.wg.Wait()
	})
}

// MasterURL is the admin URL of the master account, empty before Start.
func (s *Server) MasterURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.masterURL
}

// MasterToken is an access token of the master account's admin user.
func (s *Server) MasterToken() string {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	return s.store.master.adminToken
}

// CreateTenant creates a provider account named name, with an admin user and an access token,
// and starts its own loopback listener, as the Master API does.
func (s *Server) CreateTenant(name string) (Tenant, error) {
	return s.CreateTenantAt(name, "127.0.0.1:0")
}

// CreateTenantAt is CreateTenant with the tenant's listener on addr (host:port).
func (s *Server) CreateTenantAt(name, addr string) (Tenant, error) {
	p, errs, err := s.createProvider(signupParams{
		OrgName:  name,
		Username: "admin",
		Email:    "admin@" + systemNameFrom(name) + ".example.com",
		Password: randomHex(8),
	}, addr)
	if err != nil {
		return Tenant{}, err
	}
	if errs != nil {
		return Tenant{}, fmt.Errorf("inmemory: cannot create tenant %q: %v", name, errs)
	}
	return Tenant{ID: p.ID, Name: p.OrgName, AdminURL: "http://" + p.AdminDomain, Token: p.adminToken}, nil
}

// createProvider validates a signup, opens the tenant's listener, stores the provider account
// and starts serving it. It returns field errors for an invalid signup.
func (s *Server) createProvider(sp signupParams, addr string) (*account, fieldErrors, error) {
	s.mu.Lock()
	ok := s.started && !s.closed
	s.mu.Unlock()
	if !ok {
		return nil, nil, errors.New("inmemory: server not running")
	}
	s.store.mu.Lock()
	errs := s.store.validateProviderSignup(sp)
	s.store.mu.Unlock()
	if errs != nil {
		return nil, errs, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("inmemory: cannot listen for tenant: %w", err)
	}
	s.store.mu.Lock()
	p, errs := s.store.createProvider(sp, ln.Addr().String())
	s.store.mu.Unlock()
	if errs != nil {
		// Lost a race with an identical signup: report it like 3scale would.
		_ = ln.Close()
		return nil, errs, nil
	}
	s.serve(ln, p.ID)
	return p, nil, nil
}

// wait sleeps for d, or less if the request ends or the server closes. It reports whether the
// whole delay passed.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.done:
		return false
	}
}
