package render

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

// The tests of this file pin what users of the 3scale operator Red Hat ships rely on and would
// notice when switching: container names, pod labels and annotations, alert names and annotations,
// label values monitoring objects select on, HPA targets and the Grafana API version.

// deployments returns the rendered Deployments by name.
func deployments(in *Inputs) map[string]*appsv1.Deployment {
	out := map[string]*appsv1.Deployment{}
	for _, o := range All(in) {
		if d, ok := o.(*appsv1.Deployment); ok {
			out[d.Name] = d
		}
	}
	return out
}

// everythingInputs renders every Deployment there is: internal databases, zync and its database.
func everythingInputs() *Inputs {
	in := newTestInputs(appsv1alpha1.APIManagerSpec{})
	in.APIManager.Spec.System = &appsv1alpha1.SystemSpec{AppSpec: &appsv1alpha1.SystemAppSpec{
		PodPlacementSpec: appsv1alpha1.PodPlacementSpec{Labels: map[string]string{"rht.prod_ver": "2.16", "team": "api"}},
	}}
	return in
}

func TestZyncQueContainerIsQue(t *testing.T) {
	que := deployments(everythingInputs())[ZyncQueName]
	if que == nil {
		t.Fatal("no zync-que Deployment")
	}
	if got := que.Spec.Template.Spec.Containers[0].Name; got != "que" {
		t.Errorf("zync-que container %q, want que (kubectl logs -c que)", got)
	}
}

func TestZyncPodsAnnounceTheirMetrics(t *testing.T) {
	d := deployments(everythingInputs())
	for name, port := range map[string]string{ZyncName: "9393", ZyncQueName: "9394", ApicastProductionName: "9421", ApicastStagingName: "9421"} {
		a := d[name].Spec.Template.Annotations
		if a["prometheus.io/scrape"] != "true" || a["prometheus.io/port"] != port {
			t.Errorf("%s pod annotations %v, want prometheus.io/scrape=true and prometheus.io/port=%s", name, a, port)
		}
	}
}

func TestMeteringLabelsOnEveryPodTemplate(t *testing.T) {
	d := deployments(everythingInputs())
	for _, name := range []string{
		ApicastStagingName, ApicastProductionName, BackendListenerName, BackendWorkerName, BackendCronName,
		SystemAppName, SystemSidekiqName, SystemMemcacheName, SystemSearchdName, ZyncName, ZyncQueName,
		ZyncDatabaseName, SystemMySQLName, SystemRedisName, BackendRedisName,
	} {
		dep := d[name]
		if dep == nil {
			t.Errorf("no Deployment %s", name)
			continue
		}
		want := MeteringLabels(name)
		if name == SystemAppName {
			// The user's labels override the metering labels, as in the existing operator.
			want["rht.prod_ver"] = "2.16"
		}
		got := map[string]string{}
		for k := range want {
			got[k] = dep.Spec.Template.Labels[k]
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s metering labels (-want +got):\n%s", name, diff)
		}
		if dep.Spec.Template.Labels[LabelDeployment] != name {
			t.Errorf("%s: the selector label was changed", name)
		}
	}
	if got := MeteringLabels("zync")["com.company"]; got != "Red_Hat" {
		t.Errorf("com.company = %q", got)
	}
}

func TestZyncQueMonitoringSelectsElementZyncQue(t *testing.T) {
	in := monitoringInputs()
	n := 0
	for _, o := range Monitoring(in) {
		if o.GetName() != ZyncQueName {
			continue
		}
		n++
		if got := o.GetLabels()[LabelComponentElement]; got != "zync-que" {
			t.Errorf("%s/%s element %q, want zync-que", o.GetObjectKind().GroupVersionKind().Kind, o.GetName(), got)
		}
	}
	if n != 2 {
		t.Errorf("%d zync-que monitoring objects, want a PodMonitor and a PrometheusRule", n)
	}
	if got := deployments(in)[ZyncQueName].Labels[LabelComponentElement]; got != "zync-que" {
		t.Errorf("zync-que Deployment element %q", got)
	}
}

