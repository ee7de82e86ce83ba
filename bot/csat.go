package bot

import (
	"context"
	"errors"
	"fmt"
	"github.com/openear/openear/internal/l10n"
	"strconv"
	"strings"
	"unicode/utf8"
)

// CSAT: when a thread is resolved (with CSATOptions.Enabled), its
// customer is asked once, in the thread and in their language, how the
// help was: an ActPost of purpose ForCSAT, which adapters render with
// five buttons (😞 🙁 😐 🙂 😀, scores 1 to 5) whose values are
// RatingValue(thread, score). A press comes back as a KindRating event;
// only the thread's customer may answer, and a new answer replaces the
// old one. A stored score is answered with a Prompt for an optional
// comment (the adapter's modal), whose text comes back as a KindRating
// event without a score. A score below CSATOptions.NotifyBelow tells the
// owner and the triage channel.

// CSATOptions configures the CSAT question.
type CSATOptions struct {
	Enabled bool
	// Text is the question per language ("en", "ko"); a language
	// without one falls back to "en", then to the built-in question.
	Text map[string]string
	// NotifyBelow: a score below it tells the owner and the triage
	// channel. Default 3; 1 tells nobody.
	NotifyBelow int
}

// ForCSAT is the purpose of the CSAT question and of the notes about a
// low score.
const ForCSAT Purpose = "csat"

// Rating is a customer's answer to a CSAT question: a score, or a
// comment on the score they gave.
type Rating struct {
	Thread  uint64
	Score   int    // 1–5; 0 with a Comment: a comment on the stored score
	Comment string // at most MaxCSATComment bytes are kept
}

// Prompt asks the actor of an event for a text: adapters show it as a
// modal (a Slack view, a Discord modal) and send what is written back
// as an event whose value is Value (for a CSAT comment: a KindRating
// with the Comment set).
type Prompt struct {
	Title  string // at most 24 characters (Slack's limit on a view title)
	Label  string
	Submit string
	Value  string // ParseRating reads it back: "csat 42"
	Max    int    // the longest answer, in characters
}

// ratingPrefix starts every value of a CSAT button or comment prompt.
const ratingPrefix = "csat "

// RatingValue is the value of the CSAT button that gives thread the
// score ("csat 42 4"); score 0 is the value of its comment prompt.
func RatingValue(thread uint64, score int) string {
	v := ratingPrefix + FormatID(thread)
	if score > 0 {
		v += " " + strconv.Itoa(score)
	}
	return v
}

// ParseRating reads a value made by RatingValue; ok is false for any
// other text (a staff button's command line, a forged value).
func ParseRating(value string) (Rating, bool) {
	rest, ok := strings.CutPrefix(value, ratingPrefix)
	if !ok {
		return Rating{}, false
	}
	idText, scoreText, hasScore := strings.Cut(rest, " ")
	id, ok := ParseID(idText)
	if !ok || strings.HasPrefix(idText, "#") {
		return Rating{}, false
	}
	r := Rating{Thread: id}
	if hasScore {
		n, err := strconv.Atoi(scoreText)
		if err != nil || n < 1 || n > 5 || scoreText != strconv.Itoa(n) {
			return Rating{}, false
		}
		r.Score = n
	}
	return r, true
}

// RatingFaces are the buttons of scores 1 to 5.
var RatingFaces = [5]string{"😞", "🙁", "😐", "🙂", "😀"}

// csatTexts are the customer-facing words of the CSAT exchange in one
// language.
type csatTexts struct {
	question, thanks, notYours, gone, title, label, submit string
}

var csatLang = map[string]csatTexts{
	"en": {
		question: "How did we do?",
		thanks:   "Thank you for your feedback!",
		notYours: "Only the person who started this conversation can rate it.",
		gone:     "This conversation can no longer be rated.",
		title:    "Anything to add?",
		label:    "Your comment (optional)",
		submit:   "Send",
	},
	"ko": {
		question: "상담은 만족스러우셨나요?",
		thanks:   "소중한 의견 감사합니다!",
		notYours: "문의하신 분만 평가하실 수 있어요.",
		gone:     "이 상담은 더 이상 평가할 수 없어요.",
		title:    "더 하실 말씀이 있나요?",
		label:    "의견 (선택)",
		submit:   "보내기",
	},
}

func textsFor(lang string) csatTexts {
	if t, ok := csatLang[lang]; ok {
		return t
	}
	return csatLang["en"]
}

