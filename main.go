// Command manager runs the 3scale operator: one controller-runtime manager that holds every
// controller, with leader election, health and readiness probes and a Prometheus metrics endpoint.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/certwatcher"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/threescale-oss/operator/api"
	"github.com/threescale-oss/operator/controllers"
	"github.com/threescale-oss/operator/pkg/apimanager/render"
	"github.com/threescale-oss/operator/pkg/backup"
	"github.com/threescale-oss/operator/pkg/version"
	"github.com/threescale-oss/operator/pkg/watchnamespaces"
)

// leaderElectionID is the Lease name; it is the one the existing 3scale operator uses, so two
// operators never run their controllers at once during a migration in the same namespace.
const leaderElectionID = "82355b9c.3scale.net"

// RBAC the manager itself needs (controllers declare their own next to their code).
// +kubebuilder:rbac:groups=coordination.k8s.io,resources=leases,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
// The secured metrics endpoint authenticates scrapers with TokenReviews and authorizes them with
// SubjectAccessReviews (controller-runtime's filters.WithAuthenticationAndAuthorization).
// +kubebuilder:rbac:groups=authentication.k8s.io,resources=tokenreviews,verbs=create
// +kubebuilder:rbac:groups=authorization.k8s.io,resources=subjectaccessreviews,verbs=create

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	// The backup and restore Jobs run the operator's own image with a subcommand.
	if len(args) > 0 && backup.IsCommand(args[0]) {
		return backup.RunCommand(ctrl.SetupSignalHandler(), args)
	}
	fs := flag.NewFlagSet("manager", flag.ContinueOnError)
	var probeAddr string
	var leaderElect bool
	var leaderElectionNamespace string
	var m metricsFlags
	fs.StringVar(&m.addr, "metrics-bind-address", ":8443", "The address the Prometheus metrics endpoint binds to; \"0\" turns it off.")
	// --metrics-addr and --enable-leader-election are the existing 3scale operator's flag names;
	// they are kept so its Deployment arguments keep working.
	fs.StringVar(&m.addr, "metrics-addr", ":8443", "Alias of --metrics-bind-address.")
	fs.BoolVar(&m.secure, "metrics-secure", true, "Serve the metrics endpoint over HTTPS to scrapers whose token is allowed to get /metrics; false serves plain HTTP to anyone (for local use).")
	fs.StringVar(&m.certPath, "metrics-cert-path", "", "The folder holding the metrics server's certificate and key; empty: a self-signed certificate.")
	fs.StringVar(&m.certName, "metrics-cert-name", "tls.crt", "The name of the metrics server's certificate file in --metrics-cert-path.")
	fs.StringVar(&m.certKey, "metrics-cert-key", "tls.key", "The name of the metrics server's key file in --metrics-cert-path.")
	fs.BoolVar(&m.http2, "enable-http2", false, "Serve the metrics endpoint over HTTP/2 too; off by default against the HTTP/2 Stream Cancellation and Rapid Reset CVEs.")
	fs.StringVar(&probeAddr, "health-probe-bind-address", ":8081", "The address the /healthz and /readyz probes bind to.")
	fs.BoolVar(&leaderElect, "leader-elect", false, "Elect a leader so that only one replica reconciles at a time.")
	fs.BoolVar(&leaderElect, "enable-leader-election", false, "Alias of --leader-elect.")
	fs.StringVar(&leaderElectionNamespace, "leader-election-namespace", "", "The namespace of the leader election Lease; defaults to the operator's own namespace when it runs in a cluster.")
	zapOpts := zap.Options{}
	zapOpts.BindFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))
	log := ctrl.Log.WithName("setup")
	log.Info("starting", "version", version.Version)

	namespaces, err := watchnamespaces.Parse(os.Getenv(watchnamespaces.EnvVar))
	if err != nil {
		return err
	}
	if namespaces == nil {
		log.Info("watching all namespaces")
	} else {
		log.Info("watching namespaces", "namespaces", watchnamespaces.Names(namespaces))
	}

	scheme, err := api.NewScheme()
	if err != nil {
		return fmt.Errorf("cannot build the scheme: %w", err)
	}
	cfg, err := ctrl.GetConfig()
	if err != nil {
		return fmt.Errorf("cannot find the Kubernetes API server: %w", err)
	}
	metricsOpts, certWatcher, err := m.options()
	if err != nil {
		return err
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                  scheme,
		Metrics:                 metricsOpts,
		HealthProbeBindAddress:  probeAddr,
		LeaderElection:          leaderElect,
		LeaderElectionID:        leaderElectionID,
		LeaderElectionNamespace: leaderElectionNamespace,
		// Stepping down promptly on shutdown lets a new replica take over without waiting for the
		// lease to expire; safe because the process exits right after the manager stops.
		LeaderElectionReleaseOnCancel: true,
		Cache:                         cache.Options{DefaultNamespaces: namespaces, ByObject: controllers.CacheByObject()},
	})
	if err != nil {
		return fmt.Errorf("cannot create the manager: %w", err)
	}
	if certWatcher != nil {
		if err := mgr.Add(certWatcher); err != nil {
			return fmt.Errorf("cannot watch the metrics certificate: %w", err)
		}
	}
	if err := metrics.Registry.Register(version.NewInfoMetric(version.Version, render.MeteringComponentVersion)); err != nil {
		return fmt.Errorf("cannot register the %s metric: %w", version.InfoMetricName, err)
	}
	if err := controllers.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("cannot register the controllers: %w", err)
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return fmt.Errorf("cannot add the health check: %w", err)
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return fmt.Errorf("cannot add the readiness check: %w", err)
	}
	log.Info("starting the manager")
	return mgr.Start(ctrl.SetupSignalHandler())
}

// metricsFlags are the flags of the metrics endpoint, those of a current kubebuilder project.
type metricsFlags struct {
	addr               string
	secure, http2      bool
	certPath, certName string
	certKey            string
}

// options turns the flags into the metrics server's options: HTTPS with authentication (TokenReview)
// and authorization (SubjectAccessReview on get /metrics) unless --metrics-secure=false, with the
// certificate of --metrics-cert-path (reloaded when it changes, by the returned watcher, which the
// manager must run) or else a self-signed one.
func (m metricsFlags) options() (metricsserver.Options, *certwatcher.CertWatcher, error) {
	var tlsOpts []func(*tls.Config)
	if !m.http2 {
		tlsOpts = append(tlsOpts, func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} })
	}
	opts := metricsserver.Options{BindAddress: m.addr, SecureServing: m.secure, TLSOpts: tlsOpts}
	if !m.secure {
		return opts, nil, nil
	}
	opts.FilterProvider = filters.WithAuthenticationAndAuthorization
	if m.certPath == "" {
		return opts, nil, nil
	}
	watcher, err := certwatcher.New(filepath.Join(m.certPath, m.certName), filepath.Join(m.certPath, m.certKey))
	if err != nil {
		return metricsserver.Options{}, nil, fmt.Errorf("cannot load the metrics certificate: %w", err)
	}
	opts.TLSOpts = append(opts.TLSOpts, func(c *tls.Config) { c.GetCertificate = watcher.GetCertificate })
	return opts, watcher, nil
}
