package openapi

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
)

// maxNameLength is the longest name, system name and friendly name 3scale stores.
const maxNameLength = 255

// verbs are the HTTP methods a 3scale mapping rule can match, in the order the OpenAPI
// specification lists a path item's operations: the order of the generated methods and rules.
var verbs = []string{"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE", "CONNECT"}

// Result is what an OpenAPI document becomes.
type Result struct {
	// Backend is the spec of the backend: the API's private base URL; with backendOnly, the
	// methods and mapping rules of the document's operations too.
	Backend capabilitiesv1beta1.BackendSpec
	// Product is the spec of the product: name, deployment, authentication, the methods and mapping
	// rules of the document's operations, and the backend mounted at "/". Empty with backendOnly.
	Product capabilitiesv1beta1.ProductSpec
	// Unmapped says, one sentence each in a fixed order, what the document says that the specs
	// cannot hold.
	Unmapped []string
}

// Import applies the import rules to doc (from Parse) with the settings of an OpenAPI object:
//   - the product system name is spec.productSystemName, else info.title with the characters that
//     are not letters, digits or "_" replaced by "_"; the backend has the same system name;
//   - the private base URL is spec.privateBaseURL, else the scheme and host of servers[0].url,
//     its variables replaced by their defaults; the path of servers[0].url is the base path;
//   - each operation is one method, named by its operationId (a name derived from the verb and
//     the path when it has none; names made unique), and one mapping rule: its verb, the base
//     path and its path ({param} kept as a 3scale variable), "$" appended unless
//     spec.prefixMatching, delta 1;
//   - the first top-level security requirement of a type 3scale supports sets the
//     authentication: apiKey is user key (credentials location from "in", key from "name");
//     oauth2 and openIdConnect are OpenID Connect (the document's oauth2 flows, spec.oidc); none
//     is user key with 3scale's defaults; spec.privateAPIHostHeader and
//     spec.privateAPISecretToken set the gateway's security towards the API;
//   - self-managed APIcast when a public base URL is given, else APIcast hosted; the default
//     policy chain;
//   - with spec.backendOnly, the methods and mapping rules are the backend's and there is no
//     product (nor authentication to map);
//   - the 3scale extensions of the 3scale operator Red Hat ships: x-3scale-product (metrics,
//     policies, application plans) and x-3scale-operation (a mapping rule's metric, increment,
//     last).
//
// It fails when no usable spec can be produced: no private base URL, a system name 3scale
// refuses, OpenID Connect without an issuer.
func Import(doc *openapi3.T, spec capabilitiesv1beta1.OpenAPISpec) (Result, error) {
	if doc == nil || doc.Info == nil {
		return Result{}, errors.New("the document has no info object")
	}
	im := importer{doc: doc, spec: spec}
	return im.run()
}

type importer struct {
	doc      *openapi3.T
	spec     capabilitiesv1beta1.OpenAPISpec
	unmapped []string
}

func (im *importer) note(format string, args ...any) {
	im.unmapped = append(im.unmapped, fmt.Sprintf(format, args...))
}

