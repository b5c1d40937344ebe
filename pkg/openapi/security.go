package openapi

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
)

// Security scheme types of OpenAPI that 3scale can hold.
const (
	schemeAPIKey        = "apiKey"
	schemeOAuth2        = "oauth2"
	schemeOpenIDConnect = "openIdConnect"
)

// defaultIssuerType is the OpenID provider type when spec.oidc does not say: "rest", the zync
// REST API, which any provider can stand behind (the 3scale operator Red Hat ships does the same).
const defaultIssuerType = "rest"

// wellKnownSuffix ends an OpenID Connect discovery URL; the issuer is what comes before it.
const wellKnownSuffix = "/.well-known/openid-configuration"

// validUserKey is the format 3scale takes for the name of the user key parameter.
var validUserKey = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// chosenScheme is the security scheme that sets the product's authentication.
type chosenScheme struct {
	name   string
	scheme *openapi3.SecurityScheme
}

// authentication maps the document's top-level security to the product's authentication. A
// 3scale product has one authentication mode, so the first scheme of a supported type, in the
// order of the security requirements (and of their scheme names), is the one; every other one
// is reported.
func (im *importer) authentication() (*capabilitiesv1beta1.AuthenticationSpec, error) {
	var chosen *chosenScheme
	for i, req := range im.doc.Security {
		names := slices.Sorted(maps.Keys(req))
		if len(names) == 0 {
			im.note("security[%d] allows anonymous access: 3scale always requires credentials", i)
			continue
		}
		if len(names) > 1 {
			im.note("security[%d] requires %s together: 3scale checks one credential", i, strings.Join(names, " and "))
		}
		for _, name := range names {
			s := im.scheme(name)
			switch {
			case s == nil:
				im.note("security[%d]: security scheme %q is not defined in components.securitySchemes", i, name)
			case chosen != nil:
				im.note("security[%d]: security scheme %q is not mapped: a 3scale product has one authentication, that of %q", i, name, chosen.name)
			case s.Type == schemeAPIKey && s.In != "header" && s.In != "query":
				im.note("security[%d]: security scheme %q is not mapped: APIcast reads keys from headers or the query, not from %q", i, name, s.In)
			case s.Type == schemeAPIKey || s.Type == schemeOAuth2 || s.Type == schemeOpenIDConnect:
				chosen = &chosenScheme{name: name, scheme: s}
			default:
				im.note("security[%d]: security scheme %q of type %q is not mapped: 3scale supports apiKey, oauth2 and openIdConnect", i, name, s.Type)
			}
		}
	}
	if chosen != nil && chosen.scheme.Type != schemeAPIKey {
		return im.oidc(chosen)
	}
	if im.spec.OIDC != nil {
		im.note("spec.oidc is not used: the document's security is not oauth2 or openIdConnect")
	}
	userKey := &capabilitiesv1beta1.UserKeyAuthenticationSpec{Security: im.security(nil)}
	if chosen != nil {
		s := chosen.scheme
		if validUserKey.MatchString(s.Name) && len(s.Name) <= maxNameLength {
			userKey.Key = ptr(s.Name)
		} else {
			im.note("security scheme %q: the key name %q is not one 3scale takes (letters, digits, \"_\" and \"-\"): the default user_key applies", chosen.name, s.Name)
		}
		if s.In == "header" {
			userKey.CredentialsLoc = ptr("headers")
		} else {
			userKey.CredentialsLoc = ptr("query")
		}
	}
	return &capabilitiesv1beta1.AuthenticationSpec{UserKeyAuthentication: userKey}, nil
}

func (im *importer) scheme(name string) *openapi3.SecurityScheme {
	if im.doc.Components == nil {
		return nil
	}
	ref := im.doc.Components.SecuritySchemes[name]
	if ref == nil {
		return nil
	}
	return ref.Value
}

