package render

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/utils/ptr"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
)

func s3Spec(sts *appsv1alpha1.STSSpec) appsv1alpha1.APIManagerSpec {
	return appsv1alpha1.APIManagerSpec{System: &appsv1alpha1.SystemSpec{FileStorageSpec: &appsv1alpha1.SystemFileStorageSpec{
		S3: &appsv1alpha1.SystemS3Spec{ConfigurationSecretRef: appsv1alpha1.LocalSecretReference{Name: "s3-config"}, STS: sts},
	}}}
}

func TestSystemFileStorage(t *testing.T) {
	// describe flattens a fileStorage into comparable strings.
	type described struct {
		Volumes, Mounts, ReadOnlyMounts, Env []string
		Secret                               string
	}
	describe := func(fs fileStorage) described {
		var d described
		for _, v := range fs.volumes {
			switch {
			case v.PersistentVolumeClaim != nil:
				d.Volumes = append(d.Volumes, v.Name+"=pvc:"+v.PersistentVolumeClaim.ClaimName)
			case v.Projected != nil:
				tok := v.Projected.Sources[0].ServiceAccountToken
				d.Volumes = append(d.Volumes, v.Name+"=token:"+tok.Audience+"/"+tok.Path)
			}
		}
		for _, m := range fs.mounts {
			d.Mounts = append(d.Mounts, m.Name+"@"+m.MountPath)
		}
		for _, m := range fs.readOnlyMounts {
			if !m.ReadOnly {
				t.Errorf("read-only mount %s is writable", m.Name)
			}
			d.ReadOnlyMounts = append(d.ReadOnlyMounts, m.Name+"@"+m.MountPath)
		}
		for _, e := range fs.env {
			switch {
			case e.ValueFrom == nil:
				d.Env = append(d.Env, e.Name+"="+e.Value)
			case ptr.Deref(e.ValueFrom.SecretKeyRef.Optional, false):
				d.Env = append(d.Env, e.Name+"<-"+e.ValueFrom.SecretKeyRef.Name+"?")
			default:
				d.Env = append(d.Env, e.Name+"<-"+e.ValueFrom.SecretKeyRef.Name)
			}
		}
		d.Secret = fs.secret
		return d
	}
	s3Common := []string{"AWS_BUCKET<-s3-config", "AWS_REGION<-s3-config", "AWS_PROTOCOL<-s3-config?", "AWS_HOSTNAME<-s3-config?", "AWS_PATH_STYLE<-s3-config?"}
	cases := map[string]struct {
		reason string
		spec   appsv1alpha1.APIManagerSpec
		want   described
	}{
		"PVC": {reason: "the system-storage claim by default",
			want: described{
				Volumes:        []string{"system-storage=pvc:system-storage"},
				Mounts:         []string{"system-storage@/opt/system/public/system"},
				ReadOnlyMounts: []string{"system-storage@/opt/system/public/system"},
			}},
		"S3IAM": {reason: "IAM keys from the configuration Secret",
			spec: s3Spec(nil),
			want: described{
				Env:    append(append([]string(nil), s3Common...), "AWS_ACCESS_KEY_ID<-s3-config", "AWS_SECRET_ACCESS_KEY<-s3-config"),
				Secret: "s3-config",
			}},
		"S3STSDisabled": {reason: "sts.enabled false is IAM", spec: s3Spec(&appsv1alpha1.STSSpec{Enabled: ptr.To(false), Audience: ptr.To("x")}),
			want: described{
				Env:    append(append([]string(nil), s3Common...), "AWS_ACCESS_KEY_ID<-s3-config", "AWS_SECRET_ACCESS_KEY<-s3-config"),
				Secret: "s3-config",
			}},
		"S3STS": {reason: "a projected token with the default audience, read where it is mounted",
			spec: s3Spec(&appsv1alpha1.STSSpec{Enabled: ptr.To(true)}),
			want: described{
				Volumes:        []string{"s3-credentials=token:openshift/token"},
				Mounts:         []string{"s3-credentials@/var/run/secrets/openshift/serviceaccount"},
				ReadOnlyMounts: []string{"s3-credentials@/var/run/secrets/openshift/serviceaccount"},
				Env: append(append([]string(nil), s3Common...), "AWS_ROLE_ARN<-s3-config",
					"AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/secrets/openshift/serviceaccount/token"),
				Secret: "s3-config",
			}},
		"S3STSAudience": {reason: "the spec's audience",
			spec: s3Spec(&appsv1alpha1.STSSpec{Enabled: ptr.To(true), Audience: ptr.To("sts.amazonaws.com")}),
			want: described{
				Volumes:        []string{"s3-credentials=token:sts.amazonaws.com/token"},
				Mounts:         []string{"s3-credentials@/var/run/secrets/openshift/serviceaccount"},
				ReadOnlyMounts: []string{"s3-credentials@/var/run/secrets/openshift/serviceaccount"},
				Env: append(append([]string(nil), s3Common...), "AWS_ROLE_ARN<-s3-config",
					"AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/secrets/openshift/serviceaccount/token"),
				Secret: "s3-config",
			}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, describe(systemFileStorage(newTestInputs(tc.spec)))); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}

func TestSystemStorageClaim(t *testing.T) {
	if c := systemStorageClaim(newTestInputs(s3Spec(nil))); c != nil {
		t.Errorf("S3 needs no claim, got %v", c.Name)
	}
	c := systemStorageClaim(newTestInputs(appsv1alpha1.APIManagerSpec{}))
	if q := c.Spec.Resources.Requests[corev1.ResourceStorage]; c.Name != SystemStoragePVC || q.String() != "100Mi" ||
		c.Spec.AccessModes[0] != corev1.ReadWriteMany || c.Spec.StorageClassName != nil || c.Spec.VolumeName != "" {
		t.Errorf("default claim: %+v", c.Spec)
	}
	c = systemStorageClaim(newTestInputs(appsv1alpha1.APIManagerSpec{System: &appsv1alpha1.SystemSpec{
		FileStorageSpec: &appsv1alpha1.SystemFileStorageSpec{PVC: &appsv1alpha1.PVCGenericSpec{
			StorageClassName: ptr.To("nfs"),
			Resources:        &appsv1alpha1.PersistentVolumeClaimResources{Requests: resource.MustParse("2Gi")},
			VolumeName:       ptr.To("pv1"),
		}},
	}}))
	if q := c.Spec.Resources.Requests[corev1.ResourceStorage]; q.String() != "2Gi" || ptr.Deref(c.Spec.StorageClassName, "") != "nfs" || c.Spec.VolumeName != "pv1" {
		t.Errorf("claim from the spec: %+v", c.Spec)
	}
}

// TestS3Environment checks that the system pods get the S3 settings and FILE_UPLOAD_STORAGE, and
// no storage volume.
func TestS3Environment(t *testing.T) {
	in := newTestInputs(s3Spec(nil))
	objs := System(in)
	if got := systemEnvironmentData(in)["FILE_UPLOAD_STORAGE"]; got != "s3" {
		t.Errorf("FILE_UPLOAD_STORAGE=%q, want s3", got)
	}
	for _, name := range []string{SystemAppName, SystemSidekiqName} {
		d := deployment(t, objs, name)
		for _, v := range d.Spec.Template.Spec.Volumes {
			if v.PersistentVolumeClaim != nil {
				t.Errorf("%s mounts claim %s with S3", name, v.PersistentVolumeClaim.ClaimName)
			}
		}
		if !envNames(d.Spec.Template.Spec.Containers[0])["AWS_BUCKET"] {
			t.Errorf("%s has no AWS_BUCKET", name)
		}
	}
	if _, ok := systemEnvironmentData(newTestInputs(appsv1alpha1.APIManagerSpec{}))["FILE_UPLOAD_STORAGE"]; ok {
		t.Error("FILE_UPLOAD_STORAGE set without S3")
	}
}
