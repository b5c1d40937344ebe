package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"sigs.k8s.io/yaml"
)

// MaxDocumentSize is the largest document Parse reads, in bytes. It bounds the memory and the
// time an import costs; the largest public API descriptions are a few megabytes.
const MaxDocumentSize = 10 << 20

// maxReportedProblems is how many validation problems an error lists; the rest are counted.
const maxReportedProblems = 5

// toleratedCodes are the kin-openapi validation codes that do not make a document unusable for
// the import: the import rules make duplicate operationIds unique themselves, and read path
// parameters from the path template, not from the parameter declarations (which hand-written
// documents often get wrong).
var toleratedCodes = map[string]bool{
	"duplicate-operation-id":   true,
	"path-parameters-mismatch": true,
	"path-parameter-required":  true,
}

// Parse reads an OpenAPI 3.0 or 3.1 document, or a Swagger 2.0 document (converted to OpenAPI 3),
// written in JSON or YAML, resolves its internal references and validates it. External
// references are refused: the operator never reads a file or a URL on a document's behalf. An
// error says what is wrong and, where the parser knows it, where (line, column or the path of
// the element).
func Parse(data []byte) (doc *openapi3.T, err error) {
	if len(data) > MaxDocumentSize {
		return nil, fmt.Errorf("the document has %d bytes, more than the %d the operator reads", len(data), MaxDocumentSize)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("the document is empty")
	}
	// kin-openapi is a large parser fed with documents anybody may write; a panic inside it must
	// become an Invalid document, not a crashed operator.
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("the document cannot be read: parser failure: %v", r)
		}
	}()
	js, err := toJSON(data)
	if err != nil {
		return nil, err
	}
	var head struct {
		OpenAPI any `json:"openapi"`
		Swagger any `json:"swagger"`
	}
	if err := json.Unmarshal(js, &head); err != nil {
		return nil, errors.New("the document is not an object with an \"openapi\" or \"swagger\" field")
	}
	switch {
	case head.OpenAPI != nil:
		v, _ := head.OpenAPI.(string)
		if !strings.HasPrefix(v, "3.") {
			return nil, fmt.Errorf("openapi: %v: only OpenAPI 3.0 and 3.1 (and Swagger 2.0) are supported", head.OpenAPI)
		}
		doc, err = parseV3(js)
	case head.Swagger != nil:
		if v, _ := head.Swagger.(string); v != "2.0" {
			return nil, fmt.Errorf("swagger: %v: only Swagger 2.0 is supported", head.Swagger)
		}
		doc, err = parseV2(js)
	default:
		return nil, errors.New(`the document has no "openapi" (OpenAPI 3) or "swagger" (Swagger 2.0) field`)
	}
	if err != nil {
		return nil, err
	}
	if err := validate(doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// toJSON returns data as JSON: JSON as it is (checked, so that a syntax error names its line),
// YAML converted.
func toJSON(data []byte) ([]byte, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		var v any
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		if err := dec.Decode(&v); err != nil {
			return nil, jsonError(trimmed, err)
		}
		if dec.More() {
			return nil, fmt.Errorf("invalid JSON at %s: data after the document", lineCol(trimmed, int(dec.InputOffset())))
		}
		return trimmed, nil
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		// The YAML parser's message names the line ("yaml: line 3: ...").
		return nil, fmt.Errorf("invalid YAML: %s", strings.TrimPrefix(err.Error(), "error converting YAML to JSON: "))
	}
	return js, nil
}

// jsonError adds the line and column to a JSON syntax error.
func jsonError(data []byte, err error) error {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return fmt.Errorf("invalid JSON at %s: %v", lineCol(data, int(syntax.Offset)), err)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("invalid JSON: the document ends too early")
	}
	return fmt.Errorf("invalid JSON: %v", err)
}

