package apps

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
	"github.com/threescale-oss/operator/pkg/apimanager/inputs"
	"github.com/threescale-oss/operator/pkg/apimanager/render"
	"github.com/threescale-oss/operator/pkg/backup"
)

// APIManagerBackupControllerName names the APIManagerBackup controller in logs and metrics.
const APIManagerBackupControllerName = "apimanagerbackup"

// +kubebuilder:rbac:groups=apps.3scale.net,resources=apimanagerbackups,verbs=get;list;watch
// +kubebuilder:rbac:groups=apps.3scale.net,resources=apimanagerbackups/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=apps.3scale.net,resources=apimanagers,verbs=get;list;watch
// +kubebuilder:rbac:groups=batch,resources=jobs,verbs=get;list;watch;create
// +kubebuilder:rbac:groups="",resources=pods,verbs=get;list
// +kubebuilder:rbac:groups="",resources=persistentvolumeclaims;serviceaccounts,verbs=get;list;watch;create;update;patch
// +kubebuilder:rbac:groups="",resources=secrets;configmaps,verbs=get
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=roles;rolebindings,verbs=get;list;watch;create

// APIManagerBackupReconciler runs each APIManagerBackup once: it picks the APIManager, plans the
// steps (backup.BackupSteps), creates the backup claim, then one Job per step, in order, and
// records each Job's outcome. It is woken by the Jobs it owns (never polls) and by APIManagers
// appearing, for backups that wait for one.
type APIManagerBackupReconciler struct {
	client.Client
	// APIReader reads what the cache does not hold: pods of failed Jobs, a claim the operator did
	// not label, the operator's own pod.
	APIReader client.Reader
	Scheme    *runtime.Scheme
	// ImageEnv holds the RELATED_IMAGE_* variables (database images, the operator's own image).
	ImageEnv map[string]string
	// APIs says whether the cluster is OpenShift (Routes served).
	APIs *inputs.APIDetector
	// Recorder emits events on the backups.
	Recorder events.EventRecorder

	imageOnce sync.Once
	image     string
	imageErr  error
}

// NewAPIManagerBackupReconciler returns the reconciler of mgr, reading images from environ.
func NewAPIManagerBackupReconciler(mgr ctrl.Manager, environ []string) *APIManagerBackupReconciler {
	return &APIManagerBackupReconciler{
		Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Scheme: mgr.GetScheme(),
		ImageEnv: imageEnv(environ), APIs: &inputs.APIDetector{Mapper: mgr.GetRESTMapper()},
		Recorder: mgr.GetEventRecorder(APIManagerBackupControllerName),
	}
}

// imageEnv keeps the RELATED_IMAGE_* variables of environ.
func imageEnv(environ []string) map[string]string {
	env := inputs.ImageEnv(environ)
	for _, kv := range environ {
		if name, value, ok := strings.Cut(kv, "="); ok && name == backup.OperatorImageEnv {
			env[name] = value
		}
	}
	return env
}

// SetupAPIManagerBackup registers the APIManagerBackup controller with the manager.
func SetupAPIManagerBackup(mgr ctrl.Manager) error {
	return NewAPIManagerBackupReconciler(mgr, os.Environ()).SetupWithManager(mgr)
}

// SetupWithManager registers r with mgr.
func (r *APIManagerBackupReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		Named(APIManagerBackupControllerName).
		For(&appsv1alpha1.APIManagerBackup{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Owns(&batchv1.Job{}).
		// A backup that waits for its APIManager (none, or several) starts when that changes.
		Watches(&appsv1alpha1.APIManager{}, handler.EnqueueRequestsFromMapFunc(r.backupsOfNamespace),
			builder.WithPredicates(createOrDelete)).
		Complete(r)
}

// createOrDelete passes the creation and deletion of objects, not their updates.
var createOrDelete = predicate.Funcs{UpdateFunc: func(event.UpdateEvent) bool { return false }}

// backupsOfNamespace maps an APIManager to the backups of its namespace that have not started.
func (r *APIManagerBackupReconciler) backupsOfNamespace(ctx context.Context, o client.Object) []reconcile.Request {
	list := &appsv1alpha1.APIManagerBackupList{}
	if err := r.List(ctx, list, client.InNamespace(o.GetNamespace())); err != nil {
		return nil
	}
	var reqs []reconcile.Request
	for _, b := range list.Items {
		if b.Status.StartedGeneration == 0 {
			reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&b)})
		}
	}
	return reqs
}

