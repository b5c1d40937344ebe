package backup

import (
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/threescale-oss/operator/pkg/apimanager/render"
)

var testImages = render.Images{SystemMySQL: "mysql:t", SystemPostgreSQL: "pg:t", ZyncPostgreSQL: "zpg:t", SystemRedis: "sredis:t", BackendRedis: "bredis:t", System: "porta:t"}

func testParams(kind string) Params {
	return Params{
		Kind: kind, Namespace: "ns", ClaimName: "claim", OperatorImage: "operator:t", Images: testImages,
		Owner:          metav1.OwnerReference{APIVersion: "apps.3scale.net/v1alpha1", Kind: "APIManagerBackup", Name: "b", UID: "0123456789abcdef0123456789abcdef0123"},
		APIManagerName: "example",
		SidekiqPod: &corev1.PodSpec{ServiceAccountName: "amp", Containers: []corev1.Container{{Name: "system-sidekiq", Image: "porta:t",
			Command: []string{"bash", "-c", "bundle exec sidekiq"}, Env: []corev1.EnvVar{{Name: "DATABASE_URL", Value: "mysql2://x"}},
			ReadinessProbe: &corev1.Probe{}}}, InitContainers: []corev1.Container{{Name: "check-svc"}}},
	}
}

func TestStepObjects(t *testing.T) {
	type want struct {
		image, cmd string
		rules      int
		volumes    []string
	}
	cases := map[string]want{
		"backup/secrets-configmaps":  {image: "operator:t", cmd: "backup-objects", rules: 2, volumes: []string{"claim"}},
		"backup/apimanager":          {image: "operator:t", cmd: "backup-objects", rules: 1, volumes: []string{"claim"}},
		"backup/system-storage":      {image: "operator:t", cmd: "copy-files", volumes: []string{"claim", "system-storage"}},
		"backup/system-mysql":        {image: "mysql:t", cmd: "mysqldump --single-transaction", volumes: []string{"claim"}},
		"backup/system-postgresql":   {image: "pg:t", cmd: "pg_dump", volumes: []string{"claim"}},
		"backup/zync-database":       {image: "zpg:t", cmd: "pg_dump", volumes: []string{"claim"}},
		"backup/system-redis":        {image: "sredis:t", cmd: "--rdb", volumes: []string{"claim"}},
		"backup/backend-redis":       {image: "bredis:t", cmd: "--rdb", volumes: []string{"claim"}},
		"restore/secrets-configmaps": {image: "operator:t", cmd: "restore-objects", rules: 2, volumes: []string{"claim"}},
		"restore/system-storage":     {image: "operator:t", cmd: "copy-files", volumes: []string{"claim", "system-storage"}},
		"restore/apimanager":         {image: "operator:t", cmd: "restore-objects", rules: 1, volumes: []string{"claim"}},
		"restore/system-mysql":       {image: "mysql:t", cmd: "mysql -h", volumes: []string{"claim"}},
		"restore/zync-database":      {image: "zpg:t", cmd: "psql", volumes: []string{"claim"}},
		"restore/backend-redis":      {image: "bredis:t", cmd: "migrate", volumes: []string{"claim"}},
		"restore/resync-domains":     {image: "porta:t", cmd: "zync:resync:domains"},
	}
	for name, w := range cases {
		t.Run(name, func(t *testing.T) {
			kind, step, _ := strings.Cut(name, "/")
			objs, job, err := StepObjects(testParams(kind), step)
			if err != nil {
				t.Fatal(err)
			}
			if len(job.Name) > 63 || !strings.HasPrefix(job.Name, kind+"-"+step+"-") {
				t.Errorf("Job name %q", job.Name)
			}
			pod := job.Spec.Template.Spec
			c := pod.Containers[0]
			if len(pod.Containers) != 1 || c.Image != w.image || !strings.Contains(strings.Join(append(c.Command, c.Args...), " "), w.cmd) {
				t.Errorf("container %s %v %v", c.Image, c.Command, c.Args)
			}
			var claims []string
			for _, v := range pod.Volumes {
				if v.PersistentVolumeClaim != nil {
					claims = append(claims, v.PersistentVolumeClaim.ClaimName)
					if v.PersistentVolumeClaim.ClaimName == "claim" && v.PersistentVolumeClaim.ReadOnly != (kind == KindRestore) {
						t.Errorf("the backup claim is read-only=%v in a %s", v.PersistentVolumeClaim.ReadOnly, kind)
					}
				}
			}
			if !slices.Equal(claims, w.volumes) {
				t.Errorf("claims = %v, want %v", claims, w.volumes)
			}
			var rules []rbacv1.PolicyRule
			for _, o := range objs {
				if r, ok := o.(*rbacv1.Role); ok {
					rules = r.Rules
				}
			}
			if len(rules) != w.rules || (len(objs) == 1) != (w.rules == 0) {
				t.Errorf("rules = %+v (%d objects)", rules, len(objs))
			}
			if *pod.AutomountServiceAccountToken != (w.rules > 0) || pod.ServiceAccountName != job.Name || pod.RestartPolicy != corev1.RestartPolicyNever {
				t.Errorf("pod identity: automount %v, SA %s", *pod.AutomountServiceAccountToken, pod.ServiceAccountName)
			}
			if c.TerminationMessagePolicy != corev1.TerminationMessageFallbackToLogsOnError || *c.SecurityContext.AllowPrivilegeEscalation {
				t.Errorf("container security/termination: %+v %s", c.SecurityContext, c.TerminationMessagePolicy)
			}
			for _, r := range rules {
				for _, v := range r.Verbs {
					if v == "list" || v == "watch" || v == "delete" || v == "*" {
						t.Errorf("rule %+v allows %s", r, v)
					}
				}
			}
		})
	}
}

