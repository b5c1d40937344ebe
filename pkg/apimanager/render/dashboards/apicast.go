package dashboards

// Names of the GrafanaDashboard objects, as the 3scale operator Red Hat ships names them, so that
// upgrading from it adopts the existing objects instead of leaving duplicates behind.
const (
	ApicastName                        = "apicast-mainapp"
	ApicastServicesName                = "apicast-services"
	BackendName                        = "backend"
	SystemName                         = "system"
	ZyncName                           = "zync"
	KubernetesResourcesByNamespaceName = "kubernetes-resources-by-namespace"
	KubernetesResourcesByPodName       = "kubernetes-resources-by-pod"
)

// gatewayVariable picks the APIcast Deployment: apicast-production or apicast-staging.
var gatewayVariable = Variable{Name: "env", Label: "Gateway", Kind: Custom, Values: []string{"production", "staging"}}

// gatewayPods selects the pods of the gateway picked in the dashboard.
var gatewayPods = podsOf("apicast-$env")

// Apicast is the dashboard of one APIcast gateway: traffic, latency, upstream answers, calls to
// the 3scale backend and NGINX internals. Its metrics come from APIcast's Prometheus endpoint
// (port 9421), with the extended metrics the platform turns on.
func Apicast() Dashboard {
	return Dashboard{
		Name:        ApicastName,
		Title:       "3scale / APIcast",
		Description: "Traffic, latency and health of an APIcast gateway of the 3scale platform.",
		Variables:   []Variable{gatewayVariable},
		Rows: []Row{
			{Title: "Overview", Panels: []Panel{
				upStat("Pods up", gatewayPods),
				{
					Title: "Requests per second", Kind: Stat, Unit: "reqps",
					Targets: []Target{{Expr: sumRate("", "apicast_status", gatewayPods)}},
				},
				{
					Title: "5xx responses", Kind: Stat, Unit: "percentunit",
					Description: "Share of the responses APIcast sent with a 5xx status.",
					Targets:     []Target{{Expr: ratio(`status=~"5.."`, "apicast_status", gatewayPods)}},
				},
				{
					Title: "p99 response time", Kind: Stat, Unit: "s",
					Targets: []Target{{Expr: quantile("0.99", "", "total_response_time_seconds", gatewayPods)}},
				},
			}},
			{Title: "Traffic", Panels: []Panel{
				{
					Title: "Responses per second by status", Unit: "reqps", Stack: true,
					Targets: []Target{{Expr: sumRate("status", "apicast_status", gatewayPods), Legend: "{{status}}"}},
				},
				{
					Title: "Error responses", Unit: "percentunit",
					Description: "Share of the responses APIcast sent with a 4xx or 5xx status. " +
						"4xx include requests 3scale denied (authentication, limits, no mapping rule).",
					Targets: []Target{
						{Expr: ratio(`status=~"4.."`, "apicast_status", gatewayPods), Legend: "4xx"},
						{Expr: ratio(`status=~"5.."`, "apicast_status", gatewayPods), Legend: "5xx"},
					},
				},
				latencyPanel("Response time", "Time to send the whole response to the client, upstream included.",
					"total_response_time_seconds", gatewayPods),
				{
					Title: "Mean time spent in APIcast and upstream", Unit: "s", Stack: true,
					Description: "Mean response time split between the upstream API and APIcast itself " +
						"(policies, calls to the 3scale backend).",
					Targets: []Target{
						{Expr: mean("", "total_response_time_seconds", gatewayPods) + " - (" +
							mean("", "upstream_response_time_seconds", gatewayPods) + ")", Legend: "APIcast"},
						{Expr: mean("", "upstream_response_time_seconds", gatewayPods), Legend: "upstream"},
					},
				},
			}},
			{Title: "Upstream APIs", Panels: []Panel{
				{
					Title: "Upstream responses per second by status", Unit: "reqps", Stack: true,
					Targets: []Target{{Expr: sumRate("status", "upstream_status", gatewayPods), Legend: "{{status}}"}},
				},
				latencyPanel("Upstream response time", "Time the upstream APIs took to answer APIcast.",
					"upstream_response_time_seconds", gatewayPods),
			}},
			{Title: "3scale backend", Panels: []Panel{
				{
					Title: "Calls to the 3scale backend per second", Unit: "reqps", Stack: true,
					Description: "Authorize and report calls APIcast made to backend-listener, by endpoint and status.",
					// APIcast's `endpoint` label clashes with the target label PodMonitors add (the
					// scraped port), so Prometheus keeps APIcast's as `exported_endpoint`.
					Targets: []Target{{
						Expr:   sumRate("exported_endpoint, status", "threescale_backend_calls", gatewayPods),
						Legend: "{{exported_endpoint}} {{status}}",
					}},
				},
				{
					Title: "3scale batcher policy: authorization cache", Unit: "ops",
					Description: "Hits and misses of the authorization cache of the 3scale Batcher policy, when a product uses it.",
					Targets: []Target{
						{Expr: sumRate("", "batching_policy_auths_cache_hits", gatewayPods), Legend: "hits"},
						{Expr: sumRate("", "batching_policy_auths_cache_misses", gatewayPods), Legend: "misses"},
					},
				},
			}},
			{Title: "NGINX", Panels: []Panel{
				{
					Title: "Connections",
					Targets: []Target{{
						Expr:   sum("state", selector("nginx_http_connections", gatewayPods, `state=~"active|reading|writing|waiting"`)),
						Legend: "{{state}}",
					}},
				},
				{
					Title: "Dropped connections per second", Unit: "cps",
					Description: "Connections NGINX accepted but did not handle, usually for lack of worker connections.",
					Targets: []Target{{
						Expr: sumRate("", "nginx_http_connections", gatewayPods, `state="accepted"`) + " - " +
							sumRate("", "nginx_http_connections", gatewayPods, `state="handled"`),
						Legend: "dropped",
					}},
				},
				{
					Title: "Error log lines per second by level", Unit: "short", Stack: true,
					Targets: []Target{{Expr: sumRate("level", "nginx_error_log", gatewayPods), Legend: "{{level}}"}},
				},
				{
					Title:       "Worker process restarts",
					Description: "A new NGINX worker usually means the previous one died, often for lack of memory.",
					Targets: []Target{{
						Expr:   sum("pod", "changes("+selector("worker_process", gatewayPods)+rateInterval+")"),
						Legend: "{{pod}}",
					}},
				},
				{
					Title: "Shared dictionaries used", Unit: "percentunit",
					Description: "Share of each NGINX shared dictionary in use; a full dictionary evicts entries.",
					Targets: []Target{{
						Expr: "1 - " + sum("dict", selector("openresty_shdict_free_space", gatewayPods)) + " / " +
							sum("dict", selector("openresty_shdict_capacity", gatewayPods)),
						Legend: "{{dict}}",
					}},
				},
			}},
		},
	}
}

