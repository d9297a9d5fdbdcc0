package digest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/digest"
	"github.com/coe-agora/agora/internal/document"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/registration"
	"github.com/coe-agora/agora/internal/testmail"
)

// Documents published or replaced go into the digest the delegates
// already receive — their language's title, a link through their own
// manage page — once per burst; the secretariat's documents never.
func TestDigestTellsOfNewAndReplacedDocuments(t *testing.T) {
	mp := testmail.Start(t)
	e := apptest.Start(t, apptest.Options{SMTPURL: mp.SMTPURL()})
	ctx := context.Background()
	sec := secretariat(e)
	m := publishedMeeting(t, e, func(f *meeting.Fields) {})
	claire := register(t, e, sec, m.ID, "FR", "Claire", "Martin", "claire.martin@interieur.gouv.example", "fr")
	hans := register(t, e, sec, m.ID, "DE", "Hans", "Becker", "hans.becker@bmg.bund.example", "en")
	n := digest.New(e.App.DB, e.App.Outbox, e.App.Renderer, digest.Config{BaseURL: e.App.Config.BaseURL, MailFrom: e.App.Config.MailFrom,
		Quiet: time.Nanosecond, ManageURL: func(id int64, nonce []byte) string {
			return e.App.Registrations.ManageURL(registration.Registration{ID: id, ManageNonce: nonce})
		}})
	runOnce(t, n) // the registrations' own news, if any

	add := func(symbol, en, fr string, access document.Access) document.Document {
		d, err := e.App.Documents.Create(ctx, sec, m.ID, document.Fields{Symbol: symbol, TitleEN: en, TitleFR: fr, Access: access})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	put := func(d document.Document, lang string) {
		if _, err := e.App.Documents.PutFile(ctx, sec, d.ID, document.Upload{Language: lang, Filename: "f-" + lang + ".txt",
			Body: strings.NewReader("Text of " + d.Symbol + " " + lang)}); err != nil {
			t.Fatal(err)
		}
	}
	conclusions := add("P-PG (2027) 3", "Draft conclusions", "Projet de conclusions", document.Public)
	put(conclusions, "en")
	put(conclusions, "fr")
	report := add("P-PG (2027) 4", "National reports", "Rapports nationaux", document.Participants)
	put(report, "en")
	put(report, "en") // replaced within the burst: still new
	internal := add("P-PG (2027) 5", "Secretariat notes", "Notes du secrétariat", document.Secretariat)
	put(internal, "en")

	if got := runOnce(t, n); got != 2 {
		t.Fatalf("%d emails, want one per confirmed delegate", got)
	}
	msgs := waitChangeEmails(t, mp, 2)
	en, fr := find(t, mp, msgs, hans.Email), find(t, mp, msgs, claire.Email)
	wantLines(t, en.Text, "- New document: P-PG (2027) 3 'Draft conclusions'", "- New document: P-PG (2027) 4 'National reports'",
		"The documents, without signing in: "+hans.ManageURL+"#documents")
	wantLines(t, fr.Text, "- Nouveau document : P-PG (2027) 3 « Projet de conclusions »", "- Nouveau document : P-PG (2027) 4 « Rapports nationaux »",
		"Les documents, sans connexion : "+claire.ManageURL+"#documents")
	for _, msg := range []string{en.Text, fr.Text} {
		if strings.Contains(msg, "(2027) 5") || strings.Count(msg, "P-PG (2027) 3") != 1 {
			t.Errorf("the email names the secretariat's document, or one document twice:\n%s", msg)
		}
	}
	if got := runOnce(t, n); got != 0 {
		t.Errorf("a second pass sent %d more emails", got)
	}

	// A later replacement is a burst of its own.
	put(conclusions, "fr")
	if got := runOnce(t, n); got != 2 {
		t.Fatalf("replacement: %d emails, want 2", got)
	}
	msgs = waitChangeEmails(t, mp, 4)
	var frTexts []string
	for _, sum := range msgs {
		if len(sum.To) == 1 && sum.To[0].Address == claire.Email {
			msg, err := mp.Message(sum.ID)
			if err != nil {
				t.Fatal(err)
			}
			frTexts = append(frTexts, msg.Text)
		}
	}
	if len(frTexts) != 2 || !strings.Contains(strings.Join(frTexts, "\n"), "- Document mis à jour : P-PG (2027) 3 « Projet de conclusions »") {
		t.Errorf("French emails after the replacement:\n%s", strings.Join(frTexts, "\n----\n"))
	}
}
