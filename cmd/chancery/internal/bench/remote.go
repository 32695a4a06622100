package bench

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/chancery/chancery/apps/evidence"
	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/chain/tx"
)

// HTTPTarget is one or more nodes reached through their HTTP API: client i
// sends to node i mod len(URLs), each client over its own connections.
type HTTPTarget struct {
	URLs []string
	// Wait is the ?wait= of each submission.
	Wait    time.Duration
	clients []*http.Client
	api     *http.Client // status, blocks, metrics
}

// NewHTTPTarget prepares clients connections for nodes at urls, each
// keeping up to inFlight connections open.
func NewHTTPTarget(urls []string, clients, inFlight int, wait time.Duration) *HTTPTarget {
	t := &HTTPTarget{URLs: urls, Wait: wait, api: &http.Client{Timeout: 30 * time.Second}}
	for range max(clients, 1) {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConns = inFlight
		tr.MaxIdleConnsPerHost = inFlight
		// Longer than any wait: a request ends by its answer or a broken
		// connection.
		t.clients = append(t.clients, &http.Client{Transport: tr, Timeout: wait + 30*time.Second})
	}
	return t
}

// apiError is the API's error body.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Status string `json:"status"`
}

func (t *HTTPTarget) Submit(ctx context.Context, client int, raw []byte) (Outcome, error) {
	url := t.URLs[client%len(t.URLs)] + "/api/v1/txs?wait=" + t.Wait.String()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(raw))
	if err != nil {
		return Failed, err
	}
	resp, err := t.clients[client%len(t.clients)].Do(req)
	if err != nil {
		return Failed, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Failed, err
	}
	var ans apiError
	_ = json.Unmarshal(body, &ans)
	switch {
	case resp.StatusCode == http.StatusAccepted && ans.Status == "committed":
		return Committed, nil
	case resp.StatusCode == http.StatusAccepted:
		return Pending, nil
	case ans.Error.Code == "chain.mempool_full":
		return Busy, errors.New(ans.Error.Message)
	case ans.Error.Code != "":
		return Failed, fmt.Errorf("%s: %s", ans.Error.Code, ans.Error.Message)
	default:
		return Failed, fmt.Errorf("POST /api/v1/txs: %s: %s", resp.Status, oneLine(body))
	}
}

// SubmitBatch posts raws to POST /api/v1/txs/batch, waiting as Submit does.
func (t *HTTPTarget) SubmitBatch(ctx context.Context, client int, raws [][]byte) ([]Outcome, []error) {
	outs := make([]Outcome, len(raws))
	errList := make([]error, len(raws))
	failAll := func(err error) ([]Outcome, []error) {
		for i := range outs {
			outs[i], errList[i] = Failed, err
		}
		return outs, errList
	}
	url := t.URLs[client%len(t.URLs)] + "/api/v1/txs/batch?wait=" + t.Wait.String()
	body := append(append([]byte("["), bytes.Join(raws, []byte(","))...), ']')
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return failAll(err)
	}
	resp, err := t.clients[client%len(t.clients)].Do(req)
	if err != nil {
		return failAll(err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return failAll(err)
	}
	var ans struct {
		apiError
		Txs []apiError `json:"txs"`
	}
	if err := json.Unmarshal(answer, &ans); err != nil || len(ans.Txs) != len(raws) {
		return failAll(fmt.Errorf("POST /api/v1/txs/batch: %s: %s", resp.Status, oneLine(answer)))
	}
	for i, tx := range ans.Txs {
		switch {
		case tx.Error.Code == "chain.mempool_full":
			outs[i], errList[i] = Busy, errors.New(tx.Error.Message)
		case tx.Error.Code != "":
			outs[i], errList[i] = Failed, fmt.Errorf("%s: %s", tx.Error.Code, tx.Error.Message)
		case tx.Status == "committed":
			outs[i] = Committed
		default:
			outs[i] = Pending
		}
	}
	return outs, errList
}

// Status is the first node's GET /api/v1/status.
type Status struct {
	ChainID string `json:"chain_id"`
	Height  int64  `json:"height"`
}

// Status asks the first node.
func (t *HTTPTarget) Status(ctx context.Context) (Status, error) {
	var st Status
	err := t.getJSON(ctx, t.URLs[0]+"/api/v1/status", &st)
	return st, err
}

func (t *HTTPTarget) Height(ctx context.Context) (int64, error) {
	st, err := t.Status(ctx)
	return st.Height, err
}

// Blocks lists block headers of the first node. The API does not tell a
// block's size; the result leaves Bytes 0.
func (t *HTTPTarget) Blocks(ctx context.Context, from, to int64) ([]Block, error) {
	var out []Block
	before := to + 1
	for before > from {
		var page struct {
			Blocks []struct {
				Height int64     `json:"height"`
				Time   time.Time `json:"time"`
				NumTxs int       `json:"num_txs"`
			} `json:"blocks"`
		}
		if err := t.getJSON(ctx, fmt.Sprintf("%s/api/v1/blocks?before=%d&limit=100", t.URLs[0], before), &page); err != nil {
			return nil, err
		}
		if len(page.Blocks) == 0 {
			break
		}
		for _, b := range page.Blocks {
			if b.Height >= from && b.Height <= to {
				out = append(out, Block{Height: b.Height, Time: b.Time, NumTxs: b.NumTxs})
			}
			before = min(before, b.Height)
		}
	}
	return InWindow(out, time.Time{}, time.Unix(1<<62, 0)), nil
}

