package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestWebNeverAudits holds the web layer to the rule that services record
// their own audit entries, in the transaction of the change: no handler
// writes to the trail (it only reads it, for GET /api/v1/audit).
func TestWebNeverAudits(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	writers := map[string]bool{"Record": true, "RecordSystem": true, "Event": true, "Link": true}
	fset := token.NewFileSet()
	scanned := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		scanned++
		alias := ""
		for _, imp := range f.Imports {
			if path, _ := strconv.Unquote(imp.Path.Value); path == "github.com/coe-agora/agora/internal/audit" {
				alias = "audit"
				if imp.Name != nil {
					alias = imp.Name.Name
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if id, ok := n.X.(*ast.Ident); ok && alias != "" && id.Name == alias && writers[n.Sel.Name] {
					t.Errorf("%s: the web layer uses %s.%s: the service must record its audit entry", fset.Position(n.Pos()), alias, n.Sel.Name)
				}
			case *ast.FuncDecl:
				if strings.EqualFold(n.Name.Name, "audit") {
					t.Errorf("%s: the web layer has an audit helper (%s)", fset.Position(n.Pos()), n.Name.Name)
				}
			}
			return true
		})
	}
	if scanned < 20 {
		t.Fatalf("only %d source files scanned: is the test running in internal/web?", scanned)
	}
}
