package web

import (
	"regexp"
	"strings"

	"github.com/coe-agora/agora/internal/registration"
)

// The services speak English, with field names as the API spells them
// ("must be after starts_at"). The secretariat's pages show these messages
// through the catalogs (sec.err.*), with field names replaced by the
// labels of the form, in the page's language. Named groups say how to
// show what they capture: Field is a field name, Status a meeting status,
// RegStatus a registration status, MailStatus a mail status; anything
// else is shown as it is. Messages not listed here go to
// translateFieldError.
var secMessages = []struct {
	re *regexp.Regexp
	id string
}{
	{regexp.MustCompile(`^must be after (?P<Field>\w+)$`), "sec.err.after"},
	{regexp.MustCompile(`^must not exceed (?P<Field>\w+)$`), "sec.err.not_exceed"},
	{regexp.MustCompile(`^must be an IANA time zone such as Europe/Paris$`), "sec.err.timezone"},
	{regexp.MustCompile(`^must be before the meeting ends$`), "sec.err.before_end"},
	{regexp.MustCompile(`^is required for online and hybrid meetings$`), "sec.err.online_url"},
	{regexp.MustCompile(`^name at least one state for a custom audience$`), "sec.err.custom_empty"},
	{regexp.MustCompile(`^is only for a custom audience$`), "sec.err.custom_only"},
	{regexp.MustCompile(`^unknown state (?P<Code>\S+)$`), "sec.err.unknown_state"},
	{regexp.MustCompile(`^state (?P<Code>\S+) is inactive$`), "sec.err.inactive_state"},
	{regexp.MustCompile(`^is inactive$`), "sec.err.inactive"},
	{regexp.MustCompile(`^must have at least (?P<N>\d+) entries$`), "sec.err.min_entries"},
	{regexp.MustCompile(`^must have at most (?P<N>\d+) entries$`), "sec.err.max_entries"},
	{regexp.MustCompile(`^must list at most (?P<N>\d+) states$`), "sec.err.max_entries"},
	{regexp.MustCompile(`^is required to publish$`), "sec.err.required_to_publish"},
	{regexp.MustCompile(`^a title in English or French is required$`), "sec.err.title"},
	{regexp.MustCompile(`^must be a date and time$`), "sec.err.datetime"},
	{regexp.MustCompile(`^must be a whole number$`), "sec.err.number"},
	{regexp.MustCompile(`^some fields are not valid$`), "sec.err.fields"},
	// Agenda.
	{regexp.MustCompile(`^is not an item of this meeting's agenda$`), "sec.err.parent_unknown"},
	{regexp.MustCompile(`^an item cannot be its own parent$`), "sec.err.parent_self"},
	{regexp.MustCompile(`^sub-items cannot have sub-items$`), "sec.err.parent_depth"},
	{regexp.MustCompile(`^an item with sub-items cannot become a sub-item$`), "sec.err.parent_has_children"},
	{regexp.MustCompile(`^is required when ends_at is given$`), "sec.err.start_needed"},
	{regexp.MustCompile(`^must fall within the meeting's dates$`), "sec.err.within_meeting"},
	{regexp.MustCompile(`^overlaps item "(?P<Title>.*)"$`), "sec.err.overlaps"},
	{regexp.MustCompile(`^must be between (?P<A>\d+) and (?P<B>\d+)$`), "sec.err.between"},
	{regexp.MustCompile(`^must name every item of the agenda exactly once`), "sec.err.agenda_changed"},
	{regexp.MustCompile(`^item \d+ is (not on this agenda|named twice)$`), "sec.err.agenda_changed"},
	{regexp.MustCompile(`^no such agenda item$`), "sec.err.agenda_changed"},
	// Lifecycle.
	{regexp.MustCompile(`^only a draft can be published; this meeting is (?P<Status>\w+)$`), "sec.err.publish"},
	{regexp.MustCompile(`^a (?P<Status>\w+) meeting cannot be cancelled$`), "sec.err.cancel"},
	{regexp.MustCompile(`^a (?P<Status>\w+) meeting cannot be edited$`), "sec.err.edit"},
	{regexp.MustCompile(`^the agenda of a (?P<Status>\w+) meeting cannot be edited$`), "sec.err.edit_agenda"},
	{regexp.MustCompile(`^only a held or cancelled meeting can be archived; this one is (?P<Status>\w+)$`), "sec.err.archive"},
	{regexp.MustCompile(`^invitations go out for a published meeting whose registration has not closed; this one is (?P<Status>\w+)$`), "sec.err.invite"},
	{regexp.MustCompile(`^reminders go out while registration is open; this meeting is (?P<Status>\w+)$`), "sec.err.remind"},
	// Registrations and mail.
	{regexp.MustCompile(`^only a pending registration can be approved; this one is (?P<RegStatus>\w+)$`), "sec.err.approve"},
	{regexp.MustCompile(`^only a confirmed participant can be checked in; this registration is (?P<RegStatus>\w+)$`), "sec.err.check_in"},
	{regexp.MustCompile(`^this registration is already (?P<RegStatus>\w+)$`), "sec.err.already"},
	{regexp.MustCompile(`^only a failed or sent email can be sent again; this one is (?P<MailStatus>\w+)$`), "sec.err.resend"},
	{regexp.MustCompile(`^no such email$`), "sec.err.no_email"},
}

// message returns a service's message in lang.
func (h *secretariat) message(msg, lang string) string {
	for _, m := range secMessages {
		sub := m.re.FindStringSubmatch(msg)
		if sub == nil {
			continue
		}
		data := map[string]any{}
		for i, name := range m.re.SubexpNames() {
			switch name {
			case "":
			case "Field":
				data[name] = h.fieldLabel(lang, sub[i])
			case "Status":
				data[name] = h.cat.T(lang, "status."+sub[i], nil)
			case "RegStatus":
				data[name] = registration.StatusLabel(sub[i], lang)
			case "MailStatus":
				data[name] = h.cat.T(lang, "sec.mail.status."+sub[i], nil)
			default:
				data[name] = sub[i]
			}
		}
		return h.cat.T(lang, m.id, data)
	}
	return translateFieldError(msg, lang)
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
func (h *secretariat) fieldProblem(lang, field, msg string) string {
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
