package inmemory

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// undocumented are operations 3scale serves that its description leaves out: porta's Rails
// routes answer PUT for the updates the description documents as PATCH.
var undocumented = map[string]bool{
	"PUT /admin/api/services/{service_id}/proxy.json":                    true,
	"PUT /admin/api/services/{service_id}/proxy/mapping_rules/{id}.json": true,
	"PUT /admin/api/services/{service_id}/proxy/oidc_configuration.json": true,
}

// descriptionsDir finds the official API descriptions: $THREESCALE_API_DESCRIPTIONS, else
// ../shared/3scale-api/ next to the project's root.
func descriptionsDir(t *testing.T) string {
	if dir := os.Getenv("THREESCALE_API_DESCRIPTIONS"); dir != "" {
		return dir
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..", "..")
	return filepath.Join(root, "..", "shared", "3scale-api")
}

// TestContractOperationsAreDocumented holds the server's operation keys to the official
// descriptions: each must be a method and path of them, ".xml" read as ".json".
func TestContractOperationsAreDocumented(t *testing.T) {
	dir := descriptionsDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) == 0 {
		t.Skipf("no 3scale API descriptions in %s (set THREESCALE_API_DESCRIPTIONS)", dir)
	}
	documented := map[string]bool{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Paths map[string]map[string]json.RawMessage `json:"paths"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for path, ops := range doc.Paths {
			for method := range ops {
				if method == "parameters" {
					continue
				}
				if p, ok := strings.CutSuffix(path, ".xml"); ok {
					path = p + ".json"
				}
				documented[strings.ToUpper(method)+" "+path] = true
			}
		}
	}
	var missing []string
	for _, op := range New().Operations() {
		if !documented[op] && !undocumented[op] {
			missing = append(missing, op)
		}
	}
	sort.Strings(missing)
	if diff := cmp.Diff([]string(nil), missing); diff != "" {
		t.Errorf("operations not in the descriptions (-want +got):\n%s", diff)
	}
}
