package planning

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/threescale-oss/operator/pkg/threescale"
)

// A Verb says what an Operation does to a 3scale entity.
type Verb string

// Verbs of operations.
const (
	// VerbCreate creates an entity.
	VerbCreate Verb = "Create"
	// VerbUpdate changes an entity in place.
	VerbUpdate Verb = "Update"
	// VerbDelete deletes an entity.
	VerbDelete Verb = "Delete"
)

// Entities that the shared planners change. Kind-specific planners add their own.
const (
	// EntityMetric is a metric of a product or backend.
	EntityMetric = "metric"
	// EntityMethod is a method (a metric under hits) of a product or backend.
	EntityMethod = "method"
	// EntityMappingRule is a mapping rule of a product or backend.
	EntityMappingRule = "mapping rule"
)

// An Operation is one write to 3scale that a plan asks for. Everything but Run is plain data, so
// that plans compare in tests and read well in events.
type Operation struct {
	// Verb says whether the operation creates, updates or deletes.
	Verb Verb
	// Entity is the kind of entity changed: EntityMetric, EntityMappingRule, "application plan"...
	Entity string
	// Key identifies the entity within its owner: a system name, or "GET /pets" for a mapping rule.
	Key string
	// Description says what the operation does, in words fit for an Event: it starts with a
	// lowercase verb ("create metric \"m1\" of product 7"), is stable, and holds no secret.
	Description string
	// Run performs the write. It may resolve IDs of entities created by earlier operations of the
	// same plan, so operations must run in the order of the plan.
	Run func(ctx context.Context, c *threescale.Client) error
}

// String returns the description.
func (o Operation) String() string { return o.Description }

// Descriptions returns the descriptions of ops, in order (never nil): what a kind reports as its
// observation's diff, and what tests compare.
func Descriptions(ops []Operation) []string {
	out := make([]string, len(ops))
	for i, op := range ops {
		out[i] = op.Description
	}
	return out
}

// Execute runs ops in order and stops at the first error, which it returns wrapped with the
// description of the failed operation (the 3scale error stays reachable with errors.As). done is
// how many operations succeeded.
func Execute(ctx context.Context, c *threescale.Client, ops []Operation) (done int, err error) {
	for i, op := range ops {
		if err := ctx.Err(); err != nil {
			return i, err
		}
		if err := op.Run(ctx, c); err != nil {
			return i, fmt.Errorf("cannot %s: %w", op.Description, err)
		}
	}
	return len(ops), nil
}

// An InvalidError says that the resource asks for something that cannot exist in 3scale, such as
// a mapping rule or limit that names an unknown metric. Retrying does not help until the spec
// changes.
type InvalidError struct {
	// Field is the path of the offending field, e.g. "spec.mappingRules[2].metricMethodRef".
	Field string
	// Message says what is wrong, naming the offending value.
	Message string
}

// Error implements error.
func (e *InvalidError) Error() string { return e.Field + ": " + e.Message }

// IsInvalid reports whether err is or wraps an *InvalidError.
func IsInvalid(err error) bool {
	var ie *InvalidError
	return errors.As(err, &ie)
}

func invalid(field, format string, args ...any) *InvalidError {
	return &InvalidError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// IDs resolves names to 3scale IDs while a plan runs. A planner fills it with the IDs it observed;
// an operation that creates an entity records the new ID, so that later operations of the same
// plan can refer to it. It is safe for concurrent use.
type IDs struct {
	mu sync.Mutex
	m  map[string]int64
}

// NewIDs returns an empty IDs.
func NewIDs() *IDs { return &IDs{m: map[string]int64{}} }

// Set records the ID of name.
func (ids *IDs) Set(name string, id int64) {
	ids.mu.Lock()
	defer ids.mu.Unlock()
	ids.m[name] = id
}

// Get returns the ID of name, if known.
func (ids *IDs) Get(name string) (int64, bool) {
	ids.mu.Lock()
	defer ids.mu.Unlock()
	id, ok := ids.m[name]
	return id, ok
}

// Resolve returns the ID of name, or an error naming it when no earlier operation recorded it
// (which means the plan is out of order: a bug, not a user error).
func (ids *IDs) Resolve(kind, name string) (int64, error) {
	if id, ok := ids.Get(name); ok {
		return id, nil
	}
	return 0, fmt.Errorf("planning: the ID of %s %q is not known yet", kind, name)
}
