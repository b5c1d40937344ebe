package apimanager

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	appsv1alpha1 "github.com/threescale-oss/operator/api/apps/v1alpha1"
	"github.com/threescale-oss/operator/pkg/apimanager/apply"
	"github.com/threescale-oss/operator/pkg/apimanager/inputs"
	"github.com/threescale-oss/operator/pkg/apimanager/render"
)

// kubeAPIs are the optional APIs the "kube" manager sees.
var kubeAPIs = inputs.APIs{PodMonitors: true, PrometheusRules: true, GrafanaDashboards: true, GrafanaDashboardsV4: true}

// The well-known objects of a default platform; the rendered set is compared too, but this list
// guards against a renderer that renders nothing.
var wellKnown = []string{
	"Deployment/apicast-staging", "Deployment/apicast-production", "Deployment/backend-listener",
	"Deployment/backend-worker", "Deployment/backend-cron", "Deployment/system-app", "Deployment/system-sidekiq",
	"Deployment/system-memcache", "Deployment/system-searchd", "Deployment/zync", "Deployment/zync-que",
	"Deployment/zync-database", "Service/backend-listener", "Service/system-master", "Service/zync",
	"ConfigMap/apicast-environment", "ServiceAccount/amp", "ServiceAccount/zync-que-sa", "Role/zync-que-role",
	"RoleBinding/zync-que-rolebinding", "PersistentVolumeClaim/system-storage",
	"Secret/system-seed", "Secret/system-app", "Secret/backend-internal-api", "Secret/zync",
	"Ingress/backend", "Ingress/system-master",
}

func TestDefaultAPIManagerInstallsThePlatformAndResyncsWithoutWrites(t *testing.T) {
	ns := namespace(t)
	installMark := kubeWrites.mark()
	install(t, newAPIManager(ns))
	apim := getAPIManager(t, ns)

	live := liveObjects(t, ns)
	expected := expectedObjects(t, ns, kubeAPIs)
	// The write log works: installing wrote every object at least once.
	if n := len(kubeWrites.since(installMark, ns)); n < len(expected) {
		t.Errorf("%d writes recorded for %d objects", n, len(expected))
	}
	if diff := cmp.Diff(keys(expected), keys(live)); diff != "" {
		t.Errorf("objects in the cluster differ from the rendered set (-rendered +live):\n%s", diff)
	}
	for _, name := range wellKnown {
		if !expected[name] {
			t.Errorf("%s is not rendered", name)
		}
	}

	for name, obj := range live {
		kind := obj.GetKind()
		owned := controlledByAPIManager(obj, apim)
		// Data is retained by default: claims and the generated Secrets have no owner.
		wantOwned := kind != "PersistentVolumeClaim" && kind != "Secret"
		if owned != wantOwned {
			t.Errorf("%s controlled by the APIManager: %v, want %v", name, owned, wantOwned)
		}
		if obj.GetLabels()[render.LabelApp] != "3scale-api-management" {
			t.Errorf("%s lacks the app label: %v", name, obj.GetLabels())
		}
	}

	// Generated values are long and random.
	seed := secret(t, ns, "system-seed")
	for _, key := range []string{"MASTER_PASSWORD", "ADMIN_PASSWORD", "MASTER_ACCESS_TOKEN", "ADMIN_ACCESS_TOKEN"} {
		if v := string(seed.Data[key]); len(v) < 32 {
			t.Errorf("system-seed %s = %q: want at least 32 random characters", key, v)
		}
	}
	if string(seed.Data["MASTER_PASSWORD"]) == string(seed.Data["ADMIN_PASSWORD"]) {
		t.Error("two generated values are equal")
	}

	// Images: RELATED_IMAGE_APICAST is set on the manager.
	var staging appsv1.Deployment
	if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "apicast-staging"}, &staging); err != nil {
		t.Fatal(err)
	}
	if img := staging.Spec.Template.Spec.Containers[0].Image; img != testApicastImage {
		t.Errorf("apicast image = %q, want %q", img, testApicastImage)
	}

	// Status.
	apim = getAPIManager(t, ns)
	if apim.Status.ObservedGeneration != apim.Generation {
		t.Errorf("observedGeneration = %d, want %d", apim.Status.ObservedGeneration, apim.Generation)
	}
	var deployments []string
	for name := range expected {
		if strings.HasPrefix(name, "Deployment/") {
			deployments = append(deployments, strings.TrimPrefix(name, "Deployment/"))
		}
	}
	sort.Strings(deployments)
	if diff := cmp.Diff(appsv1alpha1.DeploymentStatus{Ready: deployments}, apim.Status.Deployments); diff != "" {
		t.Errorf("status.deployments (-want +got):\n%s", diff)
	}
	for _, typ := range []string{"Available", "Ready", "DeploymentsAvailable", "SecretsAvailable", "RoutesReady"} {
		waitCondition(t, ns, typ, metav1.ConditionTrue)
	}

	// A reconcile with nothing changed writes nothing at all.
	mark := kubeWrites.mark()
	before, reads := reconciles(), kubeWrites.readCount()
	start := time.Now()
	touch(t, ns)
	touch(t, ns)
	if reconciles() < before+2 {
		t.Fatalf("expected at least two reconciles, got %v", reconciles()-before)
	}
	// Reported, not asserted: the cost of a resync is one uncached GET per Secret the platform uses.
	t.Logf("resync: %v reconciles, %d GETs to the API server, %d objects, %s including settling",
		reconciles()-before, kubeWrites.readCount()-reads, len(expected), time.Since(start).Round(time.Millisecond))
	if w := kubeWrites.since(mark, ns); len(w) > 0 {
		t.Errorf("a resync wrote %d times:\n%s", len(w), strings.Join(w, "\n"))
	}
}

