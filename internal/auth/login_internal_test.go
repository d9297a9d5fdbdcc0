package auth

import (
	"testing"

	"github.com/alexedwards/argon2id"
)

// The dummy hash, a constant, must cost what a real account's check
// costs: the same parameters as the hashes CreateUser makes.
func TestDummyHashUsesTheDefaultParameters(t *testing.T) {
	params, _, _, err := argon2id.DecodeHash(dummyHash)
	if err != nil {
		t.Fatal(err)
	}
	if *params != *argon2id.DefaultParams {
		t.Fatalf("dummy hash made with %+v, passwords are hashed with %+v", *params, *argon2id.DefaultParams)
	}
	if ok, err := argon2id.ComparePasswordAndHash("dummy password for timing", dummyHash); err != nil || !ok {
		t.Fatalf("the dummy hash does not verify: %v, %v", ok, err)
	}
}
