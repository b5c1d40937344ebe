package inmemory

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
)

// policy is a custom APIcast policy of the Policy Registry, rendered as porta's
// PolicyRepresenter.
type policy struct {
	ID          int64          `json:"id"`
	Name        string         `json:"name"`
	Version     string         `json:"version"`
	Description any            `json:"description"`
	Summary     any            `json:"summary"`
	Schema      map[string]any `json:"schema"`
	CreatedAt   string         `json:"created_at"`
	UpdatedAt   string         `json:"updated_at"`
}

func (s *Server) policyRoutes(t routeTable) {
	t.handle("GET /admin/api/services/{service_id}/proxy/policies.json", adminScope, showPolicyChain)
	t.handle("PUT /admin/api/services/{service_id}/proxy/policies.json", adminScope, updatePolicyChain)

	t.handle("GET /admin/api/registry/policies.json", adminScope, listPolicies)
	t.handle("POST /admin/api/registry/policies.json", adminScope, createPolicy)
	t.handle("GET /admin/api/registry/policies/{id}.json", adminScope, showPolicy)
	t.handle("PUT /admin/api/registry/policies/{id}.json", adminScope, updatePolicy)
	t.handle("DELETE /admin/api/registry/policies/{id}.json", adminScope, deletePolicy)
}

func showPolicyChain(q *request) reply {
	svc, ok := q.serviceByPath("service_id")
	if !ok {
		return notFound()
	}
	return okBody(map[string]any{"policies_config": svc.proxy.policies})
}

// jsonParam reads parameter name as JSON: from a JSON body, where it may be a JSON value or a
// string holding JSON, or from a form field holding JSON. ok is false when it is absent.
func (q *request) jsonParam(name string) (any, bool, error) {
	var raw any
	if v, ok := q.json[name]; ok {
		raw = v
	} else if q.has(name) {
		raw = q.get(name)
	} else {
		return nil, false, nil
	}
	if s, isString := raw.(string); isString {
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return nil, true, err
		}
		return v, true, nil
	}
	// Round-trip values of a JSON body so numbers are float64 like everywhere else.
	b, _ := json.Marshal(raw)
	var v any
	_ = json.Unmarshal(b, &v)
	return v, true, nil
}

// updatePolicyChain replaces the chain, then deploys to staging as porta does when the chain
// changed.
func updatePolicyChain(q *request) reply {
	svc, ok := q.serviceByPath("service_id")
	if !ok {
		return notFound()
	}
	v, present, err := q.jsonParam("policies_config")
	if !present {
		return reply{status: 400, body: errorBody{Error: "Required parameter missing: policies_config"}}
	}
	if err != nil {
		return invalid(fieldErrors{}.add("policies_config", "is not valid JSON"))
	}
	chain, errs := validatePolicyChain(v)
	if errs != nil {
		return invalid(errs)
	}
	if !reflect.DeepEqual(chain, svc.proxy.policies) {
		svc.proxy.policies = chain
		svc.proxy.UpdatedAt = q.st.timestamp()
		q.st.deploy(q.acct, svc)
	}
	return okBody(map[string]any{"policies_config": svc.proxy.policies})
}

// validatePolicyChain checks a chain the way porta's PoliciesConfig does: a list of objects,
// each with a name, a version and a configuration object; enabled defaults to true.
func validatePolicyChain(v any) ([]any, fieldErrors) {
	items, ok := v.([]any)
	if !ok {
		return nil, fieldErrors{}.add("policies_config", "must be an array")
	}
	var errs fieldErrors
	chain := make([]any, 0, len(items))
	for i, it := range items {
		p, ok := it.(map[string]any)
		if !ok {
			errs = errs.add("policies_config", fmt.Sprintf("policy %d is not an object", i))
			continue
		}
		name, _ := p["name"].(string)
		version, _ := p["version"].(string)
		if name == "" {
			errs = errs.add("policies_config", fmt.Sprintf("policy %d: name can't be blank", i))
		}
		if version == "" {
			errs = errs.add("policies_config", fmt.Sprintf("policy %d: version can't be blank", i))
		}
		cfg, has := p["configuration"]
		if !has || cfg == nil {
			cfg = map[string]any{}
		}
		if _, ok := cfg.(map[string]any); !ok {
			errs = errs.add("policies_config", fmt.Sprintf("policy %d: configuration must be an object", i))
		}
		enabled := true
		if e, has := p["enabled"]; has {
			b, ok := e.(bool)
			if !ok {
				errs = errs.add("policies_config", fmt.Sprintf("policy %d: enabled must be a boolean", i))
			}
			enabled = b
		}
		chain = append(chain, map[string]any{"name": name, "version": version, "configuration": cfg, "enabled": enabled})
	}
	return chain, errs
}

