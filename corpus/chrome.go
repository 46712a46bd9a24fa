package corpus

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// Posts pasted from a blog (WordPress, Wix, Squarespace, Substack, Medium)
// carry more than the article: calls to action (book, subscribe, follow,
// share, comment, shop), and the page around it (cookie banners, skip links,
// breadcrumbs, bylines, tag lines, share bars, comment threads, related
// posts, copyright footers). This file tells them apart from prose. The
// plain-text reader drops them; IsCallToAction lets the search index keep
// one that got through from ever answering.
//
// Every pattern asks for the shape of a call to action, not for a word: an
// imperative at the start of a sentence ("Follow us on …", "Subscribe to our
// newsletter"), a sign that the writer sells something ("with me", "our
// team", "free"), or a line made only of site furniture. Prose that mentions
// a follow-up study, a book, sharing a diary with a GP or subscribing to an
// idea does not match.

// IsCallToAction reports whether text, a passage's text or a line of an
// article, is mostly a call to action or page chrome: more than half of its
// words are in sentences that ask the reader to book, subscribe, follow,
// share, comment, read another post or buy, or that are site furniture such
// as a cookie notice, a share bar, a byline or a copyright footer. Ordinary
// prose that uses such words in passing ("a follow-up study", "a book on the
// microbiome", "share your food diary with your GP") does not count.
func IsCallToAction(text string) bool {
	text = strings.TrimSpace(text)
	if !hasWords(text) {
		return false
	}
	if isChromeLine(text) {
		return true
	}
	total, cta := 0, 0
	for _, s := range splitSentences(text) {
		n := wordCount(s)
		total += n
		if isCTASentence(s) || isChromeSentence(s) {
			cta += n
		}
	}
	return cta*2 > total
}

// isCTASentence reports whether one sentence is a call to action.
func isCTASentence(s string) bool {
	k := ctaKey(s)
	if k == "" {
		return false
	}
	// Only the patterns that k's first word or its words could match run:
	// most sentences of prose run none.
	for _, i := range ctaByFirst[firstWord(k)] {
		if ctaPatterns[i].re.MatchString(k) {
			return true
		}
	}
	for _, p := range ctaPatterns {
		if len(p.needles) > 0 && slices.ContainsFunc(p.needles, func(n string) bool { return strings.Contains(k, n) }) && p.re.MatchString(k) {
			return true
		}
	}
	if bookingFirst[firstWord(k)] && bookingRe.MatchString(k) && sellsRe.MatchString(k) && !clinicianRe.MatchString(k) {
		return true
	}
	return strings.Contains(k, "cookie") && cookieRe.MatchString(k) && cookieContextRe.MatchString(k)
}

// ctaKey lowercases a sentence, unifies apostrophes and drops what leads
// it in without words: emoji, arrows, bullets, quotes. Its sentences come
// from splitSentences, spaces already collapsed.
func ctaKey(s string) string {
	s = strings.TrimLeftFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '@' && r != '#'
	})
	return strings.ReplaceAll(strings.ToLower(s), "’", "'")
}

// firstWord returns the word k starts with: letters, apostrophes and
// hyphens ("don't", "e-mail").
func firstWord(k string) string {
	if end := strings.IndexFunc(k, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '-' }); end >= 0 {
		return k[:end]
	}
	return k
}

// ctaPattern matches a lowercased sentence (see ctaKey) that is a call to
// action on its own. An anchored pattern lists the first words it can
// start with; any other lists needles, one of which the sentence must hold.
type ctaPattern struct {
	re      *regexp.Regexp
	firsts  []string
	needles []string
}

// starts makes a pattern anchored at the sentence's start, which begins
// with one of the words in firsts.
func starts(firsts, pattern string) ctaPattern {
	return ctaPattern{re: regexp.MustCompile(pattern), firsts: strings.Fields(firsts)}
}

// holds makes a pattern that matches anywhere in a sentence holding one of
// the "|"-separated needles.
func holds(needles, pattern string) ctaPattern {
	return ctaPattern{re: regexp.MustCompile(pattern), needles: strings.Split(needles, "|")}
}

