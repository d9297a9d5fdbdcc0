// Package apperr defines application errors: each carries a code that the
// HTTP layer maps to a status in one place, a message safe to show a user,
// and, for validation failures, the offending fields. Messages are keys of
// the i18n catalogs (templates/i18n/errors.*.json) with their arguments, so
// pages translate them once through the catalog and the JSON API renders
// the English text from the same catalog.
package apperr

import (
	"errors"
	"fmt"
)

// Code classifies an application error.
type Code string

// The error codes. The web layer maps each to exactly one HTTP status.
const (
	Invalid      Code = "invalid"      // the input breaks a rule (422)
	Malformed    Code = "malformed"    // the request cannot be read (400)
	Unauthorized Code = "unauthorized" // no or bad credentials (401)
	Forbidden    Code = "forbidden"    // credentials fine, action not allowed (403)
	NotFound     Code = "not_found"    // no such thing, or not visible to the caller (404)
	Conflict     Code = "conflict"     // duplicate, closed, over a limit (409)
	TooLarge     Code = "too_large"    // request body over the limit (413)
	RateLimited  Code = "rate_limited" // too many requests (429)
	Unavailable  Code = "unavailable"  // a dependency is down; try again (503)
	Internal     Code = "internal"     // anything unexpected (500)
)

// Error is an application error.
type Error struct {
	Code Code
	// Msg is what to tell the user.
	Msg Msg
	// Fields maps an input field to what is wrong with it (only for Invalid).
	Fields Fields
	// Err is the underlying cause, logged but never shown.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Msg, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with a code and a message for the user:
// New(Conflict, M("err.reg_already", "RegStatus", r.Status)).
func New(code Code, msg Msg) *Error {
	return &Error{Code: code, Msg: msg}
}

// Wrap returns an error with a code and message that keeps err as its cause.
func Wrap(err error, code Code, msg Msg) *Error {
	return &Error{Code: code, Msg: msg, Err: err}
}

// Fields is a set of field-level validation messages.
type Fields map[string]Msg

// Add records a message for a field, keeping the first one given:
// f.Add("name", M("err.max_chars", "N", 200)).
func (f Fields) Add(field string, msg Msg) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Err returns an Invalid error carrying the fields, or nil when there are none.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Msg: M("err.fields"), Fields: f}
}

// InvalidField returns an Invalid error for a single field:
// InvalidField("reason", M("err.required")).
func InvalidField(field string, msg Msg) *Error {
	return &Error{Code: Invalid, Msg: M("err.fields"), Fields: Fields{field: msg}}
}

// CodeOf returns the code of err, or Internal for errors that are not ours.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries the code.
func Is(err error, code Code) bool {
	return err != nil && CodeOf(err) == code
}

// As returns the application error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
