package backup

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
	"github.com/threescale-oss/operator/pkg/apimanager/render"
)

// Kinds of work, the first word of the names of the objects a step creates.
const (
	KindBackup  = "backup"
	KindRestore = "restore"
)

// Labels of the objects a step creates. The managed-by label puts them in the operator's cache.
const (
	LabelOwnerKind = "apps.3scale.net/backup-restore"
	LabelOwnerName = "apps.3scale.net/backup-restore-name"
	LabelStep      = "apps.3scale.net/step"
)

// Internal database connection details that are fixed by the APIManager renderer (see
// render.Databases and render.Zync): the Services, and zync's database user and name.
const (
	zyncDatabaseUser = "zync"
	zyncDatabaseName = "zync_production"
	mysqlPort        = "3306"
	postgresqlPort   = "5432"
	redisPort        = "6379"
)

// Params are the inputs of the rendering of a step's objects.
type Params struct {
	// Kind is KindBackup or KindRestore.
	Kind string
	// Namespace of the backup or restore.
	Namespace string
	// Owner is the controller reference to the APIManagerBackup or APIManagerRestore.
	Owner metav1.OwnerReference
	// ClaimName is the backup claim (written by a backup, read by a restore).
	ClaimName string
	// OperatorImage runs the subcommands that move objects and files.
	OperatorImage string
	// Images are the platform's images (ResolveImages of the APIManager): database Jobs run them.
	Images render.Images
	// ImagePullSecrets are the APIManager's, given to the steps' ServiceAccounts.
	ImagePullSecrets []corev1.LocalObjectReference
	// OpenShift is true on OpenShift, whose restricted SCC assigns the pods' fsGroup; elsewhere
	// the pods get fsGroup 0, so that each step's user can write the volumes (group-writable).
	OpenShift bool
	// APIManagerName is the APIManager backed up (backup) or restored (restore).
	APIManagerName string
	// Overwrite lets a restore replace what exists.
	Overwrite bool
	// Generation is the metadata.generation of the backup or restore the step runs for, written on
	// its Job (GenerationAnnotation).
	Generation int64
	// SidekiqPod is the pod template of the running system-sidekiq Deployment: the resync step
	// runs its rake task with exactly that environment.
	SidekiqPod *corev1.PodSpec
}

// GenerationAnnotation on a step's Job records the generation of the backup or restore it was
// created for: the generation the work started with is read back from the first step's Job when
// the status that recorded it was not written.
const GenerationAnnotation = "apps.3scale.net/generation"

// StartedGeneration returns the generation recorded on the Job of the first step of a backup or
// restore, 0 when that Job does not exist or records none.
func StartedGeneration(ctx context.Context, jobs client.Reader, ns, kind string, uid types.UID) (int64, error) {
	job := &batchv1.Job{}
	err := jobs.Get(ctx, client.ObjectKey{Namespace: ns, Name: JobName(kind, StepSecretsConfigMaps, uid)}, job)
	if apierrors.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	g, _ := strconv.ParseInt(job.Annotations[GenerationAnnotation], 10, 64)
	return g, nil
}

// JobName is the name of the Job (and ServiceAccount, Role, RoleBinding) of step: at most 63
// characters for the Job's pod label.
func JobName(kind, step string, uid types.UID) string {
	name := kind + "-" + step + "-" + string(uid)
	if len(name) > 63 {
		name = strings.TrimRight(name[:63], "-")
	}
	return name
}

