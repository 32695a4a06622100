package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/chancery/chancery/chain/node"
)

// TestCopyrightBrowser (issue 6) in headless Chromium, with the harness of
// browser_test.go: an author registers a work with a file through the
// register page (hashed in the browser, uploaded with progress); a second
// author's attempt to register the same file is refused and shown the
// original; a visitor, not signed in, finds the work by picking the file in
// the public search, opens its certificate, downloads the receipt and
// `chancery verify --file` accepts it. Run with -screenshots DIR to keep
// pictures of the pages.
func TestCopyrightBrowser(t *testing.T) {
	exe := chromiumPath(t)
	n := startInProcess(t)
	e := &browserEnv{node: n, users: readFile(t, filepath.Join(n.home, demoUsersFile)), browser: startBrowser(t, exe)}
	dir := t.TempDir()
	score := writeRandomFile(t, filepath.Join(dir, "ode-to-joy.flac"), 5<<20+321) // two chunks
	sum := fileSum(t, score)

	// author1 registers the file.
	author1 := e.session(t, "author1")
	author1.open("/copyright/register", "button[data-hash-only]") // shown by the script
	author1.do("choose the file",
		chromedp.SetUploadFiles(chromedp.CSS(`#register-form input[type="file"]`), []string{score}),
		chromedp.WaitVisible(chromedp.CSS(`[data-hashing][data-done]`)),
	)
	if got := author1.text("[data-hash-value]"); got != sum {
		author1.fatalf("the page hashed the file to %q, want %s", got, sum)
	}
	author1.do("describe the work",
		chromedp.SendKeys(chromedp.CSS(`#register-form input[name="title"]`), "Ode to Joy"),
		chromedp.SetValue(chromedp.CSS(`#register-form select[name="kind"]`), "audio"),
		chromedp.SetValue(chromedp.CSS(`#register-form input[name="created"]`), "2025-06-01"),
		chromedp.SendKeys(chromedp.CSS(`#register-form textarea[name="authors"]`), "Ludwig van Beethoven\nFriedrich Schiller"),
	)
	author1.shot("copyright_register")
	author1.do("upload and register",
		chromedp.Click(chromedp.CSS(`button[data-upload]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-result] a[data-work-link]`)),
	)
	author1.wantText("[data-result]", "Registered as work")
	if sent := eval(author1, "read the upload progress", chromedp.Evaluate[float64](
		`(p => p.value / p.max)(document.querySelector("[data-upload-progress]"))`)); sent != 1 {
		author1.fatalf("upload progress ends at %v, want 1", sent)
	}
	author1.shot("copyright_registered")
	workPath := author1.attr(`[data-result] a[data-work-link]`, "href")

	var original struct {
		ID     uint64    `json:"id"`
		Stored bool      `json:"stored"`
		Title  string    `json:"title"`
		Time   time.Time `json:"time"`
		URL    string    `json:"url"`
	}
	if code, body := n.do("GET", "/api/v1/works/by-hash/"+sum, "", nil, &original); code != http.StatusOK ||
		original.URL != workPath || !original.Stored || original.Title != "Ode to Joy" {
		t.Fatalf("the registered work %s: %d %s", workPath, code, body)
	}
	blockTime := original.Time.UTC().Format("2006-01-02 15:04:05 UTC")

	// author2's registration of the same file is refused, showing the
	// original and its block time.
	author2 := e.session(t, "author2")
	author2.open("/copyright/register", "button[data-hash-only]")
	// "Hash only" reads the holders as the upload does: shares the server
	// would refuse are refused in the page, in the server's words.
	author2.do("hash only, with shares written 1e4",
		chromedp.SetUploadFiles(chromedp.CSS(`#register-form input[type="file"]`), []string{score}),
		chromedp.WaitVisible(chromedp.CSS(`[data-hashing][data-done]`)),
		chromedp.SendKeys(chromedp.CSS(`#register-form textarea[name="authors"]`), "Somebody Else"),
		chromedp.SendKeys(chromedp.CSS(`#register-form textarea[name="holders"]`), strings.Repeat("ab", 20)+" 1e4"),
		chromedp.Click(chromedp.CSS(`button[data-hash-only]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-result] .flash.error`)),
	)
	author2.wantText("[data-result]", `holders line 1: shares must be a whole number of basis points, got "1e4"`)
	eval(author2, "clear the holders", chromedp.Evaluate[string](`document.querySelector('#register-form textarea[name="holders"]').value = ""`))
	author2.do("register the same file",
		chromedp.SendKeys(chromedp.CSS(`#register-form input[name="title"]`), "My symphony"),
		chromedp.Click(chromedp.CSS(`button[data-upload]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-result] a[data-original-link]`)),
	)
	author2.wantText("[data-result]", "Refused", fmt.Sprintf("work %d “Ode to Joy”", original.ID), "by Author A Studio", blockTime)
	if got := author2.attr(`[data-result] a[data-original-link]`, "href"); got != workPath {
		author2.fatalf("the refusal links to %s, want %s", got, workPath)
	}
	author2.shot("copyright_refused")

	// A visitor finds the work by its file, hashed in the browser.
	visitor := newTab(t, e.browser, n.url)
	visitor.open("/copyright", "[data-search-file]") // shown by the script
	visitor.wantText(".who", "Sign in")
	visitor.shot("copyright_search")
	visitor.do("search by the file",
		chromedp.SetUploadFiles(chromedp.CSS(`[data-search-file]`), []string{score}),
		chromedp.WaitVisible(chromedp.CSS(`a[data-work-result]`)),
	)
	if loc := eval(visitor, "read the location", chromedp.Location()); !strings.HasSuffix(loc, "/copyright?q="+sum) {
		visitor.fatalf("the search is at %s, want ?q=%s", loc, sum)
	}
	visitor.wantText(".results", "Registered", sum, "Ode to Joy", "Ludwig van Beethoven", "Author A Studio")
	visitor.shot("copyright_search_found")
	visitor.do("open the work",
		chromedp.Click(chromedp.CSS(`a[data-work-result]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[data-certificate-link]`)),
	)
	visitor.wantText("main", "Ode to Joy", sum, "Author A Studio", "100.00 %", blockTime, "registered")
	visitor.shot("copyright_work")
	visitor.do("open the certificate",
		chromedp.Click(chromedp.CSS(`a[data-certificate-link]`)),
		chromedp.WaitVisible(chromedp.CSS(`.certificate svg.qr`)),
	)
	visitor.wantText(".certificate", "Certificate of copyright registration", "Ode to Joy", sum, "Author A Studio", blockTime)
	if got := visitor.attr("a[data-verify-url]", "href"); got != n.url+workPath {
		visitor.fatalf("the certificate's QR code links to %s, want %s", got, n.url+workPath)
	}
	visitor.shot("copyright_certificate")
	visitor.do("emulate print", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	}), chromedp.WaitNotVisible(chromedp.CSS(".topbar")))
	visitor.shot("copyright_certificate_print")

	// The receipt through the certificate's link, waiting while the server
	// answers 202 (until the block after the registration's).
	receiptURL := visitor.attr("a[data-receipt]", "href")
	receipt := eval(visitor, "download the receipt", chromedp.Evaluate[string](fmt.Sprintf(`(async () => {
		for (let i = 0; i < 240; i++) {
			const r = await fetch(%q);
			if (r.status === 200) return await r.text();
			if (r.status !== 202) throw new Error("receipt: " + r.status + " " + await r.text());
			await new Promise((ok) => setTimeout(ok, 250));
		}
		throw new Error("the receipt stayed pending");
	})()`, receiptURL), chromedp.EvalAwaitPromise))
	receiptFile := filepath.Join(dir, "work-receipt.json")
	if err := os.WriteFile(receiptFile, []byte(receipt), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runVerify([]string{receiptFile, "--file", score, "--genesis", filepath.Join(n.home, node.GenesisFile)}, &out); err != nil {
		t.Fatalf("chancery verify %s --file %s: %v\n%s", receiptFile, score, err, out.String())
	}
	if s := out.String(); !strings.Contains(s, "OK  receipt verified") || !strings.Contains(s, sum) || !strings.Contains(s, "copyright/register") {
		t.Fatalf("chancery verify printed:\n%s", s)
	}

	// The registrant's pages: the work among theirs, a license granted with
	// the licenses page's form, transfers and disputes.
	author1.open("/copyright/mine", "table.works")
	author1.wantText("table.works", "Ode to Joy")
	author1.shot("copyright_mine")
	author1.open("/copyright/licenses", `input[name="licensee"]`)
	author1.do("grant a license",
		chromedp.SendKeys(chromedp.CSS(`input[name="licensee"]`), "author-b"),
		chromedp.SendKeys(chromedp.CSS(`input[name="scope"]`), "streaming"),
		chromedp.SetValue(chromedp.CSS(`input[name="end"]`), "2099-01-01"),
		chromedp.Click(chromedp.CSS(`input[name="exclusive"]`)),
		chromedp.Click(chromedp.CSS(`form[action="/copyright/licenses"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash.success`)),
	)
	author1.wantText("main", "committed at height", "Author B Publishing", "streaming", "exclusive", "active")
	author1.shot("copyright_licenses")
	author1.open("/copyright/transfers", `textarea[name="holders"]`)
	author1.shot("copyright_transfers")
	author1.open("/copyright/disputes", `input[name="evidence"]`)
	author1.shot("copyright_disputes")

	t.Run("WithoutJavaScript", func(t *testing.T) {
		song := writeRandomFile(t, filepath.Join(t.TempDir(), "song.mp3"), 200_000)
		author2.do("turn scripts off", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		}))
		author2.open("/copyright/register", `#register-form input[type="file"]`)
		author2.do("register with the plain form",
			chromedp.SetUploadFiles(chromedp.CSS(`#register-form input[type="file"]`), []string{song}),
			chromedp.SendKeys(chromedp.CSS(`#register-form textarea[name="authors"]`), "B. Author"),
			chromedp.Click(chromedp.CSS(`button[data-upload]`)),
			chromedp.WaitVisible(chromedp.CSS(`.flash.success`)),
		)
		author2.wantText(".flash.success", "Registered as work")
		author2.wantText("main", "song.mp3", fileSum(t, song), "Author B Publishing", "stored in the consortium's blob store")
		author2.open("/copyright", `input[name="q"]`)
		author2.do("search by hash with the plain form",
			chromedp.SendKeys(chromedp.CSS(`input[name="q"]`), strings.ToUpper(sum)),
			chromedp.Submit(chromedp.CSS(`form[data-search-form]`)),
			chromedp.WaitVisible(chromedp.CSS(`a[data-work-result]`)),
		)
		author2.wantText(".results", "Ode to Joy")
	})
}
