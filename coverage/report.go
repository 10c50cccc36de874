package coverage

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// Report is what some sessions met and sent of the catalogue.
type Report struct {
	// Sessions are the sessions merged ("" is the default one).
	Sessions []string `json:"sessions"`
	Total    int      `json:"total"`
	Met      int      `json:"met"`
	// Percent is Met of Total, to one decimal.
	Percent float64      `json:"percent"`
	Kinds   []KindCount  `json:"kinds"`
	Items   []ItemReport `json:"items"`
}

// KindCount is the coverage of one kind of item.
type KindCount struct {
	Kind  string `json:"kind"`
	Total int    `json:"total"`
	Met   int    `json:"met"`
}

// ItemReport is one item and how often it was met.
type ItemReport struct {
	Item
	Count uint64 `json:"count"`
}

// Report merges the counts of sessions into a report.
func (c *Catalogue) Report(sessions []string, counts []*Counts) Report {
	r := Report{Sessions: sessions, Total: len(c.Items), Items: make([]ItemReport, len(c.Items))}
	kinds := map[string]*KindCount{}
	var order []string
	for i, it := range c.Items {
		var n uint64
		for _, cs := range counts {
			if cs != nil && i < len(cs.n) {
				n += uint64(cs.n[i].Load())
			}
		}
		r.Items[i] = ItemReport{Item: it, Count: n}
		k := kinds[it.Kind]
		if k == nil {
			k = &KindCount{Kind: it.Kind}
			kinds[it.Kind] = k
			order = append(order, it.Kind)
		}
		k.Total++
		if n > 0 {
			r.Met++
			k.Met++
		}
	}
	for _, name := range order {
		r.Kinds = append(r.Kinds, *kinds[name])
	}
	if r.Total > 0 {
		r.Percent = math.Round(1000*float64(r.Met)/float64(r.Total)) / 10
	}
	return r
}

// Missing lists the ids of want the report never met; an id the catalogue
// lacks is missing too (a typo must not pass a gate).
func (r Report) Missing(want []string) []string {
	var out []string
	for _, id := range want {
		i := slices.IndexFunc(r.Items, func(it ItemReport) bool { return it.ID == id })
		if i < 0 || r.Items[i].Count == 0 {
			out = append(out, id)
		}
	}
	return out
}

// Known reports whether an id is in the catalogue.
func (r Report) Known(id string) bool {
	return slices.ContainsFunc(r.Items, func(it ItemReport) bool { return it.ID == id })
}

// How says how to meet an item, "" for an id the catalogue lacks.
func (r Report) How(id string) string {
	if i := slices.IndexFunc(r.Items, func(it ItemReport) bool { return it.ID == id }); i >= 0 {
		return r.Items[i].How
	}
	return ""
}

// WriteText writes the report for a person: the summary by kind, then
// each item met (with its count) or not (with how to meet it).
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "coverage: %d of %d items met (%.1f%%)", r.Met, r.Total, r.Percent)
	if len(r.Sessions) > 0 {
		fmt.Fprintf(&b, " in session(s) %s", strings.Join(quoted(r.Sessions), ", "))
	}
	b.WriteString("\n")
	for _, k := range r.Kinds {
		fmt.Fprintf(&b, "  %-9s %d of %d\n", k.Kind, k.Met, k.Total)
	}
	for _, it := range r.Items {
		if it.Count > 0 {
			fmt.Fprintf(&b, "met      %s ×%d\n", it.ID, it.Count)
		} else {
			fmt.Fprintf(&b, "not met  %s: %s\n", it.ID, it.How)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func quoted(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// The JUnit XML report, in the shape Jenkins, GitLab and GitHub's test
// reporters read (the Ant/Jenkins JUnit schema): one testsuite a kind, one
// testcase an item. A met item passes; an item the gate requires and the
// run never met fails; any other item not met is skipped, with how to
// meet it.
type junitSuites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Name     string   `xml:"name,attr"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	// No skipped count here: junit-10.xsd allows it on testsuite only.
	Time   string       `xml:"time,attr"`
	Suites []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the report as JUnit XML; required are the ids a gate
// requires (their absence is a failure).
func (r Report) WriteJUnit(w io.Writer, required []string) error {
	suites := junitSuites{Name: "cocmock coverage", Time: "0"}
	byKind := map[string]*junitSuite{}
	var order []string
	for _, it := range r.Items {
		s := byKind[it.Kind]
		if s == nil {
			s = &junitSuite{Name: "cocmock coverage: " + it.Kind, Time: "0"}
			byKind[it.Kind] = s
			order = append(order, it.Kind)
		}
		tc := junitCase{Name: it.ID, Classname: "cocmock." + it.Kind, Time: "0"}
		switch {
		case it.Count > 0:
			tc.SystemOut = fmt.Sprintf("met %d time(s)", it.Count)
		case slices.Contains(required, it.ID):
			tc.Failure = &junitMessage{Message: "required and never met", Type: "coverage", Text: it.How}
			s.Failures++
		default:
			tc.Skipped = &junitMessage{Message: "not met: " + it.How}
			s.Skipped++
		}
		s.Tests++
		s.Cases = append(s.Cases, tc)
	}
	for _, k := range order {
		s := byKind[k]
		suites.Suites = append(suites.Suites, *s)
		suites.Tests += s.Tests
		suites.Failures += s.Failures
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(suites); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