// StepObjects returns what step needs: its ServiceAccount, its Role and RoleBinding when it talks
// to the API server (nil otherwise), and its Job. It fails when the step has no Job or lacks an input.
func StepObjects(p Params, step string) ([]client.Object, *batchv1.Job, error) {
	name := JobName(p.Kind, step, p.Owner.UID)
	var pod corev1.PodSpec
	var rules []rbacv1.PolicyRule
	var err error
	switch p.Kind + "/" + step {
	case KindBackup + "/" + StepSecretsConfigMaps:
		rules = []rbacv1.PolicyRule{
			{APIGroups: []string{""}, Resources: []string{"secrets"}, ResourceNames: SecretsToBackUp, Verbs: []string{"get"}},
			{APIGroups: []string{""}, Resources: []string{"configmaps"}, ResourceNames: ConfigMapsToBackUp, Verbs: []string{"get"}},
		}
		pod, err = p.operatorPod(step, []string{"backup-objects", "--namespace", p.Namespace, "--dir", MountPath,
			"--secrets", strings.Join(SecretsToBackUp, ","), "--configmaps", strings.Join(ConfigMapsToBackUp, ",")})
	case KindBackup + "/" + StepAPIManager:
		rules = []rbacv1.PolicyRule{{APIGroups: []string{appsv1alpha1.GroupVersion.Group}, Resources: []string{"apimanagers"},
			ResourceNames: []string{p.APIManagerName}, Verbs: []string{"get"}}}
		pod, err = p.operatorPod(step, []string{"backup-objects", "--namespace", p.Namespace, "--dir", MountPath, "--apimanager", p.APIManagerName})
	case KindBackup + "/" + StepSystemStorage:
		pod, err = p.operatorPod(step, []string{"copy-files", "--from", SystemStorageMountPath, "--to", path.Join(MountPath, SystemStorageDir)})
		pod.Volumes = append(pod.Volumes, claimVolume("system-storage", render.SystemStoragePVC, true))
		pod.Containers[0].VolumeMounts = append(pod.Containers[0].VolumeMounts,
			corev1.VolumeMount{Name: "system-storage", MountPath: SystemStorageMountPath, ReadOnly: true})
	case KindRestore + "/" + StepSecretsConfigMaps:
		names := append(append([]string{}, restoredSecrets()...), ConfigMapsToBackUp...)
		sort.Strings(names)
		rules = []rbacv1.PolicyRule{
			{APIGroups: []string{""}, Resources: []string{"secrets", "configmaps"}, Verbs: []string{"create"}},
			{APIGroups: []string{""}, Resources: []string{"secrets", "configmaps"}, ResourceNames: names, Verbs: []string{"get", "update"}},
		}
		args := []string{"restore-objects", "--namespace", p.Namespace, "--dir", MountPath, "--secrets-configmaps"}
		if p.Overwrite {
			args = append(args, "--overwrite")
		}
		pod, err = p.operatorPod(step, args)
	case KindRestore + "/" + StepSystemStorage:
		args := []string{"copy-files", "--from", path.Join(MountPath, SystemStorageDir), "--to", SystemStorageMountPath, "--empty-destination"}
		if p.Overwrite {
			args = args[:len(args)-1]
		}
		pod, err = p.operatorPod(step, args)
		pod.Volumes = append(pod.Volumes, claimVolume("system-storage", render.SystemStoragePVC, false))
		pod.Containers[0].VolumeMounts = append(pod.Containers[0].VolumeMounts,
			corev1.VolumeMount{Name: "system-storage", MountPath: SystemStorageMountPath})
	case KindRestore + "/" + StepAPIManager:
		rules = []rbacv1.PolicyRule{{APIGroups: []string{appsv1alpha1.GroupVersion.Group}, Resources: []string{"apimanagers"}, Verbs: []string{"create"}}}
		pod, err = p.operatorPod(step, []string{"restore-objects", "--namespace", p.Namespace, "--dir", MountPath, "--apimanager"})
	case KindRestore + "/" + StepResyncDomains:
		if p.SidekiqPod == nil {
			return nil, nil, fmt.Errorf("step %s needs the pod template of %s", step, render.SystemSidekiqName)
		}
		pod = resyncPod(*p.SidekiqPod)
	default:
		if !IsDatabaseStep(step) {
			return nil, nil, fmt.Errorf("no Job for the %s step %q", p.Kind, step)
		}
		var c corev1.Container
		c, err = DatabaseContainer(p.Kind, step, p.Images)
		c.VolumeMounts = []corev1.VolumeMount{{Name: "backup", MountPath: MountPath, ReadOnly: p.Kind == KindRestore}}
		pod = corev1.PodSpec{Containers: []corev1.Container{c},
			Volumes: []corev1.Volume{claimVolume("backup", p.ClaimName, p.Kind == KindRestore)}}
	}
	if err != nil {
		return nil, nil, err
	}
	meta := p.meta(name, step)
	sa := &corev1.ServiceAccount{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta: meta, ImagePullSecrets: p.ImagePullSecrets,
		// Only the steps with a Role talk to the API server.
		AutomountServiceAccountToken: ptr(len(rules) > 0),
	}
	objs := []client.Object{sa}
	if len(rules) > 0 {
		objs = append(objs,
			&rbacv1.Role{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"}, ObjectMeta: p.meta(name, step), Rules: rules},
			&rbacv1.RoleBinding{
				TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
				ObjectMeta: p.meta(name, step),
				Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: name, Namespace: p.Namespace}},
				RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: name},
			})
	}
	pod.ServiceAccountName = name
	pod.AutomountServiceAccountToken = ptr(len(rules) > 0)
	pod.RestartPolicy = corev1.RestartPolicyNever
	if pod.SecurityContext == nil {
		pod.SecurityContext = &corev1.PodSecurityContext{}
	}
	pod.SecurityContext.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}
	if !p.OpenShift && step != StepResyncDomains {
		pod.SecurityContext.FSGroup = ptr(int64(0))
	}
	for i := range pod.Containers {
		c := &pod.Containers[i]
		c.TerminationMessagePolicy = corev1.TerminationMessageFallbackToLogsOnError
		if c.SecurityContext == nil {
			c.SecurityContext = &corev1.SecurityContext{}
		}
		c.SecurityContext.AllowPrivilegeEscalation = ptr(false)
		c.SecurityContext.Capabilities = &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}
	}
	jobMeta := p.meta(name, step)
	jobMeta.Annotations = map[string]string{GenerationAnnotation: strconv.FormatInt(p.Generation, 10)}
	job := &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: jobMeta,
		Spec: batchv1.JobSpec{
			// One attempt: a failed step fails the backup at once, with the pod's message.
			BackoffLimit: ptr(int32(0)),
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: p.labels(step)},
				Spec:       pod,
			},
		},
	}
	return objs, job, nil
}

