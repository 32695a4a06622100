package keyring

import (
	"cmp"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/check"
)

const (
	minPasswordLen  = 8
	maxTokenNameLen = 64
)

// Keys of the store. Usernames cannot contain '/', so one user's token
// prefix never covers another's.
const (
	prefixUser      = "user/"      // + username → userRecord
	prefixAddr      = "addr/"      // + address bytes → username
	prefixToken     = "token/"     // + SHA-256(secret) → tokenRecord
	prefixUserToken = "usertoken/" // + username + "/" + token id → SHA-256(secret)
)

// Options configure a Keyring. The zero value stores on disk with the
// default argon2id costs.
type Options struct {
	InMemory bool      // for tests; the directory is ignored
	KDF      KDFParams // costs for new password wraps; zero means DefaultKDFParams
}

// User is what the keyring tells about a web user; it holds no secret.
type User struct {
	Username string        `json:"username"`
	Org      string        `json:"org"`
	Address  chain.Address `json:"address"`
	PubKey   chain.PubKey  `json:"pub_key"`
	Roles    []string      `json:"roles,omitempty"` // for display; the chain decides
	Created  time.Time     `json:"created"`
}

// NewUser is the input to CreateUser. Key is the account's private key; the
// keyring keeps it only wrapped under Password.
type NewUser struct {
	Username string
	Password string
	Org      string
	Roles    []string
	Key      ed25519.PrivateKey
}

