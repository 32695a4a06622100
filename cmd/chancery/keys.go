package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/chancery/chancery/chain"
)

// keyFile is a local signing key for scripts, stored on the script owner's
// machine (never on the node) with mode 0600.
type keyFile struct {
	Name    string        `json:"name"`
	PubKey  chain.PubKey  `json:"pubkey"`
	Address chain.Address `json:"address"`
	Seed    []byte        `json:"seed"` // the ed25519 private key seed, base64
}

// keysDir is where key files go by default, under the home.
const keysDir = "keys"

var keyNameRE = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$`)

func runKeys(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usagef("keys needs a subcommand: new, list or show")
	}
	sub, args := args[0], args[1:]
	if isHelpFlag(sub) {
		sub, args = "", []string{"-h"} // the flags of every subcommand
	}
	fs := newFlags("keys " + sub)
	dir := fs.String("dir", filepath.Join(defaultHome(), keysDir), "directory of key files")
	// Flags may come before or after the name.
	var name string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	rest := fs.Args()
	if name == "" && len(rest) > 0 {
		name, rest = rest[0], rest[1:]
	}
	if sub == "list" && name != "" {
		rest = append([]string{name}, rest...)
	}
	if len(rest) > 0 {
		return usagef("unexpected argument %q: keys %s takes %s", rest[0], sub, map[bool]string{true: "no name", false: "one name"}[sub == "list"])
	}
	switch sub {
	case "new":
		return keysNew(*dir, name, stdout)
	case "show":
		return keysShow(*dir, name, stdout)
	case "list":
		return keysList(*dir, stdout)
	default:
		return usagef("unknown keys subcommand %q: want new, list or show", sub)
	}
}

func keyPath(dir, name string) (string, error) {
	if !keyNameRE.MatchString(name) {
		return "", usagef("key name %q: use 1-64 letters, digits, '.', '_' or '-'", name)
	}
	return filepath.Join(dir, name+".json"), nil
}

func keysNew(dir, name string, stdout io.Writer) error {
	path, err := keyPath(dir, name)
	if err != nil {
		return err
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	var k keyFile
	k.Name = name
	copy(k.PubKey[:], pub)
	k.Address = k.PubKey.Address()
	k.Seed = priv.Seed()
	b, _ := json.MarshalIndent(k, "", "  ")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("key %q already exists at %s", name, path)
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "name:    %s\npubkey:  %s\naddress: %s\nfile:    %s\n", name, k.PubKey, k.Address, path)
	return nil
}

func loadKey(dir, name string) (keyFile, error) {
	var k keyFile
	path, err := keyPath(dir, name)
	if err != nil {
		return k, err
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return k, fmt.Errorf("no key %q in %s (create it with \"chancery keys new %s\")", name, dir, name)
	}
	if err != nil {
		return k, err
	}
	if err := json.Unmarshal(b, &k); err != nil {
		return k, fmt.Errorf("%s: %v", path, err)
	}
	if len(k.Seed) != ed25519.SeedSize {
		return k, fmt.Errorf("%s: seed must be %d bytes", path, ed25519.SeedSize)
	}
	priv := ed25519.NewKeyFromSeed(k.Seed)
	if string(priv.Public().(ed25519.PublicKey)) != string(k.PubKey[:]) {
		return k, fmt.Errorf("%s: pubkey does not match the seed", path)
	}
	return k, nil
}

func keysShow(dir, name string, stdout io.Writer) error {
	k, err := loadKey(dir, name)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "name:    %s\npubkey:  %s\naddress: %s\n", k.Name, k.PubKey, k.Address)
	return nil
}

func keysList(dir string, stdout io.Writer) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".json"); ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		k, err := loadKey(dir, n)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%-20s %s\n", k.Name, k.Address)
	}
	return nil
}
