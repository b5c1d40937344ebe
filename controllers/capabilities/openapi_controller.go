package capabilities

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/apimanager/apply"
	"github.com/threescale-oss/operator/pkg/document"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/openapi"
)

// OpenAPIControllerName names the OpenAPI controller in logs, metrics and events.
const OpenAPIControllerName = "openapi"

// OpenAPIFinalizer keeps an OpenAPI object until the Product and Backend it generated are gone.
// Their owner references would have the garbage collector delete them anyway, but in the
// background: the finalizer makes the OpenAPI object's deletion end only once their own
// finalizers have removed the entities from 3scale, so `kubectl delete openapi` (and a GitOps
// prune) waits for 3scale to be clean, and an environment without a garbage collector (envtest)
// behaves the same.
const OpenAPIFinalizer = "openapi.capabilities.3scale.net/finalizer"

// openAPISecretIndex indexes OpenAPI objects by the Secret their document is in ("ns/name").
const openAPISecretIndex = "capabilities.3scale.net/openapi-secret"

// Reasons of OpenAPI conditions, beside those of the API package.
const (
	reasonOpenAPIWaiting  = "WaitingForDocument"
	reasonOpenAPIConflict = "Conflict"
	reasonGeneratedFailed = "GeneratedObjectFailed"
	reasonOpenAPIApplied  = "Applied"
	reasonOpenAPIUnmapped = "Unmapped"
	reasonOpenAPIDeleting = "Deleting"
)

// OpenAPIDocuments loads the document an OpenAPI object references (document.Loader does).
type OpenAPIDocuments interface {
	Load(ctx context.Context, namespace string, ref capabilitiesv1beta1.OpenAPIRefSpec, field string) (document.Document, error)
}

// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=openapis,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=openapis/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=openapis/finalizers,verbs=update
// +kubebuilder:rbac:groups=capabilities.3scale.net,resources=products;backends,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch

// SetupOpenAPI registers the OpenAPI controller: it renders the Backend and the Product of an
// OpenAPI object's document and applies them, and the Backend and Product controllers do the
// 3scale work. It syncs an OpenAPI object when its spec or annotations change, when the Secret
// that holds its document changes, when a generated object changes (its status makes the
// OpenAPI's Ready), and, for a document at a URL, at the poll interval (a conditional request).
func SetupOpenAPI(mgr ctrl.Manager, opts Options) error {
	fetcher := opts.Documents
	if fetcher == nil {
		var err error
		if fetcher, err = document.NewFetcher(); err != nil {
			return fmt.Errorf("cannot make the OpenAPI document fetcher: %w", err)
		}
	}
	r := &OpenAPIReconciler{
		Client:    mgr.GetClient(),
		Documents: document.Loader{Secrets: secrets(mgr), Fetcher: fetcher},
		Applier:   &apply.Applier{Client: mgr.GetClient(), Cache: mgr.GetClient(), Direct: mgr.GetAPIReader(), Scheme: mgr.GetScheme()},
		Recorder:  mgr.GetEventRecorder(OpenAPIControllerName),
		Loop:      opts.Loop,
	}
	return r.SetupWithManager(mgr, opts.MaxConcurrentReconciles)
}

// OpenAPIReconciler renders and applies what OpenAPI objects generate.
type OpenAPIReconciler struct {
	// Client reads OpenAPI objects and the generated objects (cache) and writes them.
	Client client.Client
	// Documents loads the documents.
	Documents OpenAPIDocuments
	// Applier applies the generated objects with server-side apply, skipping unchanged ones.
	Applier *apply.Applier
	// Recorder records events; none when nil.
	Recorder events.EventRecorder
	// Loop gives the poll interval (URL documents) and the wait interval.
	Loop external.Options

	// imports remembers, per OpenAPI object, the last import: a document and generation seen
	// before is neither parsed nor imported again, and its unmapped notes are reported once.
	imports sync.Map // types.UID -> *lastImport
}

// lastImport is the import of one document hash under one generation of an OpenAPI object.
type lastImport struct {
	hash       string
	generation int64
	result     openapi.Result
	err        error
}

