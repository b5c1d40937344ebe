package render

import (
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// All returns every object of the platform described by in, component by component. Each object
// appears once; the order is stable but carries no meaning (server-side apply does not need one).
// A nil input or one without an APIManager renders nothing.
func All(in *Inputs) []client.Object {
	if !in.ok() {
		return nil
	}
	var objs []client.Object
	for _, render := range []func(*Inputs) []client.Object{
		Platform,
		Apicast,
		Backend,
		Memcached,
		Searchd,
		Zync,
		System,
		Databases,
		Secrets,
		Exposure,
		Monitoring,
		// One line per renderer; keep this list the only place that knows them all.
	} {
		objs = append(objs, render(in)...)
	}
	return objs
}

// Platform returns the objects shared by every component: the `amp` ServiceAccount that runs the
// pods and carries spec.imagePullSecrets.
func Platform(in *Inputs) []client.Object {
	if !in.ok() {
		return nil
	}
	return []client.Object{newServiceAccount(in, DefaultServiceAccount, ComponentSystem, "amp")}
}

// newServiceAccount returns a ServiceAccount with spec.imagePullSecrets.
func newServiceAccount(in *Inputs, name, component, element string) *corev1.ServiceAccount {
	var pullSecrets []corev1.LocalObjectReference
	if ps := in.spec().ImagePullSecrets; len(ps) > 0 {
		pullSecrets = append(pullSecrets, ps...)
	}
	return &corev1.ServiceAccount{
		TypeMeta:         typeMeta("v1", "ServiceAccount"),
		ObjectMeta:       objectMeta(in, name, component, element),
		ImagePullSecrets: pullSecrets,
	}
}
