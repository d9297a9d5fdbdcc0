package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/state"
)

// secRow is one state's line in a meeting's counts: whether it is invited,
// and how many people it registered, by status.
type secRow struct {
	State      string
	Name       string
	Invited    bool
	InvitedAt  *time.Time
	Registered int // pending, confirmed or waitlisted
	Confirmed  int
	Waitlisted int
	Pending    int
	CheckedIn  int
	SeatsLeft  int
	Funded     int
	// InvitedStates, in a total, is how many states are invited.
	InvitedStates int
}

// secTotal adds rows up.
func secTotal(rows []secRow) secRow {
	var t secRow
	for _, r := range rows {
		if r.Invited {
			t.InvitedStates++
		}
		t.Registered += r.Registered
		t.Confirmed += r.Confirmed
		t.Waitlisted += r.Waitlisted
		t.Pending += r.Pending
		t.CheckedIn += r.CheckedIn
		t.Funded += r.Funded
	}
	return t
}

// stateRows lists, in protocol order (roster, as States gives it for the
// page's language), every state that the meeting invites or invited, or
// that registered someone. The caller reads the roster once for all its
// meetings.
func (h *secretariat) stateRows(c *gin.Context, m meeting.Meeting, lang string, roster []state.State) ([]secRow, error) {
	ctx, a := c.Request.Context(), actorOf(c)
	counts, err := h.deps.Registrations.Counts(ctx, a, m.ID, lang)
	if err != nil {
		return nil, err
	}
	invs, err := h.deps.Invitations.Invitations(ctx, a, m.ID)
	if err != nil {
		return nil, err
	}
	rows := map[string]*secRow{}
	for _, sc := range counts {
		rows[sc.State] = &secRow{State: sc.State, Confirmed: sc.Confirmed, Waitlisted: sc.Waitlisted, Pending: sc.Pending,
			Registered: sc.Confirmed + sc.Waitlisted + sc.Pending, CheckedIn: sc.CheckedIn, SeatsLeft: sc.SeatsLeft, Funded: sc.Funded}
	}
	for _, inv := range invs {
		r, ok := rows[inv.State]
		if !ok {
			r = &secRow{State: inv.State, SeatsLeft: m.SeatsPerState}
			rows[inv.State] = r
		}
		r.Invited, r.InvitedAt = inv.Status == "active", inv.SentAt
	}
	out := make([]secRow, 0, len(rows))
	done := map[string]bool{}
	for _, st := range roster {
		if r, ok := rows[st.Code]; ok {
			r.Name = st.Name(lang)
			out = append(out, *r)
			done[st.Code] = true
		}
	}
	// Organisations come after the states, in the order of the counts.
	for _, sc := range counts {
		if r, ok := rows[sc.State]; ok && !done[sc.State] {
			r.Name = sc.StateName
			out = append(out, *r)
			done[sc.State] = true
		}
	}
	return out, nil
}

// secDashMeeting is a meeting on the dashboard, with its counts per state.
type secDashMeeting struct {
	M     meeting.Meeting
	Loc   *time.Location
	Rows  []secRow
	Total secRow
}

// secDashView is the secretariat's dashboard.
type secDashView struct {
	Upcoming []secDashMeeting
	// Held are meetings held and not yet archived.
	Held []meeting.Meeting
}

// dashboard: GET /secretariat — upcoming meetings with their counts per
// state, and the held meetings waiting to be archived.
func (h *secretariat) dashboard(c *gin.Context) {
	lang, ctx, a := language(c), c.Request.Context(), actorOf(c)
	upcoming, _, err := h.deps.Meetings.Meetings(ctx, a, meeting.Filter{Upcoming: true, Limit: 100})
	if err != nil {
		h.failed(c, err)
		return
	}
	roster, err := h.deps.States.States(ctx, lang)
	if err != nil {
		h.failed(c, err)
		return
	}
	var v secDashView
	for _, m := range upcoming {
		rows, err := h.stateRows(c, m, lang, roster)
		if err != nil {
			h.failed(c, err)
			return
		}
		v.Upcoming = append(v.Upcoming, secDashMeeting{M: m, Loc: m.Zone(), Rows: rows, Total: secTotal(rows)})
	}
	if v.Held, _, err = h.deps.Meetings.Meetings(ctx, a, meeting.Filter{Status: meeting.StatusHeld, Limit: 50}); err != nil {
		h.failed(c, err)
		return
	}
	h.renderPage(c, http.StatusOK, "secretariat_dashboard", lang, h.cat.T(lang, "sec.dashboard.title", nil), v)
}
