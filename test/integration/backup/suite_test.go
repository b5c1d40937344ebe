// Package backup runs the APIManagerBackup and APIManagerRestore controllers against a real
// kube-apiserver and etcd (envtest). envtest runs no kubelet and no Job controller: the tests play
// their part, writing the status of each Job (and the pod of a failed one) as they would, and
// check what the controllers create and report.
package backup

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/threescale-oss/operator/api"
	"github.com/threescale-oss/operator/controllers"
	"github.com/threescale-oss/operator/controllers/apps"
	"github.com/threescale-oss/operator/test/envtestutil"
)

// Images the controllers are given through RELATED_IMAGE_* variables.
const (
	operatorImage = "registry.test/threescale-operator:1"
	mysqlImage    = "registry.test/mysql:8"
)

var (
	env *envtestutil.Env
	// k8s is an uncached administrator client.
	k8s client.Client
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var logs io.Writer = io.Discard
	if os.Getenv("TEST_VERBOSE") != "" {
		logs = os.Stderr
	}
	log.SetLogger(zap.New(zap.WriteTo(logs)))
	var err error
	if env, err = envtestutil.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = env.Stop() }()
	scheme, err := api.NewScheme()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if k8s, err = client.New(env.Config, client.Options{Scheme: scheme}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	mgr, err := ctrl.NewManager(env.Config, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		// The operator's own cache restriction: the Jobs must carry its label to be seen.
		Cache: cache.Options{ByObject: controllers.CacheByObject()},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	environ := []string{"RELATED_IMAGE_OPERATOR=" + operatorImage, "RELATED_IMAGE_SYSTEM_MYSQL=" + mysqlImage}
	if err := apps.NewAPIManagerBackupReconciler(mgr, environ).SetupWithManager(mgr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := apps.NewAPIManagerRestoreReconciler(mgr, environ).SetupWithManager(mgr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "manager:", err)
		}
	}()
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		fmt.Fprintln(os.Stderr, "the cache did not sync")
		return 1
	}
	return m.Run()
}