// operatorImage finds the operator's own image once.
func (r *APIManagerBackupReconciler) operatorImage(ctx context.Context) (string, error) {
	r.imageOnce.Do(func() { r.image, r.imageErr = backup.OwnImage(ctx, r.APIReader, r.ImageEnv) })
	return r.image, r.imageErr
}

// Reconcile advances one backup by at most one step and writes its status once.
func (r *APIManagerBackupReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	b := &appsv1alpha1.APIManagerBackup{}
	if err := r.Get(ctx, req.NamespacedName, b); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	before := b.DeepCopy()
	err := r.reconcile(ctx, b)
	if !equality.Semantic.DeepEqual(before.Status, b.Status) {
		if perr := r.Status().Patch(ctx, b, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{})); perr != nil {
			if err == nil {
				err = fmt.Errorf("cannot write the status: %w", perr)
			}
			return ctrl.Result{}, err
		}
		runEvents(r.Recorder, b, r.status(b), startedStep(before.Status.Steps, b.Status.Steps), finished(before.Status.Conditions))
	}
	return ctrl.Result{}, err
}

func (r *APIManagerBackupReconciler) status(b *appsv1alpha1.APIManagerBackup) runStatus {
	st := &b.Status
	return runStatus{
		generation: b.Generation, conditions: &st.Conditions, observed: &st.ObservedGeneration,
		completed: &st.Completed, mainStepsDone: &st.MainStepsCompleted, completionTime: &st.CompletionTime,
		currentStep: &st.CurrentStep, steps: st.Steps, startedGeneration: st.StartedGeneration, what: "backup",
	}
}

func (r *APIManagerBackupReconciler) reconcile(ctx context.Context, b *appsv1alpha1.APIManagerBackup) error {
	if finished(b.Status.Conditions) {
		r.status(b).specChange()
		return nil
	}
	now := metav1.Now()
	var apim *appsv1alpha1.APIManager
	if b.Status.StartedGeneration == 0 {
		var reason, msg string
		var err error
		apim, reason, msg, err = r.findAPIManager(ctx, b)
		if err != nil {
			return err
		}
		if apim == nil {
			r.status(b).waiting(reason, msg)
			return nil
		}
		claim := b.PersistentVolumeClaimName()
		started, err := backup.StartedGeneration(ctx, r.Client, b.Namespace, backup.KindBackup, b.UID)
		if err != nil {
			return err
		}
		if started == 0 {
			started = b.Generation
		}
		b.Status.StartedGeneration = started
		b.Status.APIManagerSourceName = &apim.Name
		b.Status.StartTime = &now
		b.Status.BackupPersistentVolumeClaimName = &claim
		b.Status.Steps = backup.BackupSteps(apim)
	} else {
		apim = &appsv1alpha1.APIManager{}
		if err := r.Get(ctx, client.ObjectKey{Namespace: b.Namespace, Name: *b.Status.APIManagerSourceName}, apim); err != nil {
			if !apierrors.IsNotFound(err) {
				return err
			}
			return r.fail(b, now, currentOrFirst(b.Status.Steps), fmt.Sprintf("the APIManager %s was deleted during the backup", *b.Status.APIManagerSourceName))
		}
	}
	if msg, err := r.ensureClaim(ctx, b, apim); err != nil || msg != "" {
		if err != nil {
			return err
		}
		b.Status.Steps = failStep(b.Status.Steps, currentOrFirst(b.Status.Steps), msg)
		st := r.status(b)
		st.progress(backup.PhaseFailed, now)
		st.set(appsv1alpha1.FailedConditionType, metav1.ConditionTrue, appsv1alpha1.ClaimConflictReason, msg)
		st.set(appsv1alpha1.CompletedConditionType, metav1.ConditionFalse, appsv1alpha1.ClaimConflictReason, msg)
		st.set(appsv1alpha1.ReadyConditionType, metav1.ConditionFalse, appsv1alpha1.ClaimConflictReason, msg)
		return nil
	}
	facts, err := backup.StepJobFacts(ctx, r.Client, r.APIReader, b.Namespace, backup.KindBackup, b.UID, b.Status.Steps)
	if err != nil {
		return err
	}
	steps, phase, start := backup.Advance(b.Status.Steps, facts)
	b.Status.Steps = steps
	switch {
	case phase == backup.PhaseRunning && start >= 0:
		step := steps[start].Name
		p, err := r.params(ctx, b, apim)
		if err == nil {
			var objs []client.Object
			var job *batchv1.Job
			if objs, job, err = backup.StepObjects(p, step); err == nil {
				steps[start].Job = job.Name
				if err := backup.CreateStepObjects(ctx, r.Client, objs, job); err != nil {
					return err
				}
			}
		}
		if err != nil {
			return r.fail(b, now, step, err.Error())
		}
	case phase == backup.PhaseSucceeded:
		if err := r.recordContents(ctx, b); err != nil {
			return err
		}
	}
	r.status(b).progress(phase, now)
	return nil
}