// ApicastServices is the dashboard of one APIcast gateway per 3scale product (service): traffic,
// upstream answers and latency. APIcast labels its metrics with the product when its extended
// metrics are on, as the platform configures it.
func ApicastServices() Dashboard {
	products := gatewayPods + `, service_system_name=~"$service"`
	return Dashboard{
		Name:        ApicastServicesName,
		Title:       "3scale / APIcast products",
		Description: "Traffic and latency of each 3scale product (service) through an APIcast gateway.",
		Variables: []Variable{
			gatewayVariable,
			{
				Name: "service", Label: "Product", Kind: Query, Multi: true,
				Query: `label_values(total_response_time_seconds_count{` + inNamespace + `}, service_system_name)`,
			},
		},
		Rows: []Row{
			{Title: "Traffic", Panels: []Panel{
				{
					Title: "Requests per second by product", Unit: "reqps", Stack: true,
					Targets: []Target{{
						Expr:   sumRate("service_system_name", "total_response_time_seconds_count", products),
						Legend: "{{service_system_name}}",
					}},
				},
				{
					Title: "Upstream 5xx responses per second by product", Unit: "reqps",
					Targets: []Target{{
						Expr:   sumRate("service_system_name", "upstream_status", products, `status=~"5.."`),
						Legend: "{{service_system_name}}",
					}},
				},
				{
					Title: "Upstream responses per second by product and status", Unit: "reqps", Width: 24,
					Targets: []Target{{
						Expr:   sumRate("service_system_name, status", "upstream_status", products),
						Legend: "{{service_system_name}} {{status}}",
					}},
				},
			}},
			{Title: "Latency", Panels: []Panel{
				{
					Title: "p99 response time by product", Unit: "s",
					Targets: []Target{{
						Expr:   quantile("0.99", "service_system_name", "total_response_time_seconds", products),
						Legend: "{{service_system_name}}",
					}},
				},
				{
					Title: "p99 upstream response time by product", Unit: "s",
					Targets: []Target{{
						Expr:   quantile("0.99", "service_system_name", "upstream_response_time_seconds", products),
						Legend: "{{service_system_name}}",
					}},
				},
				{
					Title: "Mean time spent in APIcast by product", Unit: "s", Width: 24,
					Description: "Mean response time minus mean upstream time: policies and calls to the 3scale backend.",
					Targets: []Target{{
						Expr: "(" + mean("service_system_name", "total_response_time_seconds", products) + ") - (" +
							mean("service_system_name", "upstream_response_time_seconds", products) + ")",
						Legend: "{{service_system_name}}",
					}},
				},
			}},
		},
	}
}

// All returns the dashboards of a platform, in a fixed order; zync's only when zync is deployed.
func All(zyncEnabled bool) []Dashboard {
	ds := []Dashboard{Apicast(), ApicastServices(), Backend(), System()}
	if zyncEnabled {
		ds = append(ds, Zync())
	}
	return append(ds, KubernetesResourcesByNamespace(), KubernetesResourcesByPod())
}
