// Package apps holds the controllers of the apps.3scale.net kinds, which install 3scale.
package apps

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
	capabilitiesv1alpha1 "github.com/threescale-oss/operator/api/capabilities/v1alpha1"
	"github.com/threescale-oss/operator/pkg/apimanager/apply"
	"github.com/threescale-oss/operator/pkg/apimanager/inputs"
	"github.com/threescale-oss/operator/pkg/apimanager/render"
)

// APIManagerControllerName names the APIManager controller in logs, metrics and events.
const APIManagerControllerName = "apimanager"

// DefaultNotAvailableRequeue is how soon an APIManager that is not available yet is looked at
// again when no watched object changes first. Deployments and Jobs are watched, so this only
// catches what is not (Routes admitted by a router, a CRD installed late).
const DefaultNotAvailableRequeue = 30 * time.Second

// hookReplaceRequeue is how soon a reconcile that deleted a hook Job of a previous template comes
// back to create its successor.
const hookReplaceRequeue = time.Second

// secretNamesIndex indexes APIManagers by the names of the Secrets their platform reads or the
// operator generates for them (inputs.SecretNames), so that a Secret event finds its APIManagers.
const secretNamesIndex = "apps.3scale.net/secret-names"

// ownedKinds are the built-in kinds the renderers produce and the controller owns: watched (a
// change reverts drift and updates the status) and pruned. The optional kinds (Routes and the
// monitoring kinds) are added when the cluster serves them. Secrets are pruned too, but watched
// as metadata only.
var ownedKinds = []schema.GroupVersionKind{
	appsv1.SchemeGroupVersion.WithKind("Deployment"),
	corev1.SchemeGroupVersion.WithKind("Service"),
	corev1.SchemeGroupVersion.WithKind("ConfigMap"),
	corev1.SchemeGroupVersion.WithKind("PersistentVolumeClaim"),
	corev1.SchemeGroupVersion.WithKind("ServiceAccount"),
	batchv1.SchemeGroupVersion.WithKind("Job"),
	{Group: "autoscaling", Version: "v2", Kind: "HorizontalPodAutoscaler"},
	{Group: "policy", Version: "v1", Kind: "PodDisruptionBudget"},
	{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "Role"},
	{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "RoleBinding"},
	networkingv1.SchemeGroupVersion.WithKind("Ingress"),
}

var secretGVK = corev1.SchemeGroupVersion.WithKind("Secret")

// APIManagerReconciler installs and keeps the 3scale platform an APIManager describes: it gathers
// the inputs (Secrets, optional APIs, images), renders every object, applies those that changed
// with server-side apply, prunes those no longer wanted, and writes the status once.
type APIManagerReconciler struct {
	// Client reads APIManagers and owned objects from the cache and writes the status.
	Client client.Client
	// Scheme knows the APIManager and the built-in kinds.
	Scheme *runtime.Scheme
	// Recorder emits events on the APIManager.
	Recorder events.EventRecorder
	// Gatherer collects the renderer inputs; its Reader must be uncached.
	Gatherer *inputs.Gatherer
	// Applier writes and prunes.
	Applier *apply.Applier
	// APIs detects the optional APIs; the same detector as the Gatherer's.
	APIs *inputs.APIDetector
	// NotAvailableRequeue overrides DefaultNotAvailableRequeue when positive.
	NotAvailableRequeue time.Duration
	// Now returns the time for condition transitions; nil means time.Now.
	Now func() time.Time

	// watches adds watches for optional kinds served after start-up; set by SetupWithManager.
	watches *optionalWatches
}

