package promote

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/external"
)

// ProductIndex indexes ProxyConfigPromotes by spec.productCRName, so that a Product change
// wakes the promotions that wait for it.
const ProductIndex = "spec.productCRName"

// ProductName returns the Product a ProxyConfigPromote promotes, for ProductIndex.
func ProductName(p *capabilitiesv1beta1.ProxyConfigPromote) []string {
	return []string{p.Spec.ProductCRName}
}

// Reconciler promotes the configuration of the Product a ProxyConfigPromote names, once. It
// keeps no state: everything it needs is in the object's status and in 3scale's versions.
type Reconciler struct {
	Client   client.Client
	Tenants  external.Tenants
	Recorder events.EventRecorder
}

// Reconcile promotes, or waits for the Product (a watch brings the object back when the Product
// changes), or says why it cannot. A promotion that succeeded is never repeated.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var pcp capabilitiesv1beta1.ProxyConfigPromote
	if err := r.Client.Get(ctx, req.NamespacedName, &pcp); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !pcp.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil
	}
	before := pcp.DeepCopy()
	if done := meta.FindStatusCondition(pcp.Status.Conditions, capabilitiesv1beta1.ProxyConfigPromoteReadyConditionType); done != nil && done.Status == metav1.ConditionTrue {
		return r.finished(ctx, &pcp, before, done)
	}

	res, err := r.promote(ctx, &pcp)
	var result ctrl.Result
	switch {
	case err == nil:
		r.event(&pcp, corev1.EventTypeNormal, capabilitiesv1beta1.ProxyConfigPromotePromotedReason, res.Message(pcp.Spec.Production != nil && *pcp.Spec.Production))
	case isNotReady(err):
		setConditions(&pcp, metav1.ConditionFalse, capabilitiesv1beta1.ProxyConfigPromoteProductNotReadyReason, err.Error(), false)
	default:
		reason, retry := capabilitiesv1beta1.ProxyConfigPromoteRemoteErrorReason, true
		switch external.Classify(err) {
		case external.Unauthorized:
			reason = capabilitiesv1beta1.ProxyConfigPromoteUnauthorizedReason
		case external.Rejected, external.Invalid:
			// 3scale refused the promotion itself: retrying the same call soon will not help,
			// but a change to the product may; try again at a calm pace.
			retry, result.RequeueAfter = false, time.Minute
		}
		setConditions(&pcp, metav1.ConditionFalse, reason, err.Error(), true)
		r.event(&pcp, corev1.EventTypeWarning, "PromotionFailed", err.Error())
		if retry {
			if werr := r.writeStatus(ctx, &pcp, before); werr != nil {
				return ctrl.Result{}, werr
			}
			return ctrl.Result{}, err
		}
	}
	if err := r.writeStatus(ctx, &pcp, before); err != nil {
		return ctrl.Result{}, err
	}
	if err == nil && pcp.Spec.DeleteCR != nil && *pcp.Spec.DeleteCR {
		return ctrl.Result{}, client.IgnoreNotFound(r.Client.Delete(ctx, &pcp))
	}
	return result, nil
}

// finished handles an object whose promotion succeeded: it acts once, so a later spec change
// is only acknowledged; deleteCR is honoured (again, in case the deletion was interrupted).
func (r *Reconciler) finished(ctx context.Context, pcp, before *capabilitiesv1beta1.ProxyConfigPromote, done *metav1.Condition) (ctrl.Result, error) {
	if pcp.Spec.DeleteCR != nil && *pcp.Spec.DeleteCR {
		return ctrl.Result{}, client.IgnoreNotFound(r.Client.Delete(ctx, pcp))
	}
	if pcp.Status.ObservedGeneration == pcp.Generation {
		return ctrl.Result{}, nil
	}
	promoted, _, _ := strings.Cut(done.Message, actsOnce)
	msg := fmt.Sprintf("%s%s, so the spec of generation %d is not applied: create a new ProxyConfigPromote to promote again", promoted, actsOnce, pcp.Generation)
	pcp.Status.ObservedGeneration = pcp.Generation
	meta.SetStatusCondition(&pcp.Status.Conditions, metav1.Condition{Type: capabilitiesv1beta1.ProxyConfigPromoteReadyConditionType,
		Status: metav1.ConditionTrue, Reason: capabilitiesv1beta1.ProxyConfigPromotePromotedReason, Message: msg, ObservedGeneration: pcp.Generation})
	return ctrl.Result{}, r.writeStatus(ctx, pcp, before)
}

// actsOnce starts the note a Ready condition gets when the spec changes after the promotion.
const actsOnce = "; a ProxyConfigPromote acts once"

// notReadyError says the Product cannot be promoted yet.
type notReadyError struct{ msg string }

func (e *notReadyError) Error() string { return e.msg }

func isNotReady(err error) bool {
	_, ok := err.(*notReadyError)
	return ok
}

