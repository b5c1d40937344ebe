package capabilities

import (
	"strings"
	"testing"
	"time"
)

func TestDefaultOptions(t *testing.T) {
	cases := map[string]struct {
		env     string
		want    time.Duration
		wantErr bool
	}{
		"Unset":    {env: "", want: 0},
		"Duration": {env: "90s", want: 90 * time.Second},
		"Garbage":  {env: "soon", wantErr: true},
		"Negative": {env: "-1m", wantErr: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Setenv(PollIntervalEnvVar, tc.env)
			opts, err := DefaultOptions()
			if (err != nil) != tc.wantErr {
				t.Fatalf("DefaultOptions error = %v, want error %v", err, tc.wantErr)
			}
			if err == nil && (opts.Loop.PollInterval != tc.want || opts.Clients == nil) {
				t.Errorf("DefaultOptions = poll %v, clients %v; want %v and a client cache", opts.Loop.PollInterval, opts.Clients, tc.want)
			}
		})
	}
}

func TestLimitsFromEnv(t *testing.T) {
	t.Setenv(MaxInFlightEnvVar, "4")
	t.Setenv(CallsPerSecondEnvVar, "2.5")
	t.Setenv(CallsBurstEnvVar, "5")
	opts, err := DefaultOptions()
	if err != nil {
		t.Fatal(err)
	}
	if l := opts.Clients.Limits; l.MaxInFlight != 4 || l.CallsPerSecond != 2.5 || l.Burst != 5 {
		t.Errorf("limits = %+v", l)
	}
	for env, bad := range map[string]string{MaxInFlightEnvVar: "0", CallsPerSecondEnvVar: "-1", CallsBurstEnvVar: "many"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv(env, bad)
			if _, err := DefaultOptions(); err == nil || !strings.Contains(err.Error(), env) {
				t.Errorf("%s=%s: error %v, want one naming the variable", env, bad, err)
			}
		})
	}
}
