package mail

import (
	"crypto/rand"
	"encoding/hex"
)

// TestMessage returns the admin's mail check: the "test" email to one
// address in lang, ready for [Outbox.Enqueue]. Each call is a new email
// (its dedupe key is random), so the check can be repeated.
func (r *Renderer) TestMessage(to, toName, lang string) (Message, error) {
	subject, text, html, err := r.Render("test", lang, struct{ Name string }{toName})
	if err != nil {
		return Message{}, err
	}
	b := make([]byte, 12)
	_, _ = rand.Read(b) // never fails (crypto/rand documents it)
	return Message{
		Kind:      "test",
		To:        to,
		ToName:    toName,
		Language:  lang,
		Subject:   subject,
		Text:      text,
		HTML:      html,
		DedupeKey: "test:" + hex.EncodeToString(b),
	}, nil
}
