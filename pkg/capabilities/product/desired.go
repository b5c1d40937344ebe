package product

import (
	"context"
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/capabilities/promote"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// Desired is what a Product asks of 3scale: its spec, with the defaults the operator applies in
// memory and the values it keeps in Secrets resolved.
type Desired struct {
	// Spec is the product's spec. Plan never modifies it.
	Spec *capabilitiesv1beta1.ProductSpec
	// SystemName is spec.systemName or its default.
	SystemName string
	// IssuerEndpoint is the OIDC issuer endpoint (from issuerEndpointRef when set); "" when the
	// product does not use OIDC.
	IssuerEndpoint string
	// Policies is the policy chain to apply: spec.policies with the apicast policy added when
	// missing, and configurationRef merged into each configuration.
	Policies []threescale.PolicyConfig
	// Promotion is the promotion spec.promoteTo asks for; nil when unset.
	Promotion *Promotion
}

// Promotion is how a product's configuration is kept promoted (spec.promoteTo).
type Promotion struct {
	// Production promotes to production after deploying to staging.
	Production bool
	// Owed is true when the versions the status records do not cover what spec.promoteTo asks
	// (it was just set, or production was added): a promotion is due even if nothing changes.
	Owed bool
	// Done records what a promotion did (in the object's status).
	Done func(promote.Result)
}

// promotionOf returns the Promotion of p, recording its outcome in p's status; nil when p asks
// for none.
func promotionOf(p *capabilitiesv1beta1.Product) *Promotion {
	to := p.Spec.PromoteTo
	if to == "" {
		return nil
	}
	production := to == capabilitiesv1beta1.PromoteToProduction
	return &Promotion{
		Production: production,
		Owed:       p.Status.StagingVersion == 0 || (production && p.Status.ProductionVersion == 0),
		Done: func(r promote.Result) {
			p.Status.StagingVersion = r.After.Staging
			if production {
				p.Status.ProductionVersion = r.After.Production
			}
		},
	}
}

// SecretValue returns the value of key in the Secret ref (of the product's namespace when ref
// names none) that field references. The controller backs it with tenant.SecretReader, which
// refuses Secrets of other namespaces that do not allow it; an error says which Secret or key is
// missing.
type SecretValue func(ctx context.Context, ref corev1.SecretReference, field, key string) (string, error)

// NewDesired builds the Desired of p, reading the Secrets its spec references through secret.
// A configuration that is not a JSON object is an *planning.InvalidError.
func NewDesired(ctx context.Context, p *capabilitiesv1beta1.Product, secret SecretValue) (*Desired, error) {
	d := &Desired{Spec: &p.Spec, SystemName: p.SystemNameOrDefault(), Promotion: promotionOf(p)}
	if auth := p.Spec.Authentication(); auth != nil && auth.OIDC != nil {
		d.IssuerEndpoint = auth.OIDC.IssuerEndpoint
		if ref := auth.OIDC.IssuerEndpointRef; ref != nil {
			v, err := secret(ctx, *ref, "issuerEndpointRef", capabilitiesv1beta1.OIDCIssuerEndpointSecretKey)
			if err != nil {
				return nil, err
			}
			d.IssuerEndpoint = v
		}
	}
	for i, pc := range p.Spec.PoliciesWithAPIcast() {
		conf := map[string]any{}
		if pc.Configuration != nil && len(pc.Configuration.Raw) > 0 {
			if err := json.Unmarshal(pc.Configuration.Raw, &conf); err != nil || conf == nil {
				return nil, &planning.InvalidError{Field: fmt.Sprintf("spec.policies[%d].configuration", i), Message: "must be a JSON object"}
			}
		}
		if ref := pc.ConfigurationRef; ref != nil {
			v, err := secret(ctx, *ref, fmt.Sprintf("spec.policies[%d].configurationRef", i), capabilitiesv1beta1.ProductPolicyConfigurationSecretKey)
			if err != nil {
				return nil, err
			}
			fromSecret := map[string]any{}
			if err := json.Unmarshal([]byte(v), &fromSecret); err != nil || fromSecret == nil {
				return nil, &planning.InvalidError{
					Field:   fmt.Sprintf("spec.policies[%d].configurationRef", i),
					Message: fmt.Sprintf("key %q of Secret %q must hold a JSON object", capabilitiesv1beta1.ProductPolicyConfigurationSecretKey, ref.Name),
				}
			}
			// The Secret's keys win: it is where users put what must not be in the spec.
			for k, v := range fromSecret {
				conf[k] = v
			}
		}
		raw, err := json.Marshal(conf)
		if err != nil {
			return nil, fmt.Errorf("cannot encode the configuration of policy %q: %w", pc.Name, err)
		}
		d.Policies = append(d.Policies, threescale.PolicyConfig{Name: pc.Name, Version: pc.Version, Enabled: pc.Enabled, Configuration: raw})
	}
	return d, nil
}
