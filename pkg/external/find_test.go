package external

import (
	"context"
	"errors"
	"testing"
)

func TestFindID(t *testing.T) {
	type entity struct {
		id   int64
		name string
	}
	list := func(es []entity, err error) func(context.Context) ([]entity, error) {
		return func(context.Context) ([]entity, error) { return es, err }
	}
	named := func(n string) func(entity) bool { return func(e entity) bool { return e.name == n } }
	id := func(e entity) int64 { return e.id }
	boom := errors.New("boom")
	cases := map[string]struct {
		reason string
		list   func(context.Context) ([]entity, error)
		name   string
		want   int64
		err    error
	}{
		"Found":    {reason: "The first entity with the key is found.", list: list([]entity{{1, "a"}, {2, "b"}, {3, "b"}}, nil), name: "b", want: 2},
		"NotFound": {reason: "No entity with the key is 0.", list: list([]entity{{1, "a"}}, nil), name: "z", want: 0},
		"Error":    {reason: "A list error is returned.", list: list(nil, boom), name: "a", err: boom},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := FindID(context.Background(), tc.list, named(tc.name), id)
			if got != tc.want || !errors.Is(err, tc.err) {
				t.Errorf("%s\nFindID = %d, %v; want %d, %v", tc.reason, got, err, tc.want, tc.err)
			}
		})
	}
}
