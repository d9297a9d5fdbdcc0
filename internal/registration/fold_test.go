package registration

import "testing"

// The door's search folds names as people type them without the keys.
func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Łódź": "lodz", "Şahin": "sahin", "Çağrı": "cagri", "Ștefan Țăran": "stefan taran", "Ελένη": "ελενη",
		"Øresund": "oresund", "Straße": "strasse", "Đorđević": "dordevic", "Ísafjörður": "isafjordur", "ANNE": "anne",
		"Коваленко": "коваленко", "Œuvre": "oeuvre",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}