var ctaPatterns = []ctaPattern{
	// Contact to buy: "DM us to book", "Email me for prices".
	starts("dm pm message email e-mail text whatsapp contact get reach", `^(?:dm|pm|message|e-?mail|text|whatsapp|contact|get in touch with|reach out to)\s+(?:us|me)\b`),
	holds("dm |pm ", `\b(?:dm|pm)\s+(?:us|me)\b`),
	// Subscribing and newsletters.
	starts("subscribe", `^subscribe\s*(?:$|[!.:]|\b(?:now|today|here|below|for|and|to\s+(?:our|my|the|this)\b))`),
	starts("subscribe sign signup opt join get grab download claim", `^(?:subscribe|sign\s*up|opt\s*in|join|get|grab|download|claim)\b.*\b(?:newsletters?|mailing list|e-?mail list|inbox|subscribers|free (?:guide|e-?book|checklist|download|masterclass|webinar)|freebie)\b`),
	starts("sign signup join register enrol enroll", `^(?:sign\s*up|join|register|enrol|enroll)\s+(?:now|today|here|below|for free)\b`),
	starts("sign signup", `^sign\s*up\s+(?:with|using)\s+your\b`),
	starts("sign signup subscribe", `^(?:sign\s*up|subscribe)\b.*\b(?:updates|news|new posts)\b`),
	holds("spam", `\bno spam\b`),
	holds("unsubscribe", `\bunsubscribe\s+(?:at\s+)?any\s*time\b`),
	starts("enter type add drop leave pop", `^(?:enter|type|add|drop|leave|pop)\s+your\s+(?:e-?mail|best e-?mail)\b`),
	holds("sign me up", `\bsign me up\b`),
	holds("inbox", `\b(?:straight|delivered|directly|right)\s+(?:to|in|into)\s+your\s+inbox\b`),
	holds("privacy", `\bwe (?:respect|value|protect) your privacy\b`),
	starts("don't do never", `^(?:don't|do not|never) miss (?:a|an|out|another|the next)\b`),
	starts("thanks", `^thanks (?:so much )?for reading\b`),
	starts("your", `^your e-?mail(?: address)? will not be published\b`),
	starts("required", `^required fields are marked\b`),
	// Following.
	starts("follow find connect like join catch tag", `^(?:follow|find|connect with|like|join|catch|tag)\s+(?:us|me)\s+(?:on|at|over on|@|for|via)\b`),
	starts("follow", `^follow\s+(?:along|@)`),
	starts("follow", `^follow\s+(?:our|my)\s+(?:page|account|channel|blog|feed|journey|instagram|tiktok|facebook|youtube|podcast|socials?)\b`),
	starts("stay keep", `^(?:stay|keep) (?:connected|in touch|in the loop|up to date)\b.*\b(?:follow|subscribe|newsletter|instagram|facebook|tiktok|socials?)\b`),
	// Sharing.
	starts("please share", `^(?:please\s+)?share\s*(?:$|[!:])`),
	starts("please share", `^(?:please\s+)?share\s+(?:this|it)\s+(?:post|article|page|story|guide|recipe|blog)\b`),
	starts("please share", `^(?:please\s+)?share\s+(?:this|it|the love)?\s*(?:with\s+(?:a|your|any)\s+friends?|with\s+(?:someone|anyone|others|everyone)\b)`),
	starts("please share", `^(?:please\s+)?share\s+(?:this\s+|it\s+)?(?:on|via|to)\s+(?:facebook|twitter|x|whatsapp|pinterest|linkedin|e-?mail|social media|socials?)\b`),
	starts("share", `^share the love\b`),
	holds("if you", `\bif you (?:found|find|enjoyed|liked|loved) this\b.*\b(?:share|subscribe|follow|comment|like|pass it on|forward|send it)\b`),
	starts("sharing", `^sharing is caring\b`),
	starts("pin save", `^(?:pin|save) (?:this|it) (?:for later|to your)\b`),
	// Commenting.
	starts("leave", `^leave (?:a|your|us a|me a) (?:comment|reply|thought|question|review)s?\b`),
	holds("comment|below", `\b(?:let (?:us|me) know|tell (?:us|me)|drop (?:a|your|us a|me a) \w+|share your (?:thoughts|experience|story|questions?|tips?)|ask (?:us|me))\b.*\b(?:in the comments?|comments? (?:below|section|box)|below)\b`),
	starts("comment", `^comment below\b`),
	// Other posts.
	starts("click tap read", `^(?:(?:click|tap) here to )?read (?:more|next)\s*(?:$|[:»›→>…]|\.\.\.|\b(?:here|about|on|in|from)\b)`),
	starts("see", `^see more\s*$`),
	starts("also continue keep", `^(?:also read|continue reading|keep reading)\b`),
	starts("read", `^read (?:our|my|the full|the rest of (?:the|this)) (?:blog|post|article|guide|story|review)\b`),
	starts("want keen ready curious", `^(?:want|keen|ready|curious) to (?:learn|know|read|find out|discover) more\b`),
	starts("visit check head explore browse", `^(?:visit|check out|head (?:over )?to|explore|browse) (?:our|my) (?:blog|website|site|shop|store|page|channel|podcast|instagram|resources?|other posts?|latest|archive|courses?)\b`),
	starts("related you", `^(?:related|you (?:may|might) also (?:like|enjoy))\s*[:»›→]`),
	// Selling.
	holds("code|coupon", `\buse (?:my |our |the )?(?:code|coupon|discount code|promo code)\b`),
	starts("shop buy order book", `^(?:shop|buy|order|book)\s+(?:now|today|here|online)\b`),
	holds("affiliate", `\baffiliate links?\b.*\b(?:contains?|may contain|disclosure|earn|commission)\b|\b(?:contains?|may contain|disclosure:?)\s+affiliate links?\b`),
	starts("this sponsored", `^(?:this (?:post|article) is )?sponsored\b\s*(?:$|[:.,]|by\b)`),
	starts("if", `^if you're ready to\b.*\b(?:our|my)\b.*\b(?:set|kit|bundle|programme|program|course|plan|products?|range|shop|store|consultations?|coaching|membership|supplements?)\b`),
	starts("work apply join", `^(?:work with me|apply (?:now|today|to work with me)|join my (?:programme|program|course|membership|coaching|community))\b`),
	// Page furniture written as sentences.
	starts("skip jump", `^(?:skip|jump) to (?:the )?(?:main |primary )?(?:content|navigation|nav|menu|footer|search|recipe)\b`),
	starts("all", `^all rights reserved\b`),
}

