// Package templates embeds the HTML pages, email templates and static
// assets (CSS) so the agora binary serves them without any file beside it.
package templates

import "embed"

// FS holds pages/*.html and static/*.
//
//go:embed pages static
var FS embed.FS
