package inputs

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
	capabilitiesv1alpha1 "github.com/threescale-oss/operator/api/capabilities/v1alpha1"
	"github.com/threescale-oss/operator/pkg/apimanager/render"
)

// RelatedImagePrefix starts the names of the environment variables that override default images
// (RELATED_IMAGE_APICAST, ...), which OLM sets from the CSV for disconnected installs.
const RelatedImagePrefix = "RELATED_IMAGE_"

// ImageEnv picks the RELATED_IMAGE_* variables out of an environment in os.Environ form.
func ImageEnv(environ []string) map[string]string {
	env := map[string]string{}
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if ok && strings.HasPrefix(name, RelatedImagePrefix) {
			env[name] = value
		}
	}
	return env
}

// A Gatherer collects what the renderers need to know about the cluster for one APIManager.
type Gatherer struct {
	// Reader reads Secrets. It must not be the manager's cached client, which would start caching
	// every Secret of the watched namespaces: use the manager's APIReader (one GET per Secret the
	// platform uses).
	Reader client.Reader
	// APIs tells which optional APIs the cluster serves.
	APIs interface{ Detect() (APIs, error) }
	// ImageEnv holds the RELATED_IMAGE_* variables (see ImageEnv).
	ImageEnv map[string]string
	// Workloads reads the live Deployments of the internal databases (render.DatabaseDeployments);
	// the manager's cached client. A Deployment it does not find (the cache holds only objects this
	// operator labelled, so not those of the operator it takes over from) is read with Reader.
	// nil means Reader.
	Workloads client.Reader
	// Generate returns n random characters for generated secret values; nil means
	// RandomAlphanumeric. Tests set a deterministic one.
	Generate func(n int) string
}

// Gathered is the outcome of Gather.
type Gathered struct {
	// Inputs are ready to render.
	Inputs *render.Inputs
	// SecretVersions holds the resourceVersion of each generated Secret that exists, by name. The
	// controller applies those Secrets with it as a precondition, so that a value someone writes
	// between the read and the write is never overwritten: the write fails and is retried with
	// the new value.
	SecretVersions map[string]string
	// Created lists the generated Secrets that do not exist yet, sorted.
	Created []string

	// namespace and secrets are what Gather read: every name of SecretNames, nil when absent.
	namespace string
	secrets   map[string]*corev1.Secret
}

// SecretReader returns a reader that answers Gets of the Secrets Gather read from that snapshot
// and everything else from next. The apply step compares the Secrets it writes with the live
// ones; this spares a second GET per Secret in the same reconcile. The snapshot is milliseconds
// old, and a Secret that changed since is applied with its old resourceVersion as precondition,
// which the API server rejects, so nothing is lost.
func (g *Gathered) SecretReader(next client.Reader) client.Reader {
	return secretSnapshot{g: g, next: next}
}

type secretSnapshot struct {
	g    *Gathered
	next client.Reader
}

func (s secretSnapshot) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	out, ok := obj.(*corev1.Secret)
	if !ok || key.Namespace != s.g.namespace {
		return s.next.Get(ctx, key, obj, opts...)
	}
	live, read := s.g.secrets[key.Name]
	switch {
	case !read:
		return s.next.Get(ctx, key, obj, opts...)
	case live == nil:
		return apierrors.NewNotFound(corev1.Resource("secrets"), key.Name)
	}
	live.DeepCopyInto(out)
	return nil
}

func (s secretSnapshot) List(ctx context.Context, list client.ObjectList, opts ...client.ListOption) error {
	return s.next.List(ctx, list, opts...)
}

// Gather reads the Secrets apim uses (SecretNames), fills in the missing keys of the Secrets the
// operator generates (render.SecretValues: a value already present, the user's or a previous
// run's, always wins; only missing keys get new random values), and resolves images and optional
// APIs. Secrets that do not exist are simply absent from Inputs.Secrets: MissingSecrets reports
// them once the objects are rendered.
//
// The hash recorded for a generated Secret is that of its data after the apply that will follow
// (existing data with the missing keys added), so the pods rendered now already carry the hash
// they will have next time: creating the Secrets does not roll every pod a second time.
func (g *Gatherer) Gather(ctx context.Context, apim *appsv1alpha1.APIManager) (*Gathered, error) {
	if apim == nil {
		return nil, fmt.Errorf("no APIManager to gather inputs for")
	}
	var apis APIs
	if g.APIs != nil {
		var err error
		if apis, err = g.APIs.Detect(); err != nil {
			return nil, err
		}
	}

	existing := map[string]map[string][]byte{}
	versions := map[string]string{}
	out := &Gathered{SecretVersions: map[string]string{}, namespace: apim.Namespace, secrets: map[string]*corev1.Secret{}}
	for _, name := range SecretNames(apim) {
		var s corev1.Secret
		err := g.Reader.Get(ctx, client.ObjectKey{Namespace: apim.Namespace, Name: name}, &s)
		switch {
		case apierrors.IsNotFound(err):
			out.secrets[name] = nil
			continue
		case err != nil:
			return nil, fmt.Errorf("cannot read Secret %s: %w", name, err)
		}
		out.secrets[name] = &s
		data := s.Data
		if data == nil {
			data = map[string][]byte{}
		}
		existing[name] = data
		versions[name] = s.ResourceVersion
	}

	generate := g.Generate
	if generate == nil {
		generate = RandomAlphanumeric
	}
	values := render.SecretValues(apim, existing, generate)

	infos := make(map[string]render.SecretInfo, len(existing)+len(values))
	for name, data := range existing {
		infos[name] = render.NewSecretInfo(data)
	}
	for _, name := range render.GeneratedSecretNames(apim) {
		filled, ok := values[name]
		if !ok {
			continue
		}
		merged := map[string][]byte{}
		for k, v := range existing[name] {
			merged[k] = v
		}
		for k, v := range filled {
			merged[k] = []byte(v)
		}
		infos[name] = render.NewSecretInfo(merged)
		if rv, ok := versions[name]; ok {
			out.SecretVersions[name] = rv
		} else {
			out.Created = append(out.Created, name)
		}
	}

	running, err := g.runningDatabases(ctx, apim)
	if err != nil {
		return nil, err
	}
	var tenants []render.TenantPortals
	if !apis.Routes {
		// On OpenShift zync-que makes the tenants' Routes; elsewhere the operator's Ingresses.
		if tenants, err = g.tenantPortals(ctx, apim); err != nil {
			return nil, err
		}
	}
	out.Inputs = &render.Inputs{
		APIManager:       apim,
		Images:           render.ResolveImages(apim, g.ImageEnv),
		Secrets:          infos,
		SecretData:       values,
		RunningDatabases: running,
		Tenants:          tenants,
	}
	apis.SetOn(out.Inputs)
	return out, nil
}

