package auth

// Actor is who is making a request. The zero Actor is anonymous.
type Actor struct {
	User *User
}

// Anonymous reports whether nobody is signed in.
func (a Actor) Anonymous() bool { return a.User == nil }

// Is reports whether the actor has one of the roles. Admins have every
// power of the secretariat, so RoleSecretariat also admits admins.
func (a Actor) Is(roles ...string) bool {
	if a.User == nil {
		return false
	}
	for _, r := range roles {
		if a.User.Role == r || (r == RoleSecretariat && a.User.Role == RoleAdmin) {
			return true
		}
	}
	return false
}

// FocalPointOf reports whether the actor is a focal point for the state.
func (a Actor) FocalPointOf(code string) bool {
	return a.User != nil && a.User.Role == RoleFocalPoint && a.User.StateCode != nil && *a.User.StateCode == code
}

// ID returns the user id, or 0 for anonymous.
func (a Actor) ID() int64 {
	if a.User == nil {
		return 0
	}
	return a.User.ID
}