func TestStepObjectsRefusals(t *testing.T) {
	p := testParams(KindBackup)
	p.OperatorImage = ""
	if _, _, err := StepObjects(p, StepSecretsConfigMaps); err == nil || !strings.Contains(err.Error(), OperatorImageEnv) {
		t.Errorf("without the operator image: %v", err)
	}
	if _, _, err := StepObjects(testParams(KindBackup), StepWaitAvailable); err == nil {
		t.Error("a wait step has no Job")
	}
	p = testParams(KindRestore)
	p.SidekiqPod = nil
	if _, _, err := StepObjects(p, StepResyncDomains); err == nil {
		t.Error("resync without sidekiq's pod")
	}
}

func TestResyncJobRunsSidekiqsEnvironment(t *testing.T) {
	_, job, err := StepObjects(testParams(KindRestore), StepResyncDomains)
	if err != nil {
		t.Fatal(err)
	}
	pod := job.Spec.Template.Spec
	c := pod.Containers[0]
	if len(pod.InitContainers) != 0 || c.ReadinessProbe != nil || c.Env[0].Name != "DATABASE_URL" ||
		!slices.Equal(c.Command, []string{"bundle", "exec", "rake", "zync:resync:domains"}) {
		t.Errorf("resync pod = %+v", pod)
	}
}

func TestRestoreOverwrite(t *testing.T) {
	p := testParams(KindRestore)
	_, job, _ := StepObjects(p, StepSystemStorage)
	if !slices.Contains(job.Spec.Template.Spec.Containers[0].Args, "--empty-destination") {
		t.Error("a restore without overwrite must refuse a non-empty file storage")
	}
	p.Overwrite = true
	_, job, _ = StepObjects(p, StepSystemStorage)
	if slices.Contains(job.Spec.Template.Spec.Containers[0].Args, "--empty-destination") {
		t.Error("overwrite must copy over files")
	}
	_, job, _ = StepObjects(p, StepSecretsConfigMaps)
	if !slices.Contains(job.Spec.Template.Spec.Containers[0].Args, "--overwrite") {
		t.Error("overwrite must reach restore-objects")
	}
}
