package web

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/document"
	"github.com/coe-agora/agora/internal/registration"
)

// The documents' JSON side (API.md, "Documents") and their downloads.

// transferTime bounds how long one document upload or download may take:
// far above the server's general read and write timeouts, which would cut
// a large file off on a slow line.
const transferTime = 2 * time.Hour

// linkReader resolves a manage link to the reader it makes: a confirmed
// participant reads the participants' documents.
func (s *Server) linkReader(c *gin.Context) (document.Reader, string, error) {
	token := c.Param("token")
	r, _, err := s.deps.Registrations.ByManageToken(c.Request.Context(), token)
	if err != nil {
		return document.Reader{}, "", err
	}
	return document.Reader{Link: &document.LinkHolder{MeetingID: r.MeetingID,
		Confirmed: r.Status == registration.StatusConfirmed}}, token, nil
}

// withURLs sets each file's download address for this reader: through the
// manage link when there is one (token), else the account's.
func withURLs(ds []document.Document, token string) []document.Document {
	for i := range ds {
		d := &ds[i]
		for j := range d.Files {
			d.Files[j].URL = fileURL(d.ID, d.Files[j].Language, token)
		}
		for j := range d.Versions {
			v := &d.Versions[j]
			v.URL = fmt.Sprintf("/api/v1/documents/%d/files/%s/versions/%d", d.ID, v.Language, v.Version)
		}
	}
	return ds
}

func fileURL(docID int64, lang, token string) string {
	if token != "" {
		return fmt.Sprintf("/api/v1/manage/%s/documents/%d/files/%s", token, docID, lang)
	}
	return fmt.Sprintf("/api/v1/documents/%d/files/%s", docID, lang)
}

func (s *Server) createDocument(c *gin.Context) {
	s.withID(c, http.StatusCreated, func(id int64) (any, error) {
		var f document.Fields
		if err := s.decodeJSON(c, &f); err != nil {
			return nil, err
		}
		d, err := s.deps.Documents.Create(c.Request.Context(), actorOf(c), id, f)
		return withURLs([]document.Document{d}, "")[0], err
	})
}

func (s *Server) listDocuments(c *gin.Context) {
	s.withID(c, http.StatusOK, func(id int64) (any, error) {
		ds, _, err := s.deps.Documents.Documents(c.Request.Context(), document.Reader{Actor: actorOf(c)}, id)
		if err != nil {
			return nil, err
		}
		c.Header("Cache-Control", "private, no-cache")
		return gin.H{"documents": withURLs(ds, ""), "next": nil}, nil
	})
}

func (s *Server) updateDocument(c *gin.Context) {
	s.withID(c, http.StatusOK, func(id int64) (any, error) {
		body, err := s.readBody(c)
		if err != nil {
			return nil, err
		}
		d, err := s.deps.Documents.Update(c.Request.Context(), actorOf(c), id, patchOnto[document.Fields](body))
		return withURLs([]document.Document{d}, "")[0], err
	})
}

func (s *Server) withdrawDocument(c *gin.Context) {
	s.withID(c, http.StatusNoContent, func(id int64) (any, error) {
		return nil, s.deps.Documents.Withdraw(c.Request.Context(), actorOf(c), id)
	})
}

func (s *Server) reorderDocuments(c *gin.Context) {
	s.withID(c, http.StatusOK, func(id int64) (any, error) {
		var in struct {
			IDs []int64 `json:"ids"`
		}
		if err := s.decodeJSON(c, &in); err != nil {
			return nil, err
		}
		ds, err := s.deps.Documents.Reorder(c.Request.Context(), actorOf(c), id, in.IDs)
		return gin.H{"documents": withURLs(ds, ""), "next": nil}, err
	})
}

// putDocumentFile: PUT /api/v1/documents/{id}/files/{language}, the file's
// bytes as the body, its name in Content-Disposition. The body streams to
// the database; screen lets it through whole up to documents.max_bytes.
func (s *Server) putDocumentFile(c *gin.Context) {
	s.withID(c, http.StatusOK, func(id int64) (any, error) {
		// A missing name or a malformed digest is refused by the service,
		// after it has checked who is asking.
		_, params, _ := mime.ParseMediaType(c.GetHeader("Content-Disposition"))
		sum, err := contentDigest(c.GetHeader("Content-Digest"))
		if err != nil {
			sum = "malformed"
		}
		_ = http.NewResponseController(c.Writer).SetReadDeadline(time.Now().Add(transferTime))
		d, err := s.deps.Documents.PutFile(c.Request.Context(), actorOf(c), id, document.Upload{
			Language: c.Param("language"), Filename: params["filename"], Body: c.Request.Body, SHA256: sum})
		if err != nil {
			return nil, err
		}
		return withURLs([]document.Document{d}, "")[0], nil
	})
}

