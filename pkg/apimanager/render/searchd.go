package render

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

const (
	// searchdPort is the MySQL-protocol port of searchd (THINKING_SPHINX_PORT in system).
	searchdPort int32 = 9306
	// searchdDataDir holds the searchd index.
	searchdDataDir = "/var/lib/searchd"
	// searchdDefaultStorage is the default size of the index volume.
	searchdDefaultStorage = "1Gi"
)

// Searchd returns system's search engine (Manticore): the system-searchd Deployment (one pod, on
// its own volume, replaced rather than rolled because the volume is ReadWriteOnce), its Service and
// the system-searchd-manticore PVC. The index can be rebuilt from the database, but the PVC is kept
// per spec.persistentVolumeClaimRetentionPolicy like every data volume.
func Searchd(in *Inputs) []client.Object {
	if !in.ok() {
		return nil
	}
	var spec appsv1alpha1.SystemSearchdSpec
	if s := in.spec().System; s != nil && s.SearchdSpec != nil {
		spec = *s.SearchdSpec
	}
	one := int32(1)
	container := corev1.Container{
		Name:  SystemSearchdName,
		Image: in.Images.Searchd, ImagePullPolicy: corev1.PullIfNotPresent,
		Ports:          []corev1.ContainerPort{containerPort("searchd", searchdPort)},
		Resources:      resources(in, spec.Resources, requirements("80m", "250Mi", "1000m", "512Mi")),
		VolumeMounts:   []corev1.VolumeMount{{Name: "system-searchd-database", MountPath: searchdDataDir}},
		LivenessProbe:  tcpProbe(searchdPort, 60, 3, 10),
		ReadinessProbe: tcpProbe(searchdPort, 60, 5, 30),
	}
	pod := corev1.PodSpec{
		Containers: []corev1.Container{container},
		Volumes: []corev1.Volume{{Name: "system-searchd-database", VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: SystemSearchdPVC},
		}}},
	}
	return []client.Object{
		NewDeployment(in, Workload{
			Name: SystemSearchdName, Component: ComponentSystem, Element: "searchd",
			Placement: &spec.PodPlacementSpec, Replicas: &one, Recreate: true,
		}, pod),
		NewService(in, SystemSearchdName, ComponentSystem, "searchd", SystemSearchdName,
			servicePort("searchd", searchdPort, intstr.FromInt32(searchdPort))),
		NewPersistentVolumeClaim(in, SystemSearchdPVC, ComponentSystem, "searchd",
			corev1.ReadWriteOnce, searchdDefaultStorage, spec.PVC),
	}
}
