package dashboards

// System is the dashboard of 3scale system: the Rails application behind the master, admin and
// developer portals (system-app, one container and metrics port per portal, which the `container`
// label tells apart) and its Sidekiq background jobs (system-sidekiq).
func System() Dashboard {
	app, sidekiq := podsOf("system-app"), podsOf("system-sidekiq")
	return Dashboard{
		Name:        SystemName,
		Title:       "3scale / System",
		Description: "Requests and latency of the 3scale portals (system-app) and background jobs (system-sidekiq).",
		Rows: []Row{
			{Title: "Overview", Panels: []Panel{
				upStat("system-app targets up", app),
				upStat("system-sidekiq targets up", sidekiq),
				{
					Title: "Requests per second", Kind: Stat, Unit: "reqps",
					Targets: []Target{{Expr: sumRate("", "rails_requests_total", app)}},
				},
				{
					Title: "5xx responses", Kind: Stat, Unit: "percentunit",
					Targets: []Target{{Expr: ratio(`status=~"5.."`, "rails_requests_total", app)}},
				},
			}},
			{Title: "Portals (system-app)", Panels: []Panel{
				{
					Title: "Requests per second by portal", Unit: "reqps", Stack: true,
					Description: "system-master serves the master portal, system-provider the admin portals and " +
						"APIs, system-developer the developer portals.",
					Targets: []Target{{Expr: sumRate("container", "rails_requests_total", app), Legend: "{{container}}"}},
				},
				{
					Title: "Requests per second by status", Unit: "reqps", Stack: true,
					Targets: []Target{{Expr: sumRate("status", "rails_requests_total", app), Legend: "{{status}}"}},
				},
				{
					Title: "p99 response time by portal", Unit: "s",
					Targets: []Target{{
						Expr:   quantile("0.99", "container", "rails_request_duration_seconds", app),
						Legend: "{{container}}",
					}},
				},
				{
					Title: "p99 time in the database and in views by portal", Unit: "s",
					Targets: []Target{
						{Expr: quantile("0.99", "container", "rails_db_runtime_seconds", app), Legend: "database {{container}}"},
						{Expr: quantile("0.99", "container", "rails_view_runtime_seconds", app), Legend: "views {{container}}"},
					},
				},
				{
					Title: "Busiest controller actions", Unit: "reqps", Width: 24,
					Targets: []Target{{
						Expr:   "topk(10, " + sumRate("controller, action", "rails_requests_total", app) + ")",
						Legend: "{{controller}}#{{action}}",
					}},
				},
			}},
			{Title: "Background jobs (system-sidekiq)", Panels: []Panel{
				{
					Title: "Jobs executed per second by queue", Unit: "ops", Stack: true,
					Targets: []Target{{Expr: sumRate("queue", "sidekiq_jobs_executed_total", sidekiq), Legend: "{{queue}}"}},
				},
				{
					Title: "Jobs failed per second by worker", Unit: "ops",
					Targets: []Target{{Expr: sumRate("worker", "sidekiq_jobs_failed_total", sidekiq), Legend: "{{worker}}"}},
				},
				{
					Title:       "Jobs waiting by queue",
					Description: "Sidekiq reports the queue lengths it reads from Redis; every pod reports the same value.",
					Targets:     []Target{{Expr: "max by (queue) (" + selector("sidekiq_jobs_waiting_count", sidekiq) + ")", Legend: "{{queue}}"}},
				},
				{
					Title: "Scheduled, retrying and dead jobs",
					Targets: []Target{
						{Expr: "max(" + selector("sidekiq_jobs_scheduled_count", sidekiq) + ")", Legend: "scheduled"},
						{Expr: "max(" + selector("sidekiq_jobs_retry_count", sidekiq) + ")", Legend: "retry"},
						{Expr: "max(" + selector("sidekiq_jobs_dead_count", sidekiq) + ")", Legend: "dead"},
					},
				},
				{
					Title: "p99 job runtime by queue", Unit: "s",
					Targets: []Target{{
						Expr:   quantile("0.99", "queue", "sidekiq_job_runtime_seconds", sidekiq),
						Legend: "{{queue}}",
					}},
				},
				{
					Title: "Busy workers and processes",
					Targets: []Target{
						{Expr: "max(" + selector("sidekiq_active_workers_count", sidekiq) + ")", Legend: "busy workers"},
						{Expr: "max(" + selector("sidekiq_active_processes", sidekiq) + ")", Legend: "processes"},
					},
				},
			}},
		},
	}
}
