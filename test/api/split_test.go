package api_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplitDocuments(t *testing.T) {
	got := splitDocuments("# want: x\n---\nkind: A\n---\n# only a comment\n---\nkind: B\n")
	want := []string{"\nkind: A", "\nkind: B\n"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("splitDocuments(): -want, +got:\n%s", diff)
	}
}
