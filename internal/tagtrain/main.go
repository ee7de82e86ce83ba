// Command tagtrain trains the tagger's model from the JSONL files of a
// directory and writes it where bot/tag embeds it; with -cv it prints the
// cross-validation figures of docs/TAGGING.md instead. Run it from the
// repository's root:
//
//	go run ./internal/tagtrain                 # writes bot/tag/model.bin
//	go run ./internal/tagtrain -cv             # the table of docs/TAGGING.md
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/openear/openear/bot/tag"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "tagtrain:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tagtrain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "internal/tagtrain/data", "directory of training JSONL files")
	out := fs.String("out", "bot/tag/model.bin", "where to write the model")
	seed := fs.Uint64("seed", 1, "random seed")
	bits := fs.Int("bits", 18, "hash bits (2^bits buckets per language)")
	epochs := fs.Int("epochs", 6, "passes over the data")
	folds := fs.String("folds", "random", "calibration folds: random or source")
	capFlag := fs.Int("cap", 400, "cap the weight of one source and label at this many examples (negative: no cap)")
	l2 := fs.Float64("l2", 0, "weight decay (0: the default)")
	balance := fs.Float64("balance", 0, "raise a small cell of one source and label towards the cap, each example weighing at most this (0 or 1: off)")
	lexDrop := fs.Float64("lexdrop", 0, "share of training messages seen through their lexicon and shape features only, per epoch (0: the default, 0.8; negative: off)")
	thresholds := fs.String("thresholds", "pooled", "how thresholds are fitted: pooled (best F1 over all held-out messages), source (best mean of each source's F1) or weighted (messages at their training weight)")
	bags := fs.Int("bags", 0, "train each head this many times with different draws and average the weights (0: the default, 4; 1: once)")
	minSources := fs.Int("minsources", 0, "learn a feature for a tag that several sources label only if it is in this many sources (0 or 1: off)")
	cv := fs.Bool("cv", false, "print leave-one-source-out and 5-fold cross-validation instead of writing a model")
	kfold := fs.Bool("kfold", true, "with -cv: the 5-fold figures too")
	only := fs.String("only", "", "with -cv: leave out only these sources (owner/repo, comma-separated); one alone prints its reports")
	quiet := fs.Bool("q", false, "no progress on stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	examples, err := readDir(*data)
	if err != nil {
		return err
	}
	o := tag.TrainOptions{Seed: *seed, Bits: *bits, Epochs: *epochs, Folds: *folds, Cap: *capFlag, L2: *l2,
		Balance: *balance, MinSources: *minSources, LexDrop: *lexDrop, Bags: *bags, Thresholds: *thresholds}
	if !*quiet {
		o.Progress = stderr
	}
	if *cv {
		o.Progress = nil
		return crossValidate(examples, o, *kfold, *only, stdout, stderr)
	}
	start := time.Now()
	m, err := tag.Train(examples, o)
	if err != nil {
		return err
	}
	b, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "tagtrain: wrote %s (%d bytes) in %s: %s\n", *out, len(b), time.Since(start).Round(time.Millisecond), m.Info())
	return nil
}

// readDir reads every *.jsonl file of dir, in name order.
func readDir(dir string) ([]tag.Example, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no .jsonl files in %s", dir)
	}
	slices.Sort(names)
	var all []tag.Example
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		ex, err := tag.ReadExamples(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		all = append(all, ex...)
	}
	return all, nil
}