func (im *importer) run() (Result, error) {
	title := strings.TrimSpace(im.doc.Info.Title)
	systemName, err := im.systemName(title)
	if err != nil {
		return Result{}, err
	}
	privateBaseURL, basePath, err := im.servers()
	if err != nil {
		return Result{}, err
	}
	ext, err := im.productExtension()
	if err != nil {
		return Result{}, err
	}
	var metrics map[string]capabilitiesv1beta1.MetricSpec
	if ext != nil {
		metrics = ext.Metrics
	}
	methods, rules, err := im.operations(basePath, metrics)
	if err != nil {
		return Result{}, err
	}
	if title == "" {
		title = systemName
	}
	if len(title) > maxNameLength {
		im.note("info.title has more than %d characters: names are cut to %d", maxNameLength, maxNameLength)
	}
	if im.doc.Webhooks != nil {
		im.note("webhooks are requests the API sends, not operations it serves: they are not mapped")
	}

	backend := capabilitiesv1beta1.BackendSpec{
		Name:               truncate(title, maxNameLength-len(" Backend")) + " Backend",
		SystemName:         systemName,
		Description:        truncate("Backend of "+title, maxNameLength),
		PrivateBaseURL:     privateBaseURL,
		ProviderAccountRef: im.spec.ProviderAccountRef.DeepCopy(),
	}
	if im.spec.BackendOnly {
		// The operations go to the backend, so that a Product written by the user gets them with
		// the backend it uses; authentication and deployment are that Product's.
		if len(im.doc.Security) > 0 {
			im.note("backendOnly: the document's security is not mapped; the Product that uses the backend sets the authentication")
		}
		backend.Methods, backend.MappingRules, backend.Metrics = methods, rules, metrics
		if ext != nil && (len(ext.Policies) > 0 || len(ext.ApplicationPlans) > 0) {
			im.note("backendOnly: the policies and application plans of %s are not mapped; they are the Product's", productExtension)
		}
		return Result{Backend: backend, Unmapped: im.unmapped}, nil
	}
	auth, err := im.authentication()
	if err != nil {
		return Result{}, err
	}
	product := capabilitiesv1beta1.ProductSpec{
		Name:               truncate(title, maxNameLength),
		SystemName:         systemName,
		Description:        strings.TrimSpace(im.doc.Info.Description),
		Deployment:         im.deployment(auth),
		Methods:            methods,
		MappingRules:       rules,
		BackendUsages:      map[string]capabilitiesv1beta1.BackendUsageSpec{systemName: {Path: "/"}},
		ProviderAccountRef: im.spec.ProviderAccountRef.DeepCopy(),
	}
	if ext != nil {
		product.Metrics, product.Policies, product.ApplicationPlans = ext.Metrics, ext.Policies, ext.ApplicationPlans
	}
	return Result{Backend: backend, Product: product, Unmapped: im.unmapped}, nil
}

// nonWord matches what is not an ASCII letter, digit or "_".
var nonWord = regexp.MustCompile(`\W`)

// validSystemName is 3scale's system_name format (porta validates it on every save).
var validSystemName = regexp.MustCompile(`^\w[\w\-/]+$`)

// systemName is spec.productSystemName, else the title's system name.
func (im *importer) systemName(title string) (string, error) {
	if s := im.spec.ProductSystemName; s != nil && *s != "" {
		if !validSystemName.MatchString(*s) {
			return "", fmt.Errorf("spec.productSystemName %q is not a 3scale system name: at least two letters, digits, \"_\", \"-\" or \"/\", starting with a letter, digit or \"_\"", *s)
		}
		return *s, nil
	}
	name := truncate(nonWord.ReplaceAllString(title, "_"), maxNameLength)
	if !validSystemName.MatchString(name) {
		return "", fmt.Errorf("info.title %q does not make a 3scale system name (at least two characters): set spec.productSystemName", title)
	}
	return name, nil
}

