package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// secChange is one line of a meeting's history as the page shows it.
type secChange struct {
	At     time.Time
	By     string
	What   string
	Field  string
	ItemID int64 // the agenda item changed, 0 for the meeting
	Before string
	After  string
}

// secHistoryView is a meeting's history, newest first.
type secHistoryView struct {
	secHead
	Changes []secChange
}

// historyPage: GET /secretariat/meetings/{id}/history.
func (h *secretariat) historyPage(c *gin.Context) {
	lang := language(c)
	head, ok := h.meetingOf(c, "history")
	if !ok {
		return
	}
	changes, err := h.deps.Meetings.History(c.Request.Context(), actorOf(c), head.M.ID)
	if err != nil {
		h.failed(c, err)
		return
	}
	v := secHistoryView{secHead: head, Changes: make([]secChange, 0, len(changes))}
	for i := len(changes) - 1; i >= 0; i-- {
		ch := changes[i]
		line := secChange{At: ch.At, What: h.cat.T(lang, "sec.change."+ch.What, nil),
			Before: secJSONText(ch.Before), After: secJSONText(ch.After)}
		if ch.AgendaItemID != nil {
			line.ItemID = *ch.AgendaItemID
		}
		if ch.By != nil {
			line.By = ch.By.Name
		}
		if ch.Field != "" {
			line.Field = h.fieldLabel(lang, ch.Field)
		}
		v.Changes = append(v.Changes, line)
	}
	h.renderPage(c, http.StatusOK, "secretariat_history", lang, h.title(lang, "sec.tab.history", head.M), v)
}

// secJSONText shows a recorded value briefly: strings without quotes,
// anything else as compact JSON, cut after 300 characters.
func secJSONText(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		var b bytes.Buffer
		if json.Compact(&b, raw) == nil {
			s = b.String()
		} else {
			s = string(raw)
		}
	}
	if utf8.RuneCountInString(s) > 300 {
		s = string([]rune(s)[:300]) + "…"
	}
	return s
}
