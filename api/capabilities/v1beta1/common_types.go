package v1beta1

import (
	corev1 "k8s.io/api/core/v1"
)

// This file holds the types that several capability kinds share: the OpenID Connect settings
// (Product and OpenAPI), the gateway security and error-response settings, the metric, method and
// mapping rule shapes (Product and Backend), and the reference to an OpenAPI document (OpenAPI and
// ActiveDoc). Their JSON shapes are those of the 3scale operator that Red Hat ships.

// OIDCIssuerEndpointSecretKey is the key that holds the issuer endpoint URL in the secret named by
// OIDCSpec.IssuerEndpointRef.
const OIDCIssuerEndpointSecretKey = "issuerEndpoint"

// OIDCSpec configures OpenID Connect authentication of a 3scale product: APIcast accepts JSON Web
// Tokens issued by the OpenID provider, and 3scale (zync) keeps the provider's clients in step with
// the 3scale applications.
// +kubebuilder:validation:XValidation:rule="(has(self.issuerEndpoint) && size(self.issuerEndpoint) > 0) || has(self.issuerEndpointRef)",message="oidc requires issuerEndpoint or issuerEndpointRef",fieldPath=".issuerEndpoint"
type OIDCSpec struct {
	// IssuerType is the kind of OpenID provider: "keycloak" (Red Hat build of Keycloak or Red Hat
	// Single Sign-On; 3scale creates and updates its clients) or "rest" (any provider reached through
	// the zync REST API).
	// +kubebuilder:validation:Enum=keycloak;rest
	// +required
	IssuerType string `json:"issuerType"`

	// IssuerEndpoint is the location of the OpenID provider, with the credentials of a client that may
	// manage other clients of the realm, for example
	// "https://<CLIENT_ID>:<CLIENT_SECRET>@<HOST>:<PORT>/auth/realms/<REALM_NAME>".
	// It contains a secret: prefer issuerEndpointRef. One of issuerEndpoint or issuerEndpointRef is
	// required; when both are set, issuerEndpointRef is used.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	IssuerEndpoint string `json:"issuerEndpoint,omitempty"`

	// IssuerEndpointRef names a Secret whose key "issuerEndpoint" holds the issuer endpoint (see
	// issuerEndpoint). The namespace defaults to the namespace of this object.
	// +optional
	IssuerEndpointRef *corev1.SecretReference `json:"issuerEndpointRef,omitempty"`

	// AuthenticationFlow selects the OAuth 2.0 grant types that the OpenID provider's clients allow.
	// +optional
	AuthenticationFlow *OIDCAuthenticationFlowSpec `json:"authenticationFlow,omitempty"`

	// JwtClaimWithClientID is the JSON Web Token claim that holds the client ID of the application.
	// 3scale defaults it to "azp".
	// +kubebuilder:validation:MaxLength=255
	// +optional
	JwtClaimWithClientID *string `json:"jwtClaimWithClientID,omitempty"`

	// JwtClaimWithClientIDType says how jwtClaimWithClientID is read: "plain" (a claim name) or
	// "liquid" (a Liquid template). 3scale defaults it to "plain".
	// +kubebuilder:validation:Enum=plain;liquid
	// +optional
	JwtClaimWithClientIDType *string `json:"jwtClaimWithClientIDType,omitempty"`

	// CredentialsLoc is where APIcast looks for the credentials: "headers" (HTTP headers), "query"
	// (query parameters for GET, body parameters for POST/PUT/DELETE) or "authorization" (HTTP Basic
	// authentication). 3scale defaults it to "headers".
	// +kubebuilder:validation:Enum=headers;query;authorization
	// +optional
	CredentialsLoc *string `json:"credentials,omitempty"`

	// Security sets the Host header and the secret token that APIcast sends to the API backend.
	// +optional
	Security *SecuritySpec `json:"security,omitempty"`

	// GatewayResponse customizes the responses APIcast returns on authentication, mapping and rate
	// limit errors.
	// +optional
	GatewayResponse *GatewayResponseSpec `json:"gatewayResponse,omitempty"`
}

