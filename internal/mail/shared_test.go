package mail

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/postgres"
	"github.com/coe-agora/agora/internal/testdb"
)

// Shared attachments (a state's letter, carried by each of its focal
// points) are read from the database by the first claim that meets them
// and then come from the worker's memory; a person's own attachment (a
// visa letter) is read for its email each time and not kept. Every job
// carries the bytes stored for its email, whichever way they came.
func TestSharedAttachmentsAreReadOnce(t *testing.T) {
	db, dsn := testdb.New(t)
	o := newOutbox(t, db, true)
	var msgs []Message
	for i := range 7 {
		msgs = append(msgs, invitation(i, false))
	}
	enqueue(t, db, o, msgs...)
	letterA := bytes.Repeat([]byte("%PDF-1.4 letter to Poland "), 400)
	letterB := bytes.Repeat([]byte("%PDF-1.4 lettre à la Pologne "), 300)
	visa := []byte("%PDF-1.4 visa letter of one person")
	var shared map[string]int64
	var own []int64
	err := postgres.InTx(context.Background(), db, func(tx *sqlx.Tx) error {
		var err error
		shared, err = o.StoreShared(context.Background(), tx, map[string]Attachment{
			"letter:PL:en": {Filename: "letter-PL-en.pdf", ContentType: "application/pdf", Content: letterA},
			"letter:PL:fr": {Filename: "lettre-PL-fr.pdf", ContentType: "application/pdf", Content: letterB},
		})
		if err != nil {
			return err
		}
		if own, err = o.StoreAttachments(context.Background(), tx, []Attachment{{Filename: "visa.pdf", ContentType: "application/pdf", Content: visa}}); err != nil {
			return err
		}
		byKey := map[string]int64{}
		for i, m := range msgs {
			switch {
			case i == 6:
				byKey[m.DedupeKey] = own[0]
			case i%2 == 0:
				byKey[m.DedupeKey] = shared["letter:PL:en"]
			default:
				byKey[m.DedupeKey] = shared["letter:PL:fr"]
			}
		}
		return o.Attach(context.Background(), tx, byKey)
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64][]byte{shared["letter:PL:en"]: letterA, shared["letter:PL:fr"]: letterB, own[0]: visa}
	names := map[int64]string{shared["letter:PL:en"]: "letter-PL-en.pdf", shared["letter:PL:fr"]: "lettre-PL-fr.pdf", own[0]: "visa.pdf"}

	w, err := NewWorker(db, startFaultServer(t, nil).pool(1), fastConfig(dsn), testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	check := func(jobs []job) {
		t.Helper()
		for _, j := range jobs {
			if j.attachmentLines != nil && !bytes.Equal(j.attachmentLines, base64Lines(want[j.AttachmentID])) {
				t.Errorf("job %d: the base64 held is not that of attachment %d", j.ID, j.AttachmentID)
			}
			if j.AttachmentID == 0 || !bytes.Equal(j.Attachment, want[j.AttachmentID]) || j.AttachmentName != names[j.AttachmentID] ||
				j.AttachmentType != "application/pdf" {
				t.Errorf("job %d (%s): attachment %d %q, %d bytes, not what was stored", j.ID, j.To, j.AttachmentID, j.AttachmentName, len(j.Attachment))
			}
		}
	}
	// The first claim reads both letters and keeps them, not the visa letter.
	first, err := w.claim(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	check(first)
	if got := fmt.Sprint(len(w.shared.ids())); got != "2" || w.shared.get(own[0]).content != nil {
		t.Errorf("after the first claim the worker holds %s attachments (visa letter: %v), want the 2 letters", got, w.shared.get(own[0]).content != nil)
	}
	// The next claims take them from memory, not from the database: the
	// stored letters changed behind the worker's back (shared attachments
	// never change; the test changes them to see where the bytes come
	// from) still come out as they were.
	if _, err := db.Exec(`UPDATE mail_attachments SET content = content || 'changed' WHERE cache_key IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	rest, err := w.claim(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rest) != 5 {
		t.Fatalf("claimed %d more rows, want 5", len(rest))
	}
	check(rest)

	// A letter dropped from memory between the claim's query and its use
	// is read on its own.
	if _, err := db.Exec(`UPDATE outgoing_mail SET status = 'queued', lease_until = NULL, next_attempt_at = now()`); err != nil {
		t.Fatal(err)
	}
	forgetful, err := NewWorker(db, startFaultServer(t, nil).pool(1), fastConfig(dsn), testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"letter:PL:en", "letter:PL:fr"} {
		want[shared[k]] = append(bytes.Clone(want[shared[k]]), "changed"...) // as the database now holds them
	}
	again, err := forgetful.claimHolding(context.Background(), 10, []int64{shared["letter:PL:en"], shared["letter:PL:fr"]})
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 7 {
		t.Fatalf("claimed %d rows again, want 7", len(again))
	}
	check(again)
}

// The worker's memory for shared attachments stays within its budget,
// the oldest going first.
func TestSharedFilesKeepToTheirBudget(t *testing.T) {
	var s sharedFiles
	file := make([]byte, sharedBudget/25) // and 4/3 of it in base64
	for id := range int64(25) {
		s.keep(id+1, file)
	}
	if s.bytes > sharedBudget || len(s.files) != 10 {
		t.Errorf("%d files, %d bytes held, budget %d", len(s.files), s.bytes, sharedBudget)
	}
	if s.get(1).content != nil || s.get(25).content == nil {
		t.Error("the oldest file was kept or the newest dropped")
	}
	s.keep(100, make([]byte, sharedBudget/4)) // too large to keep
	if s.get(100).content != nil {
		t.Error("a file over an eighth of the budget was kept")
	}
}
