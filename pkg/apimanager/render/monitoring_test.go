package render

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	grafanav1beta1 "github.com/grafana/grafana-operator/v5/api/v1beta1"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/utils/ptr"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

// monitoringInputs returns Inputs for a platform with monitoring on and every monitoring API served,
// changed by the given functions.
func monitoringInputs(changes ...func(*Inputs)) *Inputs {
	in := &Inputs{
		APIManager: &appsv1alpha1.APIManager{
			ObjectMeta: metav1.ObjectMeta{Name: "example", Namespace: "threescale"},
			Spec: appsv1alpha1.APIManagerSpec{
				WildcardDomain: "apps.example.com",
				Monitoring:     &appsv1alpha1.MonitoringSpec{Enabled: true},
			},
		},
		PodMonitorAvailable:       true,
		PrometheusRuleAvailable:   true,
		GrafanaDashboardAvailable: true,
	}
	in.Images = ResolveImages(in.APIManager, nil)
	for _, change := range changes {
		change(in)
	}
	return in
}

func zyncOff(in *Inputs) { in.APIManager.Spec.Zync = &appsv1alpha1.ZyncSpec{Enabled: ptr.To(false)} }

// kindNames returns "<Kind>/<name>" of the objects Monitoring renders.
func kindNames(in *Inputs) []string {
	var out []string
	for _, o := range Monitoring(in) {
		out = append(out, o.GetObjectKind().GroupVersionKind().Kind+"/"+o.GetName())
	}
	return out
}

var (
	allPodMonitors = []string{
		"PodMonitor/apicast-production", "PodMonitor/apicast-staging", "PodMonitor/backend-listener",
		"PodMonitor/backend-worker", "PodMonitor/system-app", "PodMonitor/system-sidekiq",
		"PodMonitor/zync", "PodMonitor/zync-que",
	}
	allPrometheusRules = []string{
		"PrometheusRule/apicast", "PrometheusRule/backend-worker", "PrometheusRule/backend-listener",
		"PrometheusRule/system-app", "PrometheusRule/system-sidekiq", "PrometheusRule/zync",
		"PrometheusRule/zync-que", "PrometheusRule/threescale-kube-state-metrics",
	}
	allDashboards = []string{
		"GrafanaDashboard/apicast-mainapp", "GrafanaDashboard/apicast-services", "GrafanaDashboard/backend",
		"GrafanaDashboard/system", "GrafanaDashboard/zync", "GrafanaDashboard/kubernetes-resources-by-namespace",
		"GrafanaDashboard/kubernetes-resources-by-pod",
	}
)

// without returns list without the given entries.
func without(list []string, drop ...string) []string {
	skip := map[string]bool{}
	for _, d := range drop {
		skip[d] = true
	}
	var out []string
	for _, s := range list {
		if !skip[s] {
			out = append(out, s)
		}
	}
	return out
}

