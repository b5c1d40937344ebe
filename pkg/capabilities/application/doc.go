// Package application mirrors Application objects into 3scale applications: the subscription of
// a developer account (the DeveloperAccount of spec.accountCR) to a product (the Product of
// spec.productCR) on one of its application plans. It is the observe and plan of the kind; the
// loop of package external does the rest (ownership, finalizer, deletion policy, conditions).
package application
