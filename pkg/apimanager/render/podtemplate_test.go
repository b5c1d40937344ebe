package render

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

func TestReplicas(t *testing.T) {
	i64 := func(v int64) *int64 { return &v }
	i32 := func(v int32) *int32 { return &v }
	cases := map[string]struct {
		reason string
		spec   *int64
		hpa    bool
		want   *int32
	}{
		"Unset":     {reason: "an unset count is not owned", want: nil},
		"Set":       {reason: "a set count is owned", spec: i64(3), want: i32(3)},
		"Zero":      {reason: "zero scales the component down", spec: i64(0), want: i32(0)},
		"HPA":       {reason: "an HPA owns the count", spec: i64(3), hpa: true, want: nil},
		"Negative":  {reason: "a negative count (rejected by the schema) is clamped, not passed on", spec: i64(-1), want: i32(0)},
		"TooLarge":  {reason: "a count beyond int32 is clamped", spec: i64(math.MaxInt64), want: i32(math.MaxInt32)},
		"HPAUnset":  {reason: "HPA without a count is not owned", hpa: true, want: nil},
		"HPANoSpec": {reason: "HPA wins over zero", spec: i64(0), hpa: true, want: nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, replicas(tc.spec, tc.hpa)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}

func TestResources(t *testing.T) {
	no, yes := false, true
	def := requirements("1", "1Gi", "2", "2Gi")
	override := &corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("3")}}
	cases := map[string]struct {
		reason   string
		enabled  *bool
		override *corev1.ResourceRequirements
		want     corev1.ResourceRequirements
	}{
		"DefaultEnabled":      {reason: "resourceRequirementsEnabled defaults to true", want: def},
		"Enabled":             {reason: "enabled gives the defaults", enabled: &yes, want: def},
		"Disabled":            {reason: "disabled gives nothing", enabled: &no, want: corev1.ResourceRequirements{}},
		"OverrideWhenEnabled": {reason: "the spec's resources replace the defaults", enabled: &yes, override: override, want: *override},
		"OverrideWhenDisabled": {reason: "the spec's resources apply even when defaults are off", enabled: &no, override: override,
			want: *override},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := newTestInputs(appsv1alpha1.APIManagerSpec{ResourceRequirementsEnabled: tc.enabled})
			if diff := cmp.Diff(tc.want, resources(in, tc.override, def)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}

func TestSecretsHash(t *testing.T) {
	in := newTestInputs(appsv1alpha1.APIManagerSpec{})
	in.Secrets = map[string]SecretInfo{"a": {Hash: "1"}, "b": {Hash: "2"}}
	base := SecretsHash(in, "a", "b")

	if got := SecretsHash(in, "b", "a", "a"); got != base {
		t.Errorf("order and duplicates changed the hash: %s != %s", got, base)
	}
	if got := SecretsHash(in, "a"); got == base {
		t.Error("dropping a Secret did not change the hash")
	}
	if got := SecretsHash(in, "a", "b", "missing"); got == base {
		t.Error("depending on a missing Secret did not change the hash")
	}
	in.Secrets["b"] = SecretInfo{Hash: "3"}
	if got := SecretsHash(in, "a", "b"); got == base {
		t.Error("a changed Secret did not change the hash")
	}
	if got := SecretsHash(in, "ab"); got == SecretsHash(in, "a", "b") {
		t.Error("names are not separated")
	}
}

func TestNewDeploymentProtectsSelectorLabels(t *testing.T) {
	in := newTestInputs(appsv1alpha1.APIManagerSpec{})
	prio := "high"
	d := NewDeployment(in, Workload{
		Name: "apicast-staging", Component: ComponentApicast, Element: "staging",
		Placement: &appsv1alpha1.PodPlacementSpec{
			PriorityClassName: &prio,
			Labels:            map[string]string{"deployment": "other", LabelApp: "other", "team": "a"},
			Annotations:       map[string]string{SecretsHashAnnotation: "forged", "note": "n"},
		},
	}, corev1.PodSpec{})
	tpl := d.Spec.Template
	for k, want := range map[string]string{"deployment": "apicast-staging", LabelApp: appsv1alpha1.DefaultAppLabel, "team": "a"} {
		if got := tpl.Labels[k]; got != want {
			t.Errorf("pod label %s = %q, want %q", k, got, want)
		}
	}
	if got := tpl.Annotations[SecretsHashAnnotation]; got == "forged" || got == "" {
		t.Errorf("user annotation replaced the secrets hash: %q", got)
	}
	if tpl.Annotations["note"] != "n" {
		t.Error("user annotation lost")
	}
	if tpl.Spec.PriorityClassName != "high" || tpl.Spec.ServiceAccountName != DefaultServiceAccount {
		t.Errorf("priority class %q, service account %q", tpl.Spec.PriorityClassName, tpl.Spec.ServiceAccountName)
	}
	if diff := cmp.Diff(PodSelector("apicast-staging"), d.Spec.Selector.MatchLabels); diff != "" {
		t.Errorf("selector (-want +got):\n%s", diff)
	}
}

func TestNewPersistentVolumeClaim(t *testing.T) {
	in := newTestInputs(appsv1alpha1.APIManagerSpec{})
	class, volume := "fast", "pv-1"
	cases := map[string]struct {
		reason    string
		spec      *appsv1alpha1.PVCGenericSpec
		wantSize  string
		wantClass *string
		wantPV    string
	}{
		"Default":   {reason: "no spec gives the default size and class", wantSize: "1Gi"},
		"ZeroSize":  {reason: "a zero size falls back to the default", spec: &appsv1alpha1.PVCGenericSpec{Resources: &appsv1alpha1.PersistentVolumeClaimResources{}}, wantSize: "1Gi"},
		"Overrides": {reason: "size, class and volume come from the spec", spec: &appsv1alpha1.PVCGenericSpec{StorageClassName: &class, VolumeName: &volume, Resources: &appsv1alpha1.PersistentVolumeClaimResources{Requests: resource.MustParse("5Gi")}}, wantSize: "5Gi", wantClass: &class, wantPV: volume},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			pvc := NewPersistentVolumeClaim(in, "data", ComponentSystem, "x", corev1.ReadWriteOnce, "1Gi", tc.spec)
			got := pvc.Spec.Resources.Requests[corev1.ResourceStorage]
			if got.String() != tc.wantSize {
				t.Errorf("%s: size %s, want %s", tc.reason, got.String(), tc.wantSize)
			}
			if diff := cmp.Diff(tc.wantClass, pvc.Spec.StorageClassName); diff != "" {
				t.Errorf("%s: class (-want +got):\n%s", tc.reason, diff)
			}
			if pvc.Spec.VolumeName != tc.wantPV {
				t.Errorf("%s: volume %q, want %q", tc.reason, pvc.Spec.VolumeName, tc.wantPV)
			}
		})
	}
}