func TestChangingOneFieldChangesOnlyTheObjectsItAffects(t *testing.T) {
	ns := namespace(t)
	install(t, newAPIManager(ns))
	before := liveObjects(t, ns)

	mark := kubeWrites.mark()
	updateAPIManager(t, ns, func(a *appsv1alpha1.APIManager) {
		a.Spec.Apicast = &appsv1alpha1.ApicastSpec{StagingSpec: &appsv1alpha1.ApicastStagingSpec{Replicas: ptr.To[int64](2)}}
	})
	eventually(t, 30*time.Second, func() error {
		var d appsv1.Deployment
		if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "apicast-staging"}, &d); err != nil {
			return err
		}
		if d.Spec.Replicas == nil || *d.Spec.Replicas != 2 {
			return fmt.Errorf("replicas = %v", d.Spec.Replicas)
		}
		return nil
	})
	settle(t)

	after := liveObjects(t, ns)
	var changed []string
	for name, obj := range after {
		if b, ok := before[name]; !ok || b.GetResourceVersion() != obj.GetResourceVersion() {
			changed = append(changed, name)
		}
	}
	sort.Strings(changed)
	if diff := cmp.Diff([]string{"Deployment/apicast-staging"}, changed); diff != "" {
		t.Errorf("changed objects (-want +got):\n%s", diff)
	}
	var objectWrites []string
	for _, w := range kubeWrites.since(mark, ns) {
		if !strings.Contains(w, "/apimanagers/") {
			objectWrites = append(objectWrites, w)
		}
	}
	if len(objectWrites) != 1 {
		t.Errorf("want exactly one write of the platform, got:\n%s", strings.Join(objectWrites, "\n"))
	}
}

