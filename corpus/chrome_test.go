package corpus

import (
	"slices"
	"testing"
)

func TestIsCallToAction(t *testing.T) {
	tests := []struct {
		name string
		text string
		want bool
	}{
		// Calls to action, as blogs of every make paste them.
		{"booking with an arrow", "➡️ Book a free discovery call with our team today.", true},
		{"booking with me", "Book a consultation with me to plan your menu", true},
		{"booking by DM", "DM us to book your spot.", true},
		{"booking by email", "Email me for prices and availability.", true},
		{"click to book", "Click here to book your assessment online.", true},
		{"book a check", "Book a skin check with our team this week and beat the rush.", true},
		{"book now", "Book now!", true},
		{"newsletter", "Subscribe to our newsletter for monthly tips. No spam, unsubscribe anytime.", true},
		{"newsletter sign-up", "Sign up for the Fermented Friday newsletter and get recipes straight to your inbox.", true},
		{"subscribe button", "Subscribe now", true},
		{"email form", "[ Your email ]  [ Subscribe ]", true},
		{"email prompt", "Enter your email address", true},
		{"follow on a platform", "Follow us on Instagram @kefirkitchen for recipes and myth-busting.", true},
		{"follow along", "Follow along on TikTok for weekly videos!", true},
		{"share the post", "Share this post with a friend who loves kimchi!", true},
		{"share if helpful", "If you found this helpful, please share it with someone who needs it.", true},
		{"share bar", "Facebook | Pinterest | Email | Copy link", true},
		{"labelled share bar", "Share: Facebook · X · WhatsApp · Copy link", true},
		{"comment below", "Leave a comment below and tell us your favourite ferment.", true},
		{"comments in the section", "Let us know in the comments which study you want covered next!", true},
		{"comment count", "Comments (12)", true},
		{"comment author line", "Jo M. · 3 weeks ago", true},
		{"read more", "Read more: Five ways to feed your gut", true},
		{"visit our blog", "Want to learn more? Visit our blog on fermented foods.", true},
		{"related", "Related: Is kombucha worth the hype?", true},
		{"cookie banner", "This website uses cookies to improve your experience. Accept all | Reject all", true},
		{"cookie buttons", "Accept all | Manage preferences", true},
		{"skip link", "Skip to main content", true},
		{"breadcrumb", "Home › Blog › Gut health", true},
		{"breadcrumb with slashes", "Home / Journal / Skin", true},
		{"menu from Home", "Home | About | Recipes | Contact", true},
		{"footer menu", "About | Blog | Contact | Privacy policy", true},
		{"byline", "By Dr Jane Roe · 4 min read", true},
		{"byline with date", "Written by Sam Okafor — March 3, 2025", true},
		{"reviewer", "Medically reviewed by Dr Ana de la Cruz", true},
		{"updated", "Updated 3 March 2025", true},
		{"reading time", "6 min read", true},
		{"tags", "Tags: acne, dairy, diet", true},
		{"filed under", "Filed under: Skin, Gut Health", true},
		{"hashtags", "#guthealth #skincare #kefir", true},
		{"copyright", "© 2025 Example Clinic · Privacy · Cookie settings", true},
		{"copyright words", "Copyright 2024 The Fermenting Kitchen. All rights reserved.", true},
		{"discount code", "Use code GUT10 for 10% off your first order.", true},
		{"affiliate", "This post contains affiliate links.", true},
		{"photo credit", "Photo by Mia Lee on Unsplash", true},
		{"mostly a pitch", "Great question. Book a consultation with me today and we will build a plan for your skin together, step by step.", true},

		// Prose that mentions the same words in passing.
		{"a follow-up study", "A follow-up study in 2019 found no difference between the groups.", false},
		{"follow advice", "Follow your doctor's advice on steroid creams.", false},
		{"follow the label", "Follow the dose on the label, and stop if your stomach objects.", false},
		{"share with a GP", "Share your food diary with your GP before cutting out dairy.", false},
		{"data shared", "Researchers shared their data on request.", false},
		{"comment on itch", "People in the trial were asked to comment on their itch each week.", false},
		{"a comment on a forum", "Leaving a comment on a forum is not the same as seeing a doctor.", false},
		{"a book", "A popular book on the microbiome claims that kefir cures eczema; the trials do not show that.", false},
		{"book an appointment with your GP", "Book an appointment with your GP if the rash spreads or weeps.", false},
		{"book a test with your doctor", "Book a blood test with your doctor before starting supplements.", false},
		{"subscribe to an idea", "Many people subscribe to the idea that sugar causes acne.", false},
		{"cookies as food", "Cookies and cakes raise blood sugar quickly.", false},
		{"by age", "By age 2, eczema had appeared in 23% of the probiotic group.", false},
		{"by contrast heading", "By Contrast", false},
		{"home remedies", "Home remedies such as oatmeal baths may soothe itch.", false},
		{"a row of foods", "Kefir | Yogurt | Kimchi", false},
		{"an arrow in prose", "Fibre → bacteria → butyrate → a calmer immune system.", false},
		{"published in prose", "The study was published in 2008 and updated in 2010.", false},
		{"a heading", "Why It Matters for Skin", false},
		{"a question heading", "What is SIBO?", false},
		{"tagged in prose", "Topics: we cover fibre, fermented foods and sleep in that order.", false},
		{"a reading time in prose", "It takes about 6 min to read the leaflet, and most people find it clear.", false},
		{"a pitch glued to long prose", "Kefir is a fermented milk drink made with grains of yeast and bacteria, and one small study found that skin lost less water in women who drank it daily for eight weeks. Book a consultation with me.", false},
		{"empty", "", false},
		{"markers only", "¹ ²", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsCallToAction(tt.text); got != tt.want {
				t.Errorf("IsCallToAction(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestDropCTASentences(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"a call glued to the end", "Reviews gather early evidence. They don't show that a product will work for you. ➡️ Book a consultation with me to build your plan",
			"Reviews gather early evidence. They don't show that a product will work for you."},
		{"a newsletter box glued to the end", "So metabolism came first in this story. Subscribe to our newsletter for weekly tips. No spam, unsubscribe anytime.",
			"So metabolism came first in this story."},
		{"the pitch after a call goes with it", "Caring for your gut takes time. If you're ready to start, our three-step kit is a lovely place to begin. Made with gentle ingredients, it suits every skin.",
			"Caring for your gut takes time."},
		{"long prose after a call stays", "Subscribe for more! Kefir is a fermented milk drink, and one small study of twenty-seven women found that those who drank it daily for eight weeks lost a little less water through their skin.",
			"Kefir is a fermented milk drink, and one small study of twenty-seven women found that those who drank it daily for eight weeks lost a little less water through their skin."},
		{"no call: unchanged, spaces and all", "Kefir  is tangy.  It is\u00a0cheap.", "Kefir  is tangy.  It is\u00a0cheap."},
		{"only a call", "Follow us on Instagram for recipes.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dropCTASentences(tt.in); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestReadMetaLine(t *testing.T) {
	tests := []struct {
		line              string
		ok                bool
		author, published string
	}{
		{"By Dr Maren Holt · 6 min read", true, "Dr Maren Holt", ""},
		{"By Jane Doe and John Roe | March 3, 2025", true, "Jane Doe and John Roe", "2025-03-03"},
		{"Written by Sam Okafor", true, "Sam Okafor", ""},
		{"Author: Ana de la Cruz", true, "Ana de la Cruz", ""},
		{"Posted on 14 May 2024 · 3 comments", true, "", "2024-05-14"},
		{"Published: Monday, March 3, 2025", true, "", "2025-03-03"},
		{"Updated 3 March 2025", true, "", ""}, // an update is no publication date
		{"Last updated on Jan 5, 2025 · 8 min read", true, "", ""},
		{"Medically reviewed by Dr Kim Lee", true, "", ""},
		{"March 3, 2025", false, "", ""}, // a bare date is the reader's own case
		{"By Contrast", false, "", ""},
		{"By the numbers", false, "", ""},
		{"By age 2, eczema was less common.", false, "", ""},
		{"LEAKY GUT - mod notes (keep pinned)", false, "", ""},
		{"Updated guidance on probiotics", false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			m, ok := readMetaLine(tt.line)
			if ok != tt.ok || m.author != tt.author || m.published != tt.published {
				t.Errorf("readMetaLine = %+v, %v; want author %q published %q, %v", m, ok, tt.author, tt.published, tt.ok)
			}
		})
	}
}

func TestReadTagLine(t *testing.T) {
	tests := []struct {
		line string
		want []string
	}{
		{"Tags: rosacea, SIBO, H. pylori, gut-skin axis", []string{"rosacea", "SIBO", "H. pylori", "gut-skin axis"}},
		{"Categories: Skin | Gut Health", []string{"Skin", "Gut Health"}},
		{"Posted in Recipes, Fermented foods", []string{"Recipes", "Fermented foods"}},
		{"Keywords: acne; diet; #dairy", []string{"acne", "diet", "dairy"}},
		{"#guthealth #skincare", []string{"guthealth", "skincare"}},
		{"Posted in 2019, the trial found that kefir did nothing for acne.", nil},
		{"Topics: what we cover in this long post about fibre and sleep.", nil},
		{"Tags:", nil},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got, ok := readTagLine(tt.line)
			if ok != (tt.want != nil) || !slices.Equal(got, tt.want) {
				t.Errorf("readTagLine = %q, %v; want %q", got, ok, tt.want)
			}
		})
	}
}
