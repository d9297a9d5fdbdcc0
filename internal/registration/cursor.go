package registration

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"unicode/utf8"
)

// listCursor is where a page of the registrations list ends: the protocol
// order key of its last row. The next page starts strictly after it, so a
// page boundary holds however many people share a name, and rows added or
// removed elsewhere in the list do not shift the pages (as an offset did).
type listCursor struct {
	State     string `json:"s"`
	LastName  string `json:"l"`
	FirstName string `json:"f"`
	ID        int64  `json:"i"`
}

// cursorAfter is the cursor that follows r.
func cursorAfter(r Row) string {
	b, _ := json.Marshal(listCursor{State: r.State, LastName: r.LastName, FirstName: r.FirstName, ID: r.ID})
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor cursorAfter made; "" is the first page. The
// offset cursors of earlier versions ("o" and a number) are refused like
// anything else that is not a cursor: the client starts again.
func decodeCursor(s string) (*listCursor, bool) {
	if s == "" {
		return nil, true
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || !utf8.Valid(b) {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var c listCursor
	if err := dec.Decode(&c); err != nil || dec.More() {
		return nil, false
	}
	// State is "" in the guests' group, which comes last (see ListQuery).
	if c.ID < 1 || c.LastName == "" || c.FirstName == "" {
		return nil, false
	}
	return &c, true
}