// NewAPIManagerReconciler returns a reconciler wired to mgr: reads from its cache, Secrets from
// its APIReader, images from the RELATED_IMAGE_* variables of environ (os.Environ form).
func NewAPIManagerReconciler(mgr ctrl.Manager, environ []string) *APIManagerReconciler {
	apis := &inputs.APIDetector{Mapper: mgr.GetRESTMapper()}
	return &APIManagerReconciler{
		Client:   mgr.GetClient(),
		Scheme:   mgr.GetScheme(),
		Recorder: mgr.GetEventRecorder(APIManagerControllerName),
		Gatherer: &inputs.Gatherer{Reader: mgr.GetAPIReader(), Workloads: mgr.GetClient(), APIs: apis, ImageEnv: inputs.ImageEnv(environ)},
		Applier: &apply.Applier{
			Client: mgr.GetClient(),
			Cache:  mgr.GetCache(),
			Direct: mgr.GetAPIReader(),
			// Secret data is never cached: the operator must not hold every Secret of the
			// namespaces it watches in memory.
			Uncached: map[schema.GroupKind]bool{secretGVK.GroupKind(): true},
			Scheme:   mgr.GetScheme(),
			// An installation of the existing operator is taken over field by field.
			TakeOverManagers: apply.ExistingOperatorManagers,
		},
		APIs: apis,
	}
}

// SetupAPIManager registers the APIManager controller with the manager.
func SetupAPIManager(mgr ctrl.Manager) error {
	return NewAPIManagerReconciler(mgr, os.Environ()).SetupWithManager(mgr)
}

// SetupWithManager registers r with mgr. It watches APIManagers (spec and annotations), the objects
// they own (each kind of ownedKinds, and the optional kinds once the cluster serves them),
// Secrets as metadata only, mapped through secretNamesIndex to the APIManagers that use them, and
// the creation and deletion of APIManagers, mapped to the others of their namespace.
func (r *APIManagerReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if err := mgr.GetFieldIndexer().IndexField(context.Background(), &appsv1alpha1.APIManager{}, secretNamesIndex,
		func(o client.Object) []string {
			apim, ok := o.(*appsv1alpha1.APIManager)
			if !ok {
				return nil
			}
			return inputs.SecretNames(apim)
		}); err != nil {
		return fmt.Errorf("cannot index APIManagers by Secret: %w", err)
	}
	b := ctrl.NewControllerManagedBy(mgr).
		Named(APIManagerControllerName).
		// Status writes, this controller's own, do not wake it; annotations can change the
		// platform (apps.3scale.net/disable-async).
		For(&appsv1alpha1.APIManager{}, builder.WithPredicates(
			predicate.Or(predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		// A second APIManager in a namespace waits for the first to be deleted.
		Watches(&appsv1alpha1.APIManager{}, handler.EnqueueRequestsFromMapFunc(r.apiManagersBeside),
			builder.WithPredicates(createdOrDeleted)).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.apiManagersReading)).
		// Off OpenShift every Tenant of the namespace gets Ingresses for its portals; its status
		// changes once its tenant Secret (with the admin URL) is written.
		Watches(&capabilitiesv1alpha1.Tenant{}, handler.EnqueueRequestsFromMapFunc(r.apiManagersOfNamespace))
	for _, gvk := range ownedKinds {
		b = b.Owns(apply.NewObject(r.Scheme, gvk))
	}
	c, err := b.Build(r)
	if err != nil {
		return err
	}
	// The optional kinds are watched as soon as the cluster serves them: now, or when a reconcile
	// finds that their CRD has been installed since.
	r.watches = &optionalWatches{
		controller: c,
		source: func(gvk schema.GroupVersionKind) source.Source {
			return source.Kind[client.Object](mgr.GetCache(), apply.NewObject(r.Scheme, gvk),
				handler.EnqueueRequestForOwner(mgr.GetScheme(), mgr.GetRESTMapper(), &appsv1alpha1.APIManager{}, handler.OnlyControllerOwner()))
		},
	}
	apis, err := r.APIs.Detect()
	if err != nil {
		mgr.GetLogger().Error(err, "cannot discover the optional APIs yet; Routes and monitoring objects are watched once they are")
		return nil
	}
	return r.watches.ensure(apis.GVKs())
}

// optionalWatches adds, once per kind, the owner watch of an optional kind.
type optionalWatches struct {
	controller interface {
		Watch(source.TypedSource[reconcile.Request]) error
	}
	source func(schema.GroupVersionKind) source.Source

	mu      sync.Mutex
	watched map[schema.GroupVersionKind]bool
}

// ensure watches every kind of gvks not watched yet.
func (w *optionalWatches) ensure(gvks []schema.GroupVersionKind) error {
	if w == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, gvk := range gvks {
		if w.watched[gvk] {
			continue
		}
		if err := w.controller.Watch(w.source(gvk)); err != nil {
			return fmt.Errorf("cannot watch %s: %w", gvk.Kind, err)
		}
		if w.watched == nil {
			w.watched = map[schema.GroupVersionKind]bool{}
		}
		w.watched[gvk] = true
	}
	return nil
}

// apiManagersOfNamespace maps an object to every APIManager of its namespace.
func (r *APIManagerReconciler) apiManagersOfNamespace(ctx context.Context, obj client.Object) []reconcile.Request {
	var list appsv1alpha1.APIManagerList
	if err := r.Client.List(ctx, &list, client.InNamespace(obj.GetNamespace())); err != nil {
		log.FromContext(ctx).Error(err, "cannot list the APIManagers of a namespace", "namespace", obj.GetNamespace())
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(list.Items))
	for i := range list.Items {
		reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&list.Items[i])})
	}
	return reqs
}

