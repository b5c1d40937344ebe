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
// `go run ./hack/gen-bundle`, which hack/verify-gen.sh runs) equal to the Makefile's VERSION, and
// the release it replaces equal to the Makefile's REPLACES.
func TestDefaultIsTheMakefileVersion(t *testing.T) {
	v, err := semver.Parse(Default)
	if err != nil {
		t.Errorf("Default %q is not a semantic version: %v", Default, err)
	}
	if Previous != "" {
		if p, err := semver.Parse(Previous); err != nil || !p.LT(v) {
			t.Errorf("Previous %q is not a version older than %s (%v)", Previous, Default, err)
		}
	}
	data, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	for variable, want := range map[string]string{"VERSION": Default, "REPLACES": Previous} {
		m := regexp.MustCompile(`(?m)^` + variable + ` \?=[ \t]*(\S*)$`).FindSubmatch(data)
		if m == nil {
			t.Errorf("the Makefile sets no %s ?= ...", variable)
			continue
		}
		if got := string(m[1]); got != want {
			t.Errorf("Makefile %s = %q, pkg/version has %q: change both", variable, got, want)
		}
	}
}
