package threescale

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Decimal is an amount of money or a price as 3scale returns it: a JSON number (setup_fee) or a
// string (cost_per_unit, a Ruby BigDecimal). It keeps 3scale's text, so that no float rounding
// creeps into comparisons; Float64 parses it.
type Decimal string

// UnmarshalJSON accepts a JSON number, a string, or null.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*d = ""
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*d = Decimal(s)
		return nil
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("decimal: %w", err)
		}
		*d = Decimal(n.String())
		return nil
	}
}

// Float64 returns the amount as a float64; an empty Decimal is 0.
func (d Decimal) Float64() (float64, error) {
	if d == "" {
		return 0, nil
	}
	return strconv.ParseFloat(string(d), 64)
}
