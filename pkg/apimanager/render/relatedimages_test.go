package render

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/yaml"
)

// TestManagerRelatedImages checks that the operator's Deployment (config/manager, and through it
// the bundle's CSV) sets a RELATED_IMAGE_* variable for every image of the platform, under the
// existing operator's names, with the default image: a disconnected install mirrors what they name.
func TestManagerRelatedImages(t *testing.T) {
	b, err := os.ReadFile("../../../config/manager/manager.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, doc := range strings.Split(string(b), "\n---") {
		var d appsv1.Deployment
		if err := yaml.Unmarshal([]byte(doc), &d); err != nil || d.Kind != "Deployment" {
			continue
		}
		for _, c := range d.Spec.Template.Spec.Containers {
			for _, e := range c.Env {
				if strings.HasPrefix(e.Name, "RELATED_IMAGE_") {
					got[e.Name] = e.Value
				}
			}
		}
	}
	def := DefaultImages()
	want := map[string]string{
		RelatedImageApicastEnv: def.Apicast, RelatedImageBackendEnv: def.Backend, RelatedImageSystemEnv: def.System,
		RelatedImageSearchdEnv: def.Searchd, RelatedImageMemcachedEnv: def.Memcached, RelatedImageZyncEnv: def.Zync,
		RelatedImageZyncPostgreSQLEnv: def.ZyncPostgreSQL, RelatedImageSystemMySQLEnv: def.SystemMySQL,
		RelatedImageSystemPostgreSQLEnv: def.SystemPostgreSQL, RelatedImageSystemRedisEnv: def.SystemRedis,
		RelatedImageBackendRedisEnv: def.BackendRedis, RelatedImageOCCliEnv: def.OCCli,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("RELATED_IMAGE_* of config/manager/manager.yaml (-want +got):\n%s", diff)
	}
	// The existing operator's eight names, which users' mirroring scripts set.
	for _, name := range []string{"RELATED_IMAGE_APICAST", "RELATED_IMAGE_BACKEND", "RELATED_IMAGE_SYSTEM",
		"RELATED_IMAGE_ZYNC", "RELATED_IMAGE_SYSTEM_MEMCACHED", "RELATED_IMAGE_SYSTEM_SEARCHD",
		"RELATED_IMAGE_ZYNC_POSTGRESQL", "RELATED_IMAGE_OC_CLI"} {
		if _, ok := got[name]; !ok {
			t.Errorf("%s is not set", name)
		}
	}
}
