package render

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

// memcachedPort is the port of system-memcache (the system-memcache Secret's SERVERS points to it).
const memcachedPort int32 = 11211

// Memcached returns system's cache: the system-memcache Deployment (one pod: it is a cache, and
// system shards nothing across pods) and its Service.
func Memcached(in *Inputs) []client.Object {
	if !in.ok() {
		return nil
	}
	var placement *appsv1alpha1.PodPlacementSpec
	var override *corev1.ResourceRequirements
	if s := in.spec().System; s != nil {
		placement = &appsv1alpha1.PodPlacementSpec{
			Affinity:                  s.MemcachedAffinity,
			Tolerations:               s.MemcachedTolerations,
			PriorityClassName:         s.MemcachedPriorityClassName,
			TopologySpreadConstraints: s.MemcachedTopologySpreadConstraints,
			Labels:                    s.MemcachedLabels,
			Annotations:               s.MemcachedAnnotations,
		}
		override = s.MemcachedResources
	}
	one := int32(1)
	container := corev1.Container{
		Name:  "memcache",
		Image: in.Images.Memcached, ImagePullPolicy: corev1.PullIfNotPresent,
		Command:        []string{"memcached", "-m", "64"},
		Ports:          []corev1.ContainerPort{containerPort("memcache", memcachedPort)},
		Resources:      resources(in, override, requirements("50m", "64Mi", "250m", "96Mi")),
		LivenessProbe:  tcpProbe(memcachedPort, 10, 1, 10),
		ReadinessProbe: tcpProbe(memcachedPort, 10, 1, 10),
	}
	return []client.Object{
		NewDeployment(in, Workload{
			Name: SystemMemcacheName, Component: ComponentSystem, Element: "memcache",
			Placement: placement, Replicas: &one, Recreate: true,
		}, corev1.PodSpec{Containers: []corev1.Container{container}}),
		NewService(in, SystemMemcacheName, ComponentSystem, "memcache", SystemMemcacheName,
			servicePort("memcache", memcachedPort, intstr.FromInt32(memcachedPort))),
	}
}
