package dashboards

// Zync is the dashboard of zync, which synchronizes 3scale with OpenShift Routes and OpenID
// providers: its API (zync) and its job queue (zync-que).
func Zync() Dashboard {
	api, que := podsOf("zync"), podsOf("zync-que")
	return Dashboard{
		Name:        ZyncName,
		Title:       "3scale / Zync",
		Description: "Requests to zync and the jobs of zync-que.",
		Rows: []Row{
			{Title: "Overview", Panels: []Panel{
				upStat("zync pods up", api),
				upStat("zync-que pods up", que),
				{
					Title: "Requests per second", Kind: Stat, Unit: "reqps",
					Targets: []Target{{Expr: sumRate("", "rails_requests_total", api)}},
				},
				{
					Title: "Failed jobs", Kind: Stat,
					Targets: []Target{{Expr: "max(" + selector("que_jobs_scheduled_total", que, `type="failed"`) + ")"}},
				},
			}},
			{Title: "Zync API", Panels: []Panel{
				{
					Title: "Requests per second by status", Unit: "reqps", Stack: true,
					Targets: []Target{{Expr: sumRate("status", "rails_requests_total", api), Legend: "{{status}}"}},
				},
				latencyPanel("Response time", "", "rails_request_duration_seconds", api),
				{
					Title:       "Puma threads",
					Description: "Threads running, free capacity and requests waiting for a thread.",
					Targets: []Target{
						{Expr: sum("", selector("puma_running", api)), Legend: "running"},
						{Expr: sum("", selector("puma_pool_capacity", api)), Legend: "capacity"},
						{Expr: sum("", selector("puma_backlog", api)), Legend: "backlog"},
					},
				},
				{
					Title: "Database connections",
					Targets: []Target{
						{Expr: sum("", selector("rails_connection_pool_connections", api)), Legend: "open"},
						{Expr: sum("", selector("rails_connection_pool_waiting", api)), Legend: "waiting"},
					},
				},
			}},
			{Title: "Jobs (zync-que)", Panels: []Panel{
				{
					Title:       "Jobs by state",
					Description: "Jobs in the queue: ready to run, scheduled for later, or failed and waiting for a retry.",
					Targets:     []Target{{Expr: "max by (type) (" + selector("que_jobs_scheduled_total", que) + ")", Legend: "{{type}}"}},
				},
				{
					Title: "Jobs per second", Unit: "ops",
					Targets: []Target{
						{Expr: sumRate("", "que_job_enqueued_total", que), Legend: "enqueued"},
						{Expr: sumRate("", "que_job_performed_total", que), Legend: "performed"},
						{Expr: sumRate("", "que_job_failures_total", que), Legend: "failed"},
						{Expr: sumRate("", "que_job_retries_total", que), Legend: "retried"},
					},
				},
				{
					Title: "Mean job runtime", Unit: "s",
					Targets: []Target{{Expr: mean("", "que_job_runtime_seconds", que), Legend: "runtime"}},
				},
				{
					Title:   "Workers",
					Targets: []Target{{Expr: sum("", selector("que_workers_total", que)), Legend: "workers"}},
				},
			}},
		},
	}
}
