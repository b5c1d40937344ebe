package inputs

import (
	"crypto/rand"
	"io"
)

// alphanumeric is the alphabet of generated secret values: some are embedded in URLs (the master
// access token in PROXY_CONFIGS_ENDPOINT, database passwords), where these need no escaping.
const alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// RandomAlphanumeric returns n characters drawn uniformly from [A-Za-z0-9] with crypto/rand: a
// 32-character value carries about 190 bits of entropy.
func RandomAlphanumeric(n int) string {
	return randomFrom(rand.Reader, n)
}

// randomFrom draws n characters from r by rejection sampling: bytes of 248 and above are
// discarded so that every character is equally likely (256 is not a multiple of 62).
func randomFrom(r io.Reader, n int) string {
	if n <= 0 {
		return ""
	}
	const limit = 256 - 256%len(alphanumeric)
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/4+1)
	for len(out) < n {
		// crypto/rand.Reader never fails (it crashes the program instead, Go 1.24+); a reader that
		// does is a test double and yields a short value rather than looping forever.
		k, err := io.ReadFull(r, buf)
		for _, b := range buf[:k] {
			if int(b) < limit && len(out) < n {
				out = append(out, alphanumeric[int(b)%len(alphanumeric)])
			}
		}
		if err != nil {
			break
		}
	}
	return string(out)
}
