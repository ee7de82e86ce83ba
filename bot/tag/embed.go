package tag

import (
	_ "embed" // the model's weights
	"sync"
)

// embeddedModel is the model shipped inside the binary. It is rebuilt
// from the training data in the repository by
//
//	go run ./internal/tagtrain -out bot/tag/model.bin
//
// (docs/TAGGING.md: the data, their licenses, the method and the figures).
//
//go:embed model.bin
var embeddedModel []byte

var loadEmbedded = sync.OnceValues(LoadEmbeddedModel)

// EmbeddedModel returns the model shipped inside the binary. It is loaded
// once, without copying its weights.
func EmbeddedModel() (*Model, error) { return loadEmbedded() }

// LoadEmbeddedModel reads the model shipped inside the binary anew (what
// EmbeddedModel does once): `openear bench` times it.
func LoadEmbeddedModel() (*Model, error) { return LoadModel(embeddedModel) }
