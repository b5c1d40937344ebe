package capabilities

import (
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
