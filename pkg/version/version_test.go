package version

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/blang/semver/v4"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestInfoMetric(t *testing.T) {
	want := `
# HELP threescale_version_info 3scale Operator version and product version
# TYPE threescale_version_info gauge
threescale_version_info{operator_version="1.2.3",version="2.16"} 1
`
	if err := testutil.CollectAndCompare(NewInfoMetric("1.2.3", "2.16"), strings.NewReader(want)); err != nil {
		t.Error(err)
	}
}

// TestDefaultIsTheMakefileVersion keeps the version of a plain `go build` (and of
// `go run ./hack/gen-bundle`, which hack/verify-gen.sh runs) equal to the Makefile's VERSION.
func TestDefaultIsTheMakefileVersion(t *testing.T) {
	if _, err := semver.Parse(Default); err != nil {
		t.Errorf("Default %q is not a semantic version: %v", Default, err)
	}
	data, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^VERSION \?= (\S+)$`).FindSubmatch(data)
	if m == nil {
		t.Fatal("the Makefile sets no VERSION ?= ...")
	}
	if got := string(m[1]); got != Default {
		t.Errorf("Makefile VERSION = %s, version.Default = %s: change both", got, Default)
	}
}