func TestSwitchingZyncAndMonitoringOffRemovesTheirObjects(t *testing.T) {
	ns := namespace(t)
	install(t, newAPIManager(ns))

	// Monitoring on: its objects appear, and a resync still writes nothing.
	updateAPIManager(t, ns, func(a *appsv1alpha1.APIManager) {
		a.Spec.Monitoring = &appsv1alpha1.MonitoringSpec{Enabled: true}
	})
	monitoring := func() []string {
		var out []string
		for _, name := range keys(liveObjects(t, ns)) {
			for _, prefix := range []string{"PodMonitor/", "PrometheusRule/", "GrafanaDashboard/"} {
				if strings.HasPrefix(name, prefix) {
					out = append(out, name)
				}
			}
		}
		return out
	}
	eventually(t, 30*time.Second, func() error {
		if got := monitoring(); len(got) < 8+1+5 {
			return fmt.Errorf("monitoring objects: %v", got)
		}
		return nil
	})
	settle(t)
	for _, name := range []string{"PodMonitor/apicast-production", "PodMonitor/system-app", "PodMonitor/zync-que"} {
		if !contains(monitoring(), name) {
			t.Errorf("%s missing", name)
		}
	}
	waitCondition(t, ns, "Warning", metav1.ConditionFalse)
	mark := kubeWrites.mark()
	touch(t, ns)
	if w := kubeWrites.since(mark, ns); len(w) > 0 {
		t.Errorf("a resync with monitoring on wrote:\n%s", strings.Join(w, "\n"))
	}

	// Zync off: zync's workloads, RBAC and monitoring go; its data stays.
	updateAPIManager(t, ns, func(a *appsv1alpha1.APIManager) {
		a.Spec.Zync = &appsv1alpha1.ZyncSpec{Enabled: ptr.To(false)}
	})
	gone := []string{
		"Deployment/zync", "Deployment/zync-que", "Deployment/zync-database", "Service/zync", "Service/zync-database",
		"ServiceAccount/zync-que-sa", "Role/zync-que-role", "RoleBinding/zync-que-rolebinding",
		"PodMonitor/zync", "PodMonitor/zync-que",
	}
	eventually(t, 30*time.Second, func() error {
		live := liveObjects(t, ns)
		for _, name := range gone {
			if obj, ok := live[name]; ok && obj.GetDeletionTimestamp() == nil {
				return fmt.Errorf("%s still exists", name)
			}
		}
		return nil
	})
	live := liveObjects(t, ns)
	for _, kept := range []string{"PersistentVolumeClaim/zync-database-data", "Secret/zync", "Deployment/system-app"} {
		if _, ok := live[kept]; !ok {
			t.Errorf("%s was deleted", kept)
		}
	}

	// Monitoring off: every monitoring object goes.
	updateAPIManager(t, ns, func(a *appsv1alpha1.APIManager) { a.Spec.Monitoring = nil })
	eventually(t, 30*time.Second, func() error {
		if got := monitoring(); len(got) > 0 {
			return fmt.Errorf("monitoring objects left: %v", got)
		}
		return nil
	})
}

func TestAChangedSecretRollsTheRightPods(t *testing.T) {
	ns := namespace(t)
	install(t, newAPIManager(ns))
	// A generated Secret that some components read; the user sets a value, which must win.
	const name = "system-recaptcha"
	readers := deploymentsReading(t, ns, name)
	all := podTemplateHashes(t, ns)
	if len(readers) == 0 || len(readers) == len(all) {
		t.Fatalf("%s should be read by some Deployments but not all: %v", name, readers)
	}

	s := secret(t, ns, name)
	s.Data["PUBLIC_KEY"] = []byte("user-public-key")
	if err := k8s.Update(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	var changed []string
	eventually(t, 30*time.Second, func() error {
		changed = nil
		for d, h := range podTemplateHashes(t, ns) {
			if h != all[d] {
				changed = append(changed, d)
			}
		}
		sort.Strings(changed)
		if len(changed) < len(readers) {
			return fmt.Errorf("rolled so far: %v", changed)
		}
		return nil
	})
	settle(t)
	if diff := cmp.Diff(readers, changed); diff != "" {
		t.Errorf("rolled Deployments (-readers +rolled):\n%s", diff)
	}
	if got := string(secret(t, ns, name).Data["PUBLIC_KEY"]); got != "user-public-key" {
		t.Errorf("PUBLIC_KEY = %q: the user's value was overwritten", got)
	}
}

func TestUserProvidedSecretsAreNeverOverwritten(t *testing.T) {
	ns := namespace(t)
	create(t, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "system-seed", Namespace: ns},
		StringData: map[string]string{"MASTER_PASSWORD": "chosen", "MY_OWN_KEY": "mine"},
	})
	install(t, newAPIManager(ns))

	seed := secret(t, ns, "system-seed")
	if got := string(seed.Data["MASTER_PASSWORD"]); got != "chosen" {
		t.Errorf("MASTER_PASSWORD = %q, want the user's", got)
	}
	if got := string(seed.Data["MY_OWN_KEY"]); got != "mine" {
		t.Errorf("MY_OWN_KEY = %q: a key the operator does not manage was touched", got)
	}
	if len(seed.Data["ADMIN_PASSWORD"]) < 32 {
		t.Errorf("missing keys are filled in: ADMIN_PASSWORD = %q", seed.Data["ADMIN_PASSWORD"])
	}

	// The user changes a value afterwards: it stays, and the pods reading it roll.
	hashes := podTemplateHashes(t, ns)
	seed.Data["MASTER_PASSWORD"] = []byte("changed-by-the-user")
	if err := k8s.Update(context.Background(), seed); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() error {
		if podTemplateHashes(t, ns)["system-app"] == hashes["system-app"] {
			return fmt.Errorf("system-app not rolled yet")
		}
		return nil
	})
	settle(t)
	if got := string(secret(t, ns, "system-seed").Data["MASTER_PASSWORD"]); got != "changed-by-the-user" {
		t.Errorf("MASTER_PASSWORD = %q, want the user's new value", got)
	}
}

