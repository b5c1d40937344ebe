package api_test

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/threescale-oss/operator/test/envtestutil"
)

// The documentation under docs/ is held to the API and the code it documents: every fenced
// ```yaml block of every page is applied to the API server (server-side apply with strict field
// validation, so a misspelled or removed field fails); every kind has its page
// docs/kinds/<kind>.md with an example of that kind; relative links between pages resolve, to a
// heading when they name one; troubleshooting.md explains every condition and event reason the
// code sets, and configuration.md names every flag, environment variable and annotation it reads.
// YAML that is not an object to apply (a kustomization snippet, command output, OLM objects, which
// this API server does not serve) is fenced as ```text instead.

// docsFieldManager is the field manager of the objects the documentation test applies.
const docsFieldManager = "docs-test"

// A yamlDocument is one document of a ```yaml block of a documentation page.
type yamlDocument struct {
	// File is the page, relative to the repository root; Line is the 1-based line of the page
	// where the document starts.
	File string
	Line int
	// Content is the document's text.
	Content string
}

// String names the document as file:line, so that a failure points at it.
func (d yamlDocument) String() string { return fmt.Sprintf("%s:%d", d.File, d.Line) }

// fenceOpen matches the opening line of a fenced code block: its indentation, fence and info
// string.
var fenceOpen = regexp.MustCompile("^([ \t]*)(`{3,}|~{3,})[ \t]*([^`]*)$")

// yamlDocuments returns the documents of the ```yaml (or ```yml) blocks of a Markdown page, each
// with the line it starts on. Blocks fenced otherwise are skipped. A block may hold several
// documents separated by `---` lines; documents that hold only comments are dropped.
func yamlDocuments(file, content string) ([]yamlDocument, error) {
	var docs []yamlDocument
	lines := strings.Split(content, "\n")
	for i := 0; i < len(lines); i++ {
		m := fenceOpen.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		indent, fence := m[1], m[2]
		info := strings.ToLower(strings.Fields(m[3] + " x")[0])
		start := i + 1
		end := -1
		for j := start; j < len(lines); j++ {
			l := strings.TrimSpace(lines[j])
			if strings.HasPrefix(l, fence) && strings.Trim(l, fence[:1]) == "" {
				end = j
				break
			}
		}
		if end < 0 {
			return nil, fmt.Errorf("%s:%d: the code block opened here is never closed", file, i+1)
		}
		i = end
		if info != "yaml" && info != "yml" {
			continue
		}
		docStart := start
		var body []string
		flush := func() {
			for _, l := range body {
				if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") {
					docs = append(docs, yamlDocument{File: file, Line: docStart + 1, Content: strings.Join(body, "\n") + "\n"})
					break
				}
			}
			body = nil
		}
		for j := start; j < end; j++ {
			l := strings.TrimPrefix(lines[j], indent)
			if strings.TrimRight(l, " \t") == "---" {
				flush()
				docStart = j + 1
				continue
			}
			body = append(body, l)
		}
		flush()
	}
	return docs, nil
}