// ctaByFirst indexes the anchored ctaPatterns by the first words they
// take; chromeFirst holds the first words of chromeLines.
var (
	ctaByFirst  = map[string][]int{}
	chromeFirst = map[string]bool{}
)

func init() {
	for i, p := range ctaPatterns {
		for _, w := range p.firsts {
			ctaByFirst[w] = append(ctaByFirst[w], i)
		}
	}
	for line := range chromeLines {
		chromeFirst[firstWord(line)] = true
	}
}

// mayStartWithCTA reports whether the first sentence of t could be a call
// to action or chrome (see isCTASentence and isChromeSentence), which
// spares a line of prose the sentence split.
func mayStartWithCTA(t string) bool {
	k := strings.ToLower(strings.TrimLeftFunc(t, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '@' && r != '#'
	}))
	if fw := firstWord(k); ctaByFirst[fw] != nil || bookingFirst[fw] || chromeFirst[fw] {
		return true
	}
	if strings.ContainsAny(k, "|·•/") || strings.HasPrefix(strings.TrimSpace(t), "©") || strings.Contains(k, "copyright") || strings.Contains(k, "rights reserved") {
		return true
	}
	for _, p := range ctaPatterns {
		for _, n := range p.needles {
			if strings.Contains(k, n) {
				return true
			}
		}
	}
	return strings.Contains(k, "cookie")
}

var (
	// bookingRe is an offer to book, starting with one of bookingFirst;
	// sellsRe must also match, so that "Book an appointment with your GP"
	// stays advice.
	bookingRe    = regexp.MustCompile(`^(?:please\s+)?(?:(?:click|tap)\s+(?:here|below|the link(?: below)?)\s+(?:to\s+)?)?(?:book|schedule|reserve|arrange|grab|claim|secure|request)\s+(?:in\s+)?(?:a|an|your|my|our|the)\b.*\b(?:consultations?|consults?|calls?|sessions?|appointments?|assessments?|reviews?|slots?|spots?|places?|chats?|meetings?|coaching|visits?|discovery|checks?|check-?ups?|tests?|treatments?|facials?|programmes?|programs?|packages?)\b`)
	bookingFirst = map[string]bool{"please": true, "click": true, "tap": true, "book": true, "schedule": true, "reserve": true, "arrange": true, "grab": true, "claim": true, "secure": true, "request": true}
	sellsRe      = regexp.MustCompile(`\b(?:me|us|our|my|free|today|now|online|discovery|limited)\b`)
	clinicianRe  = regexp.MustCompile(`\byour\s+(?:gp|doctor|dermatologist|clinician|pharmacist|midwife|nurse|dietitian|health visitor|paediatrician|pediatrician|specialist|consultant|physician|practice|surgery|care team)\b`)
	// cookieRe and cookieContextRe together find a cookie notice; cookies
	// that are food do not come with a site or a consent.
	cookieRe        = regexp.MustCompile(`\bcookies?\b`)
	cookieContextRe = regexp.MustCompile(`\b(?:this (?:site|website)|our (?:site|website)|we use|uses cookies|use of cookies|accept|consent|cookie (?:policy|settings|notice|preferences)|browsing|(?:better|best) experience|improve your experience)\b`)
)

