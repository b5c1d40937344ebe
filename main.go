// Command manager runs the 3scale operator: one controller-runtime manager that holds every
// controller, with leader election, health and readiness probes and a Prometheus metrics endpoint.
package main

import (
	"flag"
	"fmt"
	"os"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/threescale-oss/operator/api"
	"github.com/threescale-oss/operator/controllers"
	"github.com/threescale-oss/operator/pkg/backup"
	"github.com/threescale-oss/operator/pkg/watchnamespaces"
)

// leaderElectionID is the Lease name; it is the one the existing 3scale operator uses, so two
// operators never run their controllers at once during a migration in the same namespace.
const leaderElectionID = "82355b9c.3scale.net"

// RBAC the manager itself needs (controllers declare their own next to their code).
// +kubebuilder:rbac:groups=coordination.k8s.io,resources=leases,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

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
	var metricsAddr, probeAddr string
	var leaderElect bool
	var leaderElectionNamespace string
	fs.StringVar(&metricsAddr, "metrics-bind-address", ":8080", "The address the Prometheus metrics endpoint binds to; \"0\" turns it off.")
	// --metrics-addr and --enable-leader-election are the existing 3scale operator's flag names;
	// they are kept so its Deployment arguments keep working.
	fs.StringVar(&metricsAddr, "metrics-addr", ":8080", "Alias of --metrics-bind-address.")
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
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                  scheme,
		Metrics:                 metricsserver.Options{BindAddress: metricsAddr},
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
