package openapi

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
)

// The 3scale extensions of an OpenAPI document, as the 3scale operator that Red Hat ships reads
// them, so that documents written for it import the same: x-3scale-product at the root adds
// metrics, policies and application plans to the product; x-3scale-operation on an operation
// sets its mapping rule's metric, increment and last flag.
const (
	productExtension   = "x-3scale-product"
	operationExtension = "x-3scale-operation"
)

// productExt is the x-3scale-product extension: Product spec fields, in their JSON shape.
type productExt struct {
	Metrics          map[string]capabilitiesv1beta1.MetricSpec          `json:"metrics,omitempty"`
	Policies         []capabilitiesv1beta1.PolicyConfig                 `json:"policies,omitempty"`
	ApplicationPlans map[string]capabilitiesv1beta1.ApplicationPlanSpec `json:"applicationPlans,omitempty"`
}

// operationExt is the x-3scale-operation extension.
type operationExt struct {
	MappingRule struct {
		MetricMethodRef string `json:"metricMethodRef,omitempty"`
		Increment       *int   `json:"increment,omitempty"`
		Last            *bool  `json:"last,omitempty"`
	} `json:"mappingRule"`
}

// decodeExtension decodes the extension name of exts into out; false when there is none.
func decodeExtension(exts map[string]any, name string, out any) (bool, error) {
	v, ok := exts[name]
	if !ok || v == nil {
		return false, nil
	}
	raw, err := json.Marshal(v)
	if err == nil {
		err = json.Unmarshal(raw, out)
	}
	if err != nil {
		return true, fmt.Errorf("%s: %v", name, err)
	}
	return true, nil
}

// productExtension returns the document's x-3scale-product, checked the way the Product
// controller would check it (metrics need a friendly name and a unit, policies a name and a
// version), nil when there is none.
func (im *importer) productExtension() (*productExt, error) {
	var ext productExt
	found, err := decodeExtension(im.doc.Extensions, productExtension, &ext)
	if err != nil || !found {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(ext.Metrics)) {
		if m := ext.Metrics[name]; m.Name == "" || m.Unit == "" {
			return nil, fmt.Errorf("%s.metrics.%s: friendlyName and unit are required", productExtension, name)
		}
	}
	for i, p := range ext.Policies {
		if p.Name == "" || p.Version == "" {
			return nil, fmt.Errorf("%s.policies[%d]: name and version are required", productExtension, i)
		}
	}
	return &ext, nil
}

// applyOperationExtension sets rule from the operation's x-3scale-operation, if any.
func (im *importer) applyOperationExtension(o operation, rule *capabilitiesv1beta1.MappingRuleSpec) error {
	var ext operationExt
	found, err := decodeExtension(o.op.Extensions, operationExtension, &ext)
	if err != nil || !found {
		return err
	}
	mr := ext.MappingRule
	if mr.MetricMethodRef != "" {
		rule.MetricMethodRef = mr.MetricMethodRef
	}
	if mr.Increment != nil {
		rule.Increment = *mr.Increment
	}
	if mr.Last != nil {
		rule.Last = ptr(*mr.Last)
	}
	return nil
}
