package inmemory

import "testing"

// NewTestServer starts a Server with one tenant named "test" and closes it when the test ends.
func NewTestServer(tb testing.TB, opts ...Option) (*Server, Tenant) {
	tb.Helper()
	s := New(opts...)
	if err := s.Start(); err != nil {
		tb.Fatalf("inmemory: cannot start: %v", err)
	}
	tb.Cleanup(s.Close)
	t, err := s.CreateTenant("test")
	if err != nil {
		tb.Fatalf("inmemory: cannot create tenant: %v", err)
	}
	return s, t
}
