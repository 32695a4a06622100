package webtest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// WantStatus checks a response's status, showing the body when it is wrong.
func WantStatus(t testing.TB, rec *httptest.ResponseRecorder, want int) {
	t.Helper()
	if rec.Code != want {
		t.Fatalf("status %d, want %d; body:\n%s", rec.Code, want, rec.Body)
	}
}

// WantRedirect checks that a response sends the browser to want.
func WantRedirect(t testing.TB, rec *httptest.ResponseRecorder, want string) {
	t.Helper()
	WantStatus(t, rec, http.StatusSeeOther)
	if got := rec.Header().Get("Location"); got != want {
		t.Fatalf("redirect to %q, want %q", got, want)
	}
}

// WantBody checks that a response's body holds every one of substrings.
func WantBody(t testing.TB, rec *httptest.ResponseRecorder, substrings ...string) {
	t.Helper()
	for _, s := range substrings {
		if !strings.Contains(rec.Body.String(), s) {
			t.Fatalf("body lacks %q:\n%s", s, rec.Body)
		}
	}
}

// WantNoBody checks that a response's body holds none of substrings.
func WantNoBody(t testing.TB, rec *httptest.ResponseRecorder, substrings ...string) {
	t.Helper()
	for _, s := range substrings {
		if strings.Contains(rec.Body.String(), s) {
			t.Fatalf("body has %q:\n%s", s, rec.Body)
		}
	}
}
