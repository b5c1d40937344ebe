package render

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"sort"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

// Pod template annotations written by the renderers.
const (
	// SecretsHashAnnotation holds a hash of the data of exactly the Secrets a component's pods read
	// (SecretsHash). When one of them changes, the pod template changes and only that component rolls.
	// The existing operator keys this by resourceVersion and, for production APIcast, by the staging
	// deployment's secrets (its defect 6.1); hashing the data per component fixes both.
	SecretsHashAnnotation = "apimanager.apps.3scale.net/secrets-hash"
	// ConfigMapsHashAnnotation holds a hash of the data of the rendered ConfigMaps a component's pods
	// read through environment variables, which Kubernetes does not refresh in running pods.
	ConfigMapsHashAnnotation = "apimanager.apps.3scale.net/configmaps-hash"
)

// Horizontal pod autoscaling settings of the existing operator (its component/hpa.go): 1 to 5 pods,
// 85% of the requested memory and CPU.
const (
	hpaMinReplicas       int32 = 1
	hpaMaxReplicas       int32 = 5
	hpaTargetUtilization int32 = 85
)

// typeMeta returns the TypeMeta of a built-in kind; the apply step and the golden files need it.
func typeMeta(apiVersion, kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}
}

// objectMeta returns the metadata of an object of one part of a component.
func objectMeta(in *Inputs, name, component, element string) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:      name,
		Namespace: in.namespace(),
		Labels:    Labels(in, component, element, name),
	}
}

// Workload describes a Deployment to build with NewDeployment.
type Workload struct {
	// Name of the Deployment, of its pods' `deployment` label and usually of its Service.
	Name string
	// Component and Element are the threescale_component and threescale_component_element labels.
	Component, Element string
	// Placement is the user's scheduling and pod metadata settings; nil means none.
	Placement *appsv1alpha1.PodPlacementSpec
	// Secrets names every Secret the pods read (env, volumes); their hashes go to
	// SecretsHashAnnotation. Order does not matter.
	Secrets []string
	// ConfigMapData is the data of the rendered ConfigMaps the pods read through env vars, hashed
	// into ConfigMapsHashAnnotation. nil adds no annotation.
	ConfigMapData []map[string]string
	// ServiceAccount runs the pods; empty means DefaultServiceAccount.
	ServiceAccount string
	// Replicas is nil when the operator must not own the count (unset in the spec, or an HPA).
	Replicas *int32
	// Recreate stops old pods before starting new ones (single-writer workloads: databases,
	// searchd, memcached); otherwise pods roll.
	Recreate bool
	// PodAnnotations are fixed annotations of the pods (prometheus.io/*). The user's annotations
	// cannot override them or the hash annotations.
	PodAnnotations map[string]string
}

// NewDeployment returns the Deployment of w with the given pod spec, to which it adds the service
// account, the user's placement and the pod labels and annotations.
func NewDeployment(in *Inputs, w Workload, pod corev1.PodSpec) *appsv1.Deployment {
	var placement appsv1alpha1.PodPlacementSpec
	if w.Placement != nil {
		placement = *w.Placement.DeepCopy()
	}
	pod.ServiceAccountName = w.ServiceAccount
	if pod.ServiceAccountName == "" {
		pod.ServiceAccountName = DefaultServiceAccount
	}
	pod.Affinity = placement.Affinity
	pod.Tolerations = placement.Tolerations
	if placement.PriorityClassName != nil {
		pod.PriorityClassName = *placement.PriorityClassName
	}
	pod.TopologySpreadConstraints = placement.TopologySpreadConstraints

	annotations := mergeLabels(placement.Annotations, w.PodAnnotations)
	annotations[SecretsHashAnnotation] = SecretsHash(in, w.Secrets...)
	if w.ConfigMapData != nil {
		annotations[ConfigMapsHashAnnotation] = ConfigMapsHash(w.ConfigMapData...)
	}

	strategy := appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	if !w.Recreate {
		quarter := intstr.FromString("25%")
		strategy = appsv1.DeploymentStrategy{
			Type:          appsv1.RollingUpdateDeploymentStrategyType,
			RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: &quarter, MaxUnavailable: &quarter},
		}
	}

	return &appsv1.Deployment{
		TypeMeta:   typeMeta("apps/v1", "Deployment"),
		ObjectMeta: objectMeta(in, w.Name, w.Component, w.Element),
		Spec: appsv1.DeploymentSpec{
			Replicas: w.Replicas,
			Selector: &metav1.LabelSelector{MatchLabels: PodSelector(w.Name)},
			Strategy: strategy,
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{
					// The user's labels come first so they can never change the selector or the
					// labels PodMonitors and NetworkPolicies select on.
					// The metering labels come first of all: the existing operator lets the user's
					// labels override them too.
					Labels: mergeLabels(MeteringLabels(w.Name), placement.Labels,
						Labels(in, w.Component, w.Element, w.Name), PodSelector(w.Name)),
					Annotations: annotations,
				},
				Spec: pod,
			},
		},
	}
}

