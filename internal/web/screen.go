package web

import (
	"bytes"
	"context"
	"errors"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
)

// screenedKey marks a request that screen refused; refuseScreened answers it.
type screenedKey struct{}

// screen bounds the body of every request and refuses NUL characters in
// its path, query and form values, before anything else reads them (the
// CSRF check parses forms before the router runs). A NUL cannot be stored
// in PostgreSQL text: left in, it ends as a 500 deep inside a handler.
// JSON bodies are screened where they are read (readBody).
func (s *Server) screen(w http.ResponseWriter, r *http.Request) error {
	limit := s.cfg.MaxBodyBytes
	upload := s.documentUpload(r)
	if upload > 0 {
		limit = upload
	}
	if r.ContentLength > limit {
		return tooLarge(limit)
	}
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
	}
	if strings.IndexByte(r.URL.Path, 0) >= 0 {
		return errNUL()
	}
	// A NUL reaches a query value only as "%00" (nothing else decodes to
	// it), so the raw query tells without decoding it on every request.
	if strings.Contains(r.URL.RawQuery, "%00") || strings.IndexByte(r.URL.RawQuery, 0) >= 0 {
		return errNUL()
	}
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case r.Method != http.MethodPost && r.Method != http.MethodPut && r.Method != http.MethodPatch:
		return nil
	case upload > 0:
		return nil // streamed by its handler, which checks what it reads
	case ctype == "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return formError(err, limit)
		}
		if hasNUL(r.PostForm) {
			return errNUL()
		}
	case ctype == "multipart/form-data":
		if err := r.ParseMultipartForm(limit); err != nil {
			return formError(err, limit)
		}
		if hasNUL(r.MultipartForm.Value) {
			return errNUL()
		}
		for _, files := range r.MultipartForm.File {
			for _, f := range files {
				if strings.IndexByte(f.Filename, 0) >= 0 {
					return errNUL()
				}
			}
		}
	}
	return nil
}

// refuseScreened answers a request that screen refused. It runs in the
// router, after the request has its id, headers and log line.
func (s *Server) refuseScreened(c *gin.Context) {
	if err, ok := c.Request.Context().Value(screenedKey{}).(error); ok {
		s.writeError(c, err)
		return
	}
	c.Next()
}

// serveRefused routes a refused request, without its body, session or
// CSRF check, to refuseScreened.
func (s *Server) serveRefused(w http.ResponseWriter, r *http.Request, refusal error) {
	ctx, err := s.sessions.Load(r.Context(), "") // an empty session: nothing read or saved
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	r = r.WithContext(context.WithValue(ctx, screenedKey{}, refusal))
	r.Body = http.NoBody
	s.router.ServeHTTP(w, r)
}

func formError(err error, limit int64) error {
	var maxBytes *http.MaxBytesError
	if errors.As(err, &maxBytes) {
		return tooLarge(limit)
	}
	return apperr.Wrap(err, apperr.Malformed, apperr.M("err.form_unreadable"))
}

func tooLarge(limit int64) error {
	return apperr.New(apperr.TooLarge, apperr.M("err.body_too_large", "N", limit))
}

func errNUL() error {
	return apperr.New(apperr.Malformed, apperr.M("err.no_nul"))
}

func hasNUL(values map[string][]string) bool {
	for k, vs := range values {
		if strings.IndexByte(k, 0) >= 0 {
			return true
		}
		for _, v := range vs {
			if strings.IndexByte(v, 0) >= 0 {
				return true
			}
		}
	}
	return false
}

// jsonHasNUL reports whether a JSON text escapes a NUL (\u0000) in a
// string or key. A raw NUL byte is not valid JSON and fails decoding; an
// escaped backslash followed by "u0000" is text, not a NUL.
func jsonHasNUL(b []byte) bool {
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte("u0000"))
		if j < 0 {
			return false
		}
		u, slashes := i+j, 0
		for p := u - 1; p >= 0 && b[p] == '\\'; p-- {
			slashes++
		}
		if slashes%2 == 1 {
			return true
		}
		i = u + 1
	}
}
