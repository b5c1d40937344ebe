package v1beta1

// RoleOrDefault returns spec.role, or `member` when it is unset.
func (u *DeveloperUser) RoleOrDefault() string {
	if u.Spec.Role == nil || *u.Spec.Role == "" {
		return DeveloperUserRoleMember
	}
	return *u.Spec.Role
}

// IsAdmin tells whether the user has the `admin` role in its developer account. A developer
// account can only be created together with an admin user.
func (u *DeveloperUser) IsAdmin() bool {
	return u.RoleOrDefault() == DeveloperUserRoleAdmin
}
