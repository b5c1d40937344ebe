package apps

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

const ownerUID = "uid-1"

// liveDeployment returns a Deployment controlled by the APIManager, ready unless mutated.
func liveDeployment(name string, mutate ...func(*appsv1.Deployment)) *appsv1.Deployment {
	yes := true
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Generation: 2,
			OwnerReferences: []metav1.OwnerReference{{UID: ownerUID, Controller: &yes}}},
		Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](2)},
		Status: appsv1.DeploymentStatus{
			ObservedGeneration: 2, Replicas: 2, UpdatedReplicas: 2, ReadyReplicas: 2, AvailableReplicas: 2,
			Conditions: []appsv1.DeploymentCondition{{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue}},
		},
	}
	for _, f := range mutate {
		f(d)
	}
	return d
}

func notAvailable(d *appsv1.Deployment) {
	d.Status.AvailableReplicas, d.Status.ReadyReplicas = 0, 0
	d.Status.Conditions[0].Status = corev1.ConditionFalse
}

func TestStateOf(t *testing.T) {
	cases := map[string]struct {
		d    *appsv1.Deployment
		want deploymentState
	}{
		"missing":                 {d: nil, want: stateStopped},
		"scaled to zero":          {d: liveDeployment("a", func(d *appsv1.Deployment) { d.Spec.Replicas = ptr.To[int32](0) }), want: stateStopped},
		"ready":                   {d: liveDeployment("a"), want: stateReady},
		"replicas default to one": {d: liveDeployment("a", func(d *appsv1.Deployment) { d.Spec.Replicas = nil }), want: stateReady},
		"new spec not seen yet":   {d: liveDeployment("a", func(d *appsv1.Deployment) { d.Generation = 3 }), want: stateStarting},
		"rolling out":             {d: liveDeployment("a", func(d *appsv1.Deployment) { d.Status.UpdatedReplicas = 1 }), want: stateStarting},
		"scaling up":              {d: liveDeployment("a", func(d *appsv1.Deployment) { d.Spec.Replicas = ptr.To[int32](3) }), want: stateStarting},
		"unavailable":             {d: liveDeployment("a", notAvailable), want: stateStarting},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := stateOf(tc.d); got != tc.want {
				t.Errorf("stateOf = %v, want %v", got, tc.want)
			}
		})
	}
}

func route(host string, admitted string) unstructured.Unstructured {
	u := unstructured.Unstructured{Object: map[string]any{
		"spec": map[string]any{"host": host},
	}}
	if admitted != "" {
		u.Object["status"] = map[string]any{"ingress": []any{map[string]any{
			"conditions": []any{map[string]any{"type": "Admitted", "status": admitted}},
		}}}
	}
	return u
}

