package v1beta1_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
)

func TestSystemNameOrDefault(t *testing.T) {
	tests := []struct {
		name     string
		specName string
		system   string
		want     string
	}{
		{name: "explicit system name wins", specName: "Operated Backend 1", system: "backend_1", want: "backend_1"},
		{name: "default strips what is not a letter or digit", specName: "Operated Backend 1", want: "OperatedBackend1"},
		{name: "non-ASCII letters are dropped", specName: "Café-API v2", want: "CafAPIv2"},
		{name: "empty name gives an empty default", specName: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			product := &capabilitiesv1beta1.Product{Spec: capabilitiesv1beta1.ProductSpec{Name: tt.specName, SystemName: tt.system}}
			if got := product.SystemNameOrDefault(); got != tt.want {
				t.Errorf("Product: got %q, want %q", got, tt.want)
			}
			backend := &capabilitiesv1beta1.Backend{Spec: capabilitiesv1beta1.BackendSpec{Name: tt.specName, SystemName: tt.system}}
			if got := backend.SystemNameOrDefault(); got != tt.want {
				t.Errorf("Backend: got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestActiveDocSystemNameOrDefault(t *testing.T) {
	tests := []struct {
		name   string
		spec   capabilitiesv1beta1.ActiveDocSpec
		wanted string
	}{
		{name: "explicit system name wins, case kept", spec: capabilitiesv1beta1.ActiveDocSpec{Name: "Pet Store", SystemName: ptr.To("Pet_Store")}, wanted: "Pet_Store"},
		{name: "default is lower case", spec: capabilitiesv1beta1.ActiveDocSpec{Name: "Operated ActiveDoc From URL"}, wanted: "operatedactivedocfromurl"},
		{name: "empty system name means the default", spec: capabilitiesv1beta1.ActiveDocSpec{Name: "Pets", SystemName: ptr.To("")}, wanted: "pets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := &capabilitiesv1beta1.ActiveDoc{Spec: tt.spec}
			if got := doc.SystemNameOrDefault(); got != tt.wanted {
				t.Errorf("got %q, want %q", got, tt.wanted)
			}
		})
	}
}

func TestMetricsWithHits(t *testing.T) {
	custom := capabilitiesv1beta1.MetricSpec{Name: "My hits", Unit: "call"}
	metric01 := capabilitiesv1beta1.MetricSpec{Name: "Metric01", Unit: "1"}
	tests := []struct {
		name    string
		metrics map[string]capabilitiesv1beta1.MetricSpec
		want    map[string]capabilitiesv1beta1.MetricSpec
	}{
		{
			name: "no metrics gives hits",
			want: map[string]capabilitiesv1beta1.MetricSpec{"hits": capabilitiesv1beta1.DefaultHitsMetric()},
		},
		{
			name:    "hits is added next to the others",
			metrics: map[string]capabilitiesv1beta1.MetricSpec{"metric01": metric01},
			want:    map[string]capabilitiesv1beta1.MetricSpec{"metric01": metric01, "hits": capabilitiesv1beta1.DefaultHitsMetric()},
		},
		{
			name:    "a written hits metric is kept",
			metrics: map[string]capabilitiesv1beta1.MetricSpec{"hits": custom},
			want:    map[string]capabilitiesv1beta1.MetricSpec{"hits": custom},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(tt.metrics)
			product := capabilitiesv1beta1.ProductSpec{Metrics: tt.metrics}
			if diff := cmp.Diff(tt.want, product.MetricsWithHits()); diff != "" {
				t.Errorf("Product (-want +got):\n%s", diff)
			}
			backend := capabilitiesv1beta1.BackendSpec{Metrics: tt.metrics}
			if diff := cmp.Diff(tt.want, backend.MetricsWithHits()); diff != "" {
				t.Errorf("Backend (-want +got):\n%s", diff)
			}
			if len(tt.metrics) != before {
				t.Errorf("the spec's metrics were modified: %v", tt.metrics)
			}
		})
	}
}

func TestDeploymentOptionAndAuthenticationMode(t *testing.T) {
	userKey := &capabilitiesv1beta1.AuthenticationSpec{UserKeyAuthentication: &capabilitiesv1beta1.UserKeyAuthenticationSpec{}}
	appKey := &capabilitiesv1beta1.AuthenticationSpec{AppKeyAppIDAuthentication: &capabilitiesv1beta1.AppKeyAppIDAuthenticationSpec{}}
	oidc := &capabilitiesv1beta1.AuthenticationSpec{OIDC: &capabilitiesv1beta1.OIDCSpec{IssuerType: "rest"}}
	tests := []struct {
		name       string
		deployment *capabilitiesv1beta1.ProductDeploymentSpec
		wantOption string
		wantMode   string
	}{
		{name: "no deployment keeps 3scale's settings"},
		{name: "hosted without authentication", deployment: &capabilitiesv1beta1.ProductDeploymentSpec{ApicastHosted: &capabilitiesv1beta1.ApicastHostedSpec{}}, wantOption: "hosted"},
		{name: "hosted with user key", deployment: &capabilitiesv1beta1.ProductDeploymentSpec{ApicastHosted: &capabilitiesv1beta1.ApicastHostedSpec{Authentication: userKey}}, wantOption: "hosted", wantMode: "1"},
		{name: "self-managed with app key", deployment: &capabilitiesv1beta1.ProductDeploymentSpec{ApicastSelfManaged: &capabilitiesv1beta1.ApicastSelfManagedSpec{Authentication: appKey}}, wantOption: "self_managed", wantMode: "2"},
		{name: "self-managed with OIDC", deployment: &capabilitiesv1beta1.ProductDeploymentSpec{ApicastSelfManaged: &capabilitiesv1beta1.ApicastSelfManagedSpec{Authentication: oidc}}, wantOption: "self_managed", wantMode: "oidc"},
		{name: "empty authentication", deployment: &capabilitiesv1beta1.ProductDeploymentSpec{ApicastHosted: &capabilitiesv1beta1.ApicastHostedSpec{Authentication: &capabilitiesv1beta1.AuthenticationSpec{}}}, wantOption: "hosted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := capabilitiesv1beta1.ProductSpec{Deployment: tt.deployment}
			if got := spec.DeploymentOption(); got != tt.wantOption {
				t.Errorf("DeploymentOption() = %q, want %q", got, tt.wantOption)
			}
			if got := spec.Authentication().Mode(); got != tt.wantMode {
				t.Errorf("Authentication().Mode() = %q, want %q", got, tt.wantMode)
			}
		})
	}
}

func TestPoliciesWithAPIcast(t *testing.T) {
	apicast := capabilitiesv1beta1.PolicyConfig{Name: "apicast", Version: "builtin", Enabled: true, Configuration: &runtime.RawExtension{Raw: []byte("{}")}}
	camel := capabilitiesv1beta1.PolicyConfig{Name: "camel", Version: "builtin", Enabled: true, Configuration: &runtime.RawExtension{Raw: []byte(`{"http_proxy":"http://example.com"}`)}}
	disabledAPIcast := capabilitiesv1beta1.PolicyConfig{Name: "apicast", Version: "builtin", Enabled: false}
	tests := []struct {
		name     string
		policies []capabilitiesv1beta1.PolicyConfig
		want     []capabilitiesv1beta1.PolicyConfig
	}{
		{name: "empty chain gets apicast", want: []capabilitiesv1beta1.PolicyConfig{apicast}},
		{name: "apicast goes last", policies: []capabilitiesv1beta1.PolicyConfig{camel}, want: []capabilitiesv1beta1.PolicyConfig{camel, apicast}},
		{name: "a listed apicast keeps its place and settings", policies: []capabilitiesv1beta1.PolicyConfig{disabledAPIcast, camel}, want: []capabilitiesv1beta1.PolicyConfig{disabledAPIcast, camel}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := capabilitiesv1beta1.ProductSpec{Policies: tt.policies}
			got := spec.PoliciesWithAPIcast()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if len(got) > 0 && len(spec.Policies) > 0 && got[0].Configuration != nil && got[0].Configuration == spec.Policies[0].Configuration {
				t.Errorf("the result shares the spec's configuration; want a copy")
			}
		})
	}
}

