package web

import "slices"

// failForm records err on f like form.fail, then moves an error on a
// field the form does not show into the message for the whole form, so no
// error goes unseen. It reports whether err was the user's.
func (s *Server) failForm(f *form, err error, lang string, shown ...string) bool {
	if !f.fail(s.cat, err, lang) {
		return false
	}
	for field := range f.Errors {
		if !slices.Contains(shown, field) {
			if f.Problem == "" {
				label := s.cat.T(lang, "fp.field."+field, nil)
				if label == "fp.field."+field {
					label = field
				}
				f.Problem = label + " : " + f.Errors[field]
				if lang != "fr" {
					f.Problem = label + ": " + f.Errors[field]
				}
			}
			delete(f.Errors, field)
		}
	}
	return true
}