// SetupWithManager registers r with mgr.
func (r *OpenAPIReconciler) SetupWithManager(mgr ctrl.Manager, maxConcurrent int) error {
	if err := mgr.GetFieldIndexer().IndexField(context.Background(), &capabilitiesv1beta1.OpenAPI{}, openAPISecretIndex, func(o client.Object) []string {
		if key := openAPISecretKey(o.(*capabilitiesv1beta1.OpenAPI)); key != "" {
			return []string{key}
		}
		return nil
	}); err != nil {
		return err
	}
	if maxConcurrent <= 0 {
		maxConcurrent = external.DefaultMaxConcurrentReconciles
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named(OpenAPIControllerName).
		For(&capabilitiesv1beta1.OpenAPI{}, builder.WithPredicates(predicate.Or(
			predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}, deletionStarted()))).
		Owns(&capabilitiesv1beta1.Backend{}).
		Owns(&capabilitiesv1beta1.Product{}).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.openAPIsOfSecret)).
		WithOptions(controller.Options{MaxConcurrentReconciles: maxConcurrent}).
		Complete(r)
}

// deletionStarted lets through the update that marks an object deleted.
func deletionStarted() predicate.Predicate {
	return predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
		return e.ObjectOld != nil && e.ObjectNew != nil && e.ObjectOld.GetDeletionTimestamp().IsZero() && !e.ObjectNew.GetDeletionTimestamp().IsZero()
	}}
}

// openAPISecretKey is the Secret o's document is in, "namespace/name"; "" for a URL.
func openAPISecretKey(o *capabilitiesv1beta1.OpenAPI) string {
	ref := o.Spec.OpenAPIRef.SecretRef
	if ref == nil || ref.Name == "" {
		return ""
	}
	ns := ref.Namespace
	if ns == "" {
		ns = o.Namespace
	}
	return ns + "/" + ref.Name
}

// openAPIsOfSecret maps a Secret to the OpenAPI objects whose document it holds. A Secret event
// comes from a metadata-only watch: the data is read when the object syncs.
func (r *OpenAPIReconciler) openAPIsOfSecret(ctx context.Context, s client.Object) []reconcile.Request {
	var list capabilitiesv1beta1.OpenAPIList
	if err := r.Client.List(ctx, &list, client.MatchingFields{openAPISecretIndex: s.GetNamespace() + "/" + s.GetName()}); err != nil {
		log.FromContext(ctx).Error(err, "cannot list the OpenAPI objects of a Secret")
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(list.Items))
	for i := range list.Items {
		reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&list.Items[i])})
	}
	return reqs
}

// Reconcile brings the generated Backend and Product of one OpenAPI object in line with its
// document, and its status in line with theirs.
func (r *OpenAPIReconciler) Reconcile(ctx context.Context, req reconcile.Request) (ctrl.Result, error) {
	var o capabilitiesv1beta1.OpenAPI
	if err := r.Client.Get(ctx, req.NamespacedName, &o); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !o.DeletionTimestamp.IsZero() {
		return r.finalize(ctx, &o)
	}
	if !controllerutil.ContainsFinalizer(&o, OpenAPIFinalizer) {
		patch := client.MergeFrom(o.DeepCopy())
		controllerutil.AddFinalizer(&o, OpenAPIFinalizer)
		if err := r.Client.Patch(ctx, &o, patch); err != nil {
			return ctrl.Result{}, fmt.Errorf("cannot add the finalizer: %w", err)
		}
	}
	before := o.DeepCopy()
	result, err := r.sync(ctx, &o)
	if !equalStatus(&before.Status, &o.Status) {
		if perr := r.Client.Status().Patch(ctx, &o, client.MergeFrom(before)); perr != nil && !apierrors.IsNotFound(perr) {
			return ctrl.Result{}, errors.Join(err, fmt.Errorf("cannot write the status: %w", perr))
		}
	}
	return result, err
}

