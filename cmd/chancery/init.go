package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/node"
	"github.com/chancery/chancery/web/keyring"
)

// Files init writes in the home, beside config/ and data/.
const (
	adminTokenFile    = "admin-token"
	adminPasswordFile = "admin-password"
	demoUsersFile     = "demo-users.txt"
	keyringDir        = "data/keyring"
	stateDir          = "data/state"
)

// initUser is a web user created by init, with the organisation it belongs
// to in genesis.
type initUser struct {
	username string
	org      members.GenesisOrg
	roles    []string
}

// consortiumOrg is the organisation of the genesis administrator.
var consortiumOrg = members.GenesisOrg{
	ID: "consortium", Name: "Consortium Administration",
	Roles: []string{members.RoleConsortiumAdmin, members.RoleOrgAdmin, members.RoleAuditReader},
}

// demoUsers is the demo consortium of `init --demo`: one user per party of
// the three apps, each the administrator of its own organisation.
var demoUsers = []initUser{
	demoUser("court", "court", "People's Court of Example District", members.RoleEvidenceVerifier, members.RoleAuditReader),
	demoUser("notary", "notary", "Example Notary Office", members.RoleEvidenceDepositor, members.RoleEvidenceCustodian),
	demoUser("author1", "author-a", "Author A Studio", members.RoleCopyrightRegistrant, members.RoleEvidenceDepositor),
	demoUser("author2", "author-b", "Author B Publishing", members.RoleCopyrightRegistrant, members.RoleEvidenceDepositor),
	demoUser("arbiter", "arbitration", "Copyright Arbitration Commission", members.RoleCopyrightArbiter),
	demoUser("core", "core-corp", "Core Manufacturing Corp.", members.RoleFinanceCore),
	demoUser("supplier", "supplier-1", "First-Tier Supplier Ltd.", members.RoleFinanceSupplier),
	demoUser("subsupplier", "supplier-2", "Second-Tier Parts Co.", members.RoleFinanceSupplier),
	demoUser("bank", "bank", "Example Commercial Bank", members.RoleFinanceBank),
}

func demoUser(username, orgID, orgName string, roles ...string) initUser {
	roles = append([]string{members.RoleOrgAdmin}, roles...)
	return initUser{username: username, org: members.GenesisOrg{ID: orgID, Name: orgName, Roles: roles}, roles: roles}
}

func runInit(args []string, stdout io.Writer) error {
	fs := newFlags("init")
	home := fs.String("home", defaultHome(), "node home directory")
	chainID := fs.String("chain-id", "chancery-local", "chain id of the new chain")
	demo := fs.Bool("demo", false, "add demo organisations and users (demo-users.txt)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if err := checkEmptyHome(*home); err != nil {
		return err
	}
	if err := initHome(*home, *chainID, genesisUsers(*demo)); err != nil {
		// Leave nothing half-made behind: the home was empty before, but
		// for the keys of `chancery keys`.
		removeContents(*home, keysDir)
		return err
	}
	fmt.Fprintf(stdout, "Initialised %s for chain %q.\n", *home, *chainID)
	fmt.Fprintf(stdout, "  admin user: \"admin\", password in %s, API token in %s\n",
		filepath.Join(*home, adminPasswordFile), filepath.Join(*home, adminTokenFile))
	if *demo {
		fmt.Fprintf(stdout, "  demo users: %s\n", filepath.Join(*home, demoUsersFile))
	}
	fmt.Fprintf(stdout, "Start it with: chancery start --home %s\n", *home)
	return nil
}

// credentials are what init hands to a user: a password and an API token.
type credentials struct {
	initUser
	password, token string
}

// genesisUsers are the users init creates: the consortium admin, and with
// demo the demo consortium.
func genesisUsers(demo bool) []initUser {
	users := []initUser{{username: "admin", org: consortiumOrg, roles: consortiumOrg.Roles}}
	if demo {
		users = append(users, demoUsers...)
	}
	return users
}

func initHome(home, chainID string, users []initUser) error {
	appState, keys, err := genesisAppState(users)
	if err != nil {
		return err
	}
	if err := node.InitHome(home, &node.GenesisParams{ChainID: chainID, AppState: appState}); err != nil {
		return err
	}
	moniker := node.DefaultConfig().Moniker
	if err := writeFile(filepath.Join(home, configFile), fmt.Sprintf(configTemplate, moniker), 0o600); err != nil {
		return err
	}
	return writeUsers(home, chainID, users, keys)
}