// apiManagersReading maps a Secret to the APIManagers of its namespace that read or generate it.
func (r *APIManagerReconciler) apiManagersReading(ctx context.Context, secret client.Object) []reconcile.Request {
	var list appsv1alpha1.APIManagerList
	if err := r.Client.List(ctx, &list, client.InNamespace(secret.GetNamespace()),
		client.MatchingFields{secretNamesIndex: secret.GetName()}); err != nil {
		log.FromContext(ctx).Error(err, "cannot list the APIManagers reading a Secret", "secret", client.ObjectKeyFromObject(secret))
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(list.Items))
	for i := range list.Items {
		reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&list.Items[i])})
	}
	return reqs
}

// RBAC, in alphabetical order of group then resource. The operator grants zync-que's Role, so it
// holds every permission of that Role itself (Kubernetes forbids granting more than one has).
// +kubebuilder:rbac:groups=apps.3scale.net,resources=apimanagers,verbs=get;list;watch
// +kubebuilder:rbac:groups=apps.3scale.net,resources=apimanagers/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=apps,resources=deployments,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=apps,resources=replicasets,verbs=get;list
// +kubebuilder:rbac:groups=autoscaling,resources=horizontalpodautoscalers,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=tenants,verbs=get;list;watch
// +kubebuilder:rbac:groups=batch,resources=jobs,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups="",resources=configmaps;persistentvolumeclaims;secrets;serviceaccounts;services,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups="",resources=pods;replicationcontrollers,verbs=get;list
// +kubebuilder:rbac:groups=grafana.integreatly.org,resources=grafanadashboards,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=integreatly.org,resources=grafanadashboards,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=monitoring.coreos.com,resources=podmonitors;prometheusrules,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=networking.k8s.io,resources=ingresses,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=policy,resources=poddisruptionbudgets,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=roles;rolebindings,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=route.openshift.io,resources=routes,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=route.openshift.io,resources=routes/custom-host,verbs=create
// +kubebuilder:rbac:groups=route.openshift.io,resources=routes/status,verbs=get

