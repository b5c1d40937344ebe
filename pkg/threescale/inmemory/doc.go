// Package inmemory is a 3scale API Management admin API that lives in memory.
//
// It serves the parts of the Account Management API, the Master API and the Policy Registry
// API that the operator drives, over real HTTP on loopback listeners, with 3scale's own
// semantics as its API description and its source (3scale/porta) show them: JSON envelopes
// named after the entity, 404 {"status": "Not found"}, 422 {"errors": {field: [messages]}},
// access tokens by parameter or basic auth, pagination with page and per_page, a hits metric
// and a default mapping rule on new products, system names derived from names and unique per
// collection, proxy configuration versions per environment.
//
// The server is multi-tenant the way 3scale is: it starts with a master account on its own
// listener; each tenant (created by the Master API or by CreateTenant) gets its own loopback
// listener, standing in for 3scale's per-tenant admin domain. A request is served as the tenant
// whose listener received it, and its token must belong to that tenant.
//
// For tests it records every request (Calls, CallCount) keyed by operation, the method and the
// path template of the official description with ".json" in place of ".xml", for example
// "GET /admin/api/services/{service_id}/metrics.json", and it injects faults (latency, error
// rates, 429 with Retry-After, hung requests) by the same keys.
//
// Shapes a client must expect, all read from porta and easy to get wrong:
//   - lists are {"<plural>": [{"<singular>": {...}}, ...], "metadata": {...}}; application
//     plans list as "plans" of "application_plan", ActiveDocs as "api_docs" of "api_doc",
//     the policy chain as {"policies_config": [...]}, the Master API answers
//     {"signup": {"account": {...}, "access_token": {...}}};
//   - a created object answers 201, a DELETE 200 with an empty body, a refused DELETE 403
//     with {"errors": {...}} (porta's responder), a POST to deploy or promote 201;
//   - backend metrics show their system_name with the backend's ID as suffix ("hits.42");
//   - private endpoints and proxy endpoints get their default port ("https://api:443");
//   - a product's metrics list includes its methods; system names need two characters.
//
// Tests use NewTestServer; the command cmd/threescale-inmemory runs it as a process.
package inmemory
