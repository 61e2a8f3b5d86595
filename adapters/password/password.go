// Package password implements ports.PasswordHasher with bcrypt, accepting the
// legacy unsalted MD5 (XXL-JOB 2.x) and SHA-256 (3.x) hex hashes.
package password

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/xjob-dev/xjob/ports"
)

var _ ports.PasswordHasher = Hasher{}

// Hasher hashes with bcrypt at Cost (bcrypt.DefaultCost when 0).
type Hasher struct {
	Cost int
}

// New returns a Hasher with bcrypt's default cost.
func New() Hasher { return Hasher{Cost: bcrypt.DefaultCost} }

// Hash implements ports.PasswordHasher.
func (h Hasher) Hash(password string) (string, error) {
	cost := h.Cost
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	b, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// Verify implements ports.PasswordHasher. Comparisons of legacy digests run
// in constant time.
func (h Hasher) Verify(hash, password string) (ok, legacy bool) {
	switch {
	case strings.HasPrefix(hash, "$2"):
		return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil, false
	case isHex(hash, 32):
		sum := md5.Sum([]byte(password))
		return equalHex(hash, sum[:]), true
	case isHex(hash, 64):
		sum := sha256.Sum256([]byte(password))
		return equalHex(hash, sum[:]), true
	}
	return false, false
}

func equalHex(hash string, sum []byte) bool {
	want := hex.EncodeToString(sum)
	return subtle.ConstantTimeCompare([]byte(strings.ToLower(hash)), []byte(want)) == 1
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