// runningDatabases reads the live Deployments of apim's internal databases: the image they run and
// the claims they mount.
func (g *Gatherer) runningDatabases(ctx context.Context, apim *appsv1alpha1.APIManager) (map[string]render.RunningWorkload, error) {
	var out map[string]render.RunningWorkload
	for _, name := range render.DatabaseDeployments(apim) {
		var d appsv1.Deployment
		key := client.ObjectKey{Namespace: apim.Namespace, Name: name}
		var err error = apierrors.NewNotFound(appsv1.Resource("deployments"), name)
		if g.Workloads != nil {
			err = g.Workloads.Get(ctx, key, &d)
		}
		if apierrors.IsNotFound(err) {
			err = g.Reader.Get(ctx, key, &d)
		}
		switch {
		case apierrors.IsNotFound(err):
			continue
		case err != nil:
			return nil, fmt.Errorf("cannot read Deployment %s: %w", name, err)
		}
		w := render.RunningWorkload{}
		containers := d.Spec.Template.Spec.Containers
		for i, c := range containers {
			if c.Name == name || (i == 0 && w.Image == "") {
				w.Image = c.Image
			}
		}
		for _, v := range d.Spec.Template.Spec.Volumes {
			if v.PersistentVolumeClaim != nil {
				w.Claims = append(w.Claims, v.PersistentVolumeClaim.ClaimName)
			}
		}
		if out == nil {
			out = map[string]render.RunningWorkload{}
		}
		out[name] = w
	}
	return out, nil
}

// tenantPortals returns the portals of the Tenant objects of apim's namespace that were created
// through this platform's master (spec.systemMasterUrl names its master host or the system-master
// Service) and whose tenant Secret, in the same namespace, holds the admin URL. Tenants are read
// with Workloads (the cache: the Tenant controller watches them anyway), their Secrets with Reader.
func (g *Gatherer) tenantPortals(ctx context.Context, apim *appsv1alpha1.APIManager) ([]render.TenantPortals, error) {
	reader := g.Workloads
	if reader == nil {
		reader = g.Reader
	}
	var list capabilitiesv1alpha1.TenantList
	if err := reader.List(ctx, &list, client.InNamespace(apim.Namespace)); err != nil {
		if meta.IsNoMatchError(err) || runtime.IsNotRegisteredError(err) {
			return nil, nil // the Tenant CRD is not installed, or the kind not known
		}
		return nil, fmt.Errorf("cannot list Tenants: %w", err)
	}
	sort.Slice(list.Items, func(i, j int) bool { return list.Items[i].Name < list.Items[j].Name })
	var out []render.TenantPortals
	for i := range list.Items {
		t := &list.Items[i]
		if !t.DeletionTimestamp.IsZero() || !masterOf(t.Spec.SystemMasterURL, apim) {
			continue
		}
		key := t.TenantSecretKey()
		if key.Namespace != apim.Namespace || key.Name == "" {
			continue
		}
		var s corev1.Secret
		switch err := g.Reader.Get(ctx, key, &s); {
		case apierrors.IsNotFound(err):
			continue // not created in 3scale yet
		case err != nil:
			return nil, fmt.Errorf("cannot read Secret %s of Tenant %s: %w", key.Name, t.Name, err)
		}
		u, err := url.Parse(string(s.Data[capabilitiesv1alpha1.TenantSecretAdminURLKey]))
		if err != nil || u.Hostname() == "" {
			continue
		}
		p := render.TenantPortals{Name: t.Name, AdminHost: strings.ToLower(u.Hostname())}
		// 3scale names a tenant's portals <subdomain>-admin.<superdomain> and <subdomain>.<superdomain>.
		suffix := "-admin." + strings.ToLower(apim.Spec.WildcardDomain)
		if sub, ok := strings.CutSuffix(p.AdminHost, suffix); ok && sub != "" {
			p.DeveloperHost = sub + "." + strings.ToLower(apim.Spec.WildcardDomain)
		}
		out = append(out, p)
	}
	return out, nil
}

// masterOf reports whether masterURL is apim's master: its public host, or the system-master
// Service of its namespace.
func masterOf(masterURL string, apim *appsv1alpha1.APIManager) bool {
	u, err := url.Parse(masterURL)
	if err != nil {
		return false
	}
	host := strings.ToLower(u.Hostname())
	return host == strings.ToLower(apim.MasterHost()) || host == render.SystemMasterName ||
		host == render.SystemMasterName+"."+apim.Namespace ||
		strings.HasPrefix(host, render.SystemMasterName+"."+apim.Namespace+".svc")
}
