package auth

// Actor is who is making a request. The zero Actor is anonymous.
type Actor struct {
	User *User
	// System, for what Agora or an operator at the command line does
	// without an account, says how ("cli", "worker"); empty otherwise.
	System string
}

// SystemActor is Agora itself or an operator with shell access, acting
// through via ("cli", "worker"). It holds every role: whoever runs the
// command line already holds the database's own rights. The audit trail
// records it as a system entry marked with via.
func SystemActor(via string) Actor { return Actor{System: via} }

// Anonymous reports whether nobody is signed in (and Agora itself is not
// acting either).
func (a Actor) Anonymous() bool { return a.User == nil && a.System == "" }

// Via returns how a system actor acts ("cli", "worker"), or "" for a
// person, signed in or not.
func (a Actor) Via() string { return a.System }

// Is reports whether the actor has one of the roles. Admins have every
// power of the secretariat, so RoleSecretariat also admits admins; a
// system actor has every role.
func (a Actor) Is(roles ...string) bool {
	if a.System != "" {
		return true
	}
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

// FocalPointOf reports whether the actor is a focal point for the invitee
// with that code: a state or an organisation.
func (a Actor) FocalPointOf(code string) bool {
	return a.FocalPointInvitee() == code && code != ""
}

// FocalPointInvitee returns the code of the state or organisation the
// actor is a focal point of, or "" for anyone else.
func (a Actor) FocalPointInvitee() string {
	if a.User == nil || a.User.Role != RoleFocalPoint || a.User.Invitee == nil {
		return ""
	}
	return *a.User.Invitee
}

// ID returns the user id, or 0 for anonymous.
func (a Actor) ID() int64 {
	if a.User == nil {
		return 0
	}
	return a.User.ID
}
