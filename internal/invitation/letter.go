package invitation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/invitee"
	agoramail "github.com/coe-agora/agora/internal/mail"
	"github.com/coe-agora/agora/internal/meeting"
)

// LetterFunc renders the invitation letter of a meeting to an invitee
// (its displayed name, in lang) as a PDF; peers are the names, in lang,
// of the invitees whose letters are rendered with it in a run (none for a
// letter on its own), which the letter's fonts then hold too, so that
// the letters of a run share them. The application gives it
// (printout.InvitationLetterPDF under the configured letterhead); this
// package does not render documents itself.
type LetterFunc func(m meeting.Meeting, invitee, lang string, peers []string) ([]byte, error)

// SetLetters renders invitation letters with f; attach has every
// invitation email carry its state's letter (rendered once per state and
// language of a run, which costs a run about 0.3 ms of CPU per letter, its
// letters sharing their font subsets: see docs/PERFORMANCE.md). Set before serving.
//
// version names what else shapes a letter (the letterhead): a letter is
// stored once per meeting version, state, language and version, and a
// later round of the same unchanged meeting sends it again unrendered.
func (s *Service) SetLetters(f LetterFunc, attach bool, version string) {
	s.letters, s.attachLetters, s.lettersVersion = f, attach, version
}

// inviteeName is the displayed name of an invitee in lang. Invitees are
// states today; organisations, when they are invited too, are named here.
func inviteeName(st invitee.Invitee, lang string) string { return st.Name(lang) }

// withSeatsOf is m as a letter to the invitee shows it: the seats per
// state read as the invitee's own (its override, or the default of its
// kind).
func withSeatsOf(m meeting.Meeting, iv invitee.Invitee) meeting.Meeting {
	m.SeatsPerState, m.FundedSeatsPerState = m.SeatsOf(iv.Code, iv.Organisation())
	return m
}

// LetterFilename is the name of the letter's file.
func LetterFilename(m meeting.Meeting, code, lang string) string {
	return fmt.Sprintf("invitation-%d-%s-%s.pdf", m.ID, strings.ToLower(code), lang)
}

// Letter renders the invitation letter of the state code to the meeting
// in lang, for the secretariat or that state's focal point; a state
// without an invitation has no letter.
func (s *Service) Letter(ctx context.Context, a auth.Actor, meetingID int64, code, lang string) ([]byte, string, error) {
	if a.Anonymous() {
		return nil, "", apperr.New(apperr.Unauthorized, apperr.M("err.sign_in_invitations"))
	}
	code = strings.ToUpper(strings.TrimSpace(code))
	if !a.Is(auth.RoleSecretariat) && !a.FocalPointOf(code) {
		return nil, "", apperr.New(apperr.Forbidden, apperr.M("err.invitations_forbidden"))
	}
	m, err := s.meetings.Meeting(ctx, a, meetingID)
	if err != nil {
		return nil, "", err
	}
	var id int64
	err = s.db.GetContext(ctx, &id, `SELECT id FROM invitations WHERE meeting_id = $1 AND invitee = $2`, m.ID, code)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", apperr.New(apperr.NotFound, apperr.M("err.no_invitation", "Code", code))
	}
	if err != nil {
		return nil, "", fmt.Errorf("invitation: letter: %w", err)
	}
	st, err := invitee.Lookup(ctx, s.db, code)
	if err != nil {
		return nil, "", err
	}
	if s.letters == nil {
		return nil, "", fmt.Errorf("invitation: no letter renderer")
	}
	pdf, err := s.letters(withSeatsOf(m, st), inviteeName(st, lang), lang, nil)
	if err != nil {
		return nil, "", err
	}
	return pdf, LetterFilename(m, code, lang), nil
}

// letterKey names one letter of a run: a state in a language.
type letterKey struct{ code, lang string }

// attachLetters renders the letters the run's emails need, once per state
// and language and side by side on the machine's cores, stores each once
// and attaches it to its emails, inside the run's transaction. A letter
// that fails to render is left off: its emails leave without it rather
// than not at all.
func (e *invitationEmails) attachLetters(ctx context.Context, tx *sqlx.Tx) error {
	if e.s.letters == nil || !e.s.attachLetters || len(e.letterOf) == 0 {
		return nil
	}
	// The letters stored by an earlier round of this very meeting (same
	// version, same invitee name, same letterhead) are sent again as they
	// are; only the others are rendered.
	cacheKey := func(k letterKey) string {
		return fmt.Sprintf("invitation_letter:%d:%d:%s:%s:%s:%s", e.m.ID, e.m.UpdatedAt.UnixMicro(), k.code, k.lang,
			e.s.lettersVersion, inviteeName(e.states[k], k.lang))
	}
	all := make([]string, 0, len(e.states))
	for k := range e.states {
		all = append(all, cacheKey(k))
	}
	idOfKey, err := e.s.outbox.SharedAttachments(ctx, tx, all)
	if err != nil {
		return err
	}
	keys := make([]letterKey, 0, len(e.states))
	for k := range e.states {
		if _, ok := idOfKey[cacheKey(k)]; !ok {
			keys = append(keys, k)
		}
	}
	// Every letter of the run in a language is given the names of all.
	peers := map[string][]string{}
	for k, st := range e.states {
		peers[k.lang] = append(peers[k.lang], inviteeName(st, k.lang))
	}
	pdfs := make([][]byte, len(keys))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), len(keys)) {
		wg.Go(func() {
			for i := range next {
				k := keys[i]
				pdf, err := e.s.letters(withSeatsOf(e.m, e.states[k]), inviteeName(e.states[k], k.lang), k.lang, peers[k.lang])
				if err == nil {
					pdfs[i] = pdf
				}
			}
		})
	}
	for i := range keys {
		next <- i
	}
	close(next)
	wg.Wait()
	files := map[string]agoramail.Attachment{}
	for i, k := range keys {
		if pdfs[i] != nil {
			files[cacheKey(k)] = agoramail.Attachment{Filename: LetterFilename(e.m, k.code, k.lang), ContentType: "application/pdf", Content: pdfs[i]}
		}
	}
	stored, err := e.s.outbox.StoreShared(ctx, tx, files)
	if err != nil {
		return err
	}
	for key, id := range stored {
		idOfKey[key] = id
	}
	idOf := make(map[letterKey]int64, len(e.states))
	for k := range e.states {
		if id, ok := idOfKey[cacheKey(k)]; ok {
			idOf[k] = id
		}
	}
	byKey := make(map[string]int64, len(e.letterOf))
	for dedupe, k := range e.letterOf {
		if id, ok := idOf[k]; ok {
			byKey[dedupe] = id
		}
	}
	return e.s.outbox.Attach(ctx, tx, byKey)
}
