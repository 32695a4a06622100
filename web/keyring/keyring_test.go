package keyring

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/errs"
)

// testKDF keeps argon2id cheap: the tests check behaviour, not cost.
var testKDF = KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}

func newKeyring(t testing.TB) *Keyring {
	t.Helper()
	k, err := Open("", Options{InMemory: true, KDF: testKDF})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { k.Close() })
	return k
}

func newKey(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	_, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func createUser(t testing.TB, k *Keyring, username, password string) (User, ed25519.PrivateKey) {
	t.Helper()
	key := newKey(t)
	u, err := k.CreateUser(NewUser{Username: username, Password: password, Org: "org1", Roles: []string{"evidence.depositor"}, Key: key})
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", username, err)
	}
	return u, key
}

func createToken(t testing.TB, k *Keyring, username string, key ed25519.PrivateKey, name string) (string, Token) {
	t.Helper()
	secret, tok, err := k.CreateToken(username, key, name)
	if err != nil {
		t.Fatalf("CreateToken(%s, %s): %v", username, name, err)
	}
	return secret, tok
}

// wantErr checks that err carries want's code and kind; a nil want expects
// no error.
func wantErr(t testing.TB, err error, want *errs.Error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if !errors.Is(err, want) || errs.As(err).Kind != want.Kind {
		t.Fatalf("error = %v, want %s (%s)", err, want.Code, want.Kind)
	}
}

// rewrite edits a stored record in place, as an operator with the disk could.
func rewrite[T any](t testing.TB, k *Keyring, key []byte, edit func(*T)) {
	t.Helper()
	err := k.db.Update(func(txn *badger.Txn) error {
		var v T
		if found, err := getJSON(txn, key, &v); err != nil || !found {
			return errors.Join(err, errors.New("record not found"))
		}
		edit(&v)
		return setJSON(txn, key, v)
	})
	if err != nil {
		t.Fatalf("rewrite %q: %v", key, err)
	}
}

func TestCreateUserRejects(t *testing.T) {
	k := newKeyring(t)
	_, taken := createUser(t, k, "alice", "correct horse")
	key := newKey(t)
	mismatched := append(ed25519.PrivateKey{}, key...)
	copy(mismatched[32:], newKey(t)[32:])

	tests := []struct {
		name string
		nu   NewUser
		want *errs.Error
	}{
		{"short username", NewUser{Username: "al", Password: "password", Org: "o", Key: key}, ErrInvalidUsername},
		{"long username", NewUser{Username: strings.Repeat("a", 33), Password: "password", Org: "o", Key: key}, ErrInvalidUsername},
		{"upper case", NewUser{Username: "Alice2", Password: "password", Org: "o", Key: key}, ErrInvalidUsername},
		{"slash", NewUser{Username: "a/b", Password: "password", Org: "o", Key: key}, ErrInvalidUsername},
		{"short password", NewUser{Username: "bob", Password: "1234567", Org: "o", Key: key}, ErrWeakPassword},
		{"no org", NewUser{Username: "bob", Password: "password", Key: key}, ErrInvalidOrg},
		{"no key", NewUser{Username: "bob", Password: "password", Org: "o"}, ErrInvalidKey},
		{"public half not the seed's", NewUser{Username: "bob", Password: "password", Org: "o", Key: mismatched}, ErrInvalidKey},
		{"username taken", NewUser{Username: "alice", Password: "password", Org: "o", Key: key}, ErrUserExists},
		{"key taken", NewUser{Username: "bob", Password: "password", Org: "o", Key: taken}, ErrKeyInUse},
		{"longest username, 8-rune password", NewUser{Username: strings.Repeat("a._-9", 6) + "zz", Password: "pässwörd", Org: "o", Key: key}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := k.CreateUser(tt.nu)
			wantErr(t, err, tt.want)
		})
	}
}

func TestUserLookups(t *testing.T) {
	k := newKeyring(t)
	bob, bobKey := createUser(t, k, "bob", "password-b")
	alice, _ := createUser(t, k, "alice", "password-a")

	pub := chain.PubKey(bobKey.Public().(ed25519.PublicKey))
	if bob.PubKey != pub || bob.Address != pub.Address() || bob.Org != "org1" || bob.Created.IsZero() {
		t.Fatalf("CreateUser returned %+v", bob)
	}
	got, err := k.User("bob")
	wantErr(t, err, nil)
	if !equalUsers(got, bob) {
		t.Errorf("User = %+v, want %+v", got, bob)
	}
	got, err = k.UserByAddress(bob.Address)
	wantErr(t, err, nil)
	if !equalUsers(got, bob) {
		t.Errorf("UserByAddress = %+v, want %+v", got, bob)
	}
	users, err := k.Users()
	wantErr(t, err, nil)
	if len(users) != 2 || !equalUsers(users[0], alice) || !equalUsers(users[1], bob) {
		t.Errorf("Users = %+v, want alice then bob", users)
	}

	_, err = k.User("carol")
	wantErr(t, err, ErrUserNotFound)
	_, err = k.User("NOT VALID")
	wantErr(t, err, ErrUserNotFound)
	_, err = k.UserByAddress(chain.Address{1})
	wantErr(t, err, ErrUserNotFound)
}

