package web

import (
	"encoding/json"
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/coe-agora/agora/templates"
)

// Each of the secretariat's own wordings replaces a message the services
// produce, exists in English and French, and fills only placeholders that
// the service's message has.
func TestSecretariatWordingsMatchServiceMessages(t *testing.T) {
	texts := map[string]map[string]string{"en": {}, "fr": {}}
	files, _ := fs.Glob(templates.FS, "i18n/*.json")
	for _, name := range files {
		b, err := fs.ReadFile(templates.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		lang := "en"
		if strings.HasSuffix(name, "fr.json") {
			lang = "fr"
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for k, v := range m {
			texts[lang][k] = v
		}
	}
	names := regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)
	for from, to := range secMessages {
		given := map[string]bool{}
		src, ok := texts["en"][from]
		if !ok {
			t.Errorf("%s: no service message has this key", from)
		}
		for _, m := range names.FindAllStringSubmatch(src, -1) {
			given[m[1]] = true
		}
		for _, lang := range []string{"en", "fr"} {
			text, ok := texts[lang][to]
			if !ok {
				t.Errorf("%s → %s: missing from the %s catalog", from, to, lang)
			}
			for _, m := range names.FindAllStringSubmatch(text, -1) {
				if !given[m[1]] {
					t.Errorf("%s → %s (%s) shows {{.%s}}, which %s does not give", from, to, lang, m[1], from)
				}
			}
		}
	}
}
