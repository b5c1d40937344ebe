package export

import (
	"context"
	"fmt"
	"math/big"
	"sort"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/capabilities/product"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// exportProducts exports every product of the tenant, in ID order, read as the Product
// controller reads it: attributes, deployment and authentication (proxy, OIDC flows), policy
// chain, metrics, methods, mapping rules, backend usages, application plans with their limits
// and pricing rules. Plans customized for one application are left out, as the Product leaves
// them alone. Backends must have been exported first.
func (x *exporter) exportProducts(ctx context.Context) error {
	list, err := x.c.ListProducts(ctx)
	if err != nil {
		return err
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	for _, p := range list {
		if err := x.exportProduct(ctx, p); err != nil {
			return fmt.Errorf("product %q: %w", p.SystemName, err)
		}
	}
	return nil
}

func (x *exporter) exportProduct(ctx context.Context, p threescale.Product) error {
	// Observe reads the OIDC flows only for a product its spec says uses OIDC.
	probe := &capabilitiesv1beta1.ProductSpec{}
	if p.BackendVersion == capabilitiesv1beta1.AuthenticationModeOIDC {
		probe.Deployment = &capabilitiesv1beta1.ProductDeploymentSpec{ApicastHosted: &capabilitiesv1beta1.ApicastHostedSpec{
			Authentication: &capabilitiesv1beta1.AuthenticationSpec{OIDC: &capabilitiesv1beta1.OIDCSpec{}}}}
	}
	o, err := product.Observe(ctx, x.c, &product.Desired{Spec: probe}, p.ID, nil)
	if err != nil {
		return err
	}
	if o.Product == nil {
		return nil // deleted while the export ran
	}
	name := x.names.next(capabilitiesv1beta1.ProductKind, p.SystemName, "product")
	obj := &capabilitiesv1beta1.Product{
		TypeMeta:   metav1.TypeMeta{APIVersion: capabilitiesv1beta1.GroupVersion.String(), Kind: capabilitiesv1beta1.ProductKind},
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: capabilitiesv1beta1.ProductSpec{
			Name: o.Product.Name, SystemName: o.Product.SystemName, Description: o.Product.Description,
			ProviderAccountRef: x.providerAccountRef(),
		},
	}
	spec := &obj.Spec
	var issuer *corev1.Secret
	spec.Deployment, issuer = x.deployment(name, o)
	spec.Policies = policies(o.Policies)

	owner := planning.ProductOwner(p.ID, nil)
	var productMetrics map[int64]string
	spec.Metrics, spec.Methods, spec.MappingRules, productMetrics = children(owner, o.Metrics, o.MappingRules)

	backendIDs := map[string]int64{}
	for _, u := range o.BackendUsages {
		b, ok := x.backends[u.BackendID]
		if !ok {
			x.result.Unfaithful = append(x.result.Unfaithful, fmt.Sprintf("Product %s: backend %d of a backend usage was not exported", name, u.BackendID))
			continue
		}
		if spec.BackendUsages == nil {
			spec.BackendUsages = map[string]capabilitiesv1beta1.BackendUsageSpec{}
		}
		spec.BackendUsages[b.systemName] = capabilitiesv1beta1.BackendUsageSpec{Path: u.Path}
		backendIDs[b.systemName] = u.BackendID
		o.BackendMetrics[b.systemName] = b.metricList
	}
	refs := metricRefs{product: productMetrics, backends: map[int64]refOfBackend{}}
	for systemName, id := range backendIDs {
		for mid, m := range x.backends[id].metrics {
			refs.backends[mid] = refOfBackend{backend: systemName, metric: m}
		}
	}
	for _, op := range o.Plans {
		if op.Plan.Custom {
			continue
		}
		if spec.ApplicationPlans == nil {
			spec.ApplicationPlans = map[string]capabilitiesv1beta1.ApplicationPlanSpec{}
		}
		spec.ApplicationPlans[op.Plan.SystemName] = refs.plan(op)
		x.plans[op.Plan.ID] = op.Plan.SystemName
	}

	// Check the export with the Product's own planner: what it would still do is unfaithful.
	secret := func(_ context.Context, ref corev1.SecretReference, _, key string) (string, error) {
		if issuer == nil || ref.Name != issuer.Name {
			return "", fmt.Errorf("secret %q is not exported", ref.Name)
		}
		return issuer.StringData[key], nil
	}
	d, err := product.NewDesired(ctx, obj, secret)
	if err != nil {
		return err
	}
	stamped := *o.Product
	stamped.Annotations = planning.ManagedBy // adoption marks it; that is not a difference
	o.Product = &stamped
	ops, err := product.Plan(d, o, backendIDs)
	if err != nil {
		return err
	}
	x.unfaithful(obj.Kind, name, ops)
	x.products[p.ID] = exportedProduct{name: name, systemName: p.SystemName}
	if issuer != nil {
		x.add(issuer)
	}
	x.add(obj)
	return nil
}

// deployment returns spec.deployment of the product o: where its gateway runs and how it
// authenticates. An OIDC issuer endpoint holds the client's secret: it goes into a Secret the
// spec references. A deployment option the Product cannot express (a service mesh) is left
// out, and the Product leaves it alone.
func (x *exporter) deployment(name string, o *product.Observed) (*capabilitiesv1beta1.ProductDeploymentSpec, *corev1.Secret) {
	px := o.Proxy
	if px == nil {
		px = &threescale.Proxy{}
	}
	auth, issuer := authentication(name, o.Product.BackendVersion, px, o.OIDC)
	switch o.Product.DeploymentOption {
	case capabilitiesv1beta1.DeploymentOptionHosted:
		return &capabilitiesv1beta1.ProductDeploymentSpec{ApicastHosted: &capabilitiesv1beta1.ApicastHostedSpec{Authentication: auth}}, issuer
	case capabilitiesv1beta1.DeploymentOptionSelfManaged:
		return &capabilitiesv1beta1.ProductDeploymentSpec{ApicastSelfManaged: &capabilitiesv1beta1.ApicastSelfManagedSpec{
			Authentication:          auth,
			StagingPublicBaseURL:    nonEmpty(px.SandboxEndpoint),
			ProductionPublicBaseURL: nonEmpty(px.Endpoint),
		}}, issuer
	}
	return nil, nil
}

func authentication(name, mode string, px *threescale.Proxy, flows *threescale.OIDCConfiguration) (*capabilitiesv1beta1.AuthenticationSpec, *corev1.Secret) {
	security := securityOf(px)
	responses := gatewayResponseOf(px)
	switch mode {
	case capabilitiesv1beta1.AuthenticationModeUserKey:
		return &capabilitiesv1beta1.AuthenticationSpec{UserKeyAuthentication: &capabilitiesv1beta1.UserKeyAuthenticationSpec{
			Key: nonEmpty(px.AuthUserKey), CredentialsLoc: nonEmpty(px.CredentialsLocation), Security: security, GatewayResponse: responses,
		}}, nil
	case capabilitiesv1beta1.AuthenticationModeAppKeyAppID:
		return &capabilitiesv1beta1.AuthenticationSpec{AppKeyAppIDAuthentication: &capabilitiesv1beta1.AppKeyAppIDAuthenticationSpec{
			AppID: nonEmpty(px.AuthAppID), AppKey: nonEmpty(px.AuthAppKey), CredentialsLoc: nonEmpty(px.CredentialsLocation),
			Security: security, GatewayResponse: responses,
		}}, nil
	case capabilitiesv1beta1.AuthenticationModeOIDC:
		oidc := &capabilitiesv1beta1.OIDCSpec{
			IssuerType: px.OIDCIssuerType, JwtClaimWithClientID: nonEmpty(px.JWTClaimWithClientID),
			JwtClaimWithClientIDType: nonEmpty(px.JWTClaimWithClientIDType), CredentialsLoc: nonEmpty(px.CredentialsLocation),
			Security: security, GatewayResponse: responses,
		}
		if flows != nil {
			oidc.AuthenticationFlow = &capabilitiesv1beta1.OIDCAuthenticationFlowSpec{
				StandardFlowEnabled: flows.StandardFlowEnabled, ImplicitFlowEnabled: flows.ImplicitFlowEnabled,
				ServiceAccountsEnabled: flows.ServiceAccountsEnabled, DirectAccessGrantsEnabled: flows.DirectAccessGrantsEnabled,
			}
		}
		var issuer *corev1.Secret
		if px.OIDCIssuerEndpoint != "" {
			issuer = &corev1.Secret{
				TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
				ObjectMeta: metav1.ObjectMeta{Name: name + "-oidc-issuer"},
				StringData: map[string]string{capabilitiesv1beta1.OIDCIssuerEndpointSecretKey: px.OIDCIssuerEndpoint},
			}
			oidc.IssuerEndpointRef = &corev1.SecretReference{Name: issuer.Name}
		}
		return &capabilitiesv1beta1.AuthenticationSpec{OIDC: oidc}, issuer
	}
	return nil, nil
}

func securityOf(px *threescale.Proxy) *capabilitiesv1beta1.SecuritySpec {
	s := capabilitiesv1beta1.SecuritySpec{HostHeader: nonEmpty(px.HostnameRewrite), SecretToken: nonEmpty(px.SecretToken)}
	if s == (capabilitiesv1beta1.SecuritySpec{}) {
		return nil
	}
	return &s
}

func gatewayResponseOf(px *threescale.Proxy) *capabilitiesv1beta1.GatewayResponseSpec {
	r := capabilitiesv1beta1.GatewayResponseSpec{
		ErrorStatusAuthFailed: status(px.ErrorStatusAuthFailed), ErrorHeadersAuthFailed: nonEmpty(px.ErrorHeadersAuthFailed), ErrorAuthFailed: nonEmpty(px.ErrorAuthFailed),
		ErrorStatusAuthMissing: status(px.ErrorStatusAuthMissing), ErrorHeadersAuthMissing: nonEmpty(px.ErrorHeadersAuthMissing), ErrorAuthMissing: nonEmpty(px.ErrorAuthMissing),
		ErrorStatusNoMatch: status(px.ErrorStatusNoMatch), ErrorHeadersNoMatch: nonEmpty(px.ErrorHeadersNoMatch), ErrorNoMatch: nonEmpty(px.ErrorNoMatch),
		ErrorStatusLimitsExceeded: status(px.ErrorStatusLimitsExceeded), ErrorHeadersLimitsExceeded: nonEmpty(px.ErrorHeadersLimitsExceeded), ErrorLimitsExceeded: nonEmpty(px.ErrorLimitsExceeded),
	}
	if r == (capabilitiesv1beta1.GatewayResponseSpec{}) {
		return nil
	}
	return &r
}

// policies returns the policy chain as spec.policies lists it.
func policies(chain []threescale.PolicyConfig) []capabilitiesv1beta1.PolicyConfig {
	var out []capabilitiesv1beta1.PolicyConfig
	for _, pc := range chain {
		conf := []byte(pc.Configuration)
		if len(conf) == 0 || string(conf) == "null" {
			conf = []byte("{}")
		}
		out = append(out, capabilitiesv1beta1.PolicyConfig{Name: pc.Name, Version: pc.Version, Enabled: pc.Enabled,
			Configuration: &runtime.RawExtension{Raw: conf}})
	}
	return out
}

// refOfBackend names a metric or method of a backend.
type refOfBackend struct{ backend, metric string }

// metricRefs turns the metric IDs of limits and pricing rules into metricMethodRefs.
type metricRefs struct {
	product  map[int64]string
	backends map[int64]refOfBackend
}

func (r metricRefs) ref(id int64) (capabilitiesv1beta1.MetricMethodRefSpec, bool) {
	if name, ok := r.product[id]; ok {
		return capabilitiesv1beta1.MetricMethodRefSpec{SystemName: name}, true
	}
	if b, ok := r.backends[id]; ok {
		backend := b.backend
		return capabilitiesv1beta1.MetricMethodRefSpec{SystemName: b.metric, BackendSystemName: &backend}, true
	}
	return capabilitiesv1beta1.MetricMethodRefSpec{}, false
}

// plan returns the spec of an application plan. A limit or pricing rule on a metric the product
// does not reach (a backend it no longer uses) is left out; the check reports its deletion.
func (r metricRefs) plan(op product.ObservedPlan) capabilitiesv1beta1.ApplicationPlanSpec {
	pl := op.Plan
	name, published := pl.Name, pl.State == threescale.PlanStatePublished
	spec := capabilitiesv1beta1.ApplicationPlanSpec{
		Name: &name, Published: &published, SetupFee: amount(pl.SetupFee), CostMonth: amount(pl.CostPerMonth),
	}
	// Unset is what 3scale defaults to: no approval, no trial.
	if pl.ApprovalRequired {
		approval := true
		spec.AppsRequireApproval = &approval
	}
	if pl.TrialPeriodDays != 0 {
		trial := int(pl.TrialPeriodDays)
		spec.TrialPeriod = &trial
	}
	for _, l := range op.Limits {
		if ref, ok := r.ref(l.MetricID); ok {
			spec.Limits = append(spec.Limits, capabilitiesv1beta1.LimitSpec{Period: l.Period, Value: l.Value, MetricMethodRef: ref})
		}
	}
	for _, pr := range op.PricingRules {
		if ref, ok := r.ref(pr.MetricID); ok {
			price := amount(pr.CostPerUnit)
			if price == nil {
				zero := intstr.FromInt32(0)
				price = &zero
			}
			spec.PricingRules = append(spec.PricingRules, capabilitiesv1beta1.PricingRuleSpec{From: pr.Min, To: pr.Max, PricePerUnit: *price, MetricMethodRef: ref})
		}
	}
	return spec
}

// amount returns a decimal of 3scale as the spec writes it: a whole number as an integer, else
// the decimal text; nil for zero (the spec's default).
func amount(d threescale.Decimal) *intstr.IntOrString {
	s := string(d)
	r, ok := new(big.Rat).SetString(s)
	switch {
	case s == "" || (ok && r.Sign() == 0):
		return nil
	case ok && r.IsInt() && r.Num().IsInt64() && r.Num().Int64() <= 1<<31-1 && r.Num().Int64() >= -1<<31:
		v := intstr.FromInt32(int32(r.Num().Int64()))
		return &v
	}
	v := intstr.FromString(s)
	return &v
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func status(code int) *int32 {
	if code == 0 {
		return nil
	}
	v := int32(code)
	return &v
}
