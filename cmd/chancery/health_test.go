package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// health exits 0 for a ready node and 1 with one line naming what is not
// ready otherwise; it is all a scratch container has to check itself with.
func TestHealth(t *testing.T) {
	n := startInProcess(t)
	if code, out, stderr := runCLI(t, "health", "--url", n.url); code != 0 || out != "ready\n" {
		t.Fatalf("health of a running node: exit %d, %q %q", code, out, stderr)
	}

	notReady := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"ready":false,"checks":[{"name":"chain","ok":false,"error":"catching up with the chain"},{"name":"blobs","ok":true}]}`))
	}))
	defer notReady.Close()
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "oops", http.StatusInternalServerError)
	}))
	defer broken.Close()

	for _, tc := range []struct {
		url, want string
	}{
		{notReady.URL, "chancery health: not ready: chain: catching up with the chain\n"},
		{broken.URL, "500 Internal Server Error"},
		{"http://" + freeHTTPAddr(t), "connection refused"},
	} {
		code, _, stderr := runCLI(t, "health", "--url", tc.url)
		if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("health --url %s: exit %d, stderr %q; want 1 and one line with %q", tc.url, code, stderr, tc.want)
		}
	}
	if code, _, _ := runCLI(t, "health", "--url", "localhost:8080"); code != 2 {
		t.Errorf("health with a URL without scheme: exit %d, want 2", code)
	}
}

func TestDefaultHealthURL(t *testing.T) {
	for env, want := range map[string]string{
		"":               "http://127.0.0.1:8080",
		"0.0.0.0:9090":   "http://127.0.0.1:9090",
		":9091":          "http://127.0.0.1:9091",
		"[::]:9092":      "http://127.0.0.1:9092",
		"10.1.2.3:9093":  "http://10.1.2.3:9093",
		"node1.lan:9094": "http://node1.lan:9094",
	} {
		lookup := func(string) (string, bool) { return env, env != "" }
		if got := defaultHealthURL(lookup); got != want {
			t.Errorf("CHANCERY_HTTP_ADDR=%q: %s, want %s", env, got, want)
		}
	}
}
