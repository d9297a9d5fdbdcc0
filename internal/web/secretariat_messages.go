package web

import (
	"fmt"
	"strings"

	"github.com/coe-agora/agora/internal/apperr"
)

// secMessages gives the secretariat's pages their own wording of some
// messages of the services (sec.err.* in the catalogs, which name fields by
// the labels of the forms); the others are shown as every page shows them.
var secMessages = map[string]string{
	"err.after":               "sec.err.after",
	"err.not_exceed":          "sec.err.not_exceed",
	"err.timezone":            "sec.err.timezone",
	"err.before_end":          "sec.err.before_end",
	"err.online_url":          "sec.err.online_url",
	"err.custom_empty":        "sec.err.custom_empty",
	"err.custom_only":         "sec.err.custom_only",
	"err.unknown_state":       "sec.err.unknown_state",
	"err.inactive_state":      "sec.err.inactive_state",
	"err.inactive":            "sec.err.inactive",
	"err.min_entries":         "sec.err.min_entries",
	"err.max_entries":         "sec.err.max_entries",
	"err.max_states":          "sec.err.max_entries",
	"err.required_to_publish": "sec.err.required_to_publish",
	"err.title_required":      "sec.err.title",
	"err.datetime":            "sec.err.datetime",
	"err.whole_number":        "sec.err.number",
	"err.fields":              "sec.err.fields",
	// Agenda.
	"err.parent_unknown":      "sec.err.parent_unknown",
	"err.parent_self":         "sec.err.parent_self",
	"err.parent_depth":        "sec.err.parent_depth",
	"err.parent_has_children": "sec.err.parent_has_children",
	"err.start_needed":        "sec.err.start_needed",
	"err.within_meeting":      "sec.err.within_meeting",
	"err.overlaps":            "sec.err.overlaps",
	"err.between":             "sec.err.between",
	"err.agenda_every":        "sec.err.agenda_changed",
	"err.agenda_item_unknown": "sec.err.agenda_changed",
	"err.agenda_item_twice":   "sec.err.agenda_changed",
	"err.no_agenda_item":      "sec.err.agenda_changed",
	// Lifecycle.
	"err.publish":     "sec.err.publish",
	"err.cancel":      "sec.err.cancel",
	"err.edit":        "sec.err.edit",
	"err.edit_agenda": "sec.err.edit_agenda",
	"err.archive":     "sec.err.archive",
	"err.invite":      "sec.err.invite",
	"err.remind":      "sec.err.remind",
	// Registrations and mail.
	"err.approve":     "sec.err.approve",
	"err.check_in":    "sec.err.check_in",
	"err.reg_already": "sec.err.already",
	"err.resend":      "sec.err.resend",
	"err.no_email":    "sec.err.no_email",
}

// message returns a service's message in lang, in the secretariat's
// wording when it has one. The arguments named by apperr.Msg's convention
// are shown as labels: Field as the form's label, Status, RegStatus and
// MailStatus as the status in lang; others as they are.
func (h *secretariat) message(m apperr.Msg, lang string) string {
	id := m.Key
	if sec, ok := secMessages[id]; ok {
		id = sec
	}
	data := make(map[string]any, len(m.Args))
	for name, v := range m.Args {
		s := fmt.Sprint(v)
		switch name {
		case "Field":
			data[name] = h.fieldLabel(lang, s)
		default:
			data[name] = v
			if w, ok := statusWord(h.cat, lang, name, s); ok {
				data[name] = w
			}
		}
	}
	return h.cat.T(lang, id, data)
}

// fieldLabel names a field of the secretariat's forms in lang; a name
// without a label is shown as it is.
func (h *secretariat) fieldLabel(lang, field string) string {
	id := "sec.field." + secFieldName(field)
	if label := h.cat.T(lang, id, nil); label != id {
		return label
	}
	return field
}

// fieldProblem is "<label>: <message>" for an error shown away from its field.
func (h *secretariat) fieldProblem(lang, field string, msg apperr.Msg) string {
	return h.cat.T(lang, "sec.field_problem", map[string]any{"Field": h.fieldLabel(lang, field), "Message": h.message(msg, lang)})
}

// secFieldName maps the key of a field error to the form field that shows
// it: "speakers[0].name" and "languages[1]" belong to their list's input.
func secFieldName(key string) string {
	if i := strings.IndexAny(key, "[."); i > 0 {
		return key[:i]
	}
	return key
}
