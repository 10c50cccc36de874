package nearest_test

import (
	"testing"

	"github.com/cocmock/cocmock/internal/nearest"
)

func TestWordSuggestsTheClosestWithinReach(t *testing.T) {
	keys := []string{"acceptedIncident1", "commitSolution1", "confirm", "forwardOther1", "ReOpen"}
	for typo, want := range map[string]string{
		"acceptIncident1":   "acceptedIncident1",
		"comitSolution1":    "commitSolution1",
		"confrm":            "confirm",
		"Reopen":            "ReOpen",
		"somethingElse":     "",
		"acceptedIncident1": "", // not a typo
		"x":                 "",
	} {
		if got := nearest.Word(typo, keys); got != want {
			t.Errorf("%q: %q, want %q", typo, got, want)
		}
	}
	if got := nearest.Word("respnd", []string{"delay", "respond", "random"}); got != "respond" {
		t.Errorf("respnd: %q", got)
	}
}

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"abc", "", 3}, {"kitten", "sitting", 3}, {"flaw", "lawn", 2}} {
		if got := nearest.Distance(tc.a, tc.b); got != tc.want {
			t.Errorf("%q %q: %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