// sync loads, imports and applies, and sets o's status. The error returned goes back to the
// work queue (a transient failure); everything else is in the conditions.
func (r *OpenAPIReconciler) sync(ctx context.Context, o *capabilitiesv1beta1.OpenAPI) (ctrl.Result, error) {
	doc, err := r.Documents.Load(ctx, o.Namespace, o.Spec.OpenAPIRef, "spec.openapiRef")
	if err != nil {
		return r.loadFailed(o, err)
	}
	imp := r.importDocument(o, doc)
	if imp.err != nil {
		// What was generated from the last document that imported stays as it is: an edit that
		// breaks the document must not take the API down.
		msg := fmt.Sprintf("%s: %v (objects generated before are kept as they are)", doc.Source, imp.err)
		r.setConditions(o, metav1.ConditionFalse, capabilitiesv1beta1.OpenAPIInvalidDocumentReason, msg,
			metav1.ConditionTrue, capabilitiesv1beta1.OpenAPIInvalidDocumentReason, msg, metav1.ConditionFalse, "", "")
		return r.requeueForURL(o, ctrl.Result{}), nil
	}
	backend, product := openapi.Render(o, imp.result)
	owner := apply.ControllerReference(o, capabilitiesv1beta1.GroupVersion.String(), capabilitiesv1beta1.OpenAPIKind)
	objs := []client.Object{backend}
	if product != nil {
		objs = append(objs, product)
	}
	hashes := make([]string, len(objs))
	for i, obj := range objs {
		hash, err := r.applyOne(ctx, o, obj, owner)
		hashes[i] = hash
		if err != nil {
			var conflict *generatedConflict
			if errors.As(err, &conflict) {
				r.setConditions(o, metav1.ConditionFalse, reasonOpenAPIConflict, err.Error(),
					metav1.ConditionFalse, "", "", metav1.ConditionTrue, reasonOpenAPIConflict, err.Error())
				return ctrl.Result{RequeueAfter: r.pollInterval()}, nil
			}
			if apierrors.IsInvalid(err) {
				// The API server refuses what the document gives (its schema is stricter than the
				// import's checks in some corner): the document or the spec has to change.
				msg := fmt.Sprintf("%s: the generated %s is refused: %v", doc.Source, kindOf(obj), err)
				r.setConditions(o, metav1.ConditionFalse, capabilitiesv1beta1.OpenAPIInvalidDocumentReason, msg,
					metav1.ConditionTrue, capabilitiesv1beta1.OpenAPIInvalidDocumentReason, msg, metav1.ConditionFalse, "", "")
				return r.requeueForURL(o, ctrl.Result{}), nil
			}
			r.setConditions(o, metav1.ConditionFalse, capabilitiesv1beta1.OpenAPIWaitingReason, err.Error(),
				metav1.ConditionFalse, "", "", metav1.ConditionTrue, reasonGeneratedFailed, err.Error())
			return ctrl.Result{}, err
		}
	}
	if product == nil {
		// backendOnly: a Product generated before the mode changed goes.
		if err := r.deleteGenerated(ctx, o, &capabilitiesv1beta1.Product{}); err != nil && !errors.Is(err, errStillThere) {
			return ctrl.Result{}, err
		}
	}

	o.Status.BackendResourceNames = []corev1.LocalObjectReference{{Name: backend.Name}}
	o.Status.ProductResourceName = nil
	if product != nil {
		o.Status.ProductResourceName = &corev1.LocalObjectReference{Name: product.Name}
	}
	r.readiness(ctx, o, objs, hashes, imp.result.Unmapped)
	return r.requeueForURL(o, ctrl.Result{}), nil
}

