package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chancery/chancery/chain/node"
)

// Limits of `chancery testnet`.
const (
	maxTestnetValidators = 64
	defaultP2PPort       = 26656
	defaultHTTPPort      = 8080
)

// testnetSpec is what `chancery testnet` builds.
type testnetSpec struct {
	dir        string
	chainID    string
	validators int
	demo       bool
	// docker: node i is the host "node<i>" on a network of its own, every
	// node listens on 0.0.0.0 at the same ports; otherwise every node is on
	// 127.0.0.1, node i at the base ports + i.
	docker             bool
	p2pPort, httpPort  int
	s3Endpoint, bucket string
}

func runTestnet(args []string, stdout io.Writer) error {
	fs := newFlags("testnet")
	var s testnetSpec
	fs.IntVar(&s.validators, "validators", 4, "number of validators, each with its own home DIR/node<i>")
	fs.StringVar(&s.dir, "out", "", "directory for the homes; must be new or empty")
	fs.StringVar(&s.chainID, "chain-id", "chancery-testnet", "chain id of the new chain")
	fs.BoolVar(&s.demo, "demo", false, "add demo organisations and users (demo-users.txt)")
	fs.IntVar(&s.p2pPort, "base-port", defaultP2PPort, "P2P port of node0; node i listens on base+i (with --docker, every node on base)")
	fs.IntVar(&s.httpPort, "http-port", defaultHTTPPort, "HTTP port of node0; node i serves on port+i (with --docker, every node on port)")
	fs.BoolVar(&s.docker, "docker", false, "for containers: node i is host \"node<i>\" and listens on 0.0.0.0")
	fs.StringVar(&s.s3Endpoint, "s3-endpoint", "", "store blobs in S3 at host:port over plain HTTP, e.g. a local MinIO (keys from CHANCERY_S3_ACCESS_KEY and CHANCERY_S3_SECRET_KEY at start)")
	fs.StringVar(&s.bucket, "s3-bucket", "chancery", "S3 bucket, with --s3-endpoint")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usagef("unexpected argument %q", fs.Arg(0))
	case s.dir == "":
		return usagef("--out is required: the directory for the validators' homes")
	case s.validators < 1 || s.validators > maxTestnetValidators:
		return usagef("--validators must be between 1 and %d, got %d", maxTestnetValidators, s.validators)
	case s.chainID == "":
		return usagef("--chain-id must not be empty")
	}
	last := s.validators - 1
	if s.docker {
		last = 0
	}
	for _, p := range []struct {
		flag string
		port int
	}{{"base-port", s.p2pPort}, {"http-port", s.httpPort}} {
		if p.port < 1 || p.port+last > 65535 {
			return usagef("--%s %d: ports %d to %d must be between 1 and 65535", p.flag, p.port, p.port, p.port+last)
		}
	}
	if !s.docker && s.p2pPort <= s.httpPort+last && s.httpPort <= s.p2pPort+last {
		return usagef("--base-port %d and --http-port %d give overlapping port ranges", s.p2pPort, s.httpPort)
	}
	if err := checkEmptyDir(s.dir); err != nil {
		return err
	}
	if err := writeTestnet(s); err != nil {
		// Leave nothing half-made behind: the directory was empty before.
		removeContents(s.dir)
		return err
	}

	fmt.Fprintf(stdout, "Initialised %d validator homes for chain %q in %s:\n", s.validators, s.chainID, s.dir)
	for i := range s.validators {
		fmt.Fprintf(stdout, "  %s: http://%s  p2p %s\n", s.home(i), s.httpAddr(i), strings.TrimPrefix(s.p2pListen(i), "tcp://"))
	}
	fmt.Fprintf(stdout, "The same users, passwords and API tokens work on every node: admin token in %s",
		filepath.Join(s.home(0), adminTokenFile))
	if s.demo {
		fmt.Fprintf(stdout, ", demo users in %s", filepath.Join(s.home(0), demoUsersFile))
	}
	fmt.Fprintln(stdout, ".")
	if s.docker {
		fmt.Fprintln(stdout, "Mount node<i> at /home of the container with hostname node<i>: see deploy/compose.yaml.")
	} else {
		fmt.Fprintf(stdout, "Start each with: chancery start --home %s (or all of them: make testnet TESTNET_DIR=%s)\n", filepath.Join(s.dir, "node<i>"), s.dir)
	}
	return nil
}

func (s testnetSpec) home(i int) string { return filepath.Join(s.dir, s.moniker(i)) }

func (s testnetSpec) moniker(i int) string { return fmt.Sprintf("node%d", i) }

// host is how the other nodes reach node i.
func (s testnetSpec) host(i int) string {
	if s.docker {
		return s.moniker(i)
	}
	return "127.0.0.1"
}