func TestMissingExternalSecretsAreNamedInTheStatus(t *testing.T) {
	ns := namespace(t)
	external := func(a *appsv1alpha1.APIManager) {
		a.Spec.ExternalComponents = &appsv1alpha1.ExternalComponentsSpec{
			System:  &appsv1alpha1.ExternalSystemComponents{Redis: ptr.To(true), Database: ptr.To(true)},
			Backend: &appsv1alpha1.ExternalBackendComponents{Redis: ptr.To(true)},
		}
	}
	create(t, newAPIManager(ns, external))
	waitCondition(t, ns, "SecretsAvailable", metav1.ConditionFalse,
		`Secret "backend-redis" not found`, `Secret "system-database" not found`, `Secret "system-redis" not found`)
	c := waitCondition(t, ns, "Available", metav1.ConditionFalse)
	if c.Reason != appsv1alpha1.APIManagerSecretsMissingReason {
		t.Errorf("Available reason = %q", c.Reason)
	}

	// A Secret with a key missing: the key is named.
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "backend-redis", Namespace: ns},
		StringData: map[string]string{"REDIS_STORAGE_URL": "redis://backend-redis.example:6379/0"}})
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "system-redis", Namespace: ns},
		StringData: map[string]string{"URL": "redis://system-redis.example:6379/1"}})
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "system-database", Namespace: ns},
		StringData: map[string]string{"URL": "mysql2://root:pw@db.example/system", "DB_USER": "u", "DB_PASSWORD": "p"}})
	c = waitCondition(t, ns, "SecretsAvailable", metav1.ConditionFalse, `Secret "backend-redis" has no key "REDIS_QUEUES_URL"`)
	if strings.Contains(c.Message, "system-redis") || strings.Contains(c.Message, "system-database") {
		t.Errorf("message names Secrets that exist: %q", c.Message)
	}

	s := secret(t, ns, "backend-redis")
	s.Data["REDIS_QUEUES_URL"] = []byte("redis://backend-redis.example:6379/1")
	if err := k8s.Update(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	waitCondition(t, ns, "SecretsAvailable", metav1.ConditionTrue)
	settle(t)

	// The operator never writes the user's Secrets, and no internal database is deployed.
	for _, name := range []string{"backend-redis", "system-redis", "system-database"} {
		s := secret(t, ns, name)
		for _, mf := range s.ManagedFields {
			if mf.Manager == apply.FieldOwner {
				t.Errorf("Secret %s was written by the operator", name)
			}
		}
		if len(s.OwnerReferences) > 0 {
			t.Errorf("Secret %s got owner references %v", name, s.OwnerReferences)
		}
	}
	live := liveObjects(t, ns)
	for _, name := range []string{"Deployment/system-mysql", "Deployment/system-redis", "Deployment/backend-redis"} {
		if _, ok := live[name]; ok {
			t.Errorf("%s deployed although the database is external", name)
		}
	}
}

