package incident

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// The history's byte count, kept as entries come and go, is what counting
// them afresh gives, however many were dropped.
func TestHistoryBytesStayARecount(t *testing.T) {
	inc := FirstUse("IM1", StatusTriggered, time.Unix(0, 0))
	for i := range 1000 {
		inc.Handle(Action{OperateKey: "forwardOther1", Operator: strings.Repeat("o", i%50), Time: time.Unix(int64(i), 0),
			Parameter: map[string]any{"virtual_send_comment": fmt.Sprint("comment ", i)}})
		recount := 0
		for _, e := range inc.History {
			recount += entrySize(e)
		}
		if inc.historyBytes != recount {
			t.Fatalf("after %d handles: %d bytes counted, %d on a recount (%d entries)", i+1, inc.historyBytes, recount, len(inc.History))
		}
	}
}