// loadFailed reports a document that could not be loaded, as the loop would classify it.
func (r *OpenAPIReconciler) loadFailed(o *capabilitiesv1beta1.OpenAPI, err error) (ctrl.Result, error) {
	msg := err.Error()
	switch external.Classify(err) {
	case external.Invalid:
		r.setConditions(o, metav1.ConditionFalse, capabilitiesv1beta1.OpenAPIFetchErrorReason, msg,
			metav1.ConditionTrue, capabilitiesv1beta1.OpenAPIFetchErrorReason, msg, metav1.ConditionFalse, "", "")
		return ctrl.Result{}, nil
	case external.Rejected:
		r.setConditions(o, metav1.ConditionFalse, capabilitiesv1beta1.OpenAPIFetchErrorReason, msg,
			metav1.ConditionTrue, capabilitiesv1beta1.OpenAPIFetchErrorReason, msg, metav1.ConditionFalse, "", "")
		return ctrl.Result{RequeueAfter: r.pollInterval()}, nil
	case external.Waiting:
		reason := reasonOpenAPIWaiting
		var waiting *external.WaitingError
		if errors.As(err, &waiting) && waiting.Reason != "" {
			reason = waiting.Reason
		}
		r.setConditions(o, metav1.ConditionFalse, reason, msg,
			metav1.ConditionFalse, "", "", metav1.ConditionFalse, "", "")
		return ctrl.Result{RequeueAfter: r.waitInterval()}, nil
	}
	// A transient failure (the URL's server down, a timeout): the generated objects are unchanged
	// and still serve the last document, so a Ready object stays Ready; Failed says why the
	// document is not re-read, and the work queue retries with backoff.
	r.event(o, corev1.EventTypeWarning, capabilitiesv1beta1.OpenAPIFetchErrorReason, "Load", msg)
	if ready := meta.FindStatusCondition(o.Status.Conditions, capabilitiesv1beta1.OpenAPIReadyConditionType); ready != nil &&
		ready.Status == metav1.ConditionTrue && ready.ObservedGeneration == o.Generation {
		meta.SetStatusCondition(&o.Status.Conditions, metav1.Condition{Type: capabilitiesv1beta1.OpenAPIFailedConditionType,
			Status: metav1.ConditionTrue, Reason: capabilitiesv1beta1.OpenAPIFetchErrorReason, ObservedGeneration: o.Generation,
			Message: bounded(msg + " (the generated objects keep the last document read)")})
		return ctrl.Result{}, err
	}
	r.setConditions(o, metav1.ConditionFalse, capabilitiesv1beta1.OpenAPIFetchErrorReason, msg,
		metav1.ConditionFalse, "", "", metav1.ConditionTrue, capabilitiesv1beta1.OpenAPIFetchErrorReason, msg)
	return ctrl.Result{}, err
}

// importDocument parses and imports doc for o, or returns the import it made last time for the
// same document and generation. A new import with unmapped notes is reported in an event.
func (r *OpenAPIReconciler) importDocument(o *capabilitiesv1beta1.OpenAPI, doc document.Document) *lastImport {
	if v, ok := r.imports.Load(o.UID); ok {
		if last := v.(*lastImport); last.hash == doc.Hash && last.generation == o.Generation {
			return last
		}
	}
	imp := &lastImport{hash: doc.Hash, generation: o.Generation}
	parsed, err := openapi.Parse(doc.Content)
	if err == nil {
		imp.result, err = openapi.Import(parsed, o.Spec)
	}
	imp.err = err
	r.imports.Store(o.UID, imp)
	switch {
	case err != nil:
		r.event(o, corev1.EventTypeWarning, capabilitiesv1beta1.OpenAPIInvalidDocumentReason, "Import", fmt.Sprintf("%s: %v", doc.Source, err))
	case len(imp.result.Unmapped) > 0:
		r.event(o, corev1.EventTypeWarning, reasonOpenAPIUnmapped, "Import", "not mapped from the document: "+strings.Join(imp.result.Unmapped, "; "))
	}
	return imp
}

// applyOne applies obj unless an object of that name exists that o does not control: that one is
// someone else's, and is left alone.
//
// It returns the applied-hash annotation of what it applied: a live object without it is not
// (yet, in the cache) what was applied.
func (r *OpenAPIReconciler) applyOne(ctx context.Context, o *capabilitiesv1beta1.OpenAPI, obj client.Object, owner *metav1.OwnerReference) (string, error) {
	live := obj.DeepCopyObject().(client.Object)
	err := r.Client.Get(ctx, client.ObjectKeyFromObject(obj), live)
	switch {
	case apierrors.IsNotFound(err):
	case err != nil:
		return "", fmt.Errorf("cannot read %s %s: %w", kindOf(obj), obj.GetName(), err)
	case !controlledBy(live, o):
		return "", &generatedConflict{what: fmt.Sprintf("%s %s", kindOf(obj), obj.GetName()), holder: holderOf(live)}
	case !live.GetDeletionTimestamp().IsZero():
		// It goes (the mode changed back and forth); it is made again once gone.
		return "", fmt.Errorf("%s %s is being deleted; it is generated again once gone", kindOf(obj), obj.GetName())
	}
	u, err := apply.Prepare(obj, owner)
	if err != nil {
		return "", err
	}
	hash := u.GetAnnotations()[apply.AppliedHashAnnotation]
	outcome, err := r.Applier.Apply(ctx, u)
	if err != nil {
		return "", err
	}
	if outcome != apply.Unchanged {
		r.event(o, corev1.EventTypeNormal, reasonOpenAPIApplied, "Apply", fmt.Sprintf("%s %s %s from the document", kindOf(obj), obj.GetName(), outcome))
	}
	return hash, nil
}

