package dashboards

// Backend is the dashboard of the 3scale backend (Apisonator): the listener that authorizes and
// reports API calls for the gateways, and the worker that processes reports.
func Backend() Dashboard {
	listener, worker := podsOf("backend-listener"), podsOf("backend-worker")
	return Dashboard{
		Name:        BackendName,
		Title:       "3scale / Backend",
		Description: "Requests, errors and latency of backend-listener; jobs of backend-worker.",
		Rows: []Row{
			{Title: "Overview", Panels: []Panel{
				upStat("Listener pods up", listener),
				upStat("Worker pods up", worker),
				{
					Title: "Listener requests per second", Kind: Stat, Unit: "reqps",
					Targets: []Target{{Expr: sumRate("", "apisonator_listener_response_codes", listener)}},
				},
				{
					Title: "Listener 5xx responses", Kind: Stat, Unit: "percentunit",
					Targets: []Target{{Expr: ratio(`resp_code="5xx"`, "apisonator_listener_response_codes", listener)}},
				},
			}},
			{Title: "Listener", Panels: []Panel{
				{
					Title: "Requests per second by type and status", Unit: "reqps", Stack: true,
					Description: "Authorize, authrep and report calls from the gateways.",
					Targets: []Target{{
						Expr:   sumRate("request_type, resp_code", "apisonator_listener_response_codes", listener),
						Legend: "{{request_type}} {{resp_code}}",
					}},
				},
				{
					Title: "p99 response time by type", Unit: "s",
					Targets: []Target{{
						Expr:   quantile("0.99", "request_type", "apisonator_listener_response_times", listener),
						Legend: "{{request_type}}",
					}},
				},
				{
					Title: "Internal API requests per second", Unit: "reqps", Stack: true,
					Description: "Calls from system that keep the backend's copy of products, applications and limits.",
					Targets: []Target{{
						Expr:   sumRate("request_type, resp_code", "apisonator_listener_internal_api_response_codes", listener),
						Legend: "{{request_type}} {{resp_code}}",
					}},
				},
				{
					Title: "Internal API p99 response time", Unit: "s",
					Targets: []Target{{
						Expr:   quantile("0.99", "request_type", "apisonator_listener_internal_api_response_times", listener),
						Legend: "{{request_type}}",
					}},
				},
			}},
			{Title: "Worker", Panels: []Panel{
				{
					Title: "Jobs per second by type", Unit: "ops", Stack: true,
					Targets: []Target{{Expr: sumRate("type", "apisonator_worker_job_count", worker), Legend: "{{type}}"}},
				},
				{
					Title: "p99 job runtime by type", Unit: "s",
					Targets: []Target{{
						Expr:   quantile("0.99", "type", "apisonator_worker_job_runtime_seconds", worker),
						Legend: "{{type}}",
					}},
				},
			}},
		},
	}
}
