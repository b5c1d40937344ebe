package inmemory

import (
	"context"
	"encoding/json"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxBody bounds request bodies; ActiveDocs specs are the largest thing 3scale accepts.
const maxBody = 16 << 20

// handler serves one operation with the store locked. It never writes to the connection; it
// returns what to answer.
type handler func(q *request) reply

// scope says which accounts may call an operation.
type scope int

const (
	// adminScope operations are served on every listener, as the listener's account.
	adminScope scope = iota
	// masterScope operations exist only on the master account's listener (the Master API).
	masterScope
)

// routeTable collects the operations of the server into a ServeMux. ServeMux wildcards must be
// whole path segments ("{id}.json" is not one), so routes are registered without the ".json"
// suffix and requests have it stripped before matching.
type routeTable struct {
	s   *Server
	mux *http.ServeMux
}

// handle registers op, written as "<METHOD> <path template>.json" exactly as the operation
// keys of the package say.
func (t routeTable) handle(op string, sc scope, h handler) {
	pattern := strings.TrimSuffix(op, ".json")
	t.s.ops = append(t.s.ops, op)
	t.mux.Handle(pattern, t.s.operation(op, sc, h, true))
}

// handleUnlocked registers op like handle, for a handler that takes the store's lock itself
// because it must do something slow first (open a tenant's listener).
func (t routeTable) handleUnlocked(op string, sc scope, h handler) {
	pattern := strings.TrimSuffix(op, ".json")
	t.s.ops = append(t.s.ops, op)
	t.mux.Handle(pattern, t.s.operation(op, sc, h, false))
}

// Operations returns the keys of every operation the server serves, in registration order,
// so that a contract test can hold them to the API description.
func (s *Server) Operations() []string { return append([]string(nil), s.ops...) }

// routes builds the router of every operation the server knows.
func (s *Server) routes() *http.ServeMux {
	t := routeTable{s: s, mux: http.NewServeMux()}
	s.masterRoutes(t)
	s.serviceRoutes(t)
	s.metricRoutes(t)
	s.backendRoutes(t)
	s.mappingRuleRoutes(t)
	s.proxyRoutes(t)
	s.policyRoutes(t)
	s.planRoutes(t)
	s.activeDocRoutes(t)
	s.accountRoutes(t)
	s.applicationRoutes(t)
	s.providerUserRoutes(t)
	// A catch-all so unknown paths and methods answer like 3scale, and are logged.
	t.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		ref := s.logCall(Call{Method: r.Method, Path: originalPath(r.Context()), Tenant: listenerAccount(r.Context())})
		writeReply(w, notFound())
		s.setCallStatus(ref, http.StatusNotFound)
	})
	return t.mux
}

type ctxKey int

const (
	accountKey ctxKey = iota
	pathKey
)

func listenerAccount(ctx context.Context) int64 {
	id, _ := ctx.Value(accountKey).(int64)
	return id
}

func originalPath(ctx context.Context) string {
	p, _ := ctx.Value(pathKey).(string)
	return p
}

// listenerHandler serves requests that arrive on the listener of provider account id.
func (s *Server) listenerHandler(id int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), accountKey, id)
		ctx = context.WithValue(ctx, pathKey, r.URL.Path)
		r = r.WithContext(ctx)
		if p, ok := strings.CutSuffix(r.URL.Path, ".json"); ok {
			// Clone the URL: WithContext shares it with the caller's request.
			u := *r.URL
			u.Path, u.RawPath = p, ""
			r.URL = &u
		} else {
			// 3scale would answer XML or HTML here; this server speaks JSON only, so such a
			// path matches nothing.
			u := *r.URL
			u.Path, u.RawPath = "/", ""
			r.URL = &u
		}
		s.mux.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status written, for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// operation wraps a handler with what every operation does, in 3scale's order as far as a
// client can tell: log, latency and faults, authentication, then the operation itself under
// the store's lock.
func (s *Server) operation(op string, sc scope, h handler, lock bool) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		acct := listenerAccount(ctx)
		ref := s.logCall(Call{Op: op, Method: r.Method, Path: originalPath(ctx), Tenant: acct})
		w := &statusWriter{ResponseWriter: rw}
		defer func() { s.setCallStatus(ref, w.status) }()

		if !s.wait(ctx, s.cfg.latency) {
			return
		}
		fa := s.takeFault(op)
		if !s.wait(ctx, fa.latency) {
			return
		}
		if fa.hang {
			select {
			case <-ctx.Done():
			case <-s.done:
			}
			return
		}
		if fa.status != 0 {
			if fa.retryAfter > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(fa.retryAfter.Seconds()))))
			}
			writeReply(w, reply{status: fa.status, body: errorBody{Error: http.StatusText(fa.status)}})
			return
		}

		q, rep := s.newRequest(r, acct, sc)
		if q == nil {
			writeReply(w, rep)
			return
		}
		if lock {
			s.store.mu.Lock()
			rep = h(q)
			s.store.mu.Unlock()
		} else {
			rep = h(q)
		}
		writeReply(w, rep)
	})
}

