// Package api_test proves the operator's API against a real kube-apiserver: the generated CRDs
// install, every sample and every example from the 3scale documentation is accepted by `kubectl
// apply` with its default (strict) validation, and invalid objects are rejected with a message that
// names the offending field.
package api_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/threescale-oss/operator/test/envtestutil"
	"github.com/threescale-oss/operator/test/testcases"
)

var env *envtestutil.Env

func TestMain(m *testing.M) {
	var err error
	env, err = envtestutil.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	if err := env.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "cannot stop the control plane:", err)
	}
	os.Exit(code)
}

var namespaceSeq atomic.Int64

// newNamespace creates a namespace of its own for one test case, so that cases never collide on
// object names.
func newNamespace(t *testing.T) string {
	t.Helper()
	name := fmt.Sprintf("api-%d", namespaceSeq.Add(1))
	if r := env.Run("", "create", "namespace", name); r.Err != nil {
		t.Fatalf("cannot create namespace %s: %v\n%s", name, r.Err, r.Stderr)
	}
	return name
}

// applyAccepted applies a file with kubectl's default validation, which is strict: unknown or
// duplicate fields are errors, as they are for users.
func applyAccepted(t *testing.T, file string) {
	t.Helper()
	ns := newNamespace(t)
	r := env.Run("", "apply", "--namespace", ns, "-f", file)
	if r.Err != nil {
		t.Fatalf("kubectl apply -f %s was rejected: %v\n%s", file, r.Err, r.Stderr)
	}
	if strings.Contains(r.Stderr, "Warning") {
		t.Errorf("kubectl apply -f %s warned:\n%s", file, r.Stderr)
	}
}

func TestSamplesAreAccepted(t *testing.T) {
	files := testcases.Files(t, filepath.Join(envtestutil.RepoRoot(), "config", "samples"))
	if len(files) == 0 {
		t.Fatal("config/samples holds no sample")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			applyAccepted(t, file)
		})
	}
}

func TestDocumentationExamplesAreAccepted(t *testing.T) {
	files := testcases.Files(t, filepath.Join("testdata", "valid"))
	if len(files) == 0 {
		t.Fatal("testdata/valid holds no example")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			if !strings.HasPrefix(readFile(t, file), "# source:") {
				t.Errorf("%s does not start with a `# source:` line saying where the example comes from", file)
			}
			applyAccepted(t, file)
		})
	}
}

// minInvalidCases is the least number of invalid objects the table must hold: enough to cover the
// required fields, enums, patterns and cross-field rules of every kind.
const minInvalidCases = 25

// TestInvalidObjectsAreRejected applies each file of testdata/invalid. A file's first line is
// `# want: <text>`: the API server's error must contain that text, which names the offending field.
// When a file holds several objects, all but the last are applied first and must be accepted (the
// way to test rules on updates, such as immutable fields); the last one must be rejected.
func TestInvalidObjectsAreRejected(t *testing.T) {
	files := testcases.Files(t, filepath.Join("testdata", "invalid"))
	if len(files) < minInvalidCases {
		t.Errorf("testdata/invalid holds %d cases, want at least %d", len(files), minInvalidCases)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			content := readFile(t, file)
			want, ok := testcases.WantedMessage(content)
			if !ok {
				t.Fatalf("%s does not start with a `# want: <text>` line", file)
			}
			docs := splitDocuments(content)
			ns := newNamespace(t)
			for i, doc := range docs[:len(docs)-1] {
				if r := env.Run(doc, "apply", "--namespace", ns, "-f", "-"); r.Err != nil {
					t.Fatalf("object %d of %s, which must be accepted, was rejected: %v\n%s", i+1, file, r.Err, r.Stderr)
				}
			}
			r := env.Run(docs[len(docs)-1], "apply", "--namespace", ns, "-f", "-")
			if r.Err == nil {
				t.Fatalf("%s was accepted, want it rejected with a message containing %q\n%s", file, want, r.Stdout)
			}
			if !strings.Contains(r.Stderr, want) {
				t.Errorf("%s was rejected, but the message does not contain %q:\n%s", file, want, r.Stderr)
			}
		})
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// splitDocuments splits a YAML stream on `---` lines and drops documents that hold only comments.
func splitDocuments(content string) []string {
	var docs []string
	for _, doc := range strings.Split("\n"+content, "\n---") {
		for _, line := range strings.Split(doc, "\n") {
			if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "#") {
				docs = append(docs, doc)
				break
			}
		}
	}
	return docs
}
