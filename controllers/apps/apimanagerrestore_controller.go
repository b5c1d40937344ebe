package apps

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
	"github.com/threescale-oss/operator/pkg/apimanager/inputs"
	"github.com/threescale-oss/operator/pkg/apimanager/render"
	"github.com/threescale-oss/operator/pkg/backup"
)

// APIManagerRestoreControllerName names the APIManagerRestore controller in logs and metrics.
const APIManagerRestoreControllerName = "apimanagerrestore"

// claimWaitRequeue is how often a restore whose source claim does not exist yet looks again.
const claimWaitRequeue = 30 * time.Second

// +kubebuilder:rbac:groups=apps.3scale.net,resources=apimanagerrestores,verbs=get;list;watch
// +kubebuilder:rbac:groups=apps.3scale.net,resources=apimanagerrestores/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=apps.3scale.net,resources=apimanagers,verbs=get;list;watch;create
// +kubebuilder:rbac:groups=apps,resources=deployments,verbs=get;list;watch
// +kubebuilder:rbac:groups=batch,resources=jobs,verbs=get;list;watch;create
// +kubebuilder:rbac:groups="",resources=pods,verbs=get;list
// +kubebuilder:rbac:groups="",resources=persistentvolumeclaims;serviceaccounts,verbs=get;list;watch;create
// +kubebuilder:rbac:groups="",resources=secrets;configmaps,verbs=get;create;update
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=roles;rolebindings,verbs=get;list;watch;create

// APIManagerRestoreReconciler runs each APIManagerRestore once, in a namespace without an
// APIManager: it reads what the backup claim holds (the annotations the backup wrote), plans the
// steps (backup.RestoreSteps) and runs them in order, one Job each, waiting for the restored
// APIManager to be Available before loading its databases. Woken by its Jobs and by APIManagers,
// never polling a Job.
type APIManagerRestoreReconciler struct {
	client.Client
	// APIReader reads the source claim (the user's, maybe not labelled) and the pods of failed Jobs.
	APIReader client.Reader
	Scheme    *runtime.Scheme
	ImageEnv  map[string]string
	APIs      *inputs.APIDetector
	// Recorder emits events on the restores.
	Recorder events.EventRecorder

	imageOnce sync.Once
	image     string
	imageErr  error
}

// NewAPIManagerRestoreReconciler returns the reconciler of mgr, reading images from environ.
func NewAPIManagerRestoreReconciler(mgr ctrl.Manager, environ []string) *APIManagerRestoreReconciler {
	return &APIManagerRestoreReconciler{
		Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Scheme: mgr.GetScheme(),
		ImageEnv: imageEnv(environ), APIs: &inputs.APIDetector{Mapper: mgr.GetRESTMapper()},
		Recorder: mgr.GetEventRecorder(APIManagerRestoreControllerName),
	}
}

// SetupAPIManagerRestore registers the APIManagerRestore controller with the manager.
func SetupAPIManagerRestore(mgr ctrl.Manager) error {
	return NewAPIManagerRestoreReconciler(mgr, os.Environ()).SetupWithManager(mgr)
}

// SetupWithManager registers r with mgr.
func (r *APIManagerRestoreReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		Named(APIManagerRestoreControllerName).
		For(&appsv1alpha1.APIManagerRestore{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Owns(&batchv1.Job{}).
		// The APIManager of the namespace: its absence starts a restore, its Available condition
		// ends the wait-available step.
		Watches(&appsv1alpha1.APIManager{}, handler.EnqueueRequestsFromMapFunc(r.restoresOfNamespace)).
		Complete(r)
}

// restoresOfNamespace maps an APIManager to the unfinished restores of its namespace.
func (r *APIManagerRestoreReconciler) restoresOfNamespace(ctx context.Context, o client.Object) []reconcile.Request {
	list := &appsv1alpha1.APIManagerRestoreList{}
	if err := r.List(ctx, list, client.InNamespace(o.GetNamespace())); err != nil {
		return nil
	}
	var reqs []reconcile.Request
	for _, rs := range list.Items {
		if !finished(rs.Status.Conditions) {
			reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&rs)})
		}
	}
	return reqs
}

