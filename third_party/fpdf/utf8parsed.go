// Agora's addition to go-pdf/fpdf v0.9.0 (see PATCHES.md).

package fpdf

import (
	"slices"
	"strconv"
	"sync"
)

// UTF8Font is a TrueType font parsed once, by ParseUTF8Font, for any
// number of documents, concurrently: AddParsedUTF8Font gives it to a
// document without parsing the file again nor fingerprinting its widths,
// which AddUTF8FontFromBytes does for every document.
type UTF8Font struct {
	ttf    []byte
	desc   FontDescType
	up, ut int
	cw     []int // read only, shared by every document

	mu   sync.Mutex
	ids  map[string]string  // the font's id by font key (family and style)
	cuts map[string]utf8Cut // subsets made, by the runes they hold (runeSetKey)
}

// maxCuts bounds the subsets a parsed font keeps. Letters of one run
// differ by a name or a date, so a few dozen sets of runes cover
// hundreds of documents; past the bound the kept ones are dropped and
// the count starts again. Each is some tens of kilobytes.
const maxCuts = 256

// utf8Cut is what a document writes for a UTF-8 font holding a given set
// of runes: the subset of the font file (compressed), its uncompressed
// length, its widths (the CID font's /W entry) and its CID-to-glyph map
// (compressed). All of it follows from the font and the set of runes, so
// documents holding the same runes share it: cutting the font, mapping
// its widths and compressing both cost about two milliseconds per font
// of every document, most of a letter's rendering.
type utf8Cut struct {
	stream   []byte
	length1  int
	widths   string
	cidToGID []byte
}

// runeSetKey names a document's used runes (the map putfonts cuts the
// font with: a rune is used when its value is not 0).
func runeSetKey(usedRunes map[int]int) string {
	keys := make([]int, 0, len(usedRunes))
	for r := range usedRunes {
		keys = append(keys, r)
	}
	slices.Sort(keys)
	b := make([]byte, 0, 4*len(keys))
	for _, r := range keys {
		b = strconv.AppendInt(b, int64(r), 36)
		if usedRunes[r] != 0 {
			b = append(b, '+')
		}
		b = append(b, ',')
	}
	return string(b)
}

// cutUTF8Font makes what the document writes for font holding usedRunes,
// or takes it from the parsed font when a document held the same runes
// before. The bytes are the same either way.
func (f *Fpdf) cutUTF8Font(font *fontDefType, usedRunes map[int]int) utf8Cut {
	var key string
	if p := font.parsed; p != nil {
		key = runeSetKey(usedRunes)
		p.mu.Lock()
		cut, ok := p.cuts[key]
		p.mu.Unlock()
		if ok {
			return cut
		}
	}
	stream := font.utf8File.GenerateCutFont(usedRunes)
	cut := utf8Cut{length1: len(stream), widths: f.generateCIDFontMap(font, font.utf8File.LastRune)}
	cidToGidMap := make([]byte, 256*256*2)
	for cc, glyph := range font.utf8File.CodeSymbolDictionary {
		if cc == 0 {
			continue
		}
		cidToGidMap[cc*2] = byte(glyph >> 8)
		cidToGidMap[cc*2+1] = byte(glyph & 0xFF)
	}
	mem := xmem.compress(cidToGidMap)
	cut.cidToGID = mem.copy()
	mem.release()
	mem = xmem.compress(stream)
	cut.stream = mem.copy()
	mem.release()
	if p := font.parsed; p != nil {
		p.mu.Lock()
		if len(p.cuts) >= maxCuts {
			p.cuts = map[string]utf8Cut{}
		}
		p.cuts[key] = cut
		p.mu.Unlock()
	}
	return cut
}

// ParseUTF8Font parses the TrueType font file ttf, which must not change
// afterwards.
func ParseUTF8Font(ttf []byte) (*UTF8Font, error) {
	utf8File := newUTF8Font(&fileReader{array: ttf})
	if err := utf8File.parseFile(); err != nil {
		return nil, err
	}
	return &UTF8Font{
		ttf: ttf,
		desc: FontDescType{
			Ascent:       int(utf8File.Ascent),
			Descent:      int(utf8File.Descent),
			CapHeight:    utf8File.CapHeight,
			Flags:        utf8File.Flags,
			FontBBox:     utf8File.Bbox,
			ItalicAngle:  utf8File.ItalicAngle,
			StemV:        utf8File.StemV,
			MissingWidth: round(utf8File.DefaultWidth),
		},
		up:   int(round(utf8File.UnderlinePosition)),
		ut:   round(utf8File.UnderlineThickness),
		cw:   utf8File.CharWidths,
		ids:  map[string]string{},
		cuts: map[string]utf8Cut{},
	}, nil
}

// AddParsedUTF8Font is AddUTF8FontFromBytes with a font parsed by
// ParseUTF8Font: the document is the same, byte for byte.
func (f *Fpdf) AddParsedUTF8Font(familyStr, styleStr string, font *UTF8Font) {
	if f.err != nil {
		return
	}
	fontkey := getFontKey(fontFamilyEscape(familyStr), styleStr)
	if _, ok := f.fonts[fontkey]; ok {
		return
	}
	var sbarr map[int]int
	if f.aliasNbPagesStr == "" {
		sbarr = makeSubsetRange(57)
	} else {
		sbarr = makeSubsetRange(32)
	}
	def := fontDefType{
		Tp:   "UTF8",
		Name: fontkey,
		Desc: font.desc,
		Up:   font.up,
		Ut:   font.ut,
		Cw:   font.cw,
		// Each document cuts its own subset: GenerateCutFont reads the
		// file again into this value's fields.
		utf8File:  newUTF8Font(&fileReader{array: font.ttf}),
		usedRunes: sbarr,
		parsed:    font,
	}
	font.mu.Lock()
	id, ok := font.ids[fontkey]
	if !ok {
		// The id fingerprints the exported fields only (JSON), the
		// same for every document.
		id, _ = generateFontID(def)
		font.ids[fontkey] = id
	}
	font.mu.Unlock()
	def.i = id
	f.fonts[fontkey] = def
}

// UseRunes counts the runes of s as used in the document's font of the
// given family and style, as if s had been written in it: its subset
// then holds them. Documents made by the hundred that differ in a few
// words (letters to forty states) and are each given all of those words
// hold the same runes, and share one cut of the font (cutUTF8Font).
func (f *Fpdf) UseRunes(familyStr, styleStr, s string) {
	font, ok := f.fonts[getFontKey(fontFamilyEscape(familyStr), styleStr)]
	if !ok || font.usedRunes == nil {
		return
	}
	for _, r := range s {
		font.usedRunes[int(r)] = int(r)
	}
}
