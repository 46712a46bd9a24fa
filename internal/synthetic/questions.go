package synthetic

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"strings"
)

// memberTemplates are how members ask about a topic: {a} is the section's
// topic, {b} one of the article's main topics.
var memberTemplates = []string{
	"does {a} actually help {b}",
	"is {a} legit for {b} or just hype",
	"{a} for {b}, worth trying?",
	"can {a} make my {b} worse",
	"whats the evidence on {a}",
	"any studies on {a} and {b}?",
	"ngl is {a} bad for {b}",
	"how long till {a} does anything for {b}",
	"{a} vs {b}, which one matters more?",
	"tbh does {a} even do anything",
	"should i try {a} for my {b}",
	"why does everyone say {a} fixes {b}",
	"is there proof {a} works or nah",
	"been reading about {a}, is it linked to {b}?",
}

// offTopics and offTemplates make questions the library cannot answer.
var offTopics = []string{
	"car insurance", "fantasy football", "mortgage rates", "wifi routers", "phone contracts",
	"tax returns", "crypto wallets", "marathon training", "guitar strings", "minecraft servers",
	"train tickets", "wedding speeches", "houseplants", "bike chains", "gaming laptops",
	"spanish lessons", "noise cancelling headphones", "lawn mowers", "coffee machines",
	"dog training", "phone cases", "electric cars", "board games", "running shoes",
}

var offTemplates = []string{
	"whats the best deal on {a}",
	"anyone know much about {a}?",
	"are {a} worth it",
	"how do i pick between {a}",
	"any tips on {a} lol",
	"where do i even start with {a}",
	"who here knows about {a}?",
	"ngl i need advice on {a}",
}

// memberQuestion writes one question as a member would ask it about a
// section: its topic in a member's phrasing, a member's question from the
// chain with the topic worked in, or the section's heading asked plainly.
func (v *vocabulary) memberQuestion(rng *rand.Rand, term string, keys []string, heading string) string {
	k := rng.IntN(len(keys))
	if strings.EqualFold(keys[k], term) {
		k = (k + 1) % len(keys)
	}
	term, key := strings.ToLower(term), strings.ToLower(keys[k])
	switch x := rng.IntN(100); {
	case x < 40:
		return fill(memberTemplates[rng.IntN(len(memberTemplates))], term, key)
	case x < 55:
		// A colon would make the YAML line a mapping; a section number
		// added to tell headings apart is no way to ask.
		q, _, _ := strings.Cut(heading, " (")
		q = strings.ToLower(strings.ReplaceAll(strings.TrimSuffix(q, "?"), ":", ","))
		tails := []string{"", "?", " tbh", " lol", ", asking for a friend", " or is that a myth"}
		return q + tails[rng.IntN(len(tails))]
	}
	// The chain over members' questions, with the topic in place of one
	// of its content words (or tacked on when it has none).
	sw := sentenceWriter{m: v.questions, rng: rng}
	var ex extras
	sw.extraWords = func(id int32) int { return len(strings.Fields(ex[-id-1])) }
	sw.fallback = func() int32 { return ex.add(v.rareTerm(uint64(rng.IntN(rareRanks)))) }
	sw.sentence(sentenceSpec{minWords: 4, maxWords: 16, letterFirst: true})
	placed := false
	start := rng.IntN(len(sw.toks))
	for i := range sw.toks {
		j := (start + i) % len(sw.toks)
		if t := sw.toks[j]; t >= 0 && v.questions.content[t] {
			sw.toks[j] = ex.add(term)
			placed = true
			break
		}
	}
	var b strings.Builder
	ex.writeTokens(&b, sw.toks, v.questions.words, false)
	if !placed {
		b.WriteString(" with " + term)
	}
	if rng.IntN(2) == 0 {
		b.WriteByte('?')
	}
	return b.String()
}

// offTopicQuestion writes a question about something no article covers.
func offTopicQuestion(rng *rand.Rand) string {
	return fill(offTemplates[rng.IntN(len(offTemplates))], offTopics[rng.IntN(len(offTopics))], "")
}

// questionArticles is how many of a seed's first articles on-topic
// questions are about: at most 13 passages each, they are whole and the
// same in every library of that seed with 1,000 passages or more.
const questionArticles = 50

// journals are clearly invented.
var journals = []string{
	"Journal of Synthetic Dermatology", "Synthetic Gut Microbiology", "Synthetic Nutrition Reviews",
	"Archives of Synthetic Skin Research", "Synthetic Clinical Trials Letters", "Synthetic Microbiome Reports",
}

var surnameSyllables = []string{"al", "ber", "cor", "dan", "el", "fen", "gar", "hol", "is", "jan", "kor", "lin",
	"mar", "nor", "ost", "per", "quin", "ros", "sal", "tor", "ul", "ven", "wik", "yar", "zel"}

// reference writes entry id of the seed's reference pool: invented authors,
// a title from the prose chain, an invented journal and a DOI under the
// 10.5555 test prefix (10.5555/synthetic.<id>), which names no real work.
func (v *vocabulary) reference(seed int64, id int, b *bytes.Buffer) {
	rng := newRNG(seed, id, streamReference)
	authors := 1 + rng.IntN(6)
	for i := range authors {
		if i > 0 {
			b.WriteString(", ")
		}
		syl := 2 + rng.IntN(2)
		var name strings.Builder
		for range syl {
			name.WriteString(surnameSyllables[rng.IntN(len(surnameSyllables))])
		}
		b.WriteString(capitalize(name.String()))
		b.WriteByte(' ')
		for range 1 + rng.IntN(2) {
			b.WriteByte(byte('A' + rng.IntN(26)))
		}
	}
	year := 1995 + rng.IntN(31)
	b.WriteString(" (" + strconv.Itoa(year) + "). ")
	sw := sentenceWriter{m: v.prose, rng: rng}
	var ex extras
	sw.extraWords = func(int32) int { return 1 }
	sw.fallback = func() int32 { return ex.add(v.rareTerm(uint64(rng.IntN(rareRanks)))) }
	sw.sentence(sentenceSpec{minWords: 5, maxWords: 18, letterFirst: true})
	ex.writeTokens(b, sw.toks, v.prose.words, true)
	b.WriteString(". *")
	b.WriteString(journals[rng.IntN(len(journals))])
	b.WriteString("* ")
	first := 1 + rng.IntN(400)
	b.WriteString(strconv.Itoa(1+rng.IntN(40)) + "(" + strconv.Itoa(1+rng.IntN(12)) + "):" +
		strconv.Itoa(first) + "–" + strconv.Itoa(first+3+rng.IntN(20)) + ". doi:10.5555/synthetic." + strconv.Itoa(id))
}