// fail marks step failed with msg, and the backup Failed.
func (r *APIManagerBackupReconciler) fail(b *appsv1alpha1.APIManagerBackup, now metav1.Time, step, msg string) error {
	b.Status.Steps = failStep(b.Status.Steps, step, msg)
	r.status(b).progress(backup.PhaseFailed, now)
	return nil
}

// failStep returns steps with step Failed with msg.
func failStep(steps []appsv1alpha1.StepStatus, step, msg string) []appsv1alpha1.StepStatus {
	out := append([]appsv1alpha1.StepStatus{}, steps...)
	for i := range out {
		if out[i].Name == step {
			out[i].State, out[i].Message = appsv1alpha1.StepFailed, msg
		}
	}
	return out
}

// currentOrFirst returns the step running or failed, else the first one not done.
func currentOrFirst(steps []appsv1alpha1.StepStatus) string {
	if s := backup.Current(steps); s != "" {
		return s
	}
	for _, s := range steps {
		if s.State == appsv1alpha1.StepPending {
			return s.Name
		}
	}
	if len(steps) > 0 {
		return steps[0].Name
	}
	return ""
}

// findAPIManager returns the APIManager to back up: spec.apiManagerName, else the only one of the
// namespace. Without one it returns the reason and message to show.
func (r *APIManagerBackupReconciler) findAPIManager(ctx context.Context, b *appsv1alpha1.APIManagerBackup) (*appsv1alpha1.APIManager, string, string, error) {
	if b.Spec.APIManagerName != nil {
		apim := &appsv1alpha1.APIManager{}
		err := r.Get(ctx, client.ObjectKey{Namespace: b.Namespace, Name: *b.Spec.APIManagerName}, apim)
		if apierrors.IsNotFound(err) {
			return nil, appsv1alpha1.APIManagerNotFoundReason, fmt.Sprintf("the APIManager %s named by spec.apiManagerName does not exist in namespace %s", *b.Spec.APIManagerName, b.Namespace), nil
		}
		return apim, "", "", err
	}
	list := &appsv1alpha1.APIManagerList{}
	if err := r.List(ctx, list, client.InNamespace(b.Namespace)); err != nil {
		return nil, "", "", err
	}
	switch len(list.Items) {
	case 1:
		return &list.Items[0], "", "", nil
	case 0:
		return nil, appsv1alpha1.APIManagerNotFoundReason, fmt.Sprintf("namespace %s has no APIManager to back up", b.Namespace), nil
	default:
		var names []string
		for _, a := range list.Items {
			names = append(names, a.Name)
		}
		sort.Strings(names)
		return nil, appsv1alpha1.APIManagerNotFoundReason, fmt.Sprintf("namespace %s has %d APIManagers (%s): set spec.apiManagerName to choose one", b.Namespace, len(names), strings.Join(names, ", ")), nil
	}
}

// ensureClaim creates the backup claim, named after the backup and never owned by it, so that it
// outlives the backup object. It returns a message when a claim of that name exists that another
// backup (or the user) made.
func (r *APIManagerBackupReconciler) ensureClaim(ctx context.Context, b *appsv1alpha1.APIManagerBackup, apim *appsv1alpha1.APIManager) (string, error) {
	name := b.PersistentVolumeClaimName()
	pvc := &corev1.PersistentVolumeClaim{}
	err := r.Get(ctx, client.ObjectKey{Namespace: b.Namespace, Name: name}, pvc)
	if apierrors.IsNotFound(err) {
		pvc = backupClaim(b, apim)
		if err = r.Create(ctx, pvc); apierrors.IsAlreadyExists(err) {
			// Not in the cache: the claim lacks the operator's label, so someone else made it.
			err = r.APIReader.Get(ctx, client.ObjectKey{Namespace: b.Namespace, Name: name}, pvc)
		}
	}
	if err != nil {
		return "", fmt.Errorf("cannot create the backup claim %s: %w", name, err)
	}
	if pvc.Annotations[backup.APIManagerBackupUIDAnnotation] != string(b.UID) {
		return fmt.Sprintf("the PersistentVolumeClaim %s exists and was not created for this backup: delete it or name the backup differently", name), nil
	}
	return "", nil
}