func TestTheOperatorDoesNotFightTheHPA(t *testing.T) {
	ns := namespace(t)
	install(t, newAPIManager(ns, func(a *appsv1alpha1.APIManager) {
		a.Spec.Apicast = &appsv1alpha1.ApicastSpec{ProductionSpec: &appsv1alpha1.ApicastProductionSpec{Hpa: true}}
	}))
	if _, ok := liveObjects(t, ns)["HorizontalPodAutoscaler/apicast-production"]; !ok {
		t.Fatal("no HPA for apicast-production")
	}
	// The HPA scales through the scale subresource.
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "apicast-production", Namespace: ns}}
	scale := &autoscalingv1.Scale{Spec: autoscalingv1.ScaleSpec{Replicas: 4}}
	if err := k8s.SubResource("scale").Update(context.Background(), d, client.WithSubResourceBody(scale)); err != nil {
		t.Fatal(err)
	}
	settle(t)
	mark := kubeWrites.mark()
	touch(t, ns)
	if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(d), d); err != nil {
		t.Fatal(err)
	}
	if d.Spec.Replicas == nil || *d.Spec.Replicas != 4 {
		t.Errorf("replicas = %v, want the HPA's 4", d.Spec.Replicas)
	}
	for _, w := range kubeWrites.since(mark, ns) {
		if strings.Contains(w, "/deployments/") {
			t.Errorf("the operator wrote a Deployment: %s", w)
		}
	}
}

func TestRetentionPolicyDecidesWhoOwnsTheData(t *testing.T) {
	ns := namespace(t)
	install(t, newAPIManager(ns, func(a *appsv1alpha1.APIManager) {
		a.Spec.PersistentVolumeClaimRetentionPolicy = appsv1alpha1.PVCRetentionPolicyDelete
	}))
	apim := getAPIManager(t, ns)
	data := func() map[string]*unstructured.Unstructured {
		out := map[string]*unstructured.Unstructured{}
		for name, obj := range liveObjects(t, ns) {
			if strings.HasPrefix(name, "PersistentVolumeClaim/") || strings.HasPrefix(name, "Secret/") {
				out[name] = obj
			}
		}
		return out
	}
	if len(data()) < 5 {
		t.Fatalf("too few data objects: %v", keys(data()))
	}
	for name, obj := range data() {
		if !controlledByAPIManager(obj, apim) {
			t.Errorf("with Delete, %s must be owned so that it goes with the APIManager", name)
		}
	}

	updateAPIManager(t, ns, func(a *appsv1alpha1.APIManager) {
		a.Spec.PersistentVolumeClaimRetentionPolicy = appsv1alpha1.PVCRetentionPolicyRetain
	})
	eventually(t, 30*time.Second, func() error {
		for name, obj := range data() {
			if len(obj.GetOwnerReferences()) > 0 {
				return fmt.Errorf("with Retain, %s still has owners %v", name, obj.GetOwnerReferences())
			}
		}
		return nil
	})
}

