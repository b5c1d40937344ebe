package inmemory

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// activeDoc is an ActiveDocs spec, rendered as porta's ApiDocs::ServiceRepresenter (wrapped
// as "api_doc").
type activeDoc struct {
	ID                     int64  `json:"id"`
	SystemName             string `json:"system_name"`
	Name                   string `json:"name"`
	Description            string `json:"description"`
	Published              bool   `json:"published"`
	SkipSwaggerValidations bool   `json:"skip_swagger_validations"`
	ServiceID              *int64 `json:"service_id"`
	Body                   string `json:"body"`
	CreatedAt              string `json:"created_at"`
	UpdatedAt              string `json:"updated_at"`
}

func (s *Server) activeDocRoutes(t routeTable) {
	t.handle("GET /admin/api/active_docs.json", adminScope, listActiveDocs)
	t.handle("POST /admin/api/active_docs.json", adminScope, createActiveDoc)
	t.handle("GET /admin/api/active_docs/{id}.json", adminScope, showActiveDoc)
	t.handle("PUT /admin/api/active_docs/{id}.json", adminScope, updateActiveDoc)
	t.handle("DELETE /admin/api/active_docs/{id}.json", adminScope, deleteActiveDoc)
}

func listActiveDocs(q *request) reply {
	return list(q, "api_docs", "api_doc", sortedByID(q.acct.activeDocs))
}

func (q *request) activeDocByPath() (*activeDoc, bool) {
	return byID(q, q.acct.activeDocs, "id")
}

func showActiveDoc(q *request) reply {
	d, ok := q.activeDocByPath()
	if !ok {
		return notFound()
	}
	return okBody(wrap("api_doc", d))
}

func createActiveDoc(q *request) reply {
	now := q.st.timestamp()
	d := &activeDoc{CreatedAt: now, UpdatedAt: now}
	setString(q, "system_name", &d.SystemName)
	errs, bad := applyActiveDocParams(q, d)
	if bad != nil {
		return *bad
	}
	if d.SystemName == "" {
		d.SystemName = systemNameFrom(d.Name)
	}
	errs = validateSystemName(errs, d.SystemName, func(name string) bool {
		for _, o := range q.acct.activeDocs {
			if o.SystemName == name {
				return true
			}
		}
		return false
	})
	if errs != nil {
		return invalid(errs)
	}
	d.ID = q.st.id()
	q.acct.activeDocs[d.ID] = d
	return created(wrap("api_doc", d))
}

// applyActiveDocParams copies the writable parameters onto d and validates them: a name, a
// body that is JSON and, unless validations are skipped, a Swagger or OpenAPI document. An
// unknown service_id is answered, as porta does, with 422 {"error": "Service not found"}.
func applyActiveDocParams(q *request, d *activeDoc) (fieldErrors, *reply) {
	var errs fieldErrors
	setString(q, "name", &d.Name)
	setString(q, "description", &d.Description)
	setString(q, "body", &d.Body)
	setBool(q, "published", &d.Published)
	setBool(q, "skip_swagger_validations", &d.SkipSwaggerValidations)
	if q.has("service_id") {
		v := strings.TrimSpace(q.get("service_id"))
		if v == "" {
			d.ServiceID = nil
		} else {
			id, err := strconv.ParseInt(v, 10, 64)
			if _, ok := q.acct.services[id]; err != nil || !ok {
				return nil, &reply{status: http.StatusUnprocessableEntity, body: errorBody{Error: "Service not found"}}
			}
			d.ServiceID = &id
		}
	}
	if d.Name == "" {
		errs = errs.add("name", msgBlank)
	}
	if strings.TrimSpace(d.Body) == "" {
		return errs.add("body", msgBlank), nil
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(d.Body), &doc); err != nil {
		return errs.add("body", "Invalid JSON"), nil
	}
	if !d.SkipSwaggerValidations {
		_, swagger := doc["swagger"]
		_, openapi := doc["openapi"]
		_, v12 := doc["swaggerVersion"]
		if !swagger && !openapi && !v12 {
			errs = errs.add("body", "JSON Spec is invalid")
		}
	}
	return errs, nil
}

func updateActiveDoc(q *request) reply {
	d, ok := q.activeDocByPath()
	if !ok {
		return notFound()
	}
	next := *d
	errs, bad := applyActiveDocParams(q, &next)
	if bad != nil {
		return *bad
	}
	if errs != nil {
		return invalid(errs)
	}
	next.UpdatedAt = q.st.timestamp()
	*d = next
	return okBody(wrap("api_doc", d))
}

func deleteActiveDoc(q *request) reply {
	d, ok := q.activeDocByPath()
	if !ok {
		return notFound()
	}
	delete(q.acct.activeDocs, d.ID)
	return deleted()
}