// readiness sets the conditions from the generated objects: Ready when each is synced with
// 3scale for its current generation, and is what was applied (its applied hash: the cache may
// not show the last apply yet); Failed when one is Invalid or Failed.
func (r *OpenAPIReconciler) readiness(ctx context.Context, o *capabilitiesv1beta1.OpenAPI, objs []client.Object, hashes []string, unmapped []string) {
	notes := ""
	if len(unmapped) > 0 {
		notes = "; not mapped from the document: " + strings.Join(unmapped, "; ")
	}
	var names []string
	// The Backend comes first: a Product waits for its Backend, so the message names the cause.
	for i, obj := range objs {
		name := kindOf(obj) + " " + obj.GetName()
		names = append(names, name)
		conds, current, host := r.generatedStatus(ctx, obj, hashes[i])
		if host != "" {
			o.Status.ProviderAccountHost = host
		}
		synced := meta.FindStatusCondition(conds, "Synced")
		switch {
		case current && synced != nil && synced.Status == metav1.ConditionTrue:
			continue
		case current && failedOrInvalid(conds) != nil:
			c := failedOrInvalid(conds)
			msg := fmt.Sprintf("%s is %s: %s", name, c.Type, c.Message)
			r.setConditions(o, metav1.ConditionFalse, capabilitiesv1beta1.OpenAPIWaitingReason, msg,
				metav1.ConditionFalse, "", "", metav1.ConditionTrue, reasonGeneratedFailed, msg)
			return
		default:
			msg := name + " is not synced yet"
			if synced != nil && synced.Message != "" && current {
				msg += ": " + synced.Message
			}
			r.setConditions(o, metav1.ConditionFalse, capabilitiesv1beta1.OpenAPIWaitingReason, msg,
				metav1.ConditionFalse, "", "", metav1.ConditionFalse, "", "")
			return
		}
	}
	r.setConditions(o, metav1.ConditionTrue, capabilitiesv1beta1.OpenAPIReadyReason, strings.Join(names, " and ")+" synced"+notes,
		metav1.ConditionFalse, "", "", metav1.ConditionFalse, "", "")
}

// generatedStatus reads a generated object from the cache: its conditions, whether they describe
// what was applied (the applied hash matches and they are for its current generation), and its
// tenant's admin URL.
func (r *OpenAPIReconciler) generatedStatus(ctx context.Context, obj client.Object, hash string) (conds []metav1.Condition, current bool, host string) {
	live := obj.DeepCopyObject().(client.Object)
	if err := r.Client.Get(ctx, client.ObjectKeyFromObject(obj), live); err != nil {
		return nil, false, ""
	}
	var observed int64
	switch l := live.(type) {
	case *capabilitiesv1beta1.Product:
		conds, observed, host = l.Status.Conditions, l.Status.ObservedGeneration, l.Status.ProviderAccountHost
	case *capabilitiesv1beta1.Backend:
		conds, observed, host = l.Status.Conditions, l.Status.ObservedGeneration, l.Status.ProviderAccountHost
	}
	current = observed == live.GetGeneration() && live.GetAnnotations()[apply.AppliedHashAnnotation] == hash
	return conds, current, host
}

func failedOrInvalid(conds []metav1.Condition) *metav1.Condition {
	for _, t := range []string{"Invalid", "Failed"} {
		if c := meta.FindStatusCondition(conds, t); c != nil && c.Status == metav1.ConditionTrue {
			return c
		}
	}
	return nil
}

