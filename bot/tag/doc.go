// Package tag turns the text of a customer message into tags — complaint,
// defect, question, praise, idea, urgent, noise and the operator's own —
// each with a score and a reason a person understands. It knows nothing of
// platforms, threads or stores; package bot uses it through bot.Tagger.
//
// # A tour
//
//	tagger.go  Tagger, New, Tag: the scanner, English rules, reasons
//	ko.go      Korean rules: syllable matching with particles and endings
//	terms.go   Terms: salient words of a message, for incidents and ideas
//
// Rules are data (keyword specs per tag and language) and the operator's
// rules from the config are added to them by New. Every tag carries the
// rule and the words as found in the text, e.g.
//
//	rule defect/en: matched "crashes"; rule defect/ko: matched "오류"
package tag