// prometheusAnnotations are the pod annotations that Prometheus configurations using annotation-based
// discovery (the kubernetes-pods job of the Prometheus examples) scrape pods by.
func prometheusAnnotations(port int32) map[string]string {
	return map[string]string{"prometheus.io/scrape": "true", "prometheus.io/port": strconv.Itoa(int(port))}
}

// SecretsHash returns a hash of the data of the named Secrets, as known in in.Secrets. An absent
// Secret counts as empty, so its creation also rolls the pods. Names are sorted and deduplicated.
func SecretsHash(in *Inputs, names ...string) string {
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	h := sha256.New()
	prev := ""
	for i, n := range sorted {
		if i > 0 && n == prev {
			continue
		}
		prev = n
		h.Write([]byte(n))
		h.Write([]byte{0})
		h.Write([]byte(in.Secrets[n].Hash))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ConfigMapsHash returns a hash of rendered ConfigMap data, independent of map order.
func ConfigMapsHash(data ...map[string]string) string {
	h := sha256.New()
	for _, d := range data {
		b := make(map[string][]byte, len(d))
		for k, v := range d {
			b[k] = []byte(v)
		}
		h.Write([]byte(HashSecretData(b)))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// replicas returns the replica count the operator owns: nil when an HPA scales the Deployment or the
// spec leaves it unset (server-side apply then never touches a count someone else changed), else the
// spec's value clamped to the int32 range.
func replicas(spec *int64, hpa bool) *int32 {
	if hpa || spec == nil {
		return nil
	}
	v := *spec
	switch {
	case v < 0:
		v = 0
	case v > math.MaxInt32:
		v = math.MaxInt32
	}
	r := int32(v)
	return &r
}

// requirements builds compute requirements from quantities in Kubernetes notation. Arguments are
// constants of this package; an empty string leaves that entry out.
func requirements(cpuRequest, memRequest, cpuLimit, memLimit string) corev1.ResourceRequirements {
	list := func(cpu, mem string) corev1.ResourceList {
		l := corev1.ResourceList{}
		if cpu != "" {
			l[corev1.ResourceCPU] = resource.MustParse(cpu)
		}
		if mem != "" {
			l[corev1.ResourceMemory] = resource.MustParse(mem)
		}
		return l
	}
	return corev1.ResourceRequirements{Requests: list(cpuRequest, memRequest), Limits: list(cpuLimit, memLimit)}
}

// resources returns a container's compute resources: the spec's override when set (whatever
// resourceRequirementsEnabled says, as the API documents), else the default when
// resourceRequirementsEnabled, else none.
func resources(in *Inputs, override *corev1.ResourceRequirements, def corev1.ResourceRequirements) corev1.ResourceRequirements {
	if override != nil {
		return *override.DeepCopy()
	}
	if !in.APIManager.ResourceRequirementsEnabledOrDefault() {
		return corev1.ResourceRequirements{}
	}
	return def
}

// envValue is a literal environment variable.
func envValue(name, value string) corev1.EnvVar {
	return corev1.EnvVar{Name: name, Value: value}
}

// envSecret reads an environment variable from a Secret key that must exist.
func envSecret(name, secret, key string) corev1.EnvVar {
	return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{
		SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: secret}, Key: key},
	}}
}

// envSecretOptional reads an environment variable from a Secret key that may be missing; the pod
// then starts without the variable instead of failing.
func envSecretOptional(name, secret, key string) corev1.EnvVar {
	e := envSecret(name, secret, key)
	optional := true
	e.ValueFrom.SecretKeyRef.Optional = &optional
	return e
}

// envConfigMap reads an environment variable from a ConfigMap key.
func envConfigMap(name, configMap, key string) corev1.EnvVar {
	return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{
		ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: configMap}, Key: key},
	}}
}

// envFieldRef reads an environment variable from a field of the pod (metadata.name, ...).
func envFieldRef(name, fieldPath string) corev1.EnvVar {
	return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{
		FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: fieldPath},
	}}
}

// secretVolume mounts a whole Secret.
func secretVolume(name, secret string) corev1.Volume {
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: secret}}}
}

// containerPort is a TCP container port.
func containerPort(name string, port int32) corev1.ContainerPort {
	return corev1.ContainerPort{Name: name, ContainerPort: port, Protocol: corev1.ProtocolTCP}
}

// httpProbe probes an HTTP path on a container port.
func httpProbe(path string, port int32, initialDelay, timeout, period int32) *corev1.Probe {
	return &corev1.Probe{
		ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
			Path: path, Port: intstr.FromInt32(port), Scheme: corev1.URISchemeHTTP,
		}},
		InitialDelaySeconds: initialDelay, TimeoutSeconds: timeout, PeriodSeconds: period,
		SuccessThreshold: 1, FailureThreshold: 3,
	}
}

