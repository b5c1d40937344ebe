package render

// Label keys put on the platform's objects. The first four are those of the 3scale operator Red Hat
// ships, which users' NetworkPolicies, PodMonitors and scripts select on; the app.kubernetes.io ones
// are the Kubernetes recommended labels, which the apply step also uses to find what to prune.
const (
	// LabelApp carries spec.appLabel (3scale-api-management by default) on every object.
	LabelApp = "app"
	// LabelComponent is apicast, backend, system or zync.
	LabelComponent = "threescale_component"
	// LabelComponentElement names the part of the component (staging, listener, app, que, ...).
	LabelComponentElement = "threescale_component_element"
	// LabelDeployment is on pod templates only: it is the selector of the Deployment and its Service.
	LabelDeployment = "deployment"

	LabelK8sName      = "app.kubernetes.io/name"
	LabelK8sInstance  = "app.kubernetes.io/instance"
	LabelK8sComponent = "app.kubernetes.io/component"
	LabelK8sPartOf    = "app.kubernetes.io/part-of"
	LabelK8sManagedBy = "app.kubernetes.io/managed-by"
)

// Fixed values of the recommended labels.
const (
	// PartOf is the value of app.kubernetes.io/part-of.
	PartOf = "3scale"
	// ManagedBy is the value of app.kubernetes.io/managed-by; it is also the server-side apply
	// field manager, so that `managed-by` and managedFields agree.
	ManagedBy = "threescale-operator"
)

// Red Hat's metering labels, which the existing operator puts on the pod template of every
// Deployment of the platform and which subscription reporting counts pods by.
const (
	LabelMeteringCompany         = "com.company"
	LabelMeteringProductName     = "rht.prod_name"
	LabelMeteringProductVersion  = "rht.prod_ver"
	LabelMeteringComponent       = "rht.comp"
	LabelMeteringComponentVer    = "rht.comp_ver"
	LabelMeteringSubcomponent    = "rht.subcomp"
	LabelMeteringSubcomponentTyp = "rht.subcomp_t"
)

// Values of the metering labels, those of the existing operator (its helper.MeteringLabels): it
// reports product version "master" on every branch, and the 3scale release as major.minor.
const (
	MeteringCompany          = "Red_Hat"
	MeteringProductName      = "Red_Hat_Integration"
	MeteringProductVersion   = "master"
	MeteringComponent        = "3scale"
	MeteringComponentVersion = "2.16"
	// MeteringSubcomponentType is rht.subcomp_t: "application" for every pod, the internal
	// databases included, as the 3scale 2.15 operator labelled them.
	MeteringSubcomponentType = "application"
)

// MeteringLabels returns the metering labels of the pods of the workload name.
func MeteringLabels(name string) map[string]string {
	return map[string]string{
		LabelMeteringCompany:         MeteringCompany,
		LabelMeteringProductName:     MeteringProductName,
		LabelMeteringProductVersion:  MeteringProductVersion,
		LabelMeteringComponent:       MeteringComponent,
		LabelMeteringComponentVer:    MeteringComponentVersion,
		LabelMeteringSubcomponent:    name,
		LabelMeteringSubcomponentTyp: MeteringSubcomponentType,
	}
}

// ComponentSelector returns the labels that identify the pods of one part of a component the way
// the existing operator's PodMonitors and users' selectors do: app, threescale_component and
// threescale_component_element.
func ComponentSelector(in *Inputs, component, element string) map[string]string {
	return map[string]string{
		LabelApp:              in.APIManager.AppLabelOrDefault(),
		LabelComponent:        component,
		LabelComponentElement: element,
	}
}

// Labels returns the labels of an object belonging to one part of a component: the existing
// operator's labels plus the recommended ones. name is the workload's name (apicast-production,
// zync-database, ...), which becomes app.kubernetes.io/component; the instance is the APIManager's
// name, so that two APIManagers' objects never match the same selector.
func Labels(in *Inputs, component, element, name string) map[string]string {
	l := ComponentSelector(in, component, element)
	l[LabelK8sName] = component
	l[LabelK8sInstance] = in.APIManager.Name
	l[LabelK8sComponent] = name
	l[LabelK8sPartOf] = PartOf
	l[LabelK8sManagedBy] = ManagedBy
	return l
}

// OwnedSelector returns the labels that every object rendered for this APIManager carries; the apply
// step lists with it to find objects to prune.
func OwnedSelector(in *Inputs) map[string]string {
	return map[string]string{
		LabelK8sInstance:  in.APIManager.Name,
		LabelK8sPartOf:    PartOf,
		LabelK8sManagedBy: ManagedBy,
	}
}

// PodSelector returns the selector of a Deployment and of its Service: `deployment: <name>`, as the
// existing operator has it. Deployment selectors are immutable, so this must never change.
func PodSelector(name string) map[string]string {
	return map[string]string{LabelDeployment: name}
}

// mergeLabels returns a new map with the entries of every map, later maps winning.
func mergeLabels(maps ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