func (r *APIManagerRestoreReconciler) operatorImage(ctx context.Context) (string, error) {
	r.imageOnce.Do(func() { r.image, r.imageErr = backup.OwnImage(ctx, r.APIReader, r.ImageEnv) })
	return r.image, r.imageErr
}

// Reconcile advances one restore by at most one step and writes its status once.
func (r *APIManagerRestoreReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	rs := &appsv1alpha1.APIManagerRestore{}
	if err := r.Get(ctx, req.NamespacedName, rs); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	before := rs.DeepCopy()
	res, err := r.reconcile(ctx, rs)
	if !equality.Semantic.DeepEqual(before.Status, rs.Status) {
		if perr := r.Status().Patch(ctx, rs, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{})); perr != nil {
			if err == nil {
				err = fmt.Errorf("cannot write the status: %w", perr)
			}
			return ctrl.Result{}, err
		}
		runEvents(r.Recorder, rs, r.status(rs), startedStep(before.Status.Steps, rs.Status.Steps), finished(before.Status.Conditions))
	}
	return res, err
}

func (r *APIManagerRestoreReconciler) status(rs *appsv1alpha1.APIManagerRestore) runStatus {
	st := &rs.Status
	return runStatus{
		generation: rs.Generation, conditions: &st.Conditions, observed: &st.ObservedGeneration,
		completed: &st.Completed, mainStepsDone: &st.MainStepsCompleted, completionTime: &st.CompletionTime,
		currentStep: &st.CurrentStep, steps: st.Steps, startedGeneration: st.StartedGeneration, what: "restore",
	}
}

func (r *APIManagerRestoreReconciler) reconcile(ctx context.Context, rs *appsv1alpha1.APIManagerRestore) (ctrl.Result, error) {
	if finished(rs.Status.Conditions) {
		r.status(rs).specChange()
		return ctrl.Result{}, nil
	}
	now := metav1.Now()
	if rs.Status.StartedGeneration == 0 {
		started, res, err := r.start(ctx, rs, now)
		if err != nil || !started {
			return res, err
		}
	}
	apimName := rs.Status.APIManagerToRestoreRef.Name
	apim := &appsv1alpha1.APIManager{}
	if err := r.Get(ctx, client.ObjectKey{Namespace: rs.Namespace, Name: apimName}, apim); err != nil {
		if !apierrors.IsNotFound(err) {
			return ctrl.Result{}, err
		}
		// The cache may not have seen the APIManager the Job just created: ask the API server.
		if err := r.APIReader.Get(ctx, client.ObjectKey{Namespace: rs.Namespace, Name: apimName}, apim); err != nil {
			if !apierrors.IsNotFound(err) {
				return ctrl.Result{}, err
			}
			apim = nil
		}
	}
	facts, err := backup.StepJobFacts(ctx, r.Client, r.APIReader, rs.Namespace, backup.KindRestore, rs.UID, rs.Status.Steps)
	if err != nil {
		return ctrl.Result{}, err
	}
	if apim != nil {
		facts[backup.StepWaitAvailable] = backup.JobFacts{Exists: true,
			Succeeded: meta.IsStatusConditionTrue(apim.Status.Conditions, appsv1alpha1.APIManagerAvailableConditionType)}
	} else if f := facts[backup.StepAPIManager]; f.Succeeded {
		facts[backup.StepWaitAvailable] = backup.JobFacts{Exists: true, Failed: true,
			Message: fmt.Sprintf("the restored APIManager %s was deleted", apimName)}
	}
	steps, phase, start := backup.Advance(rs.Status.Steps, facts)
	rs.Status.Steps = steps
	if phase == backup.PhaseRunning && start >= 0 && steps[start].Name != backup.StepWaitAvailable {
		step := steps[start].Name
		job, msg, err := r.startStep(ctx, rs, apim, step)
		if err != nil {
			return ctrl.Result{}, err
		}
		if msg != "" {
			rs.Status.Steps = failStep(rs.Status.Steps, step, msg)
			phase = backup.PhaseFailed
		} else {
			rs.Status.Steps[start].Job = job
		}
	}
	r.status(rs).progress(phase, now)
	return ctrl.Result{}, nil
}

