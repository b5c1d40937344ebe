package inmemory

import (
	"net"
	"net/url"
	"strings"
)

// backend is a backend API, rendered as porta's BackendApiRepresenter.
type backend struct {
	ID              int64             `json:"id"`
	Name            string            `json:"name"`
	SystemName      string            `json:"system_name"`
	Description     string            `json:"description"`
	PrivateEndpoint string            `json:"private_endpoint"`
	AccountID       int64             `json:"account_id"`
	Annotations     map[string]string `json:"annotations,omitempty"`
	CreatedAt       string            `json:"created_at"`
	UpdatedAt       string            `json:"updated_at"`
	Links           []link            `json:"links"`
}

// backendUsage is a backend used by a product at a path (porta's BackendApiConfig).
type backendUsage struct {
	ID        int64  `json:"id"`
	Path      string `json:"path"`
	ServiceID int64  `json:"service_id"`
	BackendID int64  `json:"backend_id"`
	Links     []link `json:"links"`
}

func (s *Server) backendRoutes(t routeTable) {
	t.handle("GET /admin/api/backend_apis.json", adminScope, listBackends)
	t.handle("POST /admin/api/backend_apis.json", adminScope, createBackend)
	t.handle("GET /admin/api/backend_apis/{id}.json", adminScope, showBackend)
	t.handle("PUT /admin/api/backend_apis/{id}.json", adminScope, updateBackend)
	t.handle("DELETE /admin/api/backend_apis/{id}.json", adminScope, deleteBackend)

	t.handle("GET /admin/api/services/{service_id}/backend_usages.json", adminScope, listBackendUsages)
	t.handle("POST /admin/api/services/{service_id}/backend_usages.json", adminScope, createBackendUsage)
	t.handle("GET /admin/api/services/{service_id}/backend_usages/{id}.json", adminScope, showBackendUsage)
	t.handle("PUT /admin/api/services/{service_id}/backend_usages/{id}.json", adminScope, updateBackendUsage)
	t.handle("DELETE /admin/api/services/{service_id}/backend_usages/{id}.json", adminScope, deleteBackendUsage)
}

func (a *account) backendExists(id int64) bool {
	_, ok := a.backends[id]
	return ok
}

func (q *request) backendByPath(name string) (*backend, bool) {
	return byID(q, q.acct.backends, name)
}

func listBackends(q *request) reply {
	return list(q, "backend_apis", "backend_api", sortedByID(q.acct.backends))
}

func showBackend(q *request) reply {
	b, ok := q.backendByPath("id")
	if !ok {
		return notFound()
	}
	return okBody(wrap("backend_api", b))
}

func createBackend(q *request) reply {
	now := q.st.timestamp()
	b := &backend{AccountID: q.acct.ID, CreatedAt: now, UpdatedAt: now}
	setString(q, "system_name", &b.SystemName)
	errs := applyBackendParams(q, b)
	if b.SystemName == "" {
		b.SystemName = systemNameFrom(b.Name)
	}
	errs = validateSystemName(errs, b.SystemName, func(name string) bool {
		for _, o := range q.acct.backends {
			if o.SystemName == name {
				return true
			}
		}
		return false
	})
	if errs != nil {
		return invalid(errs)
	}
	b.ID = q.st.id()
	b.Links = []link{
		{Rel: "metrics", Href: "/admin/api/backend_apis/" + itoa(b.ID) + "/metrics"},
		{Rel: "mapping_rules", Href: "/admin/api/backend_apis/" + itoa(b.ID) + "/mapping_rules"},
	}
	q.acct.backends[b.ID] = b
	q.st.createHits(q.acct, ownerBackend, b.ID)
	return created(wrap("backend_api", b))
}

// applyBackendParams copies the writable parameters onto b and validates the result.
func applyBackendParams(q *request, b *backend) fieldErrors {
	var errs fieldErrors
	setString(q, "name", &b.Name)
	setString(q, "description", &b.Description)
	if q.has("private_endpoint") {
		b.PrivateEndpoint = strings.TrimSpace(q.get("private_endpoint"))
	}
	b.Annotations = applyAnnotations(q, b.Annotations)
	if b.Name == "" {
		errs = errs.add("name", msgBlank)
	}
	if b.PrivateEndpoint == "" {
		return errs.add("private_endpoint", msgBlank)
	}
	endpoint, msg := normalizeEndpoint(b.PrivateEndpoint, []string{"http", "https", "ws", "wss"})
	if msg != "" {
		return errs.add("private_endpoint", msg)
	}
	b.PrivateEndpoint = endpoint
	return errs
}

// normalizeEndpoint validates a URL the way porta's uri validator does and adds the default
// port when it has none, as porta's Proxy::PortGenerator does ("https://api" becomes
// "https://api:443"); clients that compare it with what they sent must allow for that.
func normalizeEndpoint(raw string, schemes []string) (string, string) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "", msgInvalid
	}
	scheme := strings.ToLower(u.Scheme)
	okScheme := false
	for _, s := range schemes {
		okScheme = okScheme || s == scheme
	}
	if !okScheme {
		return "", msgInvalid
	}
	host := u.Hostname()
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return "", "cannot be a protected domain"
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return "", "cannot be a protected domain"
	}
	if u.Port() == "" {
		port := "80"
		if scheme == "https" || scheme == "wss" {
			port = "443"
		}
		u.Host = net.JoinHostPort(host, port)
	}
	return u.String(), ""
}

