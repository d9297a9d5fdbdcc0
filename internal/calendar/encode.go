package calendar

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"
)

// encode writes cal as RFC 5545 text.
//
// golang-ical v0.3.4's own Serialize is not used because its output is not
// safe to mail: on Unix it ends lines with a bare LF; it writes parameter
// values with backslash escapes instead of quoting (CN=Dupont\, Jean,
// CN=O\'Brien), which RFC 5545 does not define; it copies CR and LF inside
// parameter values unchanged, so a delegate's name could add properties; and
// it leaves CR unescaped in TEXT values. Its model and its parser are fine.
func encode(cal *ics.Calendar) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("BEGIN:VCALENDAR\r\n")
	for _, p := range cal.CalendarProperties {
		if err := writeProperty(&b, p.BaseProperty); err != nil {
			return nil, err
		}
	}
	for _, c := range cal.Components {
		if err := writeComponent(&b, c); err != nil {
			return nil, err
		}
	}
	b.WriteString("END:VCALENDAR\r\n")
	return b.Bytes(), nil
}

func writeComponent(b *bytes.Buffer, c ics.Component) error {
	var name string
	switch c.(type) {
	case *ics.VEvent:
		name = string(ics.ComponentVEvent)
	case *ics.VTimezone:
		name = string(ics.ComponentVTimezone)
	case *ics.Standard:
		name = string(ics.ComponentStandard)
	case *ics.Daylight:
		name = string(ics.ComponentDaylight)
	default:
		return fmt.Errorf("calendar: cannot encode component %T", c)
	}
	b.WriteString("BEGIN:" + name + "\r\n")
	for _, p := range c.UnknownPropertiesIANAProperties() {
		if err := writeProperty(b, p.BaseProperty); err != nil {
			return err
		}
	}
	for _, sub := range c.SubComponents() {
		if err := writeComponent(b, sub); err != nil {
			return err
		}
	}
	b.WriteString("END:" + name + "\r\n")
	return nil
}

var token = regexp.MustCompile(`^[A-Za-z0-9-]+$`)

// writeProperty writes one content line, folded.
func writeProperty(b *bytes.Buffer, p ics.BaseProperty) error {
	if !token.MatchString(p.IANAToken) {
		return fmt.Errorf("calendar: bad property name %q", p.IANAToken)
	}
	var line strings.Builder
	line.WriteString(p.IANAToken)

	keys := make([]string, 0, len(p.ICalParameters))
	for k := range p.ICalParameters {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !token.MatchString(k) {
			return fmt.Errorf("calendar: bad parameter name %q in %s", k, p.IANAToken)
		}
		line.WriteString(";" + k + "=")
		for i, v := range p.ICalParameters[k] {
			if i > 0 {
				line.WriteByte(',')
			}
			line.WriteString(paramValue(v))
		}
	}

	line.WriteByte(':')
	if p.GetValueType() == ics.ValueDataTypeText {
		line.WriteString(ics.ToText(cleanText(p.Value)))
	} else {
		// Dates, numbers, URIs and addresses are produced or validated here;
		// a control character in one is a bug, not something to escape.
		if hasControl(p.Value) {
			return fmt.Errorf("calendar: control character in %s value", p.IANAToken)
		}
		line.WriteString(p.Value)
	}
	fold(b, line.String())
	return nil
}

// paramValue writes a parameter value, quoted when it holds a character that
// would end it. RFC 5545 has no escape inside parameter values, so DQUOTE,
// which cannot appear even quoted, becomes an apostrophe.
func paramValue(v string) string {
	v = cleanParam(v)
	if strings.ContainsAny(v, ":;,") {
		return `"` + v + `"`
	}
	return v
}

// fold writes line followed by CRLF, breaking it into physical lines of at
// most 75 octets (RFC 5545 §3.1). Continuation lines start with a space and
// no UTF-8 sequence is split, so every physical line is valid UTF-8.
func fold(b *bytes.Buffer, line string) {
	const limit = 75
	room := limit
	for len(line) > room {
		cut := room
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		b.WriteString(line[:cut])
		b.WriteString("\r\n ")
		line = line[cut:]
		room = limit - 1
	}
	b.WriteString(line)
	b.WriteString("\r\n")
}

// lineBreaks turns every way of ending a line into "\n", which TEXT escaping
// writes as \n.
var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u0085", "\n", "\u2028", "\n", "\u2029", "\n")

// cleanText makes s safe as a TEXT value: valid UTF-8, line breaks as "\n",
// and no other control character except TAB.
func cleanText(s string) string {
	s = lineBreaks.Replace(strings.ToValidUTF8(s, "\uFFFD"))
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || !isControl(r) {
			return r
		}
		return -1
	}, s)
}

// cleanParam makes s safe as a parameter value: valid UTF-8, controls and
// line breaks as spaces, DQUOTE as an apostrophe.
func cleanParam(s string) string {
	s = lineBreaks.Replace(strings.ToValidUTF8(s, "\uFFFD"))
	return strings.Map(func(r rune) rune {
		switch {
		case r == '"':
			return '\''
		case r == '\\':
			// RFC 5545 has no escapes in parameters, but some parsers
			// read a backslash as one and lose the rest of the line.
			return '/'
		case isControl(r):
			return ' '
		}
		return r
	}, s)
}

func isControl(r rune) bool { return r < ' ' || r == 0x7f }

func hasControl(s string) bool { return strings.IndexFunc(s, isControl) >= 0 }