func (s testnetSpec) port(base, i int) int {
	if s.docker {
		return base
	}
	return base + i
}

func (s testnetSpec) p2pListen(i int) string {
	host := "127.0.0.1"
	if s.docker {
		host = "0.0.0.0"
	}
	return fmt.Sprintf("tcp://%s:%d", host, s.port(s.p2pPort, i))
}

func (s testnetSpec) httpAddr(i int) string {
	host := "127.0.0.1"
	if s.docker {
		host = "0.0.0.0"
	}
	return fmt.Sprintf("%s:%d", host, s.port(s.httpPort, i))
}

// writeTestnet writes every home: keys first, then one genesis naming every
// validator with equal power, written identically into each home, then the
// configs with each node's peers, and the users.
func writeTestnet(s testnetSpec) error {
	users := genesisUsers(s.demo)
	appState, keys, err := genesisAppState(users)
	if err != nil {
		return err
	}
	validators := make([]node.Validator, s.validators)
	ids := make([]string, s.validators)
	for i := range s.validators {
		if err := node.InitHome(s.home(i), nil); err != nil {
			return err
		}
		if validators[i], err = node.LoadValidator(s.home(i)); err != nil {
			return err
		}
		validators[i].Name = s.moniker(i)
		if ids[i], err = node.NodeID(s.home(i)); err != nil {
			return err
		}
	}
	// One genesis time for all, so the files are byte for byte the same.
	g := node.GenesisParams{ChainID: s.chainID, GenesisTime: time.Now(), AppState: appState}
	for i := range s.validators {
		if err := node.WriteGenesis(s.home(i), g, validators); err != nil {
			return err
		}
		var peers []string
		for j := range s.validators {
			if j != i {
				peers = append(peers, fmt.Sprintf("%s@%s:%d", ids[j], s.host(j), s.port(s.p2pPort, j)))
			}
		}
		cfg, err := s.config(i, strings.Join(peers, ","))
		if err != nil {
			return err
		}
		if err := writeFile(filepath.Join(s.home(i), configFile), cfg, 0o600); err != nil {
			return err
		}
	}

	// Every user can sign through any node's API, so every keyring holds
	// every user's wrapped key. The keyring is created once and copied, so
	// that each user also has one password and one API token for all nodes.
	if err := writeUsers(s.home(0), s.chainID, users, keys); err != nil {
		return err
	}
	shared := []string{keyringDir, adminTokenFile, adminPasswordFile}
	if len(users) > 1 {
		shared = append(shared, demoUsersFile)
	}
	for i := 1; i < s.validators; i++ {
		for _, rel := range shared {
			if err := copyTree(filepath.Join(s.home(0), rel), filepath.Join(s.home(i), rel)); err != nil {
				return err
			}
		}
	}
	return nil
}

// config is node i's config/chancery.toml: init's, every default listed,
// with the settings of this testnet filled in.
func (s testnetSpec) config(i int, peers string) (string, error) {
	type setting struct{ key, from, to string }
	set := []setting{
		{"addr", `"127.0.0.1:8080"`, fmt.Sprintf("%q", s.httpAddr(i))},
		{"p2p_listen", `"tcp://127.0.0.1:26656"`, fmt.Sprintf("%q", s.p2pListen(i))},
		{"persistent_peers", `""`, fmt.Sprintf("%q", peers)},
	}
	if s.s3Endpoint != "" {
		set = append(set,
			setting{"backend", `"fs"`, `"s3"`},
			setting{"endpoint", `""`, fmt.Sprintf("%q", s.s3Endpoint)},
			setting{"bucket", `"chancery"`, fmt.Sprintf("%q", s.bucket)},
			setting{"tls", `true`, `false`},
			setting{"path_style", `false`, `true`},
		)
	}
	text := fmt.Sprintf(configTemplate, s.moniker(i))
	for _, kv := range set {
		old := "\n" + kv.key + " = " + kv.from
		if strings.Count(text, old) != 1 {
			return "", fmt.Errorf("config template: no single %q line to set", strings.TrimSpace(old))
		}
		text = strings.Replace(text, old, "\n"+kv.key+" = "+kv.to, 1)
	}
	return text, nil
}

// checkEmptyDir refuses an output directory that holds anything.
func checkEmptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("--out %s: %w", dir, err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("--out %s is not empty: choose an empty or new directory", dir)
	}
	return nil
}

// copyTree copies a file or a directory tree, keeping permissions: the
// copies hold secrets as the originals do (0600 files, 0700 directories).
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(target, info.Mode().Perm())
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("copy %s: not a regular file", path)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
			return err
		}
		return os.WriteFile(target, b, info.Mode().Perm())
	})
}
