package planning

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/threescale"
)

func TestPlanMappingRules(t *testing.T) {
	product := ProductOwner(7, nil)
	metricsWith := func(observed ...threescale.Metric) *MetricsPlan {
		p, err := PlanMetrics(product,
			map[string]capabilitiesv1beta1.MetricSpec{"m1": {Name: "M1", Unit: "1"}},
			map[string]capabilitiesv1beta1.MethodSpec{"list": {Name: "List"}},
			observed)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	// The owner has hits (1), m1 (2) and list (3).
	inSync := metricsWith(hitsObserved, metric(2, "m1", "M1", "1", ""), method(3, 1, "list", "List", ""))
	abcd := []threescale.MappingRule{
		rule(11, 1, "GET", "/a", 1, 1, false), rule(12, 1, "GET", "/b", 1, 2, false),
		rule(13, 1, "GET", "/c", 1, 3, false), rule(14, 1, "GET", "/d", 1, 4, false),
	}
	specs := func(patterns ...string) []capabilitiesv1beta1.MappingRuleSpec {
		var out []capabilitiesv1beta1.MappingRuleSpec
		for _, p := range patterns {
			out = append(out, spec("GET", p, "hits", 1))
		}
		return out
	}

	type args struct {
		desired  []capabilitiesv1beta1.MappingRuleSpec
		observed []threescale.MappingRule
		metrics  *MetricsPlan
	}
	type want struct {
		deletes, upserts []Operation
		invalid          bool
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"CreateAllInOrder": {
			reason: "Rules of an owner without rules are created in the resource's order at positions 1..n.",
			args:   args{desired: []capabilitiesv1beta1.MappingRuleSpec{spec("get", "/a", "m1", 2), spec("POST", "/b", "list", 1)}, metrics: inSync},
			want: want{upserts: []Operation{
				op(VerbCreate, EntityMappingRule, "GET /a", `create mapping rule "GET /a" of product 7 at position 1`),
				op(VerbCreate, EntityMappingRule, "POST /b", `create mapping rule "POST /b" of product 7 at position 2`),
			}},
		},
		"NoOp": {
			reason: "Rules that match the resource, in its order, need nothing; positions need not be contiguous.",
			args: args{
				desired:  []capabilitiesv1beta1.MappingRuleSpec{spec("GET", "/a", "m1", 1), spec("GET", "/b", "list", 3)},
				observed: []threescale.MappingRule{rule(12, 3, "GET", "/b", 3, 9, false), rule(11, 2, "GET", "/a", 1, 4, false)},
				metrics:  inSync,
			},
		},
		"UpdateDelta": {
			reason: "A changed increment is one update.",
			args:   args{desired: []capabilitiesv1beta1.MappingRuleSpec{spec("GET", "/a", "hits", 5)}, observed: abcd[:1], metrics: inSync},
			want: want{upserts: []Operation{
				op(VerbUpdate, EntityMappingRule, "GET /a", `update mapping rule "GET /a" of product 7: delta`),
			}},
		},
		"UpdateLast": {
			reason: "A changed last flag is one update.",
			args: args{
				desired:  []capabilitiesv1beta1.MappingRuleSpec{{HTTPMethod: "GET", Pattern: "/a", MetricMethodRef: "hits", Increment: 1, Last: ptr(true)}},
				observed: abcd[:1], metrics: inSync,
			},
			want: want{upserts: []Operation{
				op(VerbUpdate, EntityMappingRule, "GET /a", `update mapping rule "GET /a" of product 7: last`),
			}},
		},
		"UpdateMetric": {
			reason: "A rule that counts another metric or method is one update.",
			args:   args{desired: []capabilitiesv1beta1.MappingRuleSpec{spec("GET", "/a", "list", 1)}, observed: abcd[:1], metrics: inSync},
			want: want{upserts: []Operation{
				op(VerbUpdate, EntityMappingRule, "GET /a", `update mapping rule "GET /a" of product 7: metric`),
			}},
		},
		"EditPatternInPlace": {
			reason: "A rule whose pattern changed, at the same index, is one update, not a delete and a create.",
			args:   args{desired: specs("/a", "/bee", "/c", "/d"), observed: abcd, metrics: inSync},
			want: want{upserts: []Operation{
				op(VerbUpdate, EntityMappingRule, "GET /bee", `update mapping rule "GET /bee" of product 7: pattern`),
			}},
		},
		"EditMethodInPlace": {
			reason: "A rule whose HTTP method changed, at the same index, is one update.",
			args: args{
				desired:  []capabilitiesv1beta1.MappingRuleSpec{spec("GET", "/a", "hits", 1), spec("DELETE", "/b", "hits", 1)},
				observed: abcd[:2], metrics: inSync,
			},
			want: want{upserts: []Operation{
				op(VerbUpdate, EntityMappingRule, "DELETE /b", `update mapping rule "DELETE /b" of product 7: http method`),
			}},
		},
		"InsertDoesNotCascade": {
			reason: "Inserting a rule creates it at its position; the rules after it are left alone.",
			args:   args{desired: specs("/a", "/new", "/b", "/c", "/d"), observed: abcd, metrics: inSync},
			want: want{upserts: []Operation{
				op(VerbCreate, EntityMappingRule, "GET /new", `create mapping rule "GET /new" of product 7 at position 2`),
			}},
		},
		"InsertFirst": {
			reason: "A rule inserted at the top goes to position 1.",
			args:   args{desired: specs("/new", "/a", "/b", "/c", "/d"), observed: abcd, metrics: inSync},
			want: want{upserts: []Operation{
				op(VerbCreate, EntityMappingRule, "GET /new", `create mapping rule "GET /new" of product 7 at position 1`),
			}},
		},
		"DeleteInTheMiddle": {
			reason: "A removed rule is one delete; 3scale closes the gap itself.",
			args:   args{desired: specs("/a", "/c", "/d"), observed: abcd, metrics: inSync},
			want: want{deletes: []Operation{
				op(VerbDelete, EntityMappingRule, "GET /b", `delete mapping rule "GET /b" of product 7`),
			}},
		},
		"MoveFirstToLast": {
			reason: "Moving one rule is one update of its position, whatever the distance.",
			args:   args{desired: specs("/b", "/c", "/d", "/a"), observed: abcd, metrics: inSync},
			want: want{upserts: []Operation{
				op(VerbUpdate, EntityMappingRule, "GET /a", `update mapping rule "GET /a" of product 7: position 4`),
			}},
		},
		"SwapAdjacent": {
			reason: "Swapping two rules moves one of them.",
			args:   args{desired: specs("/a", "/c", "/b", "/d"), observed: abcd, metrics: inSync},
			want: want{upserts: []Operation{
				op(VerbUpdate, EntityMappingRule, "GET /b", `update mapping rule "GET /b" of product 7: position 3`),
			}},
		},
		"Reverse": {
			reason: "Reversing four rules keeps one and moves the three others, each right after its predecessor in the resource.",
			args:   args{desired: specs("/d", "/c", "/b", "/a"), observed: abcd, metrics: inSync},
			want: want{upserts: []Operation{
				op(VerbUpdate, EntityMappingRule, "GET /c", `update mapping rule "GET /c" of product 7: position 4`),
				op(VerbUpdate, EntityMappingRule, "GET /b", `update mapping rule "GET /b" of product 7: position 4`),
				op(VerbUpdate, EntityMappingRule, "GET /a", `update mapping rule "GET /a" of product 7: position 4`),
			}},
		},
		"MoveAndChange": {
			reason: "A rule that moves and changes is one update carrying both.",
			args: args{
				desired:  []capabilitiesv1beta1.MappingRuleSpec{spec("GET", "/b", "hits", 1), spec("GET", "/a", "m1", 2)},
				observed: abcd[:2], metrics: inSync,
			},
			want: want{upserts: []Operation{
				op(VerbUpdate, EntityMappingRule, "GET /a", `update mapping rule "GET /a" of product 7: metric, delta, position 2`),
			}},
		},
		"DuplicateDesiredCreatesOne": {
			reason: "Two identical rules in the resource and one in 3scale: the second is created after the first.",
			args:   args{desired: specs("/a", "/a"), observed: abcd[:1], metrics: inSync},
			want: want{upserts: []Operation{
				op(VerbCreate, EntityMappingRule, "GET /a", `create mapping rule "GET /a" of product 7 at position 2`),
			}},
		},
		"DuplicateObservedDeletesOne": {
			reason: "Two identical rules in 3scale and one in the resource: the later one is deleted.",
			args: args{
				desired:  specs("/a", "/b"),
				observed: []threescale.MappingRule{abcd[0], rule(15, 1, "GET", "/a", 1, 2, false), rule(12, 1, "GET", "/b", 1, 3, false)},
				metrics:  inSync,
			},
			want: want{deletes: []Operation{
				op(VerbDelete, EntityMappingRule, "GET /a", `delete mapping rule "GET /a" of product 7`),
			}},
		},
		"RuleOfReplacedMetricRecreated": {
			reason: "A rule counting a metric that is deleted early goes with it, so it is deleted and made again.",
			args: args{
				desired:  []capabilitiesv1beta1.MappingRuleSpec{spec("GET", "/a", "list", 1)},
				observed: []threescale.MappingRule{rule(11, 3, "GET", "/a", 1, 1, false)},
				// list is observed as a metric: it is replaced by a method.
				metrics: metricsWith(hitsObserved, metric(2, "m1", "M1", "1", ""), metric(3, "list", "List", "1", "")),
			},
			want: want{
				deletes: []Operation{op(VerbDelete, EntityMappingRule, "GET /a", `delete mapping rule "GET /a" of product 7`)},
				upserts: []Operation{op(VerbCreate, EntityMappingRule, "GET /a", `create mapping rule "GET /a" of product 7 at position 1`)},
			},
		},
		"UnknownMetricInvalid": {
			reason: "A rule counting a metric the resource does not list is invalid, naming it.",
			args:   args{desired: []capabilitiesv1beta1.MappingRuleSpec{spec("GET", "/a", "nope", 1)}, metrics: inSync},
			want:   want{invalid: true},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := PlanMappingRules(product, tc.args.desired, tc.args.observed, tc.args.metrics)
			if tc.want.invalid {
				if !IsInvalid(err) {
					t.Fatalf("\n%s\nPlanMappingRules(...): want an InvalidError, got %v", tc.reason, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("\n%s\nPlanMappingRules(...): %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.want.deletes, got.Deletes, ignoreRun); diff != "" {
				t.Errorf("\n%s\nPlanMappingRules(...) Deletes: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.upserts, got.Upserts, ignoreRun); diff != "" {
				t.Errorf("\n%s\nPlanMappingRules(...) Upserts: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestUnknownMetricMessageNamesIt(t *testing.T) {
	metrics, err := PlanMetrics(ProductOwner(1, nil), nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = PlanMappingRules(ProductOwner(1, nil), []capabilitiesv1beta1.MappingRuleSpec{spec("GET", "/", "hits", 1), spec("GET", "/x", "nope", 1)}, nil, metrics)
	want := &InvalidError{Field: "spec.mappingRules[1].metricMethodRef", Message: `unknown metric or method "nope"`}
	if diff := cmp.Diff(error(want), err, cmp.Comparer(func(a, b error) bool { return a.Error() == b.Error() })); diff != "" {
		t.Errorf("PlanMappingRules(...): -want, +got:\n%s", diff)
	}
}

func TestLongestIncreasing(t *testing.T) {
	cases := map[string]struct {
		seq, want []int
	}{
		"Empty":          {},
		"Sorted":         {seq: []int{0, 1, 2}, want: []int{0, 1, 2}},
		"Reversed":       {seq: []int{3, 2, 1, 0}, want: []int{0}},
		"FirstMovedLast": {seq: []int{3, 0, 1, 2}, want: []int{0, 1, 2}},
		"Mixed":          {seq: []int{2, 0, 3, 1, 4}, want: []int{0, 1, 4}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, longestIncreasing(tc.seq)); diff != "" {
				t.Errorf("longestIncreasing(%v): -want, +got:\n%s", tc.seq, diff)
			}
		})
	}
}