// genesisAppState is the app state of a new chain: one organisation per
// user, the user its only account, under a new key returned beside it.
func genesisAppState(users []initUser) (json.RawMessage, []ed25519.PrivateKey, error) {
	keys := make([]ed25519.PrivateKey, len(users))
	var genesis members.Genesis
	for i, u := range users {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		keys[i] = priv
		var pub chain.PubKey
		copy(pub[:], priv.Public().(ed25519.PublicKey))
		org := u.org
		org.Accounts = []members.GenesisAccount{{Name: u.username, PubKey: pub, Roles: u.roles}}
		genesis.Orgs = append(genesis.Orgs, org)
	}
	appState, err := json.MarshalIndent(map[string]any{members.ModuleName: genesis}, "", "  ")
	if err != nil {
		return nil, nil, err
	}
	if _, err := members.DecodeGenesis(mustSection(appState, members.ModuleName)); err != nil {
		return nil, nil, fmt.Errorf("genesis: %w", err)
	}
	return appState, keys, nil
}

// writeUsers creates the users in the home's keyring, each with its key from
// genesis, a new password and an API token, and writes the files that hand
// those out: admin-password, admin-token and, beyond the admin,
// demo-users.txt.
func writeUsers(home, chainID string, users []initUser, keys []ed25519.PrivateKey) error {
	kr, err := keyring.Open(filepath.Join(home, keyringDir), keyring.Options{})
	if err != nil {
		return err
	}
	defer kr.Close()
	creds := make([]credentials, len(users))
	for i, u := range users {
		password := randomPassword()
		if _, err := kr.CreateUser(keyring.NewUser{Username: u.username, Password: password, Org: u.org.ID, Roles: u.roles, Key: keys[i]}); err != nil {
			return fmt.Errorf("create user %s: %w", u.username, err)
		}
		token, _, err := kr.CreateToken(u.username, keys[i], "created by chancery init")
		if err != nil {
			return fmt.Errorf("create token for %s: %w", u.username, err)
		}
		creds[i] = credentials{initUser: u, password: password, token: token}
	}
	if err := writeFile(filepath.Join(home, adminTokenFile), creds[0].token+"\n", 0o600); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(home, adminPasswordFile), creds[0].password+"\n", 0o600); err != nil {
		return err
	}
	if len(creds) > 1 {
		return writeFile(filepath.Join(home, demoUsersFile), demoUsersText(chainID, creds), 0o600)
	}
	return nil
}

// demoUsersText is the pinned demo-users.txt: comment lines, then one user a
// line: username password role,role,… api-token.
func demoUsersText(chainID string, creds []credentials) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Demo users of chain %s, one a line: username password roles api-token.\n", chainID)
	b.WriteString("# Sign in to a node's console (http://127.0.0.1:8080 by default) with a username and password, or call the API with\n")
	b.WriteString("# \"Authorization: Bearer <api-token>\". Keep this file private: it holds live credentials.\n")
	for _, c := range creds {
		fmt.Fprintf(&b, "%s %s %s %s\n", c.username, c.password, strings.Join(c.roles, ","), c.token)
	}
	return b.String()
}

// randomPassword returns 20 characters from an alphabet without look-alikes
// (about 100 bits).
func randomPassword() string {
	return rand.Text()[:20]
}

func mustSection(appState []byte, name string) json.RawMessage {
	var sections map[string]json.RawMessage
	_ = json.Unmarshal(appState, &sections)
	return sections[name]
}

// checkEmptyHome refuses to initialise over an existing home. The keys
// directory `chancery keys` writes by default may be there already: a
// newcomer may make a script's key before the home.
func checkEmptyHome(home string) error {
	entries, err := os.ReadDir(home)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("home %s: %w", home, err)
	}
	entries = slices.DeleteFunc(entries, func(e os.DirEntry) bool { return e.Name() == keysDir && e.IsDir() })
	if len(entries) > 0 {
		if _, err := os.Stat(filepath.Join(home, node.GenesisFile)); err == nil {
			return fmt.Errorf("home %s is already initialised (%s exists): start it, or choose another --home", home, node.GenesisFile)
		}
		return fmt.Errorf("home %s is not empty: choose an empty or new directory", home)
	}
	return nil
}

// removeContents removes what dir holds, but for the entries named keep.
func removeContents(dir string, keep ...string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !slices.Contains(keep, e.Name()) {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// writeFile writes a new file, creating its directory.
func writeFile(path, content string, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(content), perm)
}
