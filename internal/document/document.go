// Package document keeps a meeting's documents: the draft agenda, working
// papers, reports — each with a symbol, titles in English and French, who
// may read it, and one file per language, every replaced file kept as an
// earlier version.
//
// The files live in PostgreSQL, so every process sees every file and one
// backup holds everything. They are written and read in 1 MiB rows
// (document_chunks), streamed both ways: an upload goes to the database
// one chunk at a time inside one transaction (an interrupted upload leaves
// nothing), and a download reads the chunk it needs, so neither holds a
// whole file in memory. Chunks in a table rather than large objects: they
// are ordinary rows (pg_dump, replication, ON DELETE CASCADE and the
// transaction that writes the file row cover them; no lo_unlink, no
// orphans), any chunk is read by its number for range requests, and reads
// need no transaction.
package document

import (
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/validate"
)

// Access says who may read a document.
type Access string

// The access levels, from the widest.
const (
	Public       Access = "public"       // anyone who may see the meeting
	Participants Access = "participants" // confirmed participants, focal points of the invited, the secretariat
	Secretariat  Access = "secretariat"  // the secretariat only
)

// Level is what a reader may read: documents whose access is at most it.
type Level int

// The reading levels.
const (
	None Level = iota
	ReadPublic
	ReadParticipants
	ReadAll
)

// allows reports whether a reader at level l may read a document of access a.
func (l Level) allows(a Access) bool {
	switch a {
	case Public:
		return l >= ReadPublic
	case Participants:
		return l >= ReadParticipants
	default:
		return l >= ReadAll
	}
}

// DefaultMaxBytes is the largest file accepted unless configured.
const DefaultMaxBytes = 100 << 20

// ChunkSize is the size of the rows that hold a file's bytes.
const ChunkSize = 1 << 20

// Fields are what the secretariat sets on a document.
type Fields struct {
	Symbol       string `json:"symbol" validate:"max=100,singleline"`
	TitleEN      string `json:"title_en" validate:"max=500,singleline"`
	TitleFR      string `json:"title_fr" validate:"max=500,singleline"`
	AgendaItemID *int64 `json:"agenda_item_id"`
	Access       Access `json:"access"`
}

// Document is a document with its current files (and, for the
// secretariat, the earlier versions).
type Document struct {
	ID           int64     `db:"id" json:"id"`
	MeetingID    int64     `db:"meeting_id" json:"meeting_id"`
	Symbol       string    `db:"symbol" json:"symbol"`
	TitleEN      string    `db:"title_en" json:"title_en"`
	TitleFR      string    `db:"title_fr" json:"title_fr"`
	AgendaItemID *int64    `db:"agenda_item_id" json:"agenda_item_id"`
	Access       Access    `db:"access" json:"access"`
	Position     int       `db:"position" json:"position"`
	UpdatedAt    time.Time `db:"updated_at" json:"updated_at"`
	Files        []File    `db:"-" json:"files"`
	// Versions are the replaced files, newest first (secretariat only).
	Versions []File `db:"-" json:"versions,omitempty"`
}

// Title is the title in lang, else the other one, else the symbol.
func (d Document) Title(lang string) string {
	en, fr := d.TitleEN, d.TitleFR
	switch {
	case lang == "fr" && fr != "":
		return fr
	case en != "":
		return en
	case fr != "":
		return fr
	}
	return d.Symbol
}

// File picks the file in lang, else the first other one (ok false when
// the document has no file).
func (d Document) File(lang string) (File, bool) {
	for _, f := range d.Files {
		if f.Language == lang {
			return f, true
		}
	}
	other := "fr"
	if lang == "fr" {
		other = "en"
	}
	for _, f := range d.Files {
		if f.Language == other {
			return f, true
		}
	}
	if len(d.Files) > 0 {
		return d.Files[0], true
	}
	return File{}, false
}

func (d Document) fields() Fields {
	return Fields{Symbol: d.Symbol, TitleEN: d.TitleEN, TitleFR: d.TitleFR, AgendaItemID: d.AgendaItemID, Access: d.Access}
}

// File is one version of a document in one language.
type File struct {
	ID          int64     `db:"id" json:"-"`
	DocumentID  int64     `db:"document_id" json:"-"`
	Language    string    `db:"language" json:"language"`
	Version     int       `db:"version" json:"version"`
	Filename    string    `db:"filename" json:"filename"`
	ContentType string    `db:"content_type" json:"content_type"`
	Size        int64     `db:"size" json:"size"`
	SHA256      string    `db:"sha256" json:"sha256"`
	ChunkSize   int64     `db:"chunk_size" json:"-"`
	UpdatedAt   time.Time `db:"created_at" json:"updated_at"`
	// URL is where the reader downloads it; the web layer sets it.
	URL string `db:"-" json:"url"`
}

// SizeText is the file's size for people: "840 B", "68 KB", "12.5 MB".
func (f File) SizeText() string {
	switch {
	case f.Size < 1000:
		return strconv.FormatInt(f.Size, 10) + " B"
	case f.Size < 1000*1000:
		return strconv.FormatInt((f.Size+500)/1000, 10) + " KB"
	default:
		return strconv.FormatFloat(float64(f.Size)/1e6, 'f', 1, 64) + " MB"
	}
}

// Reader is who reads documents: an actor (anonymous, an account), or a
// person holding a registration's secret link.
type Reader struct {
	Actor auth.Actor
	// Link, when set, is the registration whose manage link is used.
	Link *LinkHolder
}

// LinkHolder is a registration read through its manage link.
type LinkHolder struct {
	MeetingID int64
	Confirmed bool
}

// Config tunes the service.
type Config struct {
	// MaxBytes is the largest file accepted (DefaultMaxBytes when 0).
	MaxBytes int64
}

// Service keeps the documents.
type Service struct {
	db       *sqlx.DB
	v        *validate.Validator
	meetings *meeting.Service
	cfg      Config
}

// NewService returns the document service.
func NewService(db *sqlx.DB, v *validate.Validator, meetings *meeting.Service, cfg Config) *Service {
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	return &Service{db: db, v: v, meetings: meetings, cfg: cfg}
}

// MaxBytes is the largest file accepted.
func (s *Service) MaxBytes() int64 { return s.cfg.MaxBytes }

func requireManager(a auth.Actor) error {
	if a.Anonymous() {
		return apperr.New(apperr.Unauthorized, apperr.M("err.sign_in_meetings"))
	}
	if !meeting.CanManage(a) {
		return apperr.New(apperr.Forbidden, apperr.M("err.documents_secretariat"))
	}
	return nil
}

func errNoDocument() error { return apperr.New(apperr.NotFound, apperr.M("err.no_document")) }
