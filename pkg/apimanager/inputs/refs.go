package inputs

import (
	"fmt"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
	"github.com/threescale-oss/operator/pkg/apimanager/render"
)

// A Reference is a Secret (and possibly one of its keys) that a rendered object reads.
type Reference struct {
	// Secret is the name of the Secret, in the APIManager's namespace.
	Secret string
	// Key is the data key read; empty when the whole Secret is read (envFrom, a volume without
	// items, an Ingress TLS Secret).
	Key string
	// Optional is true when the reader copes with the Secret or key being absent.
	Optional bool
}

// SecretReferences returns the Secrets the objects read: through the pod templates of workloads
// (environment variables, envFrom, Secret and projected volumes, in init containers too) and the
// TLS Secrets of Ingresses. It is derived from the rendered objects rather than from the spec, so
// it can never disagree with what the pods actually read. The result is sorted and has no
// duplicates; a reference is Optional only when every reader marks it optional.
func SecretReferences(objs []client.Object) []Reference {
	refs := map[Reference]bool{} // keyed with Optional false; value: optional everywhere so far
	add := func(secret, key string, optional *bool) {
		if secret == "" {
			return
		}
		k := Reference{Secret: secret, Key: key}
		opt := optional != nil && *optional
		if prev, seen := refs[k]; seen {
			refs[k] = prev && opt
			return
		}
		refs[k] = opt
	}
	for _, obj := range objs {
		if ing, ok := obj.(*networkingv1.Ingress); ok {
			for _, tls := range ing.Spec.TLS {
				add(tls.SecretName, "", nil)
			}
			continue
		}
		pod := podSpecOf(obj)
		if pod == nil {
			continue
		}
		for _, c := range append(append([]corev1.Container(nil), pod.InitContainers...), pod.Containers...) {
			for _, e := range c.Env {
				if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
					r := e.ValueFrom.SecretKeyRef
					add(r.Name, r.Key, r.Optional)
				}
			}
			for _, e := range c.EnvFrom {
				if e.SecretRef != nil {
					add(e.SecretRef.Name, "", e.SecretRef.Optional)
				}
			}
		}
		for _, v := range pod.Volumes {
			if s := v.Secret; s != nil {
				addVolume(add, s.SecretName, s.Items, s.Optional)
			}
			if p := v.Projected; p != nil {
				for _, src := range p.Sources {
					if s := src.Secret; s != nil {
						addVolume(add, s.Name, s.Items, s.Optional)
					}
				}
			}
		}
	}
	out := make([]Reference, 0, len(refs))
	for r, opt := range refs {
		r.Optional = opt
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Secret != out[j].Secret {
			return out[i].Secret < out[j].Secret
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// addVolume records a Secret volume: the Secret itself, and each projected key.
func addVolume(add func(secret, key string, optional *bool), secret string, items []corev1.KeyToPath, optional *bool) {
	add(secret, "", optional)
	for _, it := range items {
		add(secret, it.Key, optional)
	}
}

// podSpecOf returns the pod spec of a workload, nil for other objects.
func podSpecOf(obj client.Object) *corev1.PodSpec {
	switch o := obj.(type) {
	case *appsv1.Deployment:
		return &o.Spec.Template.Spec
	case *appsv1.StatefulSet:
		return &o.Spec.Template.Spec
	case *appsv1.DaemonSet:
		return &o.Spec.Template.Spec
	case *batchv1.Job:
		return &o.Spec.Template.Spec
	case *batchv1.CronJob:
		return &o.Spec.JobTemplate.Spec.Template.Spec
	}
	return nil
}

// SecretNames returns the names of every Secret the platform of apim may read or the operator
// generates, sorted: the Secrets to read before rendering, and the Secrets whose changes must
// trigger a reconcile of apim. It depends on the spec only (a first render without any secret
// data and without the monitoring objects, which read no Secret), so it also serves as the index
// that maps a Secret to the APIManagers using it. Ingress TLS Secrets are included even on
// OpenShift, where Routes are used: one extra read is cheaper than a second discovery.
func SecretNames(apim *appsv1alpha1.APIManager) []string {
	if apim == nil {
		return nil
	}
	set := map[string]bool{}
	for _, n := range render.GeneratedSecretNames(apim) {
		set[n] = true
	}
	for _, r := range SecretReferences(render.All(&render.Inputs{APIManager: apim})) {
		set[r.Secret] = true
	}
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// MissingSecrets returns, sorted, one message per required Secret that does not exist and per
// required key absent from an existing Secret, given what exists (render.Inputs.Secrets). Optional
// references are never reported. The messages name the Secret and key so the user knows what to
// create.
func MissingSecrets(refs []Reference, secrets map[string]render.SecretInfo) []string {
	var missing []string
	reportedSecret := map[string]bool{}
	for _, r := range refs {
		if r.Optional {
			continue
		}
		info, ok := secrets[r.Secret]
		if !ok {
			if !reportedSecret[r.Secret] {
				reportedSecret[r.Secret] = true
				missing = append(missing, fmt.Sprintf("Secret %q not found", r.Secret))
			}
			continue
		}
		if r.Key != "" && !hasKey(info.Keys, r.Key) {
			missing = append(missing, fmt.Sprintf("Secret %q has no key %q", r.Secret, r.Key))
		}
	}
	sort.Strings(missing)
	return missing
}

func hasKey(keys []string, key string) bool {
	for _, k := range keys {
		if k == key {
			return true
		}
	}
	return false
}
