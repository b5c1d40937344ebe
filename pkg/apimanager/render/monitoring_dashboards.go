package render

import (
	grafanav1beta1 "github.com/grafana/grafana-operator/v5/api/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/threescale-oss/operator/pkg/apimanager/render/dashboards"
)

// GrafanaInstanceSelector is the label of the Grafana instances that import the dashboards, as the
// 3scale documentation's Grafana has it.
var GrafanaInstanceSelector = map[string]string{"apim-management": "grafana"}

// dashboardComponents gives the threescale_component of each dashboard; the Kubernetes ones are
// about the whole namespace and have none.
var dashboardComponents = map[string]string{
	dashboards.ApicastName:         ComponentApicast,
	dashboards.ApicastServicesName: ComponentApicast,
	dashboards.BackendName:         ComponentBackend,
	dashboards.SystemName:          ComponentSystem,
	dashboards.ZyncName:            ComponentZync,
}

// GrafanaDashboards returns the platform's dashboards as grafana-operator v5 GrafanaDashboards
// (grafana.integreatly.org/v1beta1), with the JSON model inline. Zync's is left out when zync is
// not deployed.
//
// allowCrossNamespaceImport is on, so that a shared Grafana in another namespace that carries the
// instance label imports them too (the label is the opt-in). grafana-operator files each
// dashboard in a folder named after this namespace, and the dashboards' UIDs depend on it, so the
// dashboards of several platforms do not collide in one Grafana.
func GrafanaDashboards(in *Inputs) []*grafanav1beta1.GrafanaDashboard {
	if !in.ok() {
		return nil
	}
	var out []*grafanav1beta1.GrafanaDashboard
	for _, d := range dashboards.All(in.APIManager.IsZyncEnabled()) {
		out = append(out, &grafanav1beta1.GrafanaDashboard{
			TypeMeta:   typeMeta(GrafanaDashboardAPIVersion, GrafanaDashboardKind),
			ObjectMeta: monitoringMeta(in, d.Name, dashboardComponents[d.Name], ""),
			Spec: grafanav1beta1.GrafanaDashboardSpec{
				GrafanaCommonSpec: grafanav1beta1.GrafanaCommonSpec{
					InstanceSelector:          &metav1.LabelSelector{MatchLabels: mergeLabels(GrafanaInstanceSelector)},
					AllowCrossNamespaceImport: true,
				},
				GrafanaContentSpec: grafanav1beta1.GrafanaContentSpec{JSON: d.JSON(in.namespace())},
			},
		})
	}
	return out
}

// GrafanaDashboardsV4 returns the same dashboards as GrafanaDashboards for grafana-operator v4
// (integreatly.org/v1alpha1), as unstructured objects: that operator is no longer maintained and
// its Go module is not worth a dependency for one field. A v4 Grafana imports the dashboards its
// dashboardLabelSelector matches (the 3scale documentation selects monitoring-key: middleware,
// which they carry); spec.json is the only field set, as the existing operator does.
func GrafanaDashboardsV4(in *Inputs) []*unstructured.Unstructured {
	if !in.ok() {
		return nil
	}
	var out []*unstructured.Unstructured
	for _, d := range dashboards.All(in.APIManager.IsZyncEnabled()) {
		meta := monitoringMeta(in, d.Name, dashboardComponents[d.Name], "")
		u := &unstructured.Unstructured{}
		u.SetAPIVersion(GrafanaDashboardV4APIVersion)
		u.SetKind(GrafanaDashboardKind)
		u.SetName(meta.Name)
		u.SetNamespace(meta.Namespace)
		u.SetLabels(meta.Labels)
		u.Object["spec"] = map[string]any{"json": d.JSON(in.namespace())}
		out = append(out, u)
	}
	return out
}
