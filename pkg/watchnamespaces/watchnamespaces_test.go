package watchnamespaces

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	cases := map[string]struct {
		reason  string
		value   string
		want    []string
		wantErr bool
	}{
		"Empty":      {reason: "An empty value watches every namespace.", value: "", want: nil},
		"Blank":      {reason: "Blanks alone watch every namespace.", value: "  ", want: nil},
		"OnlyCommas": {reason: "A list of nothing watches every namespace.", value: " , ,", want: nil},
		"One":        {reason: "One name watches that namespace.", value: "3scale", want: []string{"3scale"}},
		"Several": {
			reason: "A comma-separated list watches each namespace once, blanks trimmed.",
			value:  "team-b, team-a,team-b ,",
			want:   []string{"team-a", "team-b"},
		},
		"Invalid": {reason: "A name that cannot be a namespace is an error.", value: "ok,Not_OK", wantErr: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Parse(tc.value)
			if (err != nil) != tc.wantErr {
				t.Fatalf("%s\nParse(%q) error = %v, wantErr %v", tc.reason, tc.value, err, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			var names []string
			if got != nil {
				names = Names(got)
			}
			if diff := cmp.Diff(tc.want, names); diff != "" {
				t.Errorf("%s\nParse(%q): -want, +got:\n%s", tc.reason, tc.value, diff)
			}
		})
	}
}
