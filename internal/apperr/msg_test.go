package apperr_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/templates"
)

// catalogTexts reads every message of the catalogs of lang, as written.
func catalogTexts(t *testing.T, lang string) map[string]string {
	t.Helper()
	files, err := fs.Glob(templates.FS, "i18n/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no catalogs: %v", err)
	}
	out := map[string]string{}
	for _, name := range files {
		if name != "i18n/"+lang+".json" && !strings.HasSuffix(name, "."+lang+".json") {
			continue
		}
		b, err := fs.ReadFile(templates.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

var placeholderRE = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

// placeholders lists the {{.Names}} of a text, sorted, without repeats.
func placeholders(text string) []string {
	var out []string
	for _, m := range placeholderRE.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// use is one call of apperr.M in the source.
type use struct {
	at   string
	key  string
	args []string // placeholder names given, sorted
}

// messageUses reads every apperr.M(...) of the module's Go source (tests
// aside). A key or an argument name that is not a string literal is an
// error: the catalogs could not be checked against it.
func messageUses(t *testing.T) []use {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	var uses []use
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "var" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		inApperr := f.Name.Name == "apperr"
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			switch fn := call.Fun.(type) {
			case *ast.SelectorExpr:
				if x, ok := fn.X.(*ast.Ident); !ok || x.Name != "apperr" || fn.Sel.Name != "M" {
					return true
				}
			case *ast.Ident:
				if !inApperr || fn.Name != "M" {
					return true
				}
			default:
				return true
			}
			at := fset.Position(call.Pos()).String()
			if len(call.Args) == 0 {
				t.Errorf("%s: apperr.M without a key", at)
				return true
			}
			u := use{at: at}
			for i, arg := range call.Args {
				if i > 0 && i%2 == 0 {
					continue // a value
				}
				lit, ok := arg.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					if inApperr && i == 0 {
						return true // M's own body
					}
					t.Errorf("%s: argument %d of apperr.M is not a string literal", at, i)
					return true
				}
				s, _ := strconv.Unquote(lit.Value)
				if i == 0 {
					u.key = s
				} else {
					u.args = append(u.args, s)
				}
			}
			if len(call.Args)%2 == 0 {
				t.Errorf("%s: apperr.M(%q, …) has a name without a value", at, u.key)
			}
			slices.Sort(u.args)
			uses = append(uses, u)
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return uses
}

// Every message the code can produce exists in English and French, with
// the placeholders the code fills and no other; and every error message of
// the catalogs is used.
func TestMessageKeysExistInBothLanguages(t *testing.T) {
	en, fr := catalogTexts(t, "en"), catalogTexts(t, "fr")
	uses := messageUses(t)
	if len(uses) < 100 {
		t.Fatalf("found only %d uses of apperr.M: is the source scanned?", len(uses))
	}
	used := map[string]bool{}
	for _, u := range uses {
		used[u.key] = true
		for lang, texts := range map[string]map[string]string{"en": en, "fr": fr} {
			text, ok := texts[u.key]
			if !ok {
				t.Errorf("%s: %q is missing from the %s catalog", u.at, u.key, lang)
				continue
			}
			if got := placeholders(text); !slices.Equal(got, u.args) {
				t.Errorf("%s: %q in %s has placeholders %v, the code gives %v", u.at, u.key, lang, got, u.args)
			}
		}
	}
	for key := range en {
		if strings.HasPrefix(key, "err.") && !used[key] {
			t.Errorf("%q is in the catalogs but no code uses it", key)
		}
	}
}

// The JSON API, logs and the terminal show messages in English from the
// catalog, with the texts the API has always answered.
func TestMessagesInEnglish(t *testing.T) {
	tests := []struct {
		msg  apperr.Msg
		want string
	}{
		{apperr.M("err.required"), "is required"},
		{apperr.M("err.max_chars", "N", 100), "must be at most 100 characters"},
		{apperr.M("err.after", "Field", "starts_at"), "must be after starts_at"},
		{apperr.M("err.reg_already", "RegStatus", "cancelled"), "this registration is already cancelled"},
		{apperr.M("err.already_focal_point", "Email", "a@example.org", "Code", "FR"), "a@example.org is already a focal point of FR"},
		{apperr.M("err.no_state", "Code", "XX"), `no state with code "XX"`},
	}
	for _, tt := range tests {
		if got := tt.msg.String(); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.msg.Key, got, tt.want)
		}
	}
	err := apperr.New(apperr.Conflict, apperr.M("err.reg_closed"))
	if got := err.Error(); got != "conflict: registration is closed" {
		t.Errorf("Error() = %q", got)
	}
	f := apperr.Fields{}
	f.Add("name", apperr.M("err.required"))
	f.Add("name", apperr.M("err.max_chars", "N", 200))
	if e, _ := apperr.As(f.Err()); e.Code != apperr.Invalid || e.Fields["name"].Key != "err.required" || e.Msg.String() != "some fields are not valid" {
		t.Errorf("Fields.Err() = %+v", e)
	}
}
