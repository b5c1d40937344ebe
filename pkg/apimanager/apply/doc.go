// Package apply writes the objects the APIManager renderers produce: server-side apply under one
// field manager (FieldOwner) with ownership forced, no write at all when the live object already
// holds what would be written (UpToDate: an applied-hash annotation plus a semantic subset check
// against the cached object), and pruning of the objects an APIManager owns but no longer wants.
//
// It knows nothing about 3scale: the controller decides owner references, what to keep and which
// kinds to prune.
package apply
