// Package controllers wires the operator's reconcilers into a manager. Each kind's reconciler lives
// in controllers/apps (install side) or controllers/capabilities (3scale configuration side) and is
// added to Setups when it exists, so main.go registers every controller in one call.
package controllers

import (
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/threescale-oss/operator/controllers/apps"
	"github.com/threescale-oss/operator/controllers/capabilities"
)

// A Setup registers one controller with the manager.
type Setup func(mgr ctrl.Manager) error

// Setups lists the controllers the operator runs.
var Setups = []Setup{
	capabilities.SetupBackend,
	apps.SetupAPIManager,
	capabilities.SetupProduct,
}

// SetupWithManager registers every controller in Setups with the manager.
func SetupWithManager(mgr ctrl.Manager) error {
	for _, setup := range Setups {
		if err := setup(mgr); err != nil {
			return err
		}
	}
	return nil
}