// Reconcile brings the platform of one APIManager to its desired state and reports it. An
// APIManager in a namespace that an older one owns (namespaceOwner) is only given a status.
func (r *APIManagerReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	apim := &appsv1alpha1.APIManager{}
	if err := r.Client.Get(ctx, req.NamespacedName, apim); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !apim.DeletionTimestamp.IsZero() {
		// Owner references let the garbage collector remove the platform; data the retention
		// policy keeps carries none.
		return ctrl.Result{}, nil
	}
	before := apim.DeepCopy()
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}

	// Nothing is rendered for a second APIManager in a namespace: both would own the same names.
	// It is not requeued: apiManagersBeside wakes it when the owner is deleted.
	owner, err := r.duplicateOf(ctx, apim)
	if err != nil {
		return ctrl.Result{}, err
	}
	if owner != "" {
		apim.Status = duplicateStatus(before.Status, owner, apim.Generation, metav1.NewTime(now().Truncate(time.Second)))
		r.transitionEvents(before, apim)
		if !equality.Semantic.DeepEqual(before.Status, apim.Status) {
			if err := r.Client.Status().Patch(ctx, apim, client.MergeFrom(before)); err != nil {
				return ctrl.Result{}, fmt.Errorf("cannot update the status: %w", err)
			}
		}
		return ctrl.Result{}, nil
	}

	gathered, err := r.Gatherer.Gather(ctx, apim)
	if err != nil {
		return ctrl.Result{}, err
	}
	in := gathered.Inputs
	if err := r.watches.ensure(apisOf(in).GVKs()); err != nil {
		return ctrl.Result{}, err
	}
	rendered := render.All(in)
	missingSecrets := inputs.MissingSecrets(inputs.SecretReferences(rendered), in.Secrets)

	desired, err := r.prepare(apim, rendered, gathered.SecretVersions)
	if err != nil {
		// A renderer produced an object that cannot be converted: a bug, not worth a retry.
		return ctrl.Result{}, reconcile.TerminalError(err)
	}
	plan, err := r.planHooks(ctx, apim.Namespace, desired)
	if err != nil {
		return ctrl.Result{}, err
	}

	applyErr := r.applyAndPrune(ctx, apim, gathered, desired, plan)

	// Status.
	warnings := r.warnings(apim, in, plan, applyErr)
	facts, err := r.statusFacts(ctx, apim, in, rendered, plan)
	if err != nil {
		return ctrl.Result{}, errors.Join(applyErr, err)
	}
	facts.MissingSecrets = missingSecrets
	facts.Warnings = warnings
	facts.Succeeded = applyErr == nil
	apim.Status = computeStatus(before.Status, facts, metav1.NewTime(now().Truncate(time.Second)))
	r.transitionEvents(before, apim)
	if !equality.Semantic.DeepEqual(before.Status, apim.Status) {
		if err := r.Client.Status().Patch(ctx, apim, client.MergeFrom(before)); err != nil {
			return ctrl.Result{}, errors.Join(applyErr, fmt.Errorf("cannot update the status: %w", err))
		}
	}

	if applyErr != nil {
		// The Warning condition names the failure, with an event when it first appears.
		return ctrl.Result{}, applyErr
	}
	if len(plan.Replace) > 0 {
		// The replaced Jobs' deletion may not be seen by the watch (a Job the existing operator
		// made and this APIManager does not control); create their successors soon.
		return ctrl.Result{RequeueAfter: hookReplaceRequeue}, nil
	}
	if !meta.IsStatusConditionTrue(apim.Status.Conditions, appsv1alpha1.APIManagerAvailableConditionType) {
		after := r.NotAvailableRequeue
		if after <= 0 {
			after = DefaultNotAvailableRequeue
		}
		return ctrl.Result{RequeueAfter: after}, nil
	}
	return ctrl.Result{}, nil
}

