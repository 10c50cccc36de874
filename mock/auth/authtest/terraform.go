// Package authtest signs requests as clients other than the official SDK
// do, written from the reference (coc-api.md §5.4, §6) independently of
// package auth, so that tests of the verifier do not check it against
// itself.
package authtest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sort"
	"strings"
	"time"
)

// TerraformSign signs a request the way Terraform's signer (chnsz/golangsdk)
// does: every header present at signing time is signed, content-type and
// accept included; X-Project-Id is added after signing, unsigned. path is
// the request path without its query; rawQuery is sorted into the
// canonical request.
func TerraformSign(method, path, rawQuery string, header http.Header, body []byte, key, secret string, at time.Time) {
	header.Set("X-Sdk-Date", at.UTC().Format("20060102T150405Z"))
	var names []string
	for name := range header {
		names = append(names, strings.ToLower(name))
	}
	sort.Strings(names)
	var canon strings.Builder
	canon.WriteString(method + "\n" + path + "/\n")
	canon.WriteString(sortedQuery(rawQuery) + "\n")
	for _, n := range names {
		canon.WriteString(n + ":" + strings.TrimSpace(header.Get(n)) + "\n")
	}
	bodyHash := sha256.Sum256(body)
	canon.WriteString("\n" + strings.Join(names, ";") + "\n" + hex.EncodeToString(bodyHash[:]))
	crHash := sha256.Sum256([]byte(canon.String()))
	sts := "SDK-HMAC-SHA256\n" + header.Get("X-Sdk-Date") + "\n" + hex.EncodeToString(crHash[:])
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(sts))
	header.Set("Authorization", "SDK-HMAC-SHA256 Access="+key+", SignedHeaders="+strings.Join(names, ";")+", Signature="+hex.EncodeToString(mac.Sum(nil)))
	header.Set("X-Project-Id", "0123456789abcdef0123456789abcdef")
}

func sortedQuery(raw string) string {
	if raw == "" {
		return ""
	}
	parts := strings.Split(raw, "&")
	sort.Strings(parts)
	return strings.Join(parts, "&")
}
