package bot

// Tag is one label on a customer message, with why it was given.
// (Placeholder until the tagger lands; the tagger owns this type.)
type Tag struct {
	Name   string  `json:"name"`
	Score  float64 `json:"score"`
	Reason string  `json:"reason"`
}
