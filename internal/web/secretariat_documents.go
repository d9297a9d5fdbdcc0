package web

import (
	"errors"
	"io"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/justinas/nosurf"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/document"
	"github.com/coe-agora/agora/internal/meeting"
)

// secDocumentsView is the secretariat's page of a meeting's documents.
type secDocumentsView struct {
	secHead
	Documents []document.Document
	Items     []meeting.Item
	MaxMB     int64
	// LastID is the last document, which cannot move down.
	LastID int64
}

// documentsPage: GET /secretariat/meetings/{id}/documents.
func (h *secretariat) documentsPage(c *gin.Context) {
	lang := language(c)
	head, ok := h.meetingOf(c, "documents")
	if !ok {
		return
	}
	ds, _, err := h.deps.Documents.Documents(c.Request.Context(), document.Reader{Actor: actorOf(c)}, head.M.ID)
	if err != nil {
		h.failed(c, err)
		return
	}
	items, err := h.deps.Meetings.AgendaOf(c.Request.Context(), head.M)
	if err != nil {
		h.failed(c, err)
		return
	}
	v := secDocumentsView{secHead: head, Documents: withURLs(ds, ""), Items: items, MaxMB: h.deps.Documents.MaxBytes() >> 20}
	if len(ds) > 0 {
		v.LastID = ds[len(ds)-1].ID
	}
	h.renderPage(c, http.StatusOK, "secretariat_documents", lang, h.title(lang, "sec.tab.documents", head.M), v)
}

// languageSuffix finds a language at the end of a file's name:
// "report_fr.pdf", "report-EN.docx", "report (fr).pdf".
var languageSuffix = regexp.MustCompile(`(?i)^(.*?)[ _.(-]+(en|fr)\)?$`)

// splitLanguage returns a file name's stem without its language and the
// language it names (fallback when it names none).
func splitLanguage(filename, fallback string) (stem, lang string) {
	stem = strings.TrimSuffix(filename, path.Ext(filename))
	if m := languageSuffix.FindStringSubmatch(stem); m != nil && m[1] != "" {
		return m[1], strings.ToLower(m[2])
	}
	return stem, fallback
}

// uploadDocumentsForm: POST /secretariat/meetings/{id}/documents/upload, a
// multipart form read as it streams: csrf_token first, then the settings
// (access, agenda_item_id, language, document), then the files. Each file
// becomes a document — "report_en.pdf" and "report_fr.pdf" one document
// in two languages — or, with document set, that document's new file.
// The CSRF middleware lets this form through unread (it would read the
// whole body first); the token is checked here, before any file.
func (h *secretariat) uploadDocumentsForm(c *gin.Context) {
	lang := language(c)
	head, ok := h.meetingOf(c, "documents")
	if !ok {
		return
	}
	back := secMeetingPath(head.M.ID, "/documents")
	// As the CSRF middleware judges forms: the browser's Sec-Fetch-Site,
	// else Origin or Referer (a page under no-referrer sends "Origin: null").
	if c.GetHeader("Sec-Fetch-Site") != "same-origin" && !h.sameOrigin(c.Request) {
		h.failed(c, cookieAPIForbidden())
		return
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		h.failed(c, apperr.Wrap(err, apperr.Malformed, apperr.M("err.form_unreadable")))
		return
	}
	_ = http.NewResponseController(c.Writer).SetReadDeadline(time.Now().Add(transferTime))
	ctx := c.Request.Context()
	a := actorOf(c)
	fields := map[string]string{}
	csrfOK := false
	byStem := map[string]int64{}
	var done int
	var problems []string
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			var maxBytes *http.MaxBytesError
			if errors.As(err, &maxBytes) {
				err = apperr.New(apperr.TooLarge, apperr.M("err.doc_too_large", "N", h.deps.Documents.MaxBytes()))
			}
			h.failed(c, err)
			return
		}
		if part.FileName() == "" {
			b, _ := io.ReadAll(io.LimitReader(part, 1000))
			fields[part.FormName()] = strings.TrimSpace(string(b))
			if part.FormName() == "csrf_token" {
				csrfOK = nosurf.VerifyToken(nosurf.Token(c.Request), fields["csrf_token"])
			}
			continue
		}
		if !csrfOK {
			h.failed(c, apperr.New(apperr.Forbidden, apperr.M("err.cross_site")))
			return
		}
		if part.FormName() != "files" {
			continue
		}
		name := document.CleanFilename(part.FileName())
		stem, fileLang := splitLanguage(name, fields["language"])
		docID, _ := strconv.ParseInt(fields["document"], 10, 64)
		if docID > 0 {
			// A file replaced from a document's own form: the language
			// chosen there, whatever the file's name says.
			fileLang = fields["language"]
			if d, _, err := h.deps.Documents.Document(ctx, document.Reader{Actor: a}, docID); err != nil || d.MeetingID != head.M.ID {
				h.failed(c, apperr.New(apperr.NotFound, apperr.M("err.no_document")))
				return
			}
		} else {
			docID = byStem[strings.ToLower(stem)]
		}
		if fileLang == "" {
			fileLang = "en"
		}
		up := document.Upload{Language: fileLang, Filename: name, Body: part}
		if docID > 0 {
			_, err = h.deps.Documents.PutFile(ctx, a, docID, up)
		} else {
			f := document.Fields{TitleEN: stem, TitleFR: stem, Access: document.Access(fields["access"])}
			if id, perr := strconv.ParseInt(fields["agenda_item_id"], 10, 64); perr == nil && id > 0 {
				f.AgendaItemID = &id
			}
			var d document.Document
			if d, err = h.deps.Documents.CreateWithFile(ctx, a, head.M.ID, f, up); err == nil {
				byStem[strings.ToLower(stem)] = d.ID
			}
		}
		if err != nil {
			msg, ok := h.problem(err, lang)
			if !ok {
				h.failed(c, err)
				return
			}
			problems = append(problems, name+": "+msg)
			_, _ = io.Copy(io.Discard, part) // on to the next file
			continue
		}
		done++
	}
	flash := h.cat.T(lang, "sec.flash.documents_uploaded", map[string]any{"N": done})
	if len(problems) > 0 {
		flash += " " + strings.Join(problems, " ")
	}
	h.redirectBack(c, back, flash)
}