// finalize deletes the generated objects and releases o once they are gone: their own
// finalizers remove the 3scale entities first (or keep them, as the deletion-policy annotation
// they carry says).
func (r *OpenAPIReconciler) finalize(ctx context.Context, o *capabilitiesv1beta1.OpenAPI) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(o, OpenAPIFinalizer) {
		return ctrl.Result{}, nil
	}
	r.imports.Delete(o.UID)
	var remaining []string
	for _, obj := range []client.Object{&capabilitiesv1beta1.Product{}, &capabilitiesv1beta1.Backend{}} {
		err := r.deleteGenerated(ctx, o, obj)
		switch {
		case errors.Is(err, errStillThere):
			remaining = append(remaining, kindOf(obj)+" "+obj.GetName()+waitingFor(obj))
		case err != nil:
			return ctrl.Result{}, err
		}
	}
	if len(remaining) > 0 {
		before := o.DeepCopy()
		r.setConditions(o, metav1.ConditionFalse, reasonOpenAPIDeleting, "waiting for the generated objects to be deleted, their finalizers cleaning 3scale up: "+strings.Join(remaining, "; "),
			metav1.ConditionFalse, "", "", metav1.ConditionFalse, "", "")
		if !equalStatus(&before.Status, &o.Status) {
			_ = r.Client.Status().Patch(ctx, o, client.MergeFrom(before))
		}
		// The Owns watches bring o back when they go; the delay is a safety net.
		return ctrl.Result{RequeueAfter: r.waitInterval()}, nil
	}
	patch := client.MergeFrom(o.DeepCopy())
	controllerutil.RemoveFinalizer(o, OpenAPIFinalizer)
	return ctrl.Result{}, client.IgnoreNotFound(r.Client.Patch(ctx, o, patch))
}

var errStillThere = errors.New("still there")

// waitingFor says why a generated object being deleted is still there, from its Synced condition
// (a Backend waits for the Products that use it, e.g. in backendOnly mode).
func waitingFor(obj client.Object) string {
	var conds []metav1.Condition
	switch l := obj.(type) {
	case *capabilitiesv1beta1.Product:
		conds = l.Status.Conditions
	case *capabilitiesv1beta1.Backend:
		conds = l.Status.Conditions
	}
	if c := meta.FindStatusCondition(conds, "Synced"); c != nil && c.Status != metav1.ConditionTrue && c.Message != "" {
		return " (" + c.Message + ")"
	}
	return ""
}

// deleteGenerated deletes the object of obj's kind that o generated, if o controls it; it
// returns errStillThere while the object exists.
func (r *OpenAPIReconciler) deleteGenerated(ctx context.Context, o *capabilitiesv1beta1.OpenAPI, obj client.Object) error {
	err := r.Client.Get(ctx, types.NamespacedName{Namespace: o.Namespace, Name: o.GeneratedName()}, obj)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if !controlledBy(obj, o) {
		return nil // not ours: never deleted
	}
	if obj.GetDeletionTimestamp().IsZero() {
		if err := r.Client.Delete(ctx, obj); client.IgnoreNotFound(err) != nil {
			return fmt.Errorf("cannot delete %s %s: %w", kindOf(obj), obj.GetName(), err)
		}
		r.event(o, corev1.EventTypeNormal, reasonOpenAPIDeleting, "Delete", fmt.Sprintf("deleting %s %s", kindOf(obj), obj.GetName()))
	}
	return errStillThere
}

// setConditions sets Ready, Invalid and Failed (an empty reason is the usual one of a False
// condition) for o's generation, and observedGeneration.
func (r *OpenAPIReconciler) setConditions(o *capabilitiesv1beta1.OpenAPI,
	ready metav1.ConditionStatus, readyReason, readyMsg string,
	invalid metav1.ConditionStatus, invalidReason, invalidMsg string,
	failed metav1.ConditionStatus, failedReason, failedMsg string) {
	// The reasons of False Invalid and Failed are the capability loop's, so every kind reads alike.
	defaults := map[string]string{
		capabilitiesv1beta1.OpenAPIReadyConditionType:   capabilitiesv1beta1.OpenAPIWaitingReason,
		capabilitiesv1beta1.OpenAPIInvalidConditionType: external.ReasonValidSpec,
		capabilitiesv1beta1.OpenAPIFailedConditionType:  external.ReasonNoError,
	}
	set := func(t string, s metav1.ConditionStatus, reason, msg string) {
		if reason == "" {
			reason = defaults[t]
		}
		meta.SetStatusCondition(&o.Status.Conditions, metav1.Condition{
			Type: t, Status: s, Reason: reason, Message: bounded(msg), ObservedGeneration: o.Generation,
		})
	}
	set(capabilitiesv1beta1.OpenAPIReadyConditionType, ready, readyReason, readyMsg)
	set(capabilitiesv1beta1.OpenAPIInvalidConditionType, invalid, invalidReason, invalidMsg)
	set(capabilitiesv1beta1.OpenAPIFailedConditionType, failed, failedReason, failedMsg)
	o.Status.ObservedGeneration = o.Generation
}

