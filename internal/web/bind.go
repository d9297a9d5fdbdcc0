package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
)

// decodeJSON reads the request body into v strictly: one JSON value, no
// unknown fields, no more than the configured size.
func (s *Server) decodeJSON(c *gin.Context, v any) error {
	body, err := s.readBody(c)
	if err != nil {
		return err
	}
	return decodeStrict(body, v)
}

// readBody reads a JSON body whole (bounded). Handlers that apply a body
// inside a transaction read it first, so no lock waits on a slow client.
func (s *Server) readBody(c *gin.Context) ([]byte, error) {
	if ct := c.ContentType(); ct != "" && ct != "application/json" {
		return nil, apperr.New(apperr.Malformed, apperr.M("err.body_json"))
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		var maxBytes *http.MaxBytesError
		if errors.As(err, &maxBytes) {
			return nil, apperr.New(apperr.TooLarge, apperr.M("err.body_too_large", "N", maxBytes.Limit))
		}
		return nil, apperr.Wrap(err, apperr.Malformed, apperr.M("err.body_unreadable"))
	}
	if jsonHasNUL(body) {
		return nil, errNUL()
	}
	return body, nil
}

// decodeStrict decodes one JSON value onto v, rejecting unknown fields.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var timeErr *time.ParseError
		if errors.As(err, &timeErr) {
			return apperr.InvalidField(culprit(body, v), apperr.M("err.rfc3339"))
		}
		return jsonError(err)
	}
	if dec.More() {
		return apperr.New(apperr.Malformed, apperr.M("err.body_single"))
	}
	return nil
}

// culprit finds the top-level field of body that v's type cannot take, by
// decoding the fields one at a time.
func culprit(body []byte, v any) string {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return "_"
	}
	t := reflect.TypeOf(v).Elem()
	for name, raw := range fields {
		one, _ := json.Marshal(map[string]json.RawMessage{name: raw})
		if json.Unmarshal(one, reflect.New(t).Interface()) != nil {
			return name
		}
	}
	return "_"
}

func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return apperr.New(apperr.Malformed, apperr.M("err.body_empty"))
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.Malformed, apperr.M("err.body_invalid_json"))
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return apperr.New(apperr.Malformed, apperr.M("err.body_object"))
		}
		return apperr.InvalidField(field, apperr.M("err.json_kind", "Kind", jsonKind(typeErr.Type.Kind().String())))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return apperr.New(apperr.Malformed, apperr.M("err.unknown_field", "Name", strings.TrimPrefix(err.Error(), "json: unknown field ")))
	default:
		return apperr.Wrap(err, apperr.Malformed, apperr.M("err.body_invalid_json"))
	}
}

func jsonKind(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "number"
	case kind == "bool":
		return "boolean (true or false)"
	case kind == "slice":
		return "list"
	case kind == "struct", kind == "map":
		return "object"
	default:
		return kind
	}
}
