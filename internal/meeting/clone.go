package meeting

import (
	"maps"
	"slices"
)

// clone returns a copy of f that shares no memory with it.
func (f Fields) clone() Fields {
	f.Languages = slices.Clone(f.Languages)
	f.InvitedStates = slices.Clone(f.InvitedStates)
	f.InvitedOrganisations = slices.Clone(f.InvitedOrganisations)
	f.Quotas = maps.Clone(f.Quotas)
	f.RegistrationOpensAt = clonePtr(f.RegistrationOpensAt)
	f.RegistrationClosesAt = clonePtr(f.RegistrationClosesAt)
	return f
}

// clone returns a copy of f that shares no memory with it.
func (f ItemFields) clone() ItemFields {
	f.ParentID = clonePtr(f.ParentID)
	f.StartsAt = clonePtr(f.StartsAt)
	f.EndsAt = clonePtr(f.EndsAt)
	f.Speakers = f.Speakers.clone()
	return f
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