// Token describes an API token; the secret itself is shown once by
// CreateToken and never stored.
type Token struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Username  string    `json:"username"`
	Created   time.Time `json:"created"`
	Revoked   bool      `json:"revoked"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

type userRecord struct {
	User
	Password passwordWrap `json:"password"`
}

type tokenRecord struct {
	Token
	Sealed []byte `json:"sealed,omitempty"` // deleted on revocation
}

// Keyring stores users and their wrapped keys. It is safe for concurrent use.
type Keyring struct {
	db  *badger.DB
	kdf KDFParams
	mu  sync.Mutex // held by every write, so read-modify-write cycles never conflict
}

// Open opens or creates the keyring database in dir.
func Open(dir string, opts Options) (*Keyring, error) {
	kdf := opts.KDF
	if kdf == (KDFParams{}) {
		kdf = DefaultKDFParams()
	}
	if err := kdf.Validate(); err != nil {
		return nil, err
	}
	if opts.InMemory {
		dir = ""
	}
	// A keyring holds a few kilobytes per user; Badger's defaults are sized
	// for gigabytes. Records stay in the LSM tree, and ciphertext does not
	// compress, so blocks are stored as is.
	bo := badger.DefaultOptions(dir).
		WithInMemory(opts.InMemory).
		WithLogger(nil).
		WithCompression(options.None).
		WithMemTableSize(4 << 20).
		WithNumMemtables(2).
		WithBlockCacheSize(8 << 20).
		WithValueThreshold(64 << 10).
		WithValueLogFileSize(16 << 20)
	db, err := badger.Open(bo)
	if err != nil {
		return nil, fmt.Errorf("open keyring %q: %w", dir, err)
	}
	return &Keyring{db: db, kdf: kdf}, nil
}

// Close closes the database.
func (k *Keyring) Close() error { return k.db.Close() }

// CreateUser stores a new user with its key wrapped under the password.
func (k *Keyring) CreateUser(nu NewUser) (User, error) {
	if err := ValidateUsername(nu.Username); err != nil {
		return User{}, err
	}
	if err := validatePassword(nu.Password); err != nil {
		return User{}, err
	}
	if nu.Org == "" {
		return User{}, ErrInvalidOrg
	}
	if len(nu.Key) != ed25519.PrivateKeySize {
		return User{}, ErrInvalidKey
	}
	pub := chain.PubKey(nu.Key[ed25519.SeedSize:])
	if _, ok := keyFromSeed(nu.Key.Seed(), pub); !ok {
		return User{}, ErrInvalidKey // public half does not match the seed
	}
	rec := userRecord{
		User: User{
			Username: nu.Username,
			Org:      nu.Org,
			Address:  pub.Address(),
			PubKey:   pub,
			Roles:    slices.Clone(nu.Roles),
			Created:  now(),
		},
		Password: wrapWithPassword(nu.Key.Seed(), nu.Password, nu.Username, k.kdf),
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	err := k.db.Update(func(txn *badger.Txn) error {
		if err := absent(txn, userKey(nu.Username), ErrUserExists); err != nil {
			return err
		}
		if err := absent(txn, addrKey(rec.Address), ErrKeyInUse); err != nil {
			return err
		}
		if err := setJSON(txn, userKey(nu.Username), rec); err != nil {
			return err
		}
		return txn.Set(addrKey(rec.Address), []byte(nu.Username))
	})
	if err != nil {
		return User{}, fmt.Errorf("create user %s: %w", nu.Username, err)
	}
	return rec.User, nil
}

// Login checks the password by unwrapping the user's key with it.
func (k *Keyring) Login(username, password string) (User, ed25519.PrivateKey, error) {
	rec, key, err := k.unlock(username, password)
	return rec.User, key, err
}

// ChangePassword rewraps the user's key under a new password, with the
// current KDF costs. API tokens keep working: each has its own wrap.
func (k *Keyring) ChangePassword(username, oldPassword, newPassword string) error {
	if err := validatePassword(newPassword); err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	rec, key, err := k.unlock(username, oldPassword)
	if err != nil {
		return err
	}
	rec.Password = wrapWithPassword(key.Seed(), newPassword, username, k.kdf)
	clear(key)
	err = k.db.Update(func(txn *badger.Txn) error { return setJSON(txn, userKey(username), rec) })
	if err != nil {
		return fmt.Errorf("change password of %s: %w", username, err)
	}
	return nil
}

func (k *Keyring) unlock(username, password string) (userRecord, ed25519.PrivateKey, error) {
	rec, err := k.userRecord(username)
	if errors.Is(err, ErrUserNotFound) {
		clear(passwordKey(password, dummySalt, k.kdf))
		return userRecord{}, nil, ErrBadCredentials
	}
	if err != nil {
		return userRecord{}, nil, err
	}
	seed, ok := rec.Password.unwrap(password, username)
	if !ok {
		return userRecord{}, nil, ErrBadCredentials
	}
	key, ok := keyFromSeed(seed, rec.PubKey)
	if !ok {
		return userRecord{}, nil, fmt.Errorf("user %s: unwrapped key is not the account's", username)
	}
	return rec, key, nil
}

// User returns one user.
func (k *Keyring) User(username string) (User, error) {
	rec, err := k.userRecord(username)
	return rec.User, err
}

// UserByAddress returns the user whose account is addr.
func (k *Keyring) UserByAddress(addr chain.Address) (User, error) {
	var username []byte
	err := k.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(addrKey(addr))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return ErrUserNotFound.Withf("no user with account %s", addr)
		}
		if err != nil {
			return err
		}
		username, err = item.ValueCopy(nil)
		return err
	})
	if err != nil {
		return User{}, err
	}
	return k.User(string(username))
}

// Users returns every user, ordered by username.
func (k *Keyring) Users() ([]User, error) {
	var users []User
	err := k.db.View(func(txn *badger.Txn) error {
		return scan(txn, prefixUser, func(item *badger.Item) error {
			var rec userRecord
			if err := getItemJSON(item, &rec); err != nil {
				return err
			}
			users = append(users, rec.User)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return users, nil
}

func (k *Keyring) userRecord(username string) (userRecord, error) {
	var rec userRecord
	if ValidateUsername(username) != nil {
		return rec, ErrUserNotFound
	}
	err := k.db.View(func(txn *badger.Txn) error {
		found, err := getJSON(txn, userKey(username), &rec)
		if err == nil && !found {
			return ErrUserNotFound
		}
		return err
	})
	if err != nil && !errors.Is(err, ErrUserNotFound) {
		return rec, fmt.Errorf("read user %s: %w", username, err)
	}
	return rec, err
}

// CreateToken wraps key under a new API token for username and returns the
// token's secret, which is not stored and cannot be shown again. key must be
// the user's, as Login returns it.
func (k *Keyring) CreateToken(username string, key ed25519.PrivateKey, name string) (string, Token, error) {
	if problem := check.Text(name, 1, maxTokenNameLen, false); problem != "" {
		return "", Token{}, ErrInvalidTokenName.Withf("token name %s", problem)
	}
	rec, err := k.userRecord(username)
	if err != nil {
		return "", Token{}, err
	}
	if len(key) != ed25519.PrivateKeySize {
		return "", Token{}, ErrInvalidKey
	}
	// One copy is checked and sealed, then wiped: key itself may be wiped
	// meanwhile by a sign-out.
	own, ok := keyFromSeed(key.Seed(), rec.PubKey)
	defer clear(own)
	if !ok {
		return "", Token{}, ErrInvalidKey
	}
	secret := newTokenSecret()
	hash, id := tokenHash(secret)
	wrapKey := tokenWrapKey(secret)
	defer clear(wrapKey)
	tok := tokenRecord{
		Token:  Token{ID: id, Name: name, Username: username, Created: now()},
		Sealed: seal(wrapKey, own[:ed25519.SeedSize], additionalData(purposeToken, username, id)),
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	err = k.db.Update(func(txn *badger.Txn) error {
		// 128 bits of id colliding within one user means a broken RNG.
		if err := absent(txn, userTokenKey(username, id), errors.New("token id collision")); err != nil {
			return err
		}
		if err := setJSON(txn, tokenKey(hash), tok); err != nil {
			return err
		}
		return txn.Set(userTokenKey(username, id), hash[:])
	})
	if err != nil {
		return "", Token{}, fmt.Errorf("create token for %s: %w", username, err)
	}
	return secret, tok.Token, nil
}

// AuthenticateToken returns the user a live token belongs to and the key it
// unwraps.
func (k *Keyring) AuthenticateToken(secret string) (User, ed25519.PrivateKey, error) {
	if !validTokenSecret(secret) {
		return User{}, nil, ErrBadToken
	}
	hash, id := tokenHash(secret)
	var tok tokenRecord
	err := k.db.View(func(txn *badger.Txn) error {
		found, err := getJSON(txn, tokenKey(hash), &tok)
		if err == nil && (!found || tok.Revoked) {
			return ErrBadToken
		}
		return err
	})
	if err != nil {
		return User{}, nil, err
	}
	wrapKey := tokenWrapKey(secret)
	defer clear(wrapKey)
	// The id comes from the secret, not the record, and the username is
	// checked by the additional data, so an edited record does not open.
	seed, ok := open(wrapKey, tok.Sealed, additionalData(purposeToken, tok.Username, id))
	if !ok {
		return User{}, nil, ErrBadToken
	}
	rec, err := k.userRecord(tok.Username)
	if err != nil {
		return User{}, nil, fmt.Errorf("token %s: %w", id, err)
	}
	key, ok := keyFromSeed(seed, rec.PubKey)
	if !ok {
		return User{}, nil, fmt.Errorf("token %s: unwrapped key is not the account's", id)
	}
	return rec.User, key, nil
}

// ListTokens returns a user's tokens, revoked ones included, oldest first.
func (k *Keyring) ListTokens(username string) ([]Token, error) {
	if _, err := k.userRecord(username); err != nil {
		return nil, err
	}
	var toks []Token
	err := k.db.View(func(txn *badger.Txn) error {
		return scan(txn, prefixUserToken+username+"/", func(item *badger.Item) error {
			hash, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			tok, err := getToken(txn, hash)
			if err != nil {
				return err
			}
			toks = append(toks, tok.Token)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list tokens of %s: %w", username, err)
	}
	slices.SortFunc(toks, func(a, b Token) int {
		return cmp.Or(a.Created.Compare(b.Created), strings.Compare(a.ID, b.ID))
	})
	return toks, nil
}

// RevokeToken marks a token revoked and deletes its wrap, so the secret opens
// nothing in the store from then on (backups taken before still hold the
// wrap). Revoking a revoked token does nothing.
func (k *Keyring) RevokeToken(username, id string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	err := k.db.Update(func(txn *badger.Txn) error {
		item, err := txn.Get(userTokenKey(username, id))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return ErrTokenNotFound
		}
		if err != nil {
			return err
		}
		hash, err := item.ValueCopy(nil)
		if err != nil {
			return err
		}
		tok, err := getToken(txn, hash)
		if err != nil || tok.Revoked {
			return err
		}
		tok.Revoked, tok.RevokedAt, tok.Sealed = true, now(), nil
		return setJSON(txn, tokenKey([32]byte(hash)), tok)
	})
	if err != nil && !errors.Is(err, ErrTokenNotFound) {
		return fmt.Errorf("revoke token %s of %s: %w", id, username, err)
	}
	return err
}

// ValidateUsername checks that s could be a username: 3 to 32 of a-z, 0-9,
// ".", "_" and "-".
func ValidateUsername(s string) error {
	if len(s) < 3 || len(s) > 32 {
		return ErrInvalidUsername
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return ErrInvalidUsername
		}
	}
	return nil
}

func validatePassword(s string) error {
	if utf8.RuneCountInString(s) < minPasswordLen {
		return ErrWeakPassword
	}
	return nil
}

// now is a UTC time without a monotonic reading, so a value returned to the
// caller equals the one read back from the store.
func now() time.Time { return time.Now().UTC().Round(0) }

func userKey(username string) []byte { return []byte(prefixUser + username) }

func addrKey(a chain.Address) []byte { return append([]byte(prefixAddr), a[:]...) }

func tokenKey(hash [32]byte) []byte { return append([]byte(prefixToken), hash[:]...) }

func userTokenKey(username, id string) []byte {
	return []byte(prefixUserToken + username + "/" + id)
}

// absent returns ifPresent when key exists.
func absent(txn *badger.Txn, key []byte, ifPresent error) error {
	_, err := txn.Get(key)
	switch {
	case errors.Is(err, badger.ErrKeyNotFound):
		return nil
	case err != nil:
		return err
	default:
		return ifPresent
	}
}

func getJSON(txn *badger.Txn, key []byte, v any) (found bool, err error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, getItemJSON(item, v)
}

func getItemJSON(item *badger.Item, v any) error {
	return item.Value(func(b []byte) error {
		if err := json.Unmarshal(b, v); err != nil {
			return fmt.Errorf("decode %q: %w", item.Key(), err)
		}
		return nil
	})
}

func setJSON(txn *badger.Txn, key []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return txn.Set(key, b)
}

// getToken follows a user's token index entry to the token record.
func getToken(txn *badger.Txn, hash []byte) (tokenRecord, error) {
	var tok tokenRecord
	if len(hash) != 32 {
		return tok, fmt.Errorf("token index holds %d bytes, want 32", len(hash))
	}
	found, err := getJSON(txn, tokenKey([32]byte(hash)), &tok)
	if err == nil && !found {
		err = fmt.Errorf("token index points to a missing token")
	}
	return tok, err
}

func scan(txn *badger.Txn, prefix string, fn func(*badger.Item) error) error {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefix), PrefetchValues: true, PrefetchSize: 100})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		if err := fn(it.Item()); err != nil {
			return err
		}
	}
	return nil
}
