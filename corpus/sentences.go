package corpus

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// superRunRe matches a run of superscript markers as superRe does ("¹",
// "¹⁻³", "¹, ³").
var superRunRe = regexp.MustCompile(`^[⁰¹²³⁴⁵⁶⁷⁸⁹]+(?:\s?[,˒⁻–-]?\s?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)*`)

// abbreviations end in a period without ending a sentence.
var abbreviations = map[string]bool{
	"e.g": true, "i.e": true, "etc": true, "al": true, "vs": true, "approx": true, "dr": true,
	"fig": true, "no": true, "ca": true, "cf": true, "mr": true, "mrs": true, "ms": true, "prof": true,
	"st": true, "spp": true, "sp": true,
}

// SentenceEnds returns the byte offsets just after each sentence of s ends:
// after ".", "!", "?" or "…" and any closing quotes, brackets or citation
// markers (¹, [2], also when set off by white space as in ". [2]"), where
// whitespace or the end of s follows and the next word does not start in
// lowercase. A period after an abbreviation ("et al.", "e.g.") or an
// initial ("L. rhamnosus") ends no sentence, nor does one inside a number
// ("1.5").
func SentenceEnds(s string) []int {
	var ends []int
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		start := i
		i += size
		if r != '.' && r != '!' && r != '?' && r != '…' {
			continue
		}
		j := skipClosers(s, i)
		// A marker set off by white space ("Kefir helps. [1] Yogurt…")
		// belongs to the sentence before it, as a glued one does, when
		// white space or the end of s follows it in turn.
		for {
			k := len(s) - len(strings.TrimLeftFunc(s[j:], unicode.IsSpace))
			e := markerEnd(s, k)
			if k == j || e == k {
				break
			}
			e = skipClosers(s, e)
			if r, _ := utf8.DecodeRuneInString(s[e:]); e < len(s) && !unicode.IsSpace(r) {
				break
			}
			j = e
		}
		if j < len(s) {
			if r2, _ := utf8.DecodeRuneInString(s[j:]); !unicode.IsSpace(r2) {
				continue
			}
			next := strings.TrimLeftFunc(s[j:], unicode.IsSpace)
			if r3, _ := utf8.DecodeRuneInString(next); next != "" && unicode.IsLower(r3) {
				continue
			}
		}
		// The word before the period is read last, only where white space
		// follows: read for every period, a long "a.a.a.…" cost quadratic
		// time.
		if r == '.' && abbreviationBefore(s, start) {
			continue
		}
		ends = append(ends, j)
	}
	return ends
}

// abbreviationBefore reports whether the word ending at the period at i is
// an abbreviation or an initial.
func abbreviationBefore(s string, i int) bool {
	word := s[strings.LastIndexFunc(s[:i], unicode.IsSpace)+1 : i]
	word = strings.ToLower(strings.TrimLeft(word, "(\"'“‘["))
	return abbreviations[word] || utf8.RuneCountInString(word) == 1 && unicode.IsLetter([]rune(word)[0])
}

// skipClosers returns the offset after the closing quotes, brackets and
// citation markers that follow a sentence's end punctuation at i.
func skipClosers(s string, i int) int {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		_, super := superDigits[r]
		switch {
		case strings.ContainsRune(`"')”’]`, r) || super || r == '⁻' || r == '˒':
			i += size
		case r == '[':
			end := closingBracket(s, i)
			if end < 0 || strings.TrimLeft(s[i+1:i+end], "^0123456789,–- ") != "" {
				return i // a bracket that is not a marker starts the next text
			}
			i += end + 1
		default:
			return i
		}
	}
	return i
}

// markerEnd returns the offset after the citation marker that starts at i:
// a bracket of numbers ("[1]", "[1, 3]", "[1–3]") or a run of superscript
// digits ("²", "¹⁻³", "¹, ³"). It returns i when no marker starts there.
func markerEnd(s string, i int) int {
	if strings.HasPrefix(s[i:], "[") {
		end := closingBracket(s, i)
		if end < 0 {
			return i
		}
		inside := s[i+1 : i+end]
		if strings.TrimLeft(inside, "^0123456789,;–—- ") != "" || !strings.ContainsAny(inside, "0123456789") {
			return i // words, or a task box "[ ]": the next sentence's text
		}
		return i + end + 1
	}
	if r, _ := utf8.DecodeRuneInString(s[i:]); superDigits[r] == 0 {
		return i
	}
	return i + len(superRunRe.FindString(s[i:]))
}

// closingBracket returns the offset from i of the "]" closing the bracket
// at i, or -1 when a character no marker holds comes first. Stopping there
// keeps a text of many "x. [y" linear: no scan runs past the next "[".
func closingBracket(s string, i int) int {
	for j := i + 1; j < len(s); {
		r, size := utf8.DecodeRuneInString(s[j:])
		switch {
		case r == ']':
			return j - i
		case strings.ContainsRune("^0123456789,;–—- ", r):
			j += size
		default:
			return -1
		}
	}
	return -1
}
