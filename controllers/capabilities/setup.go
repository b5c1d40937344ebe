// Package capabilities holds the controllers of the capabilities.3scale.net kinds. Each is a
// registration: the reconcile loop and its wiring are pkg/external's, each kind's 3scale logic is
// in pkg/capabilities/<kind>, and this package says what each kind watches and may do (RBAC).
package capabilities

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/threescale-oss/operator/pkg/document"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/tenant"
)

// PollIntervalEnvVar sets the default poll interval of every capability object (a Go duration,
// e.g. "2m"); the capabilities.3scale.net/poll-interval annotation overrides it per object.
const PollIntervalEnvVar = "CAPABILITIES_POLL_INTERVAL"

// Per-tenant bounds on the calls to 3scale (every kind, every token of a tenant together):
// calls at once (default threescale.DefaultMaxInFlight), calls a second (a token bucket; default
// none) and its burst (default: the calls a second plus one).
const (
	MaxInFlightEnvVar    = "THREESCALE_MAX_CALLS_IN_FLIGHT"
	CallsPerSecondEnvVar = "THREESCALE_CALLS_PER_SECOND"
	CallsBurstEnvVar     = "THREESCALE_CALLS_BURST"
)

// ManagementPolicyEnvVar sets the management policy of the objects without the
// capabilities.3scale.net/management-policy annotation: Enforce (the default) or Observe.
const ManagementPolicyEnvVar = "CAPABILITIES_MANAGEMENT_POLICY"

// Options tune the capability controllers.
type Options struct {
	// Loop tunes the reconcile loop (poll interval, jitter, wait interval, deadline).
	Loop external.Options
	// MaxConcurrentReconciles is per kind; external.DefaultMaxConcurrentReconciles when zero.
	MaxConcurrentReconciles int
	// Clients holds the 3scale clients, one per tenant, shared by every kind. Required.
	Clients *tenant.Clients
	// Documents fetches the documents OpenAPI and ActiveDoc objects reference by URL, shared by
	// both kinds so that one conditional request serves every object of a URL; a Fetcher with
	// the defaults when nil.
	Documents *document.Fetcher
}

// DefaultOptions returns the options of the controllers the operator registers: a new client
// cache, to be shared by every kind, and the poll interval of PollIntervalEnvVar, if set.
func DefaultOptions() (Options, error) {
	documents, err := document.FetcherFromEnv()
	if err != nil {
		return Options{}, err
	}
	opts := Options{Clients: &tenant.Clients{}, Documents: documents}
	if v := os.Getenv(PollIntervalEnvVar); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return Options{}, fmt.Errorf("%s=%q is not a positive duration", PollIntervalEnvVar, v)
		}
		opts.Loop.PollInterval = d
	}
	switch v := os.Getenv(ManagementPolicyEnvVar); {
	case v == "":
	case strings.EqualFold(v, external.ManagementPolicyEnforce), strings.EqualFold(v, external.ManagementPolicyObserve):
		opts.Loop.ManagementPolicy = v
	default:
		return Options{}, fmt.Errorf("%s=%q is neither %s nor %s", ManagementPolicyEnvVar, v, external.ManagementPolicyEnforce, external.ManagementPolicyObserve)
	}
	limits, err := limitsFromEnv()
	if err != nil {
		return Options{}, err
	}
	opts.Clients.Limits = limits
	return opts, nil
}

// limitsFromEnv reads the per-tenant bounds of MaxInFlightEnvVar, CallsPerSecondEnvVar and
// CallsBurstEnvVar, checked as the clients will use them.
func limitsFromEnv() (tenant.Limits, error) {
	var l tenant.Limits
	if v := os.Getenv(MaxInFlightEnvVar); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return l, fmt.Errorf("%s=%q is not a whole number of at least 1", MaxInFlightEnvVar, v)
		}
		l.MaxInFlight = n
	}
	if v := os.Getenv(CallsPerSecondEnvVar); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			return l, fmt.Errorf("%s=%q is not a number of calls a second (0 for no bound)", CallsPerSecondEnvVar, v)
		}
		l.CallsPerSecond = f
	}
	if v := os.Getenv(CallsBurstEnvVar); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return l, fmt.Errorf("%s=%q is not a whole number of at least 1", CallsBurstEnvVar, v)
		}
		l.Burst = n
	}
	return l, nil
}

// SetupAll registers every capability controller with DefaultOptions, so that all kinds share
// one client per tenant and its bound on calls in flight.
func SetupAll(mgr ctrl.Manager) error {
	opts, err := DefaultOptions()
	if err != nil {
		return err
	}
	for _, setup := range []func(ctrl.Manager, Options) error{SetupBackend, SetupProduct, SetupCustomPolicyDefinition, SetupProxyConfigPromote, SetupOpenAPI, SetupActiveDoc, SetupDeveloperAccount, SetupDeveloperUser, SetupApplication, SetupApplicationAuth, SetupTenant} {
		if err := setup(mgr, opts); err != nil {
			return err
		}
	}
	return nil
}

// tenants is how capability kinds reach their tenant: Secrets are read on demand through the
// API reader, never cached.
func tenants(mgr ctrl.Manager, opts Options) external.Tenants {
	return external.Tenants{Resolver: tenant.Resolver{Reader: mgr.GetAPIReader()}, Clients: opts.Clients}
}

// documents loads the documents objects reference, from Secrets (as secrets reads them) or URLs.
func documents(mgr ctrl.Manager, opts Options) (document.Loader, error) {
	f := opts.Documents
	if f == nil {
		var err error
		if f, err = document.NewFetcher(); err != nil {
			return document.Loader{}, err
		}
	}
	return document.Loader{Secrets: secrets(mgr), Fetcher: f}, nil
}

// secrets reads the Secrets objects reference: their metadata (for the opt-in of other
// namespaces) from the cache, their data on demand.
func secrets(mgr ctrl.Manager) tenant.SecretReader {
	return tenant.SecretReader{Metadata: mgr.GetClient(), Reader: mgr.GetAPIReader()}
}
