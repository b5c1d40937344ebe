package external

import "testing"

func TestKnownID(t *testing.T) {
	const adminURL = "https://t-admin.example.com"
	id := int64(42)
	cases := map[string]struct {
		reason string
		id     *int64
		host   string
		want   int64
	}{
		"SameTenant":    {reason: "An ID recorded for this tenant is known.", id: &id, host: adminURL, want: 42},
		"TrailingSlash": {reason: "A trailing slash in the recorded host does not count.", id: &id, host: adminURL + "/", want: 42},
		"NoHost":        {reason: "An ID recorded without a host is trusted.", id: &id, want: 42},
		"OtherTenant":   {reason: "An ID recorded for another tenant means nothing here.", id: &id, host: "https://other-admin.example.com", want: 0},
		"NoID":          {reason: "Nothing recorded is 0.", host: adminURL, want: 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := KnownID(tc.id, tc.host, adminURL); got != tc.want {
				t.Errorf("%s\nKnownID = %d, want %d", tc.reason, got, tc.want)
			}
		})
	}
}
