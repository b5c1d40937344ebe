package product

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/threescale"
)

func TestNewDesired(t *testing.T) {
	secrets := map[string]string{
		"ns/issuer/issuerEndpoint":   "https://id:secret@sso.example.com/realms/r",
		"other/conf/configuration":   `{"token": "t", "a": 2}`,
		"ns/notobject/configuration": `[1]`,
	}
	secret := func(_ context.Context, ref corev1.SecretReference, _, key string) (string, error) {
		ns, name := namespaceOr(ref.Namespace), ref.Name
		v, ok := secrets[ns+"/"+name+"/"+key]
		if !ok {
			return "", errors.New("no key " + key + " in Secret " + ns + "/" + name)
		}
		return v, nil
	}
	type want struct {
		systemName, issuer string
		policies           []threescale.PolicyConfig
		invalid, err       bool
	}
	apicast := threescale.PolicyConfig{Name: "apicast", Version: "builtin", Enabled: true, Configuration: json.RawMessage(`{}`)}
	cases := map[string]struct {
		reason string
		spec   capabilitiesv1beta1.ProductSpec
		want   want
	}{
		"Defaults": {
			reason: "The system name defaults from the name and the chain is apicast alone.",
			spec:   capabilitiesv1beta1.ProductSpec{Name: "My API!"},
			want:   want{systemName: "MyAPI", policies: []threescale.PolicyConfig{apicast}},
		},
		"IssuerFromSecret": {
			reason: "issuerEndpointRef is read from the Secret in the product's namespace and wins over issuerEndpoint.",
			spec: capabilitiesv1beta1.ProductSpec{Name: "p", Deployment: &capabilitiesv1beta1.ProductDeploymentSpec{ApicastHosted: &capabilitiesv1beta1.ApicastHostedSpec{
				Authentication: &capabilitiesv1beta1.AuthenticationSpec{OIDC: &capabilitiesv1beta1.OIDCSpec{
					IssuerType: "keycloak", IssuerEndpoint: "https://inline.example.com", IssuerEndpointRef: &corev1.SecretReference{Name: "issuer"},
				}},
			}}},
			want: want{systemName: "p", issuer: "https://id:secret@sso.example.com/realms/r", policies: []threescale.PolicyConfig{apicast}},
		},
		"PolicyConfigurationMerged": {
			reason: "configurationRef's keys are merged over configuration; apicast is not added twice.",
			spec: capabilitiesv1beta1.ProductSpec{Name: "p", Policies: []capabilitiesv1beta1.PolicyConfig{
				{Name: "apicast", Version: "builtin", Enabled: true},
				{Name: "x", Version: "1", Configuration: raw(`{"a": 1, "b": 1}`), ConfigurationRef: &corev1.SecretReference{Name: "conf", Namespace: "other"}},
			}},
			want: want{systemName: "p", policies: []threescale.PolicyConfig{
				apicast,
				{Name: "x", Version: "1", Configuration: json.RawMessage(`{"a":2,"b":1,"token":"t"}`)},
			}},
		},
		"ConfigurationNotAnObject": {
			reason: "A Secret configuration that is not a JSON object is invalid.",
			spec: capabilitiesv1beta1.ProductSpec{Name: "p", Policies: []capabilitiesv1beta1.PolicyConfig{
				{Name: "x", Version: "1", ConfigurationRef: &corev1.SecretReference{Name: "notobject"}},
			}},
			want: want{invalid: true},
		},
		"MissingSecret": {
			reason: "A missing Secret is the SecretValue's error, for the loop to classify.",
			spec: capabilitiesv1beta1.ProductSpec{Name: "p", Policies: []capabilitiesv1beta1.PolicyConfig{
				{Name: "x", Version: "1", ConfigurationRef: &corev1.SecretReference{Name: "absent"}},
			}},
			want: want{err: true},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := &capabilitiesv1beta1.Product{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns"}, Spec: tc.spec}
			d, err := NewDesired(context.Background(), p, secret)
			switch {
			case tc.want.invalid:
				if !planning.IsInvalid(err) {
					t.Fatalf("\n%s\nNewDesired(...): want an InvalidError, got %v", tc.reason, err)
				}
				return
			case tc.want.err:
				if err == nil || planning.IsInvalid(err) {
					t.Fatalf("\n%s\nNewDesired(...): want the Secret's error, got %v", tc.reason, err)
				}
				return
			case err != nil:
				t.Fatalf("\n%s\nNewDesired(...): %v", tc.reason, err)
			}
			got := want{systemName: d.SystemName, issuer: d.IssuerEndpoint, policies: d.Policies}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("\n%s\nNewDesired(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
