package registration

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// foldLetters are the letters that Unicode does not decompose into a base
// letter and a mark, written as people without the key type them.
var foldLetters = map[rune]string{
	'ł': "l", 'đ': "d", 'ð': "d", 'ħ': "h", 'ı': "i", 'ø': "o", 'œ': "oe", 'æ': "ae",
	'ß': "ss", 'þ': "th", 'ŀ': "l", 'ŧ': "t", 'ĸ': "k", 'ŋ': "n",
}

// Fold is s as a search compares it: lower case, without accents or other
// marks ("Łódź" and "lodz", "Şahin" and "sahin", "Ελένη" and "ελενη" fold
// alike), spaces kept.
func Fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if f, ok := foldLetters[r]; ok {
			b.WriteString(f)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