// oidc maps an oauth2 or openIdConnect scheme to OpenID Connect authentication, completed by
// spec.oidc: the document does not say which provider 3scale must manage clients in.
func (im *importer) oidc(chosen *chosenScheme) (*capabilitiesv1beta1.AuthenticationSpec, error) {
	out := capabilitiesv1beta1.OIDCSpec{IssuerType: defaultIssuerType}
	if im.spec.OIDC != nil {
		out = *im.spec.OIDC.DeepCopy()
		if out.IssuerType == "" {
			out.IssuerType = defaultIssuerType
		}
	}
	s := chosen.scheme
	switch s.Type {
	case schemeOAuth2:
		// The document says which grants its clients use; spec.oidc cannot contradict it.
		if out.AuthenticationFlow != nil {
			im.note("spec.oidc.authenticationFlow is not used: the flows of security scheme %q (oauth2) apply", chosen.name)
		}
		out.AuthenticationFlow = flows(s.Flows)
	case schemeOpenIDConnect:
		if out.IssuerEndpoint == "" && out.IssuerEndpointRef == nil {
			out.IssuerEndpoint = strings.TrimSuffix(s.OpenIdConnectUrl, wellKnownSuffix)
		}
	}
	if out.IssuerEndpoint == "" && out.IssuerEndpointRef == nil {
		return nil, fmt.Errorf("security scheme %q (%s) needs an OpenID provider that the document does not name: set spec.oidc.issuerEndpointRef or spec.oidc.issuerEndpoint", chosen.name, s.Type)
	}
	out.Security = im.security(out.Security)
	return &capabilitiesv1beta1.AuthenticationSpec{OIDC: &out}, nil
}

// flows are the OAuth 2.0 grants of an oauth2 scheme, as the provider's client settings.
func flows(f *openapi3.OAuthFlows) *capabilitiesv1beta1.OIDCAuthenticationFlowSpec {
	if f == nil {
		return &capabilitiesv1beta1.OIDCAuthenticationFlowSpec{}
	}
	return &capabilitiesv1beta1.OIDCAuthenticationFlowSpec{
		StandardFlowEnabled:       f.AuthorizationCode != nil,
		ImplicitFlowEnabled:       f.Implicit != nil,
		ServiceAccountsEnabled:    f.ClientCredentials != nil,
		DirectAccessGrantsEnabled: f.Password != nil,
	}
}

// security is the gateway's security towards the API: base (from spec.oidc) with
// spec.privateAPIHostHeader and spec.privateAPISecretToken over it; nil when nothing is set.
func (im *importer) security(base *capabilitiesv1beta1.SecuritySpec) *capabilitiesv1beta1.SecuritySpec {
	out := base.DeepCopy()
	if out == nil {
		out = &capabilitiesv1beta1.SecuritySpec{}
	}
	if h := im.spec.PrivateAPIHostHeader; h != nil && *h != "" {
		out.HostHeader = ptr(*h)
	}
	if t := im.spec.PrivateAPISecretToken; t != nil && *t != "" {
		out.SecretToken = ptr(*t)
	}
	if out.HostHeader == nil && out.SecretToken == nil {
		return nil
	}
	return out
}

// deployment is self-managed APIcast when a public base URL is given, else APIcast hosted.
func (im *importer) deployment(auth *capabilitiesv1beta1.AuthenticationSpec) *capabilitiesv1beta1.ProductDeploymentSpec {
	staging, production := im.spec.StagingPublicBaseURL, im.spec.ProductionPublicBaseURL
	if staging == nil && production == nil {
		return &capabilitiesv1beta1.ProductDeploymentSpec{ApicastHosted: &capabilitiesv1beta1.ApicastHostedSpec{Authentication: auth}}
	}
	sm := &capabilitiesv1beta1.ApicastSelfManagedSpec{Authentication: auth}
	if staging != nil {
		sm.StagingPublicBaseURL = ptr(*staging)
	}
	if production != nil {
		sm.ProductionPublicBaseURL = ptr(*production)
	}
	return &capabilitiesv1beta1.ProductDeploymentSpec{ApicastSelfManaged: sm}
}

func ptr[T any](v T) *T { return &v }
