package check

import (
	"errors"
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	cases := []struct {
		s         string
		min, max  int
		multiline bool
		want      string // substring of the problem; "" = fine
	}{
		{"Court of Appeal", 1, 100, false, ""},
		{"", 1, 100, false, "1 to 100"},
		{"", 0, 100, true, ""},
		{strings.Repeat("é", 101), 1, 100, false, "got 101"},
		{strings.Repeat("é", 100), 1, 100, false, ""},
		{"a\nb", 1, 100, false, "U+000A"},
		{"a\nb\tc", 1, 100, true, ""},
		{"evil\u202eeman", 1, 100, true, "U+202E"},
		{"x\x00", 1, 100, true, "U+0000"},
		{"\xff", 1, 100, false, "UTF-8"},
		// Names that would look like others, or like nothing.
		{" ", 1, 100, false, "white space"},
		{"  admin  ", 1, 100, false, "white space"},
		{"admin\n", 1, 100, true, ""},
		{"\u200b", 1, 100, false, "U+200B"},
		{"admin\ufeff", 1, 100, false, "U+FEFF"},
		{"ad\u00admin", 1, 100, true, "U+00AD"},
		{"\u3164", 1, 100, false, "U+3164"},
		{"می\u200cخواهم", 1, 100, false, ""}, // Persian needs the zero-width non-joiner
		{"👩\u200d💻", 1, 100, false, ""},      // an emoji sequence, the zero-width joiner
		{"Cour d'appel", 1, 100, false, ""},
	}
	for _, c := range cases {
		got := Text(c.s, c.min, c.max, c.multiline)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("Text(%q) = %q, want %q", c.s, got, c.want)
		}
	}
}

// Tidy and Shorten make what Text accepts out of a browser's file name.
func TestTidyShorten(t *testing.T) {
	for in, want := range map[string]string{
		"notes.txt ":               "notes.txt",
		"  report\u00ad final.pdf": "report final.pdf",
		"\u200b\ufeff":             "",
		"می\u200cخواهم.txt":        "می\u200cخواهم.txt",
	} {
		if got := Tidy(in); got != want || (got != "" && Text(got, 1, 200, false) != "") {
			t.Errorf("Tidy(%q) = %q, want %q that Text accepts", in, got, want)
		}
	}
	long := strings.Repeat("é", 199) + " tail"
	if got := Shorten(long, 200); got != strings.Repeat("é", 199)+"…" || Text(got, 1, 200, false) != "" {
		t.Errorf("Shorten = %q", got)
	}
	if got := Shorten(strings.Repeat("a", 198)+" bc", 200); got != strings.Repeat("a", 198)+"…" {
		t.Errorf("Shorten at a space = %q", got)
	}
	if Shorten("short", 200) != "short" {
		t.Error("Shorten changed a short text")
	}
}

func TestFirst(t *testing.T) {
	a, b := errors.New("a"), errors.New("b")
	if First(nil, a, b) != a || First(nil, nil) != nil {
		t.Fatal("First picked the wrong error")
	}
}