// chromeLines are page furniture copied along with an article, each a line
// of its own (compared lowercased, without surrounding " :.!").
var chromeLines = map[string]bool{
	"share": true, "blog image": true, "image": true, "read other blogs": true, "blogs and insights": true,
	"related posts": true, "related articles": true, "leave a comment": true, "tweet": true, "pin it": true,
	"facebook": true, "twitter": true, "linkedin": true, "email": true, "print": true, "subscribe": true,
	"back to blog": true, "read more": true, "share this article": true, "share this post": true,
	"skip to main content": true, "skip to content": true, "copy link": true, "menu": true, "search": true,
	"back to top": true, "advertisement": true, "sponsored": true, "leave a reply": true,
	"post comment": true, "reply": true, "sign me up": true, "subscribe now": true, "newsletter": true,
	"related": true, "you may also like": true, "you might also like": true, "recent posts": true,
	"popular posts": true, "next post": true, "previous post": true, "continue reading": true,
	"keep reading": true, "load more": true, "show more": true, "view all posts": true, "share this": true,
	"share this story": true, "share on facebook": true, "share on twitter": true, "share on x": true,
	"share on pinterest": true, "share on linkedin": true, "email this": true, "whatsapp": true,
	"pinterest": true, "instagram": true, "tiktok": true, "youtube": true, "like": true, "loading": true,
	"loading...": true, "add a comment": true, "join the discussion": true, "join the conversation": true,
	"no comments": true, "comments are closed": true, "sign up": true, "join now": true, "comments": true,
	"follow": true, "listen": true, "like this": true, "like loading": true, "see all": true, "all posts": true,
	"write a comment": true, "cancel reply": true, "leave a reply cancel reply": true, "share this page": true,
}

// barWords are the items of a share bar, a site menu, a footer or a cookie
// banner's buttons; a line made only of them, two or more, is chrome.
var barWords = map[string]bool{
	// sharing
	"facebook": true, "twitter": true, "x": true, "whatsapp": true, "pinterest": true, "linkedin": true,
	"email": true, "e-mail": true, "mail": true, "copy link": true, "copy url": true, "link": true, "reddit": true,
	"threads": true, "bluesky": true, "telegram": true, "messenger": true, "tumblr": true, "instagram": true,
	"tiktok": true, "youtube": true, "print": true, "share": true, "tweet": true, "pin it": true, "pin": true,
	"save": true, "sms": true,
	// menus and footers
	"home": true, "about": true, "about us": true, "contact": true, "contact us": true, "blog": true,
	"shop": true, "privacy": true, "privacy policy": true, "privacy notice": true, "terms": true,
	"terms of use": true, "terms of service": true, "terms and conditions": true, "terms & conditions": true,
	"cookie settings": true, "cookie policy": true, "cookies": true, "cookie preferences": true,
	"accessibility": true, "sitemap": true, "faq": true, "faqs": true, "careers": true, "press": true,
	"login": true, "log in": true, "sign in": true, "sign up": true, "register": true, "subscribe": true,
	"search": true, "menu": true, "back to top": true, "disclaimer": true, "imprint": true, "legal": true,
	"advertise": true, "newsletter": true, "podcast": true, "resources": true, "services": true,
	// cookie buttons
	"accept": true, "accept all": true, "accept all cookies": true, "reject": true, "reject all": true,
	"decline": true, "manage preferences": true, "manage cookies": true, "manage settings": true,
	"customise": true, "customize": true, "settings": true, "preferences": true, "allow all": true,
	"allow": true, "got it": true, "ok": true, "okay": true, "dismiss": true, "close": true, "i agree": true,
	"agree": true,
}

