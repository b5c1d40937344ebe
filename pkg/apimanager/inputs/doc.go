// Package inputs gathers, for one APIManager, the facts its renderers depend on: the Secrets the
// platform reads (data read once per reconcile straight from the API server, never cached; the
// platform Secrets generated with crypto/rand where keys are missing), which optional APIs the
// cluster serves (Routes, PodMonitors, PrometheusRules, GrafanaDashboards), and the images. It also
// derives, from the rendered objects themselves, which Secrets and keys the pods read, so that a
// missing one can be reported by name.
package inputs
