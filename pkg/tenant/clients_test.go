package tenant

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/threescale-oss/operator/pkg/threescale"
)

func TestClientsShareOnePerTenant(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := &Clients{Options: []threescale.Option{threescale.WithMetricsRegisterer(prometheus.NewRegistry())}, IdleTimeout: time.Minute}
	c.now = func() time.Time { return now }
	src := SecretKey{ns, "s", "token"}

	a1, err := c.For(NewCredentials("https://a.example.com", "t1", src))
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := c.For(NewCredentials("https://a.example.com", "t1", SecretKey{ns, "other", "token"}))
	if a1 != a2 {
		t.Error("the same admin URL and token gave two clients; want one shared client")
	}
	rotated, _ := c.For(NewCredentials("https://a.example.com", "t2", src))
	if rotated == a1 {
		t.Error("a rotated token reused the old client")
	}
	insecure := NewCredentials("https://a.example.com", "t1", src)
	insecure.InsecureSkipVerify = true
	if ic, _ := c.For(insecure); ic == a1 {
		t.Error("insecure_skip_verify reused the verifying client")
	}
	if c.Len() != 3 {
		t.Errorf("Len = %d, want 3", c.Len())
	}

	now = now.Add(2 * time.Minute)
	if again, _ := c.For(NewCredentials("https://a.example.com", "t1", src)); again == a1 {
		t.Error("an idle client was kept past IdleTimeout")
	}
	if c.Len() != 1 {
		t.Errorf("Len after eviction = %d, want 1 (idle clients dropped)", c.Len())
	}
}

func TestClientsBadCredentials(t *testing.T) {
	c := &Clients{}
	_, err := c.For(NewCredentials("https://a.example.com", "", SecretKey{ns, "s", "token"}))
	if !IsBadSecret(err) {
		t.Fatalf("For(empty token) = %v, want a SecretKeyError", err)
	}
	if want := `key "token" of secret team-a/s cannot be used: threescale: empty access token`; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}
