// Package openapi turns an OpenAPI document into the specs of a 3scale Backend and Product: the
// import rules of the OpenAPI kind, as pure functions. Parse reads a document (OpenAPI 3.0 or
// 3.1, JSON or YAML; Swagger 2.0 converted to 3.0) and Import maps it, with the settings of an
// OpenAPI object, to a BackendSpec and a ProductSpec. Neither reads the network, the file system
// or the clock, and the same input always gives byte-identical specs, so re-reading an unchanged
// document changes nothing downstream.
//
// What the document says that 3scale cannot hold (operation-level security, several security
// requirements, cookies as credentials, ...) is not dropped silently: Import lists it in
// Result.Unmapped, for the controller to report.
package openapi
