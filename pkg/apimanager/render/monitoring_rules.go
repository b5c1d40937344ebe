package render

import (
	"fmt"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The alerting rules keep the alert names, severities, thresholds and durations of the 3scale
// operator Red Hat ships, so that users' Alertmanager routes and silences keep working. Their
// expressions are ours, and fix what kept some of those alerts from ever firing or made them fire
// for the wrong reason:
//   - pods are selected by the `namespace` and `pod` labels every PodMonitor target has, not by a
//     `job` pattern (`backend.*` never matched the `<namespace>/backend-worker` jobs PodMonitors
//     produce);
//   - counts "in the last N minutes" use increase() over N minutes, not a per-second rate (the 5xx
//     alerts) or the average of an ever-growing counter (backend worker jobs);
//   - the Kubernetes alerts read Deployments (not ReplicationControllers, which 3scale no longer
//     uses), kube-state-metrics v2 names (kube_pod_container_resource_limits{resource=...}) and the
//     kubelet's raw CPU and memory metrics instead of kube-prometheus recording rules whose names
//     change between versions.

// Names of the PrometheusRules that are not named after a workload.
const (
	// ApicastRulesName holds the alerts of both APIcast gateways.
	ApicastRulesName = "apicast"
	// KubeStateMetricsRulesName holds the alerts about the platform's pods and containers.
	KubeStateMetricsRulesName = "threescale-kube-state-metrics"
)

// Values of the severity label of the alerts.
const (
	severityCritical = "critical"
	severityWarning  = "warning"
)

// alert describes one alerting rule.
type alert struct {
	name, expr, forDuration, severity, summary, description string
	// message, when set, is also given as the `message` annotation, which the existing operator's
	// Kubernetes alerts carry instead of summary and description (receiver templates written for
	// them render it).
	message bool
}

// sopBaseURL is where the standard operating procedures of the alerts are published; the
// existing operator links each alert to one in its `sop_url` annotation.
const sopBaseURL = "https://github.com/3scale/3scale-Operations/blob/master/sops/alerts/"

// sopPages gives the page of sopBaseURL of each alert, as the existing operator links them. The
// *JobDown alerts share one page.
var sopPages = map[string]string{
	"ThreescaleApicastJobDown":                        "prometheus_job_down.adoc",
	"ThreescaleApicastHttp4xxErrorRate":               "apicast_http_4xx_error_rate.adoc",
	"ThreescaleApicastLatencyHigh":                    "apicast_apicast_latency.adoc",
	"ThreescaleApicastWorkerRestart":                  "apicast_worker_restart.adoc",
	"ThreescaleBackendWorkerJobsCountRunningHigh":     "backend_worker_jobs_count_running_high.adoc",
	"ThreescaleBackendWorkerJobDown":                  "prometheus_job_down.adoc",
	"ThreescaleBackendListener5XXRequestsHigh":        "backend_listener_5xx_requests_high.adoc",
	"ThreescaleBackendListenerJobDown":                "prometheus_job_down.adoc",
	"ThreescaleSystemApp5XXRequestsHigh":              "system_app_5xx_requests_high.adoc",
	"ThreescaleSystemAppJobDown":                      "prometheus_job_down.adoc",
	"ThreescaleSystemSidekiqJobDown":                  "prometheus_job_down.adoc",
	"ThreescaleZyncJobDown":                           "prometheus_job_down.adoc",
	"ThreescaleZync5XXRequestsHigh":                   "zync_5xx_requests_high.adoc",
	"ThreescaleZyncQueJobDown":                        "prometheus_job_down.adoc",
	"ThreescaleZyncQueScheduledJobCountHigh":          "zync_que_scheduled_job_count_high.adoc",
	"ThreescaleZyncQueFailedJobCountHigh":             "zync_que_failed_job_count_high.adoc",
	"ThreescaleZyncQueReadyJobCountHigh":              "zync_que_ready_job_count_high.adoc",
	"ThreescalePodCrashLooping":                       "pod_crash_looping.adoc",
	"ThreescalePodNotReady":                           "pod_not_ready.adoc",
	"ThreescaleReplicationControllerReplicasMismatch": "replication_controller_replicas_mismatch.adoc",
	"ThreescaleContainerWaiting":                      "container_waiting.adoc",
	"ThreescaleContainerCPUHigh":                      "container_cpu_high.adoc",
	"ThreescaleContainerMemoryHigh":                   "container_memory_high.adoc",
	"ThreescaleContainerCPUThrottlingHigh":            "container_cpu_throttling_high.adoc",
}

// rule returns the prometheus-operator Rule of a.
func (a alert) rule() monitoringv1.Rule {
	d := monitoringv1.Duration(a.forDuration)
	annotations := map[string]string{"summary": a.summary, "description": a.description}
	if page, ok := sopPages[a.name]; ok {
		annotations["sop_url"] = sopBaseURL + page
	}
	if a.message {
		annotations["message"] = a.description
	}
	return monitoringv1.Rule{
		Alert:       a.name,
		Expr:        intstr.FromString(a.expr),
		For:         &d,
		Labels:      map[string]string{"severity": a.severity},
		Annotations: annotations,
	}
}

// promSelectors builds PromQL matchers for one namespace.
type promSelectors struct{ namespace string }

// pods returns the matchers of the pods of the given Deployments. A Deployment's pods are named
// <deployment>-<replicaset hash>-<suffix>, so zync does not also match zync-que's pods.
func (s promSelectors) pods(deployments ...string) string {
	return fmt.Sprintf(`namespace=%q, pod=~"(%s)-[a-z0-9]+-[a-z0-9]+"`, s.namespace, strings.Join(deployments, "|"))
}

// platformPods returns the matchers of every pod of the platform, hook Jobs' pods included.
func (s promSelectors) platformPods() string {
	return fmt.Sprintf(`namespace=%q, pod=~"(apicast|backend|system|zync)-.*"`, s.namespace)
}

// jobDown returns the alert raised when a scrape target of the given Deployments stops answering.
func jobDown(name string, s promSelectors, deployments ...string) alert {
	return alert{
		name:        name,
		expr:        fmt.Sprintf(`up{%s} == 0`, s.pods(deployments...)),
		forDuration: "1m",
		severity:    severityCritical,
		summary:     "Job {{ $labels.job }} on {{ $labels.namespace }} is DOWN",
		description: "Prometheus cannot scrape {{ $labels.pod }} ({{ $labels.job }}) in {{ $labels.namespace }}: the pod is not serving its metrics, or not running.",
	}
}

// PrometheusRules returns the alerting rules of the platform: one PrometheusRule per component,
// named as in the existing operator, plus one about the namespace's pods and containers.
func PrometheusRules(in *Inputs) []*monitoringv1.PrometheusRule {
	if !in.ok() {
		return nil
	}
	s := promSelectors{namespace: in.namespace()}
	apicast := s.pods(ApicastProductionName, ApicastStagingName)
	out := []*monitoringv1.PrometheusRule{
		prometheusRule(in, ApicastRulesName, ComponentApicast, "",
			jobDown("ThreescaleApicastJobDown", s, ApicastProductionName, ApicastStagingName),
			alert{
				name: "ThreescaleApicastHttp4xxErrorRate",
				expr: fmt.Sprintf(`sum by (namespace, job) (rate(apicast_status{%[1]s, status=~"4.."}[5m])) `+
					`/ sum by (namespace, job) (rate(apicast_status{%[1]s}[5m])) * 100 > 5`, apicast),
				forDuration: "5m",
				severity:    severityWarning,
				summary:     "APIcast high HTTP 4xx error rate ({{ $labels.job }})",
				description: "More than 5% of the responses of {{ $labels.job }} in {{ $labels.namespace }} are 4xx: {{ $value | printf \"%.1f\" }}%.",
			},
			alert{
				name: "ThreescaleApicastLatencyHigh",
				expr: fmt.Sprintf(`histogram_quantile(0.99, sum by (namespace, job, le) `+
					`(rate(total_response_time_seconds_bucket{%s}[30m]))) > 5`, apicast),
				forDuration: "5m",
				severity:    severityWarning,
				summary:     "APIcast latency high ({{ $labels.job }})",
				description: "The p99 response time of {{ $labels.job }} in {{ $labels.namespace }} over 30 minutes is {{ $value | humanizeDuration }}, more than 5 seconds.",
			},
			alert{
				name:        "ThreescaleApicastWorkerRestart",
				expr:        fmt.Sprintf(`changes(worker_process{%s}[5m]) > 0`, s.pods(ApicastProductionName)),
				forDuration: "5m",
				severity:    severityWarning,
				summary:     "A new NGINX worker process started in {{ $labels.pod }}",
				description: "An NGINX worker of {{ $labels.pod }} in {{ $labels.namespace }} was replaced, which usually means the previous one died, often for lack of memory. Check the pod's memory usage and limits.",
			},
		),
		prometheusRule(in, BackendWorkerName, ComponentBackend, "worker",
			alert{
				name: "ThreescaleBackendWorkerJobsCountRunningHigh",
				expr: fmt.Sprintf(`sum by (namespace, job) (increase(apisonator_worker_job_count{%s}[5m])) > 10000`,
					s.pods(BackendWorkerName)),
				forDuration: "5m",
				severity:    severityCritical,
				summary:     "{{ $labels.job }} on {{ $labels.namespace }} processed more than 10000 jobs in the last 5 minutes",
				description: "backend-worker in {{ $labels.namespace }} processed {{ $value | printf \"%.0f\" }} jobs in the last 5 minutes.",
			},
			jobDown("ThreescaleBackendWorkerJobDown", s, BackendWorkerName),
		),
		prometheusRule(in, BackendListenerName, ComponentBackend, "listener",
			alert{
				name: "ThreescaleBackendListener5XXRequestsHigh",
				expr: fmt.Sprintf(`sum by (namespace, job) (increase(apisonator_listener_response_codes{%s, resp_code="5xx"}[5m])) > 5000`,
					s.pods(BackendListenerName)),
				forDuration: "5m",
				severity:    severityCritical,
				summary:     "{{ $labels.job }} on {{ $labels.namespace }} answered more than 5000 HTTP 5xx in the last 5 minutes",
				description: "backend-listener in {{ $labels.namespace }} answered {{ $value | printf \"%.0f\" }} requests with a 5xx status in the last 5 minutes.",
			},
			jobDown("ThreescaleBackendListenerJobDown", s, BackendListenerName),
		),
		prometheusRule(in, SystemAppName, ComponentSystem, "app",
			fiveXXPerMinute("ThreescaleSystemApp5XXRequestsHigh", s, SystemAppName),
			jobDown("ThreescaleSystemAppJobDown", s, SystemAppName),
		),
		prometheusRule(in, SystemSidekiqName, ComponentSystem, "sidekiq",
			jobDown("ThreescaleSystemSidekiqJobDown", s, SystemSidekiqName),
		),
	}
	if in.APIManager.IsZyncEnabled() {
		out = append(out,
			prometheusRule(in, ZyncName, ComponentZync, "zync",
				jobDown("ThreescaleZyncJobDown", s, ZyncName),
				fiveXXPerMinute("ThreescaleZync5XXRequestsHigh", s, ZyncName),
			),
			prometheusRule(in, ZyncQueName, ComponentZync, "zync-que",
				jobDown("ThreescaleZyncQueJobDown", s, ZyncQueName),
				queJobsHigh("ThreescaleZyncQueScheduledJobCountHigh", s, "scheduled"),
				queJobsHigh("ThreescaleZyncQueFailedJobCountHigh", s, "failed"),
				queJobsHigh("ThreescaleZyncQueReadyJobCountHigh", s, "ready"),
			),
		)
	}
	return append(out, prometheusRule(in, KubeStateMetricsRulesName, "", "", kubernetesAlerts(s)...))
}

// fiveXXPerMinute returns the alert raised when a Rails application (system, zync) answers more
// than 50 requests a minute with a 5xx status. The rate is taken over 5 minutes, so that a missed
// scrape does not hide it.
func fiveXXPerMinute(name string, s promSelectors, deployment string) alert {
	return alert{
		name: name,
		expr: fmt.Sprintf(`sum by (namespace, job) (rate(rails_requests_total{%s, status=~"5.."}[5m])) * 60 > 50`,
			s.pods(deployment)),
		forDuration: "1m",
		severity:    severityWarning,
		summary:     "{{ $labels.job }} on {{ $labels.namespace }} answers more than 50 HTTP 5xx a minute",
		description: deployment + " in {{ $labels.namespace }} answers {{ $value | printf \"%.0f\" }} requests a minute with a 5xx status.",
	}
}

// queJobsHigh returns the alert raised when more than 250 zync-que jobs are in the given state.
func queJobsHigh(name string, s promSelectors, state string) alert {
	return alert{
		name: name,
		expr: fmt.Sprintf(`max by (namespace, job, exported_job) (que_jobs_scheduled_total{%s, type=%q}) > 250`,
			s.pods(ZyncQueName), state),
		forDuration: "1m",
		severity:    severityWarning,
		summary:     "{{ $labels.job }} on {{ $labels.namespace }} has more than 250 " + state + " jobs",
		description: "zync-que in {{ $labels.namespace }} has {{ $value | printf \"%.0f\" }} " + state + " {{ $labels.exported_job }} jobs.",
	}
}

// kubernetesAlerts are the alerts about the platform's pods and containers, from kube-state-metrics
// and the kubelet.
func kubernetesAlerts(s promSelectors) []alert {
	pods := s.platformPods()
	deployments := fmt.Sprintf(`namespace=%q, deployment=~"(apicast|backend|system|zync)(-.*)?"`, s.namespace)
	byContainer := "sum by (namespace, pod, container)"
	alerts := []alert{
		{
			name:        "ThreescalePodCrashLooping",
			expr:        fmt.Sprintf(`rate(kube_pod_container_status_restarts_total{%s}[15m]) * 60 * 5 > 0`, pods),
			forDuration: "5m",
			severity:    severityCritical,
			summary:     "Pod {{ $labels.namespace }}/{{ $labels.pod }} is crash looping",
			description: "Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} is restarting {{ printf \"%.2f\" $value }} times every 5 minutes.",
		},
		{
			name: "ThreescalePodNotReady",
			expr: fmt.Sprintf(`sum by (namespace, pod) (kube_pod_status_ready{%s, condition="false"}) `+
				`* on (namespace, pod) max by (namespace, pod) (kube_pod_owner{namespace=%q, owner_kind!="Job"}) > 0`,
				pods, s.namespace),
			forDuration: "5m",
			severity:    severityCritical,
			summary:     "Pod {{ $labels.namespace }}/{{ $labels.pod }} is not ready",
			description: "Pod {{ $labels.namespace }}/{{ $labels.pod }} has not been ready for more than 5 minutes.",
		},
		{
			// The name of the existing operator's alert, which users' Alertmanager routes and
			// silences key on, although it is about Deployments: 3scale no longer runs
			// ReplicationControllers, so that alert could never fire.
			name: "ThreescaleReplicationControllerReplicasMismatch",
			expr: fmt.Sprintf(`kube_deployment_spec_replicas{%[1]s} != kube_deployment_status_replicas_available{%[1]s}`,
				deployments),
			forDuration: "5m",
			severity:    severityCritical,
			summary:     "Deployment {{ $labels.namespace }}/{{ $labels.deployment }} does not have the replicas it wants",
			description: "Deployment {{ $labels.namespace }}/{{ $labels.deployment }} has not had its desired number of available replicas for more than 5 minutes.",
		},
		{
			name:        "ThreescaleContainerWaiting",
			expr:        fmt.Sprintf(`%s (kube_pod_container_status_waiting_reason{%s}) > 0`, byContainer, pods),
			forDuration: "1h",
			severity:    severityWarning,
			summary:     "Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} is waiting",
			description: "Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} has been waiting to start for more than 1 hour.",
		},
		{
			name: "ThreescaleContainerCPUHigh",
			expr: fmt.Sprintf(`%[1]s (rate(container_cpu_usage_seconds_total{%[2]s, container!=""}[5m])) `+
				`/ %[1]s (kube_pod_container_resource_limits{%[2]s, resource="cpu"}) * 100 > 90`, byContainer, pods),
			forDuration: "15m",
			severity:    severityWarning,
			summary:     "Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} uses more than 90% of its CPU limit",
			description: "Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} has used {{ $value | printf \"%.0f\" }}% of its CPU limit for more than 15 minutes.",
		},
		{
			name: "ThreescaleContainerMemoryHigh",
			expr: fmt.Sprintf(`%[1]s (container_memory_working_set_bytes{%[2]s, container!=""}) `+
				`/ %[1]s (kube_pod_container_resource_limits{%[2]s, resource="memory"}) * 100 > 90`, byContainer, pods),
			forDuration: "15m",
			severity:    severityWarning,
			summary:     "Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} uses more than 90% of its memory limit",
			description: "Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} has used {{ $value | printf \"%.0f\" }}% of its memory limit for more than 15 minutes; it is killed when it reaches it.",
		},
		{
			name: "ThreescaleContainerCPUThrottlingHigh",
			expr: fmt.Sprintf(`%[1]s (increase(container_cpu_cfs_throttled_periods_total{%[2]s, container!=""}[5m])) `+
				`/ %[1]s (increase(container_cpu_cfs_periods_total{%[2]s, container!=""}[5m])) > 0.25`, byContainer, pods),
			forDuration: "15m",
			severity:    severityWarning,
			summary:     "Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} is CPU throttled",
			description: "Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} has been throttled in more than 25% of its CPU periods for 15 minutes (last 5 minutes: {{ $value | humanizePercentage }}).",
		},
	}
	for i := range alerts {
		alerts[i].message = true
	}
	return alerts
}

// prometheusRule returns a PrometheusRule with one group, named `<namespace>/<name>.rules` as in
// the existing operator, holding the given alerts.
func prometheusRule(in *Inputs, name, component, element string, alerts ...alert) *monitoringv1.PrometheusRule {
	meta := monitoringMeta(in, name, component, element)
	meta.Labels[LabelPrometheus] = PrometheusApplicationMonitoring
	meta.Labels[LabelRole] = RoleAlertRules
	rules := make([]monitoringv1.Rule, 0, len(alerts))
	for _, a := range alerts {
		rules = append(rules, a.rule())
	}
	return &monitoringv1.PrometheusRule{
		TypeMeta:   typeMeta(MonitoringAPIVersion, PrometheusRuleKind),
		ObjectMeta: meta,
		Spec: monitoringv1.PrometheusRuleSpec{
			Groups: []monitoringv1.RuleGroup{{Name: in.namespace() + "/" + name + ".rules", Rules: rules}},
		},
	}
}
