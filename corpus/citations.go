package corpus

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// maxRangeSize bounds a marker range such as [1–3], so "[1-99999999]" in a
// hostile file cannot allocate a huge label list.
const maxRangeSize = 50

var (
	yearRe       = regexp.MustCompile(`\b(1[89]\d\d|20\d\d)[a-z]?\b`)
	yearOnlyRe   = regexp.MustCompile(`^(1[89]\d\d|20\d\d)$`)
	doiRe        = regexp.MustCompile(`\b10\.\d{4,9}/[^\s"<>]+`)
	urlRe        = regexp.MustCompile(`https?://[^\s"<>]+`)
	refLabelRe   = regexp.MustCompile(`^\s*(?:\[(\^?[\w-]{1,20})\]:?|(\d{1,4})[.)]|[•·▪◦*-])\s+`)
	footnoteRe   = regexp.MustCompile(`\[\^([^\]\s]{1,40})\]`)
	bracketNumRe = regexp.MustCompile(`\[(\d{1,4}(?:\s*[-–—]\s*\d{1,4})?(?:\s*[,;]\s*\d{1,4}(?:\s*[-–—]\s*\d{1,4})?)*)\]`)
	// caretRe matches "skin^1" or "skin ^1", not a power such as 10^9.
	caretRe = regexp.MustCompile(`([^\s\d^])\s?\^(\d{1,4})\b`)
	// superRe matches a run of superscript digits (with separators) and the
	// character before it, so "10⁹" (a power) is told apart from "skin.¹".
	superRe = regexp.MustCompile(`(^|[^\s⁰¹²³⁴⁵⁶⁷⁸⁹])(\s?)([⁰¹²³⁴⁵⁶⁷⁸⁹]+(?:\s?[,˒⁻–-]?\s?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)*)`)
	// authorYearRe matches a parenthetical such as "(Salem et al. 2018)" or
	// "(Bowe and Logan, 2011; Arck et al. 2010)".
	authorYearRe = regexp.MustCompile(`\s?\(((?:[\p{Lu}][\p{L}'’-]+(?:\s[\p{Lu}][\p{L}'’-]+)?(?:\s+et\s+al\.?|\s+(?:and|&)\s+[\p{Lu}][\p{L}'’-]+)?,?\s+\d{4}[a-z]?(?:;\s*)?)+)\)`)
	oneCiteRe    = regexp.MustCompile(`([\p{Lu}][\p{L}'’-]+(?:\s[\p{Lu}][\p{L}'’-]+)?)(?:\s+et\s+al\.?|\s+(?:and|&)\s+[\p{Lu}][\p{L}'’-]+)?,?\s+(\d{4})[a-z]?`)
	// narrativeRe matches an author named in the sentence, with the year
	// after the name, at the end of its input: "Juhl et al. (2018)", "Kwon
	// and colleagues (2012)", "Bowe and Logan (2011)", "De Pessemier et al.
	// (2021)", and as notes write it, "Camilleri 2019" or "Lacy et al
	// 2024". Group 1 is the word before the surname, if capitalised, group 2
	// the surname, group 3 or 4 the year.
	narrativeRe = regexp.MustCompile(`(?:([\p{Lu}][\p{L}'’-]+)\s)?([\p{Lu}][\p{L}'’-]+)(?:\s+et\s+al\.?,?|\s+and\s+(?:colleagues|co-?workers|co-?authors|(?:his|her|their)\s+(?:colleagues|team|co-?workers))|\s+(?:and|&)\s+[\p{Lu}][\p{L}'’-]+,?)?\s+(?:\((\d{4})[a-z]?\)|(\d{4})[a-z]?)$`)
)

// notAuthors are capitalised words that stand before a year in prose ("In
// 2019", "Since 2020"), never a first author.
var notAuthors = map[string]bool{
	"in": true, "on": true, "at": true, "of": true, "for": true, "from": true, "by": true, "to": true,
	"since": true, "until": true, "till": true, "before": true, "after": true, "during": true, "between": true,
	"around": true, "circa": true, "about": true, "early": true, "late": true, "mid": true, "the": true,
	"a": true, "an": true, "this": true, "that": true, "these": true, "those": true, "our": true, "its": true,
	"their": true, "his": true, "her": true, "my": true, "your": true, "and": true, "or": true, "but": true,
	"as": true, "than": true, "through": true, "throughout": true, "into": true, "within": true, "over": true,
	"under": true, "year": true, "years": true, "gut": true, "table": true, "figure": true, "fig": true,
}

