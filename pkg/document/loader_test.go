package document

import (
	"context"
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/tenant"
)

func TestLoadFromSecret(t *testing.T) {
	secret := func(ns string, data map[string]string, allow string) *corev1.Secret {
		s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "doc"}, Data: map[string][]byte{}}
		for k, v := range data {
			s.Data[k] = []byte(v)
		}
		if allow != "" {
			s.Annotations = map[string]string{tenant.AllowReferencesFromAnnotation: allow}
		}
		return s
	}
	cases := map[string]struct {
		reason    string
		secret    *corev1.Secret
		ref       corev1.ObjectReference
		want      string
		wantClass external.Class
		wantIn    []string // substrings of the error message
		wantWait  string   // reason of the WaitingError
	}{
		"OneKey": {
			reason: "The Secret's one value is the document, whatever its key.",
			secret: secret("app", map[string]string{"petstore.yaml": "openapi: 3.0.0"}, ""), ref: corev1.ObjectReference{Name: "doc"},
			want: "openapi: 3.0.0",
		},
		"NoValue": {
			reason: "A Secret with no value is invalid.",
			secret: secret("app", nil, ""), ref: corev1.ObjectReference{Name: "doc"},
			wantClass: external.Invalid, wantIn: []string{"app/doc", "no value"},
		},
		"SeveralKeys": {
			reason: "A Secret with several values is invalid, and the message lists its keys.",
			secret: secret("app", map[string]string{"b.json": "{}", "a.yaml": "x: 1", "c": "y"}, ""), ref: corev1.ObjectReference{Name: "doc"},
			wantClass: external.Invalid, wantIn: []string{"3 keys (a.yaml, b.json, c)"},
		},
		"EmptyValue": {
			reason: "A Secret whose one value is empty holds no document.",
			secret: secret("app", map[string]string{"doc": ""}, ""), ref: corev1.ObjectReference{Name: "doc"},
			wantClass: external.Invalid, wantIn: []string{`key "doc"`, "empty"},
		},
		"Missing": {
			reason:    "A Secret that does not exist yet is waited for, with a reason of its own.",
			ref:       corev1.ObjectReference{Name: "doc"},
			wantClass: external.Waiting, wantWait: ReasonSecretNotFound, wantIn: []string{"app/doc"},
		},
		"OtherNamespaceRefused": {
			reason: "A Secret of another namespace that does not opt in is refused.",
			secret: secret("other", map[string]string{"k": "v"}, ""), ref: corev1.ObjectReference{Name: "doc", Namespace: "other"},
			wantClass: external.Invalid, wantIn: []string{tenant.AllowReferencesFromAnnotation},
		},
		"OtherNamespaceAllowed": {
			reason: "A Secret of another namespace that opts in is read.",
			secret: secret("other", map[string]string{"k": "v"}, "app"), ref: corev1.ObjectReference{Name: "doc", Namespace: "other"},
			want: "v",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b := fake.NewClientBuilder()
			if tc.secret != nil {
				b = b.WithObjects(tc.secret)
			}
			c := b.Build()
			l := Loader{Secrets: tenant.SecretReader{Metadata: c, Reader: c}}
			got, err := l.Load(context.Background(), "app", capabilitiesv1beta1.OpenAPIRefSpec{SecretRef: &tc.ref}, "spec.activeDocOpenAPIRef")
			if tc.wantIn == nil {
				if err != nil || string(got.Content) != tc.want || got.Hash != Hash([]byte(tc.want)) {
					t.Fatalf("%s\nLoad = %q (%s), %v; want %q", tc.reason, got.Content, got.Hash, err, tc.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("%s\nLoad = %q, want an error", tc.reason, got.Content)
			}
			if c := external.Classify(err); c != tc.wantClass {
				t.Errorf("%s\nclass = %s, want %s (%v)", tc.reason, c, tc.wantClass, err)
			}
			for _, s := range tc.wantIn {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("%s\nmessage %q does not say %q", tc.reason, err, s)
				}
			}
			if tc.wantWait != "" {
				var w *external.WaitingError
				if !errors.As(err, &w) || w.Reason != tc.wantWait {
					t.Errorf("%s\nerror %v is not a WaitingError with reason %s", tc.reason, err, tc.wantWait)
				}
			}
		})
	}
}

func TestLoadNeedsOneSource(t *testing.T) {
	u := "https://example.com/doc.json"
	for name, ref := range map[string]capabilitiesv1beta1.OpenAPIRefSpec{
		"None": {},
		"Both": {SecretRef: &corev1.ObjectReference{Name: "doc"}, URL: &u},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Loader{}.Load(context.Background(), "app", ref, "spec.openapiRef")
			if external.Classify(err) != external.Invalid {
				t.Errorf("Load error = %v, want Invalid", err)
			}
		})
	}
}

func TestHashIsStable(t *testing.T) {
	if Hash([]byte("a")) != Hash([]byte("a")) || Hash([]byte("a")) == Hash([]byte("b")) {
		t.Error("Hash is not a function of the content")
	}
	if got := Hash(nil); !strings.HasPrefix(got, "sha256:") || len(got) != len("sha256:")+64 {
		t.Errorf("Hash(nil) = %q", got)
	}
}