// applyAndPrune applies every desired object that plan does not hold and deletes what the
// APIManager owns but no longer wants, with an event for each kind of change. It goes on after
// an error, so that one object that cannot be written does not block the others, and returns them
// all.
func (r *APIManagerReconciler) applyAndPrune(ctx context.Context, apim *appsv1alpha1.APIManager, gathered *inputs.Gathered,
	desired []*unstructured.Unstructured, plan hookPlan) error {
	var errs []error
	var replaced []string
	for _, name := range plan.Replace {
		job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Namespace: apim.Namespace, Name: name}}
		// Background: the Job goes at once, its pods after it; the new Job is created next pass.
		if err := r.Client.Delete(ctx, job, client.PropagationPolicy(metav1.DeletePropagationBackground)); client.IgnoreNotFound(err) != nil {
			errs = append(errs, fmt.Errorf("cannot replace Job %s: %w", name, err))
			continue
		}
		replaced = append(replaced, "Job/"+name)
	}
	if len(replaced) > 0 {
		log.FromContext(ctx).Info("replacing hook Jobs of a previous template", "jobs", replaced)
		r.event(apim, corev1.EventTypeNormal, "Replaced", "Delete", "deleted %s of a previous template; the new one runs next", summarize(replaced))
	}
	// The Secrets were read a moment ago; compare with that snapshot rather than reading again.
	applier := *r.Applier
	applier.Direct = gathered.SecretReader(r.Applier.Direct)
	keep := make(map[apply.Key]bool, len(desired))
	var changed []string
	for _, u := range desired {
		key := apply.KeyOf(u)
		keep[key] = true
		if plan.Hold[key] {
			continue
		}
		outcome, err := applier.Apply(ctx, u)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if outcome != apply.Unchanged {
			changed = append(changed, outcome.String()+" "+key.String())
		}
		if retained(u) {
			released, err := applier.ReleaseOwner(ctx, u, apim.UID)
			if err != nil {
				errs = append(errs, err)
			} else if released {
				changed = append(changed, "released "+key.String())
			}
		}
	}
	in := gathered.Inputs
	kinds := append(append([]schema.GroupVersionKind(nil), ownedKinds...), secretGVK)
	kinds = append(kinds, apisOf(in).GVKs()...)
	deleted, err := r.Applier.Prune(ctx, apim.Namespace, render.OwnedSelector(in), apim.UID, kinds, keep)
	if err != nil {
		errs = append(errs, err)
	}

	logger := log.FromContext(ctx)
	if len(changed) > 0 {
		logger.Info("applied", "objects", changed)
		r.event(apim, corev1.EventTypeNormal, "Applied", "Apply", "%s", summarize(changed))
	}
	if len(deleted) > 0 {
		names := make([]string, len(deleted))
		for i, k := range deleted {
			names[i] = k.String()
		}
		logger.Info("pruned", "objects", names)
		r.event(apim, corev1.EventTypeNormal, "Pruned", "Delete", "deleted %s", summarize(names))
	}
	return errors.Join(errs...)
}

// retained reports whether a prepared object is data the retention policy keeps: a claim or Secret
// applied without an owner.
func retained(u *unstructured.Unstructured) bool {
	return (u.GetKind() == "PersistentVolumeClaim" || u.GetKind() == "Secret") && len(u.GetOwnerReferences()) == 0
}

// apisOf returns the optional APIs the inputs were rendered with.
func apisOf(in *render.Inputs) inputs.APIs {
	return inputs.APIs{Routes: in.RoutesAvailable, PodMonitors: in.PodMonitorAvailable,
		PrometheusRules: in.PrometheusRuleAvailable, GrafanaDashboards: in.GrafanaDashboardAvailable,
		GrafanaDashboardsV4: in.GrafanaDashboardV4Available}
}

