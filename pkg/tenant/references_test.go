package tenant

import (
	"context"
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
)

func TestSecretReaderValue(t *testing.T) {
	conf := func(ns string, allow string) *corev1.Secret {
		s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "conf"}, Data: map[string][]byte{"k": []byte("v")}}
		if allow != "" {
			s.Annotations = map[string]string{AllowReferencesFromAnnotation: allow}
		}
		return s
	}
	cases := map[string]struct {
		reason    string
		secret    *corev1.Secret
		ref       corev1.SecretReference
		key       string
		want      string
		wantErr   func(error) bool
		wantReads int // full GETs of the Secret (data)
	}{
		"OwnNamespace":      {reason: "A Secret of the object's namespace is read.", secret: conf("app", ""), ref: corev1.SecretReference{Name: "conf"}, key: "k", want: "v", wantReads: 1},
		"OwnNamespaceNamed": {reason: "Naming the object's own namespace is the same.", secret: conf("app", ""), ref: corev1.SecretReference{Name: "conf", Namespace: "app"}, key: "k", want: "v", wantReads: 1},
		"OtherRefused":      {reason: "A Secret of another namespace without the opt-in is refused and never read.", secret: conf("other", ""), ref: corev1.SecretReference{Name: "conf", Namespace: "other"}, key: "k", wantErr: IsNotAllowed},
		"OtherOtherAllowed": {reason: "An opt-in naming other namespaces refuses this one.", secret: conf("other", "dev, test"), ref: corev1.SecretReference{Name: "conf", Namespace: "other"}, key: "k", wantErr: IsNotAllowed},
		"OtherAllowed":      {reason: "An opt-in naming the namespace allows it.", secret: conf("other", "dev, app"), ref: corev1.SecretReference{Name: "conf", Namespace: "other"}, key: "k", want: "v", wantReads: 1},
		"OtherStar":         {reason: `"*" allows every namespace.`, secret: conf("other", "*"), ref: corev1.SecretReference{Name: "conf", Namespace: "other"}, key: "k", want: "v", wantReads: 1},
		"OtherMissing":      {reason: "A Secret that does not exist yet is waited for.", ref: corev1.SecretReference{Name: "conf", Namespace: "other"}, key: "k", wantErr: IsMissing},
		"MissingKey":        {reason: "A missing key is a bad Secret.", secret: conf("app", ""), ref: corev1.SecretReference{Name: "conf"}, key: "nope", wantErr: IsBadSecret, wantReads: 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b := fake.NewClientBuilder()
			if tc.secret != nil {
				b = b.WithObjects(tc.secret)
			}
			var reads int
			c := b.WithInterceptorFuncs(interceptor.Funcs{Get: func(ctx context.Context, c client.WithWatch, key types.NamespacedName, obj client.Object, opts ...client.GetOption) error {
				if _, full := obj.(*corev1.Secret); full {
					reads++
				}
				return c.Get(ctx, key, obj, opts...)
			}}).Build()
			got, err := SecretReader{Metadata: c, Reader: c}.Value(context.Background(), "app", tc.ref, "spec.x", tc.key)
			switch {
			case tc.wantErr != nil && (err == nil || !tc.wantErr(err)):
				t.Errorf("%s\nValue error = %v, want the expected kind", tc.reason, err)
			case tc.wantErr == nil && (err != nil || got != tc.want):
				t.Errorf("%s\nValue = %q, %v; want %q", tc.reason, got, err, tc.want)
			}
			if reads != tc.wantReads {
				t.Errorf("%s\nthe Secret's data was read %d times, want %d", tc.reason, reads, tc.wantReads)
			}
		})
	}
}

func TestReferenceNotAllowedSaysHowToAllow(t *testing.T) {
	err := error(&ReferenceNotAllowedError{From: "app", Secret: types.NamespacedName{Namespace: "other", Name: "conf"}, Field: "spec.policies[0].configurationRef"})
	var e *ReferenceNotAllowedError
	if !errors.As(err, &e) || !IsNotAllowed(err) {
		t.Fatal("not a ReferenceNotAllowedError")
	}
	if want := AllowReferencesFromAnnotation + "=app"; !strings.Contains(err.Error(), want) {
		t.Errorf("message %q does not say %q", err.Error(), want)
	}
}