func listPolicies(q *request) reply {
	return list(q, "policies", "policy", sortedByID(q.acct.policies))
}

func (q *request) policyByPath() (*policy, bool) {
	return byID(q, q.acct.policies, "id")
}

func showPolicy(q *request) reply {
	p, ok := q.policyByPath()
	if !ok {
		return notFound()
	}
	return okBody(wrap("policy", p))
}

func createPolicy(q *request) reply {
	now := q.st.timestamp()
	p := &policy{CreatedAt: now, UpdatedAt: now}
	if errs := applyPolicyParams(q, p, true); errs != nil {
		return invalid(errs)
	}
	p.ID = q.st.id()
	q.acct.policies[p.ID] = p
	return created(wrap("policy", p))
}

func updatePolicy(q *request) reply {
	p, ok := q.policyByPath()
	if !ok {
		return notFound()
	}
	next := *p
	if errs := applyPolicyParams(q, &next, false); errs != nil {
		return invalid(errs)
	}
	next.UpdatedAt = q.st.timestamp()
	*p = next
	return okBody(wrap("policy", p))
}

func deletePolicy(q *request) reply {
	p, ok := q.policyByPath()
	if !ok {
		return notFound()
	}
	delete(q.acct.policies, p.ID)
	return deleted()
}

var policyVersionRex = regexp.MustCompile(`^((\d+\.)?(\d+\.)?(\*|\d+)|builtin)$`)

// applyPolicyParams copies name, version and schema onto p and validates it: name and version
// present, the version unique per name in the account, and the schema an APIcast policy
// manifest (name, version, summary of at most 75 characters, configuration).
func applyPolicyParams(q *request, p *policy, create bool) fieldErrors {
	var errs fieldErrors
	if v, ok := q.json["name"].(string); ok {
		p.Name = v
	} else {
		setString(q, "name", &p.Name)
	}
	if v, ok := q.json["version"].(string); ok {
		p.Version = v
	} else {
		setString(q, "version", &p.Version)
	}
	schema, present, err := q.jsonParam("schema")
	switch {
	case !present && create:
		errs = errs.add("schema", msgBlank)
	case err != nil:
		errs = errs.add("schema", "is not valid JSON")
	case present:
		m, ok := schema.(map[string]any)
		if !ok {
			errs = errs.add("schema", "must be a JSON object")
			break
		}
		errs = validateManifest(errs, m)
		p.Schema = m
		p.Summary, p.Description = m["summary"], m["description"]
	}
	if p.Name == "" {
		errs = errs.add("name", msgBlank)
	}
	if p.Version == "" {
		errs = errs.add("version", msgBlank)
	}
	for _, o := range q.acct.policies {
		if o.ID != p.ID && o.Name == p.Name && o.Version == p.Version {
			errs = errs.add("version", msgTaken)
			break
		}
	}
	return errs
}

// validateManifest checks a policy schema against the required parts of APIcast's manifest
// schema.
func validateManifest(errs fieldErrors, m map[string]any) fieldErrors {
	if s, _ := m["name"].(string); s == "" {
		errs = errs.add("schema", "name is required")
	}
	if s, _ := m["version"].(string); !policyVersionRex.MatchString(s) {
		errs = errs.add("schema", "version is required and must be a version")
	}
	if s, ok := m["summary"].(string); !ok {
		errs = errs.add("schema", "summary is required")
	} else if len(s) > 75 {
		errs = errs.add("schema", "summary is longer than 75 characters")
	}
	if _, ok := m["configuration"].(map[string]any); !ok {
		errs = errs.add("schema", "configuration is required and must be an object")
	}
	return errs
}
