// Package validate checks input structs with go-playground/validator and
// turns its findings into field-level messages keyed by JSON field name.
// Rules that need more than tags (dates in order, quotas, the roster) live
// in the domain packages, which add to the same apperr.Fields.
package validate

import (
	"errors"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"

	"github.com/coe-agora/agora/internal/apperr"
)

// Validator is safe for concurrent use; build one and share it.
type Validator struct {
	v *validator.Validate
}

// New returns a validator that names fields by their json tag and knows
// Agora's extra tags: "singleline" (no control characters) and "iana_tz".
func New() *Validator {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	_ = v.RegisterValidation("singleline", func(fl validator.FieldLevel) bool {
		return SingleLine(fl.Field().String())
	})
	_ = v.RegisterValidation("text", func(fl validator.FieldLevel) bool {
		return CleanText(fl.Field().String())
	})
	return &Validator{v: v}
}

// SingleLine reports whether s is valid UTF-8 without control characters
// (no CR, LF, tab, NUL).
func SingleLine(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0
}

// CleanText reports whether s is valid UTF-8 without control characters
// other than newlines and tabs.
func CleanText(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) < 0
}

// Struct validates s and adds a message per failing field to f.
func (v *Validator) Struct(s any, f apperr.Fields) {
	err := v.v.Struct(s)
	var errs validator.ValidationErrors
	if !errors.As(err, &errs) {
		if err != nil { // a programming error (not a struct), never the user's
			f.Add("_", apperr.M("err.not_valid"))
		}
		return
	}
	for _, e := range errs {
		f.Add(fieldPath(e), message(e))
	}
}

// fieldPath is the JSON path without the struct's own name: "speakers[0].name".
func fieldPath(e validator.FieldError) string {
	ns := e.Namespace()
	if i := strings.Index(ns, "."); i >= 0 {
		return ns[i+1:]
	}
	return e.Field()
}

// message says what is wrong with a field, as a key of the catalogs
// (templates/i18n/errors.*.json) and its arguments.
func message(e validator.FieldError) apperr.Msg {
	p := e.Param()
	switch e.Tag() {
	case "required", "required_if", "required_unless":
		return apperr.M("err.required")
	case "max":
		if e.Kind() == reflect.String {
			return apperr.M("err.max_chars", "N", p)
		}
		if e.Kind() == reflect.Slice {
			return apperr.M("err.max_entries", "N", p)
		}
		return apperr.M("err.max", "N", p)
	case "min":
		if e.Kind() == reflect.String {
			return apperr.M("err.min_chars", "N", p)
		}
		if e.Kind() == reflect.Slice {
			return apperr.M("err.min_entries", "N", p)
		}
		return apperr.M("err.min", "N", p)
	case "gte":
		return apperr.M("err.gte", "N", p)
	case "lte":
		return apperr.M("err.lte", "N", p)
	case "oneof":
		return apperr.M("err.one_of", "Values", strings.ReplaceAll(p, " ", ", "))
	case "email":
		return apperr.M("err.email")
	case "url", "http_url":
		return apperr.M("err.url")
	case "singleline":
		return apperr.M("err.single_line_controls")
	case "text":
		return apperr.M("err.no_controls")
	case "unique":
		return apperr.M("err.unique")
	default: // "dive" and any tag without a message of its own
		return apperr.M("err.not_valid")
	}
}
