package v1beta1

// MonthlyBillingIsEnabled tells whether monthly billing is on: spec.monthlyBillingEnabled, which
// defaults to true when unset (the schema defaults it, but objects built in code may not have it).
func (a *DeveloperAccount) MonthlyBillingIsEnabled() bool {
	return boolOrTrue(a.Spec.MonthlyBillingEnabled)
}

// MonthlyChargingIsEnabled tells whether monthly charging is on: spec.monthlyChargingEnabled,
// which defaults to true when unset.
func (a *DeveloperAccount) MonthlyChargingIsEnabled() bool {
	return boolOrTrue(a.Spec.MonthlyChargingEnabled)
}

func boolOrTrue(b *bool) bool {
	return b == nil || *b
}
