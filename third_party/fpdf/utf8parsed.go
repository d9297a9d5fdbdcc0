// Agora's addition to go-pdf/fpdf v0.9.0 (see PATCHES.md).

package fpdf

import "sync"

// UTF8Font is a TrueType font parsed once, by ParseUTF8Font, for any
// number of documents, concurrently: AddParsedUTF8Font gives it to a
// document without parsing the file again nor fingerprinting its widths,
// which AddUTF8FontFromBytes does for every document.
type UTF8Font struct {
	ttf    []byte
	desc   FontDescType
	up, ut int
	cw     []int // read only, shared by every document

	mu  sync.Mutex
	ids map[string]string // the font's id by font key (family and style)
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
		up:  int(round(utf8File.UnderlinePosition)),
		ut:  round(utf8File.UnderlineThickness),
		cw:  utf8File.CharWidths,
		ids: map[string]string{},
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