var (
	barSepRe   = regexp.MustCompile(`\s*[|·•]\s*|\s+/\s+`)
	barLabelRe = regexp.MustCompile(`(?i)^(?:share(?:\s+this(?:\s+(?:post|article|page|story))?)?(?:\s+(?:on|via))?|follow(?:\s+(?:us|me))?(?:\s+on)?|connect(?:\s+with\s+(?:us|me))?|find\s+us(?:\s+on)?|social)\s*:\s*`)
	skipLinkRe = regexp.MustCompile(`(?i)^(?:skip|jump) to (?:the )?(?:main |primary )?(?:content|navigation|nav|menu|footer|search|recipe)$`)
	// copyrightRe starts a footer's copyright line; "all rights reserved"
	// anywhere marks one too.
	copyrightRe = regexp.MustCompile(`(?i)^(?:©|\(c\)\s|copyright\b)`)
	ruleRe      = regexp.MustCompile(`^(?:(?:[-–—=_*~·•.]\s*){2,}|[·•|])$`)
	// readLinkRe is a link to another post: READ "Title".
	readLinkRe = regexp.MustCompile(`(?i)^read\s+["“']`)
	hashtagsRe = regexp.MustCompile(`^(?:#[\p{L}\p{N}_]+[\s,]*)+$`)
	photoRe    = regexp.MustCompile(`(?i)^(?:photo|image|picture|illustration|header image)s?(?:\s+credit)?\s*(?::|\bby\b|\bvia\b|\bcourtesy of\b)`)
	// formRe is a sign-up form pasted as text: "[ Your email ] [ Sign me up ]".
	formRe       = regexp.MustCompile(`(?i)^(?:\[[^\[\]]{0,40}\]\s*){1,4}$`)
	formFieldRe  = regexp.MustCompile(`(?i)\b(?:e-?mail|name|subscribe|sign|join|submit|send|notify)\b`)
	formPromptRe = regexp.MustCompile(`(?i)^(?:(?:enter\s+)?your\s+(?:best\s+)?e-?mail(?:\s+address)?(?:\s+here)?|e-?mail\s+address|(?:yes,?\s+)?sign me up)\W*$`)
	// followersRe is an author box's count: "1.2K Followers".
	followersRe = regexp.MustCompile(`(?i)^\d[\d.,]*\s*[km]?\s+(?:followers|following|subscribers|claps|likes|views)$`)
	// commentHeaderRe heads a comment thread with its count: "Comments (3)",
	// "12 comments", "4 thoughts on “…”".
	commentHeaderRe = regexp.MustCompile(`(?i)^(?:comments?\s*\(\s*\d+\s*\)|\d+\s+(?:comments?|responses?|replies)|comments?\s*:\s*\d+|\d+\s+thoughts?\s+on\b.*|\d+\s+(?:responses?|replies)\s+to\b.*|discussion\s*\(\s*\d+\s*\))$`)
	// commentMetaRe opens one comment: its author and when it was posted,
	// "Lena K. · 2 days ago", or "Sam says:".
	commentMetaRe = regexp.MustCompile(`^[\p{Lu}][\p{L}.'’-]*(?:\s+[\p{Lu}][\p{L}.'’-]*){0,3}\s*(?:(?:[·•|,—–-]\s*|\s+on\s+)(?:\d+\s*(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago|just now|yesterday)|\s+(?:says|wrote):)$`)
	// relatedHeaderRe heads a list of other posts' titles.
	relatedHeaderRe = regexp.MustCompile(`(?i)^(?:related(?:\s+(?:posts?|articles?|reading|stories|content))?|you\s+(?:may|might)\s+also\s+(?:like|enjoy)|more\s+(?:from|on)\s+(?:the|our|this)\s+blog|(?:recent|popular|latest|more|trending)\s+(?:posts|articles|stories)|read\s+other\s+blogs|blogs\s+and\s+insights|more\s+from\s+[\p{Lu}][\p{L}'’.-]*(?:\s+[\p{Lu}][\p{L}'’.-]*){0,3}|recommended\s+(?:for\s+you|posts|articles|from\s+[\p{Lu}]\S*))\s*:?$`)
	// breadcrumbSepRe splits "Home › Blog › Skin".
	breadcrumbSepRe = regexp.MustCompile(`\s*[›»]\s*`)
	homeCrumbRe     = regexp.MustCompile(`(?i)^home\s+(?:>|/|\||→|::)\s+\S`)
	homeCrumbSepRe  = regexp.MustCompile(`\s+(?:>|/|\||→|::)\s+`)
)

// isChromeLine reports whether a line is page furniture by its shape: a
// known chrome line, a skip link, a breadcrumb, a share bar, a menu or
// footer, a copyright line, a byline or date line, a tag line, a form, a
// comment header or a rule. It does not look at sentences (see
// IsCallToAction).
func isChromeLine(t string) bool {
	t = strings.TrimSpace(t)
	if t == "" {
		return false
	}
	if fewerWords(t, maxChromeWords) && (commentHeaderRe.MatchString(t) || commentMetaRe.MatchString(t) ||
		relatedHeaderRe.MatchString(t) || followersRe.MatchString(t) || isFormLine(t)) {
		return true
	}
	if _, ok := readMetaLine(t); ok {
		return true
	}
	if _, ok := readTagLine(t); ok {
		return true
	}
	return isChromeShape(t)
}

// isChromeShape is isChromeLine without the shapes the plain-text reader
// acts on itself (comment threads, related posts, forms, bylines, tags):
// known chrome lines, links to other posts, skip links, copyright lines,
// rules, hashtags, breadcrumbs, bars and photo credits.
func isChromeShape(t string) bool {
	key := chromeKey(t)
	if copyrightRe.MatchString(t) || strings.Contains(key, "all rights reserved") || hashtagsRe.MatchString(t) {
		return true
	}
	if !fewerWords(t, maxChromeWords) {
		return false // prose; only a footer or a tag line runs this long
	}
	return chromeLines[key] || readLinkRe.MatchString(t) || skipLinkRe.MatchString(key) || ruleRe.MatchString(t) ||
		isBreadcrumb(t) || isBar(t) || isPhotoCredit(t)
}

