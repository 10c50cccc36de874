package mock

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/cocmock/cocmock/openapi"
)

// ViolationsHeader carries every contract violation of a request or reply,
// separated by "; ".
const ViolationsHeader = "X-Cocmock-Violations"

// maxValueInMessage keeps echoed values short: a 10001-character cause is
// named, not repeated.
const maxValueInMessage = 64

// invalidRequest is the service's answer to a request that breaks the
// contract: 400 GOM.00007256 naming the first offending field in COC's own
// words, with the full list (joined: their joinStrings, already made
// for the log) in a header.
func invalidRequest(violations []openapi.Violation, joined string, header http.Header) Reply {
	r := gomReply(http.StatusBadRequest, CodeInvalidParameter, violationMessage(violations[0], header), nil)
	r.setHeader(ViolationsHeader, joined)
	return r
}

// joinStrings joins worded violations for a header and the log.
func joinStrings(worded []string) string {
	return headerSafe(strings.Join(worded, "; "))
}

// violationMessage words one violation the way COC does
// ("The field[operate_key] value[acceptedIncident111] invalid").
func violationMessage(v openapi.Violation, header http.Header) string {
	switch v.Kind {
	case openapi.KindNoBody:
		return "The request body is required"
	case openapi.KindMalformed:
		return "The request body is not valid JSON"
	case openapi.KindContentType:
		ct := header.Get("Content-Type")
		if mt, _, err := mime.ParseMediaType(ct); err == nil {
			ct = mt
		}
		return fmt.Sprintf("The content type[%s] is not supported, use application/json", shorten(ct))
	}
	if v.Field == "" {
		return "The request body must be a JSON object"
	}
	return "The field[" + v.Field + "] value[" + valueText(v.Value) + "] invalid" // every refusal: no Sprintf
}

func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return shorten(x)
	case json.Number:
		return x.String()
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		return shorten(string(b))
	}
}

func shorten(s string) string {
	if utf8.RuneCountInString(s) <= maxValueInMessage {
		return s
	}
	r := []rune(s)
	return string(r[:maxValueInMessage]) + "..."
}

func violationStrings(violations []openapi.Violation) []string {
	out := make([]string, len(violations))
	for i, v := range violations {
		out[i] = v.String()
	}
	return out
}