// start checks the namespace and the source claim, and plans the steps. It reports whether the
// restore started; when it did not, the status says why.
func (r *APIManagerRestoreReconciler) start(ctx context.Context, rs *appsv1alpha1.APIManagerRestore, now metav1.Time) (bool, ctrl.Result, error) {
	st := r.status(rs)
	list := &appsv1alpha1.APIManagerList{}
	if err := r.List(ctx, list, client.InNamespace(rs.Namespace)); err != nil {
		return false, ctrl.Result{}, err
	}
	if len(list.Items) > 0 {
		var names []string
		for _, a := range list.Items {
			names = append(names, a.Name)
		}
		sort.Strings(names)
		st.waiting(appsv1alpha1.APIManagerAlreadyExistsReason, fmt.Sprintf(
			"namespace %s has an APIManager (%s): a restore creates the APIManager, so it runs only in a namespace without one; delete it or restore into another namespace",
			rs.Namespace, strings.Join(names, ", ")))
		return false, ctrl.Result{}, nil
	}
	claimName := rs.ClaimName()
	claim := &corev1.PersistentVolumeClaim{}
	if err := r.APIReader.Get(ctx, client.ObjectKey{Namespace: rs.Namespace, Name: claimName}, claim); err != nil {
		if !apierrors.IsNotFound(err) {
			return false, ctrl.Result{}, err
		}
		st.waiting(appsv1alpha1.ClaimNotFoundReason, fmt.Sprintf("the backup claim %s does not exist in namespace %s", claimName, rs.Namespace))
		return false, ctrl.Result{RequeueAfter: claimWaitRequeue}, nil
	}
	apimName := claim.Annotations[backup.APIManagerNameAnnotation]
	if apimName == "" {
		st.waiting(appsv1alpha1.ClaimNotFoundReason, fmt.Sprintf("the claim %s was not written by an APIManagerBackup (no %s annotation)", claimName, backup.APIManagerNameAnnotation))
		return false, ctrl.Result{}, nil
	}
	contents := backup.LegacyContents()
	if c, ok := claim.Annotations[backup.ContentsAnnotation]; ok {
		contents = backup.Contents{Steps: strings.Split(c, ",")}
	}
	started, err := backup.StartedGeneration(ctx, r.Client, rs.Namespace, backup.KindRestore, rs.UID)
	if err != nil {
		return false, ctrl.Result{}, err
	}
	if started == 0 {
		started = rs.Generation
	}
	rs.Status.StartedGeneration = started
	rs.Status.StartTime = &now
	rs.Status.APIManagerToRestoreRef = &corev1.LocalObjectReference{Name: apimName}
	rs.Status.Steps = backup.RestoreSteps(contents)
	return true, ctrl.Result{}, nil
}

// overwrite is spec.overwrite as it was when the restore started: the first step's Job carries it.
func (r *APIManagerRestoreReconciler) overwrite(ctx context.Context, rs *appsv1alpha1.APIManagerRestore) bool {
	job := &batchv1.Job{}
	err := r.Get(ctx, client.ObjectKey{Namespace: rs.Namespace, Name: backup.JobName(backup.KindRestore, backup.StepSecretsConfigMaps, rs.UID)}, job)
	if err != nil {
		return rs.Spec.Overwrite != nil && *rs.Spec.Overwrite
	}
	return slices.Contains(job.Spec.Template.Spec.Containers[0].Args, "--overwrite")
}