func updateBackend(q *request) reply {
	b, ok := q.backendByPath("id")
	if !ok {
		return notFound()
	}
	next := *b
	next.Annotations = cloneMap(b.Annotations)
	if errs := applyBackendParams(q, &next); errs != nil {
		return invalid(errs)
	}
	next.UpdatedAt = q.st.timestamp()
	*b = next
	return okBody(wrap("backend_api", b))
}

// deleteBackend refuses, like porta, to delete a backend that a product uses.
func deleteBackend(q *request) reply {
	b, ok := q.backendByPath("id")
	if !ok {
		return notFound()
	}
	for _, u := range q.acct.usages {
		if u.BackendID == b.ID {
			return deleteRefused(fieldErrors{}.add("base", "cannot be deleted because it is used by at least one Product"))
		}
	}
	delete(q.acct.backends, b.ID)
	for id, m := range q.acct.metrics {
		if m.ownerType == ownerBackend && m.ownerID == b.ID {
			delete(q.acct.metrics, id)
		}
	}
	for id, r := range q.acct.mappingRules {
		if r.ownerType == ownerBackend && r.ownerID == b.ID {
			delete(q.acct.mappingRules, id)
		}
	}
	return deleted()
}

// usagesOf lists the backend usages of a product in ID order.
func (a *account) usagesOf(service int64) []*backendUsage {
	var out []*backendUsage
	for _, u := range sortedByID(a.usages) {
		if u.ServiceID == service {
			out = append(out, u)
		}
	}
	return out
}

func (q *request) usageByPath() (*backendUsage, bool) {
	svc, ok := q.serviceByPath("service_id")
	if !ok {
		return nil, false
	}
	return byIDWhere(q, q.acct.usages, "id", func(u *backendUsage) bool { return u.ServiceID == svc.ID })
}

func listBackendUsages(q *request) reply {
	svc, ok := q.serviceByPath("service_id")
	if !ok {
		return notFound()
	}
	return bareList(q, "backend_usage", q.acct.usagesOf(svc.ID))
}

func showBackendUsage(q *request) reply {
	u, ok := q.usageByPath()
	if !ok {
		return notFound()
	}
	return okBody(wrap("backend_usage", u))
}

func createBackendUsage(q *request) reply {
	svc, ok := q.serviceByPath("service_id")
	if !ok {
		return notFound()
	}
	u := &backendUsage{ServiceID: svc.ID, Path: "/"}
	var errs fieldErrors
	errs = setInt(q, "backend_api_id", &u.BackendID, errs)
	if errs == nil {
		if u.BackendID == 0 {
			errs = errs.add("backend_api", msgBlank)
		} else if !q.acct.backendExists(u.BackendID) {
			// porta looks the backend up among the account's and answers 404 when absent.
			return notFound()
		}
	}
	setString(q, "path", &u.Path)
	u.Path = normalizeUsagePath(u.Path)
	errs = validateUsage(q.acct, u, errs)
	if errs != nil {
		return invalid(errs)
	}
	u.ID = q.st.id()
	u.Links = []link{
		{Rel: "service", Href: q.baseURL() + "/admin/api/services/" + itoa(svc.ID)},
		{Rel: "backend_api", Href: q.baseURL() + "/admin/api/backend_apis/" + itoa(u.BackendID)},
	}
	q.acct.usages[u.ID] = u
	return created(wrap("backend_usage", u))
}

// normalizeUsagePath gives a usage path its leading slash and drops a trailing one, as porta
// stores it.
func normalizeUsagePath(p string) string {
	p = "/" + strings.Trim(strings.TrimSpace(p), "/")
	return p
}

// usagePathRex is what porta's PathValidator accepts (app/validators/path_validator.rb): with its
// end slashes trimmed, the path parses as a URI path and nothing else, so it holds only path
// characters (RFC 3986 pchar and "/"), and its first segment no ":" (it would read as a scheme).
var usagePathRex = mustRegexp(`^/([A-Za-z0-9\-._~!$&'()*+,;=@%]*)(/[A-Za-z0-9\-._~!$&'()*+,;=:@%]*)*$`)

// validateUsage applies porta's BackendApiConfig validations: a well-formed path, one usage
// of a backend per product, one backend per path of a product.
func validateUsage(a *account, u *backendUsage, errs fieldErrors) fieldErrors {
	if !usagePathRex.MatchString(u.Path) {
		errs = errs.add("path", msgInvalid)
	}
	for _, o := range a.usagesOf(u.ServiceID) {
		if o.ID == u.ID {
			continue
		}
		if o.BackendID == u.BackendID {
			errs = errs.add("backend_api_id", msgTaken)
		}
		if o.Path == u.Path {
			errs = errs.add("path", "This path is already taken. Specify a different path.")
		}
	}
	return errs
}

func updateBackendUsage(q *request) reply {
	u, ok := q.usageByPath()
	if !ok {
		return notFound()
	}
	next := *u
	if q.has("path") {
		next.Path = normalizeUsagePath(q.get("path"))
	}
	if errs := validateUsage(q.acct, &next, nil); errs != nil {
		return invalid(errs)
	}
	*u = next
	return okBody(wrap("backend_usage", u))
}

func deleteBackendUsage(q *request) reply {
	u, ok := q.usageByPath()
	if !ok {
		return notFound()
	}
	delete(q.acct.usages, u.ID)
	return deleted()
}