// lineCol renders a byte offset of data as "line L, column C" (both from 1).
func lineCol(data []byte, offset int) string {
	offset = min(max(offset, 0), len(data))
	line := bytes.Count(data[:offset], []byte("\n")) + 1
	col := offset - bytes.LastIndexByte(data[:offset], '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}

// newLoader returns a loader that resolves the references inside the document only.
func newLoader() *openapi3.Loader {
	l := openapi3.NewLoader()
	l.IsExternalRefsAllowed = false
	l.ReadFromURIFunc = func(_ *openapi3.Loader, location *url.URL) ([]byte, error) {
		return nil, fmt.Errorf("external reference %q: the operator reads no file or URL a document references", location.String())
	}
	return l
}

func parseV3(js []byte) (*openapi3.T, error) {
	doc, err := newLoader().LoadFromData(js)
	if err != nil {
		where := locateDecodeError(js)
		if where != "" {
			where = " at " + where
		}
		return nil, fmt.Errorf("the document cannot be read%s: %s", where, cleanKinError(err))
	}
	return doc, nil
}

// locateDecodeError returns the JSON pointer of the top-level field (or of the path item, or
// the components section) whose value does not decode, "" when none is found alone: kin-openapi's
// decoding errors name a Go type, not where the document is wrong. It runs on failures only.
func locateDecodeError(js []byte) string {
	var top map[string]json.RawMessage
	if json.Unmarshal(js, &top) != nil {
		return ""
	}
	fails := func(key string, raw json.RawMessage) bool {
		part, _ := json.Marshal(map[string]json.RawMessage{"openapi": top["openapi"], key: raw})
		var doc openapi3.T
		return json.Unmarshal(part, &doc) != nil
	}
	for _, key := range slices.Sorted(maps.Keys(top)) {
		if key == "openapi" || !fails(key, top[key]) {
			continue
		}
		var sub map[string]json.RawMessage
		if (key == "paths" || key == "components") && json.Unmarshal(top[key], &sub) == nil {
			for _, name := range slices.Sorted(maps.Keys(sub)) {
				if fails(key, mustJSON(map[string]json.RawMessage{name: sub[name]})) {
					return "/" + key + "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(name)
				}
			}
		}
		return "/" + key
	}
	return ""
}

func mustJSON(v any) json.RawMessage {
	out, _ := json.Marshal(v)
	return out
}

func parseV2(js []byte) (*openapi3.T, error) {
	var d2 openapi2.T
	if err := json.Unmarshal(js, &d2); err != nil {
		return nil, fmt.Errorf("the Swagger 2.0 document cannot be read: %s", cleanKinError(err))
	}
	doc, err := openapi2conv.ToV3WithLoader(&d2, newLoader(), nil)
	if err != nil {
		return nil, fmt.Errorf("the Swagger 2.0 document cannot be converted to OpenAPI 3: %s", cleanKinError(err))
	}
	return doc, nil
}

// cleanKinError drops the noise kin-openapi adds when a JSON document is also tried as YAML: the
// JSON error is the one that names the field.
func cleanKinError(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "failed to unmarshal data: ")
	if before, _, ok := strings.Cut(msg, ", yaml error: "); ok {
		msg = strings.TrimPrefix(before, "json error: ")
	}
	return msg
}

// validate checks the document against the OpenAPI specification of its version. Examples,
// defaults, formats and patterns of schemas are not checked: the import does not use schemas, and
// a document whose example is wrong still describes its operations well.
func validate(doc *openapi3.T) error {
	err := doc.Validate(context.Background(),
		openapi3.EnableMultiError(),
		openapi3.DisableExamplesValidation(),
		openapi3.DisableSchemaDefaultsValidation(),
		openapi3.DisableSchemaFormatValidation(),
		openapi3.DisableSchemaPatternValidation(),
	)
	if err == nil {
		return nil
	}
	var problems []string
	var all openapi3.MultiError
	if !errors.As(err, &all) {
		all = openapi3.MultiError{err}
	}
	for _, e := range all {
		var coded openapi3.CodedError
		if errors.As(e, &coded) && toleratedCodes[coded.Code()] {
			continue
		}
		problems = append(problems, e.Error())
	}
	if len(problems) == 0 {
		return nil
	}
	msg := strings.Join(problems[:min(len(problems), maxReportedProblems)], "; ")
	if n := len(problems) - maxReportedProblems; n > 0 {
		msg += fmt.Sprintf("; and %d more", n)
	}
	return fmt.Errorf("the document is not valid OpenAPI %s: %s", versionOf(doc), msg)
}

func versionOf(doc *openapi3.T) string {
	if v := doc.OpenAPIMajorMinor(); v != "" {
		return v
	}
	return doc.OpenAPI
}
