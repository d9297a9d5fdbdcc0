package digest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/coe-agora/agora/internal/i18n"
	"github.com/coe-agora/agora/internal/meeting"
)

// meetingFields are the fields of a meeting that delegates are told
// about, in the order of the lines.
var meetingFields = []string{"title_en", "title_fr", "description_en", "description_fr",
	"starts_at", "ends_at", "timezone", "format", "venue", "venue_en", "venue_fr", "online_url"}

// timeOrPlace are the fields whose change sends an updated calendar
// invitation (the meeting service raises the SEQUENCE for the same ones).
var timeOrPlace = map[string]bool{"starts_at": true, "ends_at": true, "timezone": true,
	"format": true, "venue": true, "venue_en": true, "venue_fr": true, "online_url": true}

// fieldChange is the net change of one field over a burst of changes: its
// value before the first and after the last.
type fieldChange struct {
	field         string
	before, after json.RawMessage
}

// changed reports whether the burst left the field different (venue A → B
// → A is no news).
func (f *fieldChange) changed() bool {
	if f.field == "starts_at" || f.field == "ends_at" {
		a, b := timeOf(f.before), timeOf(f.after)
		return (a == nil) != (b == nil) || a != nil && !a.Equal(*b)
	}
	return !bytes.Equal(compact(f.before), compact(f.after))
}

// itemNews is what happened to one agenda item over a burst.
type itemNews struct {
	id      int64
	added   json.RawMessage // the item as added, when added in the burst
	removed json.RawMessage // the item as it was when removed
	fields  []*fieldChange  // net changes of its fields
}

// news is the net effect of a burst of changes of one meeting, built from
// its history; lines renders it for a reader.
type news struct {
	meeting []*fieldChange
	items   []*itemNews
	reorder *fieldChange
}

// summarize folds changes (oldest first) into their net effect, keeping
// only what concerns delegates.
func summarize(cs []meeting.Change) news {
	var n news
	for _, c := range cs {
		switch c.What {
		case meeting.ChangeUpdate:
			if slices.Contains(meetingFields, c.Field) {
				n.meeting = merge(n.meeting, c)
			}
		case meeting.ChangeAgendaReorder:
			if n.reorder == nil {
				n.reorder = &fieldChange{field: c.Field, before: c.Before}
			}
			n.reorder.after = c.After
		case meeting.ChangeAgendaAdd, meeting.ChangeAgendaUpdate, meeting.ChangeAgendaDelete:
			if c.AgendaItemID == nil {
				continue
			}
			it := n.item(*c.AgendaItemID)
			switch c.What {
			case meeting.ChangeAgendaAdd:
				it.added = c.After
			case meeting.ChangeAgendaDelete:
				it.removed = c.Before
			default:
				it.fields = merge(it.fields, c)
			}
		}
	}
	return n
}

func (n *news) item(id int64) *itemNews {
	for _, it := range n.items {
		if it.id == id {
			return it
		}
	}
	it := &itemNews{id: id}
	n.items = append(n.items, it)
	return it
}

func merge(list []*fieldChange, c meeting.Change) []*fieldChange {
	for _, f := range list {
		if f.field == c.Field {
			f.after = c.After
			return list
		}
	}
	return append(list, &fieldChange{field: c.Field, before: c.Before, after: c.After})
}

// timeOrPlaceChanged reports whether calendars need the update.
func (n news) timeOrPlaceChanged() bool {
	for _, f := range n.meeting {
		if timeOrPlace[f.field] && f.changed() {
			return true
		}
	}
	return false
}

// lines renders the news in lang for the meeting m as it now stands, with
// its agenda now (by item id, numbered). A change of a text in one
// language is shown to readers of that language, and to readers of the
// other whose own text is empty (they see this one instead).
func (n news) lines(lang string, m meeting.Meeting, agenda map[int64]meeting.Item) []string {
	w := wordsIn(lang)
	loc := m.Zone()
	var out []string
	for _, name := range meetingFields {
		f := find(n.meeting, name)
		if f == nil || !f.changed() {
			continue
		}
		switch name {
		case "title_en", "title_fr":
			if shown(name, lang, m.TitleEN, m.TitleFR) {
				out = append(out, w.fieldLine(w.title, str(f.before), str(f.after)))
			}
		case "description_en", "description_fr":
			if shown(name, lang, m.DescriptionEN, m.DescriptionFR) && !slices.Contains(out, w.descriptionUpdated) {
				out = append(out, w.descriptionUpdated)
			}
		case "starts_at":
			out = append(out, w.fieldLine(w.start, dateTime(timeOf(f.before), loc, lang), dateTime(timeOf(f.after), loc, lang)))
		case "ends_at":
			out = append(out, w.fieldLine(w.end, dateTime(timeOf(f.before), loc, lang), dateTime(timeOf(f.after), loc, lang)))
		case "timezone":
			out = append(out, w.fieldLine(w.timeZone, str(f.before), str(f.after)))
		case "format":
			out = append(out, w.fieldLine(w.format, w.formatName(str(f.before)), w.formatName(str(f.after))))
		case "venue": // recorded before the venue had two languages
			out = append(out, w.fieldLine(w.venue, str(f.before), str(f.after)))
		case "venue_en", "venue_fr":
			if shown(name, lang, m.VenueEN, m.VenueFR) {
				out = append(out, w.fieldLine(w.venue, str(f.before), str(f.after)))
			}
		case "online_url":
			out = append(out, w.fieldLine(w.onlineURL, str(f.before), str(f.after)))
		}
	}
	for _, it := range n.items {
		out = append(out, it.lines(w, lang, loc, agenda)...)
	}
	if n.reorder != nil && n.reorder.changed() {
		out = append(out, w.reordered)
	}
	return out
}

