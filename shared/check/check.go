// Package check holds the stateless checks every app's messages share: free
// text that is safe to show on a page or in a log, and picking the first of
// several errors.
package check

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text describes what is wrong with free text (a name, a title, a reason), or
// returns "" when it is fine: min to max characters of valid UTF-8 without
// control characters, which would let it hide or fake text around it, nor
// characters that show nothing (a zero-width space, a Hangul filler), which
// would let two names look the same. Single-line text neither begins nor
// ends with white space; multi-line text (a description) may contain
// newlines and tabs.
func Text(s string, min, max int, multiline bool) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	if !multiline && strings.TrimSpace(s) != s {
		return "must not begin or end with white space"
	}
	n := utf8.RuneCountInString(s)
	if n < min || n > max {
		if min == 0 {
			return fmt.Sprintf("must be at most %d characters, got %d", max, n)
		}
		return fmt.Sprintf("must be %d to %d characters, got %d", min, max, n)
	}
	for _, r := range s {
		if multiline && (r == '\n' || r == '\t' || r == '\r') {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r) {
			return fmt.Sprintf("contains the control character %U", r)
		}
		if invisible(r) {
			return fmt.Sprintf("contains the invisible character %U", r)
		}
	}
	return ""
}

// Tidy fits text from outside the system (the name of a file a browser
// sent) to Text: white space trimmed, characters that show nothing dropped.
func Tidy(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if invisible(r) {
			return -1
		}
		return r
	}, s))
}

// Shorten cuts s to at most n characters, the last of them "…" if cut.
func Shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n-1])) + "…"
}

// invisible reports characters that show nothing and join nothing: the
// zero-width space and no-break space, the soft hyphen, word joiners and
// invisible operators, the combining grapheme joiner, the Mongolian vowel
// separator, Khmer's inherent vowels and the Hangul fillers. The zero-width
// joiner and non-joiner are not among them: scripts (Persian, Devanagari)
// and emoji need them.
func invisible(r rune) bool {
	switch r {
	case '\u00ad', '\u034f', '\u115f', '\u1160', '\u17b4', '\u17b5', '\u180e',
		'\u200b', '\u2060', '\u2061', '\u2062', '\u2063', '\u2064', '\u3164', '\ufeff', '\uffa0':
		return true
	}
	return false
}

// First returns the first non-nil error, so ValidateBasic can list its
// checks in order.
func First(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
