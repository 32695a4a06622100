package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/chancery/chancery/chain/node"
)

// Browser tests: the console and the evidence pages in headless Chromium,
// driven with chromedp, against a node started in-process on a copy of the
// demo home. `make test` installs Chromium (.ci/ensure-chromium); without it
// the tests skip, except on CI (CI=true), where they fail. A failing step
// saves a screenshot and the page's HTML to testdata/failures/.

var screenshots = flag.String("screenshots", "", "browser tests: also save screenshots of the key pages to this directory")

// browserStepTimeout bounds one step of a browser test: a page load, a wait
// for a result. The machine running the tests may be slow and busy.
const browserStepTimeout = 90 * time.Second

// chromiumPath finds Chromium, or skips the test when there is none.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} { // as .ci/ensure-chromium accepts them
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "browser test: no chromium, chromium-browser or google-chrome on PATH; install it (apt-get install chromium) or run make test"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// startBrowser starts headless Chromium for the test and returns its root
// context; sessions open tabs in browser contexts of their own.
func startBrowser(t *testing.T, exe string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.WindowSize(1280, 900), chromedp.Flag("disable-dev-shm-usage", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first run starts the browser, and must not have a timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", exe, err)
	}
	return ctx
}

// tab is a browser tab with a cookie jar of its own: one user's session.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
}

func newTab(t *testing.T, browser context.Context, base string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// As for the browser, the run that opens the tab must have no timeout:
	// the tab would close with it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return &tab{t: t, ctx: ctx, base: base}
}

// do runs steps, failing the test with the page saved when one fails.
func (tb *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserStepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.fatalf("%s: %v", what, err)
	}
}

// eval runs an action that returns a value, such as chromedp.Evaluate.
func eval[T any](tb *tab, what string, a chromedp.Action[T]) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserStepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.fatalf("%s: %v", what, err)
	}
	return v
}

