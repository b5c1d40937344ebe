package custompolicy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/tenant"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// Finalizer keeps a CustomPolicyDefinition until its policy is deleted from the registry. The
// 3scale operator that Red Hat ships has none (it leaks the policy); the name follows its
// pattern for the other kinds.
const Finalizer = "custompolicydefinition.capabilities.3scale.net/finalizer"

// ReasonInUse is the condition reason of a deletion that waits for Products to stop using the
// policy in their policy chain.
const ReasonInUse = "PolicyInUse"

// EntityPolicy is the entity of the operations this kind plans.
const EntityPolicy = "custom policy"

// maxSummary is the longest summary APIcast's policy manifest schema allows, which 3scale
// enforces.
const maxSummary = 75

// Kind adapts CustomPolicyDefinition to the generic loop.
type Kind struct {
	// Products lists the Products of the namespace, to tell which still use a policy that is
	// being deleted.
	Products client.Reader
	// Tenants connects an object to its tenant.
	Tenants external.Tenants
}

var _ external.Kind[*capabilitiesv1beta1.CustomPolicyDefinition] = Kind{}

// New returns an empty CustomPolicyDefinition.
func (Kind) New() *capabilitiesv1beta1.CustomPolicyDefinition {
	return &capabilitiesv1beta1.CustomPolicyDefinition{}
}

// NewList returns an empty CustomPolicyDefinitionList.
func (Kind) NewList() client.ObjectList { return &capabilitiesv1beta1.CustomPolicyDefinitionList{} }

// Finalizer returns Finalizer.
func (Kind) Finalizer() string { return Finalizer }

// Conditions are Ready, Invalid and Failed, as the existing operator sets them.
func (Kind) Conditions() external.ConditionSet { return external.ConditionSet{} }

// Status returns the status fields the loop sets.
func (Kind) Status(p *capabilitiesv1beta1.CustomPolicyDefinition) external.Status {
	return external.Status{
		Conditions:         &p.Status.Conditions,
		ObservedGeneration: &p.Status.ObservedGeneration,
		ID:                 &p.Status.ID,
		Location:           &p.Status.ProviderAccountHost,
	}
}

// SecretNames returns the Secrets of its namespace the object's tenant may be read from.
func SecretNames(p *capabilitiesv1beta1.CustomPolicyDefinition) []string {
	return tenant.SecretNames(p.Spec.ProviderAccountRef)
}

// Check validates what 3scale would refuse, before any call: a configuration schema that is not
// a JSON object and a summary longer than APIcast's manifest allows.
func (Kind) Check(_ context.Context, p *capabilitiesv1beta1.CustomPolicyDefinition) error {
	if n := len([]rune(p.Spec.Schema.Summary)); n > maxSummary {
		return external.Invalidf("spec.schema.summary is %d characters long; 3scale accepts at most %d", n, maxSummary)
	}
	if _, err := Manifest(&p.Spec); err != nil {
		return &external.InvalidError{Message: err.Error()}
	}
	return nil
}

// Manifest returns the policy manifest (apicast-policy.json) the spec describes, as the
// registry stores it in the policy's schema. The description is part of it on create as on
// update.
func Manifest(spec *capabilitiesv1beta1.CustomPolicyDefinitionSpec) (json.RawMessage, error) {
	var configuration any = map[string]any{}
	if raw := bytes.TrimSpace(spec.Schema.Configuration.Raw); len(raw) > 0 {
		if err := json.Unmarshal(raw, &configuration); err != nil {
			return nil, fmt.Errorf("spec.schema.configuration is not valid JSON: %v", err)
		}
	}
	if _, ok := configuration.(map[string]any); !ok {
		return nil, fmt.Errorf("spec.schema.configuration must be a JSON object (a JSON Schema), not %s", jsonKind(configuration))
	}
	m := map[string]any{
		"name":          spec.Schema.Name,
		"version":       spec.Schema.Version,
		"summary":       spec.Schema.Summary,
		"$schema":       spec.Schema.Schema,
		"configuration": configuration,
	}
	if spec.Schema.Description != nil {
		m["description"] = spec.Schema.Description
	}
	return json.Marshal(m)
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "an array"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}

// Connect returns the External of p in its tenant.
func (k Kind) Connect(ctx context.Context, p *capabilitiesv1beta1.CustomPolicyDefinition) (external.External[*capabilitiesv1beta1.CustomPolicyDefinition], error) {
	return external.ConnectTenant(ctx, k.Tenants, p, p.Spec.ProviderAccountRef, func(c *threescale.Client) external.External[*capabilitiesv1beta1.CustomPolicyDefinition] {
		return &ext{kind: k, InTenant: external.InTenant{C: c}}
	})
}

// ext mirrors one CustomPolicyDefinition through one tenant's client.
type ext struct {
	kind Kind
	external.InTenant
}