// lines renders what happened to one agenda item.
func (it *itemNews) lines(w *words, lang string, loc *time.Location, agenda map[int64]meeting.Item) []string {
	cur, exists := agenda[it.id]
	switch {
	case it.added != nil && it.removed != nil, it.added != nil && !exists:
		return nil // added and removed again (maybe with its parent) within the burst
	case it.added != nil:
		title := w.quote(it.title(lang))
		if cur.Number != "" {
			return []string{fmt.Sprintf(w.addedNumbered, cur.Number, title)}
		}
		return []string{fmt.Sprintf(w.added, title)}
	case it.removed != nil:
		return []string{fmt.Sprintf(w.removed, w.quote(it.title(lang)))}
	case !exists:
		return nil // removed with its parent, which has its own line
	}
	prefix := fmt.Sprintf(w.item, w.quote(cur.Title(lang)))
	var out []string
	add := func(s string) {
		if !slices.Contains(out, prefix+s) {
			out = append(out, prefix+s)
		}
	}
	for _, f := range it.fields {
		if !f.changed() {
			continue
		}
		switch f.field {
		case "title_en", "title_fr":
			if shown(f.field, lang, cur.TitleEN, cur.TitleFR) {
				out = append(out, fmt.Sprintf(w.item, w.quote(str(f.before)))+fmt.Sprintf(w.renamed, w.quote(str(f.after))))
			}
		case "starts_at", "ends_at":
			add(it.timeChange(w, lang, loc, cur))
		case "parent_id", "position":
			add(fmt.Sprintf(w.movedTo, cur.Number))
		case "notes_en", "notes_fr":
			if shown(f.field, lang, cur.NotesEN, cur.NotesFR) {
				add(w.notesUpdated)
			}
		case "speakers":
			add(fmt.Sprintf(w.speakersChanged, w.orNone(speakerNames(f.before)), w.orNone(speakerNames(f.after))))
		default:
			add(w.changed)
		}
	}
	return out
}

// title is the item's title in lang as the burst's JSON has it: as added
// (then renamed) or as removed.
func (it *itemNews) title(lang string) string {
	var t struct {
		TitleEN string `json:"title_en"`
		TitleFR string `json:"title_fr"`
	}
	if it.removed != nil {
		_ = json.Unmarshal(it.removed, &t)
	} else {
		_ = json.Unmarshal(it.added, &t)
		if f := find(it.fields, "title_en"); f != nil {
			t.TitleEN = str(f.after)
		}
		if f := find(it.fields, "title_fr"); f != nil {
			t.TitleFR = str(f.after)
		}
	}
	return meeting.Item{ItemFields: meeting.ItemFields{TitleEN: t.TitleEN, TitleFR: t.TitleFR}}.Title(lang)
}

// timeChange is "time changed 09:30 → 10:00" (with the dates when the day
// changes too), from the item's times before and after the burst.
func (it *itemNews) timeChange(w *words, lang string, loc *time.Location, cur meeting.Item) string {
	bs, as := cur.StartsAt, cur.StartsAt
	if f := find(it.fields, "starts_at"); f != nil {
		bs, as = timeOf(f.before), timeOf(f.after)
	}
	be, ae := cur.EndsAt, cur.EndsAt
	if f := find(it.fields, "ends_at"); f != nil {
		be, ae = timeOf(f.before), timeOf(f.after)
	}
	sameDay := bs != nil && as != nil && bs.In(loc).Format(time.DateOnly) == as.In(loc).Format(time.DateOnly)
	return fmt.Sprintf(w.timeChanged, timeRange(w, bs, be, loc, lang, !sameDay), timeRange(w, as, ae, loc, lang, !sameDay))
}

// timeRange is "09:30", "09:30–10:00", or with the date in front.
func timeRange(w *words, start, end *time.Time, loc *time.Location, lang string, withDate bool) string {
	if start == nil {
		return w.noTime
	}
	s := i18n.Clock(start.In(loc))
	if withDate {
		s = i18n.DateTime(start.In(loc), lang)
	}
	if end != nil {
		s += "–" + i18n.Clock(end.In(loc))
	}
	return s
}

func dateTime(t *time.Time, loc *time.Location, lang string) string {
	if t == nil {
		return ""
	}
	return i18n.DateTime(t.In(loc), lang)
}

// shown reports whether a change of field (ending in _en or _fr) concerns
// a reader of lang, given the texts as they now stand.
func shown(field, lang, en, fr string) bool {
	switch {
	case strings.HasSuffix(field, "_"+lang):
		return true
	case lang == "fr":
		return fr == ""
	default:
		return en == ""
	}
}

func speakerNames(raw json.RawMessage) string {
	var ss []struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(raw, &ss)
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.Name
	}
	return strings.Join(names, ", ")
}

func find(list []*fieldChange, field string) *fieldChange {
	for _, f := range list {
		if f.field == field {
			return f
		}
	}
	return nil
}

// str decodes a JSON string ("" for null or anything else).
func str(raw json.RawMessage) string {
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}

// timeOf decodes a JSON time (nil for null).
func timeOf(raw json.RawMessage) *time.Time {
	var t *time.Time
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil
	}
	return t
}

func compact(raw json.RawMessage) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return raw
	}
	return b.Bytes()
}