// csatQuestion is the question in a thread's language.
func (b *Bot) csatQuestion(lang string) string {
	if q := b.opts.CSAT.Text[lang]; strings.TrimSpace(q) != "" {
		return q
	}
	if _, known := csatLang[lang]; !known {
		if q := b.opts.CSAT.Text["en"]; strings.TrimSpace(q) != "" {
			return q
		}
	}
	return textsFor(lang).question
}

// askCSAT queues the CSAT question of a thread just resolved, once per
// thread.
func (b *Bot) askCSAT(x *txn, t *Thread) {
	if !b.opts.CSAT.Enabled || !t.CSAT.Asked.IsZero() || t.Customer == "" || t.Channel == "" {
		return
	}
	t.CSAT.Asked = x.now
	t.mark(TimelineItem{At: x.now, What: MarkCSATAsked}) // openear's own doing, whoever resolved
	x.enqueue(Action{Kind: ActPost, Purpose: ForCSAT, Platform: t.Platform, Channel: t.Channel,
		ThreadKey: t.Root, Text: b.csatQuestion(t.Lang), ThreadID: t.ID})
}

// lowScore reports whether a score tells the owner and triage.
func (b *Bot) lowScore(score int) bool { return score > 0 && score < b.opts.CSAT.NotifyBelow }

// rating handles a customer's answer to a CSAT question. Refusals are
// answered in Result.Reply, in the thread's language, and change
// nothing.
func (b *Bot) rating(ctx context.Context, x *txn, ev Event) (Result, error) {
	r := ev.Rating
	if r == nil {
		return Result{}, nil
	}
	t, err := x.thread(ctx, r.Thread)
	if errors.Is(err, ErrNotFound) {
		return Result{Reply: textsFor("en").gone}, nil
	}
	if err != nil {
		return Result{}, err
	}
	words := textsFor(t.Lang)
	if t.Platform != ev.Platform || t.Customer != ev.User || t.CSAT.Asked.IsZero() {
		x.note(Observation{What: "refused", Detail: fmt.Sprintf("%s:%s rating thread #%d", ev.Platform, ev.User, t.ID)})
		return Result{Reply: words.notYours}, nil
	}
	res := Result{ThreadID: t.ID, Reply: words.thanks}
	by := t.CustomerLabel()
	switch {
	case r.Score >= 1 && r.Score <= 5:
		res.Prompt = &Prompt{Title: words.title, Label: words.label, Submit: words.submit,
			Value: RatingValue(t.ID, 0), Max: 1000}
		prev := t.CSAT.Score
		if prev == r.Score {
			return res, nil
		}
		t.CSAT.Score, t.CSAT.At = r.Score, x.now
		x.mark(&t, MarkCSAT, by, fmt.Sprintf("%s %d/5", RatingFaces[r.Score-1], r.Score))
		x.note(Observation{What: "csat", Thread: &t, Detail: strconv.Itoa(r.Score)})
		if b.lowScore(r.Score) && !b.lowScore(prev) {
			b.notifyLowCSAT(x, &t)
		}
	case r.Score == 0 && strings.TrimSpace(r.Comment) != "" && t.CSAT.Score > 0:
		c := strings.TrimSpace(r.Comment)
		if len(c) > MaxCSATComment {
			c = truncateUTF8(c, MaxCSATComment)
		}
		if !utf8.ValidString(c) || c == t.CSAT.Comment {
			return res, nil
		}
		t.CSAT.Comment, t.CSAT.At = c, x.now
		x.mark(&t, MarkCSATComment, by, excerpt(c, 200))
		x.note(Observation{What: "csat-comment", Thread: &t, Detail: c})
		if b.lowScore(t.CSAT.Score) {
			b.notifyLowCSAT(x, &t)
		}
	default:
		return res, nil
	}
	x.put(&t)
	return res, nil
}

// notifyLowCSAT tells the owner and the triage channel of a low score
// (and of the comment that came with it).
func (b *Bot) notifyLowCSAT(x *txn, t *Thread) {
	text := func(l *l10n.Localizer) string {
		owner := t.Owner
		if owner == "" {
			owner = l.T("word.nobody", nil)
		}
		return msgCSATLow(l, t.ID, t.CSAT.Score, t.CustomerLabel(), t.CSAT.Comment, owner, t.Permalink)
	}
	b.queueOwner(x, t, ForCSAT, text)
	if ch := b.opts.Triage[t.Platform]; ch != "" {
		x.enqueue(Action{Kind: ActPost, Purpose: ForCSAT, Platform: t.Platform, Channel: ch, Text: text(b.channelL(t.Platform)), ThreadID: t.ID})
	}
}
