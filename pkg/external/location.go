package external

import "strings"

// SyncedTo tells whether host, the admin URL a status records in ProviderAccountHost, is the
// tenant whose admin URL is adminURL (a client's AdminURL). A trailing slash in host does not
// count: the 3scale operator that Red Hat ships may have recorded it with one.
func SyncedTo(host, adminURL string) bool {
	return strings.TrimSuffix(host, "/") == strings.TrimSuffix(adminURL, "/")
}

// KnownID returns the 3scale ID a status records, id (nil when none), if it was recorded for the
// tenant at adminURL, else 0: after a tenant change that ID means nothing, and the loop looks the
// entity up by its natural key instead. A status that records no host is trusted.
func KnownID(id *int64, host, adminURL string) int64 {
	if id == nil || (host != "" && !SyncedTo(host, adminURL)) {
		return 0
	}
	return *id
}