// bounded keeps a condition message within the API's 32 kB.
func bounded(msg string) string {
	const limit = 4096
	if len(msg) <= limit {
		return msg
	}
	return msg[:limit-3] + "..."
}

// requeueForURL adds the poll interval for a document at a URL: nothing watches a URL, and a
// conditional request makes an unchanged document cost a 304.
func (r *OpenAPIReconciler) requeueForURL(o *capabilitiesv1beta1.OpenAPI, res ctrl.Result) ctrl.Result {
	if o.Spec.OpenAPIRef.URL != nil && res.RequeueAfter == 0 {
		res.RequeueAfter = r.pollInterval()
	}
	return res
}

func (r *OpenAPIReconciler) pollInterval() time.Duration {
	d := r.Loop.PollInterval
	if d <= 0 {
		d = external.DefaultPollInterval
	}
	return d + rand.N(d/10+1) //nolint:gosec // jitter, not a secret
}

func (r *OpenAPIReconciler) waitInterval() time.Duration {
	if r.Loop.WaitInterval > 0 {
		return r.Loop.WaitInterval
	}
	return external.DefaultWaitInterval
}

func (r *OpenAPIReconciler) event(o *capabilitiesv1beta1.OpenAPI, eventType, reason, action, note string) {
	if r.Recorder == nil {
		return
	}
	if len(note) > 1000 {
		note = note[:997] + "..."
	}
	r.Recorder.Eventf(o, nil, eventType, reason, action, "%s", note)
}

// controlledBy tells whether o is obj's controller.
func controlledBy(obj client.Object, o *capabilitiesv1beta1.OpenAPI) bool {
	ref := metav1.GetControllerOf(obj)
	return ref != nil && ref.UID == o.UID
}

// generatedConflict is an object of the generated name that this OpenAPI object does not
// control: someone else's, never written or deleted.
type generatedConflict struct{ what, holder string }

func (e *generatedConflict) Error() string {
	return fmt.Sprintf("%s exists and belongs to %s, not to this OpenAPI object: it is left alone; rename this object or delete that one", e.what, e.holder)
}

// holderOf names who controls obj, for a conflict message.
func holderOf(obj client.Object) string {
	if ref := metav1.GetControllerOf(obj); ref != nil {
		return fmt.Sprintf("%s %s/%s", ref.Kind, obj.GetNamespace(), ref.Name)
	}
	return "no controller (written by a user)"
}

func kindOf(obj client.Object) string {
	switch obj.(type) {
	case *capabilitiesv1beta1.Product:
		return capabilitiesv1beta1.ProductKind
	case *capabilitiesv1beta1.Backend:
		return capabilitiesv1beta1.BackendKind
	}
	return fmt.Sprintf("%T", obj)
}

// equalStatus compares statuses without the conditions' transition times, which SetStatusCondition
// keeps when the status does not change.
func equalStatus(a, b *capabilitiesv1beta1.OpenAPIStatus) bool {
	if a.ProviderAccountHost != b.ProviderAccountHost || a.ObservedGeneration != b.ObservedGeneration ||
		!slices.Equal(a.BackendResourceNames, b.BackendResourceNames) ||
		(a.ProductResourceName == nil) != (b.ProductResourceName == nil) ||
		(a.ProductResourceName != nil && *a.ProductResourceName != *b.ProductResourceName) ||
		len(a.Conditions) != len(b.Conditions) {
		return false
	}
	for i := range a.Conditions {
		x, y := a.Conditions[i], b.Conditions[i]
		if x.Type != y.Type || x.Status != y.Status || x.Reason != y.Reason || x.Message != y.Message || x.ObservedGeneration != y.ObservedGeneration {
			return false
		}
	}
	return true
}
