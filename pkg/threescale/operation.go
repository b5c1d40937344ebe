package threescale

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// operation describes one call of the 3scale admin API. Every Client method is a thin typed
// wrapper around an operation of the table in operations.go.
type operation struct {
	// Key names the operation: "<METHOD> <path template>", the template spelled as in 3scale's
	// API description with .json for .xml. Metrics, the in-memory 3scale's counters and the
	// contract test all use it.
	Key string
	// Method and Path are the two halves of Key.
	Method, Path string
	// Paginated operations are called with page and per_page (PerPage) until the last page.
	Paginated bool
	// Params is the type of the struct whose `form` tags name the parameters the call sends
	// (query for GET/DELETE, form body otherwise); nil when it sends none.
	Params reflect.Type
	// Wrap is the member a single-object response is wrapped in ({"service": {...}}).
	Wrap string
	// List is the member holding a list response ({"services": [...]}); "" when the response is
	// a bare JSON array. Item is the member each list item is wrapped in; "" when unwrapped.
	List, Item string
	// Sensitive path parameters are credentials (application keys): errors and logs show their
	// template name instead of their value.
	Sensitive []string
	// Collection names the collection a list shows and a write changes ("products"): lookups of
	// it may be shared (WithSharedLookup), kept up to date with this Client's writes.
	Collection string
	// UniqueKeys says 3scale refuses a second entity of the collection with the same natural key:
	// a shared lookup of it may serve for longer (DefaultLookupWindow).
	UniqueKeys bool
	// Undocumented lists parameters 3scale accepts that its API description leaves out, each with
	// where 3scale's source (3scale/porta) permits it. The contract test holds this list to
	// parameters that really are missing from the description.
	Undocumented map[string]string
}

// Idempotent reports whether repeating the call leaves 3scale as one call would. PATCH is
// idempotent here: 3scale's PATCH endpoints (proxy, OIDC configuration, mapping rules) set fields.
func (op *operation) Idempotent() bool { return op.Method != http.MethodPost }

// operations is the table: every operation the Client can call, in definition order.
var operations []*operation

// def adds an operation to the table. params is a zero value of the params struct, or nil.
func def(key string, params any, o operation) *operation {
	method, path, ok := strings.Cut(key, " ")
	if !ok || !strings.HasPrefix(path, "/") || !strings.HasSuffix(path, ".json") {
		panic(fmt.Sprintf("threescale: malformed operation key %q", key)) // programming error in the table
	}
	o.Key, o.Method, o.Path = key, method, path
	if params != nil {
		o.Params = reflect.TypeOf(params)
	}
	operations = append(operations, &o)
	return &o
}

// expandedPath is an operation's path with its parameters filled in: escaped for the request, and
// for display with sensitive parameters left as their template name.
type expandedPath struct {
	escaped, display string
}

// expand fills the path template's {placeholders} with args, in order.
func (op *operation) expand(args ...any) (expandedPath, error) {
	var esc, disp strings.Builder
	rest := op.Path
	i := 0
	for {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			esc.WriteString(rest)
			disp.WriteString(rest)
			break
		}
		closing := strings.IndexByte(rest[open:], '}')
		if closing < 0 {
			return expandedPath{}, fmt.Errorf("threescale: %s: unterminated path parameter", op.Key)
		}
		name := rest[open+1 : open+closing]
		esc.WriteString(rest[:open])
		disp.WriteString(rest[:open])
		if i >= len(args) {
			return expandedPath{}, fmt.Errorf("threescale: %s: missing path parameter %s", op.Key, name)
		}
		v, err := pathValue(args[i])
		if err != nil {
			return expandedPath{}, fmt.Errorf("threescale: %s: path parameter %s: %w", op.Key, name, err)
		}
		esc.WriteString(url.PathEscape(v))
		if contains(op.Sensitive, name) {
			disp.WriteString("{" + name + "}")
		} else {
			disp.WriteString(url.PathEscape(v))
		}
		rest = rest[open+closing+1:]
		i++
	}
	if i != len(args) {
		return expandedPath{}, fmt.Errorf("threescale: %s: %d path parameters given, %d expected", op.Key, len(args), i)
	}
	return expandedPath{escaped: esc.String(), display: disp.String()}, nil
}

