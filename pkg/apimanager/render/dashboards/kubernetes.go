package dashboards

// The Kubernetes dashboards read the metrics every Kubernetes monitoring stack collects: the
// kubelet's cAdvisor (container_*) and kube-state-metrics v2 (kube_*). They use raw metrics rather
// than the recording rules of kube-prometheus, whose names change between versions (the existing
// operator picks sum_irate or sum_rate by OpenShift version for that reason).

// containers excludes cAdvisor's pod-level series, which have an empty container label.
const containers = `container!=""`

// KubernetesResourcesByNamespace is the dashboard of the compute resources of the platform's
// namespace, pod by pod.
func KubernetesResourcesByNamespace() Dashboard {
	cpuUsage := func(by string) string {
		return sumRate(by, "container_cpu_usage_seconds_total", inNamespace, containers)
	}
	memory := func(by string) string {
		return sum(by, selector("container_memory_working_set_bytes", inNamespace, containers))
	}
	resource := func(by, metric, resource string) string {
		return sum(by, selector(metric, inNamespace, `resource="`+resource+`"`))
	}
	return Dashboard{
		Name:        KubernetesResourcesByNamespaceName,
		Title:       "3scale / Kubernetes resources by namespace",
		Description: "CPU, memory, network and restarts of the pods of the 3scale platform's namespace.",
		Rows: []Row{
			{Title: "Overview", Panels: []Panel{
				{Title: "CPU used", Kind: Stat, Width: 4, Targets: []Target{{Expr: cpuUsage("")}}},
				{Title: "CPU requested", Kind: Stat, Width: 4,
					Targets: []Target{{Expr: resource("", "kube_pod_container_resource_requests", "cpu")}}},
				{Title: "CPU limits", Kind: Stat, Width: 4,
					Targets: []Target{{Expr: resource("", "kube_pod_container_resource_limits", "cpu")}}},
				{Title: "Memory used", Kind: Stat, Width: 4, Unit: "bytes", Targets: []Target{{Expr: memory("")}}},
				{Title: "Memory requested", Kind: Stat, Width: 4, Unit: "bytes",
					Targets: []Target{{Expr: resource("", "kube_pod_container_resource_requests", "memory")}}},
				{Title: "Memory limits", Kind: Stat, Width: 4, Unit: "bytes",
					Targets: []Target{{Expr: resource("", "kube_pod_container_resource_limits", "memory")}}},
			}},
			{Title: "CPU", Panels: []Panel{
				{
					Title: "CPU used by pod", Stack: true,
					Description: "Cores used.",
					Targets:     []Target{{Expr: cpuUsage("pod"), Legend: "{{pod}}"}},
				},
				{
					Title: "CPU used by pod, of requests", Unit: "percentunit",
					Targets: []Target{{
						Expr:   cpuUsage("pod") + " / " + resource("pod", "kube_pod_container_resource_requests", "cpu"),
						Legend: "{{pod}}",
					}},
				},
			}},
			{Title: "Memory", Panels: []Panel{
				{
					Title: "Memory used by pod", Unit: "bytes", Stack: true,
					Description: "Working set: the memory the kubelet counts against limits and for evictions.",
					Targets:     []Target{{Expr: memory("pod"), Legend: "{{pod}}"}},
				},
				{
					Title: "Memory used by pod, of limits", Unit: "percentunit",
					Targets: []Target{{
						Expr:   memory("pod") + " / " + resource("pod", "kube_pod_container_resource_limits", "memory"),
						Legend: "{{pod}}",
					}},
				},
			}},
			{Title: "Network", Panels: []Panel{
				{
					Title: "Received by pod", Unit: "Bps",
					Targets: []Target{{Expr: sumRate("pod", "container_network_receive_bytes_total", inNamespace), Legend: "{{pod}}"}},
				},
				{
					Title: "Sent by pod", Unit: "Bps",
					Targets: []Target{{Expr: sumRate("pod", "container_network_transmit_bytes_total", inNamespace), Legend: "{{pod}}"}},
				},
			}},
			{Title: "Pods", Panels: []Panel{
				{
					Title: "Container restarts by pod, last hour",
					Targets: []Target{{
						Expr:   sum("pod", "increase("+selector("kube_pod_container_status_restarts_total", inNamespace)+"[1h])"),
						Legend: "{{pod}}",
					}},
				},
				{
					Title: "Pods by phase", Stack: true,
					Targets: []Target{{Expr: sum("phase", selector("kube_pod_status_phase", inNamespace)), Legend: "{{phase}}"}},
				},
			}},
		},
	}
}

// KubernetesResourcesByPod is the dashboard of the compute resources of one pod of the platform's
// namespace, container by container.
func KubernetesResourcesByPod() Dashboard {
	pod := inNamespace + `, pod="$pod"`
	resource := func(metric, resource string) string {
		return sum("container", selector(metric, pod, `resource="`+resource+`"`))
	}
	return Dashboard{
		Name:        KubernetesResourcesByPodName,
		Title:       "3scale / Kubernetes resources by pod",
		Description: "CPU, memory, network and restarts of one pod of the 3scale platform's namespace.",
		Variables: []Variable{{
			Name: "pod", Label: "Pod", Kind: Query,
			Query: `label_values(kube_pod_info{` + inNamespace + `}, pod)`,
		}},
		Rows: []Row{
			{Title: "CPU", Panels: []Panel{
				{
					Title: "CPU used by container", Description: "Cores used, with the container's requests and limits.",
					Targets: []Target{
						{Expr: sumRate("container", "container_cpu_usage_seconds_total", pod, containers), Legend: "{{container}}"},
						{Expr: resource("kube_pod_container_resource_requests", "cpu"), Legend: "{{container}} requests"},
						{Expr: resource("kube_pod_container_resource_limits", "cpu"), Legend: "{{container}} limits"},
					},
				},
				{
					Title: "CPU throttled by container", Unit: "percentunit",
					Description: "Share of CPU periods in which the container hit its CPU limit.",
					Targets: []Target{{
						Expr: sumRate("container", "container_cpu_cfs_throttled_periods_total", pod, containers) + " / " +
							sumRate("container", "container_cpu_cfs_periods_total", pod, containers),
						Legend: "{{container}}",
					}},
				},
			}},
			{Title: "Memory", Panels: []Panel{
				{
					Title: "Memory used by container", Unit: "bytes", Width: 24,
					Description: "Working set, with the container's requests and limits.",
					Targets: []Target{
						{Expr: sum("container", selector("container_memory_working_set_bytes", pod, containers)), Legend: "{{container}}"},
						{Expr: resource("kube_pod_container_resource_requests", "memory"), Legend: "{{container}} requests"},
						{Expr: resource("kube_pod_container_resource_limits", "memory"), Legend: "{{container}} limits"},
					},
				},
			}},
			{Title: "Network and restarts", Panels: []Panel{
				{
					Title: "Network", Unit: "Bps",
					Targets: []Target{
						{Expr: sumRate("", "container_network_receive_bytes_total", pod), Legend: "received"},
						{Expr: sumRate("", "container_network_transmit_bytes_total", pod), Legend: "sent"},
					},
				},
				{
					Title: "Restarts by container",
					Targets: []Target{{
						Expr:   sum("container", selector("kube_pod_container_status_restarts_total", pod)),
						Legend: "{{container}}",
					}},
				},
			}},
		},
	}
}