func ptr[T any](v T) *T { return &v }

func (p Params) labels(step string) map[string]string {
	return map[string]string{
		render.LabelK8sManagedBy: render.ManagedBy,
		render.LabelK8sPartOf:    render.PartOf,
		LabelOwnerKind:           p.Kind,
		LabelOwnerName:           p.Owner.Name,
		LabelStep:                step,
	}
}

func (p Params) meta(name, step string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: p.Namespace, Labels: p.labels(step),
		OwnerReferences: []metav1.OwnerReference{p.Owner}}
}

// restoredSecrets are the Secrets a restore may write: the backed-up ones but system-memcache
// (rendered from the APIManager) and backend-listener (its route endpoint follows the restored
// APIManager's domain). The database ones are written only when the database was internal.
func restoredSecrets() []string {
	var out []string
	for _, s := range SecretsToBackUp {
		if s != render.SystemMemcacheSecret && s != render.BackendListenerSecret {
			out = append(out, s)
		}
	}
	return out
}

func claimVolume(name, claim string, readOnly bool) corev1.Volume {
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{
		PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claim, ReadOnly: readOnly},
	}}
}

// operatorPod runs the operator's binary with args, the backup claim mounted at MountPath
// (read-only for a restore).
func (p Params) operatorPod(step string, args []string) (corev1.PodSpec, error) {
	if p.OperatorImage == "" {
		return corev1.PodSpec{}, fmt.Errorf("the operator's own image is unknown: set %s on the operator's Deployment", OperatorImageEnv)
	}
	readOnly := p.Kind == KindRestore
	return corev1.PodSpec{
		Containers: []corev1.Container{{
			Name: step, Image: p.OperatorImage, ImagePullPolicy: corev1.PullIfNotPresent,
			Command: []string{"/manager"}, Args: args,
			VolumeMounts:    []corev1.VolumeMount{{Name: "backup", MountPath: MountPath, ReadOnly: readOnly}},
			SecurityContext: &corev1.SecurityContext{RunAsNonRoot: ptr(true)},
		}},
		Volumes: []corev1.Volume{claimVolume("backup", p.ClaimName, readOnly)},
	}, nil
}

// OperatorImageEnv names the variable that gives the operator's own image to the Jobs that run
// its subcommands. When unset, the controller reads the image of its own pod.
const OperatorImageEnv = "RELATED_IMAGE_OPERATOR"

// resyncPod is sidekiq's pod running `rake zync:resync:domains` once.
func resyncPod(sidekiq corev1.PodSpec) corev1.PodSpec {
	pod := *sidekiq.DeepCopy()
	pod.InitContainers = nil
	c := pod.Containers[0]
	c.Name = StepResyncDomains
	c.Command = []string{"bundle", "exec", "rake", "zync:resync:domains"}
	c.Args = nil
	c.LivenessProbe, c.ReadinessProbe, c.StartupProbe = nil, nil, nil
	c.Ports = nil
	pod.Containers = []corev1.Container{c}
	return pod
}