// startStep creates what step needs and its Job. It returns the Job's name, or a message when the
// step cannot start (it then fails).
func (r *APIManagerRestoreReconciler) startStep(ctx context.Context, rs *appsv1alpha1.APIManagerRestore, apim *appsv1alpha1.APIManager, step string) (string, string, error) {
	apis, err := r.APIs.Detect()
	if err != nil {
		return "", "", err
	}
	img, err := r.operatorImage(ctx)
	if err != nil {
		img = ""
	}
	p := backup.Params{
		Kind: backup.KindRestore, Namespace: rs.Namespace,
		Owner:     *metav1.NewControllerRef(rs, appsv1alpha1.GroupVersion.WithKind("APIManagerRestore")),
		ClaimName: rs.ClaimName(), OperatorImage: img, Images: render.ResolveImages(apim, r.ImageEnv),
		OpenShift: apis.Routes, APIManagerName: rs.Status.APIManagerToRestoreRef.Name, Overwrite: r.overwrite(ctx, rs),
		Generation: rs.Status.StartedGeneration,
	}
	if apim != nil {
		p.ImagePullSecrets = apim.Spec.ImagePullSecrets
	}
	switch step {
	case backup.StepSystemStorage:
		if msg, err := r.ensureSystemStorage(ctx, rs); err != nil || msg != "" {
			return "", msg, err
		}
	case backup.StepResyncDomains:
		d := &appsv1.Deployment{}
		if err := r.Get(ctx, client.ObjectKey{Namespace: rs.Namespace, Name: render.SystemSidekiqName}, d); err != nil {
			if apierrors.IsNotFound(err) {
				return "", fmt.Sprintf("the Deployment %s of the restored APIManager does not exist", render.SystemSidekiqName), nil
			}
			return "", "", err
		}
		p.SidekiqPod = &d.Spec.Template.Spec
	}
	objs, job, err := backup.StepObjects(p, step)
	if err != nil {
		return "", err.Error(), nil
	}
	if err := backup.CreateStepObjects(ctx, r.Client, objs, job); err != nil {
		return "", "", err
	}
	return job.Name, "", nil
}

// ensureSystemStorage creates the system-storage claim as the backed-up one was (the backup claim
// records its access modes, class and size), so that the restored APIManager finds and keeps it.
func (r *APIManagerRestoreReconciler) ensureSystemStorage(ctx context.Context, rs *appsv1alpha1.APIManagerRestore) (string, error) {
	shape := backup.ClaimShape{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany}, Storage: resource.MustParse("100Mi")}
	claim := &corev1.PersistentVolumeClaim{}
	if err := r.APIReader.Get(ctx, client.ObjectKey{Namespace: rs.Namespace, Name: rs.ClaimName()}, claim); err != nil {
		return "", err
	}
	if a := claim.Annotations[backup.SystemStorageClaimAnnotation]; a != "" {
		if err := json.Unmarshal([]byte(a), &shape); err != nil {
			return fmt.Sprintf("the annotation %s of claim %s is not valid: %v", backup.SystemStorageClaimAnnotation, claim.Name, err), nil
		}
	}
	pvc := &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: render.SystemStoragePVC, Namespace: rs.Namespace,
			Labels: map[string]string{render.LabelK8sManagedBy: render.ManagedBy, render.LabelK8sPartOf: render.PartOf}},
		Spec: corev1.PersistentVolumeClaimSpec{AccessModes: shape.AccessModes, StorageClassName: shape.StorageClassName,
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: shape.Storage}}},
	}
	if err := r.Create(ctx, pvc); err != nil && !apierrors.IsAlreadyExists(err) {
		return "", fmt.Errorf("cannot create the claim %s: %w", render.SystemStoragePVC, err)
	}
	return "", nil
}