// promote promotes the Product's configuration and records the outcome in pcp's status.
func (r *Reconciler) promote(ctx context.Context, pcp *capabilitiesv1beta1.ProxyConfigPromote) (Result, error) {
	var product capabilitiesv1beta1.Product
	err := r.Client.Get(ctx, client.ObjectKey{Namespace: pcp.Namespace, Name: pcp.Spec.ProductCRName}, &product)
	if apierrors.IsNotFound(err) {
		return Result{}, &notReadyError{fmt.Sprintf("waiting for Product %q, which does not exist in this namespace", pcp.Spec.ProductCRName)}
	}
	if err != nil {
		return Result{}, err
	}
	if msg, ok := Promotable(&product); !ok {
		return Result{}, &notReadyError{msg}
	}
	creds, err := r.Tenants.Resolver.Resolve(ctx, product.Namespace, product.Spec.ProviderAccountRef)
	if err != nil {
		return Result{}, err
	}
	creds.InsecureSkipVerify = product.GetAnnotations()[external.InsecureSkipVerifyAnnotation] == "true"
	c, err := r.Tenants.Clients.For(creds)
	if err != nil {
		return Result{}, err
	}
	if !external.SyncedTo(product.Status.ProviderAccountHost, c.AdminURL()) {
		return Result{}, &notReadyError{fmt.Sprintf("waiting for Product %q to be synced to its tenant %s", product.Name, c.AdminURL())}
	}
	id := *product.Status.ID
	production := pcp.Spec.Production != nil && *pcp.Spec.Production
	res, err := Promote(ctx, c, id, production)
	if err != nil {
		return res, external.ExplainCredentials(err, creds.Token)
	}
	pcp.Status.ProductID = strconv.FormatInt(id, 10)
	pcp.Status.LatestStagingVersion = res.After.Staging
	pcp.Status.LatestProductionVersion = res.After.Production
	setConditions(pcp, metav1.ConditionTrue, capabilitiesv1beta1.ProxyConfigPromotePromotedReason, res.Message(production), false)
	return res, nil
}

// Promotable tells whether product's configuration may be promoted now: it is synced for its
// current spec, or its sync waits only for a promotion (a method the deployed configuration
// uses cannot be deleted before one). Otherwise the message says what is awaited.
func Promotable(product *capabilitiesv1beta1.Product) (string, bool) {
	if product.Status.ID == nil {
		return fmt.Sprintf("waiting for Product %q to be created in 3scale", product.Name), false
	}
	synced := meta.FindStatusCondition(product.Status.Conditions, external.TypeSynced)
	switch {
	case synced == nil || synced.ObservedGeneration != product.Generation:
		return fmt.Sprintf("waiting for Product %q to sync its current spec", product.Name), false
	case synced.Status == metav1.ConditionTrue, synced.Reason == ReasonAwaitingPromotion:
		return "", true
	}
	return fmt.Sprintf("waiting for Product %q to be Synced (%s: %s)", product.Name, synced.Reason, synced.Message), false
}

// ReasonAwaitingPromotion is the reason of a Product whose sync waits for its configuration to
// be promoted: 3scale refuses to delete a metric or method the latest deployed configuration
// uses.
const ReasonAwaitingPromotion = "AwaitingPromotion"

// setConditions sets Ready, Invalid (never: a promotion has no invalid spec) and Failed.
func setConditions(pcp *capabilitiesv1beta1.ProxyConfigPromote, ready metav1.ConditionStatus, reason, msg string, failed bool) {
	gen := pcp.Generation
	pcp.Status.ObservedGeneration = gen
	set := func(t string, s metav1.ConditionStatus, reason, msg string) {
		meta.SetStatusCondition(&pcp.Status.Conditions, metav1.Condition{Type: t, Status: s, Reason: reason, Message: msg, ObservedGeneration: gen})
	}
	set(capabilitiesv1beta1.ProxyConfigPromoteReadyConditionType, ready, reason, msg)
	set(capabilitiesv1beta1.ProxyConfigPromoteInvalidConditionType, metav1.ConditionFalse, external.ReasonValidSpec, "")
	if failed {
		set(capabilitiesv1beta1.ProxyConfigPromoteFailedConditionType, metav1.ConditionTrue, reason, msg)
	} else {
		set(capabilitiesv1beta1.ProxyConfigPromoteFailedConditionType, metav1.ConditionFalse, external.ReasonNoError, "")
	}
}

// writeStatus patches the status when it changed.
func (r *Reconciler) writeStatus(ctx context.Context, pcp, before *capabilitiesv1beta1.ProxyConfigPromote) error {
	patch := client.MergeFrom(before)
	data, err := patch.Data(pcp)
	if err != nil || string(data) == "{}" {
		return err
	}
	if err := r.Client.Status().Patch(ctx, pcp, patch); err != nil {
		return client.IgnoreNotFound(err)
	}
	return nil
}

func (r *Reconciler) event(pcp *capabilitiesv1beta1.ProxyConfigPromote, eventType, reason, note string) {
	if r.Recorder == nil {
		return
	}
	r.Recorder.Eventf(pcp, nil, eventType, reason, "Promote", "%s", note)
	log.Log.V(1).Info("promotion", "object", client.ObjectKeyFromObject(pcp), "reason", reason)
}
