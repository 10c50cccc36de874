package scenarios

import "net/http"

// GatewayWords is the API gateway's own code and message for a status it
// answers with itself.
type GatewayWords struct {
	Code, Message string
}

// gatewayWords is the gateway's table, from the reference (§3.3) for the
// 4xx rows and from the API Gateway user manual's error-code table for the
// 5xx ones; that table has no 503 row, which reuses the 502 words. The
// 5xx codes are not in the project's reference: unverified.
var gatewayWords = map[int]GatewayWords{
	http.StatusUnauthorized:          {"APIGW.0301", "Incorrect IAM authentication information: verify aksk signature fail"},
	http.StatusNotFound:              {"APIGW.0101", "The API does not exist or has not been published in the environment."},
	http.StatusRequestEntityTooLarge: {"APIGW.0201", "Request entity too large."},
	http.StatusTooManyRequests:       {"APIGW.0308", "The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 second"},
	http.StatusInternalServerError:   {"APIGW.0103", "The backend does not exist."},
	http.StatusBadGateway:            {"APIGW.0201", "Backend unavailable."},
	http.StatusServiceUnavailable:    {"APIGW.0201", "Backend unavailable."},
	http.StatusGatewayTimeout:        {"APIGW.0201", "Backend timeout."},
}

// Gateway returns the gateway's code and words for a status; statuses it
// has no row for get APIGW.0201 and the status text.
func Gateway(status int) GatewayWords {
	if w, ok := gatewayWords[status]; ok {
		return w
	}
	return GatewayWords{"APIGW.0201", http.StatusText(status)}
}

// gatewayMessage is the one message the table has for a code, or "" when
// it has none or several (APIGW.0201): the file must then give one.
func gatewayMessage(code string) string {
	msg := ""
	for _, w := range gatewayWords {
		if w.Code != code {
			continue
		}
		if msg != "" && msg != w.Message {
			return ""
		}
		msg = w.Message
	}
	return msg
}
