package external

import (
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

// ManagementPolicyAnnotation chooses, per object, whether the operator writes to 3scale:
// ManagementPolicyEnforce (the default) makes 3scale match the spec; ManagementPolicyObserve only
// compares, and says in the Synced and Ready conditions (reason ReasonOutOfSync) what enforcing
// would change, creating, changing and deleting nothing (deleting the object leaves 3scale as it
// is). Removing the annotation enforces again. Options.ManagementPolicy is the default of objects
// without it.
const ManagementPolicyAnnotation = "capabilities.3scale.net/management-policy"

// Values of ManagementPolicyAnnotation.
const (
	ManagementPolicyEnforce = "Enforce"
	ManagementPolicyObserve = "Observe"
)

// ReasonOutOfSync says an observed (not enforced) object differs from 3scale.
const ReasonOutOfSync = "OutOfSync"

// MetricDriftTotal counts the syncs that found 3scale changed while the spec was not: drift
// reverted (or, for observed objects, reported), by controller and namespace.
const MetricDriftTotal = "threescale_capabilities_drift_total"

var driftTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: MetricDriftTotal,
	Help: "Syncs of a capability object that found 3scale no longer matching a spec already synced (changed in the admin portal or through the API), by controller and namespace.",
}, []string{"controller", "namespace"})

func init() { metrics.Registry.MustRegister(driftTotal) }

// observeOnly tells whether obj is observed rather than enforced: its annotation, else the
// operator's default.
func (r *Reconciler[T]) observeOnly(obj client.Object) bool {
	policy := obj.GetAnnotations()[ManagementPolicyAnnotation]
	if policy == "" {
		policy = r.opts.ManagementPolicy
	}
	return strings.EqualFold(policy, ManagementPolicyObserve)
}

// A SecretFollower is a Kind whose desired state follows Secrets as much as its spec (the
// credentials it sets, the passwords it rotates): a difference found while its spec is unchanged
// is most often a rotation, so the loop reports no drift for it.
type SecretFollower interface {
	FollowsSecrets() bool
}

// wasSynced tells whether obj's last pass found 3scale matching this very spec: a difference
// found now is drift, not a spec change. Never for a SecretFollower.
func (r *Reconciler[T]) wasSynced(obj T) bool {
	if f, ok := r.kind.(SecretFollower); ok && f.FollowsSecrets() {
		return false
	}
	conds := r.kind.Status(obj).Conditions
	if conds == nil {
		return false
	}
	c := meta.FindStatusCondition(*conds, TypeReady)
	return c != nil && c.Status == metav1.ConditionTrue && c.ObservedGeneration == obj.GetGeneration()
}

// drifted reports that 3scale no longer matches the spec obj was synced with: a Warning event
// naming what differs (the operations that make it match again), and the drift metric.
// A drift is reported once: the retries of a revert that fails do not report it again.
func (r *Reconciler[T]) drifted(obj T, what string, ops []string) {
	key := what + strings.Join(ops, "\n")
	r.mu.Lock()
	seen := r.driftReported[obj.GetUID()] == key
	r.driftReported[obj.GetUID()] = key
	r.mu.Unlock()
	if seen {
		return
	}
	driftTotal.WithLabelValues(r.opts.Name, obj.GetNamespace()).Inc()
	r.event(obj, corev1.EventTypeWarning, "DriftDetected", "Sync",
		"3scale no longer matches the spec synced before (changed outside the operator): "+what+summarize(ops))
}

// checkManagementPolicy refuses a ManagementPolicyAnnotation that is neither policy: a typo must
// not enforce what the user meant to observe.
func checkManagementPolicy(obj client.Object) error {
	v, ok := obj.GetAnnotations()[ManagementPolicyAnnotation]
	if !ok || strings.EqualFold(v, ManagementPolicyEnforce) || strings.EqualFold(v, ManagementPolicyObserve) {
		return nil
	}
	return Invalidf("annotation %s=%q: the policy is %s or %s", ManagementPolicyAnnotation, v, ManagementPolicyEnforce, ManagementPolicyObserve)
}
