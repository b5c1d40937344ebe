package v1beta1

// GeneratesSecret tells whether empty credentials in the secret are generated
// (spec.generateSecret; unset means they are not).
func (a *ApplicationAuth) GeneratesSecret() bool {
	return a.Spec.GenerateSecret != nil && *a.Spec.GenerateSecret
}
