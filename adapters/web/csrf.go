package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
)

// CSRF protection has three layers:
//
//  1. Cookies are SameSite=Lax, so other sites' forms post without them.
//  2. net/http's CrossOriginProtection rejects unsafe requests whose
//     Sec-Fetch-Site or Origin header says they come from another origin.
//  3. A synchronizer token: every form carries a hidden csrfField and htmx
//     sends csrfHeader (hx-headers on <body>). The token is a hash of the
//     session secret (or, before sign-in, of a random pre-session cookie),
//     both HttpOnly, so a page on another origin can neither read nor
//     compute it. It is compared in constant time.
const (
	csrfField     = "_csrf"
	csrfHeader    = "X-CSRF-Token"
	preCookieName = "xjob_pre"
)

func csrfTokenFor(secret string) string {
	sum := sha256.Sum256([]byte("xjob-csrf:" + secret))
	return base64.RawURLEncoding.EncodeToString(sum[:24])
}

type csrfKey struct{}

// withCSRFToken stores the request's expected token in ctx.
func withCSRFToken(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, csrfKey{}, token)
}

func csrfTokenFrom(ctx context.Context) string {
	s, _ := ctx.Value(csrfKey{}).(string)
	return s
}

func isSafeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// validCSRF reports whether an unsafe request carries the expected token.
func validCSRF(r *http.Request) bool {
	want := csrfTokenFrom(r.Context())
	if want == "" {
		return false
	}
	got := r.Header.Get(csrfHeader)
	if got == "" {
		got = r.PostFormValue(csrfField)
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
