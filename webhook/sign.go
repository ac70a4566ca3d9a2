package webhook

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// Sign returns the signature Tencent adds to a webhook once a callback token is enabled: the lowercase hex
// SHA-256 of the token followed by requestTime in decimal (a plain hash of the concatenation, not an HMAC).
// For example Sign("xxxxyyyy", 1669872112) is
// "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061".
func Sign(token string, requestTime int64) string {
	var buf [20]byte
	h := sha256.New()
	h.Write([]byte(token))
	h.Write(strconv.AppendInt(buf[:0], requestTime, 10))
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}
