// Package secret makes the secret links of Agora (invitation and
// registration links): tokens of 256 bits derived with HMAC-SHA256 from the
// server's key and a random per-link nonce. The database keeps the nonce
// and a SHA-256 of the token, never the token: a stolen database alone does
// not open any link when the key is configured outside it.
package secret

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"

	"github.com/jmoiron/sqlx"
)

// Keys derives tokens from one server key.
type Keys struct {
	key []byte
}

// New returns Keys for the given key, which must have at least 32 bytes.
func New(key []byte) (*Keys, error) {
	if len(key) < 32 {
		return nil, fmt.Errorf("secret: the key must have at least 32 bytes, has %d", len(key))
	}
	return &Keys{key: key}, nil
}

// FromDatabase returns the key kept in the database, creating it on first
// use, so that every process on one database shares it. Used when no key is
// configured.
func FromDatabase(ctx context.Context, db *sqlx.DB) (*Keys, error) {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO app_secrets (name, value) VALUES ('link_key', $1) ON CONFLICT (name) DO NOTHING`, fresh); err != nil {
		return nil, fmt.Errorf("secret: store key: %w", err)
	}
	var key []byte
	if err := db.GetContext(ctx, &key, `SELECT value FROM app_secrets WHERE name = 'link_key'`); err != nil {
		return nil, fmt.Errorf("secret: read key: %w", err)
	}
	return New(key)
}

// Nonce returns 16 random bytes for a new link.
func Nonce() ([]byte, error) {
	n := make([]byte, 16)
	if _, err := rand.Read(n); err != nil {
		return nil, fmt.Errorf("secret: nonce: %w", err)
	}
	return n, nil
}

// Token derives the token of a link: purpose ("inv", "reg" …) and id name
// what it opens, nonce makes it revocable (a new nonce, a new token).
func (k *Keys) Token(purpose string, id int64, nonce []byte) string {
	mac := hmac.New(sha256.New, k.key)
	mac.Write([]byte(purpose + "|" + strconv.FormatInt(id, 10) + "|"))
	mac.Write(nonce)
	return purpose + "_" + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// Hash is the stored form of a token, used to find its row.
func Hash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// Equal compares two tokens in constant time.
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// MAC is the HMAC-SHA256 of purpose and msg under the server key: the
// signature of a code that carries its own data (a badge's check-in code
// names its meeting and registration) and is checked by computing it
// again, so nothing about it is stored.
func (k *Keys) MAC(purpose, msg string) []byte {
	mac := hmac.New(sha256.New, k.key)
	mac.Write([]byte(purpose + "|" + msg))
	return mac.Sum(nil)
}
