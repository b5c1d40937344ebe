package api_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWantedMessage(t *testing.T) {
	cases := map[string]struct {
		reason  string
		content string
		want    string
		wantOK  bool
	}{
		"Present": {reason: "The first line names the wanted text.", content: "# want: spec.name\nkind: X\n", want: "spec.name", wantOK: true},
		"Missing": {reason: "A file without the line is not a valid case.", content: "kind: X\n", wantOK: false},
		"Empty":   {reason: "An empty wanted text would match anything.", content: "# want:   \nkind: X\n", wantOK: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, ok := wantedMessage(tc.content)
			if ok != tc.wantOK || got != tc.want {
				t.Errorf("%s\nwantedMessage() = %q, %v; want %q, %v", tc.reason, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestSplitDocuments(t *testing.T) {
	got := splitDocuments("# want: x\n---\nkind: A\n---\n# only a comment\n---\nkind: B\n")
	want := []string{"\nkind: A", "\nkind: B\n"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("splitDocuments(): -want, +got:\n%s", diff)
	}
}