var superDigits = map[rune]rune{'⁰': '0', '¹': '1', '²': '2', '³': '3', '⁴': '4', '⁵': '5', '⁶': '6', '⁷': '7', '⁸': '8', '⁹': '9'}

// citeMark is one citation found in a block: a label, or an author–year pair.
type citeMark struct {
	label  string
	author string
	year   string
	raw    string
}

// maxMarkerRounds bounds how often extractMarkers goes over a text whose
// markers, once removed, leave new ones behind ("x [0] ^1" → "x ^1").
const maxMarkerRounds = 8

// extractMarkers removes citation markers from s and returns the clean text
// and the markers in order. Author–year parentheticals are removed only when
// resolve accepts them, so an unresolvable one stays readable in the text.
func extractMarkers(s string, resolve func(citeMark) bool) (string, []citeMark) {
	var marks []citeMark
	for round := range maxMarkerRounds {
		clean, found := extractMarkersOnce(s, resolve)
		for _, m := range found {
			// An unresolved author–year citation stays in the text and
			// would be found again in every round.
			if round == 0 || m.label != "" || resolve == nil || resolve(m) {
				marks = append(marks, m)
			}
		}
		if clean == s {
			break
		}
		s = clean
	}
	if resolve != nil {
		marks = append(marks, narrativeCites(s, resolve)...)
	}
	return s, marks
}

// narrativeWindow is how far before a year narrativeCites looks for the
// author's name, in bytes: enough for "In Sánchez-Pellicer and colleagues".
const narrativeWindow = 64

// narrativeCites returns the citations that name their author in the
// sentence ("Kwon and colleagues (2012) tested…", "Camilleri 2019 walks
// through…"), each only when resolve finds a reference by that first
// author and year: a capitalised word before a year is often no author at
// all. The text stays as it is, since the name is part of the sentence.
// Author–year parentheticals left in s (unresolved) are not read again.
// It looks for the name only just before each year, so its cost stays
// linear in s.
func narrativeCites(s string, resolve func(citeMark) bool) []citeMark {
	var marks []citeMark
	// paren holds the parentheticals of s, read once when first needed;
	// next is the first that does not end before the current match, as
	// both come in text order.
	var paren [][]int
	parenRead, next := false, 0
	// resolved remembers each author and year asked about, so a text that
	// names one study many times folds its name once.
	resolved := map[[2]string]bool{}
	for _, y := range yearSpans(s) {
		from := max(0, y[0]-narrativeWindow)
		for from < y[0] && !utf8.RuneStart(s[from]) {
			from++
		}
		m := narrativeRe.FindStringSubmatchIndex(s[from:y[1]])
		if m == nil {
			continue
		}
		for i := range m {
			if m[i] >= 0 {
				m[i] += from
			}
		}
		if r, _ := utf8.DecodeLastRuneInString(s[:m[0]]); m[0] > 0 && (unicode.IsLetter(r) || r == '-' || r == '\'' || r == '’') {
			continue // the window cut a name: "…varro-López"
		}
		year := ""
		for _, g := range []int{6, 8} {
			if m[g] >= 0 {
				year = s[m[g]:m[g+1]]
			}
		}
		surname := s[m[4]:m[5]]
		var candidates []string
		if m[2] >= 0 {
			// "De Pessemier", or "In Parodi" whose author is Parodi.
			candidates = append(candidates, s[m[2]:m[3]]+" "+surname)
		}
		candidates = append(candidates, surname)
		for _, author := range candidates {
			first, _, _ := strings.Cut(author, " ")
			if notAuthors[strings.ToLower(first)] || months[strings.ToLower(first)] {
				continue
			}
			cm := citeMark{author: author, year: year, raw: s[m[0]:m[1]]}
			key := [2]string{author, year}
			ok, asked := resolved[key]
			if !asked {
				ok = resolve(cm)
				resolved[key] = ok
			}
			if !ok {
				continue
			}
			if !parenRead {
				paren, parenRead = authorYearRe.FindAllStringIndex(s, -1), true
			}
			for next < len(paren) && paren[next][1] <= m[0] {
				next++
			}
			if next == len(paren) || paren[next][0] >= m[1] {
				marks = append(marks, cm)
			}
			break
		}
	}
	return marks
}