// docsPages returns the Markdown pages under docs/, relative to the repository root.
func docsPages(t *testing.T) []string {
	t.Helper()
	root := envtestutil.RepoRoot()
	var pages []string
	err := filepath.WalkDir(filepath.Join(root, "docs"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".md") {
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			pages = append(pages, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("cannot list the documentation: %v", err)
	}
	if len(pages) == 0 {
		t.Fatal("docs/ holds no page")
	}
	return pages
}

// pageDocuments reads a page and returns its YAML documents.
func pageDocuments(t *testing.T, page string) []yamlDocument {
	t.Helper()
	docs, err := yamlDocuments(page, readFile(t, filepath.Join(envtestutil.RepoRoot(), filepath.FromSlash(page))))
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

// docsApplier applies documentation examples the way a user would, but strictly: server-side
// apply with fieldValidation=Strict, so an unknown or duplicate field is an error.
type docsApplier struct {
	mapper  client.Client
	dynamic dynamic.Interface
	core    kubernetes.Interface
}

func newDocsApplier(t *testing.T) *docsApplier {
	t.Helper()
	c, err := client.New(env.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dyn, err := dynamic.NewForConfig(env.Config)
	if err != nil {
		t.Fatal(err)
	}
	core, err := kubernetes.NewForConfig(env.Config)
	if err != nil {
		t.Fatal(err)
	}
	return &docsApplier{mapper: c, dynamic: dyn, core: core}
}

// ensureNamespace creates a namespace unless it exists.
func (a *docsApplier) ensureNamespace(ctx context.Context, name string) error {
	_, err := a.core.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

// apply applies one document; a namespaced object without a namespace goes to namespace, one that
// names its own namespace goes there (the namespace is created when missing).
func (a *docsApplier) apply(ctx context.Context, doc yamlDocument, namespace string) error {
	var u unstructured.Unstructured
	// Strict: a key written twice is an error, as kubectl's strict validation makes it.
	if err := yaml.UnmarshalStrict([]byte(doc.Content), &u.Object); err != nil {
		return fmt.Errorf("not valid YAML (fence it as ```text if it is not meant to be applied): %w", err)
	}
	if u.Object == nil || u.GetKind() == "" || u.GetAPIVersion() == "" {
		return errors.New("not a Kubernetes object: it has no apiVersion or kind (fence it as ```text if it is not meant to be applied)")
	}
	if u.GetName() == "" {
		return fmt.Errorf("%s has no metadata.name", u.GetKind())
	}
	gvk := u.GroupVersionKind()
	mapping, err := a.mapper.RESTMapper().RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return fmt.Errorf("the API server does not serve %s: %w", gvk, err)
	}
	var resource dynamic.ResourceInterface = a.dynamic.Resource(mapping.Resource)
	if mapping.Scope.Name() == "namespace" {
		if u.GetNamespace() == "" {
			u.SetNamespace(namespace)
		} else if err := a.ensureNamespace(ctx, u.GetNamespace()); err != nil {
			return err
		}
		resource = a.dynamic.Resource(mapping.Resource).Namespace(u.GetNamespace())
	}
	data, err := u.MarshalJSON()
	if err != nil {
		return err
	}
	_, err = resource.Patch(ctx, u.GetName(), types.ApplyPatchType, data, metav1.PatchOptions{
		FieldManager:    docsFieldManager,
		Force:           ptr.To(true),
		FieldValidation: metav1.FieldValidationStrict,
	})
	if err != nil {
		return fmt.Errorf("%s %s was rejected: %w", u.GetKind(), u.GetName(), err)
	}
	return nil
}

// TestDocsExamplesAreApplied applies every YAML document of every page, in the order of the page,
// in a namespace of the page's own, and names the file and line of any document the API server
// rejects.
func TestDocsExamplesAreApplied(t *testing.T) {
	a := newDocsApplier(t)
	total := 0
	for _, page := range docsPages(t) {
		docs := pageDocuments(t, page)
		total += len(docs)
		if len(docs) == 0 {
			continue
		}
		t.Run(page, func(t *testing.T) {
			t.Parallel()
			ns := newNamespace(t)
			for _, doc := range docs {
				if err := a.apply(context.Background(), doc, ns); err != nil {
					t.Errorf("%s: %v", doc, err)
				}
			}
		})
	}
	if total == 0 {
		t.Error("no page under docs/ holds a ```yaml example")
	}
}

// kindPage is the page of a kind: docs/kinds/<kind in lower case>.md.
func kindPage(kind string) string { return path.Join("docs", "kinds", strings.ToLower(kind)+".md") }

// TestEveryKindHasAPage checks that each kind of the API has its page, with at least one example
// of that kind at the version the operator serves, and that docs/kinds holds no page of a kind
// the API does not have.
func TestEveryKindHasAPage(t *testing.T) {
	want := map[string]bool{}
	for _, k := range kinds {
		page := kindPage(k.kind)
		want[page] = true
		if _, err := os.Stat(filepath.Join(envtestutil.RepoRoot(), filepath.FromSlash(page))); err != nil {
			t.Errorf("%s has no page: want %s", k.kind, page)
			continue
		}
		found := false
		for _, doc := range pageDocuments(t, page) {
			var head struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
			}
			if err := yaml.Unmarshal([]byte(doc.Content), &head); err == nil &&
				head.Kind == k.kind && head.APIVersion == k.group+"/"+k.version {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s has no ```yaml example of kind %s (apiVersion %s/%s)", page, k.kind, k.group, k.version)
		}
	}
	for _, page := range docsPages(t) {
		if strings.HasPrefix(page, "docs/kinds/") && !want[page] {
			t.Errorf("%s documents no kind of the API", page)
		}
	}
}

// markdownLink matches the target of an inline Markdown link.
var markdownLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// headingLine matches a Markdown heading.
var headingLine = regexp.MustCompile(`^#{1,6}[ \t]+(.*?)[ \t#]*$`)

// anchors returns the anchors GitHub gives the headings of a Markdown page (outside code blocks):
// the heading in lower case, without punctuation, blanks turned into "-".
func anchors(content string) map[string]bool {
	out := map[string]bool{}
	fence := ""
	for _, line := range strings.Split(content, "\n") {
		if m := fenceOpen.FindStringSubmatch(line); m != nil {
			switch {
			case fence == "":
				fence = m[2]
				continue
			case strings.HasPrefix(strings.TrimSpace(line), fence) && strings.Trim(strings.TrimSpace(line), fence[:1]) == "":
				fence = ""
				continue
			}
		}
		if fence != "" {
			continue
		}
		m := headingLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(m[1]) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		out[b.String()] = true
	}
	return out
}

// TestDocsLinksResolve checks that every relative link of a page names a file of the repository
// and, into a Markdown page, one of its headings.
func TestDocsLinksResolve(t *testing.T) {
	root := envtestutil.RepoRoot()
	for _, page := range docsPages(t) {
		content := readFile(t, filepath.Join(root, filepath.FromSlash(page)))
		for i, line := range strings.Split(content, "\n") {
			for _, m := range markdownLink.FindAllStringSubmatch(line, -1) {
				target, anchor, _ := strings.Cut(m[1], "#")
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				file := page
				if target != "" {
					file = path.Join(path.Dir(page), target)
				}
				p := filepath.Join(root, filepath.FromSlash(file))
				if _, err := os.Stat(p); err != nil {
					t.Errorf("%s:%d: the link %s names no file", page, i+1, m[1])
					continue
				}
				if anchor != "" && strings.HasSuffix(file, ".md") && !anchors(readFile(t, p))[anchor] {
					t.Errorf("%s:%d: the link %s names no heading of %s", page, i+1, m[1], file)
				}
			}
		}
	}
}

// TestDocsApplyIsStrict proves that the documentation test would catch a misspelled field and a
// value the schema refuses, and that it reports the line of the document.
func TestDocsApplyIsStrict(t *testing.T) {
	a := newDocsApplier(t)
	ns := newNamespace(t)
	page := "docs/example.md"
	content := "# Example\n\n```yaml\napiVersion: capabilities.3scale.net/v1beta1\nkind: Backend\nmetadata:\n  name: b\nspec:\n  name: B\n  privateBaseURL: https://api.example.com\n  privateBaseUrl: https://api.example.com\n---\napiVersion: capabilities.3scale.net/v1beta1\nkind: Backend\nmetadata:\n  name: c\nspec:\n  name: C\n  privateBaseURL: ftp://api.example.com\n```\n"
	docs, err := yamlDocuments(page, content)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 {
		t.Fatalf("got %d documents, want 2", len(docs))
	}
	for i, want := range []string{"privateBaseUrl", "privateBaseURL"} {
		err := a.apply(context.Background(), docs[i], ns)
		if err == nil {
			t.Errorf("%s was accepted, want it rejected naming %s", docs[i], want)
		} else if !strings.Contains(err.Error(), want) {
			t.Errorf("%s was rejected, but the error does not name %s: %v", docs[i], want, err)
		}
	}
}

func TestYAMLDocuments(t *testing.T) {
	content := strings.Join([]string{
		"# Page",                   // 1
		"",                         // 2
		"```yaml",                  // 3
		"# a comment only",         // 4
		"---",                      // 5
		"kind: A",                  // 6
		"---",                      // 7
		"kind: B",                  // 8
		"```",                      // 9
		"```text",                  // 10
		"kind: NotApplied",         // 11
		"```",                      // 12
		"- item:",                  // 13
		"  ```yml",                 // 14
		"  kind: C",                // 15
		"  ```",                    // 16
		"````markdown",             // 17
		"```yaml",                  // 18
		"kind: InsideAnotherBlock", // 19
		"```",                      // 20
		"````",                     // 21
	}, "\n")
	docs, err := yamlDocuments("p.md", content)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		got = append(got, fmt.Sprintf("%s %s", d, strings.TrimSpace(d.Content)))
	}
	want := []string{"p.md:6 kind: A", "p.md:8 kind: B", "p.md:15 kind: C"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("yamlDocuments() = %q, want %q", got, want)
	}
	if _, err := yamlDocuments("q.md", "```yaml\nkind: A\n"); err == nil {
		t.Error("an unclosed block is not an error")
	}
}

// A goConstant is a string constant of the operator's code.
type goConstant struct {
	// Name is the constant's identifier, Value its string value, Pos where it is declared.
	Name, Value, Pos string
	// API is true for a constant of api/: documented only when the code sets it.
	API bool
}

// operatorSources parses the operator's non-test Go files: api/, pkg/ and controllers/ (without
// the in-memory 3scale, which is a test double) and main.go.
func operatorSources(t *testing.T) (*token.FileSet, map[string]*ast.File) {
	t.Helper()
	root := envtestutil.RepoRoot()
	fset := token.NewFileSet()
	files := map[string]*ast.File{}
	parse := func(p string) error {
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		files[filepath.ToSlash(rel)] = f
		return nil
	}
	for _, dir := range []string{"api", "pkg", "controllers"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case d.IsDir() && d.Name() == "inmemory":
				return filepath.SkipDir
			case d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go"):
				return nil
			}
			return parse(p)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := parse(filepath.Join(root, "main.go")); err != nil {
		t.Fatal(err)
	}
	return fset, files
}

// stringConstants returns the string constants of files whose name satisfies keep.
func stringConstants(fset *token.FileSet, files map[string]*ast.File, keep func(name string) bool) []goConstant {
	var out []goConstant
	for rel, f := range files {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i >= len(vs.Values) || !keep(name.Name) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					v, err := strconv.Unquote(lit.Value)
					if err != nil {
						continue
					}
					out = append(out, goConstant{Name: name.Name, Value: v, Pos: fset.Position(name.Pos()).String(), API: strings.HasPrefix(rel, "api/")})
				}
			}
		}
	}
	return out
}

// usedIdentifiers returns the identifiers the code outside api/ refers to (as a name or as the
// selector of a package), so that constants declared in api/ but never set are left out.
func usedIdentifiers(files map[string]*ast.File) map[string]bool {
	used := map[string]bool{}
	for rel, f := range files {
		if strings.HasPrefix(rel, "api/") {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.SelectorExpr:
				used[x.Sel.Name] = true
			case *ast.Ident:
				used[x.Name] = true
			}
			return true
		})
	}
	return used
}

// eventReasons returns the literal reasons of the events the code emits: the reason argument of
// calls to a method named event (obj, type, reason, ...) or Eventf (obj, related, type, reason, ...).
func eventReasons(fset *token.FileSet, files map[string]*ast.File) []goConstant {
	var out []goConstant
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			at := map[string]int{"event": 2, "Eventf": 3}[sel.Sel.Name]
			if at == 0 || len(call.Args) <= at {
				return true
			}
			if lit, ok := call.Args[at].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if v, err := strconv.Unquote(lit.Value); err == nil {
					out = append(out, goConstant{Name: "event", Value: v, Pos: fset.Position(lit.Pos()).String()})
				}
			}
			return true
		})
	}
	return out
}