func TestAlertAnnotations(t *testing.T) {
	n := 0
	for _, pr := range PrometheusRules(monitoringInputs()) {
		for _, g := range pr.Spec.Groups {
			for _, r := range g.Rules {
				n++
				a := r.Annotations
				if !strings.HasPrefix(a["sop_url"], "https://github.com/3scale/3scale-Operations/blob/master/sops/alerts/") ||
					!strings.HasSuffix(a["sop_url"], ".adoc") {
					t.Errorf("%s: sop_url %q", r.Alert, a["sop_url"])
				}
				if a["summary"] == "" || a["description"] == "" {
					t.Errorf("%s: summary %q, description %q", r.Alert, a["summary"], a["description"])
				}
				if _, has := a["message"]; has != (pr.Name == KubeStateMetricsRulesName) {
					t.Errorf("%s: message %q; only the Kubernetes alerts carry one, as in the existing operator", r.Alert, a["message"])
				}
			}
		}
	}
	if n != 24 {
		t.Errorf("%d alerts, want the existing operator's 24", n)
	}
	if len(sopPages) != 24 {
		t.Errorf("%d SOP pages for 24 alerts", len(sopPages))
	}
}

func TestHPATargetsOfTheExistingOperator(t *testing.T) {
	hpa := NewHorizontalPodAutoscaler(newTestInputs(appsv1alpha1.APIManagerSpec{}), ApicastProductionName, ComponentApicast, "production")
	var got []string
	for _, m := range hpa.Spec.Metrics {
		if m.Type != autoscalingv2.ResourceMetricSourceType || m.Resource.Target.Type != autoscalingv2.UtilizationMetricType {
			t.Errorf("metric %+v", m)
			continue
		}
		got = append(got, fmt.Sprintf("%s %d", m.Resource.Name, ptr.Deref(m.Resource.Target.AverageUtilization, 0)))
	}
	if diff := cmp.Diff([]string{string(corev1.ResourceMemory) + " 85", string(corev1.ResourceCPU) + " 85"}, got); diff != "" {
		t.Errorf("HPA metrics (-want +got):\n%s", diff)
	}
	if *hpa.Spec.MinReplicas != 1 || hpa.Spec.MaxReplicas != 5 {
		t.Errorf("HPA replicas %d..%d, want 1..5", *hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas)
	}
}

func TestGrafanaDashboardAPIVersion(t *testing.T) {
	cases := map[string]struct {
		v5, v4  bool
		want    string
		missing bool
	}{
		"OnlyV5":  {v5: true, want: GrafanaDashboardAPIVersion},
		"OnlyV4":  {v4: true, want: GrafanaDashboardV4APIVersion},
		"Both":    {v5: true, v4: true, want: GrafanaDashboardAPIVersion},
		"Neither": {missing: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := monitoringInputs(func(in *Inputs) {
				in.GrafanaDashboardAvailable, in.GrafanaDashboardV4Available = tc.v5, tc.v4
			})
			versions := map[string]int{}
			for _, o := range Monitoring(in) {
				if o.GetObjectKind().GroupVersionKind().Kind == GrafanaDashboardKind {
					versions[o.GetObjectKind().GroupVersionKind().GroupVersion().String()]++
				}
			}
			want := map[string]int{}
			if tc.want != "" {
				want[tc.want] = 7
			}
			if diff := cmp.Diff(want, versions); diff != "" {
				t.Errorf("dashboards by apiVersion (-want +got):\n%s", diff)
			}
			if got := len(MissingMonitoringAPIs(in)) == 1; got != tc.missing {
				t.Errorf("MissingMonitoringAPIs = %v", MissingMonitoringAPIs(in))
			}
		})
	}
	// v4 dashboards carry the same JSON and names as v5's.
	v5 := GrafanaDashboards(monitoringInputs())
	v4 := GrafanaDashboardsV4(monitoringInputs())
	if len(v4) != len(v5) {
		t.Fatalf("%d v4 dashboards, %d v5", len(v4), len(v5))
	}
	for i := range v5 {
		if v4[i].GetName() != v5[i].Name || v4[i].Object["spec"].(map[string]any)["json"] != v5[i].Spec.JSON ||
			v4[i].GetLabels()[LabelMonitoringKey] != MonitoringKey {
			t.Errorf("v4 dashboard %s differs from v5's %s", v4[i].GetName(), v5[i].Name)
		}
	}
}
