package storage

import "github.com/openear/openear/bot"

// The encodings of this package, for other engines that keep threads,
// actions and incidents as opaque values (storage/postgres stores the
// same bytes as bbolt does). A decoder reads what the encoder wrote and
// the JSON of schema version 1; the bytes given to a decoder are not kept.

// AppendThread appends the compact encoding of t to b.
func AppendThread(b []byte, t *bot.Thread) []byte { return appendThread(wbuf(b), t) }

// DecodeThread decodes a thread written by AppendThread.
func DecodeThread(b []byte) (bot.Thread, error) { return decodeThread(b) }

// AppendAction appends the compact encoding of a to b.
func AppendAction(b []byte, a *bot.Action) []byte { return appendAction(wbuf(b), a) }

// DecodeAction decodes an action written by AppendAction.
func DecodeAction(b []byte) (bot.Action, error) { return decodeAction(b) }

// EncodeIncident encodes an incident (JSON).
func EncodeIncident(in *bot.Incident) ([]byte, error) { return encodeIncident(in) }

// DecodeIncident decodes an incident written by EncodeIncident.
func DecodeIncident(b []byte) (bot.Incident, error) { return decodeIncident(b) }