// documentOf reads a document of the meeting named in the path.
func (h *secretariat) documentOf(c *gin.Context, head secHead) (document.Document, error) {
	id, err := idParam(c, "doc")
	if err != nil {
		return document.Document{}, err
	}
	d, _, err := h.deps.Documents.Document(c.Request.Context(), document.Reader{Actor: actorOf(c)}, id)
	if err == nil && d.MeetingID != head.M.ID {
		err = apperr.New(apperr.NotFound, apperr.M("err.no_document"))
	}
	return d, err
}

// documentAction runs a small form about one document and comes back to
// the documents page with what happened.
func (h *secretariat) documentAction(c *gin.Context, flash string, act func(head secHead, d document.Document) error) {
	lang := language(c)
	head, ok := h.meetingOf(c, "documents")
	if !ok {
		return
	}
	d, err := h.documentOf(c, head)
	if err == nil {
		err = act(head, d)
	}
	if err != nil {
		msg, ok := h.problem(err, lang)
		if !ok {
			h.failed(c, err)
			return
		}
		h.redirectBack(c, secMeetingPath(head.M.ID, "/documents"), msg)
		return
	}
	h.done(c, secMeetingPath(head.M.ID, "/documents"), lang, flash, nil)
}

// saveDocumentForm: POST /secretariat/meetings/{id}/documents/{doc}.
func (h *secretariat) saveDocumentForm(c *gin.Context) {
	h.documentAction(c, "sec.flash.document_saved", func(_ secHead, d document.Document) error {
		_, err := h.deps.Documents.Update(c.Request.Context(), actorOf(c), d.ID, func(f *document.Fields) error {
			f.Symbol, f.TitleEN, f.TitleFR = c.PostForm("symbol"), c.PostForm("title_en"), c.PostForm("title_fr")
			f.Access = document.Access(c.PostForm("access"))
			f.AgendaItemID = nil
			if id, err := strconv.ParseInt(c.PostForm("agenda_item_id"), 10, 64); err == nil && id > 0 {
				f.AgendaItemID = &id
			}
			return nil
		})
		return err
	})
}

// withdrawDocumentForm: POST /secretariat/meetings/{id}/documents/{doc}/withdraw.
func (h *secretariat) withdrawDocumentForm(c *gin.Context) {
	h.documentAction(c, "sec.flash.document_withdrawn", func(_ secHead, d document.Document) error {
		return h.deps.Documents.Withdraw(c.Request.Context(), actorOf(c), d.ID)
	})
}

// moveDocumentForm: POST /secretariat/meetings/{id}/documents/{doc}/move (direction up|down).
func (h *secretariat) moveDocumentForm(c *gin.Context) {
	h.documentAction(c, "sec.flash.document_moved", func(head secHead, d document.Document) error {
		ds, _, err := h.deps.Documents.Documents(c.Request.Context(), document.Reader{Actor: actorOf(c)}, head.M.ID)
		if err != nil {
			return err
		}
		ids := make([]int64, len(ds))
		at := -1
		for i, x := range ds {
			ids[i] = x.ID
			if x.ID == d.ID {
				at = i
			}
		}
		to := at + 1
		if c.PostForm("direction") == "up" {
			to = at - 1
		}
		if at < 0 || to < 0 || to >= len(ids) {
			return nil
		}
		ids[at], ids[to] = ids[to], ids[at]
		_, err = h.deps.Documents.Reorder(c.Request.Context(), actorOf(c), head.M.ID, ids)
		return err
	})
}