func TestComputeStatus(t *testing.T) {
	now := metav1.NewTime(time.Unix(1000, 0))
	earlier := metav1.NewTime(time.Unix(10, 0))
	ingresses := exposureFacts{Ingresses: []string{"backend"}, LiveIngresses: map[string]*networkingv1.Ingress{"backend": {}}}
	type want struct {
		// conditions by type: status and reason.
		conditions  map[string]string
		deployments appsv1alpha1.DeploymentStatus
		observed    int64
		// availableMessage, when set, is the Available condition's message.
		availableMessage string
	}
	cases := map[string]struct {
		facts statusFacts
		want  want
	}{
		"everything available": {
			facts: statusFacts{
				Generation: 2, OwnerUID: ownerUID, Succeeded: true, Exposure: ingresses,
				Deployments: []deploymentFact{{Name: "zync", Live: liveDeployment("zync")}, {Name: "apicast", Live: liveDeployment("apicast")}},
			},
			want: want{
				conditions: map[string]string{
					"Available": "True/Available", "Ready": "True/Available", "DeploymentsAvailable": "True/DeploymentsAvailable",
					"SecretsAvailable": "True/SecretsAvailable", "RoutesReady": "True/IngressesCreated", "Warning": "False/NoWarning",
				},
				deployments: appsv1alpha1.DeploymentStatus{Ready: []string{"apicast", "zync"}},
				observed:    2,
			},
		},
		"deployments starting, missing, waiting and foreign": {
			facts: statusFacts{
				Generation: 2, OwnerUID: ownerUID, Succeeded: true, Exposure: ingresses,
				Deployments: []deploymentFact{
					{Name: "b", Live: liveDeployment("b", notAvailable)},
					{Name: "a", Live: nil},
					{Name: "system-app", Waiting: "waiting for Job system-app-pre-1 to complete"},
					{Name: "c", Live: liveDeployment("c", func(d *appsv1.Deployment) { d.OwnerReferences = nil })},
					// Rolling out but still serving: available, not ready.
					{Name: "d", Live: liveDeployment("d", func(d *appsv1.Deployment) { d.Status.UpdatedReplicas = 1 })},
				},
			},
			want: want{
				conditions: map[string]string{
					"Available": "False/DeploymentsNotAvailable", "Ready": "False/DeploymentsNotAvailable",
					"DeploymentsAvailable": "False/DeploymentsNotAvailable", "SecretsAvailable": "True/SecretsAvailable",
					"RoutesReady": "True/IngressesCreated", "Warning": "False/NoWarning",
				},
				deployments:      appsv1alpha1.DeploymentStatus{Ready: []string{"c"}, Starting: []string{"b", "d"}, Stopped: []string{"a", "system-app"}},
				observed:         2,
				availableMessage: "not True: DeploymentsAvailable",
			},
		},
		"missing secrets come first": {
			facts: statusFacts{
				Generation: 3, OwnerUID: ownerUID, Succeeded: true, Exposure: ingresses,
				MissingSecrets: []string{`Secret "system-database" not found`},
				Deployments:    []deploymentFact{{Name: "a", Live: liveDeployment("a", notAvailable)}},
			},
			want: want{
				conditions: map[string]string{
					"Available": "False/SecretsMissing", "Ready": "False/SecretsMissing",
					"DeploymentsAvailable": "False/DeploymentsNotAvailable", "SecretsAvailable": "False/SecretsMissing",
					"RoutesReady": "True/IngressesCreated", "Warning": "False/NoWarning",
				},
				deployments:      appsv1alpha1.DeploymentStatus{Starting: []string{"a"}},
				observed:         3,
				availableMessage: "not True: DeploymentsAvailable, SecretsAvailable",
			},
		},
		"routes not admitted, apply failed, warnings": {
			facts: statusFacts{
				Generation: 4, OwnerUID: ownerUID, Succeeded: false,
				Exposure: exposureFacts{Routes: true, Hosts: []string{"master.example.com", "backend-3scale.example.com"},
					LiveRoutes: []unstructured.Unstructured{route("master.example.com", "True"), route("backend-3scale.example.com", "False")}},
				Warnings: []warning{{reasonApplyFailed, "cannot apply X"}, {"DeprecatedField", "spec.y is deprecated"}},
			},
			want: want{
				conditions: map[string]string{
					"Available": "False/RoutesNotReady", "Ready": "False/RoutesNotReady",
					"DeploymentsAvailable": "True/DeploymentsAvailable", "SecretsAvailable": "True/SecretsAvailable",
					"RoutesReady": "False/RoutesNotReady", "Warning": "True/ApplyFailed",
				},
				observed: 1, // unchanged: the pass failed
			},
		},
		"every host admitted": {
			facts: statusFacts{
				Generation: 1, Succeeded: true,
				Exposure: exposureFacts{Routes: true, Hosts: []string{"master.example.com"},
					LiveRoutes: []unstructured.Unstructured{route("other", "True"), route("master.example.com", "True")}},
			},
			want: want{
				conditions: map[string]string{
					"Available": "True/Available", "Ready": "True/Available", "DeploymentsAvailable": "True/DeploymentsAvailable",
					"SecretsAvailable": "True/SecretsAvailable", "RoutesReady": "True/RoutesAdmitted", "Warning": "False/NoWarning",
				},
				observed: 1,
			},
		},
		"an Ingress missing": {
			facts: statusFacts{
				Generation: 1, Succeeded: true,
				Exposure: exposureFacts{Ingresses: []string{"backend", "system-master"}, LiveIngresses: map[string]*networkingv1.Ingress{"backend": {}}},
			},
			want: want{
				conditions: map[string]string{
					"Available": "False/RoutesNotReady", "Ready": "False/RoutesNotReady", "DeploymentsAvailable": "True/DeploymentsAvailable",
					"SecretsAvailable": "True/SecretsAvailable", "RoutesReady": "False/IngressesMissing", "Warning": "False/NoWarning",
				},
				observed: 1,
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			current := appsv1alpha1.APIManagerStatus{ObservedGeneration: 1, Conditions: []metav1.Condition{{
				Type: "SecretsAvailable", Status: metav1.ConditionTrue, Reason: "old", LastTransitionTime: earlier,
			}}}
			got := computeStatus(current, tc.facts, now)
			conds := map[string]string{}
			for _, c := range got.Conditions {
				conds[c.Type] = string(c.Status) + "/" + c.Reason
				if c.ObservedGeneration != tc.facts.Generation {
					t.Errorf("%s observedGeneration = %d, want %d", c.Type, c.ObservedGeneration, tc.facts.Generation)
				}
			}
			if diff := cmp.Diff(tc.want.conditions, conds); diff != "" {
				t.Errorf("conditions (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want.deployments, got.Deployments); diff != "" {
				t.Errorf("deployments (-want +got):\n%s", diff)
			}
			if got.ObservedGeneration != tc.want.observed {
				t.Errorf("observedGeneration = %d, want %d", got.ObservedGeneration, tc.want.observed)
			}
			if m := tc.want.availableMessage; m != "" {
				if c := meta.FindStatusCondition(got.Conditions, "Available"); c.Message != m {
					t.Errorf("Available message = %q, want %q", c.Message, m)
				}
			}
			secrets := meta.FindStatusCondition(got.Conditions, "SecretsAvailable")
			if secrets.Status == metav1.ConditionTrue && !secrets.LastTransitionTime.Equal(&earlier) {
				t.Error("a condition whose status does not change keeps its lastTransitionTime")
			}
			if len(current.Conditions) != 1 || current.Conditions[0].Reason != "old" {
				t.Error("computeStatus modified the current status")
			}
		})
	}
}

func TestComputeStatusMessages(t *testing.T) {
	got := computeStatus(appsv1alpha1.APIManagerStatus{}, statusFacts{
		MissingSecrets: []string{`Secret "a" not found`, `Secret "b" has no key "K"`},
		Exposure:       exposureFacts{Ingresses: []string{"x"}, LiveIngresses: map[string]*networkingv1.Ingress{"x": {}}},
		Warnings:       []warning{{"W1", "first"}, {"W2", "second"}},
	}, metav1.Now())
	for typ, want := range map[string]string{
		"SecretsAvailable": `Secret "a" not found; Secret "b" has no key "K"`,
		"RoutesReady":      "1 Ingresses created; no load-balancer address reported yet for: x",
		"Warning":          "first; second",
	} {
		if c := meta.FindStatusCondition(got.Conditions, typ); c == nil || c.Message != want {
			t.Errorf("%s message = %v, want %q", typ, c, want)
		}
	}
}
