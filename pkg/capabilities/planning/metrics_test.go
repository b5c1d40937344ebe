package planning

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/threescale"
)

func TestPlanMetrics(t *testing.T) {
	type args struct {
		owner    Owner
		metrics  map[string]capabilitiesv1beta1.MetricSpec
		methods  map[string]capabilitiesv1beta1.MethodSpec
		observed []threescale.Metric
	}
	type want struct {
		early, upserts, late []Operation
		replaced             map[int64]bool
		invalid              bool
	}
	product := ProductOwner(7, nil)
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"CreateMetricsAndMethods": {
			reason: "Metrics are created before methods, each group by name; hits is matched, not created.",
			args: args{
				owner:    product,
				metrics:  map[string]capabilitiesv1beta1.MetricSpec{"zeta": {Name: "Zeta", Unit: "1"}, "alpha": {Name: "Alpha", Unit: "1"}},
				methods:  map[string]capabilitiesv1beta1.MethodSpec{"list": {Name: "List"}},
				observed: []threescale.Metric{hitsObserved},
			},
			want: want{upserts: []Operation{
				op(VerbCreate, EntityMetric, "alpha", `create metric "alpha" of product 7`),
				op(VerbCreate, EntityMetric, "zeta", `create metric "zeta" of product 7`),
				op(VerbCreate, EntityMethod, "list", `create method "list" of product 7`),
			}},
		},
		"NoOp": {
			reason: "An owner that matches the resource needs no operation; the default hits matches 3scale's.",
			args: args{
				owner:    product,
				metrics:  map[string]capabilitiesv1beta1.MetricSpec{"m1": {Name: "M1", Unit: "1", Description: "d"}},
				methods:  map[string]capabilitiesv1beta1.MethodSpec{"list": {Name: "List", Description: "l"}},
				observed: []threescale.Metric{hitsObserved, metric(2, "m1", "M1", "1", "d"), method(3, 1, "list", "List", "l")},
			},
		},
		"UpdateEachAttribute": {
			reason: "Each differing attribute is named in one update per entity; a method has no unit.",
			args: args{
				owner: product,
				metrics: map[string]capabilitiesv1beta1.MetricSpec{
					"a": {Name: "A2", Unit: "1"}, "b": {Name: "B", Unit: "2"}, "c": {Name: "C", Unit: "1", Description: "new"},
					"hits": {Name: "Hits", Unit: "hit", Description: "Calls"},
				},
				methods: map[string]capabilitiesv1beta1.MethodSpec{"list": {Name: "List2", Description: "x"}},
				observed: []threescale.Metric{
					hitsObserved, metric(2, "a", "A", "1", ""), metric(3, "b", "B", "1", ""), metric(4, "c", "C", "1", "old"),
					method(5, 1, "list", "List", ""),
				},
			},
			want: want{upserts: []Operation{
				op(VerbUpdate, EntityMetric, "a", `update metric "a" of product 7: friendly name`),
				op(VerbUpdate, EntityMetric, "b", `update metric "b" of product 7: unit`),
				op(VerbUpdate, EntityMetric, "c", `update metric "c" of product 7: description`),
				op(VerbUpdate, EntityMetric, "hits", `update metric "hits" of product 7: description`),
				op(VerbUpdate, EntityMethod, "list", `update method "list" of product 7: friendly name, description`),
			}},
		},
		"DeleteLateMethodsFirst": {
			reason: "Entities the resource no longer lists are deleted last, methods before metrics; hits never.",
			args: args{
				owner:    product,
				observed: []threescale.Metric{hitsObserved, metric(2, "old", "Old", "1", ""), method(3, 1, "gone", "Gone", "")},
			},
			want: want{late: []Operation{
				op(VerbDelete, EntityMethod, "gone", `delete method "gone" of product 7`),
				op(VerbDelete, EntityMetric, "old", `delete metric "old" of product 7`),
			}},
		},
		"KindChangeDeletesEarly": {
			reason: "A method that becomes a metric is deleted before the metric of the same system name is created.",
			args: args{
				owner:    product,
				metrics:  map[string]capabilitiesv1beta1.MetricSpec{"foo": {Name: "Foo", Unit: "1"}},
				observed: []threescale.Metric{hitsObserved, method(2, 1, "foo", "Foo", "")},
			},
			want: want{
				early:    []Operation{op(VerbDelete, EntityMethod, "foo", `delete method "foo" of product 7`)},
				upserts:  []Operation{op(VerbCreate, EntityMetric, "foo", `create metric "foo" of product 7`)},
				replaced: map[int64]bool{2: true},
			},
		},
		"FriendlyNameNeededDeletesEarly": {
			reason: "A deleted metric whose friendly name a new metric takes goes before the creation (3scale keeps friendly names unique).",
			args: args{
				owner:    product,
				metrics:  map[string]capabilitiesv1beta1.MetricSpec{"new": {Name: "Same", Unit: "1"}},
				observed: []threescale.Metric{hitsObserved, metric(2, "old", "Same", "1", "")},
			},
			want: want{
				early:    []Operation{op(VerbDelete, EntityMetric, "old", `delete metric "old" of product 7`)},
				upserts:  []Operation{op(VerbCreate, EntityMetric, "new", `create metric "new" of product 7`)},
				replaced: map[int64]bool{2: true},
			},
		},
		"SwapFriendlyNames": {
			reason: "Two metrics that swap friendly names: the first takes a temporary one, so that 3scale never sees two alike.",
			args: args{
				owner:    product,
				metrics:  map[string]capabilitiesv1beta1.MetricSpec{"a": {Name: "B", Unit: "1"}, "b": {Name: "A", Unit: "1"}},
				observed: []threescale.Metric{hitsObserved, metric(2, "a", "A", "1", ""), metric(3, "b", "B", "1", "")},
			},
			want: want{upserts: []Operation{
				op(VerbUpdate, EntityMetric, "a", `update metric "a" of product 7: temporary friendly name`),
				op(VerbUpdate, EntityMetric, "b", `update metric "b" of product 7: friendly name`),
				op(VerbUpdate, EntityMetric, "a", `update metric "a" of product 7: friendly name`),
			}},
		},
		"RotateFriendlyNamesAcrossMetricsAndMethods": {
			reason: "Three entities, a method among them, rotate friendly names: one temporary name breaks the cycle, then each takes a freed name.",
			args: args{
				owner:    product,
				metrics:  map[string]capabilitiesv1beta1.MetricSpec{"a": {Name: "B", Unit: "1"}, "b": {Name: "C", Unit: "1", Description: "new"}},
				methods:  map[string]capabilitiesv1beta1.MethodSpec{"m": {Name: "A"}},
				observed: []threescale.Metric{hitsObserved, metric(2, "a", "A", "1", ""), metric(3, "b", "B", "1", ""), method(4, 1, "m", "C", "")},
			},
			want: want{upserts: []Operation{
				op(VerbUpdate, EntityMetric, "a", `update metric "a" of product 7: temporary friendly name`),
				op(VerbUpdate, EntityMethod, "m", `update method "m" of product 7: friendly name`),
				op(VerbUpdate, EntityMetric, "b", `update metric "b" of product 7: friendly name, description`),
				op(VerbUpdate, EntityMetric, "a", `update metric "a" of product 7: friendly name`),
			}},
		},
		"ChainOfRenamesNeedsNoTemporaryName": {
			reason: "A metric that takes the name another gives up runs after it; with no cycle, no extra write.",
			args: args{
				owner:    product,
				metrics:  map[string]capabilitiesv1beta1.MetricSpec{"a": {Name: "B", Unit: "1"}, "b": {Name: "C", Unit: "1"}, "c": {Name: "X", Unit: "1"}},
				observed: []threescale.Metric{hitsObserved, metric(2, "a", "A", "1", ""), metric(3, "b", "B", "1", ""), metric(4, "c", "C", "1", "")},
			},
			want: want{upserts: []Operation{
				op(VerbUpdate, EntityMetric, "c", `update metric "c" of product 7: friendly name`),
				op(VerbUpdate, EntityMetric, "b", `update metric "b" of product 7: friendly name`),
				op(VerbUpdate, EntityMetric, "a", `update metric "a" of product 7: friendly name`),
			}},
		},
		"CreationTakesRenamedName": {
			reason: "A new metric that takes the friendly name of a renamed one is created after the rename.",
			args: args{
				owner:    product,
				metrics:  map[string]capabilitiesv1beta1.MetricSpec{"a": {Name: "B", Unit: "1"}, "b": {Name: "B2", Unit: "1"}},
				observed: []threescale.Metric{hitsObserved, metric(3, "b", "B", "1", "")},
			},
			want: want{upserts: []Operation{
				op(VerbUpdate, EntityMetric, "b", `update metric "b" of product 7: friendly name`),
				op(VerbCreate, EntityMetric, "a", `create metric "a" of product 7`),
			}},
		},
		"RenameIntoDeletedName": {
			reason: "A metric renamed to the friendly name of a deleted one: the deletion runs early, the update needs no temporary name.",
			args: args{
				owner:    product,
				metrics:  map[string]capabilitiesv1beta1.MetricSpec{"a": {Name: "Old", Unit: "1"}},
				methods:  map[string]capabilitiesv1beta1.MethodSpec{"m": {Name: "A"}},
				observed: []threescale.Metric{hitsObserved, metric(2, "a", "A", "1", ""), metric(3, "old", "Old", "1", ""), method(4, 1, "m", "M", "")},
			},
			want: want{
				early: []Operation{op(VerbDelete, EntityMetric, "old", `delete metric "old" of product 7`)},
				upserts: []Operation{
					op(VerbUpdate, EntityMetric, "a", `update metric "a" of product 7: friendly name`),
					op(VerbUpdate, EntityMethod, "m", `update method "m" of product 7: friendly name`),
				},
				replaced: map[int64]bool{3: true},
			},
		},
		"BackendSuffixIgnored": {
			reason: "A backend's metrics come back as name.<backend id>; they match the resource's names.",
			args: args{
				owner:    BackendOwner(42),
				metrics:  map[string]capabilitiesv1beta1.MetricSpec{"m1": {Name: "M1", Unit: "1"}},
				methods:  map[string]capabilitiesv1beta1.MethodSpec{"list": {Name: "List"}},
				observed: []threescale.Metric{metric(1, "hits.42", "Hits", "hit", "Number of API hits"), metric(2, "m1.42", "M1", "1", ""), method(3, 1, "list.42", "List", "")},
			},
		},
		"HitsCreatedWhenMissing": {
			reason: "An owner without hits (never the case in 3scale, but not assumed) gets it before its methods.",
			args: args{
				owner:   BackendOwner(42),
				methods: map[string]capabilitiesv1beta1.MethodSpec{"list": {Name: "List"}},
			},
			want: want{upserts: []Operation{
				op(VerbCreate, EntityMetric, "hits", `create metric "hits" of backend 42`),
				op(VerbCreate, EntityMethod, "list", `create method "list" of backend 42`),
			}},
		},
		"DuplicateObservedNameDeleted": {
			reason: "Of two observed entities with one name (a metric and a method), the one of the wrong kind is replaced.",
			args: args{
				owner:    product,
				methods:  map[string]capabilitiesv1beta1.MethodSpec{"dup": {Name: "Dup"}},
				observed: []threescale.Metric{hitsObserved, method(3, 1, "dup", "Dup", ""), metric(2, "dup", "Dup2", "1", "")},
			},
			want: want{
				early:    []Operation{op(VerbDelete, EntityMetric, "dup", `delete metric "dup" of product 7`)},
				replaced: map[int64]bool{2: true},
			},
		},
		"InvalidMethodNamedHits": {
			reason: "hits is a metric; a method cannot take its name.",
			args:   args{owner: product, methods: map[string]capabilitiesv1beta1.MethodSpec{"hits": {Name: "H"}}},
			want:   want{invalid: true},
		},
		"InvalidMetricAndMethod": {
			reason: "System names are unique across metrics and methods.",
			args: args{
				owner:   product,
				metrics: map[string]capabilitiesv1beta1.MetricSpec{"x": {Name: "X", Unit: "1"}},
				methods: map[string]capabilitiesv1beta1.MethodSpec{"x": {Name: "Y"}},
			},
			want: want{invalid: true},
		},
		"InvalidDuplicateFriendlyName": {
			reason: "Friendly names are unique per owner in 3scale.",
			args: args{
				owner:   product,
				metrics: map[string]capabilitiesv1beta1.MetricSpec{"x": {Name: "Same", Unit: "1"}},
				methods: map[string]capabilitiesv1beta1.MethodSpec{"y": {Name: "Same"}},
			},
			want: want{invalid: true},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := PlanMetrics(tc.args.owner, tc.args.metrics, tc.args.methods, tc.args.observed)
			if tc.want.invalid {
				if !IsInvalid(err) {
					t.Fatalf("\n%s\nPlanMetrics(...): want an InvalidError, got %v", tc.reason, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("\n%s\nPlanMetrics(...): %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.want.early, got.Early, ignoreRun); diff != "" {
				t.Errorf("\n%s\nPlanMetrics(...) Early: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.upserts, got.Upserts, ignoreRun); diff != "" {
				t.Errorf("\n%s\nPlanMetrics(...) Upserts: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.late, got.Late, ignoreRun); diff != "" {
				t.Errorf("\n%s\nPlanMetrics(...) Late: -want, +got:\n%s", tc.reason, diff)
			}
			wantReplaced := tc.want.replaced
			if wantReplaced == nil {
				wantReplaced = map[int64]bool{}
			}
			if diff := cmp.Diff(wantReplaced, got.Replaced); diff != "" {
				t.Errorf("\n%s\nPlanMetrics(...) Replaced: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestUniqueFriendly(t *testing.T) {
	taken := map[string]bool{"renaming 2": true, "renaming 2 (2)": true, "A": true}
	var got []string
	for range 2 {
		got = append(got, uniqueFriendly(2, taken))
	}
	if diff := cmp.Diff([]string{"renaming 2 (3)", "renaming 2 (4)"}, got); diff != "" {
		t.Errorf("uniqueFriendly: -want, +got:\n%s", diff)
	}
}