// Find returns the ID of the registry's policy with p's name and version, 0 when none: the
// registry keys policies by both.
func (e *ext) Find(ctx context.Context, p *capabilitiesv1beta1.CustomPolicyDefinition) (int64, error) {
	return external.FindID(ctx, e.C.ListCustomPolicies,
		func(cp threescale.CustomPolicy) bool { return cp.Name == p.Spec.Name && cp.Version == p.Spec.Version },
		func(cp threescale.CustomPolicy) int64 { return cp.ID })
}

// Observe reads policy id and plans what differs.
func (e *ext) Observe(ctx context.Context, p *capabilitiesv1beta1.CustomPolicyDefinition, id int64) (external.Observation, error) {
	have, err := e.C.GetCustomPolicy(ctx, id)
	if threescale.IsNotFound(err) {
		return external.Observation{}, nil
	}
	if err != nil {
		return external.Observation{}, err
	}
	ops, err := Plan(&p.Spec, have)
	if err != nil {
		return external.Observation{}, &external.InvalidError{Message: err.Error()}
	}
	return external.Observation{Exists: true, Operations: ops}, nil
}

// Plan returns the update that makes policy have as spec says, or nothing when they match. The
// schema is compared as JSON values, so that formatting and key order cause no write.
func Plan(spec *capabilitiesv1beta1.CustomPolicyDefinitionSpec, have *threescale.CustomPolicy) ([]planning.Operation, error) {
	manifest, err := Manifest(spec)
	if err != nil {
		return nil, err
	}
	var changed []string
	if have.Name != spec.Name {
		changed = append(changed, "name")
	}
	if have.Version != spec.Version {
		changed = append(changed, "version")
	}
	if !sameJSON(manifest, have.Schema) {
		changed = append(changed, "schema")
	}
	if len(changed) == 0 {
		return nil, nil
	}
	id, name, version := have.ID, spec.Name, spec.Version
	return []planning.Operation{{
		Verb: planning.VerbUpdate, Entity: EntityPolicy, Key: name + " " + version,
		Description: fmt.Sprintf("update custom policy %q %s (ID %d): %s", name, version, id, strings.Join(changed, ", ")),
		Run: func(ctx context.Context, c *threescale.Client) error {
			_, err := c.UpdateCustomPolicy(ctx, id, threescale.CustomPolicyParams{Name: &name, Version: &version, Schema: manifest})
			return err
		},
	}}, nil
}

// sameJSON tells whether a and b hold the same JSON value.
func sameJSON(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// Create registers the policy with its whole manifest, description included.
func (e *ext) Create(ctx context.Context, p *capabilitiesv1beta1.CustomPolicyDefinition) (int64, error) {
	manifest, err := Manifest(&p.Spec)
	if err != nil {
		return 0, &external.InvalidError{Message: err.Error()}
	}
	name, version := p.Spec.Name, p.Spec.Version
	cp, err := e.C.CreateCustomPolicy(ctx, threescale.CustomPolicyParams{Name: &name, Version: &version, Schema: manifest})
	if err != nil {
		return 0, err
	}
	return cp.ID, nil
}

// Delete deletes policy id from the registry, unless a Product of the namespace still has it in
// its policy chain: the product's gateways would lose a policy they are configured with.
func (e *ext) Delete(ctx context.Context, p *capabilitiesv1beta1.CustomPolicyDefinition, id int64) error {
	users, err := e.kind.productsUsing(ctx, p)
	if err != nil {
		return err
	}
	if len(users) > 0 {
		return &external.WaitingError{Reason: ReasonInUse, Message: fmt.Sprintf(
			"custom policy %q %s is in the policy chain of Product %s; it is deleted from 3scale once no Product uses it",
			p.Spec.Name, p.Spec.Version, strings.Join(users, ", "))}
	}
	if err := e.C.DeleteCustomPolicy(ctx, id); err != nil && !threescale.IsNotFound(err) {
		return err
	}
	return nil
}

// productsUsing returns the names of the Products of p's namespace and provider account whose
// policy chain names p's policy, sorted.
func (k Kind) productsUsing(ctx context.Context, p *capabilitiesv1beta1.CustomPolicyDefinition) ([]string, error) {
	if k.Products == nil {
		return nil, nil
	}
	var products capabilitiesv1beta1.ProductList
	if err := k.Products.List(ctx, &products, client.InNamespace(p.Namespace), client.UnsafeDisableDeepCopy); err != nil { // read only: names
		return nil, fmt.Errorf("cannot list Products: %w", err)
	}
	var users []string
	for i := range products.Items {
		pr := &products.Items[i]
		if !tenant.SameProviderAccount(pr.Spec.ProviderAccountRef, p.Spec.ProviderAccountRef) || !pr.DeletionTimestamp.IsZero() {
			continue
		}
		if slices.ContainsFunc(pr.Spec.Policies, func(pc capabilitiesv1beta1.PolicyConfig) bool {
			return pc.Name == p.Spec.Name && pc.Version == p.Spec.Version
		}) {
			users = append(users, fmt.Sprintf("%q", pr.Name))
		}
	}
	slices.Sort(users)
	return users, nil
}
