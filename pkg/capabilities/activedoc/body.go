package activedoc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	yaml "go.yaml.in/yaml/v3"
)

// A Body is an API description as 3scale stores it: JSON (porta parses ActiveDocs bodies as JSON),
// with its parsed value for comparing.
type Body struct {
	// JSON is the text sent to 3scale: the document itself when it is JSON (so that 3scale shows
	// what the user wrote), else its YAML converted to JSON with the order of its keys kept (the
	// Developer Portal lists paths in document order).
	JSON string
	// value is JSON parsed into generic values: what two bodies are compared by.
	value any
}

// maxNodes bounds the YAML nodes a conversion visits, aliases expanded: a small document of
// nested aliases ("billion laughs") would otherwise expand without end. A document is also held
// to nodesPerByte nodes per byte of its text, so that a small one gives up at once: without
// aliases, a document has fewer nodes than bytes.
const (
	maxNodes     = 1 << 22
	nodesPerByte = 10
)

// ParseBody reads a document, JSON or YAML, whose top level must be an object.
func ParseBody(content []byte) (Body, error) {
	text := content
	if !json.Valid(content) {
		var root yaml.Node
		if err := yaml.Unmarshal(content, &root); err != nil {
			return Body{}, fmt.Errorf("the document is neither JSON nor YAML: %v", err)
		}
		var buf bytes.Buffer
		budget := min(maxNodes, nodesPerByte*len(content)+4096)
		if err := writeJSON(&buf, &root, &budget); err != nil {
			return Body{}, fmt.Errorf("the YAML document cannot be written as JSON: %v", err)
		}
		text = buf.Bytes()
	}
	var v any
	if err := json.Unmarshal(text, &v); err != nil {
		return Body{}, fmt.Errorf("the document does not parse: %v", err)
	}
	if _, ok := v.(map[string]any); !ok {
		return Body{}, errors.New("the document is not an object (an OpenAPI or Swagger document is)")
	}
	return Body{JSON: string(text), value: v}, nil
}

// SameAs tells whether 3scale's body have is b, as data: formatting, key order and the choice of
// JSON or YAML do not count. A body that does not parse is not b.
func (b Body) SameAs(have string) bool {
	if have == b.JSON {
		return true
	}
	var v any
	if err := json.Unmarshal([]byte(have), &v); err != nil {
		return false
	}
	return reflect.DeepEqual(v, b.value)
}

// Has tells whether the document's top level has one of keys.
func (b Body) Has(keys ...string) bool {
	m, _ := b.value.(map[string]any)
	for _, k := range keys {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}

// writeJSON writes the YAML node n as JSON, keeping the order of mapping keys.
func writeJSON(buf *bytes.Buffer, n *yaml.Node, budget *int) error {
	if *budget--; *budget < 0 {
		return errors.New("too many nodes (nested aliases?)")
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			buf.WriteString("null")
			return nil
		}
		return writeJSON(buf, n.Content[0], budget)
	case yaml.AliasNode:
		if n.Alias == nil || n.Alias.Kind == 0 {
			return fmt.Errorf("line %d: unknown alias", n.Line)
		}
		// An alias inside its own anchor would expand forever: the anchor's kind is zeroed
		// while it is being written, so such an alias is found at once.
		target := n.Alias
		kind := target.Kind
		target.Kind = 0
		defer func() { target.Kind = kind }()
		n2 := *target
		n2.Kind = kind
		return writeJSON(buf, &n2, budget)
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSON(buf, c, budget); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	case yaml.MappingNode:
		return writeMapping(buf, n, budget)
	case yaml.ScalarNode:
		return writeScalar(buf, n)
	}
	return fmt.Errorf("line %d: unsupported YAML node", n.Line)
}

func writeMapping(buf *bytes.Buffer, n *yaml.Node, budget *int) error {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Tag == "!!merge" {
			// Merge keys need YAML's own rules; the generic decoder applies them (and sorts
			// keys, which only matters for the order paths are listed in).
			var v any
			if err := n.Decode(&v); err != nil {
				return err
			}
			return writeValue(buf, v)
		}
	}
	buf.WriteByte('{')
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		for k.Kind == yaml.AliasNode {
			k = k.Alias
		}
		if k.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: a key is not a scalar", k.Line)
		}
		if seen[k.Value] {
			return fmt.Errorf("line %d: key %q is repeated", k.Line, k.Value)
		}
		seen[k.Value] = true
		if i > 0 {
			buf.WriteByte(',')
		}
		key, _ := json.Marshal(k.Value)
		buf.Write(key)
		buf.WriteByte(':')
		if err := writeJSON(buf, n.Content[i+1], budget); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
}

// writeScalar writes a scalar as JSON: numbers, booleans and null as YAML resolves them, and
// anything else (timestamps included: JSON has none) as the string written.
func writeScalar(buf *bytes.Buffer, n *yaml.Node) error {
	switch n.ShortTag() {
	case "!!int", "!!float", "!!bool", "!!null":
		var v any
		if err := n.Decode(&v); err != nil {
			return fmt.Errorf("line %d: %v", n.Line, err)
		}
		return writeValue(buf, v)
	}
	return writeValue(buf, n.Value)
}

func writeValue(buf *bytes.Buffer, v any) error {
	b, err := json.Marshal(jsonable(v))
	if err != nil {
		return err
	}
	buf.Write(b)
	return nil
}

// jsonable turns the maps yaml decodes with non-string keys into maps JSON can hold.
func jsonable(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = jsonable(e)
		}
		return t
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[fmt.Sprint(k)] = jsonable(e)
		}
		return m
	case []any:
		for i, e := range t {
			t[i] = jsonable(e)
		}
		return t
	}
	return v
}
