package mail

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/coe-agora/agora/internal/apperr"
)

// fault says why m cannot be sent as it is — what its builder reported
// (Fault) and what validation finds — or "" when it can.
func (m Message) fault() string {
	var why []string
	if m.Fault != "" {
		why = append(why, m.Fault)
	}
	if e, ok := apperr.As(m.Validate()); ok {
		fields := make([]string, 0, len(e.Fields))
		for field := range e.Fields {
			fields = append(fields, field)
		}
		sort.Strings(fields)
		for _, field := range fields {
			why = append(why, field+" "+e.Fields[field].String())
		}
	}
	if len(why) == 0 {
		return ""
	}
	return "not sent: the email could not be built: " + strings.Join(why, "; ")
}

// salvage returns what of m can be written into outgoing_mail whatever
// was wrong with it: every CHECK of the table holds, single-line fields
// have no control characters (a resend must not inject headers), and an
// unusable calendar is left out. It keeps all it can, so that the mail
// log shows whom the email was for and what it was about.
func (m Message) salvage(messageID string) Message {
	if !kindRE.MatchString(m.Kind) {
		m.Kind = "unknown"
	}
	m.To = clip(oneLine(m.To), maxAddressLength)
	if len(m.To) < 3 {
		m.To = "(none)"
	}
	m.ToName = clip(oneLine(m.ToName), MaxNameLength)
	if m.Language != "en" && m.Language != "fr" {
		m.Language = "en"
	}
	m.Subject = clip(oneLine(m.Subject), maxSubjectLength)
	if strings.TrimSpace(m.Subject) == "" {
		m.Subject = "(" + m.Kind + ")"
	}
	m.Text, m.HTML = validText(m.Text), validText(m.HTML)
	f := apperr.Fields{}
	if checkCalendar(f, m.Calendar, m.CalendarMethod); len(f) > 0 {
		m.Calendar, m.CalendarMethod = nil, ""
	}
	m.MeetingID, m.RegistrationID = max(m.MeetingID, 0), max(m.RegistrationID, 0)
	m.DedupeKey = clip(oneLine(m.DedupeKey), maxDedupeKeyLength)
	if strings.TrimSpace(m.DedupeKey) == "" {
		m.DedupeKey = "unbuilt:" + messageID
	}
	return m
}

// oneLine is s as valid UTF-8 with every control character a space.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// validText is s without what PostgreSQL's text refuses.
func validText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// clip cuts s to at most max characters.
func clip(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max])
}

// Failed notes on m that a part of it (what: "content", "calendar")
// could not be built, for [Outbox.Enqueue] to record the email as failed
// with the reason instead of failing the caller's transaction.
func (m *Message) Failed(what string, err error) {
	if m.Fault != "" {
		m.Fault += "; "
	}
	m.Fault += what + ": " + err.Error()
}