// OIDCAuthenticationFlowSpec selects the OAuth 2.0 grant types (flows) enabled on the OpenID provider's
// clients. A flag that is not set is false.
type OIDCAuthenticationFlowSpec struct {
	// StandardFlowEnabled enables the Authorization Code grant.
	// +optional
	StandardFlowEnabled bool `json:"standardFlowEnabled"`

	// ImplicitFlowEnabled enables the Implicit grant.
	// +optional
	ImplicitFlowEnabled bool `json:"implicitFlowEnabled"`

	// ServiceAccountsEnabled enables the Client Credentials grant.
	// +optional
	ServiceAccountsEnabled bool `json:"serviceAccountsEnabled"`

	// DirectAccessGrantsEnabled enables the Resource Owner Password Credentials grant.
	// +optional
	DirectAccessGrantsEnabled bool `json:"directAccessGrantsEnabled"`
}

// SecuritySpec sets what APIcast sends to the API backend so that the backend can tell gateway traffic
// from direct calls.
type SecuritySpec struct {
	// HostHeader is the Host request header APIcast sends to the API backend, for backends that only
	// accept traffic for a given host. Empty means the host of the backend's private base URL.
	// +kubebuilder:validation:MaxLength=255
	// +optional
	HostHeader *string `json:"hostHeader,omitempty"`

	// SecretToken is sent by APIcast to the API backend in the X-3scale-proxy-secret-token header, so
	// that the backend can reject requests that did not come through the gateway. 3scale accepts
	// letters, digits, "_" and "-".
	// +kubebuilder:validation:Pattern=`^[a-zA-Z0-9_-]+$`
	// +kubebuilder:validation:MaxLength=255
	// +optional
	SecretToken *string `json:"secretToken,omitempty"`
}

// GatewayResponseSpec customizes the status code, Content-Type header and body that APIcast returns for
// each kind of error. A field that is not set keeps the 3scale default.
type GatewayResponseSpec struct {
	// ErrorStatusAuthFailed is the status code returned when authentication fails (3scale default 403).
	// +kubebuilder:validation:Minimum=200
	// +kubebuilder:validation:Maximum=599
	// +optional
	ErrorStatusAuthFailed *int32 `json:"errorStatusAuthFailed,omitempty"`

	// ErrorHeadersAuthFailed is the Content-Type header returned when authentication fails.
	// +optional
	ErrorHeadersAuthFailed *string `json:"errorHeadersAuthFailed,omitempty"`

	// ErrorAuthFailed is the response body returned when authentication fails.
	// +optional
	ErrorAuthFailed *string `json:"errorAuthFailed,omitempty"`

	// ErrorStatusAuthMissing is the status code returned when credentials are missing (3scale default
	// 403).
	// +kubebuilder:validation:Minimum=200
	// +kubebuilder:validation:Maximum=599
	// +optional
	ErrorStatusAuthMissing *int32 `json:"errorStatusAuthMissing,omitempty"`

	// ErrorHeadersAuthMissing is the Content-Type header returned when credentials are missing.
	// +optional
	ErrorHeadersAuthMissing *string `json:"errorHeadersAuthMissing,omitempty"`

	// ErrorAuthMissing is the response body returned when credentials are missing.
	// +optional
	ErrorAuthMissing *string `json:"errorAuthMissing,omitempty"`

	// ErrorStatusNoMatch is the status code returned when no mapping rule matches (3scale default 404).
	// +kubebuilder:validation:Minimum=200
	// +kubebuilder:validation:Maximum=599
	// +optional
	ErrorStatusNoMatch *int32 `json:"errorStatusNoMatch,omitempty"`

	// ErrorHeadersNoMatch is the Content-Type header returned when no mapping rule matches.
	// +optional
	ErrorHeadersNoMatch *string `json:"errorHeadersNoMatch,omitempty"`

	// ErrorNoMatch is the response body returned when no mapping rule matches.
	// +optional
	ErrorNoMatch *string `json:"errorNoMatch,omitempty"`

	// ErrorStatusLimitsExceeded is the status code returned when a usage limit is exceeded (3scale
	// default 429).
	// +optional
	ErrorStatusLimitsExceeded *int32 `json:"errorStatusLimitsExceeded,omitempty"`

	// ErrorHeadersLimitsExceeded is the Content-Type header returned when a usage limit is exceeded.
	// +optional
	ErrorHeadersLimitsExceeded *string `json:"errorHeadersLimitsExceeded,omitempty"`

	// ErrorLimitsExceeded is the response body returned when a usage limit is exceeded.
	// +optional
	ErrorLimitsExceeded *string `json:"errorLimitsExceeded,omitempty"`
}

