package external

import (
	"context"
	"errors"
	"strings"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/threescale-oss/operator/pkg/tenant"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// TestConnectTenantExplainsCredentials checks that the External ConnectTenant returns names the
// Secret of the token when 3scale refuses a call, in every method and in Explain (for the plan's
// operations), and leaves other errors as they are.
func TestConnectTenantExplainsCredentials(t *testing.T) {
	const token = `secret ns/threescale-provider-account key "token"`
	cases := map[string]struct {
		reason string
		err    error
		// want is a substring of every method's error; empty when the error must be err itself.
		want string
		// not must be in none of them.
		not string
	}{
		"Unauthorized": {
			reason: "A 401 refused the token itself.",
			err:    apiErr(401, "unauthorized", nil),
			want:   "3scale refused the access token of " + token,
			not:    "forbids",
		},
		"AccessDenied": {
			reason: "A 403 'Access denied' is no account matching the token: refused.",
			err:    apiErr(403, "Access denied", nil),
			want:   "3scale refused the access token of " + token,
			not:    "forbids",
		},
		"TokenPermissions": {
			reason: "A 403 whose message is about the access token refused it.",
			err:    apiErr(403, "Your access token does not have the correct permissions", nil),
			want:   "3scale refused the access token of " + token,
			not:    "forbids",
		},
		"Forbidden": {
			reason: "A 403 that does not mention the token is a call the token may not make: forbids.",
			err:    apiErr(403, "Forbidden", nil),
			want:   "3scale forbids this call with the access token of " + token,
			not:    "refused",
		},
		"BareForbidden": {
			reason: "So is a bare 403 (a plan limit reached).",
			err:    apiErr(403, "", nil),
			want:   "3scale forbids this call with the access token of " + token,
			not:    "refused",
		},
		"RefusedDeletion": {
			reason: "A 403 with field errors is a refused deletion, not a credentials problem.",
			err:    apiErr(403, "", map[string][]string{"base": {"is used by a product"}}),
		},
		"ServerError": {
			reason: "A 500 is left alone.",
			err:    apiErr(500, "", nil),
		},
		"Unprocessable": {
			reason: "A 422 is left alone.",
			err:    apiErr(422, "Name has already been taken", nil),
		},
		"NotAnAPIError": {
			reason: "An error without an answer is left alone.",
			err:    errors.New("connection refused"),
		},
	}
	reader := fake.NewClientBuilder().WithScheme(testScheme(t)).WithObjects(providerSecret()).Build()
	tenants := Tenants{Resolver: tenant.Resolver{Reader: reader}, Clients: &tenant.Clients{}}
	ctx := context.Background()
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			k := &fakeKind{
				find:    func(context.Context, *backend) (int64, error) { return 0, tc.err },
				observe: observeFails(tc.err),
				create:  creates(0, tc.err),
				delete:  deleteFails(tc.err),
			}
			var opened *threescale.Client
			ext, err := ConnectTenant(ctx, tenants, newBackend(), nil, func(c *threescale.Client) External[*backend] {
				opened = c
				return k
			})
			if err != nil {
				t.Fatal(err)
			}
			if opened == nil || !SyncedTo(opened.AdminURL(), loc) {
				t.Fatalf("ConnectTenant opened the External with client %v, want one for %s", opened, loc)
			}
			x, ok := ext.(explainer)
			if !ok {
				t.Fatalf("the External of ConnectTenant, %T, cannot explain the errors of its plans", ext)
			}
			b := newBackend()
			_, findErr := ext.Find(ctx, b)
			_, observeErr := ext.Observe(ctx, b, 42)
			_, createErr := ext.Create(ctx, b)
			for method, got := range map[string]error{
				"Find": findErr, "Observe": observeErr, "Create": createErr,
				"Delete": ext.Delete(ctx, b, 42), "Explain": x.Explain(tc.err),
			} {
				if tc.want == "" {
					if got != tc.err { //nolint:errorlint // the very error, unwrapped
						t.Errorf("%s\n%s error = %v, want %v unchanged", tc.reason, method, got, tc.err)
					}
					continue
				}
				if got == nil || !strings.Contains(got.Error(), tc.want) || (tc.not != "" && strings.Contains(got.Error(), tc.not)) {
					t.Errorf("%s\n%s error = %v, want one containing %q and not %q", tc.reason, method, got, tc.want, tc.not)
				}
				var api *threescale.APIError
				if !errors.As(got, &api) || Classify(got) != Unauthorized {
					t.Errorf("%s\n%s error %v no longer wraps the 3scale error as Unauthorized", tc.reason, method, got)
				}
			}
			if ext.Location() != loc {
				t.Errorf("Location = %q, want the wrapped External's %q", ext.Location(), loc)
			}
		})
	}
	if x := (credentialsExternal[*backend]{}); x.Explain(nil) != nil {
		t.Error("Explain(nil) is not nil")
	}
}

// TestConnectTenantWithoutTenant checks that a namespace without a tenant is an error the loop
// waits on.
func TestConnectTenantWithoutTenant(t *testing.T) {
	reader := fake.NewClientBuilder().WithScheme(testScheme(t)).Build()
	tenants := Tenants{Resolver: tenant.Resolver{Reader: reader}, Clients: &tenant.Clients{}}
	_, err := ConnectTenant(context.Background(), tenants, newBackend(), nil, func(*threescale.Client) External[*backend] {
		t.Error("opened an External without a tenant")
		return nil
	})
	if !tenant.IsMissing(err) || Classify(err) != Waiting {
		t.Errorf("ConnectTenant error = %v, want a missing tenant, class Waiting", err)
	}
}
