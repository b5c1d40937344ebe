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
// Tests use NewTestServer; the command cmd/threescale-inmemory runs it as a process.
package inmemory