// maxChromeWords is the most words a line of chrome has, but for a
// copyright footer or a tag line: longer lines are prose.
const maxChromeWords = 25

// fewerWords reports whether t has at most n words, counting no further.
func fewerWords(t string, n int) bool {
	words, in := 0, false
	for _, r := range t {
		switch sp := unicode.IsSpace(r); {
		case sp:
			in = false
		case !in:
			in = true
			if words++; words > n {
				return false
			}
		}
	}
	return true
}

// chromeKey is how chromeLines and barWords spell a line or a word:
// lowercased, without the spaces and punctuation around it.
func chromeKey(s string) string { return strings.ToLower(strings.Trim(s, " :.!")) }

// isChromeSentence reports whether one sentence of a line is chrome: a
// known chrome line, a share bar or a row of buttons ("…a better
// experience. Accept all | Manage preferences"), or a copyright notice.
func isChromeSentence(s string) bool {
	key := chromeKey(s)
	return chromeLines[key] || copyrightRe.MatchString(s) || strings.Contains(key, "all rights reserved") || isBar(s)
}

// isFormLine reports whether t is a sign-up form: bracketed fields or a
// prompt for an email address.
func isFormLine(t string) bool {
	return formRe.MatchString(t) && formFieldRe.MatchString(t) || formPromptRe.MatchString(t)
}

// isBreadcrumb reports whether t is a trail such as "Home › Blog › Skin"
// or "Home / Blog / Gut health": short segments between separators prose
// does not use.
func isBreadcrumb(t string) bool {
	var parts []string
	switch {
	case strings.ContainsAny(t, "›»"):
		parts = breadcrumbSepRe.Split(t, -1)
	case homeCrumbRe.MatchString(t):
		parts = homeCrumbSepRe.Split(t, -1)
	default:
		return false
	}
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if n := wordCount(p); n == 0 || n > 6 || strings.HasSuffix(p, ".") {
			return false
		}
	}
	return true
}

// isBar reports whether t is a row of share buttons, menu or footer links
// or cookie buttons, such as "Facebook | Pinterest | Email | Copy link" or
// "Share: Facebook · X · WhatsApp".
func isBar(t string) bool {
	if !strings.ContainsAny(t, "|·•/:") {
		return false
	}
	rest := t
	if loc := barLabelRe.FindStringIndex(t); loc != nil {
		rest = t[loc[1]:]
	}
	labelled := rest != t
	// The first item settles most lines before the split: prose starts
	// with no button's name.
	i := strings.IndexAny(rest, "|·•/")
	if i < 0 {
		return labelled && barWords[chromeKey(rest)]
	}
	if !barWords[chromeKey(rest[:i])] {
		return false
	}
	items := barSepRe.Split(rest, -1)
	if len(items) < 2 && !labelled {
		return false
	}
	for _, it := range items {
		if !barWords[chromeKey(it)] {
			return false
		}
	}
	return true
}

// isPhotoCredit reports whether t credits an image: "Photo by … on Unsplash".
func isPhotoCredit(t string) bool {
	return photoRe.MatchString(t) && wordCount(t) <= 15 && !strings.HasSuffix(t, ".")
}

// lineMeta is what a byline or date line says about the article.
type lineMeta struct {
	author    string
	published string
}

var (
	metaSepRe = regexp.MustCompile(`\s*[·•|]\s*|\s+[—–-]\s+`)
	// bylineStartRe is how a byline without a digit starts.
	bylineStartRe = regexp.MustCompile(`(?i)^(?:(?:written|posted|words|story|text|medically|clinically|expert|fact[- ]?checked|reviewed|edited|illustrated)\b|by\b|author\b)`)
	bylineRe      = regexp.MustCompile(`(?i)^(?:(?:written|posted|words|story|text)\s+by|by|author)\s*:?\s+(.+)$`)
	creditRe      = regexp.MustCompile(`(?i)^(?:(?:medically|clinically|expert|fact[- ]?checked(?:\s+and)?)\s+)?(?:reviewed|fact[- ]?checked|edited|illustrated)\s+by\s*:?\s+(.+)$`)
	readTimeRe    = regexp.MustCompile(`(?i)^(?:\d+\s*(?:[-–]\s*\d+\s*)?(?:minutes?|mins?|min)\.?\s+(?:read|reading(?:\s+time)?|to read)|(?:reading|read)\s+time\s*:?\s*\d+\s*(?:minutes?|mins?|min)\.?)$`)
	// datedRe is a labelled date: "Updated 3 March 2025", "Published on: …".
	// postedByRe is "Posted on 12 March 2024 by Sam Okafor".
	postedByRe = regexp.MustCompile(`(?i)^(?:posted|published|written)(?:\s+on)?\s+(.+?)\s+by\s+(.+)$`)
	datedRe    = regexp.MustCompile(`(?i)^(?:last\s+)?(updated|modified|edited|revised|reviewed|published|posted|written|first published|originally published|date)(?:\s+(?:on|at))?\s*:?\s*(.+)$`)
	weekdayRe  = regexp.MustCompile(`(?i)^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+`)
	nameTokRe  = regexp.MustCompile(`^[\p{Lu}][\p{L}\p{M}.'’-]*,?$`)
	// commentCountRe is a count in a byline: "3 comments".
	commentCountRe = regexp.MustCompile(`(?i)^(?:\d+|no)\s+(?:comments?|responses?)$`)
)

