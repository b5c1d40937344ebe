package dryrun

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/tenant"
)

// Decode reads the objects of YAML or JSON manifests (several documents each), placing those
// without a namespace in namespace. Objects of kinds the scheme does not know (a Secret is known)
// are an error naming the document.
func Decode(scheme *runtime.Scheme, namespace string, manifests ...io.Reader) ([]client.Object, error) {
	decoder := serializer.NewCodecFactory(scheme).UniversalDeserializer()
	var objs []client.Object
	for i, m := range manifests {
		docs := utilyaml.NewYAMLOrJSONDecoder(m, 4096)
		for n := 1; ; n++ {
			var raw runtime.RawExtension
			err := docs.Decode(&raw)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("manifest %d, document %d: %w", i+1, n, err)
			}
			if len(bytes.TrimSpace(raw.Raw)) == 0 || string(bytes.TrimSpace(raw.Raw)) == "null" {
				continue
			}
			o, _, err := decoder.Decode(raw.Raw, nil, nil)
			if err != nil {
				return nil, fmt.Errorf("manifest %d, document %d: %w", i+1, n, err)
			}
			obj, ok := o.(client.Object)
			if !ok {
				return nil, fmt.Errorf("manifest %d, document %d: %T is no object", i+1, n, o)
			}
			if obj.GetNamespace() == "" {
				obj.SetNamespace(namespace)
			}
			if secret, ok := obj.(*corev1.Secret); ok {
				foldStringData(secret)
			}
			objs = append(objs, obj)
		}
	}
	return objs, nil
}

// foldStringData moves a Secret's stringData into its data, as the API server does on write
// (stringData wins), so that what reads the Secret sees its values.
func foldStringData(s *corev1.Secret) {
	if len(s.StringData) == 0 {
		return
	}
	if s.Data == nil {
		s.Data = map[string][]byte{}
	}
	for k, v := range s.StringData {
		s.Data[k] = []byte(v)
	}
	s.StringData = nil
}

// FileClient returns an in-memory client holding objs, as they would be in a cluster, and the
// tenant Secrets they reference (the default provider-account Secret and every
// spec.providerAccountRef), each with adminURL and token: the plan of manifests that are not
// applied yet runs against the tenant the user names.
func FileClient(scheme *runtime.Scheme, objs []client.Object, adminURL, token string) client.Client {
	secrets := map[client.ObjectKey]bool{}
	addSecret := func(namespace, name string) {
		secrets[client.ObjectKey{Namespace: namespace, Name: name}] = true
	}
	given := map[client.ObjectKey]bool{}
	statusOf := []client.Object{}
	for _, o := range objs {
		if _, isSecret := o.(*corev1.Secret); isSecret {
			given[client.ObjectKeyFromObject(o)] = true
			continue
		}
		addSecret(o.GetNamespace(), tenant.DefaultSecretName)
		if ref := providerAccountRef(o); ref != "" {
			addSecret(o.GetNamespace(), ref)
		}
		statusOf = append(statusOf, o)
	}
	b := fake.NewClientBuilder().WithScheme(scheme).WithStatusSubresource(statusOf...)
	for key := range secrets {
		if given[key] {
			continue // the manifests hold it
		}
		b = b.WithObjects(&corev1.Secret{
			ObjectMeta: metaOf(key),
			Data:       map[string][]byte{tenant.AdminURLKey: []byte(adminURL), tenant.TokenKey: []byte(token)},
		})
	}
	for _, o := range objs {
		b = b.WithObjects(o)
	}
	return b.Build()
}

// providerAccountRef returns the providerAccountRef name of the capability objects that have one.
func providerAccountRef(o client.Object) string {
	var ref *corev1.LocalObjectReference
	switch v := o.(type) {
	case *capabilitiesv1beta1.Backend:
		ref = v.Spec.ProviderAccountRef
	case *capabilitiesv1beta1.Product:
		ref = v.Spec.ProviderAccountRef
	case *capabilitiesv1beta1.CustomPolicyDefinition:
		ref = v.Spec.ProviderAccountRef
	case *capabilitiesv1beta1.DeveloperAccount:
		ref = v.Spec.ProviderAccountRef
	case *capabilitiesv1beta1.DeveloperUser:
		ref = v.Spec.ProviderAccountRef
	}
	if ref == nil {
		return ""
	}
	return ref.Name
}

func metaOf(key client.ObjectKey) metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name}
}
