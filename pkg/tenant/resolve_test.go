package tenant

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/threescale-oss/operator/api"
	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

const ns = "team-a"

func secret(name string, data map[string]string) *corev1.Secret {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Data: map[string][]byte{}}
	for k, v := range data {
		s.Data[k] = []byte(v)
	}
	return s
}

func apiManager(name, tenantName string, created time.Time) *appsv1alpha1.APIManager {
	a := &appsv1alpha1.APIManager{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, CreationTimestamp: metav1.NewTime(created)}}
	a.Spec.WildcardDomain = "apps.example.com"
	if tenantName != "" {
		a.Spec.TenantName = &tenantName
	}
	return a
}

func scheme(t *testing.T) *runtime.Scheme {
	t.Helper()
	s, err := api.NewScheme()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// result is what Resolve returned, in a form cmp can compare (the token is unexported).
type result struct {
	AdminURL string
	Token    string
	Source   SecretKey
	Err      string
}

func TestResolve(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		reason  string
		objects []client.Object
		ref     *corev1.LocalObjectReference
		want    result
		missing bool // IsMissing(err)
		bad     bool // IsBadSecret(err)
	}{
		"ProviderAccountRef": {
			reason: "spec.providerAccountRef wins over the default secret and the APIManager.",
			objects: []client.Object{
				secret("mine", map[string]string{"adminURL": "https://mine-admin.example.com", "token": "t1"}),
				secret(DefaultSecretName, map[string]string{"adminURL": "https://default-admin.example.com", "token": "t2"}),
				apiManager("apim", "", t0),
			},
			ref:  &corev1.LocalObjectReference{Name: "mine"},
			want: result{AdminURL: "https://mine-admin.example.com", Token: "t1", Source: SecretKey{ns, "mine", "token"}},
		},
		"ProviderAccountRefMissingDoesNotFallBack": {
			reason:  "A named secret that does not exist is an error, not a reason to use another tenant.",
			objects: []client.Object{secret(DefaultSecretName, map[string]string{"adminURL": "https://default-admin.example.com", "token": "t2"})},
			ref:     &corev1.LocalObjectReference{Name: "mine"},
			want:    result{Err: "secret team-a/mine (spec.providerAccountRef) not found"},
			missing: true,
		},
		"DefaultSecret": {
			reason: "Without a ref, the threescale-provider-account secret wins over the APIManager.",
			objects: []client.Object{
				secret(DefaultSecretName, map[string]string{"adminURL": "https://default-admin.example.com/", "token": "t2\n"}),
				apiManager("apim", "", t0),
			},
			want: result{AdminURL: "https://default-admin.example.com/", Token: "t2", Source: SecretKey{ns, DefaultSecretName, "token"}},
		},
		"DefaultSecretWithoutToken": {
			reason:  "A default secret without its token names the secret and the key, and does not fall back.",
			objects: []client.Object{secret(DefaultSecretName, map[string]string{"adminURL": "https://a.example.com"}), apiManager("apim", "", t0)},
			want:    result{Err: `key "token" of secret team-a/threescale-provider-account is missing`},
			bad:     true,
		},
		"EmptyToken": {
			reason:  "A blank token is as useless as a missing one.",
			objects: []client.Object{secret("mine", map[string]string{"adminURL": "https://a.example.com", "token": "  \n"})},
			ref:     &corev1.LocalObjectReference{Name: "mine"},
			want:    result{Err: `key "token" of secret team-a/mine is empty`},
			bad:     true,
		},
		"AdminURLNotHTTP": {
			reason:  "An admin URL that is not http(s) is reported without quoting it.",
			objects: []client.Object{secret("mine", map[string]string{"adminURL": "s3cr3t-token", "token": "t"})},
			ref:     &corev1.LocalObjectReference{Name: "mine"},
			want:    result{Err: `key "adminURL" of secret team-a/mine is not an http or https URL`},
			bad:     true,
		},
		"APIManager": {
			reason: "Without secrets, the APIManager's default tenant is used, with the system-seed token.",
			objects: []client.Object{
				apiManager("apim", "acme", t0),
				secret(SystemSeedSecretName, map[string]string{"ADMIN_ACCESS_TOKEN": "seed"}),
			},
			want: result{AdminURL: "https://acme-admin.apps.example.com", Token: "seed", Source: SecretKey{ns, SystemSeedSecretName, SystemSeedTokenKey}},
		},
		"OldestAPIManager": {
			reason: "With two APIManagers the oldest is used, so the choice is stable.",
			objects: []client.Object{
				apiManager("b-newer", "newer", t0.Add(time.Hour)),
				apiManager("z-older", "older", t0),
				secret(SystemSeedSecretName, map[string]string{"ADMIN_ACCESS_TOKEN": "seed"}),
			},
			want: result{AdminURL: "https://older-admin.apps.example.com", Token: "seed", Source: SecretKey{ns, SystemSeedSecretName, SystemSeedTokenKey}},
		},
		"APIManagerWithoutSeed": {
			reason:  "An APIManager whose system-seed secret is not there yet is something to wait for.",
			objects: []client.Object{apiManager("apim", "", t0)},
			want:    result{Err: "secret team-a/system-seed (APIManager apim) not found"},
			missing: true,
		},
		"Nothing": {
			reason:  "An empty namespace says how to provide a tenant.",
			want:    result{Err: (&NoProviderAccountError{Namespace: ns}).Error()},
			missing: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := fake.NewClientBuilder().WithScheme(scheme(t)).WithObjects(tc.objects...).Build()
			creds, err := Resolver{Reader: c}.Resolve(context.Background(), ns, tc.ref)
			got := result{AdminURL: creds.AdminURL, Token: creds.AccessToken(), Source: creds.Token}
			if err != nil {
				got = result{Err: err.Error()}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nResolve: -want, +got:\n%s", tc.reason, diff)
			}
			if IsMissing(err) != tc.missing || IsBadSecret(err) != tc.bad {
				t.Errorf("%s\nIsMissing=%v IsBadSecret=%v, want %v %v", tc.reason, IsMissing(err), IsBadSecret(err), tc.missing, tc.bad)
			}
		})
	}
}