// tcpProbe probes that a container port accepts connections.
func tcpProbe(port int32, initialDelay, timeout, period int32) *corev1.Probe {
	return &corev1.Probe{
		ProbeHandler:        corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(port)}},
		InitialDelaySeconds: initialDelay, TimeoutSeconds: timeout, PeriodSeconds: period,
		SuccessThreshold: 1, FailureThreshold: 3,
	}
}

// execProbe runs a command in the container.
func execProbe(command []string, initialDelay, timeout, period int32) *corev1.Probe {
	return &corev1.Probe{
		ProbeHandler:        corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: command}},
		InitialDelaySeconds: initialDelay, TimeoutSeconds: timeout, PeriodSeconds: period,
		SuccessThreshold: 1, FailureThreshold: 3,
	}
}

// servicePort is a TCP Service port forwarding to a named or numbered container port.
func servicePort(name string, port int32, target intstr.IntOrString) corev1.ServicePort {
	return corev1.ServicePort{Name: name, Port: port, TargetPort: target, Protocol: corev1.ProtocolTCP}
}

// NewService returns a ClusterIP Service selecting the pods of the Deployment named selectorName.
func NewService(in *Inputs, name, component, element, selectorName string, ports ...corev1.ServicePort) *corev1.Service {
	return &corev1.Service{
		TypeMeta:   typeMeta("v1", "Service"),
		ObjectMeta: objectMeta(in, name, component, element),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: PodSelector(selectorName),
			Ports:    ports,
		},
	}
}

// NewConfigMap returns a ConfigMap of one part of a component.
func NewConfigMap(in *Inputs, name, component, element string, data map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   typeMeta("v1", "ConfigMap"),
		ObjectMeta: objectMeta(in, name, component, element),
		Data:       data,
	}
}

// NewPodDisruptionBudget returns a PDB letting at most one pod of the Deployment `name` be disrupted
// at a time. It only protects Deployments with more than one replica, as the API documents.
func NewPodDisruptionBudget(in *Inputs, name, component, element string) *policyv1.PodDisruptionBudget {
	one := intstr.FromInt32(1)
	return &policyv1.PodDisruptionBudget{
		TypeMeta:   typeMeta("policy/v1", "PodDisruptionBudget"),
		ObjectMeta: objectMeta(in, name, component, element),
		Spec: policyv1.PodDisruptionBudgetSpec{
			MaxUnavailable: &one,
			Selector:       &metav1.LabelSelector{MatchLabels: PodSelector(name)},
		},
	}
}

// NewHorizontalPodAutoscaler returns the HPA of the Deployment `name`: 1 to 5 pods, scaled on the
// average CPU and memory utilization.
func NewHorizontalPodAutoscaler(in *Inputs, name, component, element string) *autoscalingv2.HorizontalPodAutoscaler {
	minReplicas, target := hpaMinReplicas, hpaTargetUtilization
	metric := func(r corev1.ResourceName) autoscalingv2.MetricSpec {
		return autoscalingv2.MetricSpec{
			Type: autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricSource{
				Name:   r,
				Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: &target},
			},
		}
	}
	return &autoscalingv2.HorizontalPodAutoscaler{
		TypeMeta:   typeMeta("autoscaling/v2", "HorizontalPodAutoscaler"),
		ObjectMeta: objectMeta(in, name, component, element),
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: name},
			MinReplicas:    &minReplicas,
			MaxReplicas:    hpaMaxReplicas,
			// Memory first, as the existing operator lists them: the list is replaced as a whole,
			// so the same order leaves an HPA it created unchanged.
			Metrics: []autoscalingv2.MetricSpec{metric(corev1.ResourceMemory), metric(corev1.ResourceCPU)},
		},
	}
}

// NewPersistentVolumeClaim returns a data PVC with the given access mode, sized by the spec or
// defaultSize, and with the spec's storage class and volume name.
func NewPersistentVolumeClaim(in *Inputs, name, component, element string, mode corev1.PersistentVolumeAccessMode,
	defaultSize string, spec *appsv1alpha1.PVCGenericSpec) *corev1.PersistentVolumeClaim {
	size := resource.MustParse(defaultSize)
	pvc := &corev1.PersistentVolumeClaim{
		TypeMeta:   typeMeta("v1", "PersistentVolumeClaim"),
		ObjectMeta: objectMeta(in, name, component, element),
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{mode},
		},
	}
	if spec != nil {
		pvc.Spec.StorageClassName = spec.StorageClassName
		if spec.Resources != nil && !spec.Resources.Requests.IsZero() {
			size = spec.Resources.Requests.DeepCopy()
		}
		if spec.VolumeName != nil {
			pvc.Spec.VolumeName = *spec.VolumeName
		}
	}
	pvc.Spec.Resources.Requests = corev1.ResourceList{corev1.ResourceStorage: size}
	return pvc
}
