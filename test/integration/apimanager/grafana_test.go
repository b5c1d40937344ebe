package apimanager

import (
	"context"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
	"github.com/threescale-oss/operator/pkg/apimanager/inputs"
)

// dashboardNames lists the GrafanaDashboards of one API version in ns.
func dashboardNames(t *testing.T, ns string, gvk schema.GroupVersionKind) []string {
	t.Helper()
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
	if err := k8s.List(context.Background(), list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range list.Items {
		out = append(out, d.GetName())
	}
	return out
}

// TestGrafanaDashboardsFollowTheServedAPI: grafana-operator v5 dashboards where v5's API is
// served (the "kube" manager serves both v5 and v4: v5 wins), v4 dashboards
// (integreatly.org/v1alpha1) where only v4's is (the "openshift" manager, shown v4's API).
func TestGrafanaDashboardsFollowTheServedAPI(t *testing.T) {
	const want = 7 // apicast-mainapp, apicast-services, backend, system, zync, and the two Kubernetes ones
	monitoringOn := func(a *appsv1alpha1.APIManager) {
		a.Spec.Monitoring = &appsv1alpha1.MonitoringSpec{Enabled: true}
	}

	v5ns := namespace(t)
	create(t, newAPIManager(v5ns, monitoringOn))
	eventually(t, 60*time.Second, func() error {
		if n := len(dashboardNames(t, v5ns, inputs.GrafanaDashboardGVK)); n != want {
			return fmt.Errorf("%d v5 dashboards, want %d", n, want)
		}
		return nil
	})

	openshiftMapper.hide(inputs.GrafanaDashboardGVK)
	openshiftAPIs.Forget()
	t.Cleanup(func() {
		openshiftMapper.hide(inputs.GrafanaDashboardGVK, inputs.GrafanaDashboardV4GVK)
		openshiftAPIs.Forget()
	})
	v4ns := namespace(t)
	create(t, newAPIManager(v4ns, monitoringOn, func(a *appsv1alpha1.APIManager) {
		a.Labels = map[string]string{openshiftLabel: "true"}
	}))
	eventually(t, 60*time.Second, func() error {
		if n := len(dashboardNames(t, v4ns, inputs.GrafanaDashboardV4GVK)); n != want {
			return fmt.Errorf("%d v4 dashboards, want %d", n, want)
		}
		return nil
	})
	// Nothing is reported missing where v4's API serves the dashboards.
	waitCondition(t, v4ns, "Warning", metav1.ConditionFalse)

	if got := dashboardNames(t, v5ns, inputs.GrafanaDashboardV4GVK); len(got) != 0 {
		t.Errorf("v4 dashboards beside v5's: %v", got)
	}
	if got := dashboardNames(t, v4ns, inputs.GrafanaDashboardGVK); len(got) != 0 {
		t.Errorf("v5 dashboards where v5's API is not served: %v", got)
	}
}
