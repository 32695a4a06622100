// Package check holds the stateless checks every app's messages share: free
// text that is safe to show on a page or in a log, and picking the first of
// several errors.
package check

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// Text describes what is wrong with free text (a name, a title, a reason), or
// returns "" when it is fine: min to max characters of valid UTF-8 without
// control characters, which would let it hide or fake text around it. Multi-
// line text (a description) may contain newlines and tabs.
func Text(s string, min, max int, multiline bool) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
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
	}
	return ""
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
