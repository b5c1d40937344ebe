package render

import (
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Labels of the monitoring objects, besides the labels of every object, as the 3scale operator Red
// Hat ships sets them: the Prometheus and Grafana selectors of the 3scale documentation and of
// users' monitoring stacks select on them.
const (
	// LabelMonitoringKey is on every PodMonitor, PrometheusRule and GrafanaDashboard.
	LabelMonitoringKey = "monitoring-key"
	// MonitoringKey is the value of LabelMonitoringKey.
	MonitoringKey = "middleware"
	// LabelPrometheus and LabelRole are on PrometheusRules, for rule selectors written for the
	// application-monitoring stack.
	LabelPrometheus = "prometheus"
	// PrometheusApplicationMonitoring is the value of LabelPrometheus.
	PrometheusApplicationMonitoring = "application-monitoring"
	// LabelRole marks PrometheusRules as alerting rules.
	LabelRole = "role"
	// RoleAlertRules is the value of LabelRole.
	RoleAlertRules = "alert-rules"
)

// API versions and kinds of the monitoring objects.
const (
	MonitoringAPIVersion       = "monitoring.coreos.com/v1"
	PodMonitorKind             = "PodMonitor"
	PrometheusRuleKind         = "PrometheusRule"
	GrafanaDashboardAPIVersion = "grafana.integreatly.org/v1beta1"
	GrafanaDashboardKind       = "GrafanaDashboard"
	// GrafanaDashboardV4APIVersion is grafana-operator v4's API, which the existing operator still
	// renders dashboards for.
	GrafanaDashboardV4APIVersion = "integreatly.org/v1alpha1"
)

// metricsPath is where every 3scale component serves its metrics.
const metricsPath = "/metrics"

// monitoredWorkload is a Deployment whose pods serve Prometheus metrics.
type monitoredWorkload struct {
	name, component, element string
	// ports are the names of the containers' metrics ports.
	ports []string
	// zync is true for the workloads deployed only when zync is enabled.
	zync bool
}

// monitoredWorkloads are the workloads the existing operator scrapes, with its port names. system-app
// runs one container per portal, each with its own metrics port.
var monitoredWorkloads = []monitoredWorkload{
	{name: ApicastProductionName, component: ComponentApicast, element: "production", ports: []string{"metrics"}},
	{name: ApicastStagingName, component: ComponentApicast, element: "staging", ports: []string{"metrics"}},
	{name: BackendListenerName, component: ComponentBackend, element: "listener", ports: []string{"metrics"}},
	{name: BackendWorkerName, component: ComponentBackend, element: "worker", ports: []string{"metrics"}},
	{name: SystemAppName, component: ComponentSystem, element: "app",
		ports: []string{"master-metrics", "prov-metrics", "dev-metrics"}},
	{name: SystemSidekiqName, component: ComponentSystem, element: "sidekiq", ports: []string{"metrics"}},
	{name: ZyncName, component: ComponentZync, element: "zync", ports: []string{"metrics"}, zync: true},
	{name: ZyncQueName, component: ComponentZync, element: "zync-que", ports: []string{"metrics"}, zync: true},
}

// Monitoring returns the monitoring objects of the platform when spec.monitoring.enabled: a
// PodMonitor per component, the alerting PrometheusRules (unless spec.monitoring.enablePrometheusRules
// is false) and the GrafanaDashboards: grafana-operator v5's when the cluster serves them, else v4's
// when it serves those (one Grafana operator reads them; rendering both would import every dashboard
// twice where both CRDs remain after a migration). Each kind is rendered only when the cluster serves its API
// (see MissingMonitoringAPIs for what to report when it does not); zync's objects only when zync is
// deployed.
func Monitoring(in *Inputs) []client.Object {
	if !in.ok() || !in.APIManager.IsMonitoringEnabled() {
		return nil
	}
	var objs []client.Object
	if in.PodMonitorAvailable {
		for _, pm := range PodMonitors(in) {
			objs = append(objs, pm)
		}
	}
	if in.PrometheusRuleAvailable && in.APIManager.IsPrometheusRulesEnabled() {
		for _, pr := range PrometheusRules(in) {
			objs = append(objs, pr)
		}
	}
	switch {
	case in.GrafanaDashboardAvailable:
		for _, gd := range GrafanaDashboards(in) {
			objs = append(objs, gd)
		}
	case in.GrafanaDashboardV4Available:
		for _, gd := range GrafanaDashboardsV4(in) {
			objs = append(objs, gd)
		}
	}
	return objs
}

// MissingMonitoringAPIs returns the monitoring kinds the spec asks for but the cluster does not
// serve, as "<Kind> (<apiVersion>)", in a fixed order; nil when nothing is missing. The controller
// reports them in a condition and an event: the platform works without them.
func MissingMonitoringAPIs(in *Inputs) []string {
	if !in.ok() || !in.APIManager.IsMonitoringEnabled() {
		return nil
	}
	var missing []string
	if !in.PodMonitorAvailable {
		missing = append(missing, PodMonitorKind+" ("+MonitoringAPIVersion+")")
	}
	if in.APIManager.IsPrometheusRulesEnabled() && !in.PrometheusRuleAvailable {
		missing = append(missing, PrometheusRuleKind+" ("+MonitoringAPIVersion+")")
	}
	if !in.GrafanaDashboardAvailable && !in.GrafanaDashboardV4Available {
		missing = append(missing, GrafanaDashboardKind+" ("+GrafanaDashboardAPIVersion+" or "+GrafanaDashboardV4APIVersion+")")
	}
	return missing
}

// PodMonitors returns a PodMonitor per monitored workload, named after it. Each selects exactly the
// pods of its Deployment (the Deployment's own, immutable selector) and scrapes every metrics port.
func PodMonitors(in *Inputs) []*monitoringv1.PodMonitor {
	if !in.ok() {
		return nil
	}
	var out []*monitoringv1.PodMonitor
	for _, w := range monitoredWorkloads {
		if w.zync && !in.APIManager.IsZyncEnabled() {
			continue
		}
		endpoints := make([]monitoringv1.PodMetricsEndpoint, 0, len(w.ports))
		for _, port := range w.ports {
			endpoints = append(endpoints, monitoringv1.PodMetricsEndpoint{
				Port:   ptr.To(port),
				Path:   metricsPath,
				Scheme: ptr.To(monitoringv1.SchemeHTTP),
			})
		}
		out = append(out, &monitoringv1.PodMonitor{
			TypeMeta:   typeMeta(MonitoringAPIVersion, PodMonitorKind),
			ObjectMeta: monitoringMeta(in, w.name, w.component, w.element),
			Spec: monitoringv1.PodMonitorSpec{
				Selector:            metav1.LabelSelector{MatchLabels: PodSelector(w.name)},
				PodMetricsEndpoints: endpoints,
			},
		})
	}
	return out
}

// monitoringMeta returns the metadata of a monitoring object: the labels of its component (none
// for the objects about the whole namespace, whose component is empty) plus monitoring-key.
func monitoringMeta(in *Inputs, name, component, element string) metav1.ObjectMeta {
	meta := objectMeta(in, name, component, element)
	for k, v := range meta.Labels {
		if v == "" {
			delete(meta.Labels, k)
		}
	}
	meta.Labels[LabelMonitoringKey] = MonitoringKey
	return meta
}