func TestOpenShiftRoutesAndMissingMonitoringAPI(t *testing.T) {
	ns := namespace(t)
	apim := newAPIManager(ns, func(a *appsv1alpha1.APIManager) {
		a.Labels = map[string]string{openshiftLabel: "true"}
		a.Spec.Monitoring = &appsv1alpha1.MonitoringSpec{Enabled: true}
	})
	create(t, apim)
	// The "openshift" manager sees Routes but no GrafanaDashboard API, neither v5 nor v4.
	waitCondition(t, ns, "Warning", metav1.ConditionTrue, "GrafanaDashboard (grafana.integreatly.org/v1beta1 or integreatly.org/v1alpha1)")
	eventually(t, 30*time.Second, func() error {
		live := liveObjects(t, ns)
		if _, ok := live["Route/backend"]; !ok {
			return fmt.Errorf("no backend Route: %v", keys(live))
		}
		if _, ok := live["PodMonitor/apicast-production"]; !ok {
			return fmt.Errorf("no PodMonitor")
		}
		for name := range live {
			if strings.HasPrefix(name, "Ingress/") || strings.HasPrefix(name, "GrafanaDashboard/") {
				return fmt.Errorf("%s created on OpenShift without its API", name)
			}
		}
		return nil
	})
	var events corev1.EventList
	eventually(t, 30*time.Second, func() error {
		if err := k8s.List(context.Background(), &events, client.InNamespace(ns)); err != nil {
			return err
		}
		for _, e := range events.Items {
			if e.Type == corev1.EventTypeWarning && strings.Contains(e.Message, "GrafanaDashboard") {
				return nil
			}
		}
		return fmt.Errorf("no Warning event about GrafanaDashboard among %d events", len(events.Items))
	})

	// zync-que creates the other Routes; the routers admit them.
	a := getAPIManager(t, ns)
	hosts := []string{a.MasterHost(), a.AdminPortalHost(), a.DeveloperPortalHost(), a.BackendHost(),
		a.ApicastStagingHost(), a.ApicastProductionHost()}
	waitCondition(t, ns, "RoutesReady", metav1.ConditionFalse, hosts...)
	for i, host := range hosts {
		r := &unstructured.Unstructured{}
		r.SetGroupVersionKind(inputs.RouteGVK)
		r.SetNamespace(ns)
		r.SetName(fmt.Sprintf("zync-route-%d", i))
		_ = unstructured.SetNestedField(r.Object, host, "spec", "host")
		create(t, r)
		_ = unstructured.SetNestedSlice(r.Object, []any{map[string]any{"host": host,
			"conditions": []any{map[string]any{"type": "Admitted", "status": "True"}}}}, "status", "ingress")
		if err := k8s.Status().Update(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	waitCondition(t, ns, "RoutesReady", metav1.ConditionTrue)

	// A resync of the OpenShift platform writes nothing either.
	completeJob(t, hookJob(t, ns, render.SystemAppPreHook))
	eventually(t, 30*time.Second, func() error {
		return k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: render.SystemAppName}, &appsv1.Deployment{})
	})
	settle(t)
	mark := openshiftWrites.mark()
	touch(t, ns)
	if w := openshiftWrites.since(mark, ns); len(w) > 0 {
		t.Errorf("a resync wrote:\n%s", strings.Join(w, "\n"))
	}
}

func TestDeletedObjectsAreRecreatedAndDriftReverted(t *testing.T) {
	ns := namespace(t)
	install(t, newAPIManager(ns))
	ctx := context.Background()

	svc := &corev1.Service{}
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "backend-listener"}, svc); err != nil {
		t.Fatal(err)
	}
	if err := k8s.Delete(ctx, svc); err != nil {
		t.Fatal(err)
	}
	var d appsv1.Deployment
	eventually(t, 10*time.Second, func() error {
		if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "apicast-staging"}, &d); err != nil {
			return err
		}
		d.Spec.Template.Spec.Containers[0].Image = "someone/else:1"
		return k8s.Update(ctx, &d)
	})
	eventually(t, 30*time.Second, func() error {
		if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "backend-listener"}, &corev1.Service{}); err != nil {
			return err
		}
		if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "apicast-staging"}, &d); err != nil {
			return err
		}
		if img := d.Spec.Template.Spec.Containers[0].Image; img != testApicastImage {
			return fmt.Errorf("image = %q", img)
		}
		return nil
	})
}