func TestApplicationPlanIsPublishedAndName(t *testing.T) {
	tests := []struct {
		name          string
		plan          capabilitiesv1beta1.ApplicationPlanSpec
		wantPublished bool
		wantName      string
	}{
		{name: "hidden by default", wantName: "basic"},
		{name: "published", plan: capabilitiesv1beta1.ApplicationPlanSpec{Published: ptr.To(true), Name: ptr.To("Basic")}, wantPublished: true, wantName: "Basic"},
		{name: "toolbox state published", plan: capabilitiesv1beta1.ApplicationPlanSpec{State: ptr.To("published")}, wantPublished: true, wantName: "basic"},
		{name: "toolbox state hidden", plan: capabilitiesv1beta1.ApplicationPlanSpec{State: ptr.To("hidden")}, wantName: "basic"},
		{name: "published wins over state", plan: capabilitiesv1beta1.ApplicationPlanSpec{Published: ptr.To(false), State: ptr.To("published"), Name: ptr.To("")}, wantName: "basic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.plan.IsPublished(); got != tt.wantPublished {
				t.Errorf("IsPublished() = %v, want %v", got, tt.wantPublished)
			}
			if got := tt.plan.NameOrDefault("basic"); got != tt.wantName {
				t.Errorf("NameOrDefault() = %q, want %q", got, tt.wantName)
			}
		})
	}
}
