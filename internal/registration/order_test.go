package registration_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/lib/pq"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/coe-agora/agora/internal/state"
	"github.com/coe-agora/agora/internal/testdb"
)

// trickyNames are people's names where an SQL collation and the Go
// collator could part: accents, case, apostrophes, hyphens, spaces,
// letters outside ASCII that are not accented letters, other scripts,
// decomposed accents, digits.
var trickyNames = []string{
	"Müller", "Muller", "MULLER", "müller", "Mueller", "Müller-Lüdenscheidt", "Muller Lüdenscheidt", "Müllerová",
	"O'Brien", "O’Brien", "Obrien", "O Brien", "O-Brien", "Ó Briain", "OBrien", "o'brien",
	"d'Alembert", "D'Alembert", "Dalembert", "D’Alembert", "de la Fontaine", "De La Fontaine", "Delafontaine", "De la Fontaine",
	"Jean-Pierre", "Jean Pierre", "JeanPierre", "Jean‐Pierre", "Jean–Pierre", "jean-pierre",
	"van der Berg", "Van der Berg", "Vanderberg", "van den Berg",
	"Łukasik", "Lukasik", "Ångström", "Angstrom", "Aalto", "Zoë", "Zoe", "Øberg", "Oberg", "Æsir", "Aesir",
	"Straße", "Strasse", "Strase", "Ćirić", "Ciric", "Čapek", "Capek", "Şahin", "Sahin", "Yılmaz", "Yilmaz",
	"İnönü", "Inonu", "García", "Garcia", "Ñúñez", "Nunez", "Nuñez", "Þórsson", "Thorsson", "Ðoković", "Djokovic", "Dokovic",
	"Lefèvre", "Lefevre", "Lefébvre", "Côté", "Cote", "Coté", "Côte", "e\u0301lodie", "élodie", "Elodie", "Élodie",
	"Иванов", "Іваненко", "Єрмак", "Ёлкин", "Елкин", "Ґонта", "Παπαδόπουλος", "Ζαχαρίου", "Άννα", "Αννα",
	"ბერიძე", "Պետրոսյան", "כהן", "حداد", "王", "李", "さとう", "김",
	"Smith 2", "Smith 10", "Smith", "Smith-Jones", "Smith Jones", "Smithjones",
	"N'Diaye", "Ndiaye", "N’Diaye", "Ng", "Nguyễn", "Nguyen", "Ōtani", "Otani", "Æbelø", "Ærø",
}

// TestProtocolOrderMatchesCollator holds the database's protocol-order
// collations (migrations/00012) against the Go collator the lists used
// before they were sorted in SQL: every pair of names compares the same
// way (less, equal, greater), and the roster sorts the same in both
// languages.
func TestProtocolOrderMatchesCollator(t *testing.T) {
	db, _ := testdb.New(t)
	for _, lang := range []string{"en", "fr"} {
		tag := language.English
		if lang == "fr" {
			tag = language.French
		}
		c := collate.New(tag, collate.Loose)
		names := slices.Clone(trickyNames)
		for _, st := range state.Roster {
			names = append(names, st.Name(lang))
		}
		for _, coll := range []string{"agora_names", "agora_protocol_" + lang} {
			var got []int
			err := db.Select(&got, fmt.Sprintf(`
				SELECT CASE WHEN a.n < b.n COLLATE %[1]s THEN -1 WHEN a.n = b.n COLLATE %[1]s THEN 0 ELSE 1 END
				FROM unnest($1::text[]) WITH ORDINALITY a(n, i), unnest($1::text[]) WITH ORDINALITY b(n, j)
				ORDER BY a.i, b.j`, coll), pq.Array(names))
			if err != nil {
				t.Fatal(err)
			}
			k := 0
			for _, a := range names {
				for _, b := range names {
					if want := c.CompareString(a, b); got[k] != want {
						t.Errorf("%s %s: %q vs %q: SQL %d, Go %d", lang, coll, a, b, got[k], want)
					}
					k++
				}
			}
		}
	}
}
