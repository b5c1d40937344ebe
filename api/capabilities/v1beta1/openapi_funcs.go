package v1beta1

// GeneratedName is the name of the Product and of the Backend an OpenAPI object generates: its
// own name, so that users find them (and can refer to the Backend from a Product of theirs in
// backendOnly mode) without reading the status. Products and Backends are distinct kinds, so the
// two objects may share it.
func (o *OpenAPI) GeneratedName() string { return o.Name }
