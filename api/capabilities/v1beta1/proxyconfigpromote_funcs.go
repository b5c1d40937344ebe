package v1beta1

// PromotesToProduction tells whether the configuration goes on to production after staging
// (spec.production; unset means staging only).
func (p *ProxyConfigPromote) PromotesToProduction() bool {
	return p.Spec.Production != nil && *p.Spec.Production
}

// DeletesItselfWhenDone tells whether the CR is deleted once the promotion succeeded
// (spec.deleteCR; unset means it is kept).
func (p *ProxyConfigPromote) DeletesItselfWhenDone() bool {
	return p.Spec.DeleteCR != nil && *p.Spec.DeleteCR
}