// prepare converts the rendered objects for apply. Every object gets the APIManager as controller
// owner, so deleting the APIManager deletes it, except the data the retention policy keeps:
// PersistentVolumeClaims and the generated Secrets (which hold the passwords of the data in those
// claims). Secrets that exist are applied with their resourceVersion as a precondition.
func (r *APIManagerReconciler) prepare(apim *appsv1alpha1.APIManager, objs []client.Object, versions map[string]string) ([]*unstructured.Unstructured, error) {
	owner := apply.ControllerReference(apim, appsv1alpha1.GroupVersion.String(), "APIManager")
	retain := apim.PVCRetentionPolicyOrDefault() == appsv1alpha1.PVCRetentionPolicyRetain
	out := make([]*unstructured.Unstructured, 0, len(objs))
	for _, o := range objs {
		ref := owner
		switch t := o.(type) {
		case *corev1.PersistentVolumeClaim:
			if retain {
				ref = nil
			}
		case *corev1.Secret:
			if retain {
				ref = nil
			}
			t.ResourceVersion = versions[t.Name]
		}
		u, err := apply.Prepare(o, ref)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// planHooks reads the live hook Jobs and system-app, and plans what waits for them.
func (r *APIManagerReconciler) planHooks(ctx context.Context, namespace string, desired []*unstructured.Unstructured) (hookPlan, error) {
	jobs := map[string]*batchv1.Job{}
	for _, u := range desired {
		if u.GetKind() != "Job" || u.GetAnnotations()[render.SystemAppHookAnnotation] == "" {
			continue
		}
		var j batchv1.Job
		err := r.getLive(ctx, client.ObjectKey{Namespace: namespace, Name: u.GetName()}, &j)
		switch {
		case err == nil:
			jobs[u.GetName()] = &j
		case !apierrors.IsNotFound(err):
			return hookPlan{}, fmt.Errorf("cannot read Job %s: %w", u.GetName(), err)
		}
	}
	app, err := r.deployment(ctx, namespace, render.SystemAppName)
	if err != nil {
		return hookPlan{}, err
	}
	return planHooks(desired, jobs, app), nil
}

// getLive reads an object from the cache and, when it is not there, from the API server: the cache
// holds only objects this operator labelled, not those of an installation it takes over.
func (r *APIManagerReconciler) getLive(ctx context.Context, key client.ObjectKey, obj client.Object) error {
	err := r.Client.Get(ctx, key, obj)
	if apierrors.IsNotFound(err) && r.Applier != nil && r.Applier.Direct != nil {
		err = r.Applier.Direct.Get(ctx, key, obj)
	}
	return err
}

// deployment reads a Deployment from the cache, nil when it does not exist.
func (r *APIManagerReconciler) deployment(ctx context.Context, namespace, name string) (*appsv1.Deployment, error) {
	var d appsv1.Deployment
	if err := r.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &d); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("cannot read Deployment %s: %w", name, err)
	}
	return &d, nil
}

// statusFacts reads, from the cache, what the status is computed from.
func (r *APIManagerReconciler) statusFacts(ctx context.Context, apim *appsv1alpha1.APIManager, in *render.Inputs,
	rendered []client.Object, plan hookPlan) (statusFacts, error) {
	f := statusFacts{Generation: apim.Generation, OwnerUID: apim.UID}
	var ingresses []string
	for _, o := range rendered {
		switch o.(type) {
		case *appsv1.Deployment:
			live, err := r.deployment(ctx, apim.Namespace, o.GetName())
			if err != nil {
				return f, err
			}
			fact := deploymentFact{Name: o.GetName(), Live: live}
			if o.GetName() == render.SystemAppName {
				fact.Waiting = plan.Waiting
			}
			f.Deployments = append(f.Deployments, fact)
		case *networkingv1.Ingress:
			ingresses = append(ingresses, o.GetName())
		}
	}
	f.Exposure = exposureFacts{Routes: in.RoutesAvailable, Ingresses: ingresses, LiveIngresses: map[string]*networkingv1.Ingress{}}
	if in.RoutesAvailable {
		f.Exposure.Hosts = []string{apim.MasterHost(), apim.AdminPortalHost(), apim.DeveloperPortalHost(),
			apim.BackendHost(), apim.ApicastStagingHost(), apim.ApicastProductionHost()}
		routes := &unstructured.UnstructuredList{}
		routes.SetGroupVersionKind(inputs.RouteGVK.GroupVersion().WithKind("RouteList"))
		// Routes of the namespace, whoever made them: zync-que creates most.
		if err := r.Applier.Cache.List(ctx, routes, client.InNamespace(apim.Namespace)); err != nil {
			return f, fmt.Errorf("cannot list Routes: %w", err)
		}
		f.Exposure.LiveRoutes = routes.Items
	}
	for _, name := range ingresses {
		var ing networkingv1.Ingress
		err := r.Client.Get(ctx, client.ObjectKey{Namespace: apim.Namespace, Name: name}, &ing)
		switch {
		case err == nil:
			f.Exposure.LiveIngresses[name] = &ing
		case !apierrors.IsNotFound(err):
			return f, fmt.Errorf("cannot read Ingress %s: %w", name, err)
		}
	}
	return f, nil
}

