package errcode_test

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	gqlerrcode "github.com/99designs/gqlgen/graphql/errcode"

	"github.com/sundhedsklynge/klynge/errcode"
)

var codeShape = regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$|^[A-Z]{4,}$`)

func TestEveryCodeIsInTheCatalogueOnce(t *testing.T) {
	declared := declaredCodes(t)
	var listed []string
	for _, i := range errcode.All() {
		listed = append(listed, i.Code)
		if slices.Contains(listed[:len(listed)-1], i.Code) {
			t.Errorf("%s is listed twice", i.Code)
		}
		if !codeShape.MatchString(i.Code) {
			t.Errorf("%s is not SCREAMING_SNAKE_CASE", i.Code)
		}
		if http.StatusText(i.Status) == "" || i.Status < 400 {
			t.Errorf("%s: status %d is not an HTTP error status", i.Code, i.Status)
		}
		if i.Kind == "" || i.Retry == "" || i.Meaning == "" || i.Action == "" {
			t.Errorf("%s: kind, retry, meaning and action are all required: %+v", i.Code, i)
		}
	}
	slices.Sort(declared)
	slices.Sort(listed)
	if !slices.Equal(declared, listed) {
		t.Errorf("constants %v\ncatalogue %v\nwant the same codes", declared, listed)
	}
}

func TestGQLGenCodesAreSpelledAsGQLGenSpellsThem(t *testing.T) {
	if errcode.ValidationFailed != gqlerrcode.ValidationFailed || errcode.ParseFailed != gqlerrcode.ParseFailed {
		t.Error("gqlgen writes GRAPHQL_VALIDATION_FAILED and GRAPHQL_PARSE_FAILED itself; the constants must match")
	}
}

func TestStatus(t *testing.T) {
	for code, want := range map[string]int{
		errcode.Unauthenticated:      401,
		errcode.Forbidden:            403,
		errcode.RateLimited:          429,
		errcode.AccessLogUnavailable: 503,
		errcode.ValidationFailed:     400,
		"SOME_GQLGEN_CODE":           400,
	} {
		if got := errcode.Status(code); got != want {
			t.Errorf("Status(%s) = %d, want %d", code, got, want)
		}
	}
}

func TestUpstreamMessageNamesOnlyTheSystem(t *testing.T) {
	for code, want := range map[string]string{
		errcode.UpstreamTimeout:     "outofhours: the system did not answer in time; this part of the answer is missing",
		errcode.UpstreamUnavailable: "outofhours: the system is unavailable; this part of the answer is missing",
		"UPSTREAM_SOMETHING_NEW":    "outofhours: the system is unavailable; this part of the answer is missing",
	} {
		if got := errcode.UpstreamMessage("outofhours", code); got != want {
			t.Errorf("UpstreamMessage(%s) = %q, want %q", code, got, want)
		}
	}
}

// TestErrorsDocIsCurrent: docs/ERRORS.md is what go generate writes.
func TestErrorsDocIsCurrent(t *testing.T) {
	var want bytes.Buffer
	if err := errcode.WriteMarkdown(&want); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../docs/ERRORS.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Error("docs/ERRORS.md is stale: run go generate ./errcode")
	}
	for _, i := range errcode.All() {
		if !bytes.Contains(got, []byte("| `"+i.Code+"` |")) {
			t.Errorf("docs/ERRORS.md has no row for %s", i.Code)
		}
	}
}

// TestNoCodeIsWrittenAsALiteral: outside this package, every public code is
// one of its constants. The gateway's own code is scanned; tests (which
// assert what a client sees on the wire), generated code and the sandbox
// (which plays other organisations' systems) are not.
func TestNoCodeIsWrittenAsALiteral(t *testing.T) {
	var files []string
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != ".."):
			return filepath.SkipDir
		case d.IsDir() && (path == filepath.Join("..", "graph") || path == filepath.Join("..", "sandbox") || path == filepath.Join("..", "errcode")):
			return filepath.SkipDir
		case !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go"):
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 50 {
		t.Fatalf("scanned only %d files; is the walk rooted at the module?", len(files))
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, hit := range codeLiterals(t, f, src) {
			t.Errorf("%s: %s is written as a literal; use its constant in package errcode", f, hit)
		}
	}
}

func TestTheLiteralScanFindsAPlantedCode(t *testing.T) {
	src := []byte("package p\n\nvar ext = map[string]any{\"code\": \"RATE_LIMITED\"}\nvar other = \"NOT_A_CODE_HERE\"\n" +
		"var unlisted = map[string]any{\"code\": \"SOMETHING_NEW\"}\n")
	if hits := codeLiterals(t, "planted.go", src); !slices.Equal(hits, []string{`"RATE_LIMITED"`, `"SOMETHING_NEW"`}) {
		t.Errorf("hits %v, want the planted RATE_LIMITED and the unlisted code", hits)
	}
}

// codeLiterals are the string literals in src that are a catalogue code,
// or the value of a "code" key.
func codeLiterals(t *testing.T, name string, src []byte) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), name, src, 0)
	if err != nil {
		t.Fatal(err)
	}
	var hits []string
	ast.Inspect(f, func(n ast.Node) bool {
		if kv, ok := n.(*ast.KeyValueExpr); ok {
			k, kok := kv.Key.(*ast.BasicLit)
			v, vok := kv.Value.(*ast.BasicLit)
			if kok && vok && k.Value == `"code"` && v.Kind == token.STRING {
				if _, known := errcode.Lookup(mustUnquote(v.Value)); !known {
					hits = append(hits, v.Value)
				}
			}
			return true
		}
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			return true
		}
		if _, ok := errcode.Lookup(s); ok {
			hits = append(hits, lit.Value)
		}
		return true
	})
	return hits
}

// declaredCodes are the string constants declared in errcode.go.
func declaredCodes(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "errcode.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			if vs.Type != nil {
				continue // Kind and Retry values
			}
			for _, v := range vs.Values {
				if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					out = append(out, s)
				}
			}
		}
	}
	return out
}

func mustUnquote(s string) string {
	u, err := strconv.Unquote(s)
	if err != nil {
		return s
	}
	return u
}