func TestResolveReadError(t *testing.T) {
	boom := errors.New("apiserver down")
	c := fake.NewClientBuilder().WithScheme(scheme(t)).WithInterceptorFuncs(interceptor.Funcs{
		Get: func(context.Context, client.WithWatch, client.ObjectKey, client.Object, ...client.GetOption) error {
			return boom
		},
	}).Build()
	_, err := Resolver{Reader: c}.Resolve(context.Background(), ns, nil)
	if !errors.Is(err, boom) || IsMissing(err) || IsBadSecret(err) {
		t.Errorf("Resolve = %v; want the API error wrapped, neither missing nor bad", err)
	}
}

func TestCredentialsNeverPrintTheToken(t *testing.T) {
	creds := NewCredentials("https://a.example.com", "very-secret-token", SecretKey{ns, "s", "token"})
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(format, creds); strings.Contains(out, "very-secret-token") {
			t.Errorf("Sprintf(%q) = %q leaks the token", format, out)
		}
	}
}

func TestSecretNames(t *testing.T) {
	if diff := cmp.Diff([]string{"mine"}, SecretNames(&corev1.LocalObjectReference{Name: "mine"})); diff != "" {
		t.Errorf("with a ref: -want, +got:\n%s", diff)
	}
	if diff := cmp.Diff([]string{DefaultSecretName, SystemSeedSecretName}, SecretNames(nil)); diff != "" {
		t.Errorf("without a ref: -want, +got:\n%s", diff)
	}
}

func TestSameProviderAccount(t *testing.T) {
	ref := func(name string) *corev1.LocalObjectReference { return &corev1.LocalObjectReference{Name: name} }
	cases := map[string]struct {
		a, b *corev1.LocalObjectReference
		want bool
	}{
		"SameSecret":    {ref("mine"), ref("mine"), true},
		"OtherSecret":   {ref("mine"), ref("theirs"), false},
		"NeitherNames":  {nil, nil, true},
		"EmptyIsNone":   {ref(""), nil, true},
		"OnlyOneNames":  {ref("mine"), nil, false},
		"OnlyOtherName": {nil, ref("mine"), false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := SameProviderAccount(tc.a, tc.b); got != tc.want {
				t.Errorf("SameProviderAccount(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
		})
	}
}

func TestResolveWithoutAPIManagerCRD(t *testing.T) {
	c := fake.NewClientBuilder().WithScheme(scheme(t)).WithInterceptorFuncs(interceptor.Funcs{
		List: func(context.Context, client.WithWatch, client.ObjectList, ...client.ListOption) error {
			return &meta.NoKindMatchError{GroupKind: schema.GroupKind{Group: "apps.3scale.net", Kind: "APIManager"}}
		},
	}).Build()
	_, err := Resolver{Reader: c}.Resolve(context.Background(), ns, nil)
	var np *NoProviderAccountError
	if !errors.As(err, &np) {
		t.Errorf("Resolve without the APIManager CRD = %v, want NoProviderAccountError (a capabilities-only install)", err)
	}
}
