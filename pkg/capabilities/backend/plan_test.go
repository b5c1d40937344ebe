package backend

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/threescale"
)

func sampleBackend() *capabilitiesv1beta1.Backend {
	return &capabilitiesv1beta1.Backend{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "backend1"}, Spec: capabilitiesv1beta1.BackendSpec{
		Name:           "Backend 1",
		SystemName:     "backend1",
		Description:    "Pets",
		PrivateBaseURL: "https://api.example.com",
		Metrics:        map[string]capabilitiesv1beta1.MetricSpec{"bytes": {Name: "Bytes", Unit: "byte"}},
		Methods:        map[string]capabilitiesv1beta1.MethodSpec{"list": {Name: "List"}},
		MappingRules: []capabilitiesv1beta1.MappingRuleSpec{
			{HTTPMethod: "GET", Pattern: "/pets$", MetricMethodRef: "list", Increment: 1},
		},
	}}
}

// inSync is what 3scale holds once sampleBackend is synced as backend 7.
func inSync() *Observed {
	return &Observed{
		Backend: &threescale.Backend{ID: 7, Name: "Backend 1", SystemName: "backend1", Description: "Pets", PrivateEndpoint: "https://api.example.com:443", Annotations: map[string]string{"managed_by": "operator"}},
		Children: planning.Observed{
			Metrics: []threescale.Metric{
				{ID: 1, SystemName: "hits.7", FriendlyName: "Hits", Unit: "hit", Description: "Number of API hits"},
				{ID: 2, SystemName: "bytes.7", FriendlyName: "Bytes", Unit: "byte"},
				{ID: 3, SystemName: "list.7", FriendlyName: "List", ParentID: 1},
			},
			MappingRules: []threescale.MappingRule{{ID: 10, MetricID: 3, HTTPMethod: "GET", Pattern: "/pets$", Delta: 1, Position: 1}},
		},
	}
}

func TestPlan(t *testing.T) {
	cases := map[string]struct {
		reason   string
		backend  func(*capabilitiesv1beta1.Backend)
		observed func(*Observed)
		want     []string
	}{
		"Absent": {
			reason:   "A backend 3scale does not hold is created, alone: its children wait for its hits metric.",
			observed: func(o *Observed) { *o = Observed{} },
			want:     []string{`create backend "backend1"`},
		},
		"InSync": {
			reason: "Nothing differs (the default port 3scale adds included): an empty plan.",
		},
		"Attributes": {
			reason: "Name, description and private endpoint differences make one update naming them.",
			backend: func(b *capabilitiesv1beta1.Backend) {
				b.Spec.Name, b.Spec.Description, b.Spec.PrivateBaseURL = "Renamed", "", "https://api.example.com:8443"
			},
			want: []string{`update backend "backend1": name, description, private endpoint`},
		},
		"DefaultSystemName": {
			reason:  "Without spec.systemName the name's letters and digits are used, as 3scale's operator does.",
			backend: func(b *capabilitiesv1beta1.Backend) { b.Spec.SystemName = "" },
			observed: func(o *Observed) {
				*o = Observed{}
			},
			want: []string{`create backend "Backend1"`},
		},
		"Children": {
			reason: "Metric, method and mapping rule differences are planned by the shared planners, after the backend's own update.",
			backend: func(b *capabilitiesv1beta1.Backend) {
				b.Spec.Description = "More pets"
				b.Spec.Metrics["bytes"] = capabilitiesv1beta1.MetricSpec{Name: "Bytes", Unit: "kB"}
				b.Spec.MappingRules[0].Increment = 2
			},
			want: []string{
				`update backend "backend1": description`,
				`update metric "bytes" of backend 7: unit`,
				`update mapping rule "GET /pets$" of backend 7: delta`,
			},
		},
		"DriftRemoved": {
			reason: "What was added in 3scale behind the resource's back is removed.",
			observed: func(o *Observed) {
				o.Children.MappingRules = append(o.Children.MappingRules, threescale.MappingRule{ID: 11, MetricID: 1, HTTPMethod: "POST", Pattern: "/x", Delta: 1, Position: 2})
				o.Children.Metrics = append(o.Children.Metrics, threescale.Metric{ID: 4, SystemName: "extra.7", FriendlyName: "Extra", Unit: "1"})
			},
			want: []string{`delete mapping rule "POST /x" of backend 7`, `delete metric "extra" of backend 7`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b := sampleBackend()
			if tc.backend != nil {
				tc.backend(b)
			}
			o := inSync()
			if tc.observed != nil {
				tc.observed(o)
			}
			ops, err := Plan(NewDesired(b), o, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, planning.Descriptions(ops), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	cases := map[string]struct {
		reason  string
		backend func(*capabilitiesv1beta1.Backend)
		want    string
	}{
		"Valid": {reason: "The sample is valid."},
		"UnknownMetric": {
			reason:  "A mapping rule counting an unknown metric names the field and the metric.",
			backend: func(b *capabilitiesv1beta1.Backend) { b.Spec.MappingRules[0].MetricMethodRef = "nope" },
			want:    `spec.mappingRules[0].metricMethodRef: unknown metric or method "nope"`,
		},
		"MetricAndMethod": {
			reason: "A name that is both a metric and a method is refused.",
			backend: func(b *capabilitiesv1beta1.Backend) {
				b.Spec.Methods["bytes"] = capabilitiesv1beta1.MethodSpec{Name: "B2"}
			},
			want: `spec.methods: "bytes" is both a metric and a method; system names must be unique`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b := sampleBackend()
			if tc.backend != nil {
				tc.backend(b)
			}
			got := ""
			if err := NewDesired(b).Validate(); err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestSameEndpoint(t *testing.T) {
	cases := map[string]struct {
		have, want string
		same       bool
	}{
		"Identical":        {"https://a.example.com", "https://a.example.com", true},
		"DefaultHTTPS":     {"https://a.example.com:443", "https://a.example.com", true},
		"DefaultHTTP":      {"http://a.example.com:80", "http://a.example.com", true},
		"DefaultWSS":       {"wss://a.example.com:443", "wss://a.example.com", true},
		"CaseInsensitive":  {"https://a.example.com:443", "HTTPS://A.example.com", true},
		"OtherPort":        {"https://a.example.com:443", "https://a.example.com:8443", false},
		"OtherPath":        {"https://a.example.com:443/v1", "https://a.example.com/v2", false},
		"UnparsableDiffer": {"https://a.example.com:443", "::", false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := sameEndpoint(tc.have, tc.want); got != tc.same {
				t.Errorf("sameEndpoint(%q, %q) = %v, want %v", tc.have, tc.want, got, tc.same)
			}
		})
	}
}
