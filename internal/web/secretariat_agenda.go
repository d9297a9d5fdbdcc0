package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/registration"
)

// secItemFields are the agenda item form's fields, as the API names them.
var secItemFields = []string{"title_en", "title_fr", "notes_en", "notes_fr", "parent_id", "starts_at", "ends_at", "speakers", "speaker_registrations"}

// secAgendaView is the agenda editor: the agenda in display order, each
// item with its small forms, and one form to add an item or edit one.
type secAgendaView struct {
	secHead
	Items []meeting.Item
	// Editing is the item the form edits; nil when the form adds one.
	Editing *meeting.Item
	Form    *form
	Summary []secFieldError
	// Parents are the items that can take sub-items.
	Parents []meeting.Item
	// First and Last mark the items that cannot move up or down among
	// their siblings.
	First, Last map[int64]bool
	Min, Max    string // the meeting's dates, for the time inputs
	// Linked names the edited item's speakers who are linked to a
	// registration ("" when none): saving keeps their links.
	Linked string
	// Participants are the meeting's confirmed participants, delegates
	// and guests, whom the form links as speakers (speaker_registrations).
	Participants []speakerChoice
}

// speakerChoice is a participant the agenda form can link as a speaker.
type speakerChoice struct {
	ID       int64
	Name     string
	Detail   string // their invitee, or a guest's own organisation
	Selected bool
}

// renderAgenda shows the editor with f as the add or edit form.
func (h *secretariat) renderAgenda(c *gin.Context, status int, head secHead, editing *meeting.Item, f *form) {
	lang := language(c)
	items, err := h.deps.Meetings.AgendaOf(c.Request.Context(), head.M)
	if err != nil {
		h.failed(c, err)
		return
	}
	v := secAgendaView{secHead: head, Items: items, Editing: editing, Form: f,
		Summary: h.summary(f, lang, secItemFields), First: map[int64]bool{}, Last: map[int64]bool{},
		Min: head.M.StartsAt.In(head.Loc).Format(secLocalLayout), Max: head.M.EndsAt.In(head.Loc).Format(secLocalLayout)}
	selected := map[int64]bool{}
	if editing != nil {
		var names []string
		for _, sp := range editing.Speakers {
			if sp.RegistrationID != nil {
				names = append(names, sp.Name)
				selected[*sp.RegistrationID] = true
			}
		}
		v.Linked = strings.Join(names, ", ")
	}
	if c.Request.Method == http.MethodPost && c.PostForm("speaker_picker") != "" {
		selected = map[int64]bool{} // the form as posted
		for _, id := range c.PostFormArray("speaker_registrations") {
			if n, err := strconv.ParseInt(id, 10, 64); err == nil {
				selected[n] = true
			}
		}
	}
	people, err := h.speakerChoices(c, head, lang, selected)
	if err != nil {
		h.failed(c, err)
		return
	}
	v.Participants = people
	seen := map[int64]bool{}    // parent (0: top level) → a sibling came before
	lastOf := map[int64]int64{} // parent → its last child so far
	for _, it := range items {
		p := secParentID(it.ParentID)
		if !seen[p] {
			v.First[it.ID], seen[p] = true, true
		}
		lastOf[p] = it.ID
		if it.ParentID == nil && (editing == nil || it.ID != editing.ID) {
			v.Parents = append(v.Parents, it)
		}
	}
	for _, id := range lastOf {
		v.Last[id] = true
	}
	h.renderPage(c, status, "secretariat_agenda", lang, h.title(lang, "sec.tab.agenda", head.M), v)
}

// speakerChoices lists the meeting's confirmed participants in protocol
// order (guests last), those in selected marked.
func (h *secretariat) speakerChoices(c *gin.Context, head secHead, lang string, selected map[int64]bool) ([]speakerChoice, error) {
	rows, _, err := h.deps.Registrations.Registrations(c.Request.Context(), actorOf(c), head.M.ID,
		registration.Filter{Status: registration.StatusConfirmed, Lang: lang})
	if err != nil {
		return nil, err
	}
	out := make([]speakerChoice, len(rows))
	for i, r := range rows {
		detail := r.StateName
		if r.GuestID != nil {
			detail = r.Organisation
		}
		out[i] = speakerChoice{ID: r.ID, Name: r.Name(), Detail: detail, Selected: selected[r.ID]}
	}
	return out, nil
}

