package export

import (
	"context"
	"sort"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/backend"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
)

// exportBackends exports every backend of the tenant, in ID order, with its metrics, methods
// and mapping rules, read as the Backend controller reads them.
func (x *exporter) exportBackends(ctx context.Context) error {
	list, err := x.c.ListBackends(ctx)
	if err != nil {
		return err
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	for _, b := range list {
		o, err := backend.Observe(ctx, x.c, b.SystemName, b.ID)
		if err != nil {
			return err
		}
		if o.Backend == nil {
			continue // deleted while the export ran
		}
		metrics, methods, rules, byID := children(planning.BackendOwner(b.ID), o.Children.Metrics, o.Children.MappingRules)
		obj := &capabilitiesv1beta1.Backend{
			TypeMeta:   metav1.TypeMeta{APIVersion: capabilitiesv1beta1.GroupVersion.String(), Kind: capabilitiesv1beta1.BackendKind},
			ObjectMeta: metav1.ObjectMeta{Name: x.names.next(capabilitiesv1beta1.BackendKind, b.SystemName, "backend")},
			Spec: capabilitiesv1beta1.BackendSpec{
				Name: o.Backend.Name, SystemName: o.Backend.SystemName, Description: o.Backend.Description,
				PrivateBaseURL: o.Backend.PrivateEndpoint, Metrics: metrics, Methods: methods, MappingRules: rules,
				ProviderAccountRef: x.providerAccountRef(),
			},
		}
		// Check the export with the Backend's own planner: what it would still do is
		// unfaithful. Adoption marks the backend as managed; that is not a difference.
		stamped := *o.Backend
		stamped.Annotations = planning.ManagedBy
		o.Backend = &stamped
		ops, err := backend.Plan(backend.NewDesired(obj), o, nil)
		if err != nil {
			return err
		}
		x.unfaithful(obj.Kind, obj.Name, ops)
		x.backends[b.ID] = &exportedBackend{systemName: b.SystemName, metrics: byID, metricList: o.Children.Metrics}
		x.add(obj)
	}
	return nil
}