// backupClaim is the claim a backup writes to, as spec.backupDestination.persistentVolumeClaim
// describes it, with the annotations the 3scale operator Red Hat ships writes.
func backupClaim(b *appsv1alpha1.APIManagerBackup, apim *appsv1alpha1.APIManager) *corev1.PersistentVolumeClaim {
	pvc := &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{
			Name: b.PersistentVolumeClaimName(), Namespace: b.Namespace,
			Labels: map[string]string{render.LabelK8sManagedBy: render.ManagedBy, render.LabelK8sPartOf: render.PartOf,
				backup.LabelOwnerKind: backup.KindBackup, backup.LabelOwnerName: b.Name},
			Annotations: map[string]string{
				backup.APIManagerNameAnnotation: apim.Name, backup.APIManagerUIDAnnotation: string(apim.UID),
				backup.APIManagerBackupNameAnnotation: b.Name, backup.APIManagerBackupUIDAnnotation: string(b.UID),
			},
		},
		Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}},
	}
	if d := b.Spec.BackupDestination.PersistentVolumeClaim; d != nil {
		if d.Resources != nil {
			pvc.Spec.Resources.Requests = corev1.ResourceList{corev1.ResourceStorage: d.Resources.Requests}
		}
		if d.VolumeName != nil {
			pvc.Spec.VolumeName = *d.VolumeName
		}
		pvc.Spec.StorageClassName = d.StorageClass
	}
	return pvc
}

// params gathers the inputs of the steps' rendering.
func (r *APIManagerBackupReconciler) params(ctx context.Context, b *appsv1alpha1.APIManagerBackup, apim *appsv1alpha1.APIManager) (backup.Params, error) {
	apis, err := r.APIs.Detect()
	if err != nil {
		return backup.Params{}, err
	}
	img, err := r.operatorImage(ctx)
	if err != nil {
		img = ""
	}
	gvk := appsv1alpha1.GroupVersion.WithKind("APIManagerBackup")
	return backup.Params{
		Kind: backup.KindBackup, Namespace: b.Namespace,
		Owner:         *metav1.NewControllerRef(b, gvk),
		ClaimName:     b.PersistentVolumeClaimName(),
		OperatorImage: img, Images: render.ResolveImages(apim, r.ImageEnv),
		ImagePullSecrets: apim.Spec.ImagePullSecrets, OpenShift: apis.Routes, APIManagerName: apim.Name,
		Generation: b.Status.StartedGeneration,
	}, nil
}

// recordContents writes on the backup claim what it holds, for a restore: the steps that
// succeeded and the shape of the system-storage claim.
func (r *APIManagerBackupReconciler) recordContents(ctx context.Context, b *appsv1alpha1.APIManagerBackup) error {
	pvc := &corev1.PersistentVolumeClaim{}
	if err := r.Get(ctx, client.ObjectKey{Namespace: b.Namespace, Name: b.PersistentVolumeClaimName()}, pvc); err != nil {
		return err
	}
	before := pvc.DeepCopy()
	pvc.Annotations[backup.ContentsAnnotation] = strings.Join(backup.Succeeded(b.Status.Steps), ",")
	storage := &corev1.PersistentVolumeClaim{}
	err := r.Get(ctx, client.ObjectKey{Namespace: b.Namespace, Name: render.SystemStoragePVC}, storage)
	switch {
	case err == nil:
		shape, _ := json.Marshal(backup.ClaimShape{AccessModes: storage.Spec.AccessModes, StorageClassName: storage.Spec.StorageClassName,
			Storage: storage.Spec.Resources.Requests[corev1.ResourceStorage]})
		pvc.Annotations[backup.SystemStorageClaimAnnotation] = string(shape)
	case !apierrors.IsNotFound(err):
		return err
	}
	if equality.Semantic.DeepEqual(before.Annotations, pvc.Annotations) {
		return nil
	}
	return r.Patch(ctx, pvc, client.MergeFrom(before))
}

// startedStep returns the step whose Job the pass created: its Job name was recorded by the pass.
func startedStep(before, after []appsv1alpha1.StepStatus) string {
	jobs := map[string]string{}
	for _, s := range before {
		jobs[s.Name] = s.Job
	}
	for _, s := range after {
		if s.Job != "" && jobs[s.Name] == "" {
			return s.Name
		}
	}
	return ""
}
