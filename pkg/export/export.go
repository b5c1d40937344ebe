package export

import (
	"context"
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// Options shape the exported objects.
type Options struct {
	// ProviderAccountRef is the Secret (admin URL and token of the tenant) the objects name in
	// spec.providerAccountRef; "" names none, so they use their namespace's default Secret.
	ProviderAccountRef string
}

// Result is an exported tenant.
type Result struct {
	// Objects are the exported objects in the order they are best applied (Secrets, Backends,
	// Products, then the others), with apiVersion and kind set and no namespace: the namespace
	// they are applied to holds them.
	Objects []client.Object
	// Unfaithful lists, per object, what a sync of it would still change in 3scale (what the
	// export could not express); empty when the export is faithful.
	Unfaithful []string
	// SecretsToCreate lists the Secrets the objects reference that the export cannot write
	// (passwords 3scale never returns), with what each must hold.
	SecretsToCreate []string
}

// Export reads the tenant of c and returns its objects. It only reads.
func Export(ctx context.Context, c *threescale.Client, opts Options) (*Result, error) {
	x := &exporter{c: c, opts: opts, names: newNames(), backends: map[int64]*exportedBackend{},
		products: map[int64]exportedProduct{}, plans: map[int64]string{}, result: &Result{}}
	steps := []func(context.Context) error{x.exportBackends, x.exportProducts, x.exportActiveDocs, x.exportCustomPolicies, x.exportAccounts}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return nil, err
		}
	}
	return x.result, nil
}

// exporter holds what one export has read so far.
type exporter struct {
	c        *threescale.Client
	opts     Options
	names    *names
	backends map[int64]*exportedBackend // by 3scale ID
	products map[int64]exportedProduct  // by 3scale ID
	plans    map[int64]string           // system names of the exported application plans, by ID
	result   *Result
}

// exportedBackend is what Products need of a backend they use.
type exportedBackend struct {
	systemName string
	// metrics maps the IDs of the backend's metrics and methods to their system names.
	metrics map[int64]string
	// metricList is the backend's metric list as 3scale returns it.
	metricList []threescale.Metric
}

// exportedProduct is what ActiveDocs and Applications need of a product.
type exportedProduct struct {
	name, systemName string
}

func (x *exporter) add(obj client.Object) { x.result.Objects = append(x.result.Objects, obj) }

// unfaithful records the operations a sync of obj would still make.
func (x *exporter) unfaithful(kind, name string, ops []planning.Operation) {
	for _, op := range ops {
		x.result.Unfaithful = append(x.result.Unfaithful, fmt.Sprintf("%s %s: a sync would %s", kind, name, op.Description))
	}
}

func (x *exporter) providerAccountRef() *corev1.LocalObjectReference {
	if x.opts.ProviderAccountRef == "" {
		return nil
	}
	return &corev1.LocalObjectReference{Name: x.opts.ProviderAccountRef}
}

// children turns an owner's metrics, methods and mapping rules as 3scale lists them into spec
// fields, and maps the IDs of the metrics and methods to their system names. The hits metric is
// listed only when it is not as 3scale creates it (the operator adds it otherwise). Mapping rules
// keep 3scale's order (by position).
func children(owner planning.Owner, ms []threescale.Metric, rules []threescale.MappingRule) (map[string]capabilitiesv1beta1.MetricSpec, map[string]capabilitiesv1beta1.MethodSpec, []capabilitiesv1beta1.MappingRuleSpec, map[int64]string) {
	byID := map[int64]string{}
	var metrics map[string]capabilitiesv1beta1.MetricSpec
	var methods map[string]capabilitiesv1beta1.MethodSpec
	for _, m := range ms {
		name := owner.SystemName(m)
		byID[m.ID] = name
		if m.ParentID != 0 {
			if methods == nil {
				methods = map[string]capabilitiesv1beta1.MethodSpec{}
			}
			methods[name] = capabilitiesv1beta1.MethodSpec{Name: m.FriendlyName, Description: m.Description}
			continue
		}
		spec := capabilitiesv1beta1.MetricSpec{Name: m.FriendlyName, Unit: m.Unit, Description: m.Description}
		if name == capabilitiesv1beta1.HitsMetricSystemName && spec == capabilitiesv1beta1.DefaultHitsMetric() {
			continue
		}
		if metrics == nil {
			metrics = map[string]capabilitiesv1beta1.MetricSpec{}
		}
		metrics[name] = spec
	}
	sorted := append([]threescale.MappingRule(nil), rules...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Position < sorted[j].Position })
	var out []capabilitiesv1beta1.MappingRuleSpec
	for _, r := range sorted {
		spec := capabilitiesv1beta1.MappingRuleSpec{HTTPMethod: r.HTTPMethod, Pattern: r.Pattern, MetricMethodRef: byID[r.MetricID], Increment: int(r.Delta)}
		if r.Last {
			last := true
			spec.Last = &last
		}
		out = append(out, spec)
	}
	return metrics, methods, out, byID
}
