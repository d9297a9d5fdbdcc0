package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coe-agora/agora/internal/apptest"
)

// A page that says why an action could not be done names the status in
// its own language ("cette inscription est … (confirmée)"), not by the
// code the API answers ("confirmed"), which the JSON API keeps.
func TestPagesNameStatusesInTheirLanguage(t *testing.T) {
	e := apptest.Start(t)
	m, tokens := delegationMeeting(t, e, "Expert group on words", false)
	reg := selfRegister(t, e, m, tokens["FR"], "Claire", "Mot", "claire.mot@example.org")

	fp := signInHTTP(t, e, "fp.fr@example.org")
	for lang, want := range map[string]string{
		"fr": "seule une inscription en attente d'approbation peut être approuvée (confirmée)",
		"en": "only a pending registration can be approved; this one is confirmed",
	} {
		_, page := fp.get(fmt.Sprintf("/meetings/%d/delegation?lang=%s", m.ID, lang))
		code, _ := fp.post(fmt.Sprintf("/meetings/%d/delegation/%d/approve?lang=%s", m.ID, reg.ID, lang), page, url.Values{})
		if code != http.StatusSeeOther {
			t.Fatalf("approving a confirmed registration (%s): %d", lang, code)
		}
		_, page = fp.get(fmt.Sprintf("/meetings/%d/delegation?lang=%s", m.ID, lang))
		if page = html.UnescapeString(page); !strings.Contains(page, want) {
			t.Errorf("the %s page does not say %q", lang, want)
		}
		if lang == "fr" && strings.Contains(page, "(confirmed)") {
			t.Error("the French page names the status in English")
		}
	}
	code, body := e.Do("POST", fmt.Sprintf("/api/v1/registrations/%d/approve", reg.ID), "fp_FR", nil)
	if code != http.StatusConflict || !strings.Contains(string(body), "this one is confirmed") {
		t.Errorf("the API's answer changed: %d %s", code, body)
	}
}
