package digest

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/calendar"
	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/mail"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/postgres"
)

// emailName is the template of the email (templates/email/meeting_changed.*).
const emailName = "meeting_changed"

// emailData is what the meeting_changed templates receive.
type emailData struct {
	Meeting         invitation.MeetingData
	Name            string
	Lines           []string // what changed, in the reader's language
	CalendarUpdated bool     // an updated calendar invitation is attached
	// DocumentsURL is where the reader finds the documents named in Lines
	// (their manage link, which needs no account); "" when none is named.
	DocumentsURL string
}

// notifyMeeting handles one meeting in one transaction: with the meeting
// locked (a notifier that finds it locked skips it), it reads the changes
// not yet looked at, queues one email per confirmed delegate when the
// meeting is published and some change concerns them, and marks every one
// of those changes as looked at. Emails and marks commit together.
func (n *Notifier) notifyMeeting(ctx context.Context, id int64) (emails int, err error) {
	err = postgres.InTx(ctx, n.db, func(tx *sqlx.Tx) error {
		emails = 0
		m, ok, err := lockMeeting(ctx, tx, id)
		if err != nil || !ok {
			return err
		}
		cs, err := pendingChanges(ctx, tx, id)
		if err != nil || len(cs) == 0 {
			return err // another notifier has just told them
		}
		last := cs[len(cs)-1]
		if last.At.After(m.Now.Add(-n.cfg.Quiet)) {
			return nil // edited since the meeting was found quiet: wait for the burst to end
		}
		if m.told() {
			published, err := lastPublication(ctx, tx, id)
			if err != nil {
				return err
			}
			if emails, err = n.tell(ctx, tx, m.Meeting, sincePublication(cs, published), last.ID); err != nil {
				return err
			}
		}
		return markNotified(ctx, tx, id, last.ID)
	})
	if err != nil {
		return 0, err
	}
	return emails, nil
}

// sincePublication keeps the changes made after the change with id
// published: what the draft went through is nobody's news.
func sincePublication(cs []meeting.Change, published int64) []meeting.Change {
	for i, c := range cs {
		if c.ID > published {
			return cs[i:]
		}
	}
	return nil
}

// tell queues the email of changes to every confirmed delegate of m; last
// is the newest change, which makes the emails of this burst unique.
func (n *Notifier) tell(ctx context.Context, tx *sqlx.Tx, m meeting.Meeting, cs []meeting.Change, last int64) (int, error) {
	news := summarize(cs)
	docs, err := documentsNow(ctx, tx, documentNews(cs))
	if err != nil {
		return 0, err
	}
	if len(news.meeting) == 0 && len(news.items) == 0 && news.reorder == nil && len(docs) == 0 {
		return 0, nil
	}
	agenda, err := agendaNow(ctx, tx, m.ID)
	if err != nil {
		return 0, err
	}
	delegates, err := confirmedDelegates(ctx, tx, m.ID)
	if err != nil {
		return 0, err
	}
	withCalendar := news.timeOrPlaceChanged()
	linesIn := map[string][]string{}
	queued := 0
	for _, d := range delegates {
		lines, ok := linesIn[d.Language]
		if !ok {
			lines = append(news.lines(d.Language, m, agenda), documentLines(docs, d.Language)...)
			linesIn[d.Language] = lines
		}
		if len(lines) == 0 {
			continue // e.g. only the other language's title was corrected
		}
		msg, err := n.email(m, d, lines, withCalendar, len(docs) > 0, last)
		if err != nil {
			return queued, err
		}
		_, q, err := n.outbox.Enqueue(ctx, tx, msg)
		if err != nil {
			return queued, err
		}
		if q {
			queued++
		}
	}
	return queued, nil
}

// email renders the email of changes for one delegate, with the updated
// calendar invitation when asked.
func (n *Notifier) email(m meeting.Meeting, d recipient, lines []string, withCalendar, withDocuments bool, last int64) (mail.Message, error) {
	data := emailData{
		Meeting: invitation.MeetingDataFor(m, d.Language, n.cfg.BaseURL), Name: d.Name,
		Lines: lines, CalendarUpdated: withCalendar,
	}
	if withDocuments && n.cfg.ManageURL != nil {
		data.DocumentsURL = n.cfg.ManageURL(d.ID, d.Nonce) + "#documents"
	}
	subject, text, html, err := n.renderer.Render(emailName, d.Language, data)
	msg := mail.Message{
		Kind: emailName, To: d.Email, ToName: d.Name, Language: d.Language,
		Subject: subject, Text: text, HTML: html, MeetingID: m.ID, RegistrationID: d.ID,
		DedupeKey: fmt.Sprintf("%s:%d:%d:%s", emailName, m.ID, last, d.Email),
	}
	if err != nil {
		// Logged as failed: a digest that failed would be tried again at
		// every pass, and hold up the emails of everyone else.
		msg.Failed("content", err)
	}
	if withCalendar {
		msg.Calendar, msg.CalendarMethod, err = invitation.CalendarRequest(m, d.Language, n.cfg.BaseURL,
			invitation.Organizer(n.cfg.MailFrom), calendar.Attendee{Name: d.Name, Email: d.Email})
		if err != nil {
			msg.Failed("calendar", err)
		}
	}
	return msg, nil
}
