// Package validate checks input structs with go-playground/validator and
// turns its findings into field-level messages keyed by JSON field name.
// Rules that need more than tags (dates in order, quotas, the roster) live
// in the domain packages, which add to the same apperr.Fields.
package validate

import (
	"errors"
	"fmt"
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
		if err != nil {
			f.Add("_", err.Error())
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

func message(e validator.FieldError) string {
	p := e.Param()
	switch e.Tag() {
	case "required", "required_if", "required_unless":
		return "is required"
	case "max":
		if e.Kind() == reflect.String {
			return fmt.Sprintf("must be at most %s characters", p)
		}
		if e.Kind() == reflect.Slice {
			return fmt.Sprintf("must have at most %s entries", p)
		}
		return fmt.Sprintf("must be at most %s", p)
	case "min":
		if e.Kind() == reflect.String {
			return fmt.Sprintf("must be at least %s characters", p)
		}
		if e.Kind() == reflect.Slice {
			return fmt.Sprintf("must have at least %s entries", p)
		}
		return fmt.Sprintf("must be at least %s", p)
	case "gte":
		return fmt.Sprintf("must be %s or more", p)
	case "lte":
		return fmt.Sprintf("must be %s or less", p)
	case "oneof":
		return "must be one of " + strings.ReplaceAll(p, " ", ", ")
	case "email":
		return "must be an email address like name@example.org"
	case "url", "http_url":
		return "must be a web address starting with https:// or http://"
	case "singleline":
		return "must be a single line without control characters"
	case "text":
		return "must not contain control characters"
	case "unique":
		return "must not repeat a value"
	case "dive":
		return "is not valid"
	default:
		return "is not valid"
	}
}