func equalUsers(a, b User) bool {
	return a.Username == b.Username && a.Org == b.Org && a.Address == b.Address && a.PubKey == b.PubKey &&
		strings.Join(a.Roles, ",") == strings.Join(b.Roles, ",") && a.Created.Equal(b.Created)
}

func TestLogin(t *testing.T) {
	k := newKeyring(t)
	alice, key := createUser(t, k, "alice", "correct horse")

	tests := []struct {
		name, username, password string
		want                     *errs.Error
	}{
		{"ok", "alice", "correct horse", nil},
		{"wrong password", "alice", "correct horsf", ErrBadCredentials},
		{"empty password", "alice", "", ErrBadCredentials},
		{"unknown user", "bob", "correct horse", ErrBadCredentials},
		{"invalid username", "Alice", "correct horse", ErrBadCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, got, err := k.Login(tt.username, tt.password)
			wantErr(t, err, tt.want)
			if tt.want != nil {
				// Unknown users and wrong passwords must be indistinguishable.
				if err.Error() != "invalid username or password" || got != nil {
					t.Fatalf("Login failed with %q and key %x", err, got)
				}
				return
			}
			if u.Username != alice.Username || !key.Equal(got) {
				t.Fatalf("Login returned %s and another key", u.Username)
			}
		})
	}
}

func TestChangePassword(t *testing.T) {
	k := newKeyring(t)
	_, key := createUser(t, k, "alice", "old password")
	secret, _ := createToken(t, k, "alice", key, "ci")

	wantErr(t, k.ChangePassword("alice", "wrong password", "new password"), ErrBadCredentials)
	wantErr(t, k.ChangePassword("alice", "old password", "short"), ErrWeakPassword)
	wantErr(t, k.ChangePassword("nobody", "old password", "new password"), ErrBadCredentials)

	// Raising the KDF costs takes effect for the new wrap only.
	k.kdf = KDFParams{Time: 2, MemoryKiB: 128, Threads: 2}
	wantErr(t, k.ChangePassword("alice", "old password", "new password"), nil)

	_, _, err := k.Login("alice", "old password")
	wantErr(t, err, ErrBadCredentials)
	_, got, err := k.Login("alice", "new password")
	wantErr(t, err, nil)
	if !key.Equal(got) {
		t.Fatal("new password unwraps another key")
	}
	if rec, _ := k.userRecord("alice"); rec.Password.Params != k.kdf {
		t.Errorf("wrap params = %+v, want %+v", rec.Password.Params, k.kdf)
	}
	if _, _, err := k.AuthenticateToken(secret); err != nil {
		t.Errorf("token after password change: %v", err)
	}
}

func TestTokens(t *testing.T) {
	k := newKeyring(t)
	alice, aliceKey := createUser(t, k, "alice", "password-a")
	_, bobKey := createUser(t, k, "bob", "password-b")

	ciSecret, ci := createToken(t, k, "alice", aliceKey, "ci")
	cliSecret, cli := createToken(t, k, "alice", aliceKey, "laptop cli")
	_, bobTok := createToken(t, k, "bob", bobKey, "ci")

	if !strings.HasPrefix(ciSecret, "chy_") || len(ciSecret) != 4+43 {
		t.Errorf("secret %q is not chy_ + base64url(32 bytes)", ciSecret)
	}
	if len(ci.ID) != 16 || ci.Name != "ci" || ci.Username != "alice" || ci.Revoked || ci.Created.IsZero() {
		t.Errorf("CreateToken returned %+v", ci)
	}

	u, key, err := k.AuthenticateToken(ciSecret)
	wantErr(t, err, nil)
	if u.Username != "alice" || u.Address != alice.Address || !aliceKey.Equal(key) {
		t.Fatalf("AuthenticateToken = %s with another key", u.Username)
	}

	toks, err := k.ListTokens("alice")
	wantErr(t, err, nil)
	if len(toks) != 2 || toks[0].ID != ci.ID || toks[1].ID != cli.ID {
		t.Fatalf("ListTokens = %+v, want ci then laptop cli", toks)
	}

	wantErr(t, k.RevokeToken("alice", bobTok.ID), ErrTokenNotFound) // not hers
	wantErr(t, k.RevokeToken("alice", "0000000000000000"), ErrTokenNotFound)
	wantErr(t, k.RevokeToken("alice", ci.ID), nil)
	wantErr(t, k.RevokeToken("alice", ci.ID), nil) // again: no-op

	_, key, err = k.AuthenticateToken(ciSecret)
	wantErr(t, err, ErrBadToken)
	if errs.As(err).Kind != errs.KindUnauthorized || key != nil {
		t.Fatalf("revoked token: %v", err)
	}
	if _, _, err := k.AuthenticateToken(cliSecret); err != nil {
		t.Fatalf("other token after revocation: %v", err)
	}
	toks, err = k.ListTokens("alice")
	wantErr(t, err, nil)
	if !toks[0].Revoked || toks[0].RevokedAt.IsZero() || toks[1].Revoked {
		t.Fatalf("ListTokens after revoke = %+v", toks)
	}
	hash, _ := tokenHash(ciSecret)
	var rec tokenRecord
	if found, _ := getJSON(k.db.NewTransaction(false), tokenKey(hash), &rec); !found || rec.Sealed != nil {
		t.Fatal("revocation kept the wrapped key")
	}
}

