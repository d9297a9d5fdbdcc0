package web_test

import (
	"time"

	"github.com/coe-agora/agora/internal/i18n"
)

func frenchDateTime(t time.Time) string { return i18n.DateTime(t, "fr") }
