package meeting

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/coe-agora/agora/internal/apperr"
)

// Speaker speaks to an agenda item; RegistrationID links a registered participant.
type Speaker struct {
	Name           string `json:"name" validate:"required,max=200,singleline"`
	Function       string `json:"function" validate:"max=200,singleline"`
	RegistrationID *int64 `json:"registration_id"`
}

// Speakers is stored as a JSON array.
type Speakers []Speaker

// Value stores speakers as JSON.
func (s Speakers) Value() (driver.Value, error) {
	if s == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(s)
}

// UnmarshalJSON replaces the list: a PATCH that gives speakers gives all
// of them, not changes to the speakers already there (decoding onto the
// old list would keep old functions and links under new names). Unknown
// fields are refused, as everywhere in the API.
func (s *Speakers) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var fresh []Speaker
	if err := dec.Decode(&fresh); err != nil {
		return err
	}
	*s = fresh
	return nil
}

// clone copies the list and the links, so that editing the copy leaves the
// original as it was.
func (s Speakers) clone() Speakers {
	out := slices.Clone(s)
	for i := range out {
		out[i].RegistrationID = clonePtr(out[i].RegistrationID)
	}
	return out
}

// Scan reads speakers from JSON.
func (s *Speakers) Scan(src any) error {
	b, ok := src.([]byte)
	if !ok {
		if str, isStr := src.(string); isStr {
			b = []byte(str)
		} else {
			return errors.New("meeting: speakers: not JSON")
		}
	}
	return json.Unmarshal(b, s)
}

// ItemFields are the editable fields of an agenda item.
type ItemFields struct {
	ParentID *int64     `db:"parent_id" json:"parent_id"`
	Position int        `db:"position" json:"position" validate:"gte=0,lte=1000"`
	TitleEN  string     `db:"title_en" json:"title_en" validate:"max=500,singleline"`
	TitleFR  string     `db:"title_fr" json:"title_fr" validate:"max=500,singleline"`
	NotesEN  string     `db:"notes_en" json:"notes_en" validate:"max=5000,text"`
	NotesFR  string     `db:"notes_fr" json:"notes_fr" validate:"max=5000,text"`
	StartsAt *time.Time `db:"starts_at" json:"starts_at"`
	EndsAt   *time.Time `db:"ends_at" json:"ends_at"`
	Speakers Speakers   `db:"speakers" json:"speakers" validate:"max=50,dive"`
}

// Item is an agenda item as shown: with its display number ("2.1").
type Item struct {
	ID        int64  `db:"id" json:"id"`
	MeetingID int64  `db:"meeting_id" json:"meeting_id"`
	Number    string `db:"-" json:"number"`
	ItemFields
}

// Title returns the title in lang, falling back to the other language.
func (it Item) Title(lang string) string { return inLang(lang, it.TitleEN, it.TitleFR) }

// Notes returns the notes in lang, falling back to the other language.
func (it Item) Notes(lang string) string { return inLang(lang, it.NotesEN, it.NotesFR) }

// Depth is 0 for a top-level item and 1 for a sub-item.
func (it Item) Depth() int {
	if it.ParentID == nil {
		return 0
	}
	return 1
}

func (f *ItemFields) normalize() {
	for _, s := range []*string{&f.TitleEN, &f.TitleFR, &f.NotesEN, &f.NotesFR} {
		*s = strings.TrimSpace(*s)
	}
	for i := range f.Speakers {
		f.Speakers[i].Name = strings.TrimSpace(f.Speakers[i].Name)
		f.Speakers[i].Function = strings.TrimSpace(f.Speakers[i].Function)
	}
	if f.Speakers == nil {
		f.Speakers = Speakers{}
	}
}

