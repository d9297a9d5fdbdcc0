// Package migrations embeds the SQL schema migrations so the agora binary
// carries them. Files are applied in version order by goose, one
// transaction each; never edit a migration that has shipped — add one.
package migrations

import "embed"

// FS holds the *.sql migration files.
//
//go:embed *.sql
var FS embed.FS
