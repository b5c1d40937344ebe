// Package threescale is the client of the 3scale admin REST APIs (the Account Management API, the
// Master API and the Policy Registry API). It is the only code in the operator that speaks HTTP to
// 3scale.
//
// One Client talks to one tenant (one admin URL and one access token). Every method takes a
// context.Context, speaks JSON, and goes through a single table of operations (operations.go), so
// that:
//   - each call is named by its operation key, "<METHOD> <path template>" as 3scale's API
//     description spells it (with .json instead of .xml), e.g. "GET /admin/api/services.json";
//   - metrics are labelled by that key;
//   - the contract test can check every operation against the official API descriptions.
//
// Errors are typed (*APIError for HTTP errors, *TransportError when no response came back) and
// classified by IsNotFound, IsUnprocessable, IsUnauthorized (IsForbidden, IsTokenRefused),
// IsConflict and IsTransient.
// Idempotent operations are retried with exponential backoff and jitter on transient errors;
// creations (POST) are retried only when 3scale provably did not process them.
//
// The access token is sent as the password of HTTP basic auth, never in a URL, and never appears
// in errors, logs or metrics.
//
// Why not github.com/3scale/3scale-porta-go-client, which the Red Hat operator uses: it takes no
// context.Context, mixes XML and JSON endpoints, has no retries, bound or metrics, and builds
// requests without checking errors. Its types did teach us facts about 3scale's JSON (the bare
// array of backend usages, for one); no code of it is used here.
package threescale
