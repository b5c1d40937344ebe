package dashboards

import (
	"fmt"
	"strings"
)

// Small PromQL builders shared by the dashboards, so that every rate uses Grafana's
// $__rate_interval (at least four scrape intervals, whatever the zoom) and every quantile is taken
// over summed buckets.

// rateInterval is Grafana's range for rate(): see the package comment.
const rateInterval = "[$__rate_interval]"

// inNamespace is the matcher of the platform's namespace.
const inNamespace = `namespace="$namespace"`

// podsOf returns the matchers of the pods of one Deployment in the platform's namespace. A
// Deployment's pods are named <deployment>-<replicaset hash>-<pod suffix>, so the pattern does not
// also match a Deployment whose name merely starts with the same words (zync and zync-que).
func podsOf(deployment string) string {
	return fmt.Sprintf(`%s, pod=~"%s-[a-z0-9]+-[a-z0-9]+"`, inNamespace, deployment)
}

// selector returns metric{matchers...}.
func selector(metric string, matchers ...string) string {
	return metric + "{" + strings.Join(matchers, ", ") + "}"
}

// rate returns rate(metric{matchers}[$__rate_interval]).
func rate(metric string, matchers ...string) string {
	return "rate(" + selector(metric, matchers...) + rateInterval + ")"
}

// sumRate returns sum by (by) (rate(...)), or sum(rate(...)) when by is empty.
func sumRate(by, metric string, matchers ...string) string {
	return sum(by, rate(metric, matchers...))
}

// sum returns sum by (by) (expr), or sum(expr) when by is empty.
func sum(by, expr string) string {
	if by == "" {
		return "sum(" + expr + ")"
	}
	return "sum by (" + by + ") (" + expr + ")"
}

// quantile returns the q-quantile of the histogram metric (without its _bucket suffix), per the
// labels in by (may be empty).
func quantile(q, by, histogram string, matchers ...string) string {
	labels := "le"
	if by != "" {
		labels = "le, " + by
	}
	return fmt.Sprintf("histogram_quantile(%s, %s)", q, sum(labels, rate(histogram+"_bucket", matchers...)))
}

// mean returns the mean of a histogram or summary over the rate interval, per the labels in by.
func mean(by, histogram string, matchers ...string) string {
	return sumRate(by, histogram+"_sum", matchers...) + " / " + sumRate(by, histogram+"_count", matchers...)
}

// ratio returns the share of the rate of metric{matchers, filter} in the rate of metric{matchers}.
func ratio(filter, metric string, matchers ...string) string {
	return sumRate("", metric, append(append([]string(nil), matchers...), filter)...) + " / " + sumRate("", metric, matchers...)
}

// latencyPanel returns a time series of the 50th, 90th and 99th percentiles of a histogram.
func latencyPanel(title, description, histogram string, matchers ...string) Panel {
	p := Panel{Title: title, Description: description, Unit: "s"}
	for _, q := range []struct{ quantile, legend string }{{"0.5", "p50"}, {"0.9", "p90"}, {"0.99", "p99"}} {
		p.Targets = append(p.Targets, Target{Expr: quantile(q.quantile, "", histogram, matchers...), Legend: q.legend})
	}
	return p
}

// upStat returns a stat of the number of scrape targets up among the given pods.
func upStat(title, pods string) Panel {
	return Panel{
		Title:       title,
		Description: "Scrape targets answering Prometheus. A pod with several metrics ports counts once per port.",
		Kind:        Stat,
		Targets:     []Target{{Expr: sum("", selector("up", pods))}},
	}
}
