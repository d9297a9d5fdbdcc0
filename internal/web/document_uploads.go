package web

import (
	"net/http"
	"strings"
)

// documentFormFiles bounds how many files one upload form may carry, so
// the form's body limit stays a multiple of documents.max_bytes.
const documentFormFiles = 20

// documentUpload returns the body limit of a document upload — the file
// API's PUT and the secretariat's upload form — or 0 for any other
// request. Those bodies are far larger than the general limit and are
// streamed, never parsed whole.
func (s *Server) documentUpload(r *http.Request) int64 {
	if s.deps.Documents == nil {
		return 0
	}
	max := s.deps.Documents.MaxBytes()
	switch {
	case r.Method == http.MethodPut && isDocumentFilePath(r.URL.Path):
		return max
	case isDocumentForm(r):
		return documentFormFiles*max + 1<<20
	}
	return 0
}

// isDocumentFilePath matches /api/v1/documents/{id}/files/{language}.
func isDocumentFilePath(p string) bool {
	rest, ok := strings.CutPrefix(p, "/api/v1/documents/")
	if !ok {
		return false
	}
	parts := strings.Split(rest, "/")
	return len(parts) == 3 && afterID(parts[0]) == "" && parts[1] == "files"
}

// isDocumentForm matches the secretariat's upload form,
// POST /secretariat/meetings/{id}/documents/upload. Its CSRF token is
// checked by the handler as the form streams (the CSRF middleware would
// read the whole body first).
func isDocumentForm(r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/secretariat/meetings/")
	if !ok {
		return false
	}
	id, tail, ok := strings.Cut(rest, "/")
	return ok && id != "" && afterID(id) == "" && tail == "documents/upload"
}