// yearSpans returns where s names a year, 1800–2099, standing alone: as
// "2012", "2012a" or "(2012)", each span from its first byte to just after
// it.
func yearSpans(s string) [][2]int {
	var out [][2]int
	isDigit := func(i int) bool { return i >= 0 && i < len(s) && s[i] >= '0' && s[i] <= '9' }
	for i := 0; i+4 <= len(s); i++ {
		if !isDigit(i) || isDigit(i-1) {
			continue
		}
		j := i
		for isDigit(j) {
			j++
		}
		if j-i != 4 || !(s[i] == '1' && (s[i+1] == '8' || s[i+1] == '9') || s[i] == '2' && s[i+1] == '0') {
			i = j
			continue
		}
		start, end := i, j
		if end < len(s) && s[end] >= 'a' && s[end] <= 'z' {
			end++
		}
		if r, _ := utf8.DecodeRuneInString(s[end:]); end < len(s) && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			i = j
			continue // "2012st", "2019ab": part of a word
		}
		if start > 0 && s[start-1] == '(' && end < len(s) && s[end] == ')' {
			start, end = start-1, end+1
		}
		out = append(out, [2]int{start, end})
		i = j
	}
	return out
}

// extractMarkersOnce is one pass of extractMarkers.
func extractMarkersOnce(s string, resolve func(citeMark) bool) (string, []citeMark) {
	var marks []citeMark
	// Each pattern runs only where its marker's first sign occurs: most
	// text holds none, and the patterns cost far more than the look.
	hasBracket := strings.IndexByte(s, '[') >= 0
	if hasBracket {
		s = footnoteRe.ReplaceAllStringFunc(s, func(m string) string {
			marks = append(marks, citeMark{label: footnoteRe.FindStringSubmatch(m)[1], raw: m})
			return ""
		})
	}
	s = replaceIf(hasBracket, bracketNumRe, s, func(m string) string {
		spec := bracketNumRe.FindStringSubmatch(m)[1]
		if yearOnlyRe.MatchString(spec) && resolve != nil && !resolve(citeMark{label: spec}) {
			return m // "[2019]" is a year unless the article has a reference 2019
		}
		for _, l := range expandLabels(spec) {
			marks = append(marks, citeMark{label: l, raw: m})
		}
		return ""
	})
	s = replaceIf(strings.IndexByte(s, '^') >= 0, caretRe, s, func(m string) string {
		sub := caretRe.FindStringSubmatch(m)
		marks = append(marks, citeMark{label: sub[2], raw: "^" + sub[2]})
		return sub[1]
	})
	if strings.ContainsAny(s, superscriptDigits) {
		s = replaceSuperscripts(s, resolve, &marks)
	}
	s = replaceIf(strings.IndexByte(s, '(') >= 0, authorYearRe, s, func(m string) string {
		var found []citeMark
		all := true
		for _, c := range oneCiteRe.FindAllStringSubmatch(authorYearRe.FindStringSubmatch(m)[1], -1) {
			if months[strings.ToLower(c[1])] {
				all = false // "(March 2020)" is a date, not a citation
				continue
			}
			cm := citeMark{author: c[1], year: c[2], raw: strings.TrimSpace(m)}
			if resolve != nil && !resolve(cm) {
				all = false
			}
			found = append(found, cm)
		}
		marks = append(marks, found...)
		if !all {
			return m
		}
		return ""
	})
	return tidyPunctuation(s), marks
}

// superscriptDigits are the signs a superscript marker is made of.
const superscriptDigits = "⁰¹²³⁴⁵⁶⁷⁸⁹"

// replaceIf is re.ReplaceAllStringFunc(s, f) when may says a match is
// possible, else s.
func replaceIf(may bool, re *regexp.Regexp, s string, f func(string) string) string {
	if !may {
		return s
	}
	return re.ReplaceAllStringFunc(s, f)
}

