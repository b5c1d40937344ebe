package external

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/tenant"
	"github.com/threescale-oss/operator/pkg/threescale"
)

func apiError(status int, fieldErrors map[string][]string) error {
	return &threescale.APIError{Operation: "PUT /admin/api/backend_apis/{id}.json", Path: "/admin/api/backend_apis/1.json", StatusCode: status, FieldErrors: fieldErrors}
}

func TestClassify(t *testing.T) {
	cases := map[string]struct {
		reason string
		err    error
		want   Class
	}{
		"InvalidError": {
			reason: "A kind's own validation failure needs a spec change.",
			err:    Invalidf("mapping rule 1 names unknown metric %q", "nope"),
			want:   Invalid,
		},
		"WrappedInvalidError": {
			reason: "Wrapping keeps the class.",
			err:    fmt.Errorf("plan: %w", Invalidf("bad")),
			want:   Invalid,
		},
		"InvalidRecheck": {
			reason: "An invalid input that may be fixed outside the cluster (a document URL answering 404) is tried again at the poll interval.",
			err:    fmt.Errorf("load: %w", &InvalidError{Message: "404", Recheck: true}),
			want:   Rejected,
		},
		"PlannerInvalid": {
			reason: "A shared planner's invalid reference needs a spec change too.",
			err:    fmt.Errorf("plan: %w", &planning.InvalidError{Field: "spec.mappingRules[0].metricMethodRef", Message: "unknown"}),
			want:   Invalid,
		},
		"Unprocessable": {
			reason: "3scale's 422 with field errors is a spec 3scale refused, which it may accept later.",
			err:    apiError(422, map[string][]string{"private_endpoint": {"is invalid"}}),
			want:   Rejected,
		},
		"WrappedUnprocessable": {
			reason: "A plan operation's 422, wrapped by Execute, is still Rejected.",
			err:    fmt.Errorf("cannot update backend: %w", apiError(422, nil)),
			want:   Rejected,
		},
		"BadRequest": {
			reason: "A 400 will not pass by retrying the same request right away.",
			err:    apiError(400, nil),
			want:   Rejected,
		},
		"NotAllowedReference": {
			reason: "A Secret of another namespace that does not allow the reference needs a spec (or Secret) change.",
			err:    &tenant.ReferenceNotAllowedError{From: "ns", Field: "spec.x"},
			want:   Invalid,
		},
		"RefusedDeletion": {
			reason: "A 403 with field errors is a deletion refused while something uses the entity: wait for it to change.",
			err:    apiError(403, map[string][]string{"base": {"cannot be deleted because it is used by at least one Product"}}),
			want:   Waiting,
		},
		"Forbidden": {
			reason: "A bare 403 is a token without the right scope.",
			err:    apiError(403, nil),
			want:   Unauthorized,
		},
		"Unauthorized": {
			reason: "A 401 is a wrong token.",
			err:    apiError(401, nil),
			want:   Unauthorized,
		},
		"ServerError": {
			reason: "A 5xx may pass.",
			err:    apiError(503, nil),
			want:   Transient,
		},
		"TooManyRequests": {
			reason: "A 429 passes with time.",
			err:    apiError(429, nil),
			want:   Transient,
		},
		"NotFound": {
			reason: "A 404 in the middle of a sync (an entity deleted behind our back) is retried: the next observe sees the truth.",
			err:    apiError(404, nil),
			want:   Transient,
		},
		"ThreescaleConflict": {
			reason: "3scale's 409 is a uniqueness race; the next observe finds the winner by system name.",
			err:    apiError(409, nil),
			want:   Transient,
		},
		"Transport": {
			reason: "No answer at all may pass.",
			err:    &threescale.TransportError{Operation: "GET /x", Err: &net.OpError{Op: "dial", Err: errors.New("connection refused")}},
			want:   Transient,
		},
		"Waiting": {
			reason: "A kind's own wait.",
			err:    Waitingf("BackendNotFound", "backend %q not found", "b"),
			want:   Waiting,
		},
		"MissingSecret": {
			reason: "A tenant secret that does not exist yet is waited for.",
			err:    &tenant.MissingSecretError{Namespace: "ns", Name: "s", Purpose: "x"},
			want:   Waiting,
		},
		"NoProviderAccount": {
			reason: "No tenant at all is waited for too.",
			err:    fmt.Errorf("connect: %w", &tenant.NoProviderAccountError{Namespace: "ns"}),
			want:   Waiting,
		},
		"BadSecret": {
			reason: "A secret without its token needs new credentials.",
			err:    &tenant.SecretKeyError{Namespace: "ns", Name: "s", Key: "token", Problem: "is missing"},
			want:   Unauthorized,
		},
		"KubeConflict": {
			reason: "A stale write to the Kubernetes API is requeued silently.",
			err:    apierrors.NewConflict(schema.GroupResource{Resource: "backends"}, "b", errors.New("stale")),
			want:   Stale,
		},
		"WrappedKubeConflict": {
			reason: "A stale write the loop wraps (the create-pending mark) is still Stale.",
			err:    fmt.Errorf("cannot mark the object create-pending: %w", apierrors.NewConflict(schema.GroupResource{Resource: "backends"}, "b", errors.New("stale"))),
			want:   Stale,
		},
		"OwnershipConflict": {
			reason: "An entity another object manages is a Conflict, not a stale write.",
			err:    fmt.Errorf("observe: %w", &ConflictError{Holder: "Backend ns2/other", Entity: "the 3scale entity with ID 42"}),
			want:   Conflict,
		},
		"Unknown": {
			reason: "Anything else is retried with backoff rather than given up on.",
			err:    context.DeadlineExceeded,
			want:   Transient,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want.String(), Classify(tc.err).String()); diff != "" {
				t.Errorf("%s\nClassify(%v): -want, +got:\n%s", tc.reason, tc.err, diff)
			}
		})
	}
}
