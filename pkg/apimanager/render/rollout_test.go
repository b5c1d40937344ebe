package render

import (
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

// TestSecretChangeRollsOnlyItsReaders changes one Secret at a time and checks that exactly the
// Deployments reading it get a new pod template (so only their pods roll). It covers the existing
// operator's defect of rolling apicast-production on apicast-staging's Secrets.
func TestSecretChangeRollsOnlyItsReaders(t *testing.T) {
	spec := appsv1alpha1.APIManagerSpec{
		Backend: &appsv1alpha1.BackendSpec{},
		Apicast: &appsv1alpha1.ApicastSpec{
			ProductionSpec: &appsv1alpha1.ApicastProductionSpec{ApicastGatewaySpec: appsv1alpha1.ApicastGatewaySpec{
				HTTPSCertificateSecretRef: &appsv1alpha1.LocalSecretReference{Name: "prod-tls"},
				CustomPolicies: []appsv1alpha1.CustomPolicySpec{
					{Name: "p", Version: "1", SecretRef: &appsv1alpha1.LocalSecretReference{Name: "policy"}},
				},
			}},
			StagingSpec: &appsv1alpha1.ApicastStagingSpec{ApicastGatewaySpec: appsv1alpha1.ApicastGatewaySpec{
				CustomEnvironments: []appsv1alpha1.CustomEnvironmentSpec{
					{SecretRef: &appsv1alpha1.LocalSecretReference{Name: "staging-env"}},
				},
			}},
		},
	}
	// Each Secret and the Deployments that must roll when it changes.
	cases := map[string][]string{
		SystemMasterApicastSecret: {ApicastProductionName, ApicastStagingName},
		BackendListenerSecret:     {ApicastProductionName, ApicastStagingName},
		"prod-tls":                {ApicastProductionName},
		"policy":                  {ApicastProductionName},
		"staging-env":             {ApicastStagingName},
		BackendRedisSecret:        {BackendCronName, BackendListenerName, BackendWorkerName},
		BackendInternalAPISecret:  {BackendListenerName},
		SystemEventsHookSecret:    {BackendWorkerName},
		ZyncSecret:                {ZyncName, ZyncDatabaseName, ZyncQueName},
		"unrelated":               nil,
	}
	render := func(in *Inputs) map[string]*appsv1.Deployment {
		out := map[string]*appsv1.Deployment{}
		for _, r := range []func(*Inputs) []client.Object{Apicast, Backend, Memcached, Searchd, Zync} {
			for _, o := range r(in) {
				if d, ok := o.(*appsv1.Deployment); ok {
					out[d.Name] = d
				}
			}
		}
		return out
	}
	base := newTestInputs(spec)
	base.Secrets = map[string]SecretInfo{}
	for name := range cases {
		base.Secrets[name] = SecretInfo{Hash: "v1", Keys: []string{"k"}}
	}
	before := render(base)
	if len(before) != 10 {
		t.Fatalf("rendered %d Deployments, want 10", len(before))
	}
	for secret, want := range cases {
		t.Run(secret, func(t *testing.T) {
			changed := *base
			changed.Secrets = map[string]SecretInfo{}
			for k, v := range base.Secrets {
				changed.Secrets[k] = v
			}
			changed.Secrets[secret] = SecretInfo{Hash: "v2", Keys: []string{"k"}}
			var rolled []string
			for name, d := range render(&changed) {
				if !cmp.Equal(before[name].Spec.Template, d.Spec.Template) {
					rolled = append(rolled, name)
				}
			}
			sort.Strings(rolled)
			if diff := cmp.Diff(want, rolled); diff != "" {
				t.Errorf("Deployments rolled by a change of %s (-want +got):\n%s", secret, diff)
			}
		})
	}
}
