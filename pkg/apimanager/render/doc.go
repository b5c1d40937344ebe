// Package render turns an APIManager and the few facts it depends on (secret hashes, which optional
// APIs the cluster serves, resolved images) into the complete list of Kubernetes objects of a 3scale
// platform.
//
// Every renderer is a pure function of *Inputs: no client, no clock, no randomness. Objects carry
// their TypeMeta, namespace and labels but no owner references; the apply step adds those. Object
// names, ports, environment variables and secret keys follow the 3scale operator that Red Hat ships,
// so that Services, Secrets and labels users rely on keep working.
package render
