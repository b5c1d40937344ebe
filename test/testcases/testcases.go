// Package testcases reads the YAML files the API suites share: the samples of config/samples,
// and the documentation examples and invalid objects of test/api/testdata. test/api applies them
// to a real API server and test/crdschema checks them offline; both list and read them through
// this package, so that they agree on which files are cases and on the `# want: <text>` line of an
// invalid case.
package testcases

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Files returns the .yaml files of dir, sorted, without kustomization files. A folder that holds
// none fails the test: a wrong path must not let a suite pass with nothing checked.
func Files(t testing.TB, dir string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, p := range paths {
		if filepath.Base(p) != "kustomization.yaml" {
			files = append(files, p)
		}
	}
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatalf("%s holds no YAML file", dir)
	}
	return files
}

// WantedMessage returns the text of an invalid case's first line, `# want: <text>`: what the
// rejection must contain. ok is false when the line is missing or its text is empty, since an
// empty text would match any rejection.
func WantedMessage(content string) (want string, ok bool) {
	first, _, _ := strings.Cut(content, "\n")
	want, ok = strings.CutPrefix(strings.TrimSpace(first), "# want:")
	want = strings.TrimSpace(want)
	if !ok || want == "" {
		return "", false
	}
	return want, true
}