// fatalf saves the page — a screenshot and its HTML, in testdata/failures —
// and fails the test.
func (tb *tab) fatalf(format string, args ...any) {
	tb.t.Helper()
	msg := fmt.Sprintf(format, args...)
	dir := filepath.Join("testdata", "failures")
	base := filepath.Join(dir, regexp.MustCompile(`[^A-Za-z0-9_.-]+`).ReplaceAllString(tb.t.Name(), "_"))
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	saved := []string{}
	if err := os.MkdirAll(dir, 0o755); err == nil {
		if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil && os.WriteFile(base+".png", png, 0o644) == nil {
			saved = append(saved, base+".png")
		}
		html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.documentElement.outerHTML`))
		if err == nil && os.WriteFile(base+".html", []byte(html), 0o644) == nil {
			saved = append(saved, base+".html")
		}
	}
	tb.t.Fatalf("%s\n(page saved: %s)", msg, strings.Join(saved, ", "))
}

// shot saves a screenshot of the whole page to -screenshots, if given.
func (tb *tab) shot(name string) {
	tb.t.Helper()
	if *screenshots == "" {
		return
	}
	png := eval(tb, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.MkdirAll(*screenshots, 0o755); err != nil {
		tb.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*screenshots, name+".png"), png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}

// open loads a page and waits for sel to be visible on it.
func (tb *tab) open(path, sel string) {
	tb.t.Helper()
	tb.do("open "+path, chromedp.Navigate(tb.base+path), chromedp.WaitVisible(chromedp.CSS(sel)))
}

func (tb *tab) text(sel string) string {
	tb.t.Helper()
	return eval(tb, "read "+sel, chromedp.Text(chromedp.CSS(sel)))
}

// wantText checks that the element sel shows each of the substrings.
func (tb *tab) wantText(sel string, substrings ...string) {
	tb.t.Helper()
	got := tb.text(sel)
	for _, s := range substrings {
		if !strings.Contains(got, s) {
			tb.fatalf("%s shows %q, without %q", sel, got, s)
		}
	}
}

// attr reads an attribute of the first element matching sel.
func (tb *tab) attr(sel, name string) string {
	tb.t.Helper()
	a := eval(tb, "read "+sel+" "+name, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if !a.Exists {
		tb.fatalf("%s has no attribute %s", sel, name)
	}
	return a.Value
}

// login signs in through the sign-in form.
func (tb *tab) login(username, password string) {
	tb.t.Helper()
	tb.open("/login", `input[name="username"]`)
	tb.do("sign in as "+username,
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), username),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password),
		chromedp.Click(chromedp.CSS(`.login button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.who a[href="/account"]`)),
	)
	tb.wantText(".who", username)
}

// browserEnv is a node, its demo users and a browser.
type browserEnv struct {
	node    *apiNode
	users   []byte // demo-users.txt
	browser context.Context
}

// session is a tab signed in as a demo user.
func (e *browserEnv) session(t *testing.T, username string) *tab {
	t.Helper()
	tb := newTab(t, e.browser, e.node.url)
	tb.login(username, demoCredentials(t, e.users, username).password)
	return tb
}

func TestBrowser(t *testing.T) {
	exe := chromiumPath(t)
	n := startInProcess(t)
	e := &browserEnv{node: n, users: readFile(t, filepath.Join(demoHome, demoUsersFile)), browser: startBrowser(t, exe)}
	t.Run("ConsoleTokenExplorer", func(t *testing.T) { testBrowserConsole(t, e) })
	t.Run("HashJS", func(t *testing.T) { testBrowserHashJS(t, e) })
	t.Run("EvidenceDepositVerifyReceipt", func(t *testing.T) { testBrowserEvidence(t, e) })
	t.Run("EvidenceWithoutJavaScript", func(t *testing.T) { testBrowserNoScript(t, e) })
}

// testBrowserConsole (issue 4): a demo user signs in, creates an API token
// and uses it from a script, then walks the explorer from the dashboard to
// a block and a transaction.
func testBrowserConsole(t *testing.T, e *browserEnv) {
	court := e.session(t, "court")
	court.open("/account/tokens", `input[name="name"]`)
	court.do("create a token",
		chromedp.SendKeys(chromedp.CSS(`input[name="name"]`), "browser test"),
		chromedp.Click(chromedp.CSS(`form[action="/account/tokens"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".secret")),
	)
	token := strings.TrimSpace(court.text(".secret"))

	var me struct {
		Username string   `json:"username"`
		Org      string   `json:"org"`
		Roles    []string `json:"roles"`
	}
	if code, body := e.node.do("GET", "/api/v1/me", token, nil, &me); code != http.StatusOK || me.Username != "court" || me.Org != "court" {
		t.Fatalf("GET /api/v1/me with the new token: %d %s", code, body)
	}

	// A transaction to find in the explorer: the court's admin adds an
	// account with the token.
	_, pub := genKey(t)
	var added txAnswer
	code, body := e.node.do("POST", "/api/v1/members/accounts", token,
		[]byte(fmt.Sprintf(`{"name":"clerk","pubkey":"%s","roles":[]}`, pub)), &added)
	if code != http.StatusAccepted || added.Status != "committed" {
		t.Fatalf("add account with the new token: %d %s", code, body)
	}

	court.open("/", ".stats")
	court.wantText("h1", "Dashboard")
	court.wantText(".lead", "chancery-local")
	court.shot("dashboard")
	court.do("open the explorer",
		chromedp.Click(chromedp.CSS(`.nav a[href="/blocks"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.search input[name="q"]`)),
	)
	court.do("find the block",
		chromedp.SendKeys(chromedp.CSS(`form.search input[name="q"]`), fmt.Sprint(added.Height)),
		chromedp.Submit(chromedp.CSS(`form.search`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/txs/`+added.Hash+`"]`)),
	)
	court.wantText("h1", fmt.Sprintf("Block %d", added.Height))
	court.do("open the transaction",
		chromedp.Click(chromedp.CSS(`a[href="/txs/`+added.Hash+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.badge.committed`)),
	)
	court.wantText("main", added.Hash, "members / add_account", "Receipt (JSON)")
}

// testBrowserHashJS checks hash.js against Go's SHA-256 in the browser:
// the empty string, "abc", a blob of more than two 4 MiB chunks, chunks that
// are no multiple of 64 bytes, and input given in 7-byte pieces.
func testBrowserHashJS(t *testing.T, e *browserEnv) {
	court := e.session(t, "court")
	court.open("/evidence/verify", "[data-verify-file]") // a page that loads hash.js
	type results struct {
		Empty, ABC, Big, SmallChunks, Pieces string
		Calls                                int
	}
	got := eval(court, "hash in the browser", chromedp.Evaluate[results](`(async () => {
		const H = window.ChanceryHash;
		const pattern = (n) => { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = (i * 31 + 7) & 255; return b; };
		const big = pattern(2 * H.CHUNK + 12345);
		let calls = 0;
		const r = {
			Empty: H.sha256Hex(""),
			ABC: H.sha256Hex("abc"),
			Big: await H.hashBlob(new Blob([big]), () => { calls++; }),
			SmallChunks: await H.hashBlob(new Blob([big.subarray(0, 100000)]), null, 1000),
		};
		const h = new H.Sha256(), p = big.subarray(0, 1000);
		for (let i = 0; i < p.length; i += 7) h.update(p.subarray(i, i + 7));
		r.Pieces = h.hex();
		r.Calls = calls;
		return r;
	})()`, chromedp.EvalAwaitPromise))

	pattern := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*31 + 7)
		}
		return b
	}
	const chunk = 4 << 20
	big := pattern(2*chunk + 12345)
	hexSum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	want := results{
		Empty: hexSum(nil), ABC: hexSum([]byte("abc")), Big: hexSum(big),
		SmallChunks: hexSum(big[:100000]), Pieces: hexSum(big[:1000]), Calls: 4, // before the first chunk and after each of 3
	}
	if got != want {
		t.Fatalf("hash.js:\n got %+v\nwant %+v", got, want)
	}
}

// testBrowserEvidence (issue 5): a notary deposits a file through the
// deposit page (hashed in the browser, then uploaded with progress) and a
// second one by its hash only; a court verifies the first file on the verify
// page (hashed locally, never uploaded), downloads the receipt from the
// result, and `chancery verify` accepts it with the file.
func testBrowserEvidence(t *testing.T, e *browserEnv) {
	dir := t.TempDir()
	contract := writeRandomFile(t, filepath.Join(dir, "contract.pdf"), 6<<20+777) // two chunks
	contractSum := fileSum(t, contract)
	private := writeRandomFile(t, filepath.Join(dir, "private-notes.txt"), 50_000)

	notary := e.session(t, "notary")
	notary.open("/evidence/deposit", "button[data-hash-only]") // shown by the script
	notary.shot("deposit")
	notary.do("choose the file",
		chromedp.SetUploadFiles(chromedp.CSS(`#deposit-form input[type="file"]`), []string{contract}),
		chromedp.WaitVisible(chromedp.CSS(`[data-hashing][data-done]`)),
	)
	if got := notary.text("[data-hash-value]"); got != contractSum {
		notary.fatalf("the page hashed the file to %q, want %s", got, contractSum)
	}
	notary.do("describe and upload",
		chromedp.SendKeys(chromedp.CSS(`#deposit-form input[name="title"]`), "Sale contract, signed original"),
		chromedp.SendKeys(chromedp.CSS(`#deposit-form input[name="case_ref"]`), "2026-CIV-0042"),
		chromedp.Click(chromedp.CSS(`button[data-upload]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-result] a[data-evidence-link]`)),
	)
	notary.wantText("[data-result]", "Deposited as evidence")
	if sent := eval(notary, "read the upload progress", chromedp.Evaluate[float64](
		`(p => p.value / p.max)(document.querySelector("[data-upload-progress]"))`)); sent != 1 {
		notary.fatalf("upload progress ends at %v, want 1", sent)
	}
	notary.shot("deposit_uploaded")
	detail := notary.attr(`[data-result] a[data-evidence-link]`, "href")

	// The second file: its hash only.
	notary.open("/evidence/deposit", "button[data-hash-only]")
	notary.do("deposit a hash only",
		chromedp.SetUploadFiles(chromedp.CSS(`#deposit-form input[type="file"]`), []string{private}),
		chromedp.WaitVisible(chromedp.CSS(`[data-hashing][data-done]`)),
		chromedp.Click(chromedp.CSS(`button[data-hash-only]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-result] a[data-evidence-link]`)),
	)
	hashOnly := notary.attr(`[data-result] a[data-evidence-link]`, "href")
	notary.open("/evidence", "table")
	notary.wantText("table", "Sale contract, signed original", "private-notes.txt")
	notary.shot("list")
	var rec struct {
		SHA256 string `json:"sha256"`
		Stored bool   `json:"stored"`
		Title  string `json:"title"`
	}
	if code, body := e.node.do("GET", "/api/v1"+hashOnly, "", nil, &rec); code != http.StatusOK || rec.Stored || rec.SHA256 != fileSum(t, private) || rec.Title != "private-notes.txt" {
		t.Fatalf("hash-only deposit %s: %d %s", hashOnly, code, body)
	}

	// The deposit's page and certificate.
	notary.open(detail, "ol.timeline")
	notary.wantText("main", "Sale contract, signed original", contractSum, "2026-CIV-0042", "stored in the consortium's blob store", "deposited")
	notary.shot("detail")
	notary.open(detail+"/certificate", ".certificate")
	notary.wantText(".certificate", "Certificate of evidence deposit", contractSum, "Example Notary Office")
	notary.shot("certificate")
	notary.do("emulate print", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	}), chromedp.WaitNotVisible(chromedp.CSS(".topbar")))
	notary.shot("certificate_print")

	// The court verifies the file on the verify page.
	court := e.session(t, "court")
	court.open("/evidence/verify", "[data-verify-file]")
	court.shot("verify")
	court.do("verify the file",
		chromedp.SetUploadFiles(chromedp.CSS(`[data-verify-file]`), []string{contract}),
		chromedp.WaitVisible(chromedp.CSS(`.verify-result.found`)),
	)
	court.wantText(".verify-result", "Found: 1 deposit", contractSum, "notary", "Sale contract, signed original", "Custody log")
	if got := court.attr(".verify-result h3 a", "href"); got != detail {
		court.fatalf("the result links to %s, want %s", got, detail)
	}
	court.shot("verify_found")

	// The receipt, fetched through the page's link with the court's session,
	// waiting while the server answers 202 (until the next block).
	receiptURL := court.attr("[data-receipt]", "href")
	receipt := eval(court, "download the receipt", chromedp.Evaluate[string](fmt.Sprintf(`(async () => {
		for (let i = 0; i < 240; i++) {
			const r = await fetch(%q);
			if (r.status === 200) return await r.text();
			if (r.status !== 202) throw new Error("receipt: " + r.status + " " + await r.text());
			await new Promise((ok) => setTimeout(ok, 250));
		}
		throw new Error("the receipt stayed pending");
	})()`, receiptURL), chromedp.EvalAwaitPromise))
	receiptFile := filepath.Join(dir, "receipt.json")
	if err := os.WriteFile(receiptFile, []byte(receipt), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	genesis := filepath.Join(demoHome, node.GenesisFile)
	if err := runVerify([]string{receiptFile, "--file", contract, "--genesis", genesis}, &out); err != nil {
		t.Fatalf("chancery verify %s --file %s: %v\n%s", receiptFile, contract, err, out.String())
	}
	if !strings.Contains(out.String(), "OK  receipt verified") || !strings.Contains(out.String(), contractSum) || !strings.Contains(out.String(), "evidence/deposit") {
		t.Fatalf("chancery verify printed:\n%s", out.String())
	}
	// Any other file fails against the receipt.
	if err := runVerify([]string{receiptFile, "--file", private}, &out); err == nil {
		t.Fatal("chancery verify accepted the receipt for another file")
	}

	// The court attests the deposit and the notary, a custodian too, logs a
	// custody step, both with the forms of the deposit's page.
	court.open(detail, `textarea[name="statement"]`)
	court.do("attest",
		chromedp.SendKeys(chromedp.CSS(`textarea[name="statement"]`), "Matches the copy filed with the court."),
		chromedp.Click(chromedp.CSS(`form[action$="/attest"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash.success`)),
	)
	court.wantText("main", "committed at height", "Matches the copy filed with the court.")
	notary.do("emulate screen", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
		return err
	}))
	notary.open(detail, `select[name="action"]`)
	notary.do("record custody",
		chromedp.SetValue(chromedp.CSS(`select[name="action"]`), "sealed"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="note"]`), "Sealed bag 4411, vault B"),
		chromedp.Click(chromedp.CSS(`form[action$="/custody"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash.success`)),
	)
	notary.wantText("ol.timeline", "deposited", "sealed", "Sealed bag 4411, vault B")
	notary.shot("detail_full")

	// A file nobody deposited is not found.
	other := writeRandomFile(t, filepath.Join(dir, "other.bin"), 1000)
	court.open("/evidence/verify", "[data-verify-file]")
	court.do("verify an unknown file",
		chromedp.SetUploadFiles(chromedp.CSS(`[data-verify-file]`), []string{other}),
		chromedp.WaitVisible(chromedp.CSS(`.verify-result.not-found`)),
	)
	court.wantText(".verify-result", "Not found", fileSum(t, other))
}

// testBrowserNoScript deposits and verifies with scripts off: the plain
// forms the pages fall back to.
func testBrowserNoScript(t *testing.T, e *browserEnv) {
	file := writeRandomFile(t, filepath.Join(t.TempDir(), "statement.txt"), 300_000)
	sum := fileSum(t, file)
	notary := e.session(t, "notary")
	notary.do("turn scripts off", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	notary.open("/evidence/deposit", `#deposit-form input[type="file"]`)
	if hidden := notary.attr("button[data-hash-only]", "hidden"); hidden != "" {
		notary.fatalf("hash-only button: hidden=%q without scripts", hidden)
	}
	notary.do("upload with the plain form",
		chromedp.SetUploadFiles(chromedp.CSS(`#deposit-form input[type="file"]`), []string{file}),
		chromedp.SendKeys(chromedp.CSS(`#deposit-form input[name="title"]`), "Witness statement"),
		chromedp.Click(chromedp.CSS(`button[data-upload]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash.success`)),
	)
	notary.wantText(".flash.success", "Deposited as evidence")
	notary.wantText("main", "Witness statement", sum, "stored in the consortium's blob store")

	notary.open("/evidence/verify", `input[name="sha256"]`)
	notary.do("verify a hash with the plain form",
		chromedp.SendKeys(chromedp.CSS(`input[name="sha256"]`), strings.ToUpper(sum)),
		chromedp.Submit(chromedp.CSS(`form[data-verify-form]`)),
		chromedp.WaitVisible(chromedp.CSS(`.verify-result.found`)),
	)
	notary.wantText(".verify-result", "Found: 1 deposit", "Witness statement")
}

// writeRandomFile writes n random bytes to path.
func writeRandomFile(t *testing.T, path string, n int) string {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func fileSum(t *testing.T, path string) string {
	t.Helper()
	s, err := fileSHA256(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