func pathValue(v any) (string, error) {
	switch v := v.(type) {
	case int64:
		if v <= 0 {
			return "", fmt.Errorf("ID %d is not positive", v)
		}
		return strconv.FormatInt(v, 10), nil
	case string:
		if v == "" {
			return "", errors.New("empty")
		}
		return v, nil
	default:
		return "", fmt.Errorf("unsupported type %T", v)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// encode turns params (a value of op.Params, or nil) into the call's parameters.
func (op *operation) encode(params any) (url.Values, error) {
	values := url.Values{}
	if params == nil {
		return values, nil
	}
	v := reflect.ValueOf(params)
	if op.Params == nil || v.Type() != op.Params {
		// A programming error: the contract test checks op.Params, so the call must send exactly
		// that type's parameters.
		return nil, fmt.Errorf("threescale: %s takes %v parameters, not %T", op.Key, op.Params, params)
	}
	t := v.Type()
	for i := range t.NumField() {
		name, omitEmpty, ok := formTag(t.Field(i))
		if !ok {
			continue
		}
		if err := encodeField(values, name, omitEmpty, v.Field(i)); err != nil {
			return nil, fmt.Errorf("threescale: %s: parameter %s: %w", op.Key, name, err)
		}
	}
	return values, nil
}

func formTag(f reflect.StructField) (name string, omitEmpty, ok bool) {
	tag, has := f.Tag.Lookup("form")
	if !has || tag == "-" || !f.IsExported() {
		return "", false, false
	}
	name, opts, _ := strings.Cut(tag, ",")
	return name, opts == "omitempty", true
}

var rawMessageType = reflect.TypeFor[json.RawMessage]()

// A formValuer encodes itself as a form value, for the values the kinds below cannot say (a
// blank that means "none").
type formValuer interface{ FormValue() string }

func encodeField(values url.Values, name string, omitEmpty bool, v reflect.Value) error {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	} else if omitEmpty && v.IsZero() {
		return nil
	}
	if fv, ok := v.Interface().(formValuer); ok {
		values.Set(name, fv.FormValue())
		return nil
	}
	if v.Type() == rawMessageType {
		if v.Len() == 0 {
			return nil
		}
		values.Set(name, string(v.Bytes()))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		values.Set(name, v.String())
	case reflect.Bool:
		values.Set(name, strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int32, reflect.Int64:
		values.Set(name, strconv.FormatInt(v.Int(), 10))
	case reflect.Float64:
		values.Set(name, strconv.FormatFloat(v.Float(), 'f', -1, 64))
	case reflect.Slice:
		// Rails array parameters: the name ends in [] and is repeated (scopes[]=a&scopes[]=b).
		if v.Type().Elem().Kind() != reflect.String {
			return fmt.Errorf("unsupported slice type %v", v.Type())
		}
		for i := range v.Len() {
			values.Add(name, v.Index(i).String())
		}
	case reflect.Map:
		// Rails nested parameters: annotations[managed_by]=operator.
		if v.Type().Key().Kind() != reflect.String || v.Type().Elem().Kind() != reflect.String {
			return fmt.Errorf("unsupported map type %v", v.Type())
		}
		iter := v.MapRange()
		for iter.Next() {
			values.Set(name+"["+iter.Key().String()+"]", iter.Value().String())
		}
	default:
		return fmt.Errorf("unsupported type %v", v.Type())
	}
	return nil
}

// paramNames lists the parameter names a params type can send; a map field "annotations" is
// listed as "annotations[*]".
func paramNames(t reflect.Type) []string {
	if t == nil {
		return nil
	}
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, ok := formTag(f)
		if !ok {
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Map {
			name += "[*]"
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// one calls op and decodes its single wrapped object. A write of a collection updates the
// lookups of it (the created entity added).
func one[T any](ctx context.Context, c *Client, op *operation, params any, args ...any) (*T, error) {
	body, err := c.call(ctx, op, args, params, 0)
	if err != nil {
		c.wrote(op, nil, 0) // it may have happened all the same
		return nil, err
	}
	var out T
	if err := decodeMember(body, op.Wrap, &out); err != nil {
		c.wrote(op, nil, 0)
		return nil, fmt.Errorf("threescale: %s: %w", op.Key, err)
	}
	c.wrote(op, &out, 0)
	return &out, nil
}

// none calls op and ignores its response body (deletions). A deletion of an entity of a
// collection, the ID its last argument, removes it from the lookups of it.
func none(ctx context.Context, c *Client, op *operation, params any, args ...any) error {
	_, err := c.call(ctx, op, args, params, 0)
	var id int64
	if n := len(args); err == nil && n > 0 {
		id, _ = args[n-1].(int64)
	}
	c.wrote(op, nil, id)
	return err
}

// maxPages stops a list that never ends (a server ignoring page would repeat page 1 forever).
const maxPages = 10000

// list calls op and decodes its list, following pages to the end when op is paginated. A lookup
// (WithSharedLookup) of a collection may share the list of other lookups.
func list[T any](ctx context.Context, c *Client, op *operation, params any, args ...any) ([]T, error) {
	if op.Collection != "" && isSharedLookup(ctx) && c.lookups.window > 0 {
		return sharedList[T](ctx, c, op, params, args...)
	}
	return listAll[T](ctx, c, op, params, args...)
}

// listAll is list without sharing.
func listAll[T any](ctx context.Context, c *Client, op *operation, params any, args ...any) ([]T, error) {
	if !op.Paginated {
		body, err := c.call(ctx, op, args, params, 0)
		if err != nil {
			return nil, err
		}
		items, _, err := decodeList[T](body, op)
		return items, err
	}
	var all []T
	for page := 1; ; page++ {
		body, err := c.call(ctx, op, args, params, page)
		if err != nil {
			return nil, err
		}
		items, meta, err := decodeList[T](body, op)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if lastPage(page, len(items), meta) {
			return all, nil
		}
		if page >= maxPages {
			return nil, fmt.Errorf("threescale: %s: more than %d pages", op.Key, maxPages)
		}
	}
}

// lastPage reports whether page, which held n items, is the last one. 3scale's total_pages, where
// it sends one, decides alone: a short page is no proof of the end when the server pages by other
// sizes than asked (an endpoint capping per_page below PerPage answers nothing but short pages),
// and a full last page needs no extra call to prove that it was the last. Without metadata, the
// first short page is the last.
func lastPage(page, n int, meta listMetadata) bool {
	if meta.TotalPages > 0 {
		return page >= meta.TotalPages
	}
	return n < PerPage
}

// listMetadata is the "metadata" member 3scale adds to paginated lists.
type listMetadata struct {
	PerPage      int `json:"per_page"`
	TotalEntries int `json:"total_entries"`
	TotalPages   int `json:"total_pages"`
	CurrentPage  int `json:"current_page"`
}

func decodeList[T any](body []byte, op *operation) ([]T, listMetadata, error) {
	var meta listMetadata
	raw := json.RawMessage(body)
	if op.List != "" {
		var env map[string]json.RawMessage
		if err := json.Unmarshal(body, &env); err != nil {
			return nil, meta, fmt.Errorf("threescale: %s: decoding list: %w", op.Key, err)
		}
		var ok bool
		if raw, ok = env[op.List]; !ok {
			return nil, meta, fmt.Errorf("threescale: %s: response has no %q member", op.Key, op.List)
		}
		if m, ok := env["metadata"]; ok {
			_ = json.Unmarshal(m, &meta) // unreadable metadata leaves the page length to decide
		}
	}
	var rawItems []json.RawMessage
	if err := json.Unmarshal(raw, &rawItems); err != nil {
		shape := "a JSON array"
		if op.List == "" {
			shape = "a bare JSON array, as 3scale answers this list"
		}
		return nil, meta, fmt.Errorf("threescale: %s: response is not %s: %w", op.Key, shape, err)
	}
	items := make([]T, 0, len(rawItems))
	for _, ri := range rawItems {
		var item T
		if err := decodeMember(ri, op.Item, &item); err != nil {
			return nil, meta, fmt.Errorf("threescale: %s: %w", op.Key, err)
		}
		items = append(items, item)
	}
	return items, meta, nil
}

// decodeMember decodes the object at member of body into out; member "" decodes body itself.
func decodeMember(body []byte, member string, out any) error {
	if member == "" {
		if err := json.Unmarshal(body, out); err != nil {
			return fmt.Errorf("decoding response: %w", err)
		}
		return nil
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal(body, &env); err != nil {
		return fmt.Errorf("decoding response: %w", err)
	}
	raw, ok := env[member]
	if !ok {
		return fmt.Errorf("response has no %q member", member)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("decoding %q: %w", member, err)
	}
	return nil
}
