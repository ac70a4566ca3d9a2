package webhook

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strconv"
)

// Sign returns the signature Tencent adds to a webhook once a callback token is enabled: the lowercase hex
// SHA-256 of the token followed by requestTime in decimal (a plain hash of the concatenation, not an HMAC).
// For example Sign("xxxxyyyy", 1669872112) is
// "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061".
func Sign(token string, requestTime int64) string {
	sum := signSum(token, requestTime)
	return hex.EncodeToString(sum[:])
}

func signSum(token string, requestTime int64) [sha256.Size]byte {
	var stack [192]byte // room for a 128-character token and the digits, so most signatures allocate nothing
	msg := strconv.AppendInt(append(stack[:0], token...), requestTime, 10)
	return sha256.Sum256(msg)
}

// TokenMatch says which of Config's tokens a webhook's Sign was made with.
type TokenMatch string

// The tokens a Sign can match.
const (
	TokenCurrent  TokenMatch = "current"  // Config.Token
	TokenPrevious TokenMatch = "previous" // one of Config.PreviousTokens
)

// matchSign reports which token, if any, sign is the hex of Sign(token, requestTime) for, in either case.
// Every token is compared, each in constant time, whichever matches: the time taken says how many tokens
// there are, not which one matched.
func matchSign(sign, current string, previous []string, requestTime int64) (TokenMatch, bool) {
	var got [sha256.Size]byte
	if len(sign) != hex.EncodedLen(len(got)) {
		return "", false
	}
	if _, err := hex.Decode(got[:], []byte(sign)); err != nil {
		return "", false
	}
	want := signSum(current, requestTime)
	isCurrent := subtle.ConstantTimeCompare(got[:], want[:])
	isPrevious := 0
	for _, token := range previous {
		want := signSum(token, requestTime)
		isPrevious |= subtle.ConstantTimeCompare(got[:], want[:])
	}
	switch {
	case isCurrent == 1:
		return TokenCurrent, true
	case isPrevious == 1:
		return TokenPrevious, true
	}
	return "", false
}
