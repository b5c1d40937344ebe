package planning

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDescriptions(t *testing.T) {
	cases := map[string]struct {
		reason string
		ops    []Operation
		want   []string
	}{
		"InOrder": {
			reason: "Each operation's description, in the plan's order.",
			ops:    []Operation{{Description: "create metric \"a\" of backend 1"}, {Description: "delete metric \"b\" of backend 1"}},
			want:   []string{"create metric \"a\" of backend 1", "delete metric \"b\" of backend 1"},
		},
		"EmptyPlan": {
			reason: "An empty plan is an empty list, not nil, so that it compares equal to []string{}.",
			want:   []string{},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Descriptions(tc.ops)); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
