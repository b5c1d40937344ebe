package envtestutil

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The CRDs of the optional APIs the APIManager's monitoring uses, committed under test/crds so that
// the integration suites install them without network access:
//
//   - test/crds/monitoring: PodMonitor and PrometheusRule (monitoring.coreos.com/v1), generated from
//     github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring at the version in
//     go.mod (the module ships types, not CRD files):
//
//     go tool controller-gen crd:crdVersions=v1 \
//     paths=github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1 \
//     output:crd:dir=$TMP
//
//     then keep monitoring.coreos.com_{podmonitors,prometheusrules}.yaml and their two comment lines.
//
//   - test/crds/grafana: GrafanaDashboard (grafana.integreatly.org/v1beta1), a copy of
//     config/crd/bases/grafana.integreatly.org_grafanadashboards.yaml of
//     github.com/grafana/grafana-operator/v5 at the version in go.mod.
//
// TestMonitoringCRDsUpToDate fails when the copies differ from what the modules in go.mod give.

// MonitoringCRDDirs are the folders, relative to the repository root, that MonitoringCRDs returns.
var MonitoringCRDDirs = []string{
	filepath.Join("test", "crds", "monitoring"),
	filepath.Join("test", "crds", "grafana"),
}

// MonitoringCRDs returns the absolute folders holding the PodMonitor, PrometheusRule and
// GrafanaDashboard CRDs, to pass to Start (as extra CRD folders) when a suite needs the monitoring
// APIs to exist. It fails when a folder is missing or holds no CRD file.
func MonitoringCRDs() (dirs []string, err error) {
	root := RepoRoot()
	for _, rel := range MonitoringCRDDirs {
		dir := filepath.Join(root, rel)
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("cannot read the monitoring CRDs: %w", err)
		}
		found := false
		for _, e := range entries {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".yaml") {
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("no CRD file in %s", dir)
		}
		dirs = append(dirs, dir)
	}
	return dirs, nil
}
