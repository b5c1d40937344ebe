// Package tenant finds the 3scale tenant (provider account) a capability object belongs to, and
// shares one 3scale client per tenant between every object and controller that uses it.
//
// Resolution follows the order the 3scale operator that Red Hat ships uses, so existing manifests
// keep working:
//  1. the Secret named by spec.providerAccountRef, keys "adminURL" and "token";
//  2. else the Secret "threescale-provider-account" in the object's namespace, same keys;
//  3. else the default tenant of the APIManager in the object's namespace: admin URL
//     https://<tenantName>-admin.<wildcardDomain>, token from the Secret "system-seed", key
//     "ADMIN_ACCESS_TOKEN".
//
// Only Secrets of the object's own namespace are read. Failures are typed (MissingSecretError,
// SecretKeyError, NoProviderAccountError) and name the Secret and key to fix. Tokens never
// appear in errors or in the text form of Credentials.
package tenant