// warnings lists what deserves the Warning condition, most actionable first.
func (r *APIManagerReconciler) warnings(apim *appsv1alpha1.APIManager, in *render.Inputs, plan hookPlan, applyErr error) []warning {
	var ws []warning
	if applyErr != nil {
		ws = append(ws, warning{reasonApplyFailed, applyErr.Error()})
	}
	if plan.Failed != "" {
		ws = append(ws, warning{reasonHookFailed, plan.Failed})
	}
	for _, h := range render.DatabaseHolds(in) {
		ws = append(ws, warning{reasonDatabaseUpgradeHeld, h.Message()})
	}
	if missing := render.MissingMonitoringAPIs(in); len(missing) > 0 {
		ws = append(ws, warning{reasonMonitoringUnavailable,
			"monitoring is enabled but the cluster does not serve " + strings.Join(missing, ", ") + ": those objects are not created"})
	}
	for _, path := range apim.DeprecatedFieldsInUse() {
		ws = append(ws, warning{appsv1alpha1.APIManagerDeprecatedFieldReason, path + " is deprecated"})
	}
	return ws
}

// transitionEvents emits a Warning event when a condition worth one starts or changes: Secrets
// missing, monitoring CRDs absent, a hook Job failing, objects that cannot be applied, another
// APIManager owning the namespace. Repeating them on every reconcile would
// bury the other events.
func (r *APIManagerReconciler) transitionEvents(before, after *appsv1alpha1.APIManager) {
	changed := func(typ string) (*metav1.Condition, bool) {
		n := meta.FindStatusCondition(after.Status.Conditions, typ)
		o := meta.FindStatusCondition(before.Status.Conditions, typ)
		return n, n != nil && (o == nil || o.Status != n.Status || o.Message != n.Message)
	}
	if c, ok := changed(appsv1alpha1.APIManagerSecretsAvailableConditionType); ok && c.Status == metav1.ConditionFalse {
		r.event(after, corev1.EventTypeWarning, c.Reason, "Validate", "%s", c.Message)
	}
	if c, ok := changed(appsv1alpha1.APIManagerWarningConditionType); ok && c.Status == metav1.ConditionTrue {
		r.event(after, corev1.EventTypeWarning, c.Reason, "Validate", "%s", c.Message)
	}
	if c, ok := changed(appsv1alpha1.APIManagerAvailableConditionType); ok && c.Reason == reasonDuplicateAPIManager {
		r.event(after, corev1.EventTypeWarning, c.Reason, "Reconcile", "%s", c.Message)
	}
}

func (r *APIManagerReconciler) event(obj runtime.Object, eventType, reason, action, note string, args ...any) {
	if r.Recorder != nil {
		r.Recorder.Eventf(obj, nil, eventType, reason, action, note, args...)
	}
}

// summarize joins names for an event, at most ten of them: events are read by people.
func summarize(names []string) string {
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	if len(sorted) > 10 {
		return fmt.Sprintf("%s and %d more", strings.Join(sorted[:10], ", "), len(sorted)-10)
	}
	return strings.Join(sorted, ", ")
}
