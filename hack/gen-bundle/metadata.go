package main

// The bundle's fixed metadata: what OperatorHub and the OpenShift console show about the operator.

const (
	// packageName is the OLM package. It is deliberately not "3scale-operator", the package Red Hat
	// ships: a bundle in that package would read as a version of Red Hat's product (Subscriptions,
	// upgrade graphs, the existing operator's Subscription controller, which reacts to packages
	// whose name contains "3scale"). It matches the kustomize name prefix and the project name.
	packageName = "threescale-operator"
	// channel is the only channel, and so the default one: the API is v1alpha1/v1beta1 and the
	// controllers are young.
	channel = "alpha"

	defaultImageRepository = "quay.io/threescale-oss/3scale-operator"
	minKubeVersion         = "1.30.0"
	maturity               = "alpha"
	repositoryURL          = "https://github.com/threescale-oss/operator"

	// capabilityLevel is honest for now: the operator installs and configures 3scale; upgrades,
	// full lifecycle (backup and restore are in the API but young) and insights are not proven.
	capabilityLevel = "Basic Install"
	categories      = "Integration & Delivery"
	// builder names the tool that wrote the bundle (operator-sdk puts its own name here).
	builder = "threescale-oss/operator hack/gen-bundle"

	displayName      = "3scale Operator (threescale-oss)"
	shortDescription = "Install 3scale API Management and manage its APIs, products, tenants and developers as Kubernetes resources."
	description      = `The 3scale operator installs and runs [3scale API Management](https://github.com/3scale/porta)
in a namespace and manages what 3scale holds (products, backends, tenants, developer accounts and
applications) as Kubernetes custom resources, so APIs can be published with ` + "`kubectl apply`" + ` and
kept in Git.

### Install 3scale
An **APIManager** resource installs a whole 3scale platform in its namespace: APIcast staging and
production gateways, the backend (listener, worker, cron), the system admin and developer portals
with their background jobs, zync, and their databases and Redis, or external ones. The operator
keeps every component in the state the APIManager describes and reports availability in its status.
**APIManagerBackup** and **APIManagerRestore** back a platform up to a volume and restore it.

### Manage APIs in 3scale
**Product**, **Backend**, **OpenAPI**, **ActiveDoc**, **Tenant**, **DeveloperAccount**,
**DeveloperUser**, **Application**, **ApplicationAuth**, **ProxyConfigPromote** and
**CustomPolicyDefinition** resources mirror their 3scale counterparts through the 3scale admin API.
The custom resource is the source of truth: changes made in the Admin Portal are detected and
reverted, and each resource reports ` + "`Synced`" + ` or ` + "`Ready`" + ` conditions that ` + "`kubectl wait`" + ` and GitOps tools
understand.

### Compatibility
The API groups, versions, kinds and fields are those of the 3scale operator Red Hat ships
(` + "`apps.3scale.net`" + ` and ` + "`capabilities.3scale.net`" + `), so existing manifests apply unchanged.
Install one of the two operators per cluster, not both: they own the same custom resource definitions.

### Watched namespaces
The operator watches the namespaces of its OperatorGroup: its own, one or several others, or all.
`
)

// keywords help users find the operator in OperatorHub.
var keywords = []string{"3scale", "api", "api management", "api gateway", "apicast", "integration"}

// kindDisplayNames overrides the display name derived from a kind where the derived one reads
// badly or is ambiguous in a console listing every operator's resources.
var kindDisplayNames = map[string]string{
	"ActiveDoc": "ActiveDoc",
	"Backend":   "3scale Backend",
	"OpenAPI":   "OpenAPI",
	"Product":   "3scale Product",
	"Tenant":    "3scale Tenant",
}