// displayOrder sorts items for display (each top-level item followed by its
// sub-items, each level by position) and numbers them.
func displayOrder(items []Item) []Item {
	children := map[int64][]Item{}
	var top []Item
	for _, it := range items {
		if it.ParentID == nil {
			top = append(top, it)
		} else {
			children[*it.ParentID] = append(children[*it.ParentID], it)
		}
	}
	byPos := func(list []Item) {
		sort.SliceStable(list, func(i, j int) bool {
			if list[i].Position != list[j].Position {
				return list[i].Position < list[j].Position
			}
			return list[i].ID < list[j].ID
		})
	}
	byPos(top)
	out := make([]Item, 0, len(items))
	for i, it := range top {
		it.Number = strconv.Itoa(i + 1)
		out = append(out, it)
		kids := children[it.ID]
		byPos(kids)
		for j, k := range kids {
			k.Number = fmt.Sprintf("%d.%d", i+1, j+1)
			out = append(out, k)
		}
	}
	return out
}

// checkItem applies the rules that involve the meeting and the siblings:
// a parent in the same meeting and at the top level, times inside the
// meeting and not overlapping a timed sibling.
func checkItem(m Meeting, items []Item, id int64, f ItemFields, errs apperr.Fields) {
	if f.TitleEN == "" && f.TitleFR == "" {
		errs.Add("title_en", apperr.M("err.title_required"))
	}
	if f.ParentID != nil {
		parent, ok := find(items, *f.ParentID)
		switch {
		case !ok:
			errs.Add("parent_id", apperr.M("err.parent_unknown"))
		case *f.ParentID == id:
			errs.Add("parent_id", apperr.M("err.parent_self"))
		case parent.ParentID != nil:
			errs.Add("parent_id", apperr.M("err.parent_depth"))
		case hasChildren(items, id):
			errs.Add("parent_id", apperr.M("err.parent_has_children"))
		}
	}
	if f.EndsAt != nil && f.StartsAt == nil {
		errs.Add("starts_at", apperr.M("err.start_needed", "Field", "ends_at"))
	}
	for field, t := range map[string]*time.Time{"starts_at": f.StartsAt, "ends_at": f.EndsAt} {
		if t != nil && (t.Before(m.StartsAt) || t.After(m.EndsAt)) {
			errs.Add(field, apperr.M("err.within_meeting"))
		}
	}
	if f.StartsAt == nil || f.EndsAt == nil {
		return
	}
	if !f.EndsAt.After(*f.StartsAt) {
		errs.Add("ends_at", apperr.M("err.after", "Field", "starts_at"))
		return
	}
	for _, sib := range items {
		if sib.ID == id || !sameParent(sib.ParentID, f.ParentID) || sib.StartsAt == nil || sib.EndsAt == nil {
			continue
		}
		if f.StartsAt.Before(*sib.EndsAt) && sib.StartsAt.Before(*f.EndsAt) {
			errs.Add("starts_at", apperr.M("err.overlaps", "Title", sib.Title("en")))
			return
		}
	}
}

func find(items []Item, id int64) (Item, bool) {
	for _, it := range items {
		if it.ID == id {
			return it, true
		}
	}
	return Item{}, false
}

func hasChildren(items []Item, id int64) bool {
	for _, it := range items {
		if it.ParentID != nil && *it.ParentID == id {
			return true
		}
	}
	return false
}

func sameParent(a, b *int64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// siblingIDs lists, in order, the items under parent, leaving out one id.
func siblingIDs(items []Item, parent *int64, except int64) []int64 {
	var sibs []Item
	for _, it := range items {
		if it.ID != except && sameParent(it.ParentID, parent) {
			sibs = append(sibs, it)
		}
	}
	sort.SliceStable(sibs, func(i, j int) bool { return sibs[i].Position < sibs[j].Position })
	ids := make([]int64, len(sibs))
	for i, s := range sibs {
		ids[i] = s.ID
	}
	return ids
}

// insertAt puts id at 1-based position pos (0 or past the end: last).
func insertAt(ids []int64, id int64, pos int) []int64 {
	if pos <= 0 || pos > len(ids) {
		return append(ids, id)
	}
	out := append([]int64{}, ids[:pos-1]...)
	out = append(out, id)
	return append(out, ids[pos-1:]...)
}
