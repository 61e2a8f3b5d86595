package ports

// PasswordHasher hashes operator passwords with a slow hash and checks them,
// accepting the unsalted legacy hashes of adopted XXL-JOB databases.
type PasswordHasher interface {
	// Hash returns a new slow hash of password.
	Hash(password string) (string, error)
	// Verify reports whether password matches hash. legacy is true when the
	// hash is an XXL-JOB MD5 (2.x) or SHA-256 (3.x) hex digest, which the
	// caller may upgrade once the operator opted in.
	Verify(hash, password string) (ok, legacy bool)
}
