package tenant

import (
	"crypto/sha256"
	"strings"
	"sync"
	"time"

	"github.com/threescale-oss/operator/pkg/threescale"
)

// DefaultIdleTimeout is how long Clients keeps a client nobody asked for: long enough to outlive
// several poll intervals, short enough that rotated tokens do not pile up.
const DefaultIdleTimeout = time.Hour

// Clients hands out one *threescale.Client per tenant credentials, so that every object and
// controller of a tenant shares its connection pool, and one threescale.Bounds per tenant, so that
// all its clients share its bounds on calls in flight and per second. It is safe
// for concurrent use.
type Clients struct {
	// Options are passed to threescale.New for every client.
	Options []threescale.Option
	// IdleTimeout drops clients unused for that long; DefaultIdleTimeout when zero.
	IdleTimeout time.Duration
	// Limits bound the calls to each tenant (admin URL), shared by all its clients whatever their
	// token: at most MaxInFlight at once (threescale.DefaultMaxInFlight when zero) and
	// CallsPerSecond a second with bursts of Burst (no bound when zero).
	Limits Limits

	now     func() time.Time
	mu      sync.Mutex
	clients map[clientKey]*clientEntry
	bounds  map[string]*threescale.Bounds
}

// Limits are the per-tenant bounds an operator of a shared 3scale sets.
type Limits struct {
	MaxInFlight    int
	CallsPerSecond float64
	Burst          int
}

// boundsFor returns the bounds of the tenant at adminURL, made on first use. c.mu is held.
func (c *Clients) boundsFor(adminURL string) (*threescale.Bounds, error) {
	key := strings.ToLower(strings.TrimSuffix(adminURL, "/"))
	if b, ok := c.bounds[key]; ok {
		return b, nil
	}
	inFlight := c.Limits.MaxInFlight
	if inFlight == 0 {
		inFlight = threescale.DefaultMaxInFlight
	}
	b, err := threescale.NewBounds(inFlight, c.Limits.CallsPerSecond, c.Limits.Burst)
	if err != nil {
		return nil, err
	}
	if c.bounds == nil {
		c.bounds = map[string]*threescale.Bounds{}
	}
	c.bounds[key] = b
	return b, nil
}

// clientKey identifies a client. The token enters only as a hash, so that the map never holds
// more copies of it than the client itself.
type clientKey struct {
	adminURL  string
	tokenHash [sha256.Size]byte
	insecure  bool
}

type clientEntry struct {
	client   *threescale.Client
	lastUsed time.Time
}

// For returns the client of creds, creating it on first use. A changed token yields a new client;
// the old one is dropped once idle.
func (c *Clients) For(creds Credentials) (*threescale.Client, error) {
	key := clientKey{adminURL: creds.AdminURL, tokenHash: sha256.Sum256([]byte(creds.token)), insecure: creds.InsecureSkipVerify}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.clock()
	c.evictIdle(now)
	if e, ok := c.clients[key]; ok {
		e.lastUsed = now
		return e.client, nil
	}
	bounds, err := c.boundsFor(creds.AdminURL)
	if err != nil {
		return nil, err
	}
	opts := append(append([]threescale.Option(nil), c.Options...), threescale.WithBounds(bounds))
	if creds.InsecureSkipVerify {
		opts = append(opts, threescale.WithInsecureSkipVerify())
	}
	tc, err := threescale.New(creds.AdminURL, creds.token, opts...)
	if err != nil {
		// Resolve checked the URL already; what is left is about the secret's content.
		return nil, &SecretKeyError{Namespace: creds.Token.Namespace, Name: creds.Token.Name, Key: creds.Token.Key,
			Problem: "cannot be used: " + err.Error()}
	}
	if c.clients == nil {
		c.clients = map[clientKey]*clientEntry{}
	}
	c.clients[key] = &clientEntry{client: tc, lastUsed: now}
	return tc, nil
}

// Len returns how many clients are held.
func (c *Clients) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.clients)
}

func (c *Clients) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

func (c *Clients) evictIdle(now time.Time) {
	idle := c.IdleTimeout
	if idle <= 0 {
		idle = DefaultIdleTimeout
	}
	for k, e := range c.clients {
		if now.Sub(e.lastUsed) > idle {
			delete(c.clients, k)
		}
	}
}
