package oplimits

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"

	"github.com/sundhedsklynge/klynge/errcode"
)

// lexicalShape counts the document's tokens and its aliases (a name, a
// colon and a name outside any parentheses: arguments and variable
// definitions live inside parentheses), stopping as soon as either passes
// its limit, so that a hostile document costs no more than the limit to
// refuse, whatever its size. A lexer error stops the count: the parser
// will report it.
func lexicalShape(query string, maxTokens, maxAliases int) (tokens, aliases int) {
	lx := lexer.New(&ast.Source{Input: query})
	parens := 0
	var prev1, prev2 lexer.Type // the kinds of the two tokens before
	for {
		tok, err := lx.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			return tokens, aliases
		}
		if tok.Kind == lexer.Comment {
			continue
		}
		tokens++
		switch tok.Kind {
		case lexer.ParenL:
			parens++
		case lexer.ParenR:
			parens--
		case lexer.Name:
			if parens == 0 && prev1 == lexer.Colon && prev2 == lexer.Name {
				aliases++
			}
		}
		prev2, prev1 = prev1, tok.Kind
		if exceeds(tokens, maxTokens) || exceeds(aliases, maxAliases) {
			return tokens, aliases
		}
	}
}

// shape is what the structural checks measure in one document.
type shape struct {
	depth         int
	aliases       int
	rootFields    int
	directives    int // the most on one selection
	directivesAt  string
	fragmentDepth map[string]int
	fragmentRoots map[string]int
	visiting      map[string]bool
	doc           *ast.QueryDocument
}

// checkStructure measures an unvalidated document and returns the first
// limit it breaks. Fragments are followed by name with a guard against
// cycles (validation, which forbids them, has not run yet) and memoised, so
// the walk is linear in the document however often fragments are spread.
func checkStructure(doc *ast.QueryDocument, c Config) *gqlerror.Error {
	s := &shape{
		fragmentDepth: map[string]int{},
		fragmentRoots: map[string]int{},
		visiting:      map[string]bool{},
		doc:           doc,
	}
	for _, op := range doc.Operations {
		s.countNodes(op.SelectionSet)
		s.noteDirectives(len(op.Directives), "the operation")
		s.depth = max(s.depth, s.depthOf(op.SelectionSet))
		s.rootFields = max(s.rootFields, s.rootsOf(op.SelectionSet))
	}
	for _, f := range doc.Fragments {
		s.countNodes(f.SelectionSet)
		s.noteDirectives(len(f.Directives), "fragment "+f.Name)
	}
	switch {
	case exceeds(s.depth, c.MaxDepth):
		return refusal(errcode.DepthLimitExceeded, "limits.maxDepth", s.depth, c.MaxDepth,
			"the query is nested %d levels deep; the limit is %d (limits.maxDepth)", s.depth, c.MaxDepth)
	case exceeds(s.aliases, c.MaxAliases):
		return refusal(errcode.AliasLimitExceeded, "limits.maxAliases", s.aliases, c.MaxAliases,
			"the document uses %d aliases; the limit is %d (limits.maxAliases)", s.aliases, c.MaxAliases)
	case exceeds(s.rootFields, c.MaxRootFields):
		return refusal(errcode.RootFieldLimitExceeded, "limits.maxRootFields", s.rootFields, c.MaxRootFields,
			"the operation asks for %d root fields; the limit is %d (limits.maxRootFields)", s.rootFields, c.MaxRootFields)
	case exceeds(s.directives, c.MaxDirectivesPerField):
		return refusal(errcode.DirectiveLimitExceeded, "limits.maxDirectivesPerField", s.directives, c.MaxDirectivesPerField,
			"%s carries %d directives; the limit is %d per field (limits.maxDirectivesPerField)", s.directivesAt, s.directives, c.MaxDirectivesPerField)
	}
	return nil
}

// countNodes counts aliases and directives once per node as written,
// without following fragment spreads.
func (s *shape) countNodes(set ast.SelectionSet) {
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if sel.Alias != "" && sel.Alias != sel.Name {
				s.aliases++
			}
			s.noteDirectives(len(sel.Directives), "field "+sel.Name)
			s.countNodes(sel.SelectionSet)
		case *ast.InlineFragment:
			s.noteDirectives(len(sel.Directives), "an inline fragment")
			s.countNodes(sel.SelectionSet)
		case *ast.FragmentSpread:
			s.noteDirectives(len(sel.Directives), "the spread of "+sel.Name)
		}
	}
}

func (s *shape) noteDirectives(n int, where string) {
	if n > s.directives {
		s.directives, s.directivesAt = n, where
	}
}

// depthOf is the depth of a selection set: 1 for a set of leaves.
func (s *shape) depthOf(set ast.SelectionSet) int {
	d := 0
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if introspection(sel.Name) {
				d = max(d, 1)
				continue
			}
			d = max(d, 1+s.depthOf(sel.SelectionSet))
		case *ast.InlineFragment:
			d = max(d, s.depthOf(sel.SelectionSet))
		case *ast.FragmentSpread:
			d = max(d, s.fragment(sel.Name, s.fragmentDepth, s.depthOf))
		}
	}
	return d
}

// rootsOf counts the fields of a root selection set, fragments expanded.
func (s *shape) rootsOf(set ast.SelectionSet) int {
	n := 0
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			n++
		case *ast.InlineFragment:
			n += s.rootsOf(sel.SelectionSet)
		case *ast.FragmentSpread:
			n += s.fragment(sel.Name, s.fragmentRoots, s.rootsOf)
		}
	}
	return n
}

// fragment measures a named fragment once, counting 0 for an unknown
// fragment or one already being measured (a cycle).
func (s *shape) fragment(name string, memo map[string]int, measure func(ast.SelectionSet) int) int {
	if v, ok := memo[name]; ok {
		return v
	}
	f := s.doc.Fragments.ForName(name)
	if f == nil || s.visiting[name] {
		return 0
	}
	s.visiting[name] = true
	v := measure(f.SelectionSet)
	delete(s.visiting, name)
	memo[name] = v
	return v
}

func introspection(name string) bool {
	return name == "__schema" || name == "__type"
}

// isMeta reports a meta field (__typename and introspection), which costs
// nothing upstream.
func isMeta(name string) bool { return strings.HasPrefix(name, "__") }