// servers returns the private base URL and the base path of servers[0].
func (im *importer) servers() (privateBaseURL, basePath string, err error) {
	var u *url.URL
	if len(im.doc.Servers) > 0 && im.doc.Servers[0] != nil {
		raw := renderServerURL(im.doc.Servers[0])
		u, err = url.Parse(raw)
		if err != nil {
			return "", "", fmt.Errorf("servers[0].url %q is not a URL: %v", raw, err)
		}
		basePath = strings.TrimRight(u.EscapedPath(), "/")
		for i, other := range im.doc.Servers[1:] {
			// Servers that differ only by scheme (Swagger 2.0's schemes) are one API.
			if o, err := url.Parse(renderServerURL(other)); other != nil && (err != nil || o.Host != u.Host || o.EscapedPath() != u.EscapedPath()) {
				im.note("servers[%d] is not mapped: the backend's private base URL comes from servers[0]", i+1)
			}
		}
	}
	if p := im.spec.PrivateBaseURL; p != nil && *p != "" {
		return *p, basePath, nil
	}
	if u == nil {
		return "", "", errors.New("the document has no servers: set spec.privateBaseURL")
	}
	if u.Host == "" {
		return "", "", fmt.Errorf("servers[0].url %q has no host: set spec.privateBaseURL", im.doc.Servers[0].URL)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme == "" {
		scheme = "https" // a scheme-relative URL ("//api.example.com"): 3scale needs one
	}
	switch scheme {
	case "http", "https", "ws", "wss":
	default:
		return "", "", fmt.Errorf("servers[0].url %q: the scheme must be http, https, ws or wss; or set spec.privateBaseURL", im.doc.Servers[0].URL)
	}
	return scheme + "://" + u.Host, basePath, nil
}

// renderServerURL replaces the {variables} of a server URL by their defaults.
func renderServerURL(s *openapi3.Server) string {
	out := s.URL
	for _, name := range slices.Sorted(maps.Keys(s.Variables)) {
		if v := s.Variables[name]; v != nil {
			out = strings.ReplaceAll(out, "{"+name+"}", v.Default)
		}
	}
	return out
}

// operation is one operation of the document, in import order.
type operation struct {
	verb, path string
	op         *openapi3.Operation
}

// operations returns the document's operations in a fixed order: paths sorted, then verbs in
// the order of the specification.
func (im *importer) operations(basePath string, metrics map[string]capabilitiesv1beta1.MetricSpec) (map[string]capabilitiesv1beta1.MethodSpec, []capabilitiesv1beta1.MappingRuleSpec, error) {
	var ops []operation
	if im.doc.Paths != nil {
		paths := im.doc.Paths.Map()
		for _, path := range slices.Sorted(maps.Keys(paths)) {
			item := paths[path]
			if item == nil {
				continue
			}
			if len(item.Servers) > 0 {
				im.note("servers of path %s are not mapped: servers[0] of the document applies", path)
			}
			for _, verb := range verbs {
				if op := item.GetOperation(verb); op != nil {
					ops = append(ops, operation{verb: verb, path: path, op: op})
				}
			}
			if item.Query != nil {
				im.note("QUERY %s is not mapped: 3scale mapping rules do not match the QUERY method", path)
			}
			for _, m := range slices.Sorted(maps.Keys(item.AdditionalOperations)) {
				if !slices.Contains(verbs, m) && item.AdditionalOperations[m] != nil {
					im.note("%s %s is not mapped: 3scale mapping rules do not match the %s method", m, path, m)
				}
			}
		}
	}
	if len(ops) == 0 {
		im.note("the document has no operations: the product has no methods and no mapping rules")
		return nil, nil, nil
	}
	names := newNamer()
	// Methods and metrics share one namespace of system names and of friendly names.
	for _, name := range slices.Sorted(maps.Keys(metrics)) {
		names.systemNames[name], names.friendlyNames[metrics[name].Name] = true, true
	}
	methods := make(map[string]capabilitiesv1beta1.MethodSpec, len(ops))
	rules := make([]capabilitiesv1beta1.MappingRuleSpec, 0, len(ops))
	var withSecurity, withServers []string
	for _, o := range ops {
		where := o.verb + " " + o.path
		if o.op.Security != nil {
			withSecurity = append(withSecurity, where)
		}
		if o.op.Servers != nil && len(*o.op.Servers) > 0 {
			withServers = append(withServers, where)
		}
		systemName, friendly := names.method(o)
		methods[systemName] = capabilitiesv1beta1.MethodSpec{Name: friendly, Description: describe(o.op)}
		pattern, err := mappingPattern(basePath, o.path, im.prefixMatching())
		if err != nil {
			im.note("%s: no mapping rule: %v", where, err)
			continue
		}
		rule := capabilitiesv1beta1.MappingRuleSpec{HTTPMethod: o.verb, Pattern: pattern, MetricMethodRef: systemName, Increment: 1}
		if err := im.applyOperationExtension(o, &rule); err != nil {
			return nil, nil, fmt.Errorf("%s: %v", where, err)
		}
		rules = append(rules, rule)
	}
	if len(withSecurity) > 0 {
		im.note("operation-level security is not mapped (%s): the product's authentication applies to every operation", listed(withSecurity))
	}
	if len(withServers) > 0 {
		im.note("operation servers are not mapped (%s): servers[0] of the document applies", listed(withServers))
	}
	for _, r := range rules {
		_, isMethod := methods[r.MetricMethodRef]
		_, isMetric := metrics[r.MetricMethodRef]
		if !isMethod && !isMetric && r.MetricMethodRef != capabilitiesv1beta1.HitsMetricSystemName {
			return nil, nil, fmt.Errorf("%s %s: %s.mappingRule.metricMethodRef %q is neither a method nor a metric of %s", r.HTTPMethod, r.Pattern, operationExtension, r.MetricMethodRef, productExtension)
		}
	}
	return methods, rules, nil
}

func (im *importer) prefixMatching() bool {
	return im.spec.PrefixMatching != nil && *im.spec.PrefixMatching
}

// describe is the operation's description, else its summary.
func describe(op *openapi3.Operation) string {
	if d := strings.TrimSpace(op.Description); d != "" {
		return d
	}
	return strings.TrimSpace(op.Summary)
}

// namer gives methods unique system names and friendly names. The hits metric's are taken.
type namer struct {
	systemNames, friendlyNames map[string]bool
}

func newNamer() *namer {
	hits := capabilitiesv1beta1.DefaultHitsMetric()
	return &namer{
		systemNames:   map[string]bool{capabilitiesv1beta1.HitsMetricSystemName: true},
		friendlyNames: map[string]bool{hits.Name: true},
	}
}

// method names o's method: the operationId, else the verb and the path (as the 3scale operator
// Red Hat ships derives them, so that its methods are found again); its system name is the name
// in lower case with the characters that are not letters, digits or "_" replaced by "_". A name
// already taken gets the first free suffix "_2", "_3", ...
func (n *namer) method(o operation) (systemName, friendly string) {
	base := strings.TrimSpace(o.op.OperationID)
	if base == "" {
		base = o.verb + nonWord.ReplaceAllString(o.path, "")
		friendly = o.verb + " " + o.path
	} else {
		friendly = base
	}
	sys := strings.ToLower(nonWord.ReplaceAllString(base, "_"))
	if len(sys) < 2 {
		sys = strings.ToLower(o.verb) + "_" + sys
	}
	sys = truncate(sys, maxNameLength-8)
	friendly = truncate(friendly, maxNameLength-8)
	// System names and friendly names are unique each on its own: a name that only clashes once
	// reduced to a system name keeps its friendly name.
	return n.free(n.systemNames, sys), n.free(n.friendlyNames, friendly)
}

// free takes and returns name, or name with the first suffix "_2", "_3", ... not in taken.
func (n *namer) free(taken map[string]bool, name string) string {
	out := name
	for i := 2; taken[out]; i++ {
		out = fmt.Sprintf("%s_%d", name, i)
	}
	taken[out] = true
	return out
}

// mappingPattern is the 3scale pattern of an operation's path: the base path and the path, each
// {parameter} a 3scale variable (its name reduced to letters, digits and "_", and made unique),
// the characters 3scale does not take in a pattern percent-encoded, "$" appended for an exact
// match.
func mappingPattern(basePath, path string, prefix bool) (string, error) {
	var b strings.Builder
	full := basePath + path
	if !strings.HasPrefix(full, "/") {
		full = "/" + full
	}
	seen := map[string]bool{}
	for i := 0; i < len(full); {
		c := full[i]
		if c == '{' {
			if end := strings.IndexByte(full[i:], '}'); end > 0 {
				name := nonWord.ReplaceAllString(full[i+1:i+end], "_")
				if name == "" {
					name = "param"
				}
				unique := name
				for n := 2; seen[unique]; n++ {
					unique = fmt.Sprintf("%s_%d", name, n)
				}
				seen[unique] = true
				b.WriteString("{" + unique + "}")
				i += end + 1
				continue
			}
		}
		switch {
		case c == '%' && i+2 < len(full) && isHex(full[i+1]) && isHex(full[i+2]):
			b.WriteString(full[i : i+3])
			i += 3
			continue
		case isPatternChar(c):
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
		i++
	}
	if !prefix {
		b.WriteByte('$')
	}
	pattern := b.String()
	if err := planning.ValidatePattern(pattern); err != nil {
		return "", fmt.Errorf("pattern %q: %v", truncate(pattern, 80), err)
	}
	return pattern, nil
}

// isPatternChar tells the characters a 3scale pattern takes as they are: RFC 3986's unreserved
// characters and the sub-delimiters porta accepts, ":", "@" and "/".
func isPatternChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!*'();:@&=+,/", c) >= 0
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

// listed joins items for a note, the first few of them when there are many.
func listed(items []string) string {
	const shown = 5
	if len(items) <= shown {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:shown], ", "), len(items)-shown)
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