// contentDigest reads an RFC 9530 Content-Digest header's sha-256 (hex;
// "" when the header gives none).
func contentDigest(h string) (string, error) {
	for _, part := range strings.Split(h, ",") {
		name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || !strings.EqualFold(name, "sha-256") {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(strings.Trim(value, ":"))
		if err != nil || len(b) != 32 {
			return "", apperr.InvalidField("file", apperr.M("err.doc_checksum"))
		}
		return hex.EncodeToString(b), nil
	}
	return "", nil
}

// getDocumentFile: GET /api/v1/documents/{id}/files/{language}.
func (s *Server) getDocumentFile(c *gin.Context) {
	s.serveDocumentFile(c, document.Reader{Actor: actorOf(c)}, 0)
}

// getDocumentVersion: GET /api/v1/documents/{id}/files/{language}/versions/{version}.
func (s *Server) getDocumentVersion(c *gin.Context) {
	v, err := strconv.Atoi(c.Param("version"))
	if err != nil || v <= 0 {
		s.writeError(c, apperr.New(apperr.NotFound, apperr.M("err.no_document")))
		return
	}
	s.serveDocumentFile(c, document.Reader{Actor: actorOf(c)}, v)
}

// manageDocumentFile: GET /api/v1/manage/{token}/documents/{id}/files/{language}.
func (s *Server) manageDocumentFile(c *gin.Context) {
	r, _, err := s.linkReader(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.serveDocumentFile(c, r, 0)
}

// serveDocumentFile sends a file as an attachment, never to be shown in
// Agora's origin: nosniff, a sandboxing policy, the content type Agora
// sniffed at upload, its SHA-256 as a strong ETag, ranges and conditional
// requests answered by http.ServeContent over the chunks.
func (s *Server) serveDocumentFile(c *gin.Context, r document.Reader, version int) {
	id, err := idParam(c, "id")
	if err != nil {
		s.writeError(c, err)
		return
	}
	f, content, err := s.deps.Documents.Open(c.Request.Context(), r, id, c.Param("language"), version)
	if err != nil {
		s.writeError(c, err)
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Disposition", attachment(f.Filename))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("ETag", `"`+f.SHA256+`"`)
	h.Set("Cache-Control", "private, no-cache")
	_ = http.NewResponseController(c.Writer).SetWriteDeadline(time.Now().Add(transferTime))
	http.ServeContent(c.Writer, c.Request, "", f.UpdatedAt, content)
}

// attachment is a Content-Disposition that makes browsers save the file
// under its name (RFC 6266, with filename* for names beyond ASCII).
func attachment(filename string) string {
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": filename}); v != "" {
		return v
	}
	return "attachment"
}

// documentsZip: GET /meetings/{id}/documents.zip?lang=fr.
func (s *Server) documentsZip(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.streamZip(c, document.Reader{Actor: actorOf(c)}, id)
}

// manageDocumentsZip: GET /api/v1/manage/{token}/documents.zip?lang=fr.
func (s *Server) manageDocumentsZip(c *gin.Context) {
	r, _, err := s.linkReader(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.streamZip(c, r, r.Link.MeetingID)
}

func (s *Server) streamZip(c *gin.Context, r document.Reader, meetingID int64) {
	lang := c.Query("lang")
	if lang != "fr" {
		lang = "en"
	}
	m, err := s.deps.Documents.ZipReady(c.Request.Context(), r, meetingID)
	if err != nil {
		s.writeError(c, err)
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", attachment(document.Archive(m, lang)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-cache")
	_ = http.NewResponseController(c.Writer).SetWriteDeadline(time.Now().Add(transferTime))
	c.Status(http.StatusOK)
	if err := s.deps.Documents.WriteZip(c.Request.Context(), r, meetingID, lang, c.Writer); err != nil {
		// The archive has started: all that is left is to cut it short,
		// so the client sees a broken download rather than a good-looking one.
		s.logFailure(c, err)
		panic(http.ErrAbortHandler)
	}
}
