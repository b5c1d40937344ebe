package inputs

import (
	"fmt"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/threescale-oss/operator/pkg/apimanager/render"
)

// The optional APIs the platform uses when the cluster serves them.
var (
	// RouteGVK is OpenShift's Route: the platform is exposed with Routes instead of Ingresses.
	RouteGVK = schema.GroupVersionKind{Group: "route.openshift.io", Version: "v1", Kind: "Route"}
	// PodMonitorGVK is prometheus-operator's PodMonitor.
	PodMonitorGVK = schema.GroupVersionKind{Group: "monitoring.coreos.com", Version: "v1", Kind: render.PodMonitorKind}
	// PrometheusRuleGVK is prometheus-operator's PrometheusRule.
	PrometheusRuleGVK = schema.GroupVersionKind{Group: "monitoring.coreos.com", Version: "v1", Kind: render.PrometheusRuleKind}
	// GrafanaDashboardGVK is grafana-operator v5's GrafanaDashboard.
	GrafanaDashboardGVK = schema.GroupVersionKind{Group: "grafana.integreatly.org", Version: "v1beta1", Kind: render.GrafanaDashboardKind}
	// GrafanaDashboardV4GVK is grafana-operator v4's GrafanaDashboard.
	GrafanaDashboardV4GVK = schema.GroupVersionKind{Group: "integreatly.org", Version: "v1alpha1", Kind: render.GrafanaDashboardKind}
)

// APIs says which optional APIs the cluster serves.
type APIs struct {
	Routes, PodMonitors, PrometheusRules, GrafanaDashboards bool
	// GrafanaDashboardsV4 is grafana-operator v4's API.
	GrafanaDashboardsV4 bool
}

// GVKs returns the kinds of the APIs served, in a fixed order.
func (a APIs) GVKs() []schema.GroupVersionKind {
	var out []schema.GroupVersionKind
	for _, k := range []struct {
		ok  bool
		gvk schema.GroupVersionKind
	}{
		{a.Routes, RouteGVK}, {a.PodMonitors, PodMonitorGVK},
		{a.PrometheusRules, PrometheusRuleGVK}, {a.GrafanaDashboards, GrafanaDashboardGVK},
		{a.GrafanaDashboardsV4, GrafanaDashboardV4GVK},
	} {
		if k.ok {
			out = append(out, k.gvk)
		}
	}
	return out
}

// SetOn copies the availability flags into renderer inputs.
func (a APIs) SetOn(in *render.Inputs) {
	in.RoutesAvailable = a.Routes
	in.PodMonitorAvailable = a.PodMonitors
	in.PrometheusRuleAvailable = a.PrometheusRules
	in.GrafanaDashboardAvailable = a.GrafanaDashboards
	in.GrafanaDashboardV4Available = a.GrafanaDashboardsV4
}

// DefaultAPICacheTTL is how long an APIDetector trusts its last answer. Installing the monitoring
// CRDs after the operator is therefore noticed within minutes, while a reconcile costs no
// discovery request.
const DefaultAPICacheTTL = 5 * time.Minute

// An APIDetector finds out which optional APIs the cluster serves, through a RESTMapper (the
// manager's, which asks the discovery API), and caches the answer for TTL. It is safe for
// concurrent use.
type APIDetector struct {
	// Mapper answers whether a kind is served.
	Mapper meta.RESTMapper
	// TTL is how long an answer is reused; zero means DefaultAPICacheTTL.
	TTL time.Duration
	// Now returns the time; nil means time.Now. Tests set it.
	Now func() time.Time

	mu   sync.Mutex
	last APIs
	at   time.Time
	ok   bool
}

// Detect returns which optional APIs the cluster serves. A discovery failure other than "no such
// kind" is returned and not cached.
func (d *APIDetector) Detect() (APIs, error) {
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	ttl := d.TTL
	if ttl == 0 {
		ttl = DefaultAPICacheTTL
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ok && now().Sub(d.at) < ttl {
		return d.last, nil
	}
	var a APIs
	for _, k := range []struct {
		gvk schema.GroupVersionKind
		to  *bool
	}{
		{RouteGVK, &a.Routes}, {PodMonitorGVK, &a.PodMonitors},
		{PrometheusRuleGVK, &a.PrometheusRules}, {GrafanaDashboardGVK, &a.GrafanaDashboards},
		{GrafanaDashboardV4GVK, &a.GrafanaDashboardsV4},
	} {
		served, err := Served(d.Mapper, k.gvk)
		if err != nil {
			return APIs{}, err
		}
		*k.to = served
	}
	d.last, d.at, d.ok = a, now(), true
	return a, nil
}

// Forget drops the cached answer: the next Detect asks the cluster again.
func (d *APIDetector) Forget() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.ok = false
}

// Served reports whether mapper knows gvk.
func Served(mapper meta.RESTMapper, gvk schema.GroupVersionKind) (bool, error) {
	if mapper == nil {
		return false, nil
	}
	_, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	switch {
	case err == nil:
		return true, nil
	case meta.IsNoMatchError(err):
		return false, nil
	default:
		return false, fmt.Errorf("cannot discover whether the cluster serves %s: %w", gvk, err)
	}
}
