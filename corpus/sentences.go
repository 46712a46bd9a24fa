package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// abbreviations end in a period without ending a sentence.
var abbreviations = map[string]bool{
	"e.g": true, "i.e": true, "etc": true, "al": true, "vs": true, "approx": true, "dr": true,
	"fig": true, "no": true, "ca": true, "cf": true, "mr": true, "mrs": true, "ms": true, "prof": true,
	"st": true, "spp": true, "sp": true,
}

// SentenceEnds returns the byte offsets just after each sentence of s ends:
// after ".", "!", "?" or "…" and any closing quotes, brackets or citation
// markers (¹, [2]), where whitespace or the end of s follows and the next
// word does not start in lowercase. A period after an abbreviation ("et
// al.", "e.g.") or an initial ("L. rhamnosus") ends no sentence, nor does
// one inside a number ("1.5").
func SentenceEnds(s string) []int {
	var ends []int
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		start := i
		i += size
		if r != '.' && r != '!' && r != '?' && r != '…' {
			continue
		}
		if r == '.' {
			word := s[strings.LastIndexFunc(s[:start], unicode.IsSpace)+1 : start]
			word = strings.ToLower(strings.TrimLeft(word, "(\"'“‘["))
			if abbreviations[word] || utf8.RuneCountInString(word) == 1 && unicode.IsLetter([]rune(word)[0]) {
				continue
			}
		}
		j := skipClosers(s, i)
		if j == len(s) {
			ends = append(ends, j)
			continue
		}
		if r2, _ := utf8.DecodeRuneInString(s[j:]); !unicode.IsSpace(r2) {
			continue
		}
		next := strings.TrimLeftFunc(s[j:], unicode.IsSpace)
		if r3, _ := utf8.DecodeRuneInString(next); next != "" && unicode.IsLower(r3) {
			continue
		}
		ends = append(ends, j)
	}
	return ends
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
			end := strings.IndexByte(s[i:], ']')
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
