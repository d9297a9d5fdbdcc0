package meeting

import (
	"fmt"
	"net/url"

	"github.com/coe-agora/agora/internal/calendar"
)

// UID is the meeting's iCalendar UID: stable for its whole life, so every
// update and cancellation replaces the same event in people's calendars.
func UID(id int64, baseURL string) string {
	host := "agora"
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return fmt.Sprintf("meeting-%d@%s", id, host)
}

// CalendarEvent describes the meeting for calendars, in lang.
func CalendarEvent(m Meeting, lang, baseURL string) calendar.Event {
	return calendar.Event{
		UID:         UID(m.ID, baseURL),
		Sequence:    m.Sequence,
		Summary:     m.Title(lang),
		Description: m.Description(lang),
		Location:    m.Location(lang),
		URL:         fmt.Sprintf("%s/meetings/%d?lang=%s", baseURL, m.ID, lang),
		Start:       m.StartsAt,
		End:         m.EndsAt,
		TimeZone:    m.TimeZone,
		Cancelled:   m.Status == StatusCancelled,
		Stamp:       m.UpdatedAt,
		Language:    lang,
	}
}