// postedSpeakerLinks reads the participants chosen as speakers in the
// form (speaker_registrations) and returns what makes them the item's
// linked speakers (secLinkSpeakers). Each must be one of the meeting's
// confirmed participants; any other is a field error added to errs. A
// form without the list (a meeting with no participant yet, or a client
// that does not send it) links nothing: links then follow the typed
// names (secKeepLinks).
func (h *secretariat) postedSpeakerLinks(c *gin.Context, head secHead, lang string, errs apperr.Fields) (func(meeting.Speakers) meeting.Speakers, error) {
	keep := func(sp meeting.Speakers) meeting.Speakers { return sp }
	if c.PostForm("speaker_picker") == "" {
		return keep, nil
	}
	choices, err := h.speakerChoices(c, head, lang, nil)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, v := range c.PostFormArray("speaker_registrations") {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || !slices.ContainsFunc(choices, func(p speakerChoice) bool { return p.ID == id }) {
			errs.Add("speaker_registrations", apperr.M("err.not_valid"))
			return keep, nil
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return func(sp meeting.Speakers) meeting.Speakers { return secLinkSpeakers(sp, ids, choices) }, nil
}

// secLinkSpeakers makes the participants chosen (ids, among choices) the
// item's linked speakers: a speaker keeps a link whose participant is
// still chosen, a typed line with a chosen participant's name takes their
// link, and a chosen participant not typed is added, with their invitee
// (or a guest's organisation) as function. Links not chosen any more are
// dropped; their lines stay, unlinked.
func secLinkSpeakers(speakers meeting.Speakers, ids []int64, choices []speakerChoice) meeting.Speakers {
	linked := map[int64]bool{}
	for i := range speakers {
		if id := speakers[i].RegistrationID; id != nil {
			if slices.Contains(ids, *id) && !linked[*id] {
				linked[*id] = true
			} else {
				speakers[i].RegistrationID = nil
			}
		}
	}
	for _, p := range choices {
		if !slices.Contains(ids, p.ID) || linked[p.ID] {
			continue
		}
		id := p.ID
		found := false
		for i := range speakers {
			if speakers[i].RegistrationID == nil && strings.EqualFold(strings.TrimSpace(speakers[i].Name), p.Name) {
				speakers[i].RegistrationID, found = &id, true
				break
			}
		}
		if !found {
			speakers = append(speakers, meeting.Speaker{Name: p.Name, Function: p.Detail, RegistrationID: &id})
		}
		linked[id] = true
	}
	return speakers
}

// agendaPage: GET /secretariat/meetings/{id}/agenda[?edit=ITEM].
func (h *secretariat) agendaPage(c *gin.Context) {
	head, ok := h.meetingOf(c, "agenda")
	if !ok {
		return
	}
	if id, err := strconv.ParseInt(c.Query("edit"), 10, 64); err == nil {
		it, err := h.itemOf(c, head, id)
		if err != nil {
			h.failed(c, err)
			return
		}
		h.renderAgenda(c, http.StatusOK, head, &it, secItemForm(it, head.Loc))
		return
	}
	h.renderAgenda(c, http.StatusOK, head, nil, newForm(nil))
}

// itemOf finds an item of the meeting's agenda; another meeting's item is
// not found.
func (h *secretariat) itemOf(c *gin.Context, head secHead, id int64) (meeting.Item, error) {
	items, err := h.deps.Meetings.AgendaOf(c.Request.Context(), head.M)
	if err != nil {
		return meeting.Item{}, err
	}
	for _, it := range items {
		if it.ID == id {
			return it, nil
		}
	}
	return meeting.Item{}, apperr.New(apperr.NotFound, apperr.M("err.no_agenda_item"))
}

// secItemForm fills the form from an item.
func secItemForm(it meeting.Item, loc *time.Location) *form {
	v := map[string]string{"title_en": it.TitleEN, "title_fr": it.TitleFR, "notes_en": it.NotesEN, "notes_fr": it.NotesFR}
	if it.ParentID != nil {
		v["parent_id"] = strconv.FormatInt(*it.ParentID, 10)
	}
	if it.StartsAt != nil {
		v["starts_at"] = it.StartsAt.In(loc).Format(secLocalLayout)
	}
	if it.EndsAt != nil {
		v["ends_at"] = it.EndsAt.In(loc).Format(secLocalLayout)
	}
	lines := make([]string, len(it.Speakers))
	for i, sp := range it.Speakers {
		lines[i] = sp.Name
		if sp.Function != "" {
			lines[i] += " — " + sp.Function
		}
	}
	v["speakers"] = strings.Join(lines, "\n")
	return newForm(v)
}

// secSpeakers reads "Name — Function" lines (an en dash, a hyphen between
// spaces, or a comma also separate them); blank lines are skipped.
func secSpeakers(text string) meeting.Speakers {
	out := meeting.Speakers{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		sp := meeting.Speaker{Name: line}
		for _, sep := range []string{"—", " – ", " - ", ","} {
			if name, function, ok := strings.Cut(line, sep); ok {
				sp = meeting.Speaker{Name: strings.TrimSpace(name), Function: strings.TrimSpace(function)}
				break
			}
		}
		out = append(out, sp)
	}
	return out
}

// secKeepLinks gives the speakers typed in the form (next) the links to
// registrations that the item's speakers (cur) had: the form shows speakers
// as lines of text, so a speaker keeps their link while their name is
// unchanged (letter case and spaces aside), whatever else changes.
func secKeepLinks(cur, next meeting.Speakers) meeting.Speakers {
	used := make([]bool, len(cur))
	for i := range next {
		for j, old := range cur {
			if !used[j] && old.RegistrationID != nil && strings.EqualFold(strings.TrimSpace(old.Name), strings.TrimSpace(next[i].Name)) {
				next[i].RegistrationID, used[j] = old.RegistrationID, true
				break
			}
		}
	}
	return next
}

// secReadItem reads the posted item form into f and the item's fields; times
// are read in the meeting's zone.
func secReadItem(c *gin.Context, loc *time.Location) (*form, meeting.ItemFields, apperr.Fields) {
	f := newForm(formValues(c.PostForm, secItemFields...))
	f.Values["speakers"] = c.PostForm("speakers") // keep the lines as typed
	errs := apperr.Fields{}
	it := meeting.ItemFields{TitleEN: f.V("title_en"), TitleFR: f.V("title_fr"), NotesEN: f.V("notes_en"),
		NotesFR: f.V("notes_fr"), Speakers: secSpeakers(f.V("speakers"))}
	if p := f.V("parent_id"); p != "" {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			errs.Add("parent_id", apperr.M("err.not_valid"))
		}
		it.ParentID = &id
	}
	for name, dst := range map[string]**time.Time{"starts_at": &it.StartsAt, "ends_at": &it.EndsAt} {
		if v := f.V(name); v != "" {
			t, ok := secParseLocal(v, loc)
			if !ok {
				errs.Add(name, apperr.M("err.datetime"))
				continue
			}
			*dst = &t
		}
	}
	return f, it, errs
}

// addItemForm: POST /secretariat/meetings/{id}/agenda — add an item, last
// among its siblings.
func (h *secretariat) addItemForm(c *gin.Context) {
	lang := language(c)
	head, ok := h.meetingOf(c, "agenda")
	if !ok {
		return
	}
	f, fields, errs := secReadItem(c, head.Loc)
	link, err := h.postedSpeakerLinks(c, head, lang, errs)
	if err != nil {
		h.failed(c, err)
		return
	}
	fields.Speakers = link(fields.Speakers)
	err = errs.Err()
	var it meeting.Item
	if err == nil {
		it, err = h.deps.Meetings.AddItem(c.Request.Context(), actorOf(c), head.M.ID, fields)
	}
	if err != nil {
		if !h.fail(f, err, lang, secItemFields...) {
			h.failed(c, err)
			return
		}
		h.renderAgenda(c, secStatusFor(err), head, nil, f)
		return
	}
	h.done(c, secMeetingPath(head.M.ID, "/agenda#item-"+strconv.FormatInt(it.ID, 10)), lang, "sec.flash.item_added",
		map[string]any{"Number": it.Number})
}

// updateItemForm: POST /secretariat/meetings/{id}/agenda/{item}. An item
// given another parent goes last among its new siblings.
func (h *secretariat) updateItemForm(c *gin.Context) {
	lang := language(c)
	head, ok := h.meetingOf(c, "agenda")
	if !ok {
		return
	}
	cur, err := h.agendaItemParam(c, head)
	if err != nil {
		h.failed(c, err)
		return
	}
	f, fields, errs := secReadItem(c, head.Loc)
	link, err := h.postedSpeakerLinks(c, head, lang, errs)
	if err != nil {
		h.failed(c, err)
		return
	}
	err = errs.Err()
	if err == nil {
		_, err = h.deps.Meetings.UpdateItem(c.Request.Context(), actorOf(c), cur.ID, func(it *meeting.ItemFields) error {
			if secParentID(it.ParentID) != secParentID(fields.ParentID) {
				it.Position = 0
			}
			it.ParentID, it.TitleEN, it.TitleFR, it.NotesEN, it.NotesFR = fields.ParentID, fields.TitleEN, fields.TitleFR, fields.NotesEN, fields.NotesFR
			it.StartsAt, it.EndsAt = fields.StartsAt, fields.EndsAt
			it.Speakers = link(secKeepLinks(it.Speakers, fields.Speakers))
			return nil
		})
	}
	if err != nil {
		if !h.fail(f, err, lang, secItemFields...) {
			h.failed(c, err)
			return
		}
		h.renderAgenda(c, secStatusFor(err), head, &cur, f)
		return
	}
	h.done(c, secMeetingPath(head.M.ID, "/agenda#item-"+strconv.FormatInt(cur.ID, 10)), lang, "sec.flash.item_saved", nil)
}

// secParentID is an item's parent, 0 for a top-level item.
func secParentID(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// agendaItemParam reads the {item} of the path, an item of the meeting.
func (h *secretariat) agendaItemParam(c *gin.Context, head secHead) (meeting.Item, error) {
	id, err := idParam(c, "item")
	if err != nil {
		return meeting.Item{}, err
	}
	return h.itemOf(c, head, id)
}

// deleteItemForm: POST /secretariat/meetings/{id}/agenda/{item}/delete —
// the item and its sub-items.
func (h *secretariat) deleteItemForm(c *gin.Context) {
	h.agendaAction(c, "sec.flash.item_deleted", false, func(head secHead, it meeting.Item, items []meeting.Item) error {
		return h.deps.Meetings.DeleteItem(c.Request.Context(), actorOf(c), it.ID)
	})
}

// moveItemForm: POST /secretariat/meetings/{id}/agenda/{item}/move with
// direction=up|down — swaps the item with its neighbour among its
// siblings and sets the whole order at once.
func (h *secretariat) moveItemForm(c *gin.Context) {
	h.agendaAction(c, "sec.flash.item_moved", true, func(head secHead, it meeting.Item, items []meeting.Item) error {
		return h.moveItem(c, head, it, items, c.PostForm("direction") == "up")
	})
}

func (h *secretariat) moveItem(c *gin.Context, head secHead, it meeting.Item, items []meeting.Item, up bool) error {
	ids := make([]int64, len(items))
	at := -1
	for i, x := range items {
		ids[i] = x.ID
		if x.ID == it.ID {
			at = i
		}
	}
	step := 1
	if up {
		step = -1
	}
	for j := at + step; j >= 0 && j < len(items); j += step {
		if secParentID(items[j].ParentID) == secParentID(it.ParentID) {
			ids[at], ids[j] = ids[j], ids[at]
			_, err := h.deps.Meetings.Reorder(c.Request.Context(), actorOf(c), head.M.ID, ids)
			return err
		}
	}
	return nil // already first or last: nothing to do
}

// agendaAction runs a small form of one item and comes back to the
// agenda, showing why when the action is refused.
func (h *secretariat) agendaAction(c *gin.Context, flash string, anchor bool, act func(secHead, meeting.Item, []meeting.Item) error) {
	lang := language(c)
	head, ok := h.meetingOf(c, "agenda")
	if !ok {
		return
	}
	items, err := h.deps.Meetings.AgendaOf(c.Request.Context(), head.M)
	if err != nil {
		h.failed(c, err)
		return
	}
	id, err := idParam(c, "item")
	var it meeting.Item
	found := false
	for _, x := range items {
		if x.ID == id {
			it, found = x, true
		}
	}
	if err == nil && !found {
		err = apperr.New(apperr.NotFound, apperr.M("err.no_agenda_item"))
	}
	if err == nil {
		err = act(head, it, items)
	}
	if err != nil {
		msg, ok := h.problem(err, lang)
		if !ok {
			h.failed(c, err)
			return
		}
		f := newForm(nil)
		f.Problem = msg
		h.renderAgenda(c, secStatusFor(err), head, nil, f)
		return
	}
	to := secMeetingPath(head.M.ID, "/agenda")
	if anchor {
		to += "#item-" + strconv.FormatInt(it.ID, 10)
	}
	h.done(c, to, lang, flash, nil)
}
