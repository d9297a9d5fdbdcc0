package main

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/coe-agora/agora/internal/apperr"
)

// describe turns an application error into one line for the terminal,
// naming the flag at fault for validation errors.
func describe(err error) error {
	e, ok := apperr.As(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	var parts []string
	for field, msg := range e.Fields {
		flagName := map[string]string{"language": "lang"}[field]
		if flagName == "" {
			flagName = field
		}
		parts = append(parts, fmt.Sprintf("--%s %s", flagName, msg))
	}
	sort.Strings(parts)
	return fmt.Errorf("%s", strings.Join(parts, "; "))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func timeOrNever(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.Format(time.RFC3339)
}

func revoked(t *time.Time) string {
	if t == nil {
		return "active"
	}
	return "revoked " + t.Format(time.RFC3339)
}