// nameParticles may stand lowercase inside a name ("Ana de la Cruz").
var nameParticles = map[string]bool{
	"de": true, "van": true, "von": true, "der": true, "den": true, "da": true, "di": true, "du": true,
	"le": true, "la": true, "al": true, "el": true, "bin": true, "ibn": true, "and": true, "&": true, "y": true,
	"dos": true, "das": true, "del": true,
}

// notNames start phrases that follow "By" in prose or headings ("By
// contrast", "By the numbers"), never a name.
var notNames = map[string]bool{
	"the": true, "a": true, "an": true, "this": true, "that": true, "these": true, "those": true, "now": true,
	"then": true, "far": true, "way": true, "contrast": true, "comparison": true, "design": true,
	"default": true, "age": true, "day": true, "night": true, "week": true, "month": true, "year": true,
	"all": true, "means": true, "chance": true, "nature": true, "definition": true, "law": true, "hand": true,
	"mouth": true, "its": true, "their": true, "our": true, "your": true, "my": true, "his": true, "her": true,
	"some": true, "most": true, "many": true, "any": true, "each": true, "every": true, "no": true, "not": true,
	"itself": true, "themselves": true, "far,": true, "contrast,": true, "comparison,": true,
}

// personName reports whether s reads as one or more people's names, and
// how many words it has.
func personName(s string) (int, bool) {
	toks := strings.Fields(s)
	if len(toks) == 0 || len(toks) > 7 || notNames[strings.ToLower(toks[0])] {
		return 0, false
	}
	for i, tok := range toks {
		if nameTokRe.MatchString(tok) {
			continue
		}
		if i == 0 || i == len(toks)-1 || !nameParticles[strings.ToLower(tok)] {
			return 0, false
		}
	}
	return len(toks), true
}

// readMetaLine reads a byline or date line such as "By Dr Jane Roe · 6 min
// read" or "Updated 3 March 2025": every part, between "·", "|" or a dash,
// names the author, a reviewer, a reading time, a date or a comment count,
// and at least one part is more than a bare date (which the reader takes as
// the publication date on its own).
func readMetaLine(t string) (lineMeta, bool) {
	var m lineMeta
	if len(t) > 200 || !fewerWords(t, 30) || !strings.ContainsAny(t, "0123456789") && !bylineStartRe.MatchString(t) {
		return m, false // no date, count or reading time, and no "By"
	}
	// The separator takes the spaces around it, so parts come trimmed.
	parts := metaSepRe.Split(strings.TrimSpace(t), -1)
	dates := make([]string, len(parts))
	more, dated := false, false
	for i, p := range parts {
		if wordCount(p) > 10 {
			return m, false // prose, not a byline's part
		}
		dates[i] = metaDate(p)
		dated = dated || dates[i] != "" || readTimeRe.MatchString(p) || datedRe.MatchString(p)
	}
	for i, p := range parts {
		switch {
		case p == "":
			return m, false
		case readTimeRe.MatchString(p), commentCountRe.MatchString(p):
			more = true
		case dates[i] != "":
			m.published = cmp.Or(m.published, dates[i])
		default:
			if sub := datedRe.FindStringSubmatch(p); sub != nil && metaDate(sub[2]) != "" {
				more = true
				switch strings.ToLower(sub[1]) {
				case "published", "posted", "written", "first published", "originally published", "date":
					if m.published == "" {
						m.published = metaDate(sub[2])
					}
				}
				continue
			}
			if sub := postedByRe.FindStringSubmatch(p); sub != nil && metaDate(sub[1]) != "" {
				if _, ok := personName(sub[2]); ok {
					m.published = cmp.Or(m.published, metaDate(sub[1]))
					m.author = cmp.Or(m.author, sub[2])
					more = true
					continue
				}
			}
			if sub := creditRe.FindStringSubmatch(p); sub != nil {
				if _, ok := personName(sub[1]); ok {
					more = true
					continue
				}
			}
			sub := bylineRe.FindStringSubmatch(p)
			if sub == nil {
				// A name beside a date ("Mar 3, 2025 · Maya Chen") is an
				// author or a category; either way the line is a byline.
				if n, ok := personName(p); ok && n <= 4 && dated && len(parts) > 1 {
					more = true
					continue
				}
				return lineMeta{}, false
			}
			n, ok := personName(sub[1])
			// "By Contrast" alone is a heading; a byline names a whole
			// person or comes with a date or a reading time.
			if !ok || n < 2 && len(parts) == 1 {
				return lineMeta{}, false
			}
			if m.author == "" {
				m.author = strings.TrimRight(sub[1], ",")
			}
			more = true
		}
	}
	if !more {
		return lineMeta{}, false
	}
	return m, true
}