func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func TestMonitoringObjects(t *testing.T) {
	tests := map[string]struct {
		reason      string
		in          *Inputs
		want        []string
		wantMissing []string
	}{
		"Off": {
			reason: "Monitoring is off by default: nothing is rendered, nothing is missing.",
			in:     monitoringInputs(func(in *Inputs) { in.APIManager.Spec.Monitoring = nil }),
		},
		"OffExplicitly": {
			reason: "enabled: false renders nothing even with enablePrometheusRules.",
			in: monitoringInputs(func(in *Inputs) {
				in.APIManager.Spec.Monitoring = &appsv1alpha1.MonitoringSpec{EnablePrometheusRules: ptr.To(true)}
			}),
		},
		"AllAPIs": {
			reason: "Every kind is rendered when its API is served.",
			in:     monitoringInputs(),
			want:   concat(allPodMonitors, allPrometheusRules, allDashboards),
		},
		"RulesOff": {
			reason: "enablePrometheusRules: false leaves the alerts out, and does not ask for their API.",
			in: monitoringInputs(func(in *Inputs) {
				in.APIManager.Spec.Monitoring.EnablePrometheusRules = ptr.To(false)
				in.PrometheusRuleAvailable = false
			}),
			want: concat(allPodMonitors, allDashboards),
		},
		"ZyncOff": {
			reason: "Without zync, its PodMonitors, rules and dashboard are not rendered (nor left behind).",
			in:     monitoringInputs(zyncOff),
			want: concat(
				without(allPodMonitors, "PodMonitor/zync", "PodMonitor/zync-que"),
				without(allPrometheusRules, "PrometheusRule/zync", "PrometheusRule/zync-que"),
				without(allDashboards, "GrafanaDashboard/zync"),
			),
		},
		"NoPrometheusOperator": {
			reason: "Without the monitoring.coreos.com API, only dashboards are rendered and both kinds are reported.",
			in: monitoringInputs(func(in *Inputs) {
				in.PodMonitorAvailable, in.PrometheusRuleAvailable = false, false
			}),
			want:        allDashboards,
			wantMissing: []string{"PodMonitor (monitoring.coreos.com/v1)", "PrometheusRule (monitoring.coreos.com/v1)"},
		},
		"NoGrafanaOperator": {
			reason:      "Without grafana-operator v5, dashboards are left out and reported.",
			in:          monitoringInputs(func(in *Inputs) { in.GrafanaDashboardAvailable = false }),
			want:        concat(allPodMonitors, allPrometheusRules),
			wantMissing: []string{"GrafanaDashboard (grafana.integreatly.org/v1beta1 or integreatly.org/v1alpha1)"},
		},
		"NothingServed": {
			reason: "With no monitoring API at all, nothing is rendered and all three kinds are reported.",
			in: monitoringInputs(func(in *Inputs) {
				in.PodMonitorAvailable, in.PrometheusRuleAvailable, in.GrafanaDashboardAvailable = false, false, false
			}),
			wantMissing: []string{
				"PodMonitor (monitoring.coreos.com/v1)", "PrometheusRule (monitoring.coreos.com/v1)",
				"GrafanaDashboard (grafana.integreatly.org/v1beta1 or integreatly.org/v1alpha1)",
			},
		},
		"NilInputs": {
			reason: "A nil input renders nothing rather than panicking.",
			in:     nil,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, kindNames(tc.in)); diff != "" {
				t.Errorf("%s\nMonitoring (-want +got):\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.wantMissing, MissingMonitoringAPIs(tc.in)); diff != "" {
				t.Errorf("%s\nMissingMonitoringAPIs (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}

// TestMonitoringLabels checks the labels the 3scale documentation's selectors rely on.
func TestMonitoringLabels(t *testing.T) {
	in := monitoringInputs(func(in *Inputs) { in.APIManager.Spec.AppLabel = ptr.To("my-3scale") })
	objs := Monitoring(in)
	if len(objs) == 0 {
		t.Fatal("nothing rendered")
	}
	for _, o := range objs {
		l := o.GetLabels()
		name := o.GetObjectKind().GroupVersionKind().Kind + "/" + o.GetName()
		want := map[string]string{"app": "my-3scale", "monitoring-key": "middleware"}
		if _, ok := o.(*monitoringv1.PrometheusRule); ok {
			want["prometheus"] = "application-monitoring"
			want["role"] = "alert-rules"
		}
		for k, v := range OwnedSelector(in) {
			want[k] = v
		}
		for k, v := range want {
			if l[k] != v {
				t.Errorf("%s: label %s=%q, want %q", name, k, l[k], v)
			}
		}
		for k, v := range l {
			if v == "" {
				t.Errorf("%s: label %s is empty", name, k)
			}
		}
		if o.GetNamespace() != "threescale" {
			t.Errorf("%s: namespace %q", name, o.GetNamespace())
		}
		if gd, ok := o.(*grafanav1beta1.GrafanaDashboard); ok {
			want := &metav1.LabelSelector{MatchLabels: map[string]string{"apim-management": "grafana"}}
			if diff := cmp.Diff(want, gd.Spec.InstanceSelector); diff != "" {
				t.Errorf("%s: instanceSelector (-want +got):\n%s", name, diff)
			}
			if gd.Spec.JSON == "" {
				t.Errorf("%s: no JSON model", name)
			}
		}
	}
}

// TestPodMonitorsScrapeTheDeployments renders the whole platform and checks that each PodMonitor
// selects the pods of its Deployment, and only them, and scrapes ports their containers declare.
func TestPodMonitorsScrapeTheDeployments(t *testing.T) {
	in := monitoringInputs()
	deployments := map[string]*appsv1.Deployment{}
	for _, o := range All(in) {
		if d, ok := o.(*appsv1.Deployment); ok {
			deployments[d.Name] = d
		}
	}
	checked := 0
	for _, pm := range PodMonitors(in) {
		selector, err := metav1.LabelSelectorAsSelector(&pm.Spec.Selector)
		if err != nil {
			t.Fatalf("%s: %v", pm.Name, err)
		}
		for name, d := range deployments {
			if matches := selector.Matches(labels.Set(d.Spec.Template.Labels)); matches != (name == pm.Name) {
				t.Errorf("PodMonitor %s matches the pods of Deployment %s: %v", pm.Name, name, matches)
			}
		}
		d, ok := deployments[pm.Name]
		if !ok {
			t.Errorf("PodMonitor %s: All renders no Deployment %s", pm.Name, pm.Name)
			continue
		}
		checked++
		ports := map[string]bool{}
		for _, c := range d.Spec.Template.Spec.Containers {
			for _, p := range c.Ports {
				ports[p.Name] = true
			}
		}
		for _, e := range pm.Spec.PodMetricsEndpoints {
			if e.Port == nil || !ports[*e.Port] {
				t.Errorf("PodMonitor %s scrapes port %v, which no container of Deployment %s declares", pm.Name, e.Port, d.Name)
			}
		}
	}
	if checked != len(monitoredWorkloads) {
		t.Errorf("%d PodMonitors checked against their Deployment, want %d", checked, len(monitoredWorkloads))
	}
}

func TestSystemAppPodMonitorScrapesEveryPortal(t *testing.T) {
	for _, pm := range PodMonitors(monitoringInputs()) {
		if pm.Name != SystemAppName {
			continue
		}
		var got []string
		for _, e := range pm.Spec.PodMetricsEndpoints {
			got = append(got, ptr.Deref(e.Port, "")+" "+e.Path)
		}
		want := []string{"master-metrics /metrics", "prov-metrics /metrics", "dev-metrics /metrics"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("system-app endpoints (-want +got):\n%s", diff)
		}
		return
	}
	t.Error("no system-app PodMonitor")
}

// TestAlertNames pins the alert names users' Alertmanager routes and silences refer to.
func TestAlertNames(t *testing.T) {
	got := map[string][]string{}
	for _, pr := range PrometheusRules(monitoringInputs()) {
		for _, g := range pr.Spec.Groups {
			if want := "threescale/" + pr.Name + ".rules"; g.Name != want {
				t.Errorf("%s: group %q, want %q", pr.Name, g.Name, want)
			}
			for _, r := range g.Rules {
				got[pr.Name] = append(got[pr.Name], r.Alert+" "+r.Labels["severity"]+" "+string(ptr.Deref(r.For, "")))
			}
		}
	}
	want := map[string][]string{
		"apicast": {
			"ThreescaleApicastJobDown critical 1m", "ThreescaleApicastHttp4xxErrorRate warning 5m",
			"ThreescaleApicastLatencyHigh warning 5m", "ThreescaleApicastWorkerRestart warning 5m",
		},
		"backend-worker": {"ThreescaleBackendWorkerJobsCountRunningHigh critical 5m", "ThreescaleBackendWorkerJobDown critical 1m"},
		"backend-listener": {
			"ThreescaleBackendListener5XXRequestsHigh critical 5m", "ThreescaleBackendListenerJobDown critical 1m",
		},
		"system-app":     {"ThreescaleSystemApp5XXRequestsHigh warning 1m", "ThreescaleSystemAppJobDown critical 1m"},
		"system-sidekiq": {"ThreescaleSystemSidekiqJobDown critical 1m"},
		"zync":           {"ThreescaleZyncJobDown critical 1m", "ThreescaleZync5XXRequestsHigh warning 1m"},
		"zync-que": {
			"ThreescaleZyncQueJobDown critical 1m", "ThreescaleZyncQueScheduledJobCountHigh warning 1m",
			"ThreescaleZyncQueFailedJobCountHigh warning 1m", "ThreescaleZyncQueReadyJobCountHigh warning 1m",
		},
		"threescale-kube-state-metrics": {
			"ThreescalePodCrashLooping critical 5m", "ThreescalePodNotReady critical 5m",
			"ThreescaleReplicationControllerReplicasMismatch critical 5m", "ThreescaleContainerWaiting warning 1h",
			"ThreescaleContainerCPUHigh warning 15m", "ThreescaleContainerMemoryHigh warning 15m",
			"ThreescaleContainerCPUThrottlingHigh warning 15m",
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("alerts (-want +got):\n%s", diff)
	}
}

// TestRulesAreNamespaced checks that every alert only looks at the platform's namespace, so that two
// platforms in one cluster do not alert for each other.
func TestRulesAreNamespaced(t *testing.T) {
	in := monitoringInputs(func(in *Inputs) { in.APIManager.Namespace = "shop-3scale" })
	n := 0
	for _, pr := range PrometheusRules(in) {
		for _, g := range pr.Spec.Groups {
			for _, r := range g.Rules {
				n++
				for _, sel := range vectorSelectors(t, r.Expr.String()) {
					if !hasNamespaceMatcher(sel, "shop-3scale") {
						t.Errorf("%s: %s selects %s outside namespace shop-3scale", pr.Name, r.Alert, sel)
					}
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no rule checked")
	}
}