func TestCreateTokenRejects(t *testing.T) {
	k := newKeyring(t)
	_, key := createUser(t, k, "alice", "password-a")
	tests := []struct {
		name, username, tokenName string
		key                       ed25519.PrivateKey
		want                      *errs.Error
	}{
		{"empty name", "alice", " ", key, ErrInvalidTokenName},
		{"long name", "alice", strings.Repeat("x", 65), key, ErrInvalidTokenName},
		{"escape sequence in name", "alice", "ci\x1b[2J", key, ErrInvalidTokenName},
		{"bidi override in name", "alice", "ci\u202ebad", key, ErrInvalidTokenName},
		{"unknown user", "bob", "ci", key, ErrUserNotFound},
		{"someone else's key", "alice", "ci", newKey(t), ErrInvalidKey},
		{"no key", "alice", "ci", nil, ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := k.CreateToken(tt.username, tt.key, tt.tokenName)
			wantErr(t, err, tt.want)
		})
	}
	_, err := k.ListTokens("bob")
	wantErr(t, err, ErrUserNotFound)
}

func TestAuthenticateTokenRejects(t *testing.T) {
	k := newKeyring(t)
	_, key := createUser(t, k, "alice", "password-a")
	secret, _ := createToken(t, k, "alice", key, "ci")
	flipped := []byte(secret)
	flipped[10] ^= 'A' ^ 'B'
	if flipped[10] == secret[10] {
		flipped[10] = 'x'
	}

	for _, s := range []string{
		"",
		"chy_",
		"chx_" + secret[4:],
		secret + "=",
		secret[:len(secret)-1],
		string(flipped),
		newTokenSecret(), // well formed, never issued
	} {
		_, _, err := k.AuthenticateToken(s)
		wantErr(t, err, ErrBadToken)
	}
}

// TestTamperedWrap flips one byte of a stored wrap: the nonce, the
// ciphertext or the tag. None may open.
func TestTamperedWrap(t *testing.T) {
	for _, tt := range []struct {
		name string
		at   func(sealed []byte) int
	}{
		{"nonce", func([]byte) int { return 0 }},
		{"ciphertext", func([]byte) int { return 24 + 5 }},
		{"tag", func(s []byte) int { return len(s) - 1 }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			k := newKeyring(t)
			_, key := createUser(t, k, "alice", "password-a")
			secret, _ := createToken(t, k, "alice", key, "ci")
			hash, _ := tokenHash(secret)

			rewrite(t, k, userKey("alice"), func(r *userRecord) { r.Password.Sealed[tt.at(r.Password.Sealed)] ^= 1 })
			rewrite(t, k, tokenKey(hash), func(r *tokenRecord) { r.Sealed[tt.at(r.Sealed)] ^= 1 })

			_, _, err := k.Login("alice", "password-a")
			wantErr(t, err, ErrBadCredentials)
			_, _, err = k.AuthenticateToken(secret)
			wantErr(t, err, ErrBadToken)
		})
	}
}

// TestSwappedWraps moves a wrap into another user's record. It would open
// under the secret it was made with, were its owner not in the additional
// data; then the key check would fail with an internal error, not this one.
func TestSwappedWraps(t *testing.T) {
	k := newKeyring(t)
	_, aliceKey := createUser(t, k, "alice", "password-a")
	_, bobKey := createUser(t, k, "bob", "password-b")
	aliceSecret, _ := createToken(t, k, "alice", aliceKey, "ci")
	createToken(t, k, "bob", bobKey, "ci")
	aliceHash, _ := tokenHash(aliceSecret)

	alice, err := k.userRecord("alice")
	wantErr(t, err, nil)
	rewrite(t, k, userKey("bob"), func(r *userRecord) { r.Password = alice.Password })
	_, _, err = k.Login("bob", "password-a")
	wantErr(t, err, ErrBadCredentials)

	// Alice's token record claims to be Bob's.
	rewrite(t, k, tokenKey(aliceHash), func(r *tokenRecord) { r.Username = "bob" })
	_, _, err = k.AuthenticateToken(aliceSecret)
	wantErr(t, err, ErrBadToken)

}
