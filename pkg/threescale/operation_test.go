package threescale

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestExpand(t *testing.T) {
	cases := map[string]struct {
		op          *operation
		args        []any
		wantEscaped string
		wantDisplay string
		wantErr     string
	}{
		"no parameters":      {op: opListProducts, wantEscaped: "/admin/api/services.json", wantDisplay: "/admin/api/services.json"},
		"ids":                {op: opGetProductMethod, args: []any{int64(1), int64(22), int64(333)}, wantEscaped: "/admin/api/services/1/metrics/22/methods/333.json", wantDisplay: "/admin/api/services/1/metrics/22/methods/333.json"},
		"string parameter":   {op: opGetProxyConfig, args: []any{int64(1), "sandbox", int64(4)}, wantEscaped: "/admin/api/services/1/proxy/configs/sandbox/4.json", wantDisplay: "/admin/api/services/1/proxy/configs/sandbox/4.json"},
		"escaped, sensitive": {op: opDeleteApplicationKey, args: []any{int64(1), int64(2), "a/b c"}, wantEscaped: "/admin/api/accounts/1/applications/2/keys/a%2Fb%20c.json", wantDisplay: "/admin/api/accounts/1/applications/2/keys/{key}.json"},
		"missing argument":   {op: opGetProduct, wantErr: "missing path parameter id"},
		"extra argument":     {op: opGetProduct, args: []any{int64(1), int64(2)}, wantErr: "2 path parameters given, 1 expected"},
		"zero ID":            {op: opGetProduct, args: []any{int64(0)}, wantErr: "not positive"},
		"empty string":       {op: opGetLatestProxyConfig, args: []any{int64(1), ""}, wantErr: "empty"},
		"wrong type":         {op: opGetProduct, args: []any{1}, wantErr: "unsupported type int"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := tc.op.expand(tc.args...)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.escaped != tc.wantEscaped || got.display != tc.wantDisplay {
				t.Errorf("expand = %+v, want {%s %s}", got, tc.wantEscaped, tc.wantDisplay)
			}
		})
	}
}

func TestEncode(t *testing.T) {
	cases := map[string]struct {
		op      *operation
		params  any
		want    url.Values
		wantErr string
	}{
		"nil params": {op: opCreateProduct, want: url.Values{}},
		"only set fields, nested annotations": {op: opCreateProduct, params: ProductParams{
			Name: ptr("Echo"), Description: ptr(""), Annotations: map[string]string{"managed_by": "operator"},
		}, want: url.Values{"name": {"Echo"}, "description": {""}, "annotations[managed_by]": {"operator"}}},
		"numbers and booleans": {op: opCreateProductMappingRule, params: MappingRuleParams{
			HTTPMethod: ptr("GET"), Pattern: ptr("/v1/{id}$"), Delta: ptr(int64(2)), MetricID: ptr(int64(9)), Last: ptr(false),
		}, want: url.Values{"http_method": {"GET"}, "pattern": {"/v1/{id}$"}, "delta": {"2"}, "metric_id": {"9"}, "last": {"false"}}},
		"required plain fields always sent": {op: opCreateLimit, params: LimitParams{Period: "month"},
			want: url.Values{"period": {"month"}, "value": {"0"}}},
		"raw JSON as text": {op: opCreateCustomPolicy, params: CustomPolicyParams{Name: ptr("p"), Schema: json.RawMessage(`{"a":1}`)},
			want: url.Values{"name": {"p"}, "schema": {`{"a":1}`}}},
		"wrong params type":               {op: opCreateProduct, params: ProductUpdateParams{}, wantErr: "takes threescale.ProductParams parameters"},
		"params to an op that takes none": {op: opGetProduct, params: ProductParams{}, wantErr: "takes <nil> parameters"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := tc.op.encode(tc.params)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("encode (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParamNames(t *testing.T) {
	got := paramNames(opCreateBackend.Params)
	want := []string{"annotations[*]", "description", "name", "private_endpoint", "system_name"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("paramNames (-want +got):\n%s", diff)
	}
}

func TestTableIsConsistent(t *testing.T) {
	seen := map[string]bool{}
	for _, op := range operations {
		if seen[op.Key] {
			t.Errorf("%s defined twice", op.Key)
		}
		seen[op.Key] = true
		if op.Method == "DELETE" && (op.Wrap != "" || op.List != "" || op.Item != "") {
			t.Errorf("%s: a deletion decodes nothing", op.Key)
		}
		if op.Method == "GET" || op.Method == "DELETE" {
			continue
		}
		if op.Params == nil && (op.Method == "POST" && op.Wrap == "" && op.List == "") {
			t.Errorf("%s: a creation must decode what it created", op.Key)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		in   string
		want time.Duration
	}{
		"empty":        {in: "", want: 0},
		"seconds":      {in: "3", want: 3 * time.Second},
		"negative":     {in: "-3", want: 0},
		"HTTP date":    {in: now.Add(90 * time.Second).Format(httpTimeFormat), want: 90 * time.Second},
		"date in past": {in: now.Add(-time.Minute).Format(httpTimeFormat), want: 0},
		"garbage":      {in: "soon", want: 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := parseRetryAfter(tc.in, now); got != tc.want {
				t.Errorf("parseRetryAfter(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

const httpTimeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"

func TestDecimal(t *testing.T) {
	cases := map[string]struct {
		in      string
		want    Decimal
		wantF   float64
		wantErr bool
	}{
		"number": {in: `10.5`, want: "10.5", wantF: 10.5},
		"string": {in: `"0.01"`, want: "0.01", wantF: 0.01},
		"null":   {in: `null`, want: "", wantF: 0},
		"object": {in: `{}`, wantErr: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var d Decimal
			err := json.Unmarshal([]byte(tc.in), &d)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error: %t", err, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			f, err := d.Float64()
			if d != tc.want || err != nil || f != tc.wantF {
				t.Errorf("got %q (%v, %v), want %q (%v)", d, f, err, tc.want, tc.wantF)
			}
		})
	}
}

func TestRetryPolicyBackoff(t *testing.T) {
	p := RetryPolicy{MaxAttempts: 10, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second, MaxRetryAfter: time.Second}
	for attempt, ceiling := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 5: time.Second, 9: time.Second} {
		for range 50 {
			d := p.backoff(attempt)
			if d < ceiling/2 || d > ceiling {
				t.Fatalf("backoff(%d) = %s, want within [%s, %s]", attempt, d, ceiling/2, ceiling)
			}
		}
	}
}

func TestLastPage(t *testing.T) {
	cases := map[string]struct {
		page, items int
		meta        listMetadata
		want        bool
	}{
		"no metadata, full page":               {page: 1, items: PerPage, want: false},
		"no metadata, short page":              {page: 1, items: 7, want: true},
		"no metadata, empty page":              {page: 3, items: 0, want: true},
		"metadata, short page before the last": {page: 1, items: 100, meta: listMetadata{TotalPages: 3}, want: false},
		"metadata, full last page":             {page: 2, items: PerPage, meta: listMetadata{TotalPages: 2}, want: true},
		"metadata, past the last page":         {page: 4, items: PerPage, meta: listMetadata{TotalPages: 3}, want: true},
		"metadata without total_pages":         {page: 1, items: PerPage, meta: listMetadata{PerPage: PerPage}, want: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := lastPage(tc.page, tc.items, tc.meta); got != tc.want {
				t.Errorf("lastPage(%d, %d, %+v) = %t, want %t", tc.page, tc.items, tc.meta, got, tc.want)
			}
		})
	}
}