// newRequest parses and authenticates a request. It returns a nil request and the answer when
// the request cannot be served.
func (s *Server) newRequest(r *http.Request, acct int64, sc scope) (*request, reply) {
	r.Body = http.MaxBytesReader(nil, r.Body, maxBody)
	q := &request{r: r, st: s.store, srv: s}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" && r.Body != nil && r.Method != http.MethodGet {
		// The policy chain and the policy registry take JSON bodies; the token may be in them.
		dec := json.NewDecoder(r.Body)
		dec.UseNumber()
		if err := dec.Decode(&q.json); err != nil {
			return nil, reply{status: http.StatusBadRequest, body: errorBody{Error: "invalid JSON body"}}
		}
		if err := r.ParseForm(); err != nil {
			return nil, reply{status: http.StatusBadRequest, body: errorBody{Error: "invalid query"}}
		}
		if tok, ok := q.json["access_token"].(string); ok && r.Form.Get("access_token") == "" {
			r.Form.Set("access_token", tok)
		}
	} else if err := r.ParseForm(); err != nil {
		return nil, reply{status: http.StatusBadRequest, body: errorBody{Error: "invalid form"}}
	}
	q.form = r.Form

	token := r.Form.Get("access_token")
	if token == "" {
		token = r.Form.Get("provider_key")
	}
	if _, ok := r.Form["access_token"]; !ok && token == "" {
		// porta takes the first non-blank of user name and password of basic auth.
		if u, p, ok := r.BasicAuth(); ok {
			token = u
			if token == "" {
				token = p
			}
		}
	}
	s.store.mu.Lock()
	a := s.store.authenticate(acct, token)
	s.store.mu.Unlock()
	if a == nil || (sc == masterScope && !a.Master) {
		return nil, forbidden()
	}
	q.acct = a
	return q, reply{}
}

// request is what a handler sees of one request.
type request struct {
	r    *http.Request
	form url.Values
	json map[string]any
	acct *account
	st   *store
	srv  *Server
}

// has reports whether the request sent parameter name, even empty.
func (q *request) has(name string) bool {
	_, ok := q.form[name]
	return ok
}

// get returns parameter name, "" when absent.
func (q *request) get(name string) string { return q.form.Get(name) }

// id returns the path parameter name as an ID; ok is false when it is not a positive integer,
// which 3scale answers as not found.
func (q *request) id(name string) (int64, bool) {
	v, err := strconv.ParseInt(q.r.PathValue(name), 10, 64)
	return v, err == nil && v > 0
}

// byID finds the entity of m whose ID is path parameter param. ok is false when the parameter
// is not an ID or m holds no such entity, both of which 3scale answers as not found.
func byID[T any](q *request, m map[int64]*T, param string) (*T, bool) {
	id, ok := q.id(param)
	if !ok {
		return nil, false
	}
	v, ok := m[id]
	return v, ok
}

// byIDWhere is byID for an entity that must also match: one the path may not name (nested
// under another parent, a tenant scheduled for deletion) is not found either, as in porta, which
// finds nested entities through their parent (a plan of another product answers 404).
func byIDWhere[T any](q *request, m map[int64]*T, param string, match func(*T) bool) (*T, bool) {
	v, ok := byID(q, m, param)
	if !ok || !match(v) {
		return nil, false
	}
	return v, true
}

// pathValue returns the path parameter name.
func (q *request) pathValue(name string) string { return q.r.PathValue(name) }

// page returns the page and per_page parameters as porta reads them: out-of-range values fall
// back to the defaults (page 1, 500 a page).
func (q *request) page() (page, perPage int) {
	page, err := strconv.Atoi(q.get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	perPage, err = strconv.Atoi(q.get("per_page"))
	if err != nil || perPage < 1 || perPage > 500 {
		perPage = 500
	}
	return page, perPage
}
