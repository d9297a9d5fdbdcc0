package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/meeting"
)

// secArchivePageSize is how many past meetings a page of the archive shows.
const secArchivePageSize = 50

// secArchiveView is a page of the secretariat's archive: every meeting that
// has ended or is archived, whatever its status, the most recent first.
type secArchiveView struct {
	Meetings []meeting.Meeting
	// Next leads to older meetings, First back to the most recent ("" when
	// there is no such page).
	Next, First string
}

// archivePage: GET /secretariat/archive[?cursor=] — past meetings (held,
// cancelled, archived, and drafts whose dates went by), which the
// dashboard, about what is coming, no longer shows; held and cancelled
// ones can be archived from here.
func (h *secretariat) archivePage(c *gin.Context) {
	lang, ctx, a := language(c), c.Request.Context(), actorOf(c)
	f := meeting.Filter{Past: true, Limit: secArchivePageSize, Cursor: c.Query("cursor")}
	ms, next, err := h.deps.Meetings.Meetings(ctx, a, f)
	if e, ok := apperr.As(err); ok && e.Fields["cursor"].Key != "" {
		f.Cursor = ""
		ms, next, err = h.deps.Meetings.Meetings(ctx, a, f)
	}
	if err != nil {
		h.failed(c, err)
		return
	}
	v := secArchiveView{Meetings: ms}
	if next != "" {
		v.Next = "/secretariat/archive?" + url.Values{"cursor": {next}}.Encode()
	}
	if f.Cursor != "" {
		v.First = "/secretariat/archive"
	}
	h.renderPage(c, http.StatusOK, "secretariat_archive", lang, h.cat.T(lang, "sec.archive.title", nil), v)
}
