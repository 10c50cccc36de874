// Package nearest finds the word a typo most likely meant, for "did you
// mean" in error messages (commands, flags, scenario keys, enum values).
package nearest

// Word is the candidate closest to typo by edit distance, at most a third
// of typo's length away (and at most 3 edits); "" when none is that close.
// Ties go to the earlier candidate, so the answer does not depend on map
// order when candidates come sorted.
func Word(typo string, candidates []string) string {
	limit := min(3, max(1, len(typo)/3))
	best, bestDist := "", limit+1
	for _, c := range candidates {
		if c == typo {
			return ""
		}
		if d := Distance(typo, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// Distance is Levenshtein's distance between two short words, in bytes.
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
