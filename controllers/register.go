// Package controllers wires the operator's reconcilers into a manager. Each kind's reconciler lives
// in controllers/apps (install side) or controllers/capabilities (3scale configuration side) and is
// added to Setups when it exists, so main.go registers every controller in one call.
package controllers

import (
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/labels"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/threescale-oss/operator/controllers/apps"
	"github.com/threescale-oss/operator/controllers/capabilities"
	"github.com/threescale-oss/operator/pkg/apimanager/render"
)

// A Setup registers one controller with the manager.
type Setup func(mgr ctrl.Manager) error

// Setups lists the controllers the operator runs.
var Setups = []Setup{
	apps.SetupAPIManager,
	apps.SetupAPIManagerBackup,
	apps.SetupAPIManagerRestore,
	capabilities.SetupAll,
}

// SetupWithManager registers every controller in Setups with the manager.
func SetupWithManager(mgr ctrl.Manager) error {
	for _, setup := range Setups {
		if err := setup(mgr); err != nil {
			return err
		}
	}
	return nil
}

// CacheByObject restricts the manager's cache for the kinds the operator creates to the objects it
// manages (label app.kubernetes.io/managed-by=threescale-operator), so that watching all namespaces
// never holds every ConfigMap, Deployment or Service of the cluster in memory. Secrets are not
// cached at all: controllers watch their metadata and read the few they need directly. Routes are
// left out: zync creates the platform's Routes without the operator's labels.
func CacheByObject() map[client.Object]cache.ByObject {
	managed := cache.ByObject{Label: labels.SelectorFromSet(labels.Set{render.LabelK8sManagedBy: render.ManagedBy})}
	byObject := map[client.Object]cache.ByObject{}
	for _, obj := range []client.Object{
		&corev1.ConfigMap{}, &corev1.Service{}, &corev1.ServiceAccount{}, &corev1.PersistentVolumeClaim{},
		&appsv1.Deployment{}, &batchv1.Job{}, &autoscalingv2.HorizontalPodAutoscaler{},
		&policyv1.PodDisruptionBudget{}, &rbacv1.Role{}, &rbacv1.RoleBinding{}, &networkingv1.Ingress{},
	} {
		byObject[obj] = managed
	}
	return byObject
}