// MetricSpec is a 3scale metric: a counter that mapping rules increment and that application plan
// limits and pricing rules refer to. Its system name is its key in the metrics map.
type MetricSpec struct {
	// Name is the metric's friendly name, shown in the Admin Portal.
	// +kubebuilder:validation:MinLength=1
	// +required
	Name string `json:"friendlyName"`

	// Unit is the unit of the metric, for example "hit" or "1".
	// +kubebuilder:validation:MinLength=1
	// +required
	Unit string `json:"unit"`

	// Description describes the metric.
	// +optional
	Description string `json:"description,omitempty"`
}

// MethodSpec is a 3scale method: a counter that belongs to the "hits" metric, so that every increment
// of a method also counts as hits. Its system name is its key in the methods map.
type MethodSpec struct {
	// Name is the method's friendly name, shown in the Admin Portal.
	// +kubebuilder:validation:MinLength=1
	// +required
	Name string `json:"friendlyName"`

	// Description describes the method.
	// +optional
	Description string `json:"description,omitempty"`
}

// MappingRuleSpec is a 3scale mapping rule: requests whose method and path match it increment a metric
// or method. Rules are evaluated in the order of the list.
type MappingRuleSpec struct {
	// HTTPMethod is the HTTP method the rule matches.
	// +kubebuilder:validation:Enum=GET;HEAD;POST;PUT;DELETE;OPTIONS;TRACE;PATCH;CONNECT
	// +required
	HTTPMethod string `json:"httpMethod"`

	// Pattern is the path pattern the rule matches, for example "/pets/{id}" or "/pets$" ("$" makes
	// the match exact instead of a prefix match), optionally followed by a query string, as in
	// "/pets?type={type}". It starts with "/" and has at most 255 characters.
	//
	// These are 3scale's rules (github.com/3scale/porta: app/models/proxy_rule.rb validates the pattern
	// of product and backend mapping rules with PatternParser::ABSOLUTE_PATH, which starts with "/",
	// and a maximum length of 255). 3scale checks the rest of its grammar (the characters, the
	// {variable} names, no variable used twice) when the rule is created.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	// +kubebuilder:validation:XValidation:rule="self.startsWith('/')",message="pattern must start with \"/\", for example \"/pets\" or \"/\""
	// +required
	Pattern string `json:"pattern"`

	// MetricMethodRef is the system name of the metric or method the rule increments; it must be a key
	// of the metrics or methods map of the same object.
	// +kubebuilder:validation:MinLength=1
	// +required
	MetricMethodRef string `json:"metricMethodRef"`

	// Increment is how much a matching request increments the metric or method.
	// +required
	Increment int `json:"increment"`

	// Last stops the evaluation of the following rules when this rule matches. Defaults to false.
	// +optional
	Last *bool `json:"last,omitempty"`
}

// OpenAPIRefSpec references an OpenAPI document (OpenAPI 3.0, JSON or YAML): either a Secret that holds
// it or a URL to fetch it from. Exactly one of secretRef or url must be set.
// +kubebuilder:validation:XValidation:rule="has(self.secretRef) != has(self.url)",message="exactly one of secretRef or url must be set"
// +kubebuilder:validation:XValidation:rule="!has(self.secretRef) || (has(self.secretRef.name) && size(self.secretRef.name) > 0)",message="secretRef.name is required",fieldPath=".secretRef"
type OpenAPIRefSpec struct {
	// SecretRef references a Secret with exactly one key, whose value is the OpenAPI document (the key
	// name is not read). The namespace defaults to the namespace of this object; only name and
	// namespace are read.
	// +optional
	SecretRef *corev1.ObjectReference `json:"secretRef,omitempty"`

	// URL is an http or https URL from which the OpenAPI document is fetched.
	// +kubebuilder:validation:Pattern=`^https?:\/\/.*$`
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	URL *string `json:"url,omitempty"`
}
