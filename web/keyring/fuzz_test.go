package keyring

import "testing"

// FuzzAuthenticateToken feeds arbitrary secrets, as an Authorization header
// would: only the issued one may authenticate, and nothing may panic.
func FuzzAuthenticateToken(f *testing.F) {
	k := newKeyring(f)
	_, key := createUser(f, k, "alice", "password-a")
	secret, _ := createToken(f, k, "alice", key, "ci")
	for _, s := range []string{secret, "", "chy_", secret[:20], secret + "A", "chy_" + string(make([]byte, 43))} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, got, err := k.AuthenticateToken(s)
		if s == secret {
			if err != nil || u.Username != "alice" || !key.Equal(got) {
				t.Fatalf("issued secret: %v", err)
			}
			return
		}
		wantErr(t, err, ErrBadToken)
	})
}