// Usage sums the Prometheus process metrics of every node: CPU seconds and
// resident memory (the peak is not exported).
func (t *HTTPTarget) Usage(ctx context.Context) (Usage, error) {
	var u Usage
	for _, url := range t.URLs {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/metrics", nil)
		if err != nil {
			return u, err
		}
		resp, err := t.api.Do(req)
		if err != nil {
			return u, err
		}
		cpu, rss := scrapeProcess(resp.Body)
		resp.Body.Close()
		u.CPU += time.Duration(cpu * float64(time.Second))
		u.RSS += int64(rss)
	}
	return u, nil
}

// scrapeProcess reads process_cpu_seconds_total and
// process_resident_memory_bytes from a Prometheus text exposition.
func scrapeProcess(r io.Reader) (cpu, rss float64) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		switch name {
		case "process_cpu_seconds_total":
			cpu, _ = strconv.ParseFloat(strings.TrimSpace(value), 64)
		case "process_resident_memory_bytes":
			rss, _ = strconv.ParseFloat(strings.TrimSpace(value), 64)
		}
	}
	return cpu, rss
}

func (t *HTTPTarget) getJSON(ctx context.Context, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := t.api.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", url, resp.Status, oneLine(body))
	}
	return json.Unmarshal(body, v)
}

// postJSON posts v as the holder of token and decodes a 2xx answer into out.
func (t *HTTPTarget) postJSON(ctx context.Context, path, token string, v, out any) (int, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URLs[0]+path, bytes.NewReader(b))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := t.api.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	var ans apiError
	_ = json.Unmarshal(body, &ans)
	switch {
	case resp.StatusCode >= 300 && ans.Error.Code != "":
		return resp.StatusCode, fmt.Errorf("%s: %s", ans.Error.Code, ans.Error.Message)
	case resp.StatusCode >= 300:
		return resp.StatusCode, fmt.Errorf("%s: %s", resp.Status, oneLine(body))
	case ans.Status != "committed":
		return resp.StatusCode, fmt.Errorf("not committed within the wait (status %q)", ans.Status)
	}
	if out != nil {
		return resp.StatusCode, json.Unmarshal(body, out)
	}
	return resp.StatusCode, nil
}

// RegisterDepositor makes key an evidence depositor on the chain, as the
// holder of token, and returns the chain's status. With a consortium
// administrator's token it adds an organisation "bench-…" holding the
// depositor role, whose administrator (a throwaway key) then adds key as a
// depositor; otherwise it adds key to the token holder's own organisation,
// which must hold the role, with the holder its org.admin.
func (t *HTTPTarget) RegisterDepositor(ctx context.Context, token string, key ed25519.PrivateKey) (Status, error) {
	st, err := t.Status(ctx)
	if err != nil {
		return st, err
	}
	pub := PubKey(key)
	var suffix [4]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		return st, err
	}
	id := "bench-" + hex.EncodeToString(suffix[:])
	_, adminKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return st, err
	}
	code, orgErr := t.postJSON(ctx, "/api/v1/members/orgs", token, members.AddOrg{
		ID: id, Name: "Chancery bench " + id, Roles: []string{evidence.RoleDepositor},
		AdminName: "bench admin", AdminPubKey: PubKey(adminKey),
	}, nil)
	if orgErr == nil {
		// The new organisation's administrator adds the depositor.
		if st, err = t.Status(ctx); err != nil {
			return st, err
		}
		body, err := tx.NewBody(st.ChainID, members.ModuleName, members.TypeAddAccount,
			members.AddAccount{Name: "bench loader", PubKey: pub, Roles: []string{evidence.RoleDepositor}}, PubKey(adminKey), ValidUntil(st.Height))
		if err != nil {
			return st, err
		}
		raw, err := tx.Sign(body, adminKey)
		if err != nil {
			return st, err
		}
		target := &HTTPTarget{URLs: t.URLs, Wait: 30 * time.Second, clients: []*http.Client{t.api}}
		if out, err := target.Submit(ctx, 0, raw); out != Committed {
			return st, fmt.Errorf("add the loader account to %s: %v (outcome %d)", id, err, out)
		}
		return st, nil
	}
	if code == 0 {
		return st, orgErr
	}
	// Not a consortium administrator: add the key to the holder's own
	// organisation.
	_, accErr := t.postJSON(ctx, "/api/v1/members/accounts", token, members.AddAccount{
		Name: "bench loader " + id, PubKey: pub, Roles: []string{evidence.RoleDepositor},
	}, nil)
	if accErr != nil {
		return st, fmt.Errorf("--token can neither add an organisation (%v) nor add a depositor to its own (%v)", orgErr, accErr)
	}
	return t.Status(ctx)
}

// Probe checks that every node answers its status within timeout.
func (t *HTTPTarget) Probe(ctx context.Context, timeout time.Duration) error {
	for _, url := range t.URLs {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		var st Status
		err := t.getJSON(ctx, url+"/api/v1/status", &st)
		cancel()
		if err != nil {
			return fmt.Errorf("%s is not reachable: %v", url, err)
		}
	}
	return nil
}

func oneLine(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
