// Package templates embeds the HTML pages, email templates and static
// assets (CSS) so the agora binary serves them without any file beside it.
package templates

import "embed"

// FS holds pages/*.html, email/* (see email/README.md), static/* and the
// i18n/*.json message catalogs.
//
//go:embed pages email static i18n
var FS embed.FS
