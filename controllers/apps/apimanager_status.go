package apps

import (
	"fmt"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

// Condition reasons this controller sets besides those of the API package.
const (
	// reasonDeploymentsAvailable: every Deployment of the platform is available.
	reasonDeploymentsAvailable = "DeploymentsAvailable"
	// reasonSecretsAvailable: every Secret and key the pods require exists.
	reasonSecretsAvailable = "SecretsAvailable"
	// reasonRoutesAdmitted: every default host has an admitted Route.
	reasonRoutesAdmitted = "RoutesAdmitted"
	// reasonIngressesCreated: every Ingress of the default hosts exists.
	reasonIngressesCreated = "IngressesCreated"
	// reasonIngressesMissing: an Ingress of a default host does not exist yet.
	reasonIngressesMissing = "IngressesMissing"
	// reasonNoWarning: the spec deserves no warning.
	reasonNoWarning = "NoWarning"
	// reasonMonitoringUnavailable: monitoring is enabled but a monitoring CRD is not installed.
	reasonMonitoringUnavailable = "MonitoringUnavailable"
	// reasonApplyFailed: some objects could not be written.
	reasonApplyFailed = "ApplyFailed"
	// reasonHookFailed: a system-app hook Job failed.
	reasonHookFailed = "HookFailed"
	// reasonDatabaseUpgradeHeld: an internal database keeps running its image because the desired
	// one is another major version (render.DatabaseHold); the message says how to upgrade.
	reasonDatabaseUpgradeHeld = "DatabaseUpgradeHeld"
)

// deploymentFact is what the status needs to know about one expected Deployment.
type deploymentFact struct {
	// Name of the Deployment.
	Name string
	// Live is the Deployment from the cache, nil when it does not exist.
	Live *appsv1.Deployment
	// Waiting, when set, says why the operator has not applied it yet (a hook Job).
	Waiting string
}

// exposureFacts describes how the platform is reached from outside.
type exposureFacts struct {
	// Routes is true on OpenShift: Hosts must each have an admitted Route among LiveRoutes.
	Routes bool
	// Hosts are the default hosts (master, admin and developer portals, backend, gateways).
	Hosts []string
	// LiveRoutes are the Routes of the namespace.
	LiveRoutes []unstructured.Unstructured
	// Ingresses are the names of the Ingresses rendered; LiveIngresses those that exist.
	Ingresses     []string
	LiveIngresses map[string]*networkingv1.Ingress
}

// statusFacts are the facts the status of an APIManager is computed from.
type statusFacts struct {
	// Generation is the APIManager's metadata.generation.
	Generation int64
	// OwnerUID is the APIManager's UID: a Deployment it does not control is not its.
	OwnerUID types.UID
	// Deployments are the Deployments the platform should have.
	Deployments []deploymentFact
	// MissingSecrets are messages naming missing Secrets and keys (inputs.MissingSecrets).
	MissingSecrets []string
	// Exposure describes Routes or Ingresses.
	Exposure exposureFacts
	// Warnings are the conditions worth a Warning, as reason and message, in a fixed order.
	Warnings []warning
	// Succeeded is true when every object was applied and pruned: only then does the status
	// describe the current generation (observedGeneration).
	Succeeded bool
}

// warning is one entry of the Warning condition.
type warning struct{ Reason, Message string }

// deploymentState is ready, starting or stopped, as status.deployments lists them.
type deploymentState int

const (
	stateStarting deploymentState = iota
	stateReady
	stateStopped
)

// stateOf classifies a Deployment: stopped when missing or scaled to zero; ready when the
// controller has seen its current spec and every replica is updated and ready; starting
// otherwise (rolling out, scaling up, pods failing).
func stateOf(d *appsv1.Deployment) deploymentState {
	if d == nil {
		return stateStopped
	}
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	if want == 0 {
		return stateStopped
	}
	s := d.Status
	if s.ObservedGeneration >= d.Generation && s.UpdatedReplicas >= want && s.ReadyReplicas >= want &&
		s.AvailableReplicas >= want && deploymentAvailable(d) {
		return stateReady
	}
	return stateStarting
}

// deploymentAvailable reports the Deployment's own Available condition, which stays true during a
// rolling update as long as enough pods serve.
func deploymentAvailable(d *appsv1.Deployment) bool {
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentAvailable {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// computeStatus returns the status the facts describe, starting from the current one so that
// conditions keep their lastTransitionTime when their status does not change. now stamps the
// conditions that do change.
func computeStatus(current appsv1alpha1.APIManagerStatus, f statusFacts, now metav1.Time) appsv1alpha1.APIManagerStatus {
	st := *current.DeepCopy()
	set := func(typ string, ok bool, reason, message string) {
		status := metav1.ConditionFalse
		if ok {
			status = metav1.ConditionTrue
		}
		cond := metav1.Condition{Type: typ, Status: status, Reason: reason, Message: message,
			ObservedGeneration: f.Generation, LastTransitionTime: now}
		meta.SetStatusCondition(&st.Conditions, cond)
	}

	// Deployments.
	var ready, starting, stopped, notAvailable []string
	for _, d := range f.Deployments {
		switch stateOf(d.Live) {
		case stateReady:
			ready = append(ready, d.Name)
		case stateStopped:
			stopped = append(stopped, d.Name)
		default:
			starting = append(starting, d.Name)
		}
		switch {
		case d.Live == nil && d.Waiting != "":
			notAvailable = append(notAvailable, d.Name+" ("+d.Waiting+")")
		case d.Live == nil:
			notAvailable = append(notAvailable, d.Name+" (missing)")
		case !controlledBy(d.Live, f.OwnerUID):
			notAvailable = append(notAvailable, d.Name+" (not owned by this APIManager)")
		case !deploymentAvailable(d.Live):
			notAvailable = append(notAvailable, d.Name)
		}
	}
	sort.Strings(ready)
	sort.Strings(starting)
	sort.Strings(stopped)
	st.Deployments = appsv1alpha1.DeploymentStatus{Ready: ready, Starting: starting, Stopped: stopped}
	deploymentsOK := len(notAvailable) == 0
	if deploymentsOK {
		set(appsv1alpha1.APIManagerDeploymentsAvailableConditionType, true, reasonDeploymentsAvailable,
			fmt.Sprintf("%d Deployments available", len(f.Deployments)))
	} else {
		set(appsv1alpha1.APIManagerDeploymentsAvailableConditionType, false,
			appsv1alpha1.APIManagerDeploymentsNotAvailableReason,
			"not available: "+strings.Join(notAvailable, ", "))
	}

	// Secrets.
	secretsOK := len(f.MissingSecrets) == 0
	if secretsOK {
		set(appsv1alpha1.APIManagerSecretsAvailableConditionType, true, reasonSecretsAvailable,
			"every Secret the platform reads exists")
	} else {
		set(appsv1alpha1.APIManagerSecretsAvailableConditionType, false, appsv1alpha1.APIManagerSecretsMissingReason,
			strings.Join(f.MissingSecrets, "; "))
	}

	// Exposure.
	exposureOK, reason, message := exposureReady(f.Exposure)
	set(appsv1alpha1.APIManagerRoutesReadyConditionType, exposureOK, reason, message)

	// Available, and Ready for generic tools.
	available := deploymentsOK && secretsOK && exposureOK
	var why []string
	for _, c := range []struct {
		ok   bool
		name string
	}{
		{deploymentsOK, appsv1alpha1.APIManagerDeploymentsAvailableConditionType},
		{secretsOK, appsv1alpha1.APIManagerSecretsAvailableConditionType},
		{exposureOK, appsv1alpha1.APIManagerRoutesReadyConditionType},
	} {
		if !c.ok {
			why = append(why, c.name)
		}
	}
	reason, message = appsv1alpha1.APIManagerAvailableReason, "the platform is available"
	if !available {
		reason = notAvailableReason(deploymentsOK, secretsOK)
		message = "not True: " + strings.Join(why, ", ")
	}
	set(appsv1alpha1.APIManagerAvailableConditionType, available, reason, message)
	set(appsv1alpha1.APIManagerReadyConditionType, available, reason, message)

	// Warnings.
	if len(f.Warnings) == 0 {
		set(appsv1alpha1.APIManagerWarningConditionType, false, reasonNoWarning, "")
	} else {
		msgs := make([]string, len(f.Warnings))
		for i, w := range f.Warnings {
			msgs[i] = w.Message
		}
		set(appsv1alpha1.APIManagerWarningConditionType, true, f.Warnings[0].Reason, strings.Join(msgs, "; "))
	}

	if f.Succeeded {
		st.ObservedGeneration = f.Generation
	}
	return st
}

// notAvailableReason names the first failing prerequisite in the Available condition.
func notAvailableReason(deploymentsOK, secretsOK bool) string {
	switch {
	case !secretsOK:
		return appsv1alpha1.APIManagerSecretsMissingReason
	case !deploymentsOK:
		return appsv1alpha1.APIManagerDeploymentsNotAvailableReason
	default:
		return appsv1alpha1.APIManagerRoutesNotReadyReason
	}
}

// controlledBy reports whether uid is obj's controller.
func controlledBy(obj metav1.Object, uid types.UID) bool {
	ref := metav1.GetControllerOfNoCopy(obj)
	return ref != nil && ref.UID == uid
}

// exposureReady returns the RoutesReady condition. On OpenShift each default host must have a Route
// admitted by a router (zync-que creates most of them); elsewhere each rendered Ingress must exist.
// An Ingress without a load-balancer address is still counted, and named in the message: many
// ingress controllers never report one, and the platform must not be unavailable for that.
func exposureReady(e exposureFacts) (bool, string, string) {
	if e.Routes {
		var notAdmitted []string
		for _, h := range e.Hosts {
			if !hostAdmitted(e.LiveRoutes, h) {
				notAdmitted = append(notAdmitted, h)
			}
		}
		if len(notAdmitted) > 0 {
			return false, appsv1alpha1.APIManagerRoutesNotReadyReason,
				"no admitted Route for: " + strings.Join(notAdmitted, ", ")
		}
		return true, reasonRoutesAdmitted, "every default host has an admitted Route"
	}
	var missing, noAddress []string
	for _, name := range e.Ingresses {
		ing, ok := e.LiveIngresses[name]
		switch {
		case !ok || ing == nil:
			missing = append(missing, name)
		case len(ing.Status.LoadBalancer.Ingress) == 0:
			noAddress = append(noAddress, name)
		}
	}
	if len(missing) > 0 {
		return false, reasonIngressesMissing, "missing Ingresses: " + strings.Join(missing, ", ")
	}
	msg := fmt.Sprintf("%d Ingresses created", len(e.Ingresses))
	if len(noAddress) > 0 {
		msg += "; no load-balancer address reported yet for: " + strings.Join(noAddress, ", ")
	}
	return true, reasonIngressesCreated, msg
}

// hostAdmitted reports whether a Route for host has been admitted by at least one router.
func hostAdmitted(routes []unstructured.Unstructured, host string) bool {
	for _, r := range routes {
		if h, _, _ := unstructured.NestedString(r.Object, "spec", "host"); h != host {
			continue
		}
		ingresses, _, _ := unstructured.NestedSlice(r.Object, "status", "ingress")
		for _, ing := range ingresses {
			m, ok := ing.(map[string]any)
			if !ok {
				continue
			}
			conds, _, _ := unstructured.NestedSlice(m, "conditions")
			for _, c := range conds {
				cm, ok := c.(map[string]any)
				if ok && cm["type"] == "Admitted" && cm["status"] == "True" {
					return true
				}
			}
		}
	}
	return false
}
