package inmemory

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
)

// reply is what a handler answers: a status and a body to encode as JSON (none when nil).
type reply struct {
	status int
	body   any
}

// errorBody is porta's render_error shape: {"error": "..."}.
type errorBody struct {
	Error string `json:"error"`
}

// statusBody is porta's not-found shape: {"status": "Not found"}.
type statusBody struct {
	Status string `json:"status"`
}

// fieldErrors are per-field validation messages, in 3scale's shape {"errors": {field: [msg]}}.
// Errors that belong to no field go under "base", as in Rails.
type fieldErrors map[string][]string

// add records msg for field and returns the receiver, creating it when nil.
func (e fieldErrors) add(field, msg string) fieldErrors {
	if e == nil {
		e = fieldErrors{}
	}
	e[field] = append(e[field], msg)
	return e
}

// inclusion records msgNotIncluded for field when value is not one of allowed, as Rails'
// `validates :field, inclusion: allowed` does.
func (e fieldErrors) inclusion(field, value string, allowed []string) fieldErrors {
	if slices.Contains(allowed, value) {
		return e
	}
	return e.add(field, msgNotIncluded)
}

// String lists the errors the way Rails' full_messages would, for Go callers.
func (e fieldErrors) String() string {
	var parts []string
	for f, msgs := range e {
		for _, m := range msgs {
			parts = append(parts, f+" "+m)
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// Messages 3scale uses for the validations this server applies.
const (
	msgBlank   = "can't be blank"
	msgTaken   = "has already been taken"
	msgInvalid = "is invalid"
	// msgNotIncluded is Rails' inclusion validation message.
	msgNotIncluded = "is not included in the list"
)

// okBody answers 200 with body (GET, PUT, PATCH in porta's responder).
func okBody(body any) reply { return reply{status: http.StatusOK, body: body} }

// created answers 201 with body (POST in porta's responder).
func created(body any) reply { return reply{status: http.StatusCreated, body: body} }

// deleted answers a successful DELETE the way porta's responder does: 200 without a body.
func deleted() reply { return reply{status: http.StatusOK} }

// notFound answers an unknown ID or path.
func notFound() reply {
	return reply{status: http.StatusNotFound, body: statusBody{Status: "Not found"}}
}

// forbidden answers a missing or wrong access token, as porta's provider_required filter does.
func forbidden() reply {
	return reply{status: http.StatusForbidden, body: errorBody{Error: "Access denied"}}
}

// invalid answers failed validations with 422 and per-field messages.
func invalid(errs fieldErrors) reply {
	return reply{status: http.StatusUnprocessableEntity, body: map[string]any{"errors": errs}}
}

// deleteRefused answers a DELETE whose validations failed: porta's responder uses 403 for
// errors of a DELETE, with the same errors body as a 422.
func deleteRefused(errs fieldErrors) reply {
	return reply{status: http.StatusForbidden, body: map[string]any{"errors": errs}}
}

// writeReply encodes rep on w.
func writeReply(w http.ResponseWriter, rep reply) {
	if rep.body == nil {
		w.WriteHeader(rep.status)
		return
	}
	b, err := json.Marshal(rep.body)
	if err != nil {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"error":"cannot encode response"}`))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(rep.status)
	_, _ = w.Write(b)
}

// wrap is 3scale's envelope of a single object: {"<name>": obj}.
func wrap(name string, obj any) map[string]any { return map[string]any{name: obj} }

// listMeta is the metadata of a paginated list.
type listMeta struct {
	PerPage      int `json:"per_page"`
	TotalEntries int `json:"total_entries"`
	TotalPages   int `json:"total_pages"`
	CurrentPage  int `json:"current_page"`
}

// paginate cuts one page out of items (already in ID order) as the request asks.
func paginate[T any](q *request, items []T) ([]T, listMeta) {
	page, perPage := q.page()
	total := len(items)
	meta := listMeta{PerPage: perPage, TotalEntries: total, TotalPages: (total + perPage - 1) / perPage, CurrentPage: page}
	start := (page - 1) * perPage
	if start >= total {
		return nil, meta
	}
	end := min(start+perPage, total)
	return items[start:end], meta
}

// list answers a page of items in 3scale's collection envelope:
// {"<plural>": [{"<singular>": item}, ...], "metadata": {...}}.
func list[T any](q *request, plural, singular string, items []T) reply {
	pageItems, meta := paginate(q, items)
	wrapped := make([]map[string]any, 0, len(pageItems))
	for _, it := range pageItems {
		wrapped = append(wrapped, wrap(singular, it))
	}
	return okBody(map[string]any{plural: wrapped, "metadata": meta})
}

// bareList answers a page of a collection as a bare JSON array of wrapped items, with no envelope
// and no metadata: the shape porta's backend usages index has (its representer adds no root key).
func bareList[T any](q *request, singular string, items []T) reply {
	pageItems, _ := paginate(q, items)
	wrapped := make([]map[string]any, 0, len(pageItems))
	for _, it := range pageItems {
		wrapped = append(wrapped, wrap(singular, it))
	}
	return okBody(wrapped)
}

// sortedByID returns the values of m in ID order, the order porta lists in.
func sortedByID[T any](m map[int64]T) []T {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := make([]T, 0, len(ids))
	for _, id := range ids {
		out = append(out, m[id])
	}
	return out
}
