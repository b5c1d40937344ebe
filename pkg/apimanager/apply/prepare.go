package apply

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// FieldOwner is the server-side apply field manager of every object the operator applies. It is
// the value of the app.kubernetes.io/managed-by label too, so managedFields and labels agree.
const FieldOwner = "threescale-operator"

// AppliedHashAnnotation holds a hash of the object as the operator last applied it. Comparing it
// with the hash of the desired object tells whether anything the operator sets changed, including
// a field it stopped setting (see UpToDate).
const AppliedHashAnnotation = "apimanager.apps.3scale.net/applied-hash"

// Prepare turns a rendered object into what is sent to the API server with server-side apply:
// unstructured content without status, without null values (the converter writes null for unset
// structs such as creationTimestamp; an explicit null would claim those fields), with owner as its
// controller owner reference when owner is not nil, and with AppliedHashAnnotation.
//
// The hash covers everything sent except metadata.resourceVersion, which a caller may set as a
// precondition (Secrets whose values were read) and which changes on every write.
// The object must have its apiVersion and kind set, as the renderers do.
func Prepare(obj client.Object, owner *metav1.OwnerReference) (*unstructured.Unstructured, error) {
	if obj == nil {
		return nil, fmt.Errorf("cannot prepare a nil object")
	}
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, fmt.Errorf("cannot convert %T %s to unstructured: %w", obj, obj.GetName(), err)
	}
	u := &unstructured.Unstructured{Object: content}
	if u.GetAPIVersion() == "" || u.GetKind() == "" {
		return nil, fmt.Errorf("%T %s has no apiVersion or kind", obj, obj.GetName())
	}
	delete(u.Object, "status")
	u.Object = dropNulls(u.Object)
	if owner != nil {
		u.SetOwnerReferences([]metav1.OwnerReference{*owner})
	}

	rv := u.GetResourceVersion()
	u.SetResourceVersion("")
	annotations := u.GetAnnotations()
	delete(annotations, AppliedHashAnnotation)
	if len(annotations) == 0 {
		annotations = nil // an empty map would hash differently from none
	}
	u.SetAnnotations(annotations)
	sum, err := hashOf(u.Object)
	if err != nil {
		return nil, err
	}
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[AppliedHashAnnotation] = sum
	u.SetAnnotations(annotations)
	u.SetResourceVersion(rv)
	return u, nil
}

// hashOf returns a hex SHA-256 of the JSON encoding of content; encoding/json writes map keys in
// sorted order, so equal content gives equal hashes.
func hashOf(content map[string]any) (string, error) {
	b, err := json.Marshal(content)
	if err != nil {
		return "", fmt.Errorf("cannot hash the object: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// dropNulls returns m without its null values, recursively through maps and lists.
func dropNulls(m map[string]any) map[string]any {
	for k, v := range m {
		switch t := v.(type) {
		case nil:
			delete(m, k)
		case map[string]any:
			m[k] = dropNulls(t)
		case []any:
			for i, e := range t {
				if em, ok := e.(map[string]any); ok {
					t[i] = dropNulls(em)
				}
			}
		}
	}
	return m
}

// ControllerReference returns the controller owner reference that makes owner's deletion delete
// the object (with blockOwnerDeletion, as controllerutil.SetControllerReference sets it).
// apiVersion and kind are owner's: typed objects read from a client have an empty TypeMeta.
func ControllerReference(owner metav1.Object, apiVersion, kind string) *metav1.OwnerReference {
	yes := true
	return &metav1.OwnerReference{
		APIVersion:         apiVersion,
		Kind:               kind,
		Name:               owner.GetName(),
		UID:                owner.GetUID(),
		Controller:         &yes,
		BlockOwnerDeletion: &yes,
	}
}
