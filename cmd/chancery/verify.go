package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/cometbft/cometbft/types"

	"github.com/chancery/chancery/chain/receipt"
)

// runVerify checks a receipt offline (DESIGN §6, docs/receipts.md): its
// signatures and proofs, optionally against the validators of a genesis
// file and a file's SHA-256. It needs no node and no network.
func runVerify(args []string, stdout io.Writer) error {
	fs := newFlags("verify")
	file := fs.String("file", "", "check that the receipt proves this file's content (its SHA-256)")
	sum := fs.String("sha256", "", "check that the receipt proves content of this hex SHA-256")
	genesis := fs.String("genesis", "", "trust the validators of this CometBFT genesis.json (default: the receipt's own set, reported)")
	setHash := fs.String("validators-hash", "", "trust the validator set with this hex hash, as the consortium publishes it")
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(paths) != 1 {
		return usagef("want one receipt file: chancery verify RECEIPT.json [--file F | --sha256 H] [--genesis G | --validators-hash H]")
	}
	if *file != "" && *sum != "" {
		return usagef("--file and --sha256 exclude each other")
	}
	if *genesis != "" && *setHash != "" {
		return usagef("--genesis and --validators-hash exclude each other")
	}
	var trustedHash []byte
	if *setHash != "" {
		b, err := hex.DecodeString(*setHash)
		if err != nil || len(b) != sha256.Size {
			return usagef("--validators-hash %q: want the 64 hex characters of a validator set's hash", *setHash)
		}
		trustedHash = b
	}
	want := strings.ToLower(*sum)
	if want != "" {
		if b, err := hex.DecodeString(want); err != nil || len(b) != sha256.Size {
			return usagef("--sha256 %q: want 64 hex characters", *sum)
		}
	}

	r, err := readReceipt(paths[0])
	if err != nil {
		return err
	}
	var trusted *types.ValidatorSet
	if *genesis != "" {
		doc, err := types.GenesisDocFromFile(*genesis)
		if err != nil {
			return fmt.Errorf("--genesis %s: %s", *genesis, oneLine(err.Error()))
		}
		if doc.ChainID != r.ChainID {
			return fmt.Errorf("chain_id: the receipt is for chain %q, %s is the genesis of %q", r.ChainID, *genesis, doc.ChainID)
		}
		if trusted, err = receipt.GenesisValidators(doc); err != nil {
			return fmt.Errorf("--genesis %s: %v", *genesis, err)
		}
	}
	p, err := receipt.Verify(r, trusted)
	if err != nil {
		return err
	}
	if trustedHash != nil && !bytes.Equal(p.ValidatorSetHash, trustedHash) {
		return fmt.Errorf("validator set: the receipt was signed by the set %X, not by the trusted %X", []byte(p.ValidatorSetHash), trustedHash)
	}

	if *file != "" {
		if want, err = fileSHA256(*file); err != nil {
			return fmt.Errorf("--file %s: %v", *file, err)
		}
	}
	content, contentErr := p.ContentSHA256()
	if want != "" {
		switch {
		case contentErr != nil:
			return fmt.Errorf("sha256: %v", contentErr)
		case content != want && *file != "":
			return fmt.Errorf("sha256: %s has SHA-256 %s, but the receipt proves content %s", *file, want, content)
		case content != want:
			return fmt.Errorf("sha256: the receipt proves content %s, not %s", content, want)
		}
	}

	if trusted == nil && trustedHash == nil {
		fmt.Fprintln(stdout, "OK  receipt verified, but not its validator set (see below)")
	} else {
		fmt.Fprintln(stdout, "OK  receipt verified")
	}
	line := func(k, v string) { fmt.Fprintf(stdout, "%-14s %s\n", k, v) }
	line("chain id", p.ChainID)
	line("height", fmt.Sprint(p.Height))
	line("block time", p.Time.UTC().Format(time.RFC3339))
	line("tx hash", p.TxHash.String())
	switch {
	case p.Module == "":
		line("message", "(not a Chancery transaction)")
	default:
		line("message", p.Module+"/"+p.Type)
	}
	switch {
	case !p.Signer.IsZero():
		line("signer", p.Signer.String())
	case p.Module != "":
		line("signer", "(the signature does not verify)")
	}
	if p.Code == 0 {
		line("result code", "0 (succeeded)")
	} else {
		line("result code", fmt.Sprintf("%d (failed)", p.Code))
	}
	line("data", showData(p.Data))
	for _, f := range provenParties(p.Data) {
		line(f.label, f.value)
	}
	switch {
	case trusted != nil:
		line("validator set", fmt.Sprintf("%X (trusted: the %d validators of %s)", []byte(p.ValidatorSetHash), trusted.Size(), *genesis))
	case trustedHash != nil:
		line("validator set", fmt.Sprintf("%X (trusted: the hash given by --validators-hash)", []byte(p.ValidatorSetHash)))
	default:
		line("validator set", fmt.Sprintf("%X (NOT checked: the receipt's own set; pass --genesis G, or --validators-hash with the hash the consortium publishes)", []byte(p.ValidatorSetHash)))
	}
	source := `the result's "sha256" field`
	if p.Leaf != nil {
		source = fmt.Sprintf("member %d of %d of the batch whose root the transaction anchored", p.Leaf.Index+1, p.Leaf.Total)
	}
	switch {
	case *file != "":
		line("sha256", content+" = "+source+": the transaction's result names the content of "+*file+" (the message line says what it did with it)")
	case want != "":
		line("sha256", content+" = "+source+": the transaction's result names this hash (the message line says what it did with it)")
	case contentErr == nil:
		line("sha256", content+" ("+source+"; pass --file F to check a file against it)")
	}
	return nil
}

// provenParties picks out of a result's data who recorded it and for which
// organisation — the facts a court reading a receipt asks first — with the
// labels verify prints them under. The data was proven as a whole; this only
// names parts of it. Evidence deposits and batches carry a depositor,
// copyright registrations a registrant.
func provenParties(data []byte) []struct{ label, value string } {
	var d struct {
		Depositor  string `json:"depositor"`
		Registrant string `json:"registrant"`
		Org        string `json:"org"`
	}
	if json.Unmarshal(data, &d) != nil {
		return nil
	}
	var out []struct{ label, value string }
	for _, f := range []struct{ label, value string }{
		{"depositor", d.Depositor}, {"registrant", d.Registrant}, {"organisation", d.Org},
	} {
		if f.value != "" {
			out = append(out, f)
		}
	}
	return out
}

// parseInterspersed parses flags that may come before or after the
// positional arguments, which it returns.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func readReceipt(path string) (*receipt.Receipt, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("receipt: %v", unwrapPath(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, receipt.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("receipt %s: %v", path, unwrapPath(err))
	}
	return receipt.Decode(b)
}

// fileSHA256 hashes a file as it streams it, whatever its size.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", unwrapPath(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", unwrapPath(err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}

// showData prints result data: canonical JSON as it is, anything else as
// base64.
func showData(b []byte) string {
	switch {
	case len(b) == 0:
		return "(none)"
	case json.Valid(b):
		return string(b)
	default:
		return "base64:" + base64.StdEncoding.EncodeToString(b)
	}
}

// ReceiptSource lets the web server build receipts (web.ReceiptChain) from
// CometBFT's stores, through its in-process client.
func (c nodeChain) ReceiptSource() receipt.Source { return c.CometClient() }
