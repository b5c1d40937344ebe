// Package version holds the operator's version, the one place every other part reads it from: the
// manager's threescale_version_info metric, the OLM bundle generator and the image build.
package version

import "github.com/prometheus/client_golang/prometheus"

// Default is the operator's version when the build does not set one. The Makefile's VERSION
// variable has the same value (a test checks it), so `go build`, `make build` and `make bundle`
// agree.
const Default = "0.1.0"

// Previous is the release Default upgrades from: the OLM bundle's spec.replaces. It is empty for
// the first release, which only skips (olm.skipRange) the builds before it. The Makefile's
// REPLACES has the same value (a test checks it).
const Previous = ""

// Version is the version of this build, without a leading "v". Release builds set it with
//
//	-ldflags "-X github.com/threescale-oss/operator/pkg/version.Version=1.2.3"
//
// which `make build` does from the Makefile's VERSION.
var Version = Default

// InfoMetricName is the metric the existing 3scale operator exports its versions as; dashboards
// and tests written for that operator query it by this name.
const InfoMetricName = "threescale_version_info"

// Labels of the info metric, as the existing operator names them.
const (
	// OperatorVersionLabel is the operator's own version.
	OperatorVersionLabel = "operator_version"
	// ThreescaleVersionLabel is the 3scale release the operator installs, major.minor ("2.16").
	ThreescaleVersionLabel = "version"
)

// NewInfoMetric returns the threescale_version_info metric: a gauge with value 1 whose labels
// carry the operator version and the 3scale release, the Prometheus convention for *_info
// metrics. (The existing operator registers a counter it never increments, so it reads 0; the
// name and labels, which queries select on, are the same.)
func NewInfoMetric(operatorVersion, threescaleVersion string) prometheus.Collector {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: InfoMetricName,
		Help: "3scale Operator version and product version",
		ConstLabels: prometheus.Labels{
			OperatorVersionLabel:   operatorVersion,
			ThreescaleVersionLabel: threescaleVersion,
		},
	})
	g.Set(1)
	return g
}