// replaceSuperscripts removes superscript markers from s, appending them to
// marks. It works from match offsets, so each match is judged by its own
// place in s (the same text "m²" may be a unit once and follow "team"
// later) and the cost stays linear in s.
func replaceSuperscripts(s string, resolve func(citeMark) bool, marks *[]citeMark) string {
	matches := superRe.FindAllStringSubmatchIndex(s, -1)
	if matches == nil {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, m := range matches {
		before, space, run := s[m[2]:m[3]], s[m[4]:m[5]], s[m[6]:m[7]]
		if r, size := utf8.DecodeRuneInString(before); size == len(before) && (unicode.IsDigit(r) || r == '×' || r == '⁻') {
			continue // a power such as 10⁹ or m⁻², not a marker
		}
		if space == "" && notationBefore(s, m[6]) {
			continue // a unit such as m², or a statistic such as I²
		}
		digits := strings.Map(func(r rune) rune {
			if d, ok := superDigits[r]; ok {
				return d
			}
			switch r {
			case '⁻', '–':
				return '-'
			case '˒':
				return ','
			}
			return r
		}, run)
		// "¹ ²" lists two markers; "¹ – ³" is a range.
		digits = strings.Join(strings.Fields(digits), " ")
		digits = strings.ReplaceAll(strings.ReplaceAll(digits, " -", "-"), "- ", "-")
		digits = strings.ReplaceAll(digits, " ", ",")
		labels := expandLabels(digits)
		if len(labels) == 1 && len(labels[0]) > 1 && resolve != nil && !resolve(citeMark{label: labels[0]}) {
			// "¹²³" is reference 123 only if there is one; else 1, 2 and 3.
			split := strings.Split(labels[0], "")
			if !slices.ContainsFunc(split, func(l string) bool { return !resolve(citeMark{label: l}) }) {
				labels = split
			}
		}
		for _, l := range labels {
			*marks = append(*marks, citeMark{label: l, raw: run})
		}
		// Keep the character before the marker, drop the space and run.
		b.WriteString(s[last:m[3]])
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

var months = map[string]bool{
	"january": true, "february": true, "march": true, "april": true, "may": true, "june": true, "july": true,
	"august": true, "september": true, "october": true, "november": true, "december": true,
	"jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true, "aug": true, "sep": true,
	"sept": true, "oct": true, "nov": true, "dec": true, "spring": true, "summer": true, "autumn": true,
	"fall": true, "winter": true,
}

// units take superscript powers (m², cm³) that are not citation markers.
var units = map[string]bool{"m": true, "cm": true, "mm": true, "km": true, "µm": true, "μm": true, "nm": true, "ft": true, "in": true}

// notationBefore reports whether the superscript run starting at byte i of
// s follows a unit word such as "m" in "10 m²", or a one-letter word such as
// the statistics I² and R², whose power is no citation. Units are at most
// two letters, so it looks back over three letters at most, whatever the
// length of the word or of s.
func notationBefore(s string, i int) bool {
	var word []rune
	for j := i; j > 0 && len(word) < 3; {
		r, size := utf8.DecodeLastRuneInString(s[:j])
		if !unicode.IsLetter(r) {
			break
		}
		word = append([]rune{r}, word...)
		j -= size
	}
	return len(word) == 1 || units[strings.ToLower(string(word))]
}

// expandLabels turns "1, 3–5" into 1 3 4 5.
func expandLabels(spec string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(spec, func(r rune) bool { return r == ',' || r == ';' }) {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(strings.NewReplacer("–", "-", "—", "-").Replace(part), "-")
		a, errA := strconv.Atoi(strings.TrimSpace(lo))
		if errA != nil {
			continue
		}
		b := a
		if isRange {
			if n, err := strconv.Atoi(strings.TrimSpace(hi)); err == nil && n >= a && n-a < maxRangeSize {
				b = n
			}
		}
		for i := a; i <= b; i++ {
			out = append(out, strconv.Itoa(i))
		}
	}
	return out
}

// tidyPunctuation closes the gaps removed markers leave behind.
func tidyPunctuation(s string) string {
	return strings.TrimSpace(dropSpaceBeforePunct(collapseSpaces(s)))
}

// dropSpaceBeforePunct removes the ASCII white space before . , ; : ! and ?
func dropSpaceBeforePunct(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	pending := -1 // start of a run of white space not yet written
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r':
			if pending < 0 {
				pending = i
			}
			continue
		case strings.IndexByte(".,;:!?", c) >= 0:
			// the run before it is dropped
		default:
			if pending >= 0 {
				b.WriteString(s[pending:i])
			}
		}
		pending = -1
		b.WriteByte(s[i])
	}
	if pending >= 0 {
		b.WriteString(s[pending:])
	}
	return b.String()
}

func collapseSpaces(s string) string {
	var b strings.Builder
	b.Grow(len(s)) // never longer: what it keeps of the library stays its size
	space := false
	for _, r := range s {
		if r == '\n' {
			b.WriteRune(r)
			space = false
			continue
		}
		if unicode.IsSpace(r) {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return strings.ReplaceAll(strings.ReplaceAll(b.String(), " \n", "\n"), "\n ", "\n")
}

// splitRefLabel takes a leading list number or bracket label off a
// reference line.
func splitRefLabel(line string) (label, rest string) {
	m := refLabelRe.FindStringSubmatchIndex(line)
	if m == nil {
		return "", strings.TrimSpace(line)
	}
	switch {
	case m[2] >= 0:
		label = strings.TrimPrefix(line[m[2]:m[3]], "^")
	case m[4] >= 0:
		label = line[m[4]:m[5]]
	}
	return label, strings.TrimSpace(line[m[1]:])
}

// parseReference finds the DOI and link of a reference entry.
func parseReference(label, text string) Reference {
	ref := Reference{Label: label, Text: strings.TrimSpace(text)}
	if m := doiRe.FindString(text); m != "" {
		ref.DOI = trimTrailing(m)
	}
	for _, u := range urlRe.FindAllString(text, -1) {
		u = trimTrailing(u)
		if ref.URL == "" && !isDOIURL(u) {
			ref.URL = u
		}
	}
	if ref.URL == "" && ref.DOI != "" {
		ref.URL = "https://doi.org/" + ref.DOI
	}
	return ref
}

func isDOIURL(u string) bool {
	return strings.Contains(u, "doi.org/10.")
}

// trimTrailing drops sentence punctuation after a DOI or URL, keeping a
// closing bracket that belongs to it, as in 10.1016/S0140-6736(00)04259-8.
func trimTrailing(s string) string {
	for s != "" {
		last := s[len(s)-1]
		switch {
		case strings.ContainsRune(".,;:'\"’”", rune(last)) || strings.HasSuffix(s, "’") || strings.HasSuffix(s, "”"):
			_, size := utf8.DecodeLastRuneInString(s)
			s = s[:len(s)-size]
		case last == ')' && strings.Count(s, "(") < strings.Count(s, ")"),
			last == ']' && strings.Count(s, "[") < strings.Count(s, "]"):
			s = s[:len(s)-1]
		default:
			return s
		}
	}
	return s
}

// fold lowercases and strips accents so "Jiménez" matches "Jimenez".
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// authorYearIndex finds a reference by its first author's surname and year.
// Each reference is folded once, when the index is built, and filed under
// the first word of its folded text and each year it names: a lookup then
// reads only the references sharing both, rather than folding every
// reference again for every citation.
type authorYearIndex map[authorYearKey][]foldedRef

type authorYearKey struct{ word, year string }

// foldedRef is a reference with its text folded (see fold).
type foldedRef struct {
	folded string
	ref    Reference
}

func newAuthorYearIndex(refs []Reference) authorYearIndex {
	idx := authorYearIndex{}
	for _, r := range refs {
		fr := foldedRef{folded: fold(r.Text), ref: r}
		word := leadingWord(fr.folded)
		filed := map[string]bool{}
		for _, y := range yearRe.FindAllStringSubmatch(r.Text, -1) {
			if !filed[y[1]] {
				filed[y[1]] = true
				k := authorYearKey{word, y[1]}
				idx[k] = append(idx[k], fr)
			}
		}
	}
	return idx
}

// find returns the first reference, in list order, whose folded text starts
// with the folded author as a whole word ("Smith" is not "Smithson") and
// that names the year. A reference it matches has the same leading word as
// the author, so looking in that word's bucket misses none.
func (idx authorYearIndex) find(author, year string) (Reference, bool) {
	want := fold(author)
	for _, c := range idx[authorYearKey{leadingWord(want), year}] {
		if !strings.HasPrefix(c.folded, want) {
			continue
		}
		if r, _ := utf8.DecodeRuneInString(c.folded[len(want):]); unicode.IsLetter(r) {
			continue
		}
		return c.ref, true
	}
	return Reference{}, false
}

// leadingWord returns the letters s starts with.
func leadingWord(s string) string {
	if i := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }); i >= 0 {
		return s[:i]
	}
	return s
}

func describeMark(m citeMark) string {
	if m.label != "" {
		return fmt.Sprintf("marker [%s]", m.label)
	}
	return fmt.Sprintf("citation %q", m.author+" "+m.year)
}