// bylineNameAt reports whether lines[i] is an author's name on a line of
// its own, as Medium, Substack and Wix print it: a person's name whose next
// line, past buttons such as "Follow" but no blank line, gives a date or a
// reading time. (A category line above a date stands apart from it.)
func bylineNameAt(lines []textLine, i int) bool {
	if n, ok := personName(lines[i].text); !ok || n < 2 || n > 5 {
		return false
	}
	seen := 0
	for _, l := range lines[i+1:] {
		t := l.text
		if metaDate(t) != "" || readTimeRe.MatchString(t) {
			return true
		}
		if _, ok := readMetaLine(t); ok {
			return true
		}
		if seen++; seen > 3 || !chromeLines[chromeKey(t)] {
			return false // only buttons such as "Follow" between
		}
	}
	return false
}

// metaDate parses a date as blogs print it, with or without a weekday.
func metaDate(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 40 || !strings.ContainsAny(s, "0123456789") {
		return ""
	}
	if d := parseDate(s); d != "" {
		return d
	}
	return parseDate(weekdayRe.ReplaceAllString(s, ""))
}

var (
	tagLineRe = regexp.MustCompile(`(?i)^(?:(?:tags?|topics?|categories|category|labels?|keywords)\s*:|(?:tagged(?:\s+(?:with|as|in|under))?|filed\s+under|posted\s+in)\s*:?)\s*(.+)$`)
	tagSepRe  = regexp.MustCompile(`\s*[,;|·•]\s*`)
)

// readTagLine reads "Tags: rosacea, SIBO, gut health" or a line of
// hashtags into its tags.
func readTagLine(t string) ([]string, bool) {
	var items []string
	if hashtagsRe.MatchString(t) {
		for _, f := range strings.FieldsFunc(t, func(r rune) bool { return r == '#' || r == ',' || unicode.IsSpace(r) }) {
			items = append(items, f)
		}
		return items, len(items) > 0
	}
	sub := tagLineRe.FindStringSubmatch(t)
	if sub == nil {
		return nil, false
	}
	for _, it := range tagSepRe.Split(sub[1], -1) {
		it = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(it), "#"))
		if it == "" {
			continue
		}
		if n := wordCount(it); n > 5 || strings.ContainsAny(it[len(it)-1:], ".!?:") {
			return nil, false
		}
		items = append(items, it)
	}
	if len(items) == 0 || len(items) > 30 {
		return nil, false
	}
	return items, true
}

// dropCTASentences removes the sentences of a paragraph that are calls to
// action ("…will work for you. ➡️ Book a consultation with me"), keeping
// the rest as written. What follows a call to action in its paragraph goes
// with it when it is no longer than the calls themselves: that is the
// pitch going on ("Our kit is a great place to start. Designed with…").
// It returns text unchanged when there is no call to action.
func dropCTASentences(text string) string {
	sentences := splitSentences(text)
	isCTA := make([]bool, len(sentences))
	firstCTA, ctaWords, restWords := -1, 0, 0
	for i, s := range sentences {
		isCTA[i] = hasWords(s) && (isCTASentence(s) || isChromeSentence(s))
		if isCTA[i] && firstCTA < 0 {
			firstCTA = i
		}
		switch {
		case firstCTA < 0:
		case isCTA[i]:
			ctaWords += wordCount(s)
		default:
			restWords += wordCount(s)
		}
	}
	if firstCTA < 0 {
		return text
	}
	kept := slices.Clone(sentences[:firstCTA])
	if restWords > ctaWords {
		for i := firstCTA; i < len(sentences); i++ {
			if !isCTA[i] {
				kept = append(kept, sentences[i])
			}
		}
	}
	return strings.Join(kept, " ")
}
