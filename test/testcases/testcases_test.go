package testcases

import (
	"os"
	"path/filepath"
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
			got, ok := WantedMessage(tc.content)
			if ok != tc.wantOK || got != tc.want {
				t.Errorf("%s\nWantedMessage() = %q, %v; want %q, %v", tc.reason, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.yaml", "a.yaml", "kustomization.yaml", "notes.md"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")}
	if diff := cmp.Diff(want, Files(t, dir)); diff != "" {
		t.Errorf("YAML files, sorted, without the kustomization: -want, +got:\n%s", diff)
	}
}
