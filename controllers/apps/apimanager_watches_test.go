package apps

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/threescale-oss/operator/pkg/apimanager/inputs"
)

type recordingController struct {
	watched []source.TypedSource[reconcile.Request]
	err     error
}

func (c *recordingController) Watch(src source.TypedSource[reconcile.Request]) error {
	if c.err != nil {
		return c.err
	}
	c.watched = append(c.watched, src)
	return nil
}

// namedSource is a stand-in source that remembers its kind.
type namedSource struct {
	source.Source
	kind string
}

func TestOptionalWatchesAreAddedOncePerKind(t *testing.T) {
	c := &recordingController{}
	w := &optionalWatches{controller: c, source: func(gvk schema.GroupVersionKind) source.Source {
		return namedSource{kind: gvk.Kind}
	}}
	steps := [][]schema.GroupVersionKind{
		nil,
		{inputs.PodMonitorGVK},
		{inputs.PodMonitorGVK, inputs.GrafanaDashboardGVK}, // the Grafana CRD installed later
		{inputs.PodMonitorGVK, inputs.GrafanaDashboardGVK},
	}
	for _, gvks := range steps {
		if err := w.ensure(gvks); err != nil {
			t.Fatal(err)
		}
	}
	var kinds []string
	for _, s := range c.watched {
		kinds = append(kinds, s.(namedSource).kind)
	}
	if diff := cmp.Diff([]string{"PodMonitor", "GrafanaDashboard"}, kinds); diff != "" {
		t.Errorf("watched (-want +got):\n%s", diff)
	}

	failing := &optionalWatches{controller: &recordingController{err: errors.New("boom")},
		source: func(schema.GroupVersionKind) source.Source { return namedSource{} }}
	if err := failing.ensure([]schema.GroupVersionKind{inputs.RouteGVK}); err == nil {
		t.Error("a failed watch must be reported")
	}
	if err := failing.ensure(nil); err != nil {
		t.Errorf("nothing to watch: %v", err)
	}
	var none *optionalWatches
	if err := none.ensure([]schema.GroupVersionKind{inputs.RouteGVK}); err != nil {
		t.Errorf("a reconciler not set up with a manager watches nothing: %v", err)
	}
}
