// Package tag turns the text of a customer message into tags — complaint,
// defect, question, praise, idea, urgent, noise and the operator's own —
// each with a score and a reason a person understands. It knows nothing of
// platforms, threads or stores; package bot uses it through bot.Tagger
// (and bot.Learner for corrections).
//
// # A tour
//
//	tagger.go   Tagger, New, Build, Tag: the scanner, English rules, reasons
//	ko.go       Korean rules: syllable matching with particles and endings
//	features.go the model's hashed features, from the scanner's tokens
//	lexicon.go  sentiment lexicon features (lexicon/: VADER's English words,
//	            openear's Korean lexicon), negation and intensifiers
//	model.go    Model: weights, calibration, the file format, model reasons
//	combine.go  rules and model together: one calibrated score per tag
//	learn.go    Learn: what staff corrections teach, bounded
//	train.go    Train: deterministic training and calibration
//	eval.go     Example, ReadExamples, Evaluate: precision, recall, F1
//	embed.go    the model shipped in the binary (model.bin)
//	terms.go    Terms: salient words of a message, for incidents and ideas
//
// Rules are data (keyword specs per tag and language) and the operator's
// rules from the config are added to them by New. The model is a linear
// model per language, trained by internal/tagtrain (docs/TAGGING.md). Every
// tag carries its reason: the rule and the words as found in the text, and
// the model's probability with the places that weighed most, e.g.
//
//	rule defect/en: matched "crashes"; model defect/en 0.96: "crashes" +1.6, "every time" +0.7
//
// # Caveats
//
// The model's weights are fixed in the binary; only Learn changes what a
// Tagger does, and only through corrections (learn.go says how far).
// Training is deterministic on one architecture; another may differ in the
// last bits of math.Exp.
package tag
