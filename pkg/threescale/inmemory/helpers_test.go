package inmemory

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// api is a minimal HTTP client for the tests: plain net/http, not the operator's client, so
// the server is tested on its own.
type api struct {
	t     testing.TB
	base  string
	token string
}

func newAPI(t testing.TB, base, token string) api { return api{t: t, base: base, token: token} }

// resp is a decoded answer.
type resp struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    string
}

var httpClient = &http.Client{Timeout: 10 * time.Second}

// do sends method path with params, the token as access_token, form-encoded for writes.
func (a api) do(method, path string, params url.Values) resp {
	a.t.Helper()
	r, err := a.try(method, path, params)
	if err != nil {
		a.t.Fatal(err)
	}
	return r
}

// try is do without failing the test, for goroutines other than the test's.
func (a api) try(method, path string, params url.Values) (resp, error) {
	if params == nil {
		params = url.Values{}
	}
	if a.token != "" {
		params.Set("access_token", a.token)
	}
	var req *http.Request
	var err error
	switch method {
	case http.MethodGet, http.MethodDelete:
		req, err = http.NewRequest(method, a.base+path+"?"+params.Encode(), nil)
	default:
		req, err = http.NewRequest(method, a.base+path, strings.NewReader(params.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if err != nil {
		return resp{}, err
	}
	return a.trySend(req)
}

// doJSON sends a JSON body, with the token in the query.
func (a api) doJSON(method, path string, body any) resp {
	a.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		a.t.Fatalf("marshal: %v", err)
	}
	req, err := http.NewRequest(method, a.base+path+"?access_token="+url.QueryEscape(a.token), strings.NewReader(string(b)))
	if err != nil {
		a.t.Fatalf("new request: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	return a.send(req)
}

func (a api) send(req *http.Request) resp {
	a.t.Helper()
	r, err := a.trySend(req)
	if err != nil {
		a.t.Fatal(err)
	}
	return r
}

func (a api) trySend(req *http.Request) (resp, error) {
	res, err := httpClient.Do(req)
	if err != nil {
		return resp{}, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return resp{}, fmt.Errorf("read body: %w", err)
	}
	r := resp{Status: res.StatusCode, Header: res.Header, Raw: string(raw)}
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &r.Body); err != nil {
			return resp{}, fmt.Errorf("decode %q: %w", raw, err)
		}
	}
	return r, nil
}

// must asserts the status and returns the response.
func (r resp) must(t testing.TB, status int) resp {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body %s", r.Status, status, r.Raw)
	}
	return r
}

// obj returns the object wrapped under name.
func (r resp) obj(t testing.TB, name string) map[string]any {
	t.Helper()
	o, ok := r.Body[name].(map[string]any)
	if !ok {
		t.Fatalf("no %q object in %s", name, r.Raw)
	}
	return o
}

// items returns the objects of a collection {plural: [{singular: {...}}]}.
func (r resp) items(t testing.TB, plural, singular string) []map[string]any {
	t.Helper()
	arr, ok := r.Body[plural].([]any)
	if !ok {
		t.Fatalf("no %q list in %s", plural, r.Raw)
	}
	out := make([]map[string]any, 0, len(arr))
	for _, it := range arr {
		w, _ := it.(map[string]any)
		o, ok := w[singular].(map[string]any)
		if !ok {
			t.Fatalf("item %v is not wrapped in %q", it, singular)
		}
		out = append(out, o)
	}
	return out
}

// bareItems returns the objects of a collection answered as a bare array [{singular: {...}}].
func (r resp) bareItems(t testing.TB, singular string) []map[string]any {
	t.Helper()
	var arr []map[string]map[string]any
	if err := json.Unmarshal([]byte(r.Raw), &arr); err != nil {
		t.Fatalf("not a bare array of %q items: %v: %s", singular, err, r.Raw)
	}
	out := make([]map[string]any, 0, len(arr))
	for _, w := range arr {
		o, ok := w[singular]
		if !ok {
			t.Fatalf("item %v is not wrapped in %q", w, singular)
		}
		out = append(out, o)
	}
	return out
}

// errors returns the per-field errors of a 422.
func (r resp) errors(t testing.TB) map[string][]string {
	t.Helper()
	e, ok := r.Body["errors"].(map[string]any)
	if !ok {
		t.Fatalf("no errors in %s", r.Raw)
	}
	out := map[string][]string{}
	for k, v := range e {
		for _, m := range v.([]any) {
			out[k] = append(out[k], m.(string))
		}
	}
	return out
}

// id reads the numeric id field of an object.
func id(t testing.TB, o map[string]any) int64 {
	t.Helper()
	f, ok := o["id"].(float64)
	if !ok {
		t.Fatalf("no id in %v", o)
	}
	return int64(f)
}

func p(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

func idPath(n int64) string { return itoa(n) }
