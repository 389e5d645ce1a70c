package access

import (
	"unicode"
	"unicode/utf8"
)

// hiddenRune reports a character a reader cannot see or that changes how
// the text around it reads: control characters (Cc: NUL, newline, escape),
// format characters (Cf: zero-width spaces and joiners, bidirectional
// overrides, the byte-order mark, tags), line and paragraph separators,
// unassigned and private-use code points, and the other default-ignorable
// characters (Hangul fillers, variation selectors, the combining grapheme
// joiner) that render as nothing. Text a person will read in an access log
// or a review queue must not contain them: twenty zero-width spaces look
// like an empty reason, and a right-to-left override makes a subject read
// as someone else.
func hiddenRune(r rune) bool {
	switch {
	case r == utf8.RuneError:
		return true
	case unicode.Is(unicode.Cc, r), unicode.Is(unicode.Cf, r), unicode.Is(unicode.Co, r),
		unicode.Is(unicode.Zl, r), unicode.Is(unicode.Zp, r):
		return true
	case unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r), unicode.Is(unicode.Variation_Selector, r):
		return true
	case r == '\u2800': // Braille pattern blank: a "symbol" that prints nothing
		return true
	case !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Zs):
		return true // unassigned
	}
	return false
}

// firstHidden returns the first hidden character of s (hiddenRune) and
// whether there is one; invalid UTF-8 counts as hidden.
func firstHidden(s string) (rune, bool) {
	if !utf8.ValidString(s) {
		return utf8.RuneError, true
	}
	for _, r := range s {
		if hiddenRune(r) {
			return r, true
		}
	}
	return 0, false
}

// visibleLength counts the characters a reader sees in s: letters, digits,
// punctuation and symbols, and one for each gap between them however many
// spaces fill it. Spaces around the text count nothing (twenty spaces say
// nothing), combining marks belong to the letter before them (e + ◌́ is one
// character, é), and hidden characters (hiddenRune) count nothing.
func visibleLength(s string) int {
	n, gap := 0, false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			gap = n > 0
		case hiddenRune(r) || unicode.Is(unicode.M, r):
		default:
			if gap {
				n++
				gap = false
			}
			n++
		}
	}
	return n
}