// minReasons is the least number of reasons TestDocsCoverTheCode must find in the code.
const minReasons = 60

// TestDocsCoverTheCode checks that the pages name what the code reads and reports: every
// condition and event reason the code sets is in troubleshooting.md, and every flag of main.go,
// environment variable and annotation the code reads is in configuration.md.
func TestDocsCoverTheCode(t *testing.T) {
	root := envtestutil.RepoRoot()
	troubleshooting := readFile(t, filepath.Join(root, "docs", "troubleshooting.md"))
	configuration := readFile(t, filepath.Join(root, "docs", "configuration.md"))
	fset, files := operatorSources(t)
	used := usedIdentifiers(files)
	set := func(c goConstant) bool { return !c.API || used[c.Name] }

	camel := regexp.MustCompile(`^[A-Z][A-Za-z]+$`)
	reasons := stringConstants(fset, files, func(name string) bool {
		return strings.Contains(name, "Reason") || strings.HasPrefix(name, "reason")
	})
	checked := 0
	for _, c := range append(reasons, eventReasons(fset, files)...) {
		if !camel.MatchString(c.Value) || !set(c) {
			continue
		}
		checked++
		if !strings.Contains(troubleshooting, "`"+c.Value+"`") {
			t.Errorf("docs/troubleshooting.md does not explain the reason `%s` (%s, %s)", c.Value, c.Name, c.Pos)
		}
	}
	// A scan that finds little has lost track of how the code declares reasons.
	if checked < minReasons {
		t.Errorf("found %d condition and event reasons in the code, want at least %d: the scan no longer finds them", checked, minReasons)
	}

	names := 0
	for _, c := range stringConstants(fset, files, func(name string) bool {
		return strings.HasSuffix(name, "EnvVar") || strings.HasSuffix(name, "Env") || strings.HasSuffix(name, "Annotation")
	}) {
		if !set(c) {
			continue
		}
		names++
		if !strings.Contains(configuration, "`"+c.Value) {
			t.Errorf("docs/configuration.md does not name `%s` (%s, %s)", c.Value, c.Name, c.Pos)
		}
	}
	t.Logf("checked %d reasons and %d environment variables and annotations", checked, names)

	ast.Inspect(files["main.go"], func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) < 2 {
			return true
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || !strings.HasSuffix(sel.Sel.Name, "Var") {
			return true
		}
		if lit, ok := call.Args[1].(*ast.BasicLit); ok && lit.Kind == token.STRING {
			flag, _ := strconv.Unquote(lit.Value)
			if !strings.Contains(configuration, "`--"+flag+"`") {
				t.Errorf("docs/configuration.md does not document the flag `--%s` (%s)", flag, fset.Position(lit.Pos()))
			}
		}
		return true
	})
}

func TestAnchors(t *testing.T) {
	got := anchors("# Title\n## Switching from the 3scale operator Red Hat ships\n```text\n# not a heading\n```\n### `--metrics-secure`, and more!\n")
	for _, want := range []string{"title", "switching-from-the-3scale-operator-red-hat-ships", "--metrics-secure-and-more"} {
		if !got[want] {
			t.Errorf("anchors() = %v, want %q in it", got, want)
		}
	}
	if got["not-a-heading"] {
		t.Errorf("anchors() = %v, took a line of a code block for a heading", got)
	}
}

func TestDocsApplyRefusesDuplicateKeys(t *testing.T) {
	a := newDocsApplier(t)
	doc := yamlDocument{File: "docs/example.md", Line: 3, Content: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: twice\ndata:\n  a: \"1\"\n  a: \"2\"\n"}
	if err := a.apply(context.Background(), doc, newNamespace(t)); err == nil || !strings.Contains(err.Error(), `"a"`) {
		t.Errorf("a document with a key written twice: error %v, want one naming the key", err)
	}
}
