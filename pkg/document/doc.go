// Package document loads the API description documents that capability objects reference
// (OpenAPI's openapiRef, ActiveDoc's activeDocOpenAPIRef): the one value of a Secret, or the body
// at an http(s) URL.
//
// A Loader reads Secrets through tenant.SecretReader, so that the rules on Secrets of other
// namespaces are the same as everywhere else, and fetches URLs through a Fetcher: TLS verified
// (with an extra CA bundle, OPENAPI_CA_BUNDLE_FILE), a size limit, a timeout, and a conditional
// request (If-None-Match / If-Modified-Since) per URL, so that re-reading an unchanged document at
// every poll costs the server a 304 and the caller nothing: every Document carries a Hash of its
// content, for the caller to skip work when it is the one it last used. Link-local addresses (a
// cloud provider's metadata service) are never fetched: what is fetched ends up in 3scale.
//
// Errors are those the capability loop classifies (pkg/external): a Secret that does not exist
// yet is a *external.WaitingError, a Secret with no value or several and an unusable URL are an
// *external.InvalidError; a URL that answers 4xx is one too, rechecked at the poll interval since
// the server may be fixed without the spec changing; a URL that answers 5xx or 429, or not at
// all, is a plain (transient) error.
package document
