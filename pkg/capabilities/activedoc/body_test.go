package activedoc

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

const petstoreJSON = `{"openapi":"3.0.0","info":{"title":"Petstore","version":"1.0.0"},"paths":{"/pets":{"get":{"operationId":"listPets","responses":{"200":{"description":"ok"}}}},"/a":{}}}`

const petstoreYAML = `
openapi: 3.0.0
info:
  title: Petstore
  version: 1.0.0
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        "200":
          description: ok
  /a: {}
`

func TestParseBody(t *testing.T) {
	cases := map[string]struct {
		reason   string
		content  string
		wantJSON string // "" when the JSON is not checked
		wantErr  string
	}{
		"JSONAsWritten": {
			reason:   "A JSON document is sent as the user wrote it, so that 3scale shows it unchanged.",
			content:  "{\n  \"openapi\": \"3.0.0\"\n}\n",
			wantJSON: "{\n  \"openapi\": \"3.0.0\"\n}\n",
		},
		"YAMLKeepsOrder": {
			reason:   "A YAML document becomes JSON with its keys in document order (the portal lists paths so).",
			content:  petstoreYAML,
			wantJSON: `{"openapi":"3.0.0","info":{"title":"Petstore","version":"1.0.0"},"paths":{"/pets":{"get":{"operationId":"listPets","responses":{"200":{"description":"ok"}}}},"/a":{}}}`,
		},
		"YAMLScalars": {
			reason:   "Numbers, booleans and null are typed as YAML resolves them; timestamps stay as written.",
			content:  "openapi: 3.0.0\nx-n: 3\nx-f: 1.5\nx-b: true\nx-null: ~\nx-date: 2024-01-02\nx-q: \"7\"\n",
			wantJSON: `{"openapi":"3.0.0","x-n":3,"x-f":1.5,"x-b":true,"x-null":null,"x-date":"2024-01-02","x-q":"7"}`,
		},
		"YAMLAliases":    {reason: "Anchors and aliases are expanded.", content: "openapi: 3.0.0\nx-a: &a {k: v}\nx-b: *a\n", wantJSON: `{"openapi":"3.0.0","x-a":{"k":"v"},"x-b":{"k":"v"}}`},
		"YAMLMerge":      {reason: "Merge keys follow YAML's rules.", content: "openapi: 3.0.0\nbase: &b {k: v}\nx: {<<: *b, l: w}\n", wantJSON: `{"openapi":"3.0.0","base":{"k":"v"},"x":{"k":"v","l":"w"}}`},
		"NotAnObject":    {reason: "A list is not an API description.", content: "- a\n- b\n", wantErr: "not an object"},
		"Scalar":         {reason: "Nor is a string.", content: "hello", wantErr: "not an object"},
		"Garbage":        {reason: "What neither JSON nor YAML reads is refused with the parser's message.", content: "openapi: [3.0.0\n", wantErr: "neither JSON nor YAML"},
		"RepeatedKey":    {reason: "A repeated key is refused, as YAML requires.", content: "openapi: 3.0.0\nopenapi: 3.1.0\n", wantErr: "openapi"},
		"InfinityNoJSON": {reason: "A value JSON cannot hold is refused.", content: "openapi: 3.0.0\nx: .inf\n", wantErr: "JSON"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b, err := ParseBody([]byte(tc.content))
			switch {
			case tc.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("%s\nParseBody error = %v, want one saying %q", tc.reason, err, tc.wantErr)
				}
			case err != nil:
				t.Errorf("%s\nParseBody: %v", tc.reason, err)
			case b.JSON != tc.wantJSON:
				t.Errorf("%s\nParseBody JSON = %s\nwant %s", tc.reason, b.JSON, tc.wantJSON)
			}
		})
	}
}

func TestSameAsIgnoresFormatting(t *testing.T) {
	b, err := ParseBody([]byte(petstoreYAML))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		have string
		want bool
	}{
		"SameJSON":      {have: b.JSON, want: true},
		"CompactJSON":   {have: petstoreJSON, want: true},
		"IndentedJSON":  {have: "{\n \"paths\": {\"/a\": {}, \"/pets\": {\"get\": {\"responses\": {\"200\": {\"description\": \"ok\"}}, \"operationId\": \"listPets\"}}},\n \"info\": {\"version\": \"1.0.0\", \"title\": \"Petstore\"}, \"openapi\": \"3.0.0\"}", want: true},
		"OtherValue":    {have: strings.Replace(petstoreJSON, "listPets", "listAllPets", 1), want: false},
		"MissingKey":    {have: `{"openapi":"3.0.0"}`, want: false},
		"NotJSON":       {have: petstoreYAML, want: false},
		"Empty":         {have: "", want: false},
		"NumberAsFloat": {have: `{"openapi":"3.0.0","x":1}`, want: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := b.SameAs(tc.have); got != tc.want {
				t.Errorf("SameAs(%.60q) = %v, want %v", tc.have, got, tc.want)
			}
		})
	}
	one, _ := ParseBody([]byte(`{"openapi":"3.0.0","x":1}`))
	if !one.SameAs(`{"x": 1.0, "openapi": "3.0.0"}`) {
		t.Error("1 and 1.0 are the same JSON number")
	}
}

func TestParseBodyBoundsAliasExpansion(t *testing.T) {
	// Each level doubles the expansion: 2^40 nodes if followed blindly.
	var sb strings.Builder
	sb.WriteString("openapi: 3.0.0\nl0: &l0 [x, x]\n")
	for i := 1; i <= 40; i++ {
		sb.WriteString("l" + strconv.Itoa(i) + ": &l" + strconv.Itoa(i) + " [*l" + strconv.Itoa(i-1) + ", *l" + strconv.Itoa(i-1) + "]\n")
	}
	start := time.Now()
	_, err := ParseBody([]byte(sb.String()))
	if err == nil {
		t.Fatal("ParseBody of an alias bomb succeeded")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("ParseBody of an alias bomb took %s", d)
	}
}

func FuzzParseBody(f *testing.F) {
	for _, s := range []string{petstoreJSON, petstoreYAML, "openapi: 3.0.0\nx: &a [*a]\n", "{", "- a", "a: {<<: [*b]}", "? [a]\n: b\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		b, err := ParseBody(content)
		if err != nil {
			return
		}
		// What parses is JSON that parses to itself.
		if !b.SameAs(b.JSON) {
			t.Errorf("ParseBody(%q).JSON = %q is not the same as itself", content, b.JSON)
		}
	})
}

// TestParseBodyLargeDocument parses a 1 MiB YAML document (thousands of paths) in bounded time,
// within the node budget, keeping its paths in order.
func TestParseBodyLargeDocument(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("openapi: 3.0.0\ninfo: {title: big, version: '1'}\npaths:\n")
	n := 0
	for sb.Len() < 1<<20 {
		sb.WriteString("  /things" + strconv.Itoa(n) + "/{id}:\n    get:\n      operationId: get" + strconv.Itoa(n) +
			"\n      parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n      responses: {'200': {description: ok}}\n")
		n++
	}
	start := time.Now()
	b, err := ParseBody([]byte(sb.String()))
	if err != nil {
		t.Fatalf("ParseBody of %d paths: %v", n, err)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("ParseBody of 1 MiB took %s", d)
	}
	if i, j := strings.Index(b.JSON, `"/things0/{id}"`), strings.Index(b.JSON, `"/things1/{id}"`); i < 0 || j < i {
		t.Errorf("paths are not in document order")
	}
}
