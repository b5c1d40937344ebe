package planning

import "testing"

func TestValidatePattern(t *testing.T) {
	cases := map[string]struct {
		reason  string
		pattern string
		wantErr bool
	}{
		"Root":            {reason: "A slash alone is a pattern.", pattern: "/"},
		"Variables":       {reason: "Distinct variables are fine.", pattern: "/pets/{id}/toys/{toy_id}$"},
		"Query":           {reason: "A query string with a variable value is fine.", pattern: "/search?q={term}&lang=en"},
		"NoSlash":         {reason: "3scale requires a leading slash.", pattern: "pets", wantErr: true},
		"RepeatedPath":    {reason: "porta's non_repeated_parameters refuses a path variable named twice.", pattern: "/a/{id}/b/{id}", wantErr: true},
		"RepeatedQuery":   {reason: "A query key named like a path variable repeats it.", pattern: "/a/{id}?id={x}", wantErr: true},
		"VariableAsKey":   {reason: "porta's no_vars_in_keys refuses a variable as a query key.", pattern: "/a?{k}=v", wantErr: true},
		"TooLong":         {reason: "3scale stores at most 255 characters.", pattern: "/" + string(make([]byte, 255)), wantErr: true},
		"RepeatedLiteral": {reason: "A repeated literal segment is not a variable.", pattern: "/a/a/a"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if err := ValidatePattern(tc.pattern); (err != nil) != tc.wantErr {
				t.Errorf("%s\nValidatePattern(%q) = %v, want error %v", tc.reason, tc.pattern, err, tc.wantErr)
			}
		})
	}
}