func TestAnUnknownAPIManagerIsIgnored(t *testing.T) {
	ns := namespace(t)
	// A Secret event in a namespace without an APIManager reconciles nothing and writes nothing.
	mark := kubeWrites.mark()
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "system-seed", Namespace: ns}})
	settle(t)
	if w := kubeWrites.since(mark, ns); len(w) > 0 {
		t.Errorf("writes without an APIManager: %v", w)
	}
	if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "amp"}, &corev1.ServiceAccount{}); !apierrors.IsNotFound(err) {
		t.Errorf("ServiceAccount amp: %v, want NotFound", err)
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func TestSecondAPIManagerInANamespaceWaitsForTheFirstToBeDeleted(t *testing.T) {
	ctx := context.Background()
	ns := namespace(t)
	// Both without openshiftLabel, so that the "kube" manager sees both. The second is created
	// later, and its name sorts after the first's should both have the same creation second.
	first := newAPIManager(ns)
	create(t, first)
	hookJob(t, ns, render.SystemAppPreHook) // the first is being installed
	second := newAPIManager(ns, func(a *appsv1alpha1.APIManager) { a.Name = apimName + "-second" })
	create(t, second)
	t.Cleanup(func() { _ = k8s.Delete(context.Background(), second) })
	secondKey := client.ObjectKeyFromObject(second)
	secondCondition := func(typ string) *metav1.Condition {
		var a appsv1alpha1.APIManager
		if err := k8s.Get(ctx, secondKey, &a); err != nil {
			t.Fatal(err)
		}
		return meta.FindStatusCondition(a.Status.Conditions, typ)
	}

	eventually(t, 60*time.Second, func() error {
		for _, typ := range []string{appsv1alpha1.APIManagerAvailableConditionType, appsv1alpha1.APIManagerReadyConditionType} {
			c := secondCondition(typ)
			if c == nil || c.Status != metav1.ConditionFalse || c.Reason != "DuplicateAPIManager" {
				return fmt.Errorf("%s = %+v, want False DuplicateAPIManager", typ, c)
			}
			for _, part := range []string{"APIManager " + apimName + " ", "delete one of them"} {
				if !strings.Contains(c.Message, part) {
					return fmt.Errorf("%s message %q lacks %q", typ, c.Message, part)
				}
			}
		}
		return nil
	})
	eventually(t, 30*time.Second, func() error {
		var events eventsv1.EventList
		if err := k8s.List(ctx, &events, client.InNamespace(ns)); err != nil {
			return err
		}
		for _, e := range events.Items {
			if e.Regarding.Name == second.Name && e.Type == corev1.EventTypeWarning && e.Reason == "DuplicateAPIManager" {
				return nil
			}
		}
		return fmt.Errorf("no DuplicateAPIManager Warning event on %s among %d events", second.Name, len(events.Items))
	})
	settle(t)
	// The first is reconciled; nothing is written for the second but its status.
	if c := condition(t, ns, appsv1alpha1.APIManagerAvailableConditionType); c == nil || c.Reason == "DuplicateAPIManager" {
		t.Errorf("the first APIManager's Available condition = %+v", c)
	}
	if err := k8s.Get(ctx, secondKey, second); err != nil {
		t.Fatal(err)
	}
	if owned := controlledBy(t, ns, second.UID); len(owned) > 0 {
		t.Errorf("objects created for the duplicate APIManager: %v", owned)
	}
	// No hot loop: reconciling the first again (a touch) writes nothing for the second.
	statusVersion := second.ResourceVersion
	mark := kubeWrites.mark()
	touch(t, ns)
	for _, w := range kubeWrites.since(mark, ns) {
		if strings.Contains(w, "/"+second.Name) {
			t.Errorf("write for the duplicate APIManager: %s", w)
		}
	}
	if err := k8s.Get(ctx, secondKey, second); err != nil {
		t.Fatal(err)
	}
	if second.ResourceVersion != statusVersion {
		t.Errorf("the duplicate APIManager was written again: resourceVersion %s, then %s", statusVersion, second.ResourceVersion)
	}

	// Once the first is deleted, the second is installed: it takes over the platform's objects
	// (envtest runs no garbage collector, so the first's are still there).
	if err := k8s.Delete(ctx, first); err != nil {
		t.Fatal(err)
	}
	eventually(t, 60*time.Second, func() error {
		if c := secondCondition(appsv1alpha1.APIManagerAvailableConditionType); c == nil || c.Reason == "DuplicateAPIManager" {
			return fmt.Errorf("the second APIManager's Available condition = %+v", c)
		}
		var app appsv1.Deployment
		if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: render.ApicastStagingName}, &app); err != nil {
			return err
		}
		if !controlledByAPIManager(&app, second) {
			return fmt.Errorf("%s is controlled by %+v", app.Name, metav1.GetControllerOf(&app))
		}
		return nil
	})
}

// controlledBy returns the "Kind/name" of the objects of ns whose controller has the UID.
func controlledBy(t *testing.T, ns string, uid types.UID) []string {
	t.Helper()
	var out []string
	for _, gvk := range managedKinds {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		if err := k8s.List(context.Background(), list, client.InNamespace(ns)); err != nil {
			t.Fatalf("list %s: %v", gvk.Kind, err)
		}
		for i := range list.Items {
			if ref := metav1.GetControllerOf(&list.Items[i]); ref != nil && ref.UID == uid {
				out = append(out, gvk.Kind+"/"+list.Items[i].GetName())
			}
		}
	}
	return out
}
